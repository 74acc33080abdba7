//! The `requests` target: a sequence of HTTP requests to the backend, as a browser, a
//! script or a link scanner would send them, against a fresh in-memory host serving
//! the bundled site's real pages. Nothing it sends may get a 5xx.
//!
//! An input is requests separated by a line `===`. Each is written like HTTP/1.1: a
//! request line (`POST /api/register`), header lines, a blank line, the body. What is
//! missing gets a browser's defaults: POST, the host, a urlencoded content type, and the
//! cookies earlier answers set (a request's own `cookie:` header replaces them).
//! `$LINK` in the request line is the path of the link in the last mail sent (a
//! verification or reset link) and `$TOKEN` anywhere its `token`, so a sequence can
//! follow the flows to their end.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use edge::native::DirPages;
use edge::{
    CapturingMailer, Edge, EdgeConfig, KvLimiter, Limits, ManualClock, MemoryKv, SeededRng,
    Services,
};
use gatehouse::{BuildOptions, Mode};

const BASE: &str = "http://127.0.0.1:1111";

/// The request line's words and the forms' fields.
pub const DICTIONARY: &[&str] = &[
    "\n===\n",
    "POST ",
    "GET ",
    "HEAD ",
    "PUT ",
    "/api/register",
    "/api/sign-in",
    "/api/sign-out",
    "/api/forgot-password",
    "/api/reset-password",
    "/api/verify",
    "/api/verify/resend",
    "/api/account",
    "/api/account/",
    "/account/",
    "/register/",
    "/verify/",
    "/reset-password/",
    "$LINK",
    "?token=",
    "&",
    "=",
    "%",
    "%00",
    "%C3%A9",
    "email=",
    "password=",
    "first_name=",
    "last_name=",
    "organization=",
    "plan=plus",
    "plan=free",
    "token=",
    "current_password=",
    "new_password=",
    "a@example.com",
    "Correct-horse1",
    "content-type: application/x-www-form-urlencoded\n",
    "content-type: multipart/form-data\n",
    "content-type: application/json\n",
    "accept: application/json\n",
    "accept: text/html\n",
    "cookie: ",
    "origin: ",
    BASE,
    "sec-fetch-site: cross-site\n",
    "\n\n",
];

/// The bundled site, built once per process into a folder of its own under the target
/// folder (so `cargo clean` removes it, and a run beside another never reads a site
/// being rebuilt): the pages the backend answers with (forms re-shown with their
/// errors, the account page).
static SITE: LazyLock<PathBuf> = LazyLock::new(|| {
    let root = crate::repo();
    let out = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("fuzz-site")
        .join(std::process::id().to_string());
    let options = BuildOptions {
        root,
        out: Some(out.clone()),
        ..BuildOptions::default()
    };
    gatehouse::build(&options, Mode::Build).expect("the bundled site builds");
    out
});

/// `GATEHOUSE_FUZZ_VERBOSE=1` prints each request and its status (to check a case).
static VERBOSE: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("GATEHOUSE_FUZZ_VERBOSE").is_some());

type Host =
    Services<MemoryKv, CapturingMailer, ManualClock, SeededRng, KvLimiter<MemoryKv>, DirPages>;

fn edge() -> (Edge<Host>, CapturingMailer) {
    let clock = ManualClock::at_secs(1_767_225_600);
    let kv = MemoryKv::with_clock(clock.clone());
    let mail = CapturingMailer::new();
    let host = Services {
        kv: kv.clone(),
        mailer: mail.clone(),
        clock,
        rng: SeededRng::new(7),
        limiter: KvLimiter::new(kv),
        pages: DirPages::new(SITE.clone()),
        on_error: |e| panic!("internal error: {e}"),
    };
    let config = EdgeConfig {
        base_url: format!("{BASE}/"),
        product_name: "Konnect".to_owned(),
        site_title: "Konnect Docs".to_owned(),
        mail_from: "no-reply@docs.test".to_owned(),
        dev: true,
        limits: Limits::default(),
    };
    (Edge::new(host, config), mail)
}

/// Polls a future that never waits (everything in this host is synchronous).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (edge, mail) = edge();
    let mut cookies: Vec<String> = Vec::new();
    // At most 16 requests an input: enough for any flow, and a bound on argon2's time.
    for chunk in text.split("\n===\n").take(16) {
        let Some(request) = request(chunk, &cookies, &mail) else {
            continue;
        };
        let what = format!("{} {}", request.method(), request.uri());
        let response =
            block_on(edge.handle(request, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)))));
        if *VERBOSE {
            eprintln!("{what} → {}", response.status());
        }
        assert!(
            !response.status().is_server_error(),
            "{what}: {}",
            response.status()
        );
        for value in response.headers().get_all(http::header::SET_COOKIE) {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            let name = pair.split('=').next().unwrap_or_default();
            cookies.retain(|c| c.split('=').next() != Some(name));
            if !pair.ends_with('=') {
                cookies.push(pair.to_owned());
            }
        }
    }
}

fn request(
    chunk: &str,
    cookies: &[String],
    mail: &CapturingMailer,
) -> Option<http::Request<Bytes>> {
    let (head, body) = chunk.split_once("\n\n").unwrap_or((chunk, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let (method, target) = match first.split_once(' ') {
        Some((method, target)) => (method, target.trim()),
        None => ("POST", first.trim()),
    };
    let link = mail
        .sent()
        .last()
        .and_then(|m| edge::mail::links(&m.text).into_iter().next())
        .unwrap_or_default();
    let path = link.strip_prefix(BASE).unwrap_or(&link);
    let token = link
        .split_once("token=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default())
        .unwrap_or_default();
    let target = target.replace("$LINK", path).replace("$TOKEN", token);
    let body = body.replace("$TOKEN", token);
    let mut builder = http::Request::builder()
        .method(http::Method::from_bytes(method.as_bytes()).ok()?)
        .uri(target);
    let headers: Vec<(&str, &str)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim(), value.trim()))
        .collect();
    let has = |wanted: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(wanted));
    if !has("host") {
        builder = builder.header("host", "127.0.0.1:1111");
    }
    if !has("content-type") {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
    }
    if !has("cookie") && !cookies.is_empty() {
        builder = builder.header("cookie", cookies.join("; "));
    }
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(Bytes::copy_from_slice(body.as_bytes())).ok()
}
