//! The native host used by `gatehouse serve`: a redb file for the Kv, the system clock, OS
//! randomness, the development outbox as the mailer, and password hashing and the store's
//! writes on threads of their own ([`ThreadPool`]) so neither argon2 nor an fsync stalls the
//! event loop. Not built for wasm32.
//!
//! ```no_run
//! # fn main() -> Result<(), edge::native::NativeError> {
//! use edge::{EdgeConfig, Limits};
//! let config = EdgeConfig {
//!     base_url: "http://127.0.0.1:1111".into(),
//!     product_name: "Konnect".into(),
//!     site_title: "Konnect docs".into(),
//!     mail_from: "no-reply@localhost".into(),
//!     dev: true,
//!     limits: Limits::default(),
//! };
//! // Opens (or creates) `.gatehouse/edge.redb`; pages come from the built site on disk.
//! let pages = edge::native::DirPages::new("public");
//! let edge = edge::native::edge(".gatehouse", pages, config, edge::native::MailNotices::Quiet)?;
//! # let _ = edge; Ok(()) }
//! ```

mod dir_pages;
mod redb_kv;
mod system;
mod thread_pool;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use dir_pages::DirPages;
pub use redb_kv::RedbKv;
pub use system::{OsRng, SystemClock};
pub use thread_pool::ThreadPool;

use crate::error::MailError;
use crate::mail::{Mail, Mailer};
use crate::{Edge, EdgeConfig, EdgeError, Host, KvLimiter, OutboxMailer, Pages, Services};

/// File name of the store inside the state directory.
pub const STORE_FILE: &str = "edge.redb";

#[derive(Debug, Error)]
pub enum NativeError {
    #[error("cannot create the state directory {path}: {source}")]
    StateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the edge store {path}: {message}")]
    Store { path: PathBuf, message: String },
}

/// The native host's parts: every one shares one redb store.
pub type NativeServices<P> =
    Services<RedbKv, NativeMailer, SystemClock, OsRng, KvLimiter<RedbKv>, P>;

/// The native host: [`NativeServices`], with password hashing on a [`ThreadPool`].
#[derive(Debug)]
pub struct NativeHost<P> {
    pub services: NativeServices<P>,
    pub hashing: ThreadPool,
}

impl<P: Pages> Host for NativeHost<P> {
    type Kv = RedbKv;
    type Mailer = NativeMailer;
    type Clock = SystemClock;
    type Rng = OsRng;
    type Limiter = KvLimiter<RedbKv>;
    type Pages = P;

    fn kv(&self) -> &RedbKv {
        &self.services.kv
    }
    fn mailer(&self) -> &NativeMailer {
        &self.services.mailer
    }
    fn clock(&self) -> &SystemClock {
        &self.services.clock
    }
    fn rng(&self) -> &OsRng {
        &self.services.rng
    }
    fn limiter(&self) -> &KvLimiter<RedbKv> {
        &self.services.limiter
    }
    fn pages(&self) -> &P {
        &self.services.pages
    }
    fn report(&self, error: &EdgeError) {
        self.services.report(error);
    }

    /// On the pool: the event loop goes on serving while argon2 runs.
    async fn run_hashing<T, F>(&self, work: F) -> Result<T, EdgeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.hashing
            .run(work)
            .await
            .ok_or_else(|| EdgeError::Hash("the hashing thread did not finish the job".into()))
    }
}

/// Whether each mail sent is also announced on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailNotices {
    Quiet,
    /// One line per mail naming the recipient, the subject and where to read it: a writer
    /// trying the forms in preview sees at once that a mail went out.
    Stderr {
        outbox_url: String,
    },
}

/// The development outbox, with [`MailNotices`].
#[derive(Debug)]
pub struct NativeMailer {
    outbox: OutboxMailer<RedbKv, SystemClock>,
    notices: MailNotices,
}

impl Mailer for NativeMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.outbox.send(mail).await?;
        if let MailNotices::Stderr { outbox_url } = &self.notices {
            eprintln!(
                "Mail to {}: \"{}\" (read it at {outbox_url})",
                mail.to, mail.subject
            );
        }
        Ok(())
    }
}

fn log_error(error: &EdgeError) {
    eprintln!("edge: internal error: {error}");
}

/// Opens `<state_dir>/edge.redb` (creating both if needed) and assembles the host. Mail goes
/// to the outbox in the same store (`GET /_dev/outbox` when `config.dev`); internal errors
/// are printed to stderr; hashing runs on [`ThreadPool::for_hashing`].
pub fn host<P: Pages>(
    state_dir: impl AsRef<Path>,
    pages: P,
    notices: MailNotices,
) -> Result<NativeHost<P>, NativeError> {
    let dir = state_dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|source| NativeError::StateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let kv = RedbKv::open(dir.join(STORE_FILE))?;
    Ok(NativeHost {
        services: Services {
            mailer: NativeMailer {
                outbox: OutboxMailer::new(kv.clone(), SystemClock),
                notices,
            },
            limiter: KvLimiter::new(kv.clone()),
            kv,
            clock: SystemClock,
            rng: OsRng,
            pages,
            on_error: log_error,
        },
        hashing: ThreadPool::for_hashing(),
    })
}

/// [`host`] wrapped in an [`Edge`].
pub fn edge<P: Pages>(
    state_dir: impl AsRef<Path>,
    pages: P,
    config: EdgeConfig,
    notices: MailNotices,
) -> Result<Edge<NativeHost<P>>, NativeError> {
    Ok(Edge::new(host(state_dir, pages, notices)?, config))
}
