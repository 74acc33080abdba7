//! Which store object holds a record, and which object answers a request.
//!
//! On Workers the records are split between Durable Objects, so that each address has
//! exactly one writer and argon2 runs in parallel across addresses:
//!
//! | object | holds |
//! |---|---|
//! | one per address ([`Shard::Address`]) | the account, its registrations, plan, sessions, tokens, and the counters keyed on the address |
//! | one per client network ([`Shard::Network`]) | the per-network POST counters (`ip:<route>:<net>`) |
//! | one shared ([`Shard::Shared`]) | what spans addresses: the trial index the daily job walks, and in development the outbox and the clock offset |
//!
//! A request is answered by the object `placement::route` names for it: the address a form names
//! (register, sign in, forgot, resend), or the object named in the secret it carries
//! (a link's token, the session cookie: [`tagged`] puts the address's object name in front
//! of every secret the core hands out). The flows read and write that object's records
//! through `host.kv()`, and reach another object's with [`Kv::at`](crate::kv::Kv::at):
//! the limiter for network counters, the trial index, an email change's new address.
//!
//! The native host keeps every object's records in one redb file (`at` is the store
//! itself). The core's tests run each request on the object `placement::route` names, and fail when a
//! flow touches a record of another object without `at` (`edge/tests/common`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hex digits of an address's object name (64 bits of SHA-256: a name, not a secret).
const NAME_LEN: usize = 16;

/// A store object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Shard {
    /// The object of an address: its name ([`name_of`]), not the address.
    Address(String),
    /// The object of a client network (`limiter::network`): its name.
    Network(String),
    Shared,
}

/// The object name of an address's records (`forms::email_key` form).
pub fn name_of(email_key: &str) -> String {
    digest("address", email_key)
}

fn digest(kind: &str, text: &str) -> String {
    let digest = Sha256::digest(format!("gatehouse/{kind}\0{text}").as_bytes());
    digest
        .iter()
        .take(NAME_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Shard {
    /// The object holding `email_key`'s records.
    pub fn of_address(email_key: &str) -> Shard {
        Shard::Address(name_of(email_key))
    }

    /// The object holding the counters of client network `network`.
    pub fn of_network(network: &str) -> Shard {
        Shard::Network(digest("network", network))
    }

    /// The name the host gives the object (a Durable Object's name): `a-…`, `n-…`, `shared`.
    pub fn object_name(&self) -> String {
        match self {
            Shard::Address(name) => format!("a-{name}"),
            Shard::Network(name) => format!("n-{name}"),
            Shard::Shared => "shared".to_owned(),
        }
    }
}

/// A secret to hand out for `email_key`'s records: `<object name>.<secret>`, so that the
/// request bringing it back reaches the object holding its record without a lookup.
pub fn tagged(email_key: &str, secret: &str) -> String {
    format!("{}.{secret}", name_of(email_key))
}

/// The object a [`tagged`] secret names, if it has that shape.
pub fn of_tagged(secret: &str) -> Option<Shard> {
    let (name, _) = secret.split_once('.')?;
    (name.len() == NAME_LEN && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| Shard::Address(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_names_its_object() {
        let token = tagged("ada@example.com", &"A".repeat(43));
        assert_eq!(
            of_tagged(&token),
            Some(Shard::of_address("ada@example.com"))
        );
        // A secret without a name, or with a name that is not one, names none.
        assert_eq!(of_tagged(&"A".repeat(43)), None);
        assert_eq!(
            of_tagged(&format!("ADA0000000000000.{}", "A".repeat(43))),
            None
        );
    }

    #[test]
    fn objects_have_distinct_names() {
        let names = [
            Shard::of_address("ada@example.com").object_name(),
            Shard::of_network("192.0.2.7").object_name(),
            Shard::Shared.object_name(),
        ];
        assert!(names[0].starts_with("a-") && names[0].len() == 2 + NAME_LEN);
        assert!(names[1].starts_with("n-"));
        assert_eq!(names[2], "shared");
    }
}
