//! Typed errors. Hosts turn their own failures into the small per-trait error types, so the
//! core never depends on a host's error type.

use thiserror::Error;

/// A `Kv` backend failed (I/O, quota, a Workers KV exception, …).
#[derive(Debug, Error)]
#[error("key-value store: {message}")]
pub struct KvError {
    message: String,
}

impl KvError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A `Mailer` could not hand the message over.
#[derive(Debug, Error)]
#[error("mailer: {message}")]
pub struct MailError {
    message: String,
}

impl MailError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<KvError> for MailError {
    fn from(error: KvError) -> Self {
        Self::new(error.to_string())
    }
}

/// The host's random source failed.
#[derive(Debug, Error)]
#[error("random source: {message}")]
pub struct RngError {
    message: String,
}

impl RngError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A `Limiter` could not decide (its store failed).
#[derive(Debug, Error)]
#[error("rate limiter: {message}")]
pub struct LimitError {
    message: String,
}

impl LimitError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<KvError> for LimitError {
    fn from(error: KvError) -> Self {
        Self::new(error.to_string())
    }
}

/// Everything that can go wrong inside the core. None of it is ever shown to a reader: the
/// router turns it into a plain 500 page and hands it to [`crate::Host::report`].
#[derive(Debug, Error)]
pub enum EdgeError {
    #[error(transparent)]
    Kv(#[from] KvError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Rng(#[from] RngError),
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("stored record `{key}` is unreadable: {source}")]
    Corrupt {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("serialising a record: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("rewriting a page: {0}")]
    Html(String),
    #[error("a header value could not be built: {0}")]
    Header(String),
    #[error(transparent)]
    Time(#[from] crate::dates::OutOfRange),
}
