//! The store every record of the core goes through: strongly consistent reads, keys listed
//! in byte order by prefix, TTLs of at least 60 seconds (clean-up only: records carry their
//! own expiry on the core's clock), and one atomic operation, [`Kv::commit`]: writes applied
//! all together, and only if the keys it names still hold what the caller read. Everything
//! that must not be undone by a racing request is built on it: [`take`] (use a token up),
//! [`update`] (read-modify-write), the limiter's counters. `docs/content/backend.md` has the layout
//! and what each host does ("Consistency").

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ManualClock};
use crate::error::KvError;
use crate::shard::Shard;

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

/// One write of a [`Txn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Write {
    /// `ttl_secs` must be at least [`MIN_TTL_SECS`].
    Put {
        key: String,
        value: String,
        ttl_secs: Option<u64>,
    },
    Delete {
        key: String,
    },
}

/// An atomic change: every `writes` applied together, and only if each key of `expect`
/// holds the value given (`None`: absent or expired) when it is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    pub expect: Vec<(String, Option<String>)>,
    pub writes: Vec<Write>,
}

impl Txn {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies only if `key` still holds `value` (`None`: is absent).
    pub fn expect(mut self, key: impl Into<String>, value: Option<String>) -> Self {
        self.expect.push((key.into(), value));
        self
    }

    pub fn put(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
        ttl: Option<u64>,
    ) -> Self {
        self.writes.push(Write::Put {
            key: key.into(),
            value: value.into(),
            ttl_secs: ttl,
        });
        self
    }

    pub fn delete(mut self, key: impl Into<String>) -> Self {
        self.writes.push(Write::Delete { key: key.into() });
        self
    }

    /// Adds `other`'s expectations and writes after this one's.
    pub fn and(mut self, other: Txn) -> Self {
        self.expect.extend(other.expect);
        self.writes.extend(other.writes);
        self
    }

    /// Refuses a TTL below [`MIN_TTL_SECS`] before anything is applied.
    pub fn check(&self) -> Result<(), KvError> {
        for write in &self.writes {
            if let Write::Put { ttl_secs, .. } = write {
                check_ttl(*ttl_secs)?;
            }
        }
        Ok(())
    }
}

/// When a record written at `now_ms` with `ttl_secs` expires (ms), `None` for never: the
/// one rule every store's writes follow.
pub fn expires_at_ms(now_ms: i64, ttl_secs: Option<u64>) -> Option<i64> {
    ttl_secs.map(|ttl| {
        now_ms.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX).saturating_mul(1000))
    })
}

/// A JSON record read at `key` (`None` when absent); unreadable bytes are
/// [`EdgeError::Corrupt`](crate::EdgeError::Corrupt) naming the key.
pub fn decode<T: serde::de::DeserializeOwned>(
    key: &str,
    value: Option<&str>,
) -> Result<Option<T>, crate::EdgeError> {
    value
        .map(|value| {
            serde_json::from_str(value).map_err(|source| crate::EdgeError::Corrupt {
                key: key.to_owned(),
                source,
            })
        })
        .transpose()
}

/// What a store exposes to [`apply`]: the live value of a key and one write, inside
/// whatever makes the store's commit atomic (a lock, a write transaction, a Durable
/// Object's synchronous turn).
pub trait TxnTarget {
    fn current(&mut self, key: &str) -> Result<Option<String>, KvError>;
    fn write(&mut self, write: &Write) -> Result<(), KvError>;
}

/// The rule of [`Kv::commit`], the same for every store: `Ok(false)` and nothing written
/// if an expectation fails, else every write in order and `Ok(true)`.
pub fn apply(target: &mut impl TxnTarget, txn: &Txn) -> Result<bool, KvError> {
    txn.check()?;
    for (key, expected) in &txn.expect {
        if target.current(key)? != *expected {
            return Ok(false);
        }
    }
    for write in &txn.writes {
        target.write(write)?;
    }
    Ok(true)
}

/// A store object's records (`shard.rs`): the object a request was routed to, and through
/// [`Kv::at`] any other.
#[allow(async_fn_in_trait)]
pub trait Kv: Clone {
    /// The records of another object. A host that keeps every object's records in one
    /// store (the native host, `MemoryKv`) answers with itself; on Workers it is the other
    /// Durable Object, each call a round trip (its commits atomic there, never across two
    /// objects).
    fn at(&self, shard: &Shard) -> Self {
        let _ = shard;
        self.clone()
    }
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;
    /// `ttl_secs` must be at least [`MIN_TTL_SECS`].
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), KvError> {
        self.commit(&Txn::new().put(key, value, ttl_secs))
            .await
            .map(drop)
    }
    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.commit(&Txn::new().delete(key)).await.map(drop)
    }
    /// Applies `txn` atomically ([`apply`]'s rule); `Ok(false)` when an expectation failed
    /// and nothing was written.
    async fn commit(&self, txn: &Txn) -> Result<bool, KvError>;
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

