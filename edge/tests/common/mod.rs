//! A test host: in-memory Kv on a manual clock (behind [`StaleKv`], which can serve stale
//! reads), a capturing mailer, a seeded Rng, and helpers to drive the core like a browser
//! would.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use edge::placement;
use edge::shard::Shard;
use edge::{
    CapturingMailer, Edge, EdgeConfig, Kv, KvError, KvLimiter, Limits, ListPage, Mail, ManualClock,
    MemoryKv, SeededRng, Services, StaticPages, Txn, Write,
};
use http::{Method, Request, Response};

/// Polls a future that never waits (everything in the test host is synchronous).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the future kept waiting; the test host should never wait");
}

pub const BASE: &str = "http://127.0.0.1:1111";
pub const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
pub const PASSWORD: &str = "Correct-horse1";

pub type TestHost =
    Services<StaleKv, CapturingMailer, ManualClock, SeededRng, KvLimiter<StaleKv>, StaticPages>;

/// A store double that serves stale reads, as a Workers KV location holding an old copy
/// did: after [`StaleKv::freeze`], every `get` answers from the store as it was then,
/// while commits go to the live store and their expectations are checked there. Until
/// frozen (and after [`StaleKv::thaw`]) it is the live store. What a flow does on stale
/// reads shows whether it depends on freshness: a flow that writes only what it read
/// (`kv::update`, `kv::take`) fails and changes nothing; one that writes blind undoes
/// what happened since.
///
/// It also plays the Workers host's objects (`edge::shard`): each request runs on the
/// object `placement::route` names ([`Harness::send`]), every record belongs to the object
/// that wrote it, and a flow that reads or writes another object's record without
/// `Kv::at` panics, naming both (on Workers it would find nothing there). A listing shows
/// only the object's own records, as on Workers.
type Picker = Box<dyn Fn(&Txn) -> bool + Send>;

#[derive(Clone)]
pub struct StaleKv {
    live: MemoryKv,
    frozen: Arc<Mutex<Option<BTreeMap<String, String>>>>,
    owners: Arc<Mutex<BTreeMap<String, Shard>>>,
    /// The object of the request being answered.
    here: Arc<Mutex<Shard>>,
    /// Set for a handle on another object (`Kv::at`).
    fixed: Option<Shard>,
    /// The next commit this picks fails.
    failing: Arc<Mutex<Option<Picker>>>,
}

impl StaleKv {
    pub fn new(live: MemoryKv) -> Self {
        Self {
            live,
            frozen: Arc::default(),
            owners: Arc::default(),
            here: Arc::new(Mutex::new(Shard::Shared)),
            fixed: None,
            failing: Arc::default(),
        }
    }

    /// Fails the next commit `pick` says yes to: a request that stops there, as one whose
    /// Worker was stopped between two objects' commits.
    pub fn fail_commit(&self, pick: impl Fn(&Txn) -> bool + Send + 'static) {
        *self.failing.lock().expect("lock") = Some(Box::new(pick));
    }

    /// From now on, reads see the store as it is now.
    pub fn freeze(&self) {
        self.serve_from(self.live.snapshot());
    }

    /// From now on, reads see `snapshot` (taken earlier with `MemoryKv::snapshot`).
    pub fn serve_from(&self, snapshot: BTreeMap<String, String>) {
        *self.frozen.lock().expect("lock") = Some(snapshot);
    }

    /// Reads see the live store again.
    pub fn thaw(&self) {
        *self.frozen.lock().expect("lock") = None;
    }

    /// The object the next calls run on (until the next request).
    pub fn run_on(&self, shard: Shard) {
        *self.here.lock().expect("lock") = shard;
    }

    /// The object holding `key`, if a flow wrote it.
    pub fn owner(&self, key: &str) -> Option<Shard> {
        self.owners.lock().expect("lock").get(key).cloned()
    }

    fn object(&self) -> Shard {
        self.fixed
            .clone()
            .unwrap_or_else(|| self.here.lock().expect("lock").clone())
    }

    fn check(&self, key: &str, what: &str) {
        let object = self.object();
        if let Some(owner) = self.owner(key)
            && owner != object
        {
            panic!("{what} {key}, a record of {owner:?}, on {object:?}: use Kv::at");
        }
    }
}

