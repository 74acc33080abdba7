//! The key-value store, modelled on Workers KV: no transactions, no compare-and-swap,
//! eventually consistent, TTLs of at least 60 seconds, keys listed in byte order by prefix.
//! Every record the core keeps goes through this trait; `edge/README.md` has the layout.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::clock::{Clock, ManualClock};
use crate::error::KvError;

/// Workers KV refuses shorter expirations; every impl here does too, so a core bug shows up
/// in tests rather than in production.
pub const MIN_TTL_SECS: u64 = 60;

/// One page of [`Kv::list`]: keys in ascending byte order, and where to continue.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub keys: Vec<String>,
    /// `Some` when more keys may follow; pass it back as `cursor`.
    pub cursor: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;
    /// `ttl_secs` must be at least [`MIN_TTL_SECS`].
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), KvError>;
    async fn delete(&self, key: &str) -> Result<(), KvError>;
    /// Up to `limit` keys starting with `prefix`, after `cursor` (from a previous page).
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError>;
}

pub(crate) fn check_ttl(ttl_secs: Option<u64>) -> Result<(), KvError> {
    match ttl_secs {
        Some(ttl) if ttl < MIN_TTL_SECS => Err(KvError::new(format!(
            "expiration TTL {ttl}s is below the minimum of {MIN_TTL_SECS}s"
        ))),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    value: String,
    expires_ms: Option<i64>,
}

/// An in-memory [`Kv`] for tests (strongly consistent, unlike the real thing). Clones share
/// the same map. With a clock, TTLs are honoured against that clock.
#[derive(Debug, Clone, Default)]
pub struct MemoryKv {
    entries: Arc<Mutex<BTreeMap<String, Entry>>>,
    clock: Option<ManualClock>,
}

impl MemoryKv {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_clock(clock: ManualClock) -> Self {
        Self {
            entries: Arc::default(),
            clock: Some(clock),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        // A panic while holding the lock cannot leave the map half-written (every
        // operation is a single map call), so a poisoned lock is still usable.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_ms(&self) -> Option<i64> {
        self.clock.as_ref().map(Clock::now_ms)
    }

    fn live(&self, entry: &Entry) -> bool {
        match (entry.expires_ms, self.now_ms()) {
            (Some(expires), Some(now)) => now < expires,
            _ => true,
        }
    }

    /// Every live key and value, for comparing the store before and after a request.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.lock()
            .iter()
            .filter(|(_, entry)| self.live(entry))
            .map(|(key, entry)| (key.clone(), entry.value.clone()))
            .collect()
    }

    /// The TTL a key was written with, as an absolute expiry in ms (tests check lifetimes).
    pub fn expiry_ms(&self, key: &str) -> Option<i64> {
        self.lock().get(key).and_then(|entry| entry.expires_ms)
    }
}

impl Kv for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        Ok(self
            .lock()
            .get(key)
            .filter(|entry| self.live(entry))
            .map(|entry| entry.value.clone()))
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), KvError> {
        check_ttl(ttl_secs)?;
        let expires_ms = ttl_secs.map(|ttl| {
            let ttl_ms = i64::try_from(ttl).unwrap_or(i64::MAX).saturating_mul(1000);
            self.now_ms().unwrap_or(0).saturating_add(ttl_ms)
        });
        self.lock().insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expires_ms,
            },
        );
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.lock().remove(key);
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let entries = self.lock();
        let start = match cursor {
            Some(after) => Bound::Excluded(after.to_owned()),
            None => Bound::Included(prefix.to_owned()),
        };
        let mut keys = Vec::new();
        let mut more = false;
        for (key, entry) in entries.range((start, Bound::Unbounded)) {
            if !key.starts_with(prefix) {
                break;
            }
            if !self.live(entry) {
                continue;
            }
            if keys.len() == limit {
                more = true;
                break;
            }
            keys.push(key.clone());
        }
        let cursor = if more { keys.last().cloned() } else { None };
        Ok(ListPage { keys, cursor })
    }
}

/// Collects every key under `prefix`, page by page.
pub async fn list_all(kv: &impl Kv, prefix: &str) -> Result<Vec<String>, KvError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = kv.list(prefix, cursor.as_deref(), 1000).await?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(keys),
        }
    }
}
