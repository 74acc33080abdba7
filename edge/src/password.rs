//! The password rule and argon2id hashing.
//!
//! Passwords are NFC-normalised ([`normalize`]) before the rule looks at them and before
//! they are hashed or verified, so the same password typed in another normalisation form
//! (a decomposed `é` from one keyboard, a precomposed one from another) is the same
//! password.
//!
//! The rule (the seed's, made precise, plus NIST SP 800-63B's blocklist; the same as
//! `/js/password-rule.js`, both driven by `edge/tests/password_vectors.json`), applied to
//! the NFC form:
//! - `length`: at least 8 characters, counted as Unicode scalar values (JS: `[...pw].length`);
//! - `classes`: at least two of: a lowercase letter (Unicode `Lowercase`), an uppercase
//!   letter (`Uppercase`), a special character — anything that is neither `Alphabetic` nor a
//!   number (`\p{N}`), so spaces and punctuation count and digits do not;
//! - `max-length`: at most 256 characters (hashing cost and a sanity bound);
//! - `not-email`: not the email's local part, and, when that part has 3 or more characters,
//!   not containing it; compared in lower case. A 1–2 character local part would otherwise
//!   forbid half the alphabet.
//! - `not-common`: not one of the most common passwords ([`is_common`]: compared in lower
//!   case). Checked only when every other clause passes: the list holds only the entries
//!   that some capitalisation would let through the clauses above, so checking it earlier
//!   would answer differently for the entries left out.
//!
//! The flows hash through [`hash`], [`verify`] and [`burn`], which run argon2 where the host
//! says ([`Host::run_hashing`]: inline on Workers, on other threads in `gatehouse serve`).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};

use crate::error::EdgeError;
use crate::host::Host;
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
    NotCommon,
}

impl PasswordRule {
    pub fn name(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Classes => "classes",
            Self::MaxLength => "max-length",
            Self::NotEmail => "not-email",
            Self::NotCommon => "not-common",
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
            Self::NotCommon => "This password is too common.",
        }
    }
}

/// The clauses `password` breaks, in the order `length`, `classes`, `max-length`,
/// `not-email`, `not-common`. Empty means acceptable.
pub fn check_password(password: &str, email: &str) -> Vec<PasswordRule> {
    let password = normalize(password);
    let mut failed = other_clauses(&password, email);
    if failed.is_empty() && is_common(&password) {
        failed.push(PasswordRule::NotCommon);
    }
    failed
}

/// Every clause but `not-common`, for an NFC `password`.
fn other_clauses(password: &str, email: &str) -> Vec<PasswordRule> {
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

/// The NFC form of `password` (borrowed when it is already NFC, as almost every input is).
pub fn normalize(password: &str) -> Cow<'_, str> {
    // ASCII is NFC; the rest is short, so no quick-check tables for it.
    if password.is_ascii() {
        return Cow::Borrowed(password);
    }
    let normalized = nfc(password);
    if normalized == password {
        Cow::Borrowed(password)
    } else {
        Cow::Owned(normalized)
    }
}

/// NFC (UAX #15) built from `unicode-normalization`'s canonical pieces: the same answer as
/// its `.nfc()` (tested on every scalar value and on random combining sequences), but
/// `.nfc()` decomposes through code that also links the compatibility and CJK tables,
/// about 29 KiB gzip more in the Worker for nothing.
fn nfc(text: &str) -> String {
    // Full canonical decomposition, each character with its combining class.
    let mut chars: Vec<(char, u8)> = Vec::with_capacity(text.len());
    for c in text.chars() {
        decompose_canonical(c, |d| chars.push((d, canonical_combining_class(d))));
    }
    // Canonical order: each run of non-starters sorted by class, stably.
    let mut start = 0;
    while start < chars.len() {
        if chars[start].1 == 0 {
            start += 1;
            continue;
        }
        let end = chars[start..]
            .iter()
            .position(|&(_, class)| class == 0)
            .map_or(chars.len(), |n| start + n);
        chars[start..end].sort_by_key(|&(_, class)| class);
        start = end;
    }
    // Canonical composition: a character joins the last starter unless something between
    // them blocks it (a class as high as its own; in canonical order, the last one kept).
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut starter: Option<usize> = None;
    let mut last_class = 0;
    for (c, class) in chars {
        if let Some(at) = starter
            && (at + 1 == out.len() || (last_class != 0 && last_class < class))
            && let Some(composed) = compose(out[at], c)
        {
            out[at] = composed;
            continue;
        }
        if class == 0 {
            starter = Some(out.len());
        }
        last_class = class;
        out.push(c);
    }
    out.into_iter().collect()
}

