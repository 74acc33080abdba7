//! The native host: the redb store survives a reopen and honours TTLs; the outbox; and the
//! whole stack together.
// The native host is not built for wasm32 (`cargo clippy --target wasm32-unknown-unknown`).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Arc;

use common::{BASE, config, form, token_in};
use edge::native::{self, RedbKv};
use edge::{Kv, ManualClock, NoPages};

/// Waits for a future, parking between polls: the native host hashes on its own threads.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let mut future = std::pin::pin!(future);
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("edge-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn redb_store_persists_across_reopen() {
    let dir = temp_dir("persist");
    let path = dir.join("edge.redb");
    {
        let kv = RedbKv::open(&path).expect("open");
        block_on(kv.put("account:a", "{\"x\":1}", None)).expect("put");
        block_on(kv.put("session:b", "s", Some(3600))).expect("put");
        block_on(kv.put("gone", "x", None)).expect("put");
        block_on(kv.delete("gone")).expect("delete");
    }
    let kv = RedbKv::open(&path).expect("reopen");
    assert_eq!(
        block_on(kv.get("account:a")).expect("get").as_deref(),
        Some("{\"x\":1}")
    );
    assert_eq!(
        block_on(kv.get("session:b")).expect("get").as_deref(),
        Some("s")
    );
    assert_eq!(block_on(kv.get("gone")).expect("get"), None);
    drop(kv);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn redb_store_honours_ttl_and_lists_by_prefix() {
    let dir = temp_dir("ttl");
    let clock = ManualClock::at_secs(1_000);
    let kv = RedbKv::open_with_clock(dir.join("edge.redb"), Arc::new(clock.clone())).expect("open");
    assert!(
        block_on(kv.put("short", "x", Some(10))).is_err(),
        "TTLs under 60 s are refused"
    );
    block_on(kv.put("p:1", "a", Some(60))).expect("put");
    block_on(kv.put("p:2", "b", None)).expect("put");
    block_on(kv.put("p:3", "c", Some(120))).expect("put");
    block_on(kv.put("q:1", "d", None)).expect("put");

    let page = block_on(kv.list("p:", None, 2)).expect("list");
    assert_eq!(page.keys, vec!["p:1", "p:2"]);
    let rest = block_on(kv.list("p:", page.cursor.as_deref(), 2)).expect("list");
    assert_eq!(rest.keys, vec!["p:3"]);
    assert_eq!(rest.cursor, None);

    clock.advance_secs(60);
    assert_eq!(
        block_on(kv.get("p:1")).expect("get"),
        None,
        "expired at its TTL"
    );
    assert_eq!(
        block_on(kv.list("p:", None, 10)).expect("list").keys,
        vec!["p:2", "p:3"]
    );
    clock.advance_secs(60);
    assert_eq!(
        block_on(edge::kv::list_all(&kv, "p:")).expect("list"),
        vec!["p:2"]
    );
    // Purged, not just hidden: a clock moved back does not bring them back.
    clock.set_secs(1_000);
    assert_eq!(block_on(kv.get("p:1")).expect("get"), None);
    assert_eq!(block_on(kv.get("p:3")).expect("get"), None);
    drop(kv);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn native_host_end_to_end_with_outbox() {
    let dir = temp_dir("e2e");
    let edge = native::edge(
        dir.join("state"),
        NoPages,
        config(),
        native::MailNotices::Quiet,
    )
    .expect("native edge");
    let post = |path: &str, body: String| {
        let request = http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(bytes::Bytes::from(body))
            .expect("request");
        block_on(edge.handle(request, Some(common::IP)))
    };
    let registered = post(
        "/api/register",
        form(&[
            ("email", "grace@example.com"),
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("organization", "Navy"),
            ("password", "Cobol-rules1"),
        ]),
    );
    assert_eq!(registered.status(), 303);

    let outbox = block_on(
        edge.handle(
            http::Request::get("/_dev/outbox?to=grace@example.com")
                .header("accept", "application/json")
                .body(bytes::Bytes::new())
                .expect("request"),
            None,
        ),
    );
    assert_eq!(outbox.status(), 200);
    let mails: serde_json::Value = serde_json::from_slice(outbox.body()).expect("json");
    let mail = &mails[0];
    assert_eq!(mail["to"], "grace@example.com");
    let link = mail["links"][0].as_str().expect("link");
    assert!(
        link.starts_with(&format!("{BASE}/api/verify?token=")),
        "{link}"
    );
    assert!(mail["sent_at"].as_str().is_some_and(|s| s.ends_with('Z')));
    let token = token_in(link, "token=");

    let verified = block_on(
        edge.handle(
            http::Request::get(format!("/api/verify?token={token}"))
                .body(bytes::Bytes::new())
                .expect("request"),
            None,
        ),
    );
    assert_eq!(verified.status(), 303);
    let confirmed = post(
        "/api/verify",
        form(&[("token", token.as_str()), ("password", "Cobol-rules1")]),
    );
    assert_eq!(confirmed.status(), 303);
    let signed_in = post(
        "/api/sign-in",
        form(&[("email", "grace@example.com"), ("password", "Cobol-rules1")]),
    );
    assert_eq!(signed_in.status(), 303);

    let html = block_on(
        edge.handle(
            http::Request::get("/_dev/outbox")
                .body(bytes::Bytes::new())
                .expect("request"),
            None,
        ),
    );
    assert!(String::from_utf8_lossy(html.body()).contains("Verify your email address for Konnect"));
    drop(edge);

    // The account survives a restart of the host.
    let edge = native::edge(
        dir.join("state"),
        NoPages,
        config(),
        native::MailNotices::Quiet,
    )
    .expect("reopen");
    let again = block_on(
        edge.handle(
            http::Request::post("/api/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(bytes::Bytes::from(form(&[
                    ("email", "grace@example.com"),
                    ("password", "Cobol-rules1"),
                ])))
                .expect("request"),
            None,
        ),
    );
    assert_eq!(again.status(), 303);
    drop(edge);
    let _ = std::fs::remove_dir_all(dir);
}

/// The dev server may spawn `handle` on a multi-threaded runtime; with the native pieces the
/// future is `Send`.
#[test]
fn native_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dir = temp_dir("send");
    let edge = native::edge(&dir, NoPages, config(), native::MailNotices::Quiet).expect("edge");
    let future = edge.handle(http::Request::new(bytes::Bytes::new()), None);
    assert_send(&future);
    let scheduled = edge.run_scheduled();
    assert_send(&scheduled);
    drop((future, scheduled));
    drop(edge);
    let _ = std::fs::remove_dir_all(dir);
}

/// `gatehouse serve` answers every request on one thread: argon2 must run elsewhere, or a
/// sign-in stalls page loads and live reload.
#[test]
fn the_native_host_hashes_off_the_calling_thread() {
    use edge::Host;
    let dir = temp_dir("hashing");
    let host = native::host(&dir, NoPages, native::MailNotices::Quiet).expect("host");
    assert!(host.hashing.threads() >= 1);
    let caller = std::thread::current().id();
    let ran_on = block_on(host.run_hashing(|| std::thread::current().id())).expect("ran");
    assert_ne!(ran_on, caller);
    drop(host);
    let _ = std::fs::remove_dir_all(dir);
}
