//! The flows through `Edge::handle`, as a browser (or a script) would drive them.

mod common;

use common::*;
use edge::{EdgeConfig, Limits, Rule, StaticPages};
use http::Method;

#[test]
fn register_verify_sign_in_and_account() {
    let h = Harness::new();
    let registered = h.register("Ada@Example.com", PASSWORD);
    assert_eq!(registered.status(), 303);
    assert_eq!(location(&registered), Some("/register/check-email/"));

    let mail = h.last_mail_to("Ada@Example.com");
    assert_eq!(mail.subject, "Verify your email address for Konnect");
    assert!(
        mail.text.contains(&format!("{BASE}/api/verify?token=")),
        "links must use base_url: {}",
        mail.text
    );
    // Not signed in before verifying, even with the right password.
    let early = h.sign_in("ada@example.com", PASSWORD);
    assert_eq!(early.status(), 422);
    assert!(
        text(&early).contains(r#"<a href="/register/resend/">"#),
        "{}",
        text(&early)
    );

    // Following the link leads to the confirm page and changes nothing.
    let token = token_in(&mail.text, "/api/verify?token=");
    let followed = h.get(&format!("/api/verify?token={token}"));
    assert_eq!(followed.status(), 303);
    let confirm_url = format!("/register/confirm/?token={token}");
    assert_eq!(location(&followed), Some(confirm_url.as_str()));
    let page = h.get(&confirm_url);
    assert_eq!(page.status(), 200);
    let html = text(&page);
    assert!(html.contains("Confirm your email address"), "{html}");
    assert!(html.contains(r#"action="/api/verify""#), "{html}");
    assert!(
        html.contains(r#"value="Ada@Example.com""#),
        "the address: {html}"
    );
    assert!(
        html.contains(&format!(r#"value="{token}""#)),
        "the token: {html}"
    );
    assert!(html.contains("Confirm and sign in"), "{html}");
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 422);

    // Confirming verifies and signs in at once.
    let confirmed = h.confirm(&token, PASSWORD);
    assert_eq!(confirmed.status(), 303, "{}", text(&confirmed));
    assert_eq!(location(&confirmed), Some("/account/"));
    let set_cookie = header(&confirmed, "set-cookie").expect("cookie").to_owned();
    for part in [
        "__Host-session=",
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie} lacks {part}");
    }
    let cookie = cookie_of(&confirmed);

    // The address is matched case-insensitively at sign-in.
    let signed_in = h.sign_in("  ADA@example.COM ", PASSWORD);
    assert_eq!(signed_in.status(), 303);
    assert_eq!(location(&signed_in), Some("/account/"));

    let (status, account) = h.account_json(&cookie);
    assert_eq!(status, 200);
    assert_eq!(account["email"], "Ada@Example.com");
    assert_eq!(account["first_name"], "Ada");
    assert_eq!(account["last_name"], "Lovelace");
    assert_eq!(account["organization"], "Analytical Engines");
    assert_eq!(account["plan"], "trial");
    assert_eq!(account["days_left"], 30);
    assert_eq!(account["trial_ends_at"], "2026-01-31T00:00:00Z");

    let page = h.get_with("/account/", &[("cookie", &cookie)]);
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "cache-control"), Some("no-store"));
    let html = text(&page);
    assert!(
        html.contains(r#"<dd data-account-field="email">Ada@Example.com</dd>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<dd data-account-field="days_left">30</dd>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<section data-plan-state="trial">trial-block"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<section data-plan-state="free" hidden="">free-block"#),
        "{html}"
    );
}

#[test]
fn account_needs_a_session() {
    let h = Harness::new();
    let (status, body) =
        h.account_json("__Host-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(status, 401);
    assert_eq!(body["error"], "not signed in");
    let page = h.get("/account/");
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), Some("/sign-in/"));
}

#[test]
fn sign_out_ends_the_session() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let cookie = h.session("ada@example.com", PASSWORD);
    let out = h.post_with("/api/sign-out", b"", &[("cookie", &cookie)]);
    assert_eq!(location(&out), Some("/sign-in/?signed_out=1"));
    assert!(header(&out, "set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(h.account_json(&cookie).0, 401);
}

#[test]
fn every_sign_in_gets_a_new_session_id() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let first = h.session("ada@example.com", PASSWORD);
    let again = h.post_with(
        "/api/sign-in",
        form(&[("email", "ada@example.com"), ("password", PASSWORD)]).as_bytes(),
        &[("cookie", &first)],
    );
    let second = cookie_of(&again);
    assert_ne!(first, second);
    assert_eq!(
        h.account_json(&first).0,
        401,
        "the old session must be gone"
    );
    assert_eq!(h.account_json(&second).0, 200);
}

/// The parts of a response that a watcher could compare.
fn shape(response: &http::Response<bytes::Bytes>) -> (u16, Option<String>, Vec<String>) {
    let mut names: Vec<String> = response.headers().keys().map(|k| k.to_string()).collect();
    names.sort();
    (
        response.status().as_u16(),
        location(response).map(str::to_owned),
        names,
    )
}

#[test]
fn register_does_not_reveal_existing_accounts() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let before = h.kv.snapshot();
    let known = h.register("ada@example.com", "Another-pass1");
    let unknown = h.register("bob@example.com", "Another-pass1");
    assert_eq!(shape(&known), shape(&unknown));
    assert_eq!(known.body(), unknown.body());

    let mail = h.last_mail_to("ada@example.com");
    assert!(mail.subject.contains("already have"), "{}", mail.subject);
    assert!(!mail.text.contains("token="));
    // The verified account is untouched: the old password still works, the new one does not.
    assert_eq!(
        before.get("account:ada@example.com"),
        h.kv.snapshot().get("account:ada@example.com")
    );
    assert_eq!(h.sign_in("ada@example.com", "Another-pass1").status(), 422);
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
}

#[test]
fn forgot_and_resend_do_not_reveal_accounts() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    h.register("eve@example.com", PASSWORD); // unverified
    for path in ["/api/forgot-password", "/api/verify/resend"] {
        let sent = h.mail.sent().len();
        let known = h.post(path, "email=ada%40example.com");
        let unknown = h.post(path, "email=nobody%40example.com");
        assert_eq!(shape(&known), shape(&unknown), "{path}");
        assert_eq!(known.body(), unknown.body(), "{path}");
        assert!(h.mail.sent_to("nobody@example.com").is_empty());
        let new_mail = h.mail.sent().len() - sent;
        // forgot: a link for the known account; resend: nothing, it is already verified.
        assert_eq!(
            new_mail,
            usize::from(path == "/api/forgot-password"),
            "{path}"
        );
    }
    let resend = h.post("/api/verify/resend", "email=eve%40example.com");
    assert_eq!(location(&resend), Some("/register/check-email/"));
    assert!(
        h.last_mail_to("eve@example.com")
            .text
            .contains("/api/verify?token=")
    );
}

