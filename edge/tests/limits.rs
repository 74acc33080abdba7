//! The rules that keep strangers from locking an owner out (issue 10 §3), the origin, type
//! and framing rules of every answer (§5), and the development clock's bounds (§6), on the
//! core with the test host.

mod common;

use std::net::IpAddr;

use bytes::Bytes;
use common::*;
use edge::{EdgeConfig, StaticPages};
use http::{Method, Request, Response};

/// A POST as the site's own form sends it, from `ip` (`None`: a host that does not know).
fn post_from(h: &Harness, ip: Option<&str>, path: &str, body: &str) -> Response<Bytes> {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("host", "127.0.0.1:1111")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .expect("request");
    let ip = ip.map(|ip| ip.parse::<IpAddr>().expect("an IP address"));
    h.send_from(request, ip)
}

fn sign_in_from(h: &Harness, ip: Option<&str>, email: &str, password: &str) -> u16 {
    let body = form(&[("email", email), ("password", password)]);
    post_from(h, ip, "/api/sign-in", &body).status().as_u16()
}

fn forgot_from(h: &Harness, ip: Option<&str>, email: &str) -> u16 {
    let body = form(&[("email", email)]);
    post_from(h, ip, "/api/forgot-password", &body)
        .status()
        .as_u16()
}

fn resend_from(h: &Harness, ip: Option<&str>, email: &str) -> u16 {
    let body = form(&[("email", email)]);
    post_from(h, ip, "/api/verify/resend", &body)
        .status()
        .as_u16()
}

/// A harness whose limits come from `settings` (canonical names), read as both hosts read
/// theirs.
fn harness_with(settings: &'static [(&'static str, &'static str)]) -> Harness {
    let config = EdgeConfig::from_lookup(format!("{BASE}/"), true, |name| {
        settings
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("valid settings");
    Harness::with(config, StaticPages::new())
}

const OWNER: &str = "owner@example.com";
const OWNER_NET: Option<&str> = Some("192.0.2.7");
const STRANGER_NET: Option<&str> = Some("198.51.100.9");
const WRONG: &str = "Wrong-pass1";

// ---- §3: sign-in failures per (address, network), and the per-address ceiling.

#[test]
fn a_strangers_failures_do_not_lock_the_owner_out() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    for _ in 0..5 {
        assert_eq!(sign_in_from(&h, STRANGER_NET, OWNER, WRONG), 422);
    }
    // The stranger's network is refused, even with the right password...
    assert_eq!(sign_in_from(&h, STRANGER_NET, OWNER, PASSWORD), 429);
    // ...the owner, on their own network, is not.
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 303);
    // The owner's own failures still count for the owner's network.
    for _ in 0..5 {
        assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, WRONG), 422);
    }
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 429);
}

#[test]
fn ipv6_clients_are_counted_on_their_slash_64() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    // Five addresses of one /64 are one network.
    for host in 1..=5 {
        let ip = format!("2001:db8:1:2::{host}");
        assert_eq!(sign_in_from(&h, Some(&ip), OWNER, WRONG), 422);
    }
    assert_eq!(
        sign_in_from(&h, Some("2001:db8:1:2:ffff::99"), OWNER, PASSWORD),
        429
    );
    // The next /64 is another network.
    assert_eq!(
        sign_in_from(&h, Some("2001:db8:1:3::1"), OWNER, PASSWORD),
        303
    );
}

#[test]
fn the_ceiling_per_address_stops_an_attack_from_many_networks() {
    // The defaults: 5 per network, 100 per address from all networks, per 15 minutes.
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    for net in 0..20 {
        let ip = format!("203.0.113.{net}");
        for _ in 0..5 {
            assert_eq!(sign_in_from(&h, Some(&ip), OWNER, WRONG), 422);
        }
        if net == 18 {
            // 95 failures elsewhere: the owner still gets in.
            assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 303);
        }
    }
    // The 100th failure reached the ceiling: every network is refused for the window.
    let refused = post_from(
        &h,
        OWNER_NET,
        "/api/sign-in",
        &form(&[("email", OWNER), ("password", PASSWORD)]),
    );
    assert_eq!(refused.status(), 429);
    let retry: i64 = header(&refused, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Another address is not affected.
    assert_eq!(sign_in_from(&h, OWNER_NET, "other@example.com", WRONG), 422);
    h.advance(retry);
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 303);
}