fn live(entry: &Entry, now_ms: Option<i64>) -> bool {
    match (entry.expires_ms, now_ms) {
        (Some(expires), Some(now)) => now < expires,
        _ => true,
    }
}

/// [`MemoryKv`]'s map under its lock, for [`apply`].
struct MemoryTarget<'a> {
    entries: &'a mut BTreeMap<String, Entry>,
    now_ms: Option<i64>,
}

impl TxnTarget for MemoryTarget<'_> {
    fn current(&mut self, key: &str) -> Result<Option<String>, KvError> {
        Ok(self
            .entries
            .get(key)
            .filter(|entry| live(entry, self.now_ms))
            .map(|entry| entry.value.clone()))
    }

    fn write(&mut self, write: &Write) -> Result<(), KvError> {
        match write {
            Write::Put {
                key,
                value,
                ttl_secs,
            } => {
                let expires_ms = expires_at_ms(self.now_ms.unwrap_or(0), *ttl_secs);
                self.entries.insert(
                    key.clone(),
                    Entry {
                        value: value.clone(),
                        expires_ms,
                    },
                );
            }
            Write::Delete { key } => {
                self.entries.remove(key);
            }
        }
        Ok(())
    }
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
        live(entry, self.now_ms())
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

    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        let now_ms = self.now_ms();
        let mut entries = self.lock();
        apply(
            &mut MemoryTarget {
                entries: &mut entries,
                now_ms,
            },
            txn,
        )
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

/// How often [`take`] and [`update`] try again when another writer got in between. Each
/// retry follows a fresh read and one writer wins each round, so a burst of N requests on
/// one key (a limiter counter) needs up to N rounds; past this many the request fails
/// (500) and has done nothing: an error, never a lost write or a passed limit.
const ATTEMPTS: usize = 100;

fn contended(key: &str) -> KvError {
    KvError::new(format!(
        "`{key}` changed under {ATTEMPTS} attempts in a row to update it"
    ))
}

/// Deletes `key` and returns what it held, atomically: of any number of racing callers,
/// exactly one gets the value (single-use tokens).
pub async fn take(kv: &impl Kv, key: &str) -> Result<Option<String>, KvError> {
    take_with(kv, key, |_| Txn::new()).await
}

/// [`take`], committing `with(value)`'s writes and expectations in the same transaction
/// (a token used up together with the change it allows).
pub async fn take_with(
    kv: &impl Kv,
    key: &str,
    with: impl Fn(&str) -> Txn,
) -> Result<Option<String>, KvError> {
    for _ in 0..ATTEMPTS {
        let Some(value) = kv.get(key).await? else {
            return Ok(None);
        };
        let txn = Txn::new()
            .expect(key, Some(value.clone()))
            .delete(key)
            .and(with(&value));
        if kv.commit(&txn).await? {
            return Ok(Some(value));
        }
    }
    Err(contended(key))
}

/// What [`update`]'s closure decides for the value it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// Write nothing; `update` returns `T`.
    Keep(T),
    /// Commit `txn` (which should write the key); `update` returns `T` once it applied.
    Commit(Txn, T),
}

/// Read-modify-write of `key`: `decide` sees the current value and says what to write; the
/// commit applies only if the key still holds that value, else `decide` runs again on the
/// new one. Nothing `decide` did not see can be overwritten.
pub async fn update<T>(
    kv: &impl Kv,
    key: &str,
    mut decide: impl FnMut(Option<&str>) -> Result<Change<T>, crate::EdgeError>,
) -> Result<T, crate::EdgeError> {
    update_many(kv, &[key], |values| {
        decide(values.first().and_then(Option::as_deref))
    })
    .await
}

/// [`update`] over several keys: `decide` sees all their values (in the order of `keys`),
/// and the commit applies only if none changed meanwhile. A single-use token and the
/// account it changes are decided together this way, so the token is used exactly once
/// and only for the account as it is.
pub async fn update_many<T>(
    kv: &impl Kv,
    keys: &[&str],
    mut decide: impl FnMut(&[Option<String>]) -> Result<Change<T>, crate::EdgeError>,
) -> Result<T, crate::EdgeError> {
    for _ in 0..ATTEMPTS {
        let mut current = Vec::with_capacity(keys.len());
        for key in keys {
            current.push(kv.get(key).await?);
        }
        match decide(&current)? {
            Change::Keep(out) => return Ok(out),
            Change::Commit(txn, out) => {
                let mut guarded = Txn::new();
                for (key, value) in keys.iter().zip(current) {
                    guarded = guarded.expect(*key, value);
                }
                if kv.commit(&guarded.and(txn)).await? {
                    return Ok(out);
                }
            }
        }
    }
    Err(contended(keys.first().copied().unwrap_or_default()).into())
}
