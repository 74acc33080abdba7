//! The password rule and argon2id hashing.
//!
//! The rule (the seed's, made precise; the same as `/js/forms.js`, both driven by
//! `edge/tests/password_vectors.json`):
//! - `length`: at least 8 characters, counted as Unicode scalar values (JS: `[...pw].length`);
//! - `classes`: at least two of: a lowercase letter (Unicode `Lowercase`), an uppercase
//!   letter (`Uppercase`), a special character — anything that is neither `Alphabetic` nor a
//!   number (`\p{N}`), so spaces and punctuation count and digits do not;
//! - `max-length`: at most 256 characters (hashing cost and a sanity bound);
//! - `not-email`: not the email's local part, and, when that part has 3 or more characters,
//!   not containing it; compared in lower case. A 1–2 character local part would otherwise
//!   forbid half the alphabet.
//!
//! The flows hash through [`hash`], [`verify`] and [`burn`], which run argon2 where the host
//! says ([`Host::run_hashing`]: inline on Workers, on other threads in `gatehouse serve`).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use serde::{Deserialize, Serialize};

use crate::Host;
use crate::error::EdgeError;
use crate::rng::{Rng, random_bytes};

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;
/// Shortest local part that a password may not contain (see the module docs).
pub const MIN_LOCAL_PART_CONTAINED: usize = 3;

/// One clause of the rule; the names are the ones in the vectors file and the page's
/// `[data-rule]` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordRule {
    Length,
    Classes,
    MaxLength,
    NotEmail,
}

impl PasswordRule {
    pub fn name(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Classes => "classes",
            Self::MaxLength => "max-length",
            Self::NotEmail => "not-email",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Length => "Use at least 8 characters.",
            Self::Classes => {
                "Use at least two of: a lowercase letter, an uppercase letter, a special character."
            }
            Self::MaxLength => "Use at most 256 characters.",
            Self::NotEmail => "Do not use your email address in your password.",
        }
    }
}

/// The clauses `password` breaks, in the order `length`, `classes`, `max-length`,
/// `not-email`. Empty means acceptable.
pub fn check_password(password: &str, email: &str) -> Vec<PasswordRule> {
    let mut failed = Vec::new();
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        failed.push(PasswordRule::Length);
    }
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let special = password
        .chars()
        .any(|c| !c.is_alphabetic() && !c.is_numeric());
    if [lower, upper, special].iter().filter(|&&b| b).count() < 2 {
        failed.push(PasswordRule::Classes);
    }
    if chars > MAX_CHARS {
        failed.push(PasswordRule::MaxLength);
    }
    if uses_email(password, email) {
        failed.push(PasswordRule::NotEmail);
    }
    failed
}

