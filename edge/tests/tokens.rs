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
        tokens::Binding::Registrations(&[]),
        START,
    ))
    .expect("issue");
    // 256 random bits behind the name of the object holding the address's records.
    let (name, secret) = token.split_once('.').expect("object name, then secret");
    assert_eq!(name, edge::shard::name_of("a@b.test"));
    assert_eq!(secret.len(), 43);
    assert!(tokens::well_formed(&token));
    let keys: Vec<String> = kv.snapshot().into_keys().collect();
    let hashed = format!("reset:{}", tokens::sha256_hex(token.as_bytes()));
    // The token, and its listing under the address (found again by delete and email change).
    assert_eq!(
        keys,
        vec![hashed.clone(), format!("token-of:a@b.test:{hashed}")]
    );
    assert!(
        !kv.snapshot().values().any(|v| v.contains(&token)),
        "only the hash is stored"
    );
    assert_eq!(kv.expiry_ms(&keys[0]), Some((START + HOUR) * 1000));
    assert_eq!(kv.expiry_ms(&keys[1]), Some((START + HOUR) * 1000));

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
        tokens::Binding::Registrations(&[]),
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
    let expired = h.get(&format!("/register/confirm/?token={token}"));
    assert_eq!(expired.status(), 400);
    assert!(text(&expired).contains("expired or was already used"));
    assert_eq!(h.confirm(&token, PASSWORD).status(), 400);
    // A fresh link works (the registration itself lasts 7 days).
    h.post("/api/verify/resend", "email=ada%40example.com");
    let fresh = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    assert_ne!(fresh, token);
    assert_eq!(
        h.get(&format!("/register/confirm/?token={fresh}")).status(),
        200
    );
    assert_eq!(location(&h.confirm(&fresh, PASSWORD)), Some("/account/"));
}

#[test]
fn pending_registrations_expire_after_7_days() {
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    // Within the 7 days, a resent link confirms.
    h.advance(7 * DAY - 2 * HOUR);
    h.post("/api/verify/resend", "email=ada%40example.com");
    let within = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    assert_eq!(
        h.get(&format!("/register/confirm/?token={within}"))
            .status(),
        200
    );
    // After them, the same (unexpired) link finds no registration to confirm.
    h.advance(2 * HOUR);
    let late = h.confirm(&within, PASSWORD);
    assert_eq!(late.status(), 400, "{}", text(&late));
    assert!(text(&late).contains("expired or was already used"));
    assert!(header(&late, "set-cookie").is_none());
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 422);
    // And a resend mails nothing.
    let before = h.mail.sent_to("ada@example.com").len();
    h.post("/api/verify/resend", "email=ada%40example.com");
    assert_eq!(h.mail.sent_to("ada@example.com").len(), before);
}

#[test]
fn pending_registrations_are_kept_7_days_by_the_kv_too() {
    // The records carry the expiry checked on read; the Kv's TTL removes them after it.
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    let keys = |prefix: &str| {
        block_on(edge::kv::list_all(&h.kv, prefix))
            .expect("list")
            .len()
    };
    assert_eq!(keys("registration:"), 1);
    assert_eq!(keys("account:"), 1);
    h.advance(7 * DAY);
    assert_eq!(keys("registration:"), 0);
    assert_eq!(keys("account:"), 0, "an unverified account expires with it");
}

#[test]
fn a_completed_reset_refuses_every_earlier_reset_link() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    h.post("/api/forgot-password", "email=ada%40example.com");
    let first = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    h.post("/api/forgot-password", "email=ada%40example.com");
    let second = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    assert_ne!(first, second);
    for token in [&first, &second] {
        assert_eq!(
            h.get(&format!("/reset-password/?token={token}")).status(),
            200
        );
    }
    let used = h.post(
        "/api/reset-password",
        &form(&[("token", &second), ("password", "Brand-new-pass2")]),
    );
    assert_eq!(location(&used), Some("/sign-in/?reset=1"));
    // The other link was issued before the reset: refused, page and form alike.
    let page = h.get(&format!("/reset-password/?token={first}"));
    assert_eq!(page.status(), 400);
    assert!(text(&page).contains("expired or was already used"));
    let stale = h.post(
        "/api/reset-password",
        &form(&[("token", &first), ("password", "Attacker-pass3")]),
    );
    assert_eq!(stale.status(), 400);
    assert_eq!(h.sign_in("ada@example.com", "Attacker-pass3").status(), 422);
    assert_eq!(
        h.sign_in("ada@example.com", "Brand-new-pass2").status(),
        303
    );
    // The used link's record is gone.
    assert_eq!(
        block_on(edge::kv::list_all(&h.kv, "reset:"))
            .expect("list")
            .len(),
        1,
        "only the refused link's record is left (until its TTL)"
    );
}

#[test]
fn a_reset_link_issued_before_the_address_was_confirmed_is_refused() {
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    // Reset links go to unverified accounts too.
    h.post("/api/forgot-password", "email=ada%40example.com");
    let reset = token_in(
        &h.last_mail_to("ada@example.com").text,
        "reset-password/?token=",
    );
    let verify = token_in(
        &h.mail.sent_to("ada@example.com")[0].text,
        "/api/verify?token=",
    );
    assert_eq!(location(&h.confirm(&verify, PASSWORD)), Some("/account/"));
    let stale = h.post(
        "/api/reset-password",
        &form(&[("token", &reset), ("password", "Brand-new-pass2")]),
    );
    assert_eq!(stale.status(), 400);
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
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
