//! The password rule, driven by the vectors the page's script is tested with too.

use edge::password::{PasswordRule, check_password};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    password: String,
    email: String,
    ok: bool,
    failed_rules: Vec<PasswordRule>,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/password_vectors.json");
    let text = std::fs::read_to_string(path).expect("vectors file is readable");
    serde_json::from_str(&text).expect("vectors file is valid")
}

#[test]
fn server_rule_matches_every_vector() {
    let vectors = vectors();
    assert!(vectors.len() >= 30, "the vectors file lost entries");
    for v in &vectors {
        assert_eq!(
            v.ok,
            v.failed_rules.is_empty(),
            "vector {:?} contradicts itself",
            v.password
        );
        assert_eq!(
            check_password(&v.password, &v.email),
            v.failed_rules,
            "password {:?} with email {:?}",
            v.password,
            v.email
        );
    }
}

#[test]
fn vectors_cover_every_rule_passing_and_failing() {
    let vectors = vectors();
    for rule in [
        PasswordRule::Length,
        PasswordRule::Classes,
        PasswordRule::MaxLength,
        PasswordRule::NotEmail,
    ] {
        assert!(
            vectors.iter().any(|v| v.failed_rules == [rule]),
            "no vector fails only {}",
            rule.name()
        );
    }
    assert!(vectors.iter().filter(|v| v.ok).count() >= 5);
}
