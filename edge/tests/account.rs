//! Account self-service: profile, password, email change, sign out everywhere, export and
//! delete. Each route: success, every refusal, and the Kv before and after.

mod common;

use std::collections::BTreeMap;

use common::{Harness, PASSWORD, START, cookie_of, form, header, location, text, token_in};

const EMAIL: &str = "ada@example.test";
const NEW_PASSWORD: &str = "Another-horse2";

/// Every live key and value, without the rate-limit counters (which a refused request
/// never touches either, but which accepted ones do).
fn records(h: &Harness) -> BTreeMap<String, String> {
    h.kv.snapshot()
        .into_iter()
        .filter(|(key, _)| !key.starts_with("rl:"))
        .collect()
}

fn post_as(
    h: &Harness,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> http::Response<bytes::Bytes> {
    h.post_with(path, form(fields).as_bytes(), &[("cookie", cookie)])
}

fn signed_up() -> (Harness, String) {
    // The built-in account page: it has every form of the account page.
    let h = Harness::with(
        common::config(),
        edge::StaticPages::new().with("/register/", common::REGISTER_PAGE),
    );
    let cookie = h.signup(EMAIL, PASSWORD);
    (h, cookie)
}

const POSTS: [&str; 5] = [
    "/api/account/profile",
    "/api/account/password",
    "/api/account/email",
    "/api/account/sessions/revoke",
    "/api/account/delete",
];

#[test]
fn nothing_happens_without_a_session() {
    let (h, _cookie) = signed_up();
    let before = h.kv.snapshot();
    for path in POSTS {
        let fields = form(&[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("first_name", "Eve"),
            ("last_name", "X"),
            ("organization", "Y"),
            ("email", "eve@example.test"),
            ("confirm", EMAIL),
        ]);
        let plain = h.post(path, &fields);
        assert_eq!(plain.status(), 303, "{path}");
        assert_eq!(location(&plain), Some("/sign-in/"), "{path}");
        let json = h.post_with(path, fields.as_bytes(), &[("accept", "application/json")]);
        assert_eq!(json.status(), 401, "{path}");
        assert_eq!(text(&json), r#"{"error":"not signed in"}"#);
        // A cookie that names no session is no session.
        let forged = h.post_with(
            path,
            fields.as_bytes(),
            &[("cookie", &format!("__Host-session={}", "A".repeat(43)))],
        );
        assert_eq!(location(&forged), Some("/sign-in/"), "{path}");
    }
    let export = h.get_with("/api/account/export", &[("accept", "application/json")]);
    assert_eq!(export.status(), 401);
    assert_eq!(location(&h.get("/api/account/export")), Some("/sign-in/"));
    assert_eq!(
        h.kv.snapshot(),
        before,
        "nothing written, not even a counter"
    );
}

#[test]
fn the_post_checks_come_first() {
    let (h, cookie) = signed_up();
    let before = h.kv.snapshot();
    for path in POSTS {
        let body = form(&[("confirm", EMAIL), ("current_password", PASSWORD)]);
        let cross = h.post_with(
            path,
            body.as_bytes(),
            &[("cookie", &cookie), ("origin", "https://evil.example")],
        );
        assert_eq!(cross.status(), 403, "{path}");
        let untyped = h.post_with(
            path,
            body.as_bytes(),
            &[("cookie", &cookie), ("content-type", "text/plain")],
        );
        assert_eq!(untyped.status(), 400, "{path}");
        let repeated = h.post_with(path, b"confirm=a&confirm=b", &[("cookie", &cookie)]);
        assert_eq!(repeated.status(), 400, "{path}");
    }
    assert_eq!(h.kv.snapshot(), before);
}

#[test]
fn profile_changes_the_names_only() {
    let (h, cookie) = signed_up();
    let before = records(&h);
    let saved = post_as(
        &h,
        &cookie,
        "/api/account/profile",
        &[
            ("first_name", " Grace "),
            ("last_name", "Hopper"),
            ("organization", "Navy"),
        ],
    );
    assert_eq!(location(&saved), Some("/account/?saved=1"));
    let after = records(&h);
    let changed: Vec<&String> = after
        .keys()
        .filter(|key| before.get(*key) != after.get(*key))
        .collect();
    assert_eq!(changed, [&format!("account:{EMAIL}")]);
    let (_, json) = h.account_json(&cookie);
    assert_eq!(json["first_name"], "Grace");
    assert_eq!(json["last_name"], "Hopper");
    assert_eq!(json["organization"], "Navy");
    let page = h.get_with("/account/?saved=1", &[("cookie", &cookie)]);
    assert_eq!(page.status(), 200);

    // The registration's rules: present, not too long, no control characters.
    for (field, value) in [
        ("first_name", ""),
        ("last_name", &"x".repeat(101)),
        ("organization", "a\u{7}b"),
    ] {
        let mut fields = vec![
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("organization", "Engines"),
        ];
        for pair in &mut fields {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let before = h.kv.snapshot();
        let refused = post_as(&h, &cookie, "/api/account/profile", &fields);
        assert_eq!(refused.status(), 422, "{field}");
        assert!(text(&refused).contains("not saved"), "{field}");
        assert_eq!(
            h.kv.snapshot(),
            before,
            "{field}: nothing written, not counted"
        );
    }
}

#[test]
fn password_change_renews_this_session_and_ends_the_others() {
    let (h, cookie) = signed_up();
    let other = h.session(EMAIL, PASSWORD);
    // A reset link issued before the change must stop working.
    assert_eq!(
        h.post("/api/forgot-password", &form(&[("email", EMAIL)]))
            .status(),
        303
    );
    let reset = token_in(&h.last_mail_to(EMAIL).text, "/reset-password/?token=");
    let sent = h.mail.sent_to(EMAIL).len();

    let changed = post_as(
        &h,
        &cookie,
        "/api/account/password",
        &[("current_password", PASSWORD), ("password", NEW_PASSWORD)],
    );
    assert_eq!(
        location(&changed),
        Some("/account/?password=1"),
        "{}",
        text(&changed)
    );
    let renewed = common::cookie_of(&changed);
    assert_ne!(renewed, cookie);
    assert_eq!(
        h.account_json(&renewed).0,
        200,
        "this reader stays signed in"
    );
    assert_eq!(h.account_json(&cookie).0, 401, "the old id is gone");
    assert_eq!(h.account_json(&other).0, 401, "other sessions end");

    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 422);
    assert_eq!(location(&h.sign_in(EMAIL, NEW_PASSWORD)), Some("/account/"));
    let used = h.post(
        "/api/reset-password",
        &form(&[("token", &reset), ("password", "Third-horse3")]),
    );
    assert_eq!(used.status(), 400, "reset links from before are dead");

    let mail = h.mail.sent_to(EMAIL);
    assert_eq!(mail.len(), sent + 1);
    assert!(mail[sent].subject.contains("password was changed"));
    // Only one session record of the account is live, and its listing.
    let sessions = records(&h)
        .keys()
        .filter(|k| k.starts_with("session-of:"))
        .count();
    assert_eq!(sessions, 2, "the renewed session and the sign-in above");
}

#[test]
fn password_change_refusals() {
    let (h, cookie) = signed_up();
    let before = records(&h);
    let weak = post_as(
        &h,
        &cookie,
        "/api/account/password",
        &[("current_password", PASSWORD), ("password", "password")],
    );
    assert_eq!(weak.status(), 422);
    assert!(text(&weak).contains("not changed"));
    let empty = post_as(
        &h,
        &cookie,
        "/api/account/password",
        &[("current_password", ""), ("password", NEW_PASSWORD)],
    );
    assert_eq!(empty.status(), 422);
    let wrong = post_as(
        &h,
        &cookie,
        "/api/account/password",
        &[
            ("current_password", "Wrong-horse9"),
            ("password", NEW_PASSWORD),
        ],
    );
    assert_eq!(wrong.status(), 422);
    assert!(text(&wrong).contains("current password is incorrect"));
    assert_eq!(records(&h), before, "nothing changed");
    assert!(
        h.mail.sent_to(EMAIL).len() == 1,
        "only the verification mail"
    );
    assert_eq!(h.account_json(&cookie).0, 200, "still signed in");
}

#[test]
fn a_wrong_current_password_counts_as_a_failed_sign_in() {
    let (h, cookie) = signed_up();
    for _ in 0..5 {
        let wrong = post_as(
            &h,
            &cookie,
            "/api/account/delete",
            &[("current_password", "Wrong-horse9"), ("confirm", EMAIL)],
        );
        assert_eq!(wrong.status(), 422);
    }
    // The same gates as the sign-in form: that network is now refused there too.
    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 429);
    let limited = post_as(
        &h,
        &cookie,
        "/api/account/password",
        &[("current_password", PASSWORD), ("password", NEW_PASSWORD)],
    );
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    assert!(records(&h).contains_key(&format!("account:{EMAIL}")));
}

#[test]
fn sign_out_everywhere_ends_every_session() {
    let (h, cookie) = signed_up();
    let other = h.session(EMAIL, PASSWORD);
    let out = post_as(&h, &cookie, "/api/account/sessions/revoke", &[]);
    assert_eq!(location(&out), Some("/sign-in/?signed_out=1"));
    assert!(header(&out, "set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(h.account_json(&cookie).0, 401);
    assert_eq!(h.account_json(&other).0, 401);
    let left: Vec<String> = records(&h)
        .into_keys()
        .filter(|k| k.starts_with("session"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(location(&h.sign_in(EMAIL, PASSWORD)), Some("/account/"));
}

#[test]
fn export_is_an_attachment_without_secrets() {
    let (h, cookie) = signed_up();
    let _second = h.session(EMAIL, PASSWORD);
    let response = h.get_with("/api/account/export", &[("cookie", &cookie)]);
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-disposition").is_some_and(|v| v.starts_with("attachment")),);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let body = text(&response);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["profile"]["email"], EMAIL);
    assert_eq!(json["profile"]["first_name"], "Ada");
    assert_eq!(json["plan"]["plan"], "trial");
    assert_eq!(json["plan"]["trial_started_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["plan"]["trial_ends_at"], "2026-01-31T00:00:00Z");
    assert_eq!(json["created_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["verified_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["active_sessions"], 2);
    for secret in ["argon2", "password", "epoch", "session:", "token"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    let id = cookie.split('=').nth(1).unwrap_or_default();
    assert!(!body.contains(id));
    for (key, _) in records(&h) {
        if let Some(hash) = key.split(':').next_back().filter(|h| h.len() == 64) {
            assert!(!body.contains(hash), "{key}");
        }
    }
    let _ = START;
}

#[test]
fn delete_removes_every_record_and_the_address_registers_again() {
    let (h, cookie) = signed_up();
    let other = h.session(EMAIL, PASSWORD);
    // Another account, which must be untouched.
    let _bob = h.signup("bob@example.test", PASSWORD);
    // A reset link and an email change in flight: tokens of the account.
    h.post("/api/forgot-password", &form(&[("email", EMAIL)]));
    post_as(
        &h,
        &cookie,
        "/api/account/email",
        &[
            ("email", "ada2@example.test"),
            ("current_password", PASSWORD),
        ],
    );
    let before = records(&h);
    let bob_before: BTreeMap<String, String> = before
        .iter()
        .filter(|(k, v)| k.contains("bob@") || v.contains("bob@"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let ada_keys: Vec<&String> = before
        .iter()
        .filter(|(k, v)| !(k.contains("bob@") || v.contains("bob@")))
        .map(|(k, _)| k)
        .collect();
    for prefix in [
        "account:",
        "plan:",
        "trial-end:",
        "session:",
        "session-of:",
        "reset:",
        "email-change:",
        "token-of:",
    ] {
        assert!(
            ada_keys.iter().any(|k| k.starts_with(prefix)),
            "{prefix} in {ada_keys:?}"
        );
    }

    // Refusals first: the wrong address, the wrong password.
    let mistyped = post_as(
        &h,
        &cookie,
        "/api/account/delete",
        &[
            ("confirm", "ada@example.tes"),
            ("current_password", PASSWORD),
        ],
    );
    assert_eq!(mistyped.status(), 422);
    let wrong = post_as(
        &h,
        &cookie,
        "/api/account/delete",
        &[("confirm", EMAIL), ("current_password", "Wrong-horse9")],
    );
    assert_eq!(wrong.status(), 422);
    assert_eq!(records(&h), before);

    let sent = h.mail.sent_to(EMAIL).len();
    let deleted = post_as(
        &h,
        &cookie,
        "/api/account/delete",
        &[
            ("confirm", " ADA@example.test "),
            ("current_password", PASSWORD),
        ],
    );
    assert_eq!(
        location(&deleted),
        Some("/sign-in/?deleted=1"),
        "{}",
        text(&deleted)
    );
    assert!(header(&deleted, "set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    let after = records(&h);
    // Bob's records, and only Bob's, are left (and the counters, filtered out here:
    // `rl:` keys expire within their window).
    assert_eq!(after, bob_before, "left after delete: {:#?}", after);
    assert!(
        !after
            .iter()
            .any(|(k, v)| k.contains(EMAIL) || v.contains(EMAIL))
    );
    let goodbye = h.mail.sent_to(EMAIL);
    assert_eq!(goodbye.len(), sent + 1);
    assert!(goodbye[sent].subject.contains("deleted"));
    assert_eq!(h.account_json(&other).0, 401);
    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 422);

    // The address is free again.
    let again = h.signup(EMAIL, NEW_PASSWORD);
    let (status, json) = h.account_json(&again);
    assert_eq!(status, 200);
    assert_eq!(json["plan"], "trial");
}

/// The confirm link from the last mail to `to`.
fn change_link(h: &Harness, to: &str) -> String {
    token_in(&h.last_mail_to(to).text, "/confirm-email/?token=")
}

#[test]
fn email_change_moves_everything_at_confirmation_only() {
    let (h, cookie) = signed_up();
    let new = "Ada.New@example.test";
    let new_key = "ada.new@example.test";
    post_as(&h, &cookie, "/api/account/plan", &[("plan", "plus")]);
    let before = records(&h);
    let asked = post_as(
        &h,
        &cookie,
        "/api/account/email",
        &[("email", new), ("current_password", PASSWORD)],
    );
    assert_eq!(location(&asked), Some("/account/?email=1"));
    let token = change_link(&h, new);
    assert!(
        h.last_mail_to(EMAIL).text.contains(new),
        "the notice names it"
    );
    // Nothing of the account changed; only the link (and its listing) was written.
    let written: Vec<String> = records(&h)
        .into_keys()
        .filter(|k| !before.contains_key(k))
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().all(|k| k.starts_with("email-change:")
        || k.starts_with(&format!("token-of:{EMAIL}:email-change:"))));
    // The old address still signs in while the change is pending.
    assert_eq!(location(&h.sign_in(EMAIL, PASSWORD)), Some("/account/"));

    // Opening the link (a scanner) changes nothing.
    let snapshot = h.kv.snapshot();
    let page = h.get(&format!("/confirm-email/?token={token}"));
    assert_eq!(page.status(), 200);
    assert!(text(&page).contains(new));
    assert_eq!(h.kv.snapshot(), snapshot);
    // A wrong password keeps the link.
    let wrong = h.post(
        "/api/account/email/confirm",
        &form(&[("token", &token), ("password", "Wrong-horse9")]),
    );
    assert_eq!(wrong.status(), 422);

    let confirmed = h.post(
        "/api/account/email/confirm",
        &form(&[("token", &token), ("password", PASSWORD)]),
    );
    assert_eq!(location(&confirmed), Some("/account/?email_changed=1"));
    let after = records(&h);
    assert!(
        !after
            .iter()
            .any(|(k, v)| k.contains(EMAIL) || v.contains(EMAIL)),
        "{after:#?}"
    );
    for key in [
        format!("account:{new_key}"),
        format!("plan:{new_key}"),
        format!("trial-end:2026-01-31:{new_key}"),
    ] {
        assert!(after.contains_key(&key), "{key}");
    }
    // The old address's sessions ended with it; the browser that confirmed is signed in
    // at the new address.
    assert_eq!(h.account_json(&cookie).0, 401);
    let (status, json) = h.account_json(&cookie_of(&confirmed));
    assert_eq!(status, 200);
    assert_eq!(json["email"], new);
    assert_eq!(json["plan_after_trial"], "plus");
    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 422);
    assert_eq!(location(&h.sign_in(new_key, PASSWORD)), Some("/account/"));
    // Used once.
    let reused = h.post(
        "/api/account/email/confirm",
        &form(&[("token", &token), ("password", PASSWORD)]),
    );
    assert_eq!(reused.status(), 400);
}

/// An email change stopped between its commits (the two addresses are two objects on
/// Workers): before the old address lets go, nothing moved and the link still works;
/// after, the account is at the new address, whether or not the mark was cleared.
#[test]
fn an_email_change_stopped_half_way_moves_all_or_nothing() {
    let (h, cookie) = signed_up();
    let new = "ada.new@example.test";
    let (old_key, new_key) = (format!("account:{EMAIL}"), format!("account:{new}"));
    post_as(
        &h,
        &cookie,
        "/api/account/email",
        &[("email", new), ("current_password", PASSWORD)],
    );
    let token = change_link(&h, new);
    let confirm = || {
        h.post(
            "/api/account/email/confirm",
            &form(&[("token", &token), ("password", PASSWORD)]),
        )
    };

    // Stopped at the old address's commit: the copy at the new address is not used.
    h.store.fail_commit(move |txn| {
        let deleted = |w: &edge::Write| matches!(w, edge::Write::Delete { key } if *key == old_key);
        txn.writes.iter().any(deleted)
    });
    assert_eq!(confirm().status(), 500);
    assert!(h.kv.snapshot().contains_key(&format!("account:{new}")));
    assert_eq!(h.sign_in(new, PASSWORD).status(), 422);
    assert_eq!(
        h.account_json(&cookie).0,
        200,
        "still signed in at the old address"
    );
    assert_eq!(location(&h.sign_in(EMAIL, PASSWORD)), Some("/account/"));

    // Again, stopped after it (the mark not cleared): the move happened.
    h.store.fail_commit(move |txn| {
        let clears = |w: &edge::Write| {
            matches!(w, edge::Write::Put { key, value, .. }
                if *key == new_key && !value.contains("arriving_from"))
        };
        txn.writes.iter().any(clears)
    });
    assert_eq!(confirm().status(), 500);
    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 422);
    assert_eq!(h.account_json(&cookie).0, 401);
    let signed_in = h.sign_in(new, PASSWORD);
    assert_eq!(location(&signed_in), Some("/account/"));
    let (status, json) = h.account_json(&cookie_of(&signed_in));
    assert_eq!(status, 200);
    assert_eq!(json["email"], new);
    assert_eq!(json["plan"], "trial");
    // The first read cleared the mark. The trial is listed under the new address; the
    // old address's entry, left by the stopped request, goes at the job's next run.
    assert!(!records(&h)[&format!("account:{new}")].contains("arriving_from"));
    let listed = || -> Vec<String> {
        let keys = records(&h).into_keys();
        keys.filter(|k| k.starts_with("trial-end:")).collect()
    };
    assert_eq!(listed().len(), 2);
    h.advance(28 * 86_400);
    let report = common::block_on(h.edge.run_scheduled()).expect("job");
    assert_eq!((report.checked, report.reminders_sent), (2, 1));
    assert_eq!(listed(), [format!("trial-end:2026-01-31:{new}")]);
    assert_eq!(
        h.mail
            .sent_to(new)
            .last()
            .map(|m| m.subject.contains("trial")),
        Some(true)
    );
    assert_eq!(confirm().status(), 400, "the link was used");
}

#[test]
fn a_taken_address_is_refused_at_confirmation_only() {
    let (h, cookie) = signed_up();
    let _bob = h.signup("bob@example.test", PASSWORD);
    let free = post_as(
        &h,
        &cookie,
        "/api/account/email",
        &[
            ("email", "nobody@example.test"),
            ("current_password", PASSWORD),
        ],
    );
    let taken = post_as(
        &h,
        &cookie,
        "/api/account/email",
        &[
            ("email", "bob@example.test"),
            ("current_password", PASSWORD),
        ],
    );
    // The same answer either way: the request does not tell whether it is taken.
    assert_eq!(free.status(), taken.status());
    assert_eq!(location(&free), location(&taken));
    let token = change_link(&h, "bob@example.test");
    let before = records(&h);
    let refused = h.post(
        "/api/account/email/confirm",
        &form(&[("token", &token), ("password", PASSWORD)]),
    );
    assert_eq!(refused.status(), 409);
    assert!(text(&refused).contains("already belongs to another account"));
    let after = records(&h);
    let changed: Vec<&String> = before
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        changed
            .iter()
            .all(|k| k.starts_with("email-change:") || k.starts_with("token-of:")),
        "only the used link is gone: {changed:?}"
    );
    assert_eq!(h.account_json(&cookie).1["email"], EMAIL);
}

#[test]
fn email_change_refusals() {
    let (h, cookie) = signed_up();
    let before = records(&h);
    for (email, password, status) in [
        ("not-an-address", PASSWORD, 422),
        (EMAIL, PASSWORD, 422),
        ("ADA@example.test", PASSWORD, 422),
        ("new@example.test", "", 422),
        ("new@example.test", "Wrong-horse9", 422),
    ] {
        let refused = post_as(
            &h,
            &cookie,
            "/api/account/email",
            &[("email", email), ("current_password", password)],
        );
        assert_eq!(refused.status(), status, "{email} {password}");
    }
    assert_eq!(records(&h), before);
    assert!(h.mail.sent_to("new@example.test").is_empty());

    // A newer request makes the earlier link worthless.
    for to in ["one@example.test", "two@example.test"] {
        post_as(
            &h,
            &cookie,
            "/api/account/email",
            &[("email", to), ("current_password", PASSWORD)],
        );
    }
    let first = change_link(&h, "one@example.test");
    let stale = h.post(
        "/api/account/email/confirm",
        &form(&[("token", &first), ("password", PASSWORD)]),
    );
    assert_eq!(stale.status(), 400);
    assert_eq!(
        h.get(&format!("/confirm-email/?token={first}")).status(),
        400
    );
    // Links expire after 24 hours.
    let second = change_link(&h, "two@example.test");
    h.advance(24 * 3600);
    assert_eq!(
        h.get(&format!("/confirm-email/?token={second}")).status(),
        400
    );
    assert_eq!(h.get("/confirm-email/").status(), 400);
}

#[test]
fn the_account_routes_are_rate_limited_per_network() {
    let (h, cookie) = signed_up();
    let profile = [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("organization", "Engines"),
    ];
    for _ in 0..20 {
        let saved = post_as(&h, &cookie, "/api/account/profile", &profile);
        assert_eq!(location(&saved), Some("/account/?saved=1"));
    }
    let limited = post_as(&h, &cookie, "/api/account/profile", &profile);
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    assert!(text(&limited).contains("Too many attempts"));
    h.advance(60);
    let again = post_as(&h, &cookie, "/api/account/profile", &profile);
    assert_eq!(location(&again), Some("/account/?saved=1"));
}

#[test]
fn email_change_links_are_limited_per_new_address() {
    let (h, cookie) = signed_up();
    let ask = || {
        post_as(
            &h,
            &cookie,
            "/api/account/email",
            &[
                ("email", "target@example.test"),
                ("current_password", PASSWORD),
            ],
        )
    };
    for _ in 0..5 {
        assert_eq!(location(&ask()), Some("/account/?email=1"));
    }
    let sent = h.mail.sent_to("target@example.test").len();
    assert_eq!(
        ask().status(),
        429,
        "a mailbox cannot be flooded with links"
    );
    assert_eq!(h.mail.sent_to("target@example.test").len(), sent);
}

#[test]
fn email_change_links_die_with_a_password_change_a_reset_or_signing_out_everywhere() {
    type End = fn(&Harness, &str);
    let ends: [(&str, End); 3] = [
        ("signing out everywhere", |h, cookie| {
            post_as(h, cookie, "/api/account/sessions/revoke", &[]);
        }),
        ("a password change", |h, cookie| {
            let changed = post_as(
                h,
                cookie,
                "/api/account/password",
                &[("current_password", PASSWORD), ("password", NEW_PASSWORD)],
            );
            assert_eq!(location(&changed), Some("/account/?password=1"));
        }),
        ("a reset", |h, _| {
            h.post("/api/forgot-password", &form(&[("email", EMAIL)]));
            let token = token_in(&h.last_mail_to(EMAIL).text, "/reset-password/?token=");
            let reset = h.post(
                "/api/reset-password",
                &form(&[("token", &token), ("password", NEW_PASSWORD)]),
            );
            assert_eq!(location(&reset), Some("/sign-in/?reset=1"));
        }),
    ];
    for (what, end) in ends {
        let (h, cookie) = signed_up();
        let new = "ada.moved@example.test";
        let asked = post_as(
            &h,
            &cookie,
            "/api/account/email",
            &[("email", new), ("current_password", PASSWORD)],
        );
        assert_eq!(location(&asked), Some("/account/?email=1"));
        let token = change_link(&h, new);
        end(&h, &cookie);
        let password = if what == "signing out everywhere" {
            PASSWORD
        } else {
            NEW_PASSWORD
        };
        let confirmed = h.post(
            "/api/account/email/confirm",
            &form(&[("token", &token), ("password", password)]),
        );
        assert_eq!(
            confirmed.status(),
            400,
            "after {what}: {}",
            text(&confirmed)
        );
        assert!(
            h.kv.snapshot().contains_key(&format!("account:{EMAIL}")),
            "after {what}: the address did not change"
        );
    }
}
