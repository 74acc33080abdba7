//! A persistent [`Kv`] in one redb file. Strongly consistent (one process, ACID), so it is
//! kinder than Workers KV; TTLs are honoured on read and expired keys removed lazily (on the
//! read or listing that finds them).
//!
//! Reads run where they are awaited (they touch no disk beyond the page cache). Writes are
//! committed on one thread of the store's own: each commit waits for the disk's fsync
//! (milliseconds, hundreds under load), which must not hold up the event loop that serves
//! pages; one thread because redb runs one write transaction at a time anyway.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::NativeError;
use super::system::SystemClock;
use super::thread_pool::ThreadPool;
use crate::clock::Clock;
use crate::error::KvError;
use crate::kv::{Kv, ListPage, Txn, TxnTarget, Write, apply, expires_at_ms};

/// Value layout: 8 bytes of expiry (Unix ms, big-endian; `i64::MAX` = never), then the value.
const TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("kv");

/// Clones share the database.
#[derive(Clone)]
pub struct RedbKv {
    db: Arc<Database>,
    path: PathBuf,
    clock: Arc<dyn Clock + Send + Sync>,
    writer: Arc<ThreadPool>,
}

impl std::fmt::Debug for RedbKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbKv")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn kv_error(error: impl std::fmt::Display) -> KvError {
    KvError::new(error.to_string())
}

fn encode(value: &str, expires_ms: i64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(8 + value.len());
    bytes.extend_from_slice(&expires_ms.to_be_bytes());
    bytes.extend_from_slice(value.as_bytes());
    bytes
}

/// `(expires_ms, value)`; `None` for bytes this store did not write.
fn decode(bytes: &[u8]) -> Option<(i64, String)> {
    let (expiry, value) = bytes.split_at_checked(8)?;
    let expiry = i64::from_be_bytes(expiry.try_into().ok()?);
    Some((expiry, String::from_utf8(value.to_vec()).ok()?))
}