#[test]
fn the_ceiling_is_a_setting() {
    let h = harness_with(&[
        ("limits.sign_in_failures_ceiling", "3"),
        ("limits.sign_in_failures_per_email", "2"),
    ]);
    h.signup(OWNER, PASSWORD);
    assert_eq!(sign_in_from(&h, Some("203.0.113.1"), OWNER, WRONG), 422);
    assert_eq!(sign_in_from(&h, Some("203.0.113.1"), OWNER, WRONG), 422);
    assert_eq!(sign_in_from(&h, Some("203.0.113.1"), OWNER, WRONG), 429);
    assert_eq!(sign_in_from(&h, Some("203.0.113.2"), OWNER, WRONG), 422);
    // Three failures in all: the ceiling.
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 429);
}

#[test]
fn without_a_client_ip_every_request_is_one_network() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    for _ in 0..5 {
        assert_eq!(sign_in_from(&h, None, OWNER, WRONG), 422);
    }
    assert_eq!(sign_in_from(&h, None, OWNER, PASSWORD), 429);
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 303);
}

// ---- §3: mail per (address, network) and per address, verification and reset apart.

#[test]
fn a_stranger_asking_for_mail_does_not_block_the_owners_mail() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    for _ in 0..5 {
        assert_eq!(forgot_from(&h, STRANGER_NET, OWNER), 303);
    }
    assert_eq!(forgot_from(&h, STRANGER_NET, OWNER), 429);
    let before = h.mail.sent_to(OWNER).len();
    assert_eq!(forgot_from(&h, OWNER_NET, OWNER), 303);
    let after = h.mail.sent_to(OWNER);
    assert_eq!(after.len(), before + 1, "the owner got the reset mail");
    assert!(
        after
            .last()
            .is_some_and(|mail| mail.text.contains("/reset-password/?token="))
    );
}

#[test]
fn verification_and_reset_mail_are_limited_apart() {
    let h = Harness::new();
    let pending = "pending@example.com";
    assert_eq!(h.register(pending, PASSWORD).status(), 303); // one verification mail
    for _ in 0..5 {
        assert_eq!(forgot_from(&h, OWNER_NET, pending), 303);
    }
    assert_eq!(forgot_from(&h, OWNER_NET, pending), 429);
    // Reset requests used up nothing of the verification mail: four resends to go.
    for _ in 0..4 {
        assert_eq!(resend_from(&h, OWNER_NET, pending), 303);
    }
    assert_eq!(resend_from(&h, OWNER_NET, pending), 429);
    // Register and resend share the verification counters.
    let again = h.post(
        "/api/register",
        &form(&[
            ("email", pending),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("organization", "Analytical Engines"),
            ("password", PASSWORD),
        ]),
    );
    assert_eq!(again.status(), 429);
}

#[test]
fn mail_has_a_ceiling_per_address_from_all_networks() {
    let h = harness_with(&[("limits.mails_ceiling", "4")]);
    h.signup(OWNER, PASSWORD);
    for net in 1..=4 {
        let ip = format!("203.0.113.{net}");
        assert_eq!(forgot_from(&h, Some(&ip), OWNER), 303);
    }
    assert_eq!(forgot_from(&h, OWNER_NET, OWNER), 429);
    // The ceiling is per kind: verification mail still goes out... to nobody, as the
    // address is verified, but the request is not refused either.
    assert_eq!(resend_from(&h, OWNER_NET, OWNER), 303);
    assert_eq!(forgot_from(&h, OWNER_NET, "other@example.com"), 303);
}

#[test]
fn the_default_mail_ceiling_is_20() {
    let h = Harness::new();
    for net in 0..4 {
        let ip = format!("203.0.113.{net}");
        for _ in 0..5 {
            assert_eq!(forgot_from(&h, Some(&ip), OWNER), 303);
        }
    }
    assert_eq!(forgot_from(&h, OWNER_NET, OWNER), 429);
}

// ---- §3: per-IP limits key IPv6 on the /64.

