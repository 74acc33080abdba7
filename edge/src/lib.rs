//! Gatehouse's onboarding backend: register, verify the email address, sign in, reset a
//! forgotten password, and the 30-day Plus trial with its end-of-trial choice.
//!
//! The crate is one host-independent core and the pieces that differ per host:
//!
//! - The core ([`Edge`]) turns an `http::Request<Bytes>` into an `http::Response<Bytes>`. It
//!   never touches the network, files, the system clock or OS randomness, so it compiles to
//!   `wasm32-unknown-unknown` for the Cloudflare Workers host as well as natively.
//! - A [`Host`] bundles what differs: [`Kv`] (modelled on Workers KV), [`Mailer`], [`Clock`],
//!   [`Rng`], [`Limiter`] and [`Pages`] (the built HTML of the site's form pages).
//! - [`native`] (not on wasm32) has the `gatehouse serve` host: a redb-backed Kv, the system
//!   clock and OS randomness; development mail goes to the Kv outbox ([`OutboxMailer`]).
//! - `workers` (wasm32 only) has the Cloudflare Workers host: Workers KV, the ASSETS and
//!   rate-limiting bindings, an HTTP mail API, and the `fetch` and `scheduled` entries.
//!
//! Traits use `async fn` without `Send` bounds because Workers futures are not `Send`; the
//! native host runs the core on a current-thread runtime (with the native pieces, the
//! futures happen to be `Send` too).
//!
//! The `core` feature (on by default) is all of the above. Without it the crate is only
//! [`routes`] (the route table, for hosts and the generator's link checker) and [`html`]
//! (the project's HTML escaper), which need nothing but the `http` crate.
//!
//! `edge/README.md` maps the modules, lays out the Kv keys and walks through what eventual
//! consistency can do to each flow.

#![forbid(unsafe_code)]
#![allow(async_fn_in_trait)]

pub mod html;
pub mod routes;

#[cfg(feature = "core")]
pub mod accounts;
#[cfg(feature = "core")]
pub mod clock;
#[cfg(feature = "core")]
pub mod config;
#[cfg(feature = "core")]
mod ctx;
#[cfg(feature = "core")]
mod dev;
#[cfg(feature = "core")]
pub mod error;
#[cfg(feature = "core")]
mod flows;
#[cfg(feature = "core")]
pub mod forms;
#[cfg(feature = "core")]
pub mod kv;
#[cfg(feature = "core")]
pub mod limiter;
#[cfg(feature = "core")]
pub mod mail;
#[cfg(feature = "core")]
pub mod pages;
#[cfg(feature = "core")]
pub mod password;
#[cfg(feature = "core")]
mod response;
#[cfg(feature = "core")]
pub mod rng;
#[cfg(feature = "core")]
mod router;
#[cfg(feature = "core")]
pub mod sessions;
#[cfg(feature = "core")]
pub mod tokens;
#[cfg(feature = "core")]
pub mod trial;

#[cfg(all(feature = "core", not(target_arch = "wasm32")))]
pub mod native;

#[cfg(all(feature = "core", target_arch = "wasm32"))]
pub mod workers;

#[cfg(feature = "core")]
pub use crate::{
    clock::{Clock, ManualClock},
    config::{ConfigError, EdgeConfig, Limits},
    error::{EdgeError, KvError, LimitError, MailError, RngError},
    kv::{Kv, ListPage, MemoryKv, Txn, Write},
    limiter::{KvLimiter, Limiter, Rule, Verdict},
    mail::{CapturingMailer, Deferred, Mail, Mailer, OutboxEntry, OutboxMailer},
    pages::{NoPages, Pages, StaticPages},
    response::add_site_headers,
    rng::{Rng, SeededRng},
    trial::ScheduledReport,
};

#[cfg(feature = "core")]
use std::net::IpAddr;

#[cfg(feature = "core")]
use bytes::Bytes;

/// Everything the core needs from the place it runs.
#[cfg(feature = "core")]
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
#[cfg(feature = "core")]
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

#[cfg(feature = "core")]
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

/// An answer, and what to do once it has been sent ([`Edge::answer`]).
#[cfg(feature = "core")]
#[derive(Debug)]
pub struct Answer {
    pub response: http::Response<Bytes>,
    /// Run it with [`Edge::run_deferred`] after sending `response`.
    pub deferred: Deferred,
}

/// The backend core. Cheap to share behind an `Rc`/`Arc`; holds no per-request state.
#[cfg(feature = "core")]
pub struct Edge<H: Host> {
    host: H,
    config: EdgeConfig,
    origin: Option<String>,
}

#[cfg(feature = "core")]
impl<H: Host> Edge<H> {
    pub fn new(host: H, config: EdgeConfig) -> Self {
        let origin = config.origin();
        Self {
            host,
            config,
            origin,
        }
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }

    /// `base_url`'s origin, for the cross-site check.
    pub(crate) fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Answers one request, sending no mail: the mail the request causes comes back as
    /// [`Answer::deferred`], for the host to run with [`Edge::run_deferred`] once the
    /// response is on its way (Workers: `ctx.wait_until`; `gatehouse serve`: a background
    /// task). So an answer never waits for a mail transport, and takes as long whether or
    /// not the address gets mail. Never fails: internal errors become a plain 500 page and
    /// go to [`Host::report`]. `client_ip` keys the per-IP rate limits (`None` skips them).
    pub async fn answer(&self, req: http::Request<Bytes>, client_ip: Option<IpAddr>) -> Answer {
        let mail = mail::MailQueue::default();
        let response = match router::route(self, req, client_ip, mail.clone()).await {
            Ok(response) => response,
            Err(error) => {
                self.host.report(&error);
                response::internal_error()
            }
        };
        Answer {
            response,
            deferred: mail.take(),
        }
    }

    /// Sends the mail of an [`Answer`]. A mail that cannot be sent goes to [`Host::report`]
    /// (the reader has had their answer already, and it must not depend on the mail); the
    /// others are still sent.
    pub async fn run_deferred(&self, deferred: Deferred) {
        for mail in &deferred.mails {
            if let Err(error) = self.host.mailer().send(mail).await {
                self.host.report(&EdgeError::Mail(error));
            }
        }
    }

    /// [`Edge::answer`] and then [`Edge::run_deferred`], before returning the response: for
    /// tests and tools that do not care when the mail goes out.
    pub async fn handle(
        &self,
        req: http::Request<Bytes>,
        client_ip: Option<IpAddr>,
    ) -> http::Response<Bytes> {
        let Answer { response, deferred } = self.answer(req, client_ip).await;
        self.run_deferred(deferred).await;
        response
    }

    /// The daily job: sends trial reminders 3 days before the end (once) and moves trials
    /// that ended to the plan chosen, or Free. Safe to run more often than daily.
    pub async fn run_scheduled(&self) -> Result<ScheduledReport, EdgeError> {
        let now = self.now().await?;
        trial::run(self, now).await
    }

    /// The core's time in Unix seconds: the host clock plus, in development, the offset set
    /// with `POST /_dev/clock` (kept in the Kv so every worker instance sees it).
    pub async fn now(&self) -> Result<i64, EdgeError> {
        let secs = self.host.clock().now_ms().div_euclid(1000);
        if !self.config.dev {
            return Ok(secs);
        }
        Ok(secs.saturating_add(dev::clock_offset(self.host.kv()).await?))
    }
}