#[test]
fn sign_in_failures_look_the_same_for_unknown_and_known_addresses() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let wrong = h.sign_in("ada@example.com", "Wrong-pass1");
    let unknown = h.sign_in("zed@example.com", "Wrong-pass1");
    assert_eq!(shape(&wrong), shape(&unknown));
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        text(&wrong).replace("ada@example.com", "X"),
        text(&unknown).replace("zed@example.com", "X")
    );
    assert!(text(&wrong).contains("The email address or password is incorrect."));
    // An unverified account with a wrong password gets the same generic message.
    h.register("eve@example.com", PASSWORD);
    let eve = h.sign_in("eve@example.com", "Wrong-pass1");
    assert!(text(&eve).contains("The email address or password is incorrect."));
    assert!(!text(&eve).contains("/register/resend/"));
}

#[test]
fn cross_site_posts_are_refused_and_store_nothing() {
    let h = Harness::new();
    let body = form(&[
        ("email", "ada@example.com"),
        ("first_name", "A"),
        ("last_name", "L"),
        ("organization", "O"),
        ("password", PASSWORD),
    ]);
    let before = h.kv.snapshot();
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
        vec![("origin", "http://127.0.0.1:2222")],
    ] {
        let response = h.post_with("/api/register", body.as_bytes(), &headers);
        assert_eq!(response.status(), 403, "{headers:?}");
    }
    assert_eq!(
        h.post_with(
            "/_dev/clock",
            b"advance=99999",
            &[("origin", "https://evil.example")]
        )
        .status(),
        403
    );
    assert_eq!(before, h.kv.snapshot());
    assert!(h.mail.sent().is_empty());

    // The site's own origin, and the origin the request was sent to, are fine.
    let ours = h.post_with(
        "/api/register",
        body.as_bytes(),
        &[("origin", BASE), ("sec-fetch-site", "same-origin")],
    );
    assert_eq!(ours.status(), 303);
    let other_port = h.post_with(
        "/api/forgot-password",
        b"email=ada%40example.com",
        &[
            ("origin", "http://localhost:4321"),
            ("host", "localhost:4321"),
        ],
    );
    assert_eq!(other_port.status(), 303);
}

