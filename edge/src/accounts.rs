//! The account record (`account:<lower-case email>` → JSON) and the pending registrations
//! (`registration:<id>` → JSON, 7 days).
//!
//! Each registration of an address that is not verified yet is kept in its own record with
//! its own password hash, and its verification links name it: a link confirms only with the
//! password of a registration it names, so a stranger registering the owner's address can
//! never make the owner's link sign in with the stranger's password. The account record of
//! an unverified address mirrors the newest registration (for the sign-in's "verify first"
//! message and the reset flow) and lists the registrations still pending; it expires with
//! them. Confirming writes the account verified, without a TTL, from the registration the
//! password matched; `register` never changes a verified account.
//!
//! Every change to an account is a [`kv::update`] of its record ([`edit`]): it applies only
//! to the record it was decided on, so a write decided on an older copy (a profile save
//! racing a reset) is decided again on the new one and can never put back an old password
//! hash or `session_epoch`. The fields that must only move forward do: `session_epoch` only
//! grows while the account exists, and [`Account::generation`] tells this account from any
//! earlier one of the same address.
//!
//! The account holds identity and credentials only. The plan and trial live in their own record
//! (`plan:<email>`, see `trial`), so the flows that change the plan never write this one:
//! with no compare-and-swap in KV, a plan change made from a stale copy must not be able to
//! put back an old password hash or `session_epoch` after a reset.

use serde::{Deserialize, Serialize};

use crate::clock::DAY;
use crate::error::EdgeError;
use crate::kv::{self, Change, Kv, Txn};
use crate::shard::Shard;

pub const ACCOUNT_PREFIX: &str = "account:";
pub const REGISTRATION_PREFIX: &str = "registration:";
/// How long a registration can be confirmed (checked on read; the Kv TTL cleans up).
pub const REGISTRATION_LIFETIME_SECS: i64 = 7 * DAY;
/// The pending registrations an unverified account lists (newest kept): what a resent link
/// may confirm, so also how many password checks a confirmation may cost.
pub const MAX_PENDING: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// As typed at registration (trimmed); mail goes here.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub verified: bool,
    pub created_at: i64,
    /// When the address was verified (confirm or reset); absent on accounts verified before
    /// it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<i64>,
    /// A random id for the registration currently awaiting verification. Re-registering an
    /// unverified address replaces it, so only links for the latest registration verify:
    /// whoever controls the mailbox confirms exactly the details they last submitted.
    pub registration: String,
    /// Sessions carry the epoch they were issued in; bumping it revokes them all at once.
    /// Reset links carry it too (a reset or a confirmation moves it on).
    pub session_epoch: u64,
    /// Unverified accounts: the ids of the registrations still pending, oldest first (at
    /// most [`MAX_PENDING`]). Empty once verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
    /// Set on the copy an email change writes at the new address before it deletes the
    /// old address's records (another object on Workers, `shard.rs`): the old address's
    /// key. The copy is used only once the old address no longer holds this account
    /// ([`resolve`]); until then it counts as taken for a registration and for another
    /// email change, and as absent for everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arriving_from: Option<String>,
}

/// One registration of an address not verified yet: `registration:<id>`, 7 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The random id its verification links name.
    pub id: String,
    /// As typed (trimmed).
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    /// argon2id PHC string of the password given in this registration.
    pub password_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Registration {
    pub fn key_email(&self) -> String {
        crate::forms::email_key(&self.email)
    }

    pub fn write(&self) -> Result<Txn, EdgeError> {
        let value = serde_json::to_string(self).map_err(EdgeError::Encode)?;
        Ok(Txn::new().put(
            registration_key(&self.id),
            value,
            Some(REGISTRATION_LIFETIME_SECS as u64),
        ))
    }
}

pub fn registration_key(id: &str) -> String {
    format!("{REGISTRATION_PREFIX}{id}")
}

/// The registration `id` if it is still pending at `now` and belongs to `email_key`.
pub async fn load_registration(
    kv: &impl Kv,
    id: &str,
    email_key: &str,
    now: i64,
) -> Result<Option<Registration>, EdgeError> {
    let key = registration_key(id);
    let Some(value) = kv.get(&key).await? else {
        return Ok(None);
    };
    let registration: Registration =
        serde_json::from_str(&value).map_err(|source| EdgeError::Corrupt { key, source })?;
    Ok(
        (now < registration.expires_at && registration.key_email() == email_key)
            .then_some(registration),
    )
}

