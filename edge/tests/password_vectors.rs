//! The password rule, driven by the vectors the page's script is tested with too; and the
//! rule's blocklist and NFC normalisation seen through the flows.

mod common;

use common::*;
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
        PasswordRule::NotCommon,
    ] {
        assert!(
            vectors.iter().any(|v| v.failed_rules == [rule]),
            "no vector fails only {}",
            rule.name()
        );
    }
    assert!(vectors.iter().filter(|v| v.ok).count() >= 5);
}

#[test]
fn vectors_refuse_common_passwords_in_mixed_case() {
    let vectors = vectors();
    let common: Vec<&str> = vectors
        .iter()
        .filter(|v| v.failed_rules == [PasswordRule::NotCommon])
        .map(|v| v.password.as_str())
        .collect();
    let lowered: std::collections::HashSet<String> =
        common.iter().map(|p| p.to_lowercase()).collect();
    assert!(
        common.len() >= lowered.len() + 2,
        "want one common password in several cases: {common:?}"
    );
}

#[test]
fn register_refuses_a_common_password_with_its_own_message() {
    let h = Harness::new();
    for password in ["Password1", "pASSWORD1", "P@ssw0rd"] {
        let response = h.register("ada@example.com", password);
        assert_eq!(response.status(), 422, "{password}");
        let page = text(&response);
        assert!(page.contains("This password is too common."), "{page}");
    }
    assert!(h.mail.sent_to("ada@example.com").is_empty());
    // Not on the list: accepted.
    assert_eq!(h.register("ada@example.com", "Password1!").status(), 303);
}

#[test]
fn a_password_signs_in_whatever_its_normalisation_form() {
    let h = Harness::new();
    // "Café-Noir1": registered with a decomposed "é", typed later with a precomposed one.
    h.signup("ada@example.com", "Cafe\u{301}-Noir1");
    assert_eq!(
        location(&h.sign_in("ada@example.com", "Caf\u{e9}-Noir1")),
        Some("/account/")
    );
    assert_eq!(
        location(&h.sign_in("ada@example.com", "Cafe\u{301}-Noir1")),
        Some("/account/")
    );
    assert_eq!(h.sign_in("ada@example.com", "Cafe-Noir1").status(), 422);
}