#[test]
fn oversize_bodies_get_413_and_store_nothing() {
    let h = Harness::new();
    let before = h.kv.snapshot();
    let big = format!("email=a%40b.test&first_name={}", "x".repeat(16 * 1024));
    let response = h.post("/api/register", &big);
    assert_eq!(response.status(), 413);
    let lying = h.post_with("/api/register", b"email=a", &[("content-length", "999999")]);
    assert_eq!(lying.status(), 413);
    assert_eq!(before, h.kv.snapshot());
}

#[test]
fn malformed_forms_get_400_with_a_message() {
    let h = Harness::new();
    let before = h.kv.snapshot();
    let bad_utf8 = h.post_with("/api/sign-in", b"email=\xff\xfe&password=x", &[]);
    assert_eq!(bad_utf8.status(), 400);
    assert!(
        text(&bad_utf8).contains("not valid UTF-8"),
        "{}",
        text(&bad_utf8)
    );
    let bad_escape = h.post("/api/register", "email=%C3%28");
    assert_eq!(bad_escape.status(), 400);
    assert_eq!(h.post("/api/register", "email=%zz").status(), 400);
    assert_eq!(h.post("/api/register", "email=a&email=b").status(), 400);
    let json = h.post_with(
        "/api/sign-in",
        b"{}",
        &[("content-type", "application/json")],
    );
    assert_eq!(json.status(), 400);
    assert_eq!(h.get("/api/verify?token=%ff").status(), 400);
    assert_eq!(before, h.kv.snapshot());
}

