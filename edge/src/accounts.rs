//! The account record: `account:<lower-case email>` → JSON, no TTL.
//!
//! It holds identity and credentials only. The plan and trial live in their own record
//! (`plan:<email>`, see `trial`), so the flows that change the plan never write this one:
//! with no compare-and-swap in KV, a plan change made from a stale copy must not be able to
//! put back an old password hash or `session_epoch` after a reset.

use serde::{Deserialize, Serialize};

use crate::error::EdgeError;
use crate::kv::Kv;

pub const ACCOUNT_PREFIX: &str = "account:";

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
    /// A random id for the registration currently awaiting verification. Re-registering an
    /// unverified address replaces it, so only links for the latest registration verify:
    /// whoever controls the mailbox confirms exactly the details they last submitted.
    pub registration: String,
    /// Sessions carry the epoch they were issued in; bumping it revokes them all at once.
    pub session_epoch: u64,
}

impl Account {
    /// The key form of the email.
    pub fn key_email(&self) -> String {
        self.email.to_lowercase()
    }
}

pub fn account_key(email_key: &str) -> String {
    format!("{ACCOUNT_PREFIX}{email_key}")
}

pub async fn load(kv: &impl Kv, email_key: &str) -> Result<Option<Account>, EdgeError> {
    let key = account_key(email_key);
    let Some(value) = kv.get(&key).await? else {
        return Ok(None);
    };
    serde_json::from_str(&value)
        .map(Some)
        .map_err(|source| EdgeError::Corrupt { key, source })
}

pub async fn save(kv: &impl Kv, account: &Account) -> Result<(), EdgeError> {
    let value = serde_json::to_string(account).map_err(EdgeError::Encode)?;
    kv.put(&account_key(&account.key_email()), &value, None)
        .await?;
    Ok(())
}