impl Kv for StaleKv {
    fn at(&self, shard: &Shard) -> Self {
        Self {
            fixed: Some(shard.clone()),
            ..self.clone()
        }
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.check(key, "read");
        let stale = self
            .frozen
            .lock()
            .expect("lock")
            .as_ref()
            .map(|snapshot| snapshot.get(key).cloned());
        match stale {
            Some(value) => Ok(value),
            None => self.live.get(key).await,
        }
    }

    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        {
            let mut failing = self.failing.lock().expect("lock");
            if failing.as_ref().is_some_and(|pick| pick(txn)) {
                *failing = None;
                return Err(KvError::new("the commit was stopped (a test)"));
            }
        }
        for (key, _) in &txn.expect {
            self.check(key, "expected");
        }
        for write in &txn.writes {
            let (Write::Put { key, .. } | Write::Delete { key }) = write;
            self.check(key, "wrote");
        }
        let done = self.live.commit(txn).await?;
        if done {
            let mut owners = self.owners.lock().expect("lock");
            for write in &txn.writes {
                match write {
                    Write::Put { key, .. } => owners.insert(key.clone(), self.object()),
                    Write::Delete { key } => owners.remove(key),
                };
            }
        }
        Ok(done)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        let object = self.object();
        let mut page = self.live.list(prefix, cursor, limit).await?;
        let owners = self.owners.lock().expect("lock");
        page.keys
            .retain(|key| owners.get(key).is_none_or(|owner| *owner == object));
        Ok(page)
    }
}

pub struct Harness {
    pub edge: Edge<TestHost>,
    /// The live store.
    pub kv: MemoryKv,
    /// What the core reads through: [`StaleKv::freeze`] makes its reads stale.
    pub store: StaleKv,
    pub mail: CapturingMailer,
    pub clock: ManualClock,
}

pub fn config() -> EdgeConfig {
    EdgeConfig {
        base_url: format!("{BASE}/"),
        product_name: "Konnect".to_owned(),
        site_title: "Konnect Docs".to_owned(),
        mail_from: "no-reply@docs.test".to_owned(),
        dev: true,
        limits: Limits::default(),
    }
}

/// A register page shaped like the theme's (extra markup around the contract attributes).
pub const REGISTER_PAGE: &str = r#"<!doctype html><html><head><title>Register</title></head><body>
<nav><a href="/">Docs</a></nav>
<form method="post" action="/api/register" novalidate>
  <div class="message" data-form-message role="alert" hidden></div>
  <label for="email">Email</label>
  <input name="email" id="email" type="email" aria-describedby="email-error">
  <p class="error" data-error-for="email" id="email-error" hidden></p>
  <input name="first_name" id="first_name" aria-describedby="first_name-error">
  <p data-error-for="first_name" id="first_name-error" hidden></p>
  <input name="last_name" id="last_name" aria-describedby="last_name-error">
  <p data-error-for="last_name" id="last_name-error" hidden></p>
  <input name="organization" id="organization" aria-describedby="organization-error">
  <p data-error-for="organization" id="organization-error" hidden></p>
  <input name="password" id="password" type="password" aria-describedby="password-hint password-error">
  <ul id="password-hint" data-password-hint><li data-rule="length">8+</li></ul>
  <p data-error-for="password" id="password-error" hidden></p>
  <button>Create account</button>
</form></body></html>"#;

pub const ACCOUNT_PAGE: &str = r#"<!doctype html><html><body><main>
<dl><dd data-account-field="email">…</dd><dd data-account-field="first_name"></dd>
<dd data-account-field="organization"></dd><dd data-account-field="plan"></dd>
<dd data-account-field="days_left"></dd><dd data-account-field="trial_ends_at"></dd></dl>
<section data-plan-state="trial" hidden>trial-block</section>
<section data-plan-state="plus" hidden>plus-block</section>
<section data-plan-state="free">free-block</section>
</main></body></html>"#;

impl Harness {
    pub fn new() -> Self {
        Self::with(
            config(),
            StaticPages::new()
                .with("/register/", REGISTER_PAGE)
                .with("/account/", ACCOUNT_PAGE),
        )
    }

    pub fn with(config: EdgeConfig, pages: StaticPages) -> Self {
        let clock = ManualClock::at_secs(START);
        let kv = MemoryKv::with_clock(clock.clone());
        let store = StaleKv::new(kv.clone());
        let mail = CapturingMailer::new();
        let host = Services {
            kv: store.clone(),
            mailer: mail.clone(),
            clock: clock.clone(),
            rng: SeededRng::new(42),
            limiter: KvLimiter::new(store.clone()),
            pages,
            on_error: |e| eprintln!("internal error: {e}"),
        };
        Self {
            edge: Edge::new(host, config),
            kv,
            store,
            mail,
            clock,
        }
    }