impl Account {
    /// The key form of the email.
    pub fn key_email(&self) -> String {
        crate::forms::email_key(&self.email)
    }

    /// Which account of this address this is: the id of the registration it was confirmed
    /// from (random, never reused). Sessions and links carry it, so after a deletion and a
    /// new registration of the address nothing issued to the old account works, whatever
    /// its epoch.
    pub fn generation(&self) -> &str {
        &self.registration
    }

    /// The writes that store the account: a verified one for good, an unverified one for
    /// as long as its newest registration can be confirmed.
    pub fn write(&self) -> Result<Txn, EdgeError> {
        let value = serde_json::to_string(self).map_err(EdgeError::Encode)?;
        let ttl = (!self.verified).then_some(REGISTRATION_LIFETIME_SECS as u64);
        Ok(Txn::new().put(account_key(&self.key_email()), value, ttl))
    }
}

/// What [`edit`]'s closure decides for the account it was shown.
pub enum Edit<T> {
    /// Change nothing.
    Keep(T),
    /// Store this account (under its own address), with `also` in the same commit.
    Save {
        account: Box<Account>,
        also: Txn,
        out: T,
    },
    /// Commit `txn` only (it may delete the account).
    Commit(Txn, T),
}

/// The account stored as `value` at `key` (as [`kv::update_many`] shows it).
pub fn parse(key: &str, value: Option<&str>) -> Result<Option<Account>, EdgeError> {
    kv::decode(key, value)
}

/// Read-modify-write of the account at `email_key`: `decide` sees the account as stored
/// now (and again if it changed before the commit).
pub async fn edit<T>(
    kv: &impl Kv,
    email_key: &str,
    mut decide: impl FnMut(Option<Account>) -> Result<Edit<T>, EdgeError>,
) -> Result<T, EdgeError> {
    let key = account_key(email_key);
    kv::update(kv, &key, |current| {
        Ok(match decide(parse(&key, current)?)? {
            Edit::Keep(out) => Change::Keep(out),
            Edit::Save { account, also, out } => Change::Commit(account.write()?.and(also), out),
            Edit::Commit(txn, out) => Change::Commit(txn, out),
        })
    })
    .await
}

pub fn account_key(email_key: &str) -> String {
    format!("{ACCOUNT_PREFIX}{email_key}")
}

/// The account at an address, as the flows see it ([`resolve`]): `None` for no account and
/// for one still arriving by an email change.
pub async fn load(kv: &impl Kv, email_key: &str) -> Result<Option<Account>, EdgeError> {
    Ok(match resolve(kv, email_key).await? {
        Found::Live(account) => Some(*account),
        Found::Absent | Found::Arriving => None,
    })
}

/// What [`resolve`] found at an address.
#[derive(Debug)]
pub enum Found {
    Absent,
    /// An email change's copy whose old address still holds the account: the change has
    /// not happened (it is under way, or failed before its commit).
    Arriving,
    Live(Box<Account>),
}

/// The account at an address. An email change's copy ([`Account::arriving_from`]) becomes
/// the account once the old address no longer holds an account of its generation (the
/// change's commit deleted it there): it is then written without the mark, and used.
pub async fn resolve(kv: &impl Kv, email_key: &str) -> Result<Found, EdgeError> {
    let key = account_key(email_key);
    let value = kv.get(&key).await?;
    let Some(account) = parse(&key, value.as_deref())? else {
        return Ok(Found::Absent);
    };
    let Some(from) = account.arriving_from.clone() else {
        return Ok(Found::Live(Box::new(account)));
    };
    let old = load_raw(&kv.at(&Shard::of_address(&from)), &from).await?;
    if old.is_some_and(|old| old.generation() == account.generation()) {
        return Ok(Found::Arriving);
    }
    let mut arrived = account;
    arrived.arriving_from = None;
    let txn = Txn::new().expect(key, value).and(arrived.write()?);
    // Whoever resolves it first writes it; the others find it written.
    kv.commit(&txn).await?;
    Ok(Found::Live(Box::new(arrived)))
}

/// The stored record, mark and all.
async fn load_raw(kv: &impl Kv, email_key: &str) -> Result<Option<Account>, EdgeError> {
    let key = account_key(email_key);
    parse(&key, kv.get(&key).await?.as_deref())
}