/// The blocklist: the passwords used more than 10 times in Mark Burnett's 10 million
/// password corpus (as ranked by `@zxcvbn-ts/language-common`, MIT) that some
/// capitalisation would let through the other clauses; NFC, lower case, sorted, one a line.
/// The page's script fetches the same file; `scripts/common-passwords.mjs` writes it.
pub const COMMON_PASSWORDS: &str =
    include_str!("../../themes/default/static/js/common-passwords.txt");

/// Whether `password`, NFC-normalised and in lower case, is on [`COMMON_PASSWORDS`].
/// A scan of the list (about 15,000 short lines, 140 kB): far below one argon2 run, and
/// no table to build at start-up.
pub fn is_common(password: &str) -> bool {
    let key = normalize(password).to_lowercase();
    COMMON_PASSWORDS.lines().any(|entry| entry == key)
}

fn uses_email(password: &str, email: &str) -> bool {
    let email = normalize(email).trim().to_lowercase();
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

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of the NFC form of `password`, with a
/// 16-byte salt from `rng`.
pub fn hash_password(password: &str, rng: &impl Rng) -> Result<String, EdgeError> {
    let password = normalize(password);
    let salt: [u8; 16] = random_bytes(rng)?;
    hash_with_salt(&password, &salt)
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
    let password = normalize(password).into_owned();
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

/// Checks the NFC form of `password` against `phc`. A hash made before passwords were
/// normalised holds the form that was typed: when `password` is not NFC and its NFC form
/// is wrong, the form as typed is tried too, and a match asks for a rehash (to the NFC
/// form). The second try depends only on the input, so [`burn_verification`] makes it too.
pub fn verify_password(password: &str, phc: &str) -> Result<Verification, EdgeError> {
    let hash = PasswordHash::new(phc).map_err(|e| EdgeError::Hash(e.to_string()))?;
    let nfc = normalize(password);
    let verification = verify_form(&nfc, &hash)?;
    if verification != Verification::Wrong || nfc == password {
        return Ok(verification);
    }
    Ok(match verify_form(password, &hash)? {
        Verification::Right { .. } => Verification::Right { rehash: true },
        Verification::Wrong => Verification::Wrong,
    })
}

fn verify_form(password: &str, hash: &PasswordHash) -> Result<Verification, EdgeError> {
    match hasher()?.verify_password(password.as_bytes(), hash) {
        Ok(()) => Ok(Verification::Right {
            rehash: !has_current_params(hash),
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

    /// "Café!Noir" with a precomposed and with a decomposed "é".
    const COMPOSED: &str = "Caf\u{e9}!Noir";
    const DECOMPOSED: &str = "Cafe\u{301}!Noir";

    #[test]
    fn the_same_password_in_another_normalisation_form_verifies() -> Result<(), EdgeError> {
        let rng = SeededRng::new(2);
        for (hashed, typed) in [
            (COMPOSED, DECOMPOSED),
            (DECOMPOSED, COMPOSED),
            (DECOMPOSED, DECOMPOSED),
        ] {
            let phc = hash_password(hashed, &rng)?;
            assert_eq!(
                verify_password(typed, &phc)?,
                Verification::Right { rehash: false },
                "hashed {hashed:?}, typed {typed:?}"
            );
        }
        let phc = hash_password(COMPOSED, &rng)?;
        assert_eq!(verify_password("Cafe!Noir", &phc)?, Verification::Wrong);
        Ok(())
    }

    #[test]
    fn a_hash_of_the_form_as_typed_still_verifies_and_asks_for_a_rehash() -> Result<(), EdgeError> {
        // Made the way hash_password did before passwords were normalised.
        let legacy = hasher()?
            .hash_password_with_salt(DECOMPOSED.as_bytes(), &[5u8; 16])
            .map_err(|e| EdgeError::Hash(e.to_string()))?
            .to_string();
        assert_eq!(
            verify_password(DECOMPOSED, &legacy)?,
            Verification::Right { rehash: true }
        );
        // The NFC form was never hashed there, and nothing else matches.
        assert_eq!(verify_password(COMPOSED, &legacy)?, Verification::Wrong);
        assert_eq!(
            verify_password("Cafe\u{301}!Noix", &legacy)?,
            Verification::Wrong
        );
        Ok(())
    }

    #[test]
    fn nfc_is_the_crates_nfc_for_every_scalar_value() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(
                nfc(&text),
                text.nfc().collect::<String>(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn nfc_is_the_crates_nfc_for_combining_sequences() {
        use unicode_normalization::UnicodeNormalization;
        // Characters that take part in normalisation: non-starters, everything with a
        // canonical decomposition and its pieces, Hangul jamo and syllables, and a few
        // plain letters and marks.
        let mut pool: Vec<char> = "aAeEoOuUiI\u{301}\u{300}\u{308}\u{323}\u{31b}"
            .chars()
            .collect();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut pieces = Vec::new();
            decompose_canonical(c, |d| pieces.push(d));
            if canonical_combining_class(c) != 0 || pieces != [c] {
                pool.push(c);
                pool.extend(pieces);
            }
        }
        pool.extend(['\u{1100}', '\u{1161}', '\u{11a8}', '\u{ac00}', '\u{ac01}']);
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap_or(0)
        };
        for _ in 0..100_000 {
            let len = 1 + next(6);
            let text: String = (0..len).map(|_| pool[next(pool.len())]).collect();
            assert_eq!(nfc(&text), text.nfc().collect::<String>(), "{text:?}");
        }
    }

    #[test]
    fn normalize_composes_and_borrows_what_is_already_nfc() {
        assert_eq!(normalize(DECOMPOSED), COMPOSED);
        assert!(matches!(normalize(COMPOSED), Cow::Borrowed(_)));
        // U+212B ANGSTROM SIGN is a singleton: its NFC form is U+00C5.
        assert_eq!(normalize("\u{212b}"), "\u{c5}");
    }

    #[test]
    fn the_rule_reads_the_nfc_form() {
        // Seven characters once composed, eight as typed.
        assert_eq!(check_password("Cafe\u{301}!No", ""), [PasswordRule::Length]);
        assert_eq!(check_password("Cafe\u{301}!Noi", ""), []);
        // The local part is compared in NFC too.
        assert_eq!(
            check_password("Xx-Cafe\u{301}!", "caf\u{e9}!@example.com"),
            [PasswordRule::NotEmail]
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case_and_form() {
        for password in [
            "Password",
            "PASSword",
            "pASSWORD",
            "P@ssw0rd",
            "Trustno1",
            "iloveyou!",
        ] {
            assert!(is_common(password), "{password}");
            assert_eq!(
                check_password(password, "ada@example.com"),
                [PasswordRule::NotCommon],
                "{password}"
            );
        }
        assert!(!is_common("Correct horse!"));
        assert_eq!(check_password("Correct horse!", "ada@example.com"), []);
        // NFC before the comparison: "Ｐ" (fullwidth) is another letter, not a form of "P".
        assert!(!is_common("\u{ff30}assword"));
    }

    #[test]
    fn common_is_checked_only_when_the_rest_of_the_rule_passes() {
        // On the list, but refused for its classes already: the list would not be asked
        // about "12345678" (left out of the file) either, so neither is reported.
        assert!(is_common("password"));
        assert_eq!(check_password("password", ""), [PasswordRule::Classes]);
        assert_eq!(
            check_password("Password", "password@example.com"),
            [PasswordRule::NotEmail]
        );
        assert_eq!(
            PasswordRule::NotCommon.message(),
            "This password is too common."
        );
    }

    #[test]
    fn the_list_is_long_normalised_sorted_and_unique() {
        let entries: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(entries.len() >= 10_000, "{} entries", entries.len());
        assert!(COMMON_PASSWORDS.ends_with('\n'));
        for pair in entries.windows(2) {
            assert!(pair[0] < pair[1], "not sorted or repeated: {pair:?}");
        }
        for entry in entries {
            assert_eq!(normalize(entry).to_lowercase(), entry, "not normalised");
            assert!(!entry.contains('\r'), "{entry:?}");
            // Only entries that some capitalisation lets through the other clauses: the
            // first cased letter upper-cased is such a capitalisation when there is one.
            let mut capitalised = String::new();
            let mut done = false;
            for c in entry.chars() {
                if !done && c.to_uppercase().ne([c]) {
                    capitalised.extend(c.to_uppercase());
                    done = true;
                } else {
                    capitalised.push(c);
                }
            }
            assert_eq!(
                other_clauses(&capitalised, ""),
                [],
                "{entry:?} cannot pass the rest of the rule"
            );
        }
    }

    #[test]
    fn corrupt_hash_is_an_error_not_a_match() {
        assert!(
            matches!(
                verify_password("x", "not a phc string"),
                Err(EdgeError::Hash(_))
            ),
            "a hash that does not parse is a hash error"
        );
    }
}
