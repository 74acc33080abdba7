//! The Workers host's store: every record in one SQLite-backed Durable Object
//! ([`OnboardingStore`](super::object::OnboardingStore), binding `STATE`), table
//! `kv(key, value, expires_ms)`. The object's own code reaches it as [`LocalKv`] (plain
//! SQL calls, no round trip); the Worker reaches it as [`DurableKv`] (one round trip per
//! call), only for the mail it sends after an answer and for the daily job.
//!
//! Why a Durable Object and not Workers KV: KV is eventually consistent (another location
//! may serve a copy up to about 60 s old) and has no compare-and-swap, so a write decided on
//! a stale copy could undo a password reset. A Durable Object is one instance in the world;
//! its SQL calls are synchronous, so [`kv::apply`](crate::kv::apply) checks a [`Txn`]'s
//! expectations and makes its writes with no `await` in between: one atomic step (the
//! runtime commits the writes of such a step together), exactly as under `gatehouse
//! serve`'s redb write transaction.
//!
//! The protocol of [`DurableKv`] is one JSON [`Op`] per request to `/op`, one JSON
//! [`Answer`] back.

use serde::{Deserialize, Serialize};
use worker::{Method, ObjectNamespace, Request, RequestInit, SqlStorage, SqlStorageValue, Stub};

use crate::error::KvError;
use crate::kv::{Kv, ListPage, Txn, TxnTarget, Write, apply, expires_at_ms};

/// The binding of the object's namespace (wrangler.toml `[[durable_objects.bindings]]`).
pub const STORE_BINDING: &str = "STATE";
/// The one object's name.
const OBJECT_NAME: &str = "onboarding";
/// Where [`DurableKv`]'s calls go (the object tells them from forwarded requests by path).
pub(super) const OP_PATH: &str = "/op";
/// The most keys one `list` call answers.
const MAX_LIST: usize = 1000;

/// One call to the object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(super) enum Op {
    Get {
        key: String,
    },
    List {
        prefix: String,
        cursor: Option<String>,
        limit: usize,
    },
    Commit {
        txn: Txn,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Answer {
    Value(Option<String>),
    Page { keys: Vec<String>, more: bool },
    Applied(bool),
    Failed(String),
}

/// [`Kv`] over the object: each call is one round trip to it.
#[derive(Clone)]
pub struct DurableKv {
    stub: std::rc::Rc<Stub>,
}

impl std::fmt::Debug for DurableKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableKv").finish_non_exhaustive()
    }
}

/// The object every record lives in.
pub(super) fn object(namespace: &ObjectNamespace) -> worker::Result<Stub> {
    namespace.get_by_name(OBJECT_NAME)
}

impl DurableKv {
    pub fn new(namespace: &ObjectNamespace) -> worker::Result<Self> {
        Ok(Self {
            stub: std::rc::Rc::new(object(namespace)?),
        })
    }

    async fn call(&self, op: &Op) -> Result<Answer, KvError> {
        let failed = |e: &dyn std::fmt::Display| KvError::new(format!("durable object: {e}"));
        let body = serde_json::to_string(op).map_err(|e| failed(&e))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_body(Some(wasm_bindgen::JsValue::from_str(&body)));
        let request = Request::new_with_init(&format!("https://store{OP_PATH}"), &init)
            .map_err(|e| failed(&e))?;
        let mut response = self
            .stub
            .fetch_with_request(request)
            .await
            .map_err(|e| failed(&e))?;
        match response.json::<Answer>().await.map_err(|e| failed(&e))? {
            Answer::Failed(message) => Err(KvError::new(format!("durable object: {message}"))),
            answer => Ok(answer),
        }
    }
}

fn unexpected(answer: &Answer) -> KvError {
    KvError::new(format!("durable object: unexpected answer {answer:?}"))
}

impl Kv for DurableKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        match self
            .call(&Op::Get {
                key: key.to_owned(),
            })
            .await?
        {
            Answer::Value(value) => Ok(value),
            other => Err(unexpected(&other)),
        }
    }

    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        // Checked here too, so a bad TTL fails before the round trip.
        txn.check()?;
        match self.call(&Op::Commit { txn: txn.clone() }).await? {
            Answer::Applied(applied) => Ok(applied),
            other => Err(unexpected(&other)),
        }
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let op = Op::List {
            prefix: prefix.to_owned(),
            cursor: cursor.map(str::to_owned),
            limit: limit.clamp(1, MAX_LIST),
        };
        match self.call(&op).await? {
            Answer::Page { keys, more } => Ok(page(keys, more)),
            other => Err(unexpected(&other)),
        }
    }
}

fn sql_error(e: impl std::fmt::Display) -> KvError {
    KvError::new(format!("sqlite: {e}"))
}

#[derive(Deserialize)]
struct ValueRow {
    value: String,
}

#[derive(Deserialize)]
struct KeyRow {
    key: String,
}

fn now_ms() -> i64 {
    worker::js_sys::Date::now() as i64
}

/// The object's table inside one synchronous turn, for [`apply`].
struct SqlTarget<'a> {
    sql: &'a SqlStorage,
    now: i64,
}