#[test]
fn the_per_ip_limit_keys_ipv6_on_the_slash_64() {
    let h = harness_with(&[("limits.posts_per_ip", "3")]);
    for (i, host) in ["1::1", "2::2", "ab:cd::3"].iter().enumerate() {
        let ip = format!("2001:db8:5:6:{host}");
        let email = format!("user{i}@example.com");
        assert_eq!(forgot_from(&h, Some(&ip), &email), 303);
    }
    assert_eq!(
        forgot_from(&h, Some("2001:db8:5:6::ffff"), "user9@example.com"),
        429
    );
    assert_eq!(
        forgot_from(&h, Some("2001:db8:5:7::1"), "user9@example.com"),
        303
    );
    // IPv4 addresses are each their own network.
    for last in 1..=3 {
        let ip = format!("198.51.100.{last}");
        assert_eq!(forgot_from(&h, Some(&ip), "user8@example.com"), 303);
    }
    // Without a client IP there is no per-IP counter at all.
    for _ in 0..4 {
        assert_eq!(forgot_from(&h, None, "user7@example.com"), 303);
    }
}

#[test]
fn counters_are_keyed_as_documented() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    assert_eq!(sign_in_from(&h, Some("2001:db8:1:2::7"), OWNER, WRONG), 422);
    assert_eq!(forgot_from(&h, Some("2001:db8:1:2::7"), OWNER), 303);
    let keys: Vec<String> =
        h.kv.snapshot()
            .into_keys()
            .filter(|k| k.starts_with("rl:"))
            .map(|k| {
                k.rsplit_once(':')
                    .map_or(k.clone(), |(key, _)| key.to_owned())
            })
            .collect();
    for expected in [
        "rl:ip:sign-in:2001:db8:1:2::/64",
        "rl:sign-in-fail-net:2001:db8:1:2::/64:owner@example.com",
        "rl:sign-in-fail:owner@example.com",
        "rl:ip:forgot:2001:db8:1:2::/64",
        "rl:mail-net:reset:2001:db8:1:2::/64:owner@example.com",
        "rl:mail:reset:owner@example.com",
    ] {
        assert!(keys.iter().any(|k| k == expected), "{expected} in {keys:?}");
    }
}

// ---- §5: origins, types, framing.

#[test]
fn an_origin_with_another_scheme_is_cross_site() {
    let h = Harness::new();
    let before = h.kv.snapshot();
    let body = form(&[("email", OWNER)]);
    // The site is http://127.0.0.1:1111, and the request's Host says 127.0.0.1:1111.
    for origin in ["https://127.0.0.1:1111", "http://127.0.0.1:1112"] {
        let refused = h.post_with(
            "/api/forgot-password",
            body.as_bytes(),
            &[("origin", origin)],
        );
        assert_eq!(refused.status(), 403, "{origin}");
    }
    assert_eq!(before, h.kv.snapshot(), "a refused request stores nothing");
    let same = h.post_with(
        "/api/forgot-password",
        body.as_bytes(),
        &[("origin", "http://127.0.0.1:1111")],
    );
    assert_eq!(same.status(), 303);
}

#[test]
fn a_post_without_content_type_is_refused() {
    let h = Harness::new();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/forgot-password")
        .header("host", "127.0.0.1:1111")
        .body(Bytes::from_static(b"email=owner%40example.com"))
        .expect("request");
    let before = h.kv.snapshot();
    let refused = h.send(request);
    assert_eq!(refused.status(), 400);
    assert!(text(&refused).contains("application/x-www-form-urlencoded"));
    assert_eq!(before, h.kv.snapshot(), "a refused request stores nothing");
    assert!(h.mail.sent_to(OWNER).is_empty());
}

fn assert_unframeable(what: &str, response: &Response<Bytes>) {
    let csp: Vec<&str> = response
        .headers()
        .get_all("content-security-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        csp.iter().any(|p| p.contains("frame-ancestors 'none'")),
        "{what}: {csp:?}"
    );
    assert_eq!(header(response, "x-frame-options"), Some("DENY"), "{what}");
}

