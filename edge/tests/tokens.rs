//! Token lifetimes and single use, directly and through the routes.

mod common;

use common::*;
use edge::clock::{DAY, HOUR};
use edge::tokens::{self, TokenKind};

#[test]
fn tokens_are_random_hashed_and_single_use() {
    let clock = edge::ManualClock::at_secs(START);
    let kv = edge::MemoryKv::with_clock(clock.clone());
    let rng = edge::SeededRng::new(9);
    let token = block_on(tokens::issue(
        &kv,
        &rng,
        TokenKind::Reset,
        "a@b.test",
        None,
        START,
    ))
    .expect("issue");
    assert_eq!(token.len(), 43);
    assert!(tokens::well_formed(&token));
    let keys: Vec<String> = kv.snapshot().into_keys().collect();
    assert_eq!(
        keys,
        vec![format!("reset:{}", tokens::sha256_hex(token.as_bytes()))]
    );
    assert!(
        !kv.snapshot().values().any(|v| v.contains(&token)),
        "only the hash is stored"
    );
    assert_eq!(kv.expiry_ms(&keys[0]), Some((START + HOUR) * 1000));

    assert!(
        block_on(tokens::peek(&kv, TokenKind::Reset, &token, START))
            .expect("peek")
            .is_some()
    );
    assert!(
        block_on(tokens::peek(&kv, TokenKind::Verify, &token, START))
            .expect("peek")
            .is_none(),
        "kinds do not mix"
    );
    let used = block_on(tokens::consume(&kv, TokenKind::Reset, &token, START)).expect("consume");
    assert_eq!(used.map(|r| r.email), Some("a@b.test".to_owned()));
    assert!(
        block_on(tokens::consume(&kv, TokenKind::Reset, &token, START))
            .expect("consume")
            .is_none()
    );
    assert!(kv.snapshot().is_empty());
}

#[test]
fn the_stored_expiry_decides_not_only_the_ttl() {
    // No clock on the Kv: its TTL never fires, so only the record's own expiry can refuse.
    let kv = edge::MemoryKv::new();
    let rng = edge::SeededRng::new(3);
    let token = block_on(tokens::issue(
        &kv,
        &rng,
        TokenKind::Verify,
        "a@b.test",
        None,
        START,
    ))
    .expect("issue");
    let late = START + 24 * HOUR;
    assert!(
        block_on(tokens::peek(&kv, TokenKind::Verify, &token, late - 1))
            .expect("peek")
            .is_some()
    );
    assert!(
        block_on(tokens::peek(&kv, TokenKind::Verify, &token, late))
            .expect("peek")
            .is_none()
    );
    assert!(
        block_on(tokens::consume(&kv, TokenKind::Verify, &token, late))
            .expect("consume")
            .is_none()
    );
    assert!(
        kv.snapshot().is_empty(),
        "an expired token is deleted when tried"
    );
}

#[test]
fn verification_link_expires_after_24_hours() {
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    let token = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    h.advance(DAY);
    let expired = h.get(&format!("/api/verify?token={token}"));
    assert_eq!(expired.status(), 400);
    assert!(text(&expired).contains("expired or was already used"));
    // A fresh link works.
    h.post("/api/verify/resend", "email=ada%40example.com");
    let fresh = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    assert_ne!(fresh, token);
    assert_eq!(
        location(&h.get(&format!("/api/verify?token={fresh}"))),
        Some("/sign-in/?verified=1")
    );
}

#[test]
fn reset_link_expires_after_an_hour() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    h.post("/api/forgot-password", "email=ada%40example.com");
    let token = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    h.advance(HOUR - 1);
    assert_eq!(
        h.get(&format!("/reset-password/?token={token}")).status(),
        200
    );
    h.advance(1);
    assert_eq!(
        h.get(&format!("/reset-password/?token={token}")).status(),
        400
    );
    let late = h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", "Brand-new-pass2")]),
    );
    assert_eq!(late.status(), 400);
    assert_eq!(
        h.sign_in("ada@example.com", "Brand-new-pass2").status(),
        422
    );
}

#[test]
fn sessions_expire_after_14_days() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let cookie = h.session("ada@example.com", PASSWORD);
    h.advance(14 * DAY - 1);
    assert_eq!(h.account_json(&cookie).0, 200);
    h.advance(1);
    assert_eq!(h.account_json(&cookie).0, 401);
}