impl SqlTarget<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let rows: Vec<ValueRow> = self
            .sql
            .exec(
                "SELECT value FROM kv WHERE key = ? AND (expires_ms IS NULL OR expires_ms > ?)",
                vec![key.into(), SqlStorageValue::Integer(self.now)],
            )
            .and_then(|cursor| cursor.to_array())
            .map_err(sql_error)?;
        Ok(rows.into_iter().next().map(|row| row.value))
    }

    fn list(&self, prefix: &str, cursor: Option<&str>, limit: usize) -> Result<Answer, KvError> {
        // Byte order (SQLite's BINARY collation compares UTF-8 bytes), as every store lists.
        let after = cursor.unwrap_or("");
        let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let chars = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        let rows: Vec<KeyRow> = self
            .sql
            .exec(
                "SELECT key FROM kv WHERE key >= ? AND substr(key, 1, ?) = ? AND key > ? \
                 AND (expires_ms IS NULL OR expires_ms > ?) ORDER BY key LIMIT ?",
                vec![
                    prefix.into(),
                    SqlStorageValue::Integer(chars),
                    prefix.into(),
                    after.into(),
                    SqlStorageValue::Integer(self.now),
                    SqlStorageValue::Integer(fetch),
                ],
            )
            .and_then(|cursor| cursor.to_array())
            .map_err(sql_error)?;
        let more = rows.len() > limit;
        let keys = rows.into_iter().take(limit).map(|row| row.key).collect();
        Ok(Answer::Page { keys, more })
    }
}

impl TxnTarget for SqlTarget<'_> {
    fn current(&mut self, key: &str) -> Result<Option<String>, KvError> {
        self.get(key)
    }

    fn write(&mut self, write: &Write) -> Result<(), KvError> {
        match write {
            Write::Put {
                key,
                value,
                ttl_secs,
            } => {
                let expires = expires_at_ms(self.now, *ttl_secs)
                    .map_or(SqlStorageValue::Null, SqlStorageValue::Integer);
                self.sql
                    .exec(
                        "INSERT INTO kv (key, value, expires_ms) VALUES (?, ?, ?) \
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value, \
                         expires_ms = excluded.expires_ms",
                        vec![key.as_str().into(), value.as_str().into(), expires],
                    )
                    .map_err(sql_error)?;
            }
            Write::Delete { key } => {
                self.sql
                    .exec("DELETE FROM kv WHERE key = ?", vec![key.as_str().into()])
                    .map_err(sql_error)?;
            }
        }
        Ok(())
    }
}

/// Creates the table if it is not there yet (the object runs it when it starts).
pub(super) fn create_schema(sql: &SqlStorage) {
    for statement in [
        "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, \
         expires_ms INTEGER)",
        "CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_ms)",
    ] {
        if let Err(error) = sql.exec(statement, None::<Vec<SqlStorageValue>>) {
            worker::console_error!("edge: store schema: {error}");
        }
    }
}

/// One [`Op`] on the table.
pub(super) fn run(sql: &SqlStorage, op: &Op) -> Result<Answer, KvError> {
    match op {
        Op::Get { key } => get(sql, key).map(Answer::Value),
        Op::List {
            prefix,
            cursor,
            limit,
        } => {
            let target = SqlTarget { sql, now: now_ms() };
            target.list(prefix, cursor.as_deref(), (*limit).clamp(1, MAX_LIST))
        }
        Op::Commit { txn } => commit(sql, txn).map(Answer::Applied),
    }
}

fn get(sql: &SqlStorage, key: &str) -> Result<Option<String>, KvError> {
    SqlTarget { sql, now: now_ms() }.get(key)
}

/// [`Kv::commit`] in one synchronous turn: no `await` from the first read to the last
/// write. Expired rows go at each applied commit.
fn commit(sql: &SqlStorage, txn: &Txn) -> Result<bool, KvError> {
    let mut target = SqlTarget { sql, now: now_ms() };
    let applied = apply(&mut target, txn)?;
    if applied {
        sql.exec(
            "DELETE FROM kv WHERE expires_ms IS NOT NULL AND expires_ms <= ?",
            vec![SqlStorageValue::Integer(target.now)],
        )
        .map_err(sql_error)?;
    }
    Ok(applied)
}

fn page(keys: Vec<String>, more: bool) -> ListPage {
    let cursor = if more { keys.last().cloned() } else { None };
    ListPage { keys, cursor }
}

/// [`Kv`] inside the object: each call is [`run`] on its own table, with no round trip.
#[derive(Clone)]
pub struct LocalKv {
    sql: SqlStorage,
}

impl std::fmt::Debug for LocalKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKv").finish_non_exhaustive()
    }
}

impl LocalKv {
    pub(super) fn new(sql: SqlStorage) -> Self {
        Self { sql }
    }
}

impl Kv for LocalKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        get(&self.sql, key)
    }

    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        commit(&self.sql, txn)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let target = SqlTarget {
            sql: &self.sql,
            now: now_ms(),
        };
        match target.list(prefix, cursor, limit.clamp(1, MAX_LIST))? {
            Answer::Page { keys, more } => Ok(page(keys, more)),
            other => Err(unexpected(&other)),
        }
    }
}