fn uses_email(password: &str, email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let Some((local, _)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() {
        return false;
    }
    let password = password.to_lowercase();
    password == local
        || (local.chars().count() >= MIN_LOCAL_PART_CONTAINED && password.contains(local))
}

/// The one message shown next to the password field for these failed clauses.
pub fn rule_message(failed: &[PasswordRule]) -> String {
    failed
        .iter()
        .map(|rule| rule.message())
        .collect::<Vec<_>>()
        .join(" ")
}

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

fn hasher() -> Result<Argon2<'static>, EdgeError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN))
        .map_err(|e| EdgeError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a 16-byte salt from `rng`.
pub fn hash_password(password: &str, rng: &impl Rng) -> Result<String, EdgeError> {
    let salt: [u8; 16] = random_bytes(rng)?;
    hash_with_salt(password, &salt)
}

/// [`hash_password`] with the salt drawn already: the part that may run on another thread.
pub fn hash_with_salt(password: &str, salt: &[u8; 16]) -> Result<String, EdgeError> {
    let hash = hasher()?
        .hash_password_with_salt(password.as_bytes(), salt)
        .map_err(|e| EdgeError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// [`hash_password`], run where the host runs hashing ([`Host::run_hashing`]); the salt
/// comes from the host's `Rng`.
pub async fn hash(host: &impl Host, password: &str) -> Result<String, EdgeError> {
    let salt: [u8; 16] = random_bytes(host.rng())?;
    let password = password.to_owned();
    host.run_hashing(move || hash_with_salt(&password, &salt))
        .await?
}

/// [`verify_password`], run where the host runs hashing ([`Host::run_hashing`]).
pub async fn verify(
    host: &impl Host,
    password: &str,
    phc: &str,
) -> Result<Verification, EdgeError> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    host.run_hashing(move || verify_password(&password, &phc))
        .await?
}

/// [`burn_verification`], run where the host runs hashing ([`Host::run_hashing`]).
pub async fn burn(host: &impl Host, password: &str) -> Result<(), EdgeError> {
    verify(host, password, DUMMY_HASH).await.map(|_| ())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    Wrong,
    /// Right; `rehash` when the stored hash was made with other parameters.
    Right {
        rehash: bool,
    },
}

pub fn verify_password(password: &str, phc: &str) -> Result<Verification, EdgeError> {
    let hash = PasswordHash::new(phc).map_err(|e| EdgeError::Hash(e.to_string()))?;
    match hasher()?.verify_password(password.as_bytes(), &hash) {
        Ok(()) => Ok(Verification::Right {
            rehash: !has_current_params(&hash),
        }),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(Verification::Wrong),
        Err(e) => Err(EdgeError::Hash(e.to_string())),
    }
}

fn has_current_params(hash: &PasswordHash) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm.as_str() == "argon2id"
        && hash.version == Some(u32::from(Version::V0x13))
        && params.m_cost() == M_COST_KIB
        && params.t_cost() == T_COST
        && params.p_cost() == P_COST
        && params.output_len() == Some(OUTPUT_LEN)
}

/// A hash of a random password nobody knows, with the current parameters. Verifying against
/// it costs what a real verification costs, so an unknown email takes as long as a known one.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$sk1B462yIKoVHAsBz2t4KA$RBXz9DsFq+oXr/XRNJgxI7mAgjCpqWArBOKI+8VTpAY";

/// Spends one verification's worth of time and always fails.
pub fn burn_verification(password: &str) -> Result<(), EdgeError> {
    verify_password(password, DUMMY_HASH).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;

    #[test]
    fn hashes_and_verifies_with_current_params() -> Result<(), EdgeError> {
        let rng = SeededRng::new(1);
        let phc = hash_password("Correct horse!", &rng)?;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            verify_password("Correct horse!", &phc)?,
            Verification::Right { rehash: false }
        );
        assert_eq!(
            verify_password("correct horse!", &phc)?,
            Verification::Wrong
        );
        Ok(())
    }

    #[test]
    fn asks_for_rehash_when_params_differ() -> Result<(), EdgeError> {
        let params =
            Params::new(8192, 1, 1, Some(32)).map_err(|e| EdgeError::Hash(e.to_string()))?;
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_with_salt(b"Old-params1", &[7u8; 16])
            .map_err(|e| EdgeError::Hash(e.to_string()))?
            .to_string();
        assert_eq!(
            verify_password("Old-params1", &old)?,
            Verification::Right { rehash: true }
        );
        assert_eq!(verify_password("Old-params2", &old)?, Verification::Wrong);
        Ok(())
    }

    #[test]
    fn dummy_hash_has_current_params() -> Result<(), EdgeError> {
        let hash = PasswordHash::new(DUMMY_HASH).map_err(|e| EdgeError::Hash(e.to_string()))?;
        assert!(has_current_params(&hash));
        assert_eq!(
            verify_password("anything", DUMMY_HASH)?,
            Verification::Wrong
        );
        Ok(())
    }

    #[test]
    fn corrupt_hash_is_an_error_not_a_match() {
        assert!(verify_password("x", "not a phc string").is_err());
    }
}
