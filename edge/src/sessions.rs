//! Sessions: `session:<sha256(id)>` → `{email, account, epoch, created_at, expires_at}`,
//! 14 days. The id (256 random bits) lives only in the `__Host-session` cookie.
//!
//! A session is live while the account at its address is verified, is the same account
//! ([`Account::generation`]) and is still in the epoch the session was issued in. Ending
//! sessions is moving the epoch on, in the account's own atomic update; deleting the
//! listed records afterwards is clean-up, so a session created a moment before and missed
//! by the listing is dead all the same.
//!
//! Each session is also listed under its account, `session-of:<email>:<sha256(id)>` (empty,
//! same lifetime), so the account's sessions can be counted (export), ended (sign out
//! everywhere, delete) and moved to a new address (email change) without scanning them all.

use std::future::Future;

use futures_util::future::join;
use http::HeaderMap;
use http::header::COOKIE;
use serde::{Deserialize, Serialize};

use http::header::SET_COOKIE;

use crate::accounts::{self, Account};
use crate::clock::DAY;
use crate::error::EdgeError;
use crate::kv::{Kv, Txn};
use crate::reader;
use crate::response::{self, Resp};
use crate::rng::Rng;
use crate::tokens::{new_secret, sha256_hex, well_formed};

pub const SESSION_COOKIE: &str = "__Host-session";
pub const SESSION_LIFETIME_SECS: i64 = 14 * DAY;
pub const SESSION_PREFIX: &str = "session:";
pub const SESSION_INDEX_PREFIX: &str = "session-of:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub email: String,
    /// The account's [`Account::generation`]; sessions from before it was recorded have
    /// none and are not accepted.
    #[serde(default)]
    pub account: String,
    pub epoch: u64,
    pub created_at: i64,
    pub expires_at: i64,
}

fn key(id: &str) -> String {
    format!("{SESSION_PREFIX}{}", sha256_hex(id.as_bytes()))
}

/// Stores a new session of `account` and returns its id (the cookie value).
pub async fn create(
    kv: &impl Kv,
    rng: &impl Rng,
    account: &Account,
    now: i64,
) -> Result<String, EdgeError> {
    let email_key = account.key_email();
    let id = crate::shard::tagged(&email_key, &new_secret(rng)?);
    let record = SessionRecord {
        email: email_key.clone(),
        account: account.generation().to_owned(),
        epoch: account.session_epoch,
        created_at: now,
        expires_at: now + SESSION_LIFETIME_SECS,
    };
    let value = serde_json::to_string(&record).map_err(EdgeError::Encode)?;
    let session_key = key(&id);
    let ttl = Some(SESSION_LIFETIME_SECS.unsigned_abs());
    let txn = Txn::new()
        .put(index_key(&email_key, &session_key), "", ttl)
        .put(session_key, value, ttl);
    kv.commit(&txn).await?;
    Ok(id)
}

/// `session-of:<email>:<hash>` for the session stored at `session_key`.
fn index_key(email_key: &str, session_key: &str) -> String {
    let hash = session_key
        .strip_prefix(SESSION_PREFIX)
        .unwrap_or(session_key);
    format!("{SESSION_INDEX_PREFIX}{email_key}:{hash}")
}

/// The `(index key, session key)` of every session listed under the account.
pub async fn listed(kv: &impl Kv, email_key: &str) -> Result<Vec<(String, String)>, EdgeError> {
    let prefix = format!("{SESSION_INDEX_PREFIX}{email_key}:");
    let keys = crate::kv::list_all(kv, &prefix).await?;
    Ok(keys
        .into_iter()
        .map(|index| {
            let hash = index.strip_prefix(&prefix).unwrap_or_default().to_owned();
            (index, format!("{SESSION_PREFIX}{hash}"))
        })
        .collect())
}

/// The deletes of every session listed under the account, and of their listings.
pub async fn delete_all(kv: &impl Kv, email_key: &str) -> Result<Txn, EdgeError> {
    let mut txn = Txn::new();
    for (index, session) in listed(kv, email_key).await? {
        txn = txn.delete(session).delete(index);
    }
    Ok(txn)
}

async fn read(kv: &impl Kv, session_key: &str) -> Result<Option<SessionRecord>, EdgeError> {
    crate::kv::decode(session_key, kv.get(session_key).await?.as_deref())
}

/// How many sessions of the account are live now: unexpired, of this account and its
/// current epoch.
pub async fn count_live(kv: &impl Kv, account: &Account, now: i64) -> Result<usize, EdgeError> {
    let mut live = 0;
    for (_, session) in listed(kv, &account.key_email()).await? {
        if read(kv, &session).await?.is_some_and(|r| {
            r.epoch == account.session_epoch
                && r.account == account.generation()
                && now < r.expires_at
        }) {
            live += 1;
        }
    }
    Ok(live)
}