#[test]
fn refused_register_comes_back_with_messages_and_values() {
    let h = Harness::new();
    let before = h.kv.snapshot();
    let response = h.post(
        "/api/register",
        &form(&[
            ("email", "ada@example.com"),
            ("first_name", "Ada \"<b>\""),
            ("last_name", ""),
            ("organization", "Engines & Co"),
            ("password", "alllowercase"),
        ]),
    );
    assert_eq!(response.status(), 422);
    let html = text(&response);
    assert!(
        html.contains(r#"id="password-error">Use at least two of: a lowercase letter, an uppercase letter, a special character.</p>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"id="last_name-error">Enter your last name.</p>"#),
        "{html}"
    );
    assert!(html.contains(r#"value="ada@example.com""#), "{html}");
    assert!(
        html.contains(r#"value="Ada &quot;&lt;b&gt;&quot;""#),
        "{html}"
    );
    assert!(html.contains(r#"value="Engines &amp; Co""#), "{html}");
    assert!(
        !html.contains("alllowercase"),
        "the password must not come back"
    );
    assert!(!html.contains("<b>"));
    assert!(html.contains(r#"aria-invalid="true""#));
    assert!(html.contains("<nav>"), "the site's own page is re-served");
    assert!(
        html.contains(r#"data-error-for="email" id="email-error" hidden"#),
        "no error for a good field"
    );
    assert_eq!(before, h.kv.snapshot(), "a refused form stores nothing");
    assert!(h.mail.sent().is_empty());
}

#[test]
fn refused_form_falls_back_to_a_built_in_page() {
    let h = Harness::with(config(), StaticPages::new());
    let response = h.post("/api/register", "email=nope&password=x");
    assert_eq!(response.status(), 422);
    let html = text(&response);
    assert!(html.contains(r#"action="/api/register""#));
    assert!(html.contains(r#"value="nope""#));
    assert!(
        html.contains("Enter an email address like name@example.com."),
        "{html}"
    );
    assert!(html.contains("Use at least 8 characters."), "{html}");
}

#[test]
fn password_may_not_contain_the_email() {
    let h = Harness::new();
    let response = h.register("ada.lovelace@example.com", "Ada.Lovelace!");
    assert_eq!(response.status(), 422);
    assert!(text(&response).contains("Do not use your email address in your password."));
}

#[test]
fn failed_sign_ins_are_rate_limited_per_email() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    for _ in 0..5 {
        assert_eq!(h.sign_in("ada@example.com", "Wrong-pass1").status(), 422);
    }
    let before = h.kv.snapshot();
    let limited = h.sign_in("ada@example.com", PASSWORD);
    assert_eq!(limited.status(), 429);
    let retry: u64 = header(&limited, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(text(&limited).contains("Too many attempts"));
    assert!(text(&limited).contains(r#"value="ada@example.com""#));
    assert_eq!(before, h.kv.snapshot(), "a refused request stores nothing");
    // Another address is not affected.
    assert_eq!(h.sign_in("bob@example.com", "Wrong-pass1").status(), 422);

    h.advance(i64::try_from(retry).expect("small"));
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
}

#[test]
fn posts_are_rate_limited_per_ip_and_limits_are_settings() {
    let mut config = config();
    config.limits = Limits {
        posts_per_ip: Rule {
            limit: 3,
            window_secs: 60,
        },
        ..Limits::default()
    };
    let h = Harness::with(config, StaticPages::new());
    for i in 0..3 {
        let r = h.post(
            "/api/forgot-password",
            &format!("email=user{i}%40example.com"),
        );
        assert_eq!(r.status(), 303);
    }
    let limited = h.post("/api/forgot-password", "email=user9%40example.com");
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    // Counted per route: sign-in still has its own budget.
    assert_eq!(h.sign_in("user1@example.com", "Wrong-pass1").status(), 422);
    h.advance(60);
    assert_eq!(
        h.post("/api/forgot-password", "email=user9%40example.com")
            .status(),
        303
    );
}

#[test]
fn mails_per_address_are_rate_limited() {
    let h = Harness::new();
    for _ in 0..5 {
        assert_eq!(
            h.post("/api/forgot-password", "email=x%40example.com")
                .status(),
            303
        );
    }
    assert_eq!(
        h.post("/api/forgot-password", "email=x%40example.com")
            .status(),
        429
    );
    // Verification mail is counted apart from reset mail (see tests/limits.rs).
    assert_eq!(
        h.post("/api/verify/resend", "email=x%40example.com")
            .status(),
        303
    );
}

#[test]
fn reset_revokes_sessions_and_changes_the_password() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let old_session = h.session("ada@example.com", PASSWORD);
    let other_device = h.session("ada@example.com", PASSWORD);

    assert_eq!(
        location(&h.post("/api/forgot-password", "email=ADA%40example.com")),
        Some("/forgot-password/sent/")
    );
    let mail = h.last_mail_to("Ada@example.com".to_lowercase().as_str());
    let marker = format!("{BASE}/reset-password/?token=");
    assert!(mail.text.contains(&marker), "{}", mail.text);
    let token = token_in(&mail.text, &marker);

    // Opening the link (twice: a mail scanner, then the person) does not use it up.
    for _ in 0..2 {
        let page = h.get(&format!("/reset-password/?token={token}"));
        assert_eq!(page.status(), 200);
        assert!(
            text(&page).contains(&format!(r#"data-fill="token" value="{token}""#)),
            "{}",
            text(&page)
        );
    }
    // A weak password is refused and the token stays in the form.
    let weak = h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", "short")]),
    );
    assert_eq!(weak.status(), 422);
    assert!(text(&weak).contains(&format!(r#"value="{token}""#)));
    assert!(text(&weak).contains("Use at least 8 characters."));

    let new_password = "Brand-new-pass2";
    let done = h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", new_password)]),
    );
    assert_eq!(location(&done), Some("/sign-in/?reset=1"));
    assert!(
        h.last_mail_to("ada@example.com")
            .subject
            .contains("password was changed")
    );

    assert_eq!(h.account_json(&old_session).0, 401);
    assert_eq!(h.account_json(&other_device).0, 401);
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 422);
    assert_eq!(h.sign_in("ada@example.com", new_password).status(), 303);

    // Used: the link now explains itself and points at a new one.
    let reused = h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", "Another-pass3")]),
    );
    assert_eq!(reused.status(), 400);
    assert!(text(&reused).contains("expired or was already used"));
    assert!(text(&reused).contains(r#"href="/forgot-password/""#));
    assert_eq!(
        h.get(&format!("/reset-password/?token={token}")).status(),
        400
    );
}

#[test]
fn sign_in_page_shows_notices_and_escapes_the_query() {
    let h = Harness::new();
    let page = text(&h.get("/sign-in/?verified=1"));
    assert!(page.contains(r#"<p data-notice="verified">"#), "{page}");
    assert!(page.contains(r#"<p data-notice="reset" hidden>"#));
    let page = text(&h.get("/sign-in/?signed_out=1&reset=1"));
    assert!(page.contains(r#"<p data-notice="signed-out">"#));
    assert!(page.contains(r#"<p data-notice="reset">"#));
    let page = text(&h.get("/sign-in/?deleted=1"));
    assert!(page.contains(r#"<p data-notice="deleted">"#), "{page}");
    assert!(page.contains(r#"<p data-notice="signed-out" hidden>"#));
    let hostile = h.get("/reset-password/?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(hostile.status(), 400);
    assert!(!text(&hostile).contains("<script>"));
}

#[test]
fn verification_links_are_single_use() {
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    let token = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    assert_eq!(h.get(&format!("/api/verify?token={token}")).status(), 303);
    assert_eq!(location(&h.confirm(&token, PASSWORD)), Some("/account/"));
    // The link still leads to the confirm page, which now says it was used.
    assert_eq!(h.get(&format!("/api/verify?token={token}")).status(), 303);
    for again in [
        h.get(&format!("/register/confirm/?token={token}")),
        h.confirm(&token, PASSWORD),
    ] {
        assert_eq!(again.status(), 400);
        let html = text(&again);
        assert!(html.contains("expired or was already used"), "{html}");
        assert!(
            html.contains(r#"action="/api/verify/resend""#),
            "offers to resend: {html}"
        );
        assert!(header(&again, "set-cookie").is_none());
    }
}

#[test]
fn each_registration_confirms_only_with_its_own_password() {
    let h = Harness::new();
    h.register("ada@example.com", PASSWORD);
    let first = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    h.register("ada@example.com", "Second-pass2");
    let second = token_in(&h.last_mail_to("ada@example.com").text, "token=");
    // The first link does not take the second registration's password, nor the reverse.
    let wrong = h.confirm(&first, "Second-pass2");
    assert_eq!(wrong.status(), 422);
    let html = text(&wrong);
    assert!(html.contains("not the password"), "{html}");
    assert!(
        html.contains(&format!(r#"value="{first}""#)),
        "token kept: {html}"
    );
    assert!(header(&wrong, "set-cookie").is_none());
    assert_eq!(h.confirm(&second, PASSWORD).status(), 422);
    // The first link still works with its own password.
    assert_eq!(location(&h.confirm(&first, PASSWORD)), Some("/account/"));
    assert_eq!(h.sign_in("ada@example.com", "Second-pass2").status(), 422);
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
    // The other registration can no longer change the verified account.
    let late = h.confirm(&second, "Second-pass2");
    assert_eq!(location(&late), Some("/sign-in/?verified=1"));
    assert!(header(&late, "set-cookie").is_none());
    assert_eq!(h.sign_in("ada@example.com", "Second-pass2").status(), 422);
}

#[test]
fn plan_choice_waits_for_the_end_of_the_trial() {
    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let cookie = h.session("ada@example.com", PASSWORD);
    let account_record = h.kv.snapshot().get("account:ada@example.com").cloned();
    let chose = h.post_with("/api/account/plan", b"plan=plus", &[("cookie", &cookie)]);
    assert_eq!(location(&chose), Some("/account/"));
    assert_eq!(
        account_record,
        h.kv.snapshot().get("account:ada@example.com").cloned(),
        "a plan change never rewrites the credentials record"
    );
    let (_, account) = h.account_json(&cookie);
    assert_eq!(account["plan"], "trial");
    assert_eq!(account["plan_after_trial"], "plus");
    let bad = h.post_with("/api/account/plan", b"plan=gold", &[("cookie", &cookie)]);
    assert_eq!(bad.status(), 400);
    let anonymous = h.post("/api/account/plan", "plan=free");
    assert_eq!(location(&anonymous), Some("/sign-in/"));
}

#[test]
fn internal_errors_become_a_plain_500() {
    use edge::{
        CapturingMailer, Edge, Kv, KvError, KvLimiter, ListPage, ManualClock, SeededRng, Services,
    };

    #[derive(Clone)]
    struct BrokenKv;
    impl Kv for BrokenKv {
        async fn get(&self, _: &str) -> Result<Option<String>, KvError> {
            Err(KvError::new("disk on fire at /var/secret"))
        }
        async fn put(&self, _: &str, _: &str, _: Option<u64>) -> Result<(), KvError> {
            Err(KvError::new("disk on fire at /var/secret"))
        }
        async fn delete(&self, _: &str) -> Result<(), KvError> {
            Err(KvError::new("disk on fire at /var/secret"))
        }
        async fn commit(&self, _: &edge::Txn) -> Result<bool, KvError> {
            Err(KvError::new("disk on fire at /var/secret"))
        }
        async fn list(&self, _: &str, _: Option<&str>, _: usize) -> Result<ListPage, KvError> {
            Err(KvError::new("disk on fire at /var/secret"))
        }
    }
    let edge = Edge::new(
        Services {
            kv: BrokenKv,
            mailer: CapturingMailer::new(),
            clock: ManualClock::at_secs(START),
            rng: SeededRng::new(1),
            limiter: KvLimiter::new(BrokenKv),
            pages: StaticPages::new(),
            on_error: |_| {},
        },
        EdgeConfig {
            dev: false,
            ..config()
        },
    );
    let request = http::Request::post("/api/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(bytes::Bytes::from_static(
            b"email=a%40b.test&password=Whatever1!",
        ))
        .expect("request");
    let response = block_on(edge.handle(request, None));
    assert_eq!(response.status(), 500);
    let body = String::from_utf8_lossy(response.body()).into_owned();
    assert!(body.contains("Something went wrong"));
    assert!(!body.contains("disk") && !body.contains("/var/secret"));
}

#[test]
fn unknown_routes_and_methods() {
    let h = Harness::new();
    assert_eq!(h.get("/api/nope").status(), 404);
    let wrong_method = h.get("/api/register");
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(header(&wrong_method, "allow"), Some("POST"));
    let wrong_method = h.post("/api/account", "");
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(header(&wrong_method, "allow"), Some("GET, HEAD"));
    let other = |method: Method, path: &str| {
        h.send(
            http::Request::builder()
                .method(method)
                .uri(path)
                .body(bytes::Bytes::new())
                .expect("request"),
        )
    };
    let put = other(Method::PUT, "/api/sign-in");
    assert_eq!(put.status(), 405);
    assert_eq!(header(&put, "allow"), Some("POST"));
    let delete = other(Method::DELETE, "/account/");
    assert_eq!(delete.status(), 405);
    assert_eq!(header(&delete, "allow"), Some("GET, HEAD"));
    let head = other(Method::HEAD, "/api/register");
    assert_eq!(head.status(), 405);
    assert_eq!(header(&head, "allow"), Some("POST"));
    // A path the edge does not know is 404 whatever the method.
    assert_eq!(other(Method::PUT, "/api/nope").status(), 404);
    assert_eq!(h.post("/api/nope", "").status(), 404);
    let head = h.send(
        http::Request::head("/sign-in/")
            .body(bytes::Bytes::new())
            .expect("request"),
    );
    assert_eq!(head.status(), 200);
    assert!(head.body().is_empty());
}

#[test]
fn rehashes_when_parameters_change() {
    use argon2::password_hash::PasswordHasher;
    use argon2::{Algorithm, Argon2, Params, Version};
    use edge::Kv;

    let h = Harness::new();
    h.signup("ada@example.com", PASSWORD);
    let key = "account:ada@example.com";
    let mut account: serde_json::Value =
        serde_json::from_str(&h.kv.snapshot()[key]).expect("account json");
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 1, 1, Some(32)).expect("params"),
    )
    .hash_password_with_salt(PASSWORD.as_bytes(), &[3u8; 16])
    .expect("hash")
    .to_string();
    account["password_hash"] = weak.clone().into();
    block_on(h.kv.put(key, &account.to_string(), None)).expect("put");

    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
    let stored: serde_json::Value = serde_json::from_str(&h.kv.snapshot()[key]).expect("json");
    let hash = stored["password_hash"].as_str().expect("hash");
    assert_ne!(hash, weak);
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(h.sign_in("ada@example.com", PASSWORD).status(), 303);
}

#[test]
fn a_session_missed_at_deletion_is_dead_for_the_next_account_of_the_address() {
    let h = Harness::new();
    let cookie = h.signup("ada@example.com", PASSWORD);
    let missed = h.session("ada@example.com", PASSWORD);
    let session_records: Vec<(String, String)> =
        h.kv.snapshot()
            .into_iter()
            .filter(|(key, _)| key.starts_with("session:"))
            .collect();
    let deleted = h.post_with(
        "/api/account/delete",
        form(&[
            ("current_password", PASSWORD),
            ("confirm", "ada@example.com"),
        ])
        .as_bytes(),
        &[("cookie", &cookie)],
    );
    assert_eq!(location(&deleted), Some("/sign-in/?deleted=1"));
    // As if the deletion had missed the sessions (a listing that did not see them yet).
    for (key, value) in &session_records {
        block_on(edge::Kv::put(&h.kv, key, value, Some(3600))).expect("put back");
    }
    h.signup("ada@example.com", PASSWORD);
    assert_eq!(
        h.account_json(&missed).0,
        401,
        "a session of the deleted account is not one of the new account"
    );
}

#[test]
fn an_address_typed_decomposed_or_precomposed_is_one_account() {
    let h = Harness::new();
    let precomposed = "jos\u{e9}@example.com";
    let decomposed = "jose\u{301}@example.com";
    h.signup(precomposed, PASSWORD);
    let cookie = h.session(decomposed, PASSWORD);
    let (status, account) = h.account_json(&cookie);
    assert_eq!(status, 200);
    assert_eq!(account["email"], precomposed);
    let accounts =
        h.kv.snapshot()
            .into_keys()
            .filter(|key| key.starts_with("account:"))
            .count();
    assert_eq!(accounts, 1);
}

/// A form embedded in a docs page (`return_to`): a refused post comes back to that page,
/// its fields marked; a `return_to` that is not a page with such a form gets the form's
/// own page.
#[test]
fn a_refused_embedded_form_comes_back_to_its_docs_page() {
    const DOCS: &str = r#"<html><body><h1>Docs</h1><form method="post" action="/api/register"><input type="hidden" name="return_to" value="/docs/"><input id="embedded-email" name="email"><p id="embedded-email-error" data-error-for="email" hidden></p></form></body></html>"#;
    let h = Harness::with(
        common::config(),
        edge::StaticPages::new()
            .with("/register/", common::REGISTER_PAGE)
            .with("/docs/", DOCS)
            .with("/plain/", "<html><body><h1>Plain</h1></body></html>"),
    );
    let refused = |return_to: &str| {
        h.post(
            "/api/register",
            &form(&[
                ("email", "not-an-address"),
                ("first_name", "A"),
                ("last_name", "B"),
                ("organization", "O"),
                ("password", "Good-pass1"),
                ("return_to", return_to),
            ]),
        )
    };
    let back = refused("/docs/");
    assert_eq!(back.status(), 422);
    let html = text(&back);
    assert!(html.contains("<h1>Docs</h1>"), "{html}");
    assert!(
        html.contains("aria-describedby=\"embedded-email-error\""),
        "{html}"
    );
    assert!(html.contains("value=\"not-an-address\""), "{html}");
    for elsewhere in [
        "/plain/",
        "//evil.example/docs/",
        "https://evil.example/",
        "/missing/",
    ] {
        let html = text(&refused(elsewhere));
        assert!(
            !html.contains("<h1>Docs</h1>") && !html.contains("<h1>Plain</h1>"),
            "{elsewhere}: {html}"
        );
    }
}