impl RedbKv {
    /// Opens the file, creating it (not its directory) if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, NativeError> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// As [`RedbKv::open`], with TTLs measured on `clock` (tests use a manual one).
    pub fn open_with_clock(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock + Send + Sync>,
    ) -> Result<Self, NativeError> {
        let path = path.as_ref().to_path_buf();
        let store_error = |message: String| NativeError::Store {
            path: path.clone(),
            message,
        };
        let db = Database::create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => store_error(
                "another process has it open (is a `gatehouse serve` already running on this \
                 site? stop it, or give this one its own --state-dir)"
                    .into(),
            ),
            other => store_error(other.to_string()),
        })?;
        // Create the table up front so readers never meet a missing table.
        let txn = db.begin_write().map_err(|e| store_error(e.to_string()))?;
        txn.open_table(TABLE)
            .map_err(|e| store_error(e.to_string()))?;
        txn.commit().map_err(|e| store_error(e.to_string()))?;
        Ok(Self {
            db: Arc::new(db),
            path,
            clock,
            writer: Arc::new(ThreadPool::new("edge-store", 1)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs `change` in one write transaction on the store's writer thread and commits it.
    async fn write<F>(&self, change: F) -> Result<(), KvError>
    where
        F: FnOnce(&mut redb::Table<&str, &[u8]>) -> Result<(), redb::StorageError> + Send + 'static,
    {
        let db = self.db.clone();
        self.writer
            .run(move || {
                let txn = db.begin_write().map_err(kv_error)?;
                {
                    let mut table = txn.open_table(TABLE).map_err(kv_error)?;
                    change(&mut table).map_err(kv_error)?;
                }
                txn.commit().map_err(kv_error)
            })
            .await
            .unwrap_or_else(|| Err(KvError::new("the store's writer thread did not finish")))
    }

    /// Removes `keys` if they are still expired (a put may have revived one meanwhile).
    async fn purge(&self, keys: Vec<String>) -> Result<(), KvError> {
        if keys.is_empty() {
            return Ok(());
        }
        let now = self.now_ms();
        self.write(move |table| {
            for key in &keys {
                let expired = table
                    .get(key.as_str())?
                    .and_then(|v| decode(v.value()))
                    .is_some_and(|(expires, _)| expires <= now);
                if expired {
                    table.remove(key.as_str())?;
                }
            }
            Ok(())
        })
        .await
    }
}

/// One write transaction's table, for [`apply`]: what a commit reads and writes.
struct RedbTarget<'a, 't> {
    table: &'a mut redb::Table<'t, &'static str, &'static [u8]>,
    now: i64,
}

impl TxnTarget for RedbTarget<'_, '_> {
    fn current(&mut self, key: &str) -> Result<Option<String>, KvError> {
        Ok(self
            .table
            .get(key)
            .map_err(kv_error)?
            .and_then(|v| decode(v.value()))
            .filter(|(expires, _)| *expires > self.now)
            .map(|(_, value)| value))
    }

    fn write(&mut self, write: &Write) -> Result<(), KvError> {
        match write {
            Write::Put {
                key,
                value,
                ttl_secs,
            } => {
                let expires = expires_at_ms(self.now, *ttl_secs).unwrap_or(i64::MAX);
                self.table
                    .insert(key.as_str(), encode(value, expires).as_slice())
                    .map_err(kv_error)?;
            }
            Write::Delete { key } => {
                self.table.remove(key.as_str()).map_err(kv_error)?;
            }
        }
        Ok(())
    }
}

impl Kv for RedbKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let found = {
            let txn = self.db.begin_read().map_err(kv_error)?;
            let table = txn.open_table(TABLE).map_err(kv_error)?;
            table
                .get(key)
                .map_err(kv_error)?
                .and_then(|v| decode(v.value()))
        };
        match found {
            Some((expires, _)) if expires <= self.now_ms() => {
                self.purge(vec![key.to_owned()]).await?;
                Ok(None)
            }
            Some((_, value)) => Ok(Some(value)),
            None => Ok(None),
        }
    }

    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        txn.check()?;
        let (txn, now) = (txn.clone(), self.now_ms());
        let db = self.db.clone();
        self.writer
            .run(move || {
                let write = db.begin_write().map_err(kv_error)?;
                let applied = {
                    let mut table = write.open_table(TABLE).map_err(kv_error)?;
                    apply(
                        &mut RedbTarget {
                            table: &mut table,
                            now,
                        },
                        &txn,
                    )?
                };
                if applied {
                    write.commit().map_err(kv_error)?;
                } else {
                    write.abort().map_err(kv_error)?;
                }
                Ok(applied)
            })
            .await
            .unwrap_or_else(|| Err(KvError::new("the store's writer thread did not finish")))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let now = self.now_ms();
        let mut keys = Vec::new();
        let mut expired = Vec::new();
        let mut more = false;
        {
            let txn = self.db.begin_read().map_err(kv_error)?;
            let table = txn.open_table(TABLE).map_err(kv_error)?;
            let start = match cursor {
                Some(after) => Bound::Excluded(after),
                None => Bound::Included(prefix),
            };
            for entry in table
                .range::<&str>((start, Bound::Unbounded))
                .map_err(kv_error)?
            {
                let (key, value) = entry.map_err(kv_error)?;
                let key = key.value();
                if !key.starts_with(prefix) {
                    break;
                }
                if decode(value.value()).is_none_or(|(expires, _)| expires <= now) {
                    expired.push(key.to_owned());
                    continue;
                }
                if keys.len() == limit {
                    more = true;
                    break;
                }
                keys.push(key.to_owned());
            }
        }
        self.purge(expired).await?;
        let cursor = if more { keys.last().cloned() } else { None };
        Ok(ListPage { keys, cursor })
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::mpsc;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn writes_wait_for_the_store_thread_not_the_caller() {
        let dir = std::env::temp_dir().join(format!("redb-writer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let kv = RedbKv::open(dir.join("edge.redb")).expect("open");

        // Hold the writer thread: a write must then stay pending, not commit on the caller.
        let (release, held) = mpsc::channel::<()>();
        let holding = kv.writer.run(move || held.recv().is_ok());
        let mut put = std::pin::pin!(kv.put("k", "v", None));
        assert!(poll_once(put.as_mut()).is_pending());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(poll_once(put.as_mut()).is_pending());
        let mut get = std::pin::pin!(kv.get("k"));
        assert!(matches!(poll_once(get.as_mut()), Poll::Ready(Ok(None))));

        release.send(()).expect("release");
        drop(holding);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Poll::Ready(done) = poll_once(put.as_mut()) {
                done.expect("put");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the write never finished"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let mut get = std::pin::pin!(kv.get("k"));
        assert!(matches!(poll_once(get.as_mut()), Poll::Ready(Ok(Some(v))) if v == "v"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