/// The writes that move every live session of `old` to `new` (an email change): each keeps
/// its id, epoch and expiry, so whoever is signed in stays signed in. Dead ones are deleted.
pub async fn move_all(kv: &impl Kv, old: &str, new: &str, now: i64) -> Result<Txn, EdgeError> {
    let mut txn = Txn::new();
    for (index, session) in listed(kv, old).await? {
        txn = txn.delete(index);
        let Some(mut record) = read(kv, &session).await? else {
            continue;
        };
        let left = record.expires_at - now;
        if left < crate::kv::MIN_TTL_SECS as i64 {
            txn = txn.delete(session);
            continue;
        }
        record.email = new.to_owned();
        let value = serde_json::to_string(&record).map_err(EdgeError::Encode)?;
        let ttl = Some(left.unsigned_abs());
        txn = txn
            .put(index_key(new, &session), "", ttl)
            .put(session, value, ttl);
    }
    Ok(txn)
}

pub async fn delete(kv: &impl Kv, id: &str) -> Result<(), EdgeError> {
    if well_formed(id) {
        kv.delete(&key(id)).await?;
    }
    Ok(())
}

/// The session cookie's value, if the request has a well-formed one.
pub fn cookie_value(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).filter(|value| well_formed(value))
}

/// The value of the request's cookie `wanted`, if it has one.
pub fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}

pub fn set_cookie(id: &str) -> String {
    format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={SESSION_LIFETIME_SECS}"
    )
}

pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

/// Signs the answer's browser in with session `id`: its cookie, and the hint the page
/// script reads ([`reader::HINT_COOKIE`]).
pub(crate) fn sign_in_cookies(response: &mut Resp, id: &str) -> Result<(), EdgeError> {
    response::append(response, SET_COOKIE, &set_cookie(id))?;
    response::append(
        response,
        SET_COOKIE,
        &reader::hint_cookie(Some(reader::HINT_SIGNED_IN), SESSION_LIFETIME_SECS),
    )
}

/// Signs the answer's browser out: both cookies cleared.
pub(crate) fn sign_out_cookies(response: &mut Resp) -> Result<(), EdgeError> {
    response::append(response, SET_COOKIE, &clear_cookie())?;
    response::append(response, SET_COOKIE, &reader::hint_cookie(None, 0))
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: String,
    pub account: Account,
}

/// The signed-in account for this request: the session must exist, be unexpired on the core's
/// clock, and carry the account's current `session_epoch` (a reset bumps it).
pub async fn current(
    kv: &impl Kv,
    headers: &HeaderMap,
    now: i64,
) -> Result<Option<SignedIn>, EdgeError> {
    let signed_in = current_with(kv, headers, now, |_| async { Ok(()) }).await?;
    Ok(signed_in.map(|(signed_in, ())| signed_in))
}

/// [`current`], plus another record of the same account read by `also` (given the account's
/// email key). `also` runs concurrently with the account read: each KV read is a round trip
/// (on Workers, most of a request's time), so an account page waits for two, not three.
pub async fn current_with<T, F, Fut>(
    kv: &impl Kv,
    headers: &HeaderMap,
    now: i64,
    also: F,
) -> Result<Option<(SignedIn, T)>, EdgeError>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<T, EdgeError>>,
{
    let Some(id) = cookie_value(headers) else {
        return Ok(None);
    };
    let session_key = key(&id);
    let Some(value) = kv.get(&session_key).await? else {
        return Ok(None);
    };
    let record: SessionRecord =
        serde_json::from_str(&value).map_err(|source| EdgeError::Corrupt {
            key: session_key,
            source,
        })?;
    if now >= record.expires_at {
        return Ok(None);
    }
    let (account, other) = join(
        accounts::load(kv, &record.email),
        also(record.email.clone()),
    )
    .await;
    let Some(account) = account? else {
        return Ok(None);
    };
    if account.session_epoch != record.epoch
        || account.generation() != record.account
        || !account.verified
    {
        return Ok(None);
    }
    Ok(Some((
        SignedIn {
            session_id: id,
            account,
        },
        other?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn reads_the_session_cookie() {
        let id = crate::shard::tagged("ada@example.com", &"A".repeat(43));
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark"));
        let line = format!("x=1; {SESSION_COOKIE}={id}");
        if let Ok(value) = HeaderValue::from_str(&line) {
            headers.append(COOKIE, value);
        }
        assert_eq!(cookie_value(&headers), Some(id));

        let mut bad = HeaderMap::new();
        bad.append(COOKIE, HeaderValue::from_static("__Host-session=short"));
        assert_eq!(cookie_value(&bad), None);
    }

    #[test]
    fn cookie_attributes() {
        let cookie = set_cookie("abc");
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=1209600",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
        assert!(clear_cookie().contains("Max-Age=0"));
    }
}