    /// Answers `req` on the object the Worker would send it to (`shard::route`); calls
    /// outside a request (the daily job) run on the shared object.
    pub fn send(&self, req: Request<Bytes>) -> Response<Bytes> {
        self.send_from(req, Some(IP))
    }

    /// [`Harness::send`] from the client `ip`.
    pub fn send_from(&self, req: Request<Bytes>, ip: Option<IpAddr>) -> Response<Bytes> {
        let limits = &self.edge.config().limits;
        self.store
            .run_on(placement::route(&req, limits.max_body_bytes));
        let answer = block_on(self.edge.handle(req, ip));
        self.store.run_on(Shard::Shared);
        answer
    }

    pub fn post_with(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Response<Bytes> {
        let mut builder = Request::builder().method(Method::POST).uri(path);
        for (name, value) in [
            ("host", "127.0.0.1:1111"),
            ("content-type", "application/x-www-form-urlencoded"),
        ] {
            // A header the test gives replaces the default rather than adding a second one.
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                builder = builder.header(name, value);
            }
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Bytes::copy_from_slice(body)).expect("request"))
    }

    pub fn post(&self, path: &str, body: &str) -> Response<Bytes> {
        self.post_with(path, body.as_bytes(), &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response<Bytes> {
        let mut builder = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("host", "127.0.0.1:1111");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Bytes::new()).expect("request"))
    }

    pub fn get(&self, path: &str) -> Response<Bytes> {
        self.get_with(path, &[])
    }

    pub fn register(&self, email: &str, password: &str) -> Response<Bytes> {
        self.post(
            "/api/register",
            &form(&[
                ("email", email),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("organization", "Analytical Engines"),
                ("password", password),
            ]),
        )
    }

    pub fn last_mail_to(&self, email: &str) -> Mail {
        self.mail.sent_to(email).pop().expect("a mail was sent")
    }

    /// Registers, follows the verification link and confirms with the password: verified
    /// and signed in (the trial starts). Returns the session's `Cookie` value.
    pub fn signup(&self, email: &str, password: &str) -> String {
        assert_eq!(self.register(email, password).status(), 303);
        let token = token_in(&self.last_mail_to(email).text, "/api/verify?token=");
        let followed = self.get(&format!("/api/verify?token={token}"));
        assert_eq!(
            location(&followed),
            Some(format!("/register/confirm/?token={token}").as_str())
        );
        let confirmed = self.confirm(&token, password);
        assert_eq!(
            location(&confirmed),
            Some("/account/"),
            "{}",
            text(&confirmed)
        );
        cookie_of(&confirmed)
    }

    /// Posts the confirm form.
    pub fn confirm(&self, token: &str, password: &str) -> Response<Bytes> {
        self.post(
            "/api/verify",
            &form(&[("token", token), ("password", password)]),
        )
    }

    pub fn sign_in(&self, email: &str, password: &str) -> Response<Bytes> {
        self.post(
            "/api/sign-in",
            &form(&[("email", email), ("password", password)]),
        )
    }

    /// Signs in and returns the `Cookie` header value for the new session.
    pub fn session(&self, email: &str, password: &str) -> String {
        let response = self.sign_in(email, password);
        assert_eq!(
            location(&response),
            Some("/account/"),
            "{}",
            text(&response)
        );
        cookie_of(&response)
    }

    pub fn account_json(&self, cookie: &str) -> (u16, serde_json::Value) {
        let response = self.get_with("/api/account", &[("cookie", cookie)]);
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(response.body()).expect("json body"),
        )
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance_secs(secs);
    }
}

pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn text(response: &Response<Bytes>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

pub fn location(response: &Response<Bytes>) -> Option<&str> {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
}

pub fn header<'a>(response: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `__Host-session=…` from the response's Set-Cookie, as a Cookie header value.
pub fn cookie_of(response: &Response<Bytes>) -> String {
    let set = header(response, "set-cookie").expect("set-cookie");
    set.split(';').next().expect("cookie pair").to_owned()
}

/// The token following `marker` in a mail's text.
pub fn token_in(text: &str, marker: &str) -> String {
    let start = text.find(marker).expect("link in mail") + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}
