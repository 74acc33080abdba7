//! Single-use email tokens (verification, password reset, email change).
//!
//! A token is 256 random bits, URL-safe base64 without padding. Only its SHA-256 is stored
//! (`verify:<hex>` / `reset:<hex>`), so a leaked store does not hand out working links.
//! The record carries its own expiry because the Kv's TTL runs on real time and is only a
//! clean-up: the core's clock decides.
//!
//! Reset and email-change tokens are also listed under their address,
//! `token-of:<email>:<token key>` (empty, same lifetime), so deleting an account or changing
//! its address finds them. A reset decoy is listed under the empty address, so it costs the
//! same writes as a real link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounts::Account;
use crate::clock::{DAY, HOUR};
use crate::error::EdgeError;
use crate::kv::{Kv, MIN_TTL_SECS, Txn};
use crate::rng::{Rng, random_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Verify,
    Reset,
    /// A change of the account's address: the link goes to the new address.
    EmailChange,
}

pub const TOKEN_INDEX_PREFIX: &str = "token-of:";

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Verify => "verify:",
            Self::Reset => "reset:",
            Self::EmailChange => "email-change:",
        }
    }

    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::Verify => 24 * HOUR,
            Self::Reset => HOUR,
            Self::EmailChange => 24 * HOUR,
        }
    }

    /// Whether tokens of this kind are listed under their address (`token-of:`). Reset
    /// and email-change links belong to a verified account, which deleting or moving must
    /// find; verification links are issued before there is one (and register's decoys must
    /// cost what a registration does), and die with the registrations they name.
    pub fn listed(self) -> bool {
        !matches!(self, Self::Verify)
    }

    fn key(self, token: &str) -> String {
        format!("{}{}", self.prefix(), sha256_hex(token.as_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The account's key (lower-case email).
    pub email: String,
    /// For verification links: the pending registrations (`accounts::Registration` ids)
    /// this link may confirm, newest first. The password typed on the confirm form must be
    /// one of theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registrations: Vec<String>,
    /// For reset and email-change links: the account's `session_epoch` when the link was
    /// issued. A reset, a confirmed registration, a password change or signing out
    /// everywhere moves the epoch on, and the link stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// For email-change links: the new address, as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<String>,
    /// For reset and email-change links: the account's
    /// [`generation`](crate::accounts::Account::generation) when the link was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub expires_at: i64,
}

/// What a token is bound to besides its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding<'a> {
    /// A verification link: the registrations it may confirm, newest first.
    Registrations(&'a [String]),
    /// A reset link: the account as it is now.
    Account(&'a Account),
    /// An email-change link: the account as it is now, and the new address.
    NewEmail(&'a Account, &'a str),
}

impl TokenRecord {
    /// Whether a reset or email-change link still belongs to `account` as it is: the same
    /// account of the address, in the same epoch.
    pub fn binds(&self, account: &Account) -> bool {
        self.epoch == Some(account.session_epoch)
            && self.account.as_deref() == Some(account.generation())
    }
}

pub fn sha256_hex(input: &[u8]) -> String {
    Sha256::digest(input)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 32 random bytes as URL-safe base64 (43 characters).
pub fn new_secret(rng: &impl Rng) -> Result<String, EdgeError> {
    let bytes: [u8; 32] = random_bytes(rng)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape the core hands out, [`new_secret`] behind its object's
/// name (`shard::tagged`); anything else is unknown without a store lookup.
pub fn well_formed(token: &str) -> bool {
    let Some((_, secret)) = token.split_once('.') else {
        return false;
    };
    crate::shard::of_tagged(token).is_some()
        && secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Stores a new token for `email` and returns the secret to put in the link.
pub async fn issue(
    kv: &impl Kv,
    rng: &impl Rng,
    kind: TokenKind,
    email: &str,
    binding: Binding<'_>,
    now: i64,
) -> Result<String, EdgeError> {
    let token = crate::shard::tagged(email, &new_secret(rng)?);
    let mut record = TokenRecord {
        email: email.to_owned(),
        registrations: Vec::new(),
        epoch: None,
        new_email: None,
        account: None,
        expires_at: now + kind.lifetime_secs(),
    };
    match binding {
        Binding::Registrations(ids) => record.registrations = ids.to_vec(),
        Binding::Account(account) => {
            record.epoch = Some(account.session_epoch);
            record.account = Some(account.generation().to_owned());
        }
        Binding::NewEmail(account, to) => {
            record.epoch = Some(account.session_epoch);
            record.account = Some(account.generation().to_owned());
            record.new_email = Some(to.to_owned());
        }
    }
    let value = serde_json::to_string(&record).map_err(EdgeError::Encode)?;
    let ttl = Some(
        u64::try_from(kind.lifetime_secs())
            .unwrap_or(DAY as u64)
            .max(MIN_TTL_SECS),
    );
    let key = kind.key(&token);
    let mut txn = Txn::new();
    if kind.listed() {
        txn = txn.put(index_key(email, &key), "", ttl);
    }
    kv.commit(&txn.put(key, value, ttl)).await?;
    Ok(token)
}

/// `token-of:<email>:<token key>`.
fn index_key(email_key: &str, token_key: &str) -> String {
    format!("{TOKEN_INDEX_PREFIX}{email_key}:{token_key}")
}

/// The deletes of every token listed under `email_key` of the given kinds (all kinds when
/// `kinds` is empty), and of their listings.
pub async fn delete_all(
    kv: &impl Kv,
    email_key: &str,
    kinds: &[TokenKind],
) -> Result<Txn, EdgeError> {
    let prefix = format!("{TOKEN_INDEX_PREFIX}{email_key}:");
    let mut txn = Txn::new();
    for index in crate::kv::list_all(kv, &prefix).await? {
        let token_key = index.strip_prefix(&prefix).unwrap_or_default();
        if kinds.is_empty() || kinds.iter().any(|k| token_key.starts_with(k.prefix())) {
            txn = txn.delete(token_key).delete(index.as_str());
        }
    }
    Ok(txn)
}

async fn read(kv: &impl Kv, key: &str) -> Result<Option<TokenRecord>, EdgeError> {
    parse(key, kv.get(key).await?.as_deref())
}

fn parse(key: &str, value: Option<&str>) -> Result<Option<TokenRecord>, EdgeError> {
    crate::kv::decode(key, value)
}

/// A token looked up for a change that uses it up: its store key (for
/// [`kv::update_many`](crate::kv::update_many)), or `None` for a malformed token.
pub fn store_key(kind: TokenKind, token: &str) -> Option<String> {
    well_formed(token).then(|| kind.key(token))
}

/// The token stored as `value` (as `kv::update_many` shows it), if still valid at `now`,
/// with the writes that use it up, to commit with the change it allows.
pub fn held(
    kind: TokenKind,
    key: &str,
    value: Option<&str>,
    now: i64,
) -> Result<Option<(TokenRecord, Txn)>, EdgeError> {
    let Some(record) = parse(key, value)? else {
        return Ok(None);
    };
    let mut use_up = Txn::new().delete(key);
    if kind.listed() {
        use_up = use_up.delete(index_key(&record.email, key));
    }
    Ok((now < record.expires_at).then_some((record, use_up)))
}

/// The token's record if it is still valid, without using it up (mail scanners open the
/// links, so opening one must change nothing).
pub async fn peek(
    kv: &impl Kv,
    kind: TokenKind,
    token: &str,
    now: i64,
) -> Result<Option<TokenRecord>, EdgeError> {
    if !well_formed(token) {
        return Ok(None);
    }
    Ok(read(kv, &kind.key(token))
        .await?
        .filter(|record| now < record.expires_at))
}

/// Uses the token up, atomically (of racing callers one gets the record): deleted whether
/// or not it was still valid.
pub async fn consume(
    kv: &impl Kv,
    kind: TokenKind,
    token: &str,
    now: i64,
) -> Result<Option<TokenRecord>, EdgeError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let key = kind.key(token);
    let taken = crate::kv::take_with(kv, &key, |value| {
        let email = parse(&key, Some(value)).ok().flatten().map(|r| r.email);
        match email {
            Some(email) if kind.listed() => Txn::new().delete(index_key(&email, &key)),
            _ => Txn::new(),
        }
    })
    .await?;
    Ok(parse(&key, taken.as_deref())?.filter(|record| now < record.expires_at))
}

/// Stores a record shaped like [`issue`]'s under a key whose secret nobody is given, and that
/// names no account: the same Kv work as issuing a link, for a request that sends none (an
/// unknown address), so the answer takes as long either way.
pub async fn issue_decoy(
    kv: &impl Kv,
    rng: &impl Rng,
    kind: TokenKind,
    now: i64,
) -> Result<(), EdgeError> {
    issue(kv, rng, kind, "", Binding::Registrations(&[]), now)
        .await
        .map(drop)
}