#[test]
fn every_page_the_core_makes_refuses_to_be_framed() {
    let h = Harness::new();
    h.signup(OWNER, PASSWORD);
    let cookie = h.session(OWNER, PASSWORD);
    let pages = [
        ("sign-in page", h.get("/sign-in/?verified=1")),
        (
            "account page",
            h.get_with("/account/", &[("cookie", &cookie)]),
        ),
        (
            "account JSON",
            h.get_with("/api/account", &[("cookie", &cookie)]),
        ),
        ("filled register form", h.register("bad", "x")),
        ("reset page", h.get("/reset-password/?token=nope")),
        ("verify failure", h.get("/api/verify?token=nope")),
        ("redirect", h.get("/account/")),
        ("not found", h.get("/api/nothing")),
        ("wrong method", h.get("/api/sign-in")),
        (
            "malformed form",
            h.post("/api/forgot-password", "email=%zz"),
        ),
        (
            "cross-site",
            h.post_with(
                "/api/forgot-password",
                b"email=a%40b.test",
                &[("origin", "https://evil.example")],
            ),
        ),
    ];
    for (what, response) in &pages {
        assert_unframeable(what, response);
    }
    // The built-in fallback pages (no site pages at all) and a 429.
    let bare = harness_with(&[("limits.posts_per_ip", "1")]);
    assert_unframeable("fallback sign-in page", &bare.get("/sign-in/"));
    assert_eq!(forgot_from(&bare, OWNER_NET, OWNER), 303);
    let limited = post_from(
        &bare,
        OWNER_NET,
        "/api/forgot-password",
        &form(&[("email", OWNER)]),
    );
    assert_eq!(limited.status(), 429);
    assert_unframeable("too many requests", &limited);
}

// ---- §6: the development clock never overflows.

/// How far `/_dev/clock` may move the clock (`MAX_CLOCK_OFFSET_SECS` in dev.rs): 100 years.
const MAX_OFFSET: i64 = 100 * 366 * 86_400;

#[test]
fn a_huge_clock_advance_is_refused_and_changes_nothing() {
    // From offset 0, i64::MIN itself is a sum that fits but has no absolute value.
    let fresh = Harness::new();
    let refused = fresh.post("/_dev/clock", &format!("advance={}", i64::MIN));
    assert_eq!(refused.status(), 400, "{}", text(&refused));
    let state: serde_json::Value =
        serde_json::from_slice(fresh.post("/_dev/clock", "").body()).expect("json");
    assert_eq!(state["offset_seconds"], 0);

    let h = Harness::new();
    assert_eq!(h.post("/_dev/clock", "advance=86400").status(), 200);
    for advance in [
        i64::MAX.to_string(),
        i64::MIN.to_string(),
        (-i64::MAX).to_string(),
        "99999999999999999999999".to_owned(),
        (MAX_OFFSET + 1).to_string(),
    ] {
        let refused = h.post("/_dev/clock", &format!("advance={advance}"));
        assert_eq!(refused.status(), 400, "advance={advance}");
    }
    // Up to the bound, then one second past it from there.
    let max = MAX_OFFSET;
    let at_bound = h.post("/_dev/clock", &format!("advance={}", max - 86_400));
    assert_eq!(at_bound.status(), 200);
    assert_eq!(h.post("/_dev/clock", "advance=1").status(), 400);
    let state: serde_json::Value =
        serde_json::from_slice(h.post("/_dev/clock", "").body()).expect("json");
    assert_eq!(state["offset_seconds"], max);
    // Everything still works on the moved clock.
    assert_eq!(h.get("/sign-in/").status(), 200);
    assert_eq!(h.post("/_dev/cron", "").status(), 200);
    assert_eq!(h.post("/_dev/clock", "reset=1").status(), 200);
}

#[test]
fn a_huge_stored_clock_offset_is_clamped() {
    let h = Harness::new();
    block_on(edge::Kv::put(
        &h.kv,
        "dev:clock-offset",
        &i64::MAX.to_string(),
        None,
    ))
    .expect("put");
    let state = h.post("/_dev/clock", "");
    assert_eq!(state.status(), 200);
    let state: serde_json::Value = serde_json::from_slice(state.body()).expect("json");
    assert_eq!(state["offset_seconds"], MAX_OFFSET);
    assert_eq!(h.get("/sign-in/").status(), 200);
    h.signup(OWNER, PASSWORD);
    assert_eq!(sign_in_from(&h, OWNER_NET, OWNER, PASSWORD), 303);
}
