//! What the core needs from the place it runs ([`Host`]), and the usual way to assemble
//! one from parts ([`Services`]): the one seam between the core and a host.

use crate::clock::Clock;
use crate::error::EdgeError;
use crate::kv::Kv;
use crate::limiter::Limiter;
use crate::mail::Mailer;
use crate::pages::Pages;
use crate::rng::Rng;

/// Everything the core needs from the place it runs.
pub trait Host {
    type Kv: Kv;
    type Mailer: Mailer;
    type Clock: Clock;
    type Rng: Rng;
    type Limiter: Limiter;
    type Pages: Pages;

    fn kv(&self) -> &Self::Kv;
    fn mailer(&self) -> &Self::Mailer;
    fn clock(&self) -> &Self::Clock;
    fn rng(&self) -> &Self::Rng;
    fn limiter(&self) -> &Self::Limiter;
    fn pages(&self) -> &Self::Pages;

    /// Receives every internal error before the reader gets a plain 500 page (which says
    /// nothing about it), and every mail that could not be sent after an answer. Log it
    /// here.
    fn report(&self, error: &EdgeError) {
        let _ = error;
    }

    /// Runs password hashing (`work` is one argon2id hash or verification: tens of
    /// milliseconds of CPU and 19 MiB). The default runs it right here, which suits Workers
    /// (an isolate has no other thread, and each request has its own CPU budget). A host
    /// whose event loop also serves other requests runs it on other threads, so a sign-in
    /// does not stall them (the native host, `native::NativeHost`). `Err` only when
    /// `work` could not be run.
    async fn run_hashing<T, F>(&self, work: F) -> Result<T, EdgeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Ok(work())
    }
}

/// A [`Host`] assembled from parts; the usual way to build one.
#[derive(Debug, Clone)]
pub struct Services<K, M, C, R, L, P> {
    pub kv: K,
    pub mailer: M,
    pub clock: C,
    pub rng: R,
    pub limiter: L,
    pub pages: P,
    /// Called by [`Host::report`]; `|_| {}` to drop errors.
    pub on_error: fn(&EdgeError),
}

impl<K, M, C, R, L, P> Host for Services<K, M, C, R, L, P>
where
    K: Kv,
    M: Mailer,
    C: Clock,
    R: Rng,
    L: Limiter,
    P: Pages,
{
    type Kv = K;
    type Mailer = M;
    type Clock = C;
    type Rng = R;
    type Limiter = L;
    type Pages = P;

    fn kv(&self) -> &K {
        &self.kv
    }
    fn mailer(&self) -> &M {
        &self.mailer
    }
    fn clock(&self) -> &C {
        &self.clock
    }
    fn rng(&self) -> &R {
        &self.rng
    }
    fn limiter(&self) -> &L {
        &self.limiter
    }
    fn pages(&self) -> &P {
        &self.pages
    }
    fn report(&self, error: &EdgeError) {
        (self.on_error)(error);
    }
}
