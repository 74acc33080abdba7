//! [`Kv`] over a Workers KV namespace binding (`ACCOUNTS`).

use worker::kv::KvStore;

use crate::error::KvError;
use crate::kv::{Kv, ListPage, MIN_TTL_SECS};

/// Workers KV lists at most 1000 keys per call.
const MAX_LIST: usize = 1000;

/// Clones share the binding.
#[derive(Clone)]
pub struct WorkersKv {
    store: KvStore,
}

impl std::fmt::Debug for WorkersKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkersKv").finish_non_exhaustive()
    }
}

impl WorkersKv {
    pub fn new(store: KvStore) -> Self {
        Self { store }
    }
}

fn kv_error(op: &str, key: &str, error: impl std::fmt::Display) -> KvError {
    KvError::new(format!("{op} `{key}`: {error}"))
}

impl Kv for WorkersKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.store
            .get(key)
            .text()
            .await
            .map_err(|e| kv_error("get", key, e))
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), KvError> {
        let mut put = self
            .store
            .put(key, value)
            .map_err(|e| kv_error("put", key, e))?;
        if let Some(ttl) = ttl_secs {
            // Workers KV rejects expirations under 60 s; the core never asks for one (the
            // other Kv impls refuse it), but a short TTL is clean-up, so round it up rather
            // than fail a request in production.
            put = put.expiration_ttl(ttl.max(MIN_TTL_SECS));
        }
        put.execute().await.map_err(|e| kv_error("put", key, e))
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.store
            .delete(key)
            .await
            .map_err(|e| kv_error("delete", key, e))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let limit = limit.clamp(1, MAX_LIST) as u64;
        let mut list = self.store.list().prefix(prefix.to_owned()).limit(limit);
        if let Some(cursor) = cursor {
            // Workers KV cursors are opaque; the core only hands back what it was given.
            list = list.cursor(cursor.to_owned());
        }
        let page = list
            .execute()
            .await
            .map_err(|e| kv_error("list", prefix, e))?;
        let cursor = if page.list_complete {
            None
        } else {
            page.cursor.filter(|c| !c.is_empty())
        };
        Ok(ListPage {
            keys: page.keys.into_iter().map(|key| key.name).collect(),
            cursor,
        })
    }
}
