//! No account enumeration by timing or by errors: mail goes out only after the answer
//! (`Edge::answer` hands it back as deferred work), a failing mail transport never shows in
//! the answer, and known and unknown addresses cost the same Kv and hashing work before it.

mod common;

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use common::{IP, PASSWORD, START, block_on, config, form, location, text, token_in};
use edge::{
    CapturingMailer, Edge, EdgeError, Host, Kv, KvError, KvLimiter, ListPage, Mail, MailError,
    Mailer, ManualClock, MemoryKv, SeededRng, Services, StaticPages, Txn,
};
use http::{Method, Request, Response};

/// What the core did, in order: `get`, `put`, `delete`, `commit`, `list` on the Kv, `hash` for each
/// argon2 run through the host's hook.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<&'static str>>>);

impl Log {
    fn push(&self, op: &'static str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(op);
    }
    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[derive(Clone)]
struct RecordingKv {
    inner: MemoryKv,
    log: Log,
}

impl Kv for RecordingKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.log.push("get");
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), KvError> {
        self.log.push("put");
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.log.push("delete");
        self.inner.delete(key).await
    }
    async fn commit(&self, txn: &Txn) -> Result<bool, KvError> {
        self.log.push("commit");
        self.inner.commit(txn).await
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, KvError> {
        self.log.push("list");
        self.inner.list(prefix, cursor, limit).await
    }
}

/// Mail that can be switched to fail, as a transport that is down would.
#[derive(Clone, Default)]
struct SwitchMailer {
    sent: CapturingMailer,
    failing: Arc<Mutex<bool>>,
}

impl SwitchMailer {
    fn fail(&self, failing: bool) {
        *self.failing.lock().unwrap_or_else(PoisonError::into_inner) = failing;
    }
}

impl Mailer for SwitchMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        if *self.failing.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(MailError::new("mail API answered 503"));
        }
        self.sent.send(mail).await
    }
}

type Parts = Services<
    RecordingKv,
    SwitchMailer,
    ManualClock,
    SeededRng,
    KvLimiter<RecordingKv>,
    StaticPages,
>;

/// A test host that logs its Kv and hashing work and keeps what it reports.
struct Recorder {
    parts: Parts,
    log: Log,
    reported: Arc<Mutex<Vec<String>>>,
}

impl Host for Recorder {
    type Kv = RecordingKv;
    type Mailer = SwitchMailer;
    type Clock = ManualClock;
    type Rng = SeededRng;
    type Limiter = KvLimiter<RecordingKv>;
    type Pages = StaticPages;

    fn kv(&self) -> &RecordingKv {
        &self.parts.kv
    }
    fn mailer(&self) -> &SwitchMailer {
        &self.parts.mailer
    }
    fn clock(&self) -> &ManualClock {
        &self.parts.clock
    }
    fn rng(&self) -> &SeededRng {
        &self.parts.rng
    }
    fn limiter(&self) -> &KvLimiter<RecordingKv> {
        &self.parts.limiter
    }
    fn pages(&self) -> &StaticPages {
        &self.parts.pages
    }
    fn report(&self, error: &EdgeError) {
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(error.to_string());
    }
    async fn run_hashing<T, F>(&self, work: F) -> Result<T, EdgeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.log.push("hash");
        Ok(work())
    }
}

struct Site {
    edge: Edge<Recorder>,
    log: Log,
    mailer: SwitchMailer,
    reported: Arc<Mutex<Vec<String>>>,
}

impl Site {
    fn new() -> Self {
        let clock = ManualClock::at_secs(START);
        let log = Log::default();
        let kv = RecordingKv {
            inner: MemoryKv::with_clock(clock.clone()),
            log: log.clone(),
        };
        let mailer = SwitchMailer::default();
        let reported = Arc::new(Mutex::new(Vec::new()));
        let host = Recorder {
            parts: Services {
                limiter: KvLimiter::new(kv.clone()),
                kv,
                mailer: mailer.clone(),
                clock,
                rng: SeededRng::new(7),
                pages: StaticPages::new(),
                on_error: |_| {},
            },
            log: log.clone(),
            reported: reported.clone(),
        };
        Self {
            edge: Edge::new(host, config()),
            log,
            mailer,
            reported,
        }
    }

    fn request(path: &str, fields: &[(&str, &str)]) -> Request<Bytes> {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", "127.0.0.1:1111")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(form(fields)))
            .expect("request")
    }

    /// Posts and sends the mail before returning (`Edge::handle`).
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response<Bytes> {
        block_on(self.edge.handle(Self::request(path, fields), Some(IP)))
    }

    fn register(&self, email: &str) -> Response<Bytes> {
        self.post(
            "/api/register",
            &[
                ("email", email),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("organization", "Engines"),
                ("password", PASSWORD),
            ],
        )
    }

    /// An account whose address is verified, through the reset link (which proves the
    /// mailbox, as a verification link does).
    fn verified(&self, email: &str) {
        assert_eq!(self.register(email).status(), 303);
        self.post("/api/forgot-password", &[("email", email)]);
        let mail = self.mailer.sent.sent_to(email).pop().expect("reset mail");
        let token = token_in(&mail.text, "/reset-password/?token=");
        let reset = self.post(
            "/api/reset-password",
            &[("token", &token), ("password", PASSWORD)],
        );
        assert_eq!(
            location(&reset),
            Some("/sign-in/?reset=1"),
            "{}",
            text(&reset)
        );
    }

    /// The work one request does before its answer, and the answer.
    fn probe(&self, path: &str, fields: &[(&str, &str)]) -> (Vec<&'static str>, Response<Bytes>) {
        self.log.take();
        let answer = block_on(self.edge.answer(Self::request(path, fields), Some(IP)));
        let work = self.log.take();
        block_on(self.edge.run_deferred(answer.deferred));
        (work, answer.response)
    }
}

fn shape(response: &Response<Bytes>) -> (u16, Option<String>, Bytes) {
    (
        response.status().as_u16(),
        location(response).map(str::to_owned),
        response.body().clone(),
    )
}

/// For each of the four forms: the known address and an unknown one, each on a site of
/// its own in the same state, do the same Kv operations and argon2 runs, in the same
/// order, and get the same answer.
#[test]
fn known_and_unknown_addresses_do_the_same_work_before_the_answer() {
    let known = "ada@example.com";
    let unknown = "nobody@example.com";
    let wrong = [("password", "Wrong-pass1")];
    type Setup = fn(&Site, &str);
    let cases: [(&str, &str, Setup); 4] = [
        (
            "/api/sign-in",
            "sign-in (verified account, wrong password)",
            |s, e| s.verified(e),
        ),
        ("/api/register", "register (verified account)", |s, e| {
            s.verified(e)
        }),
        (
            "/api/verify/resend",
            "resend (unverified account)",
            |s, e| {
                s.register(e);
            },
        ),
        (
            "/api/forgot-password",
            "forgot (verified account)",
            |s, e| s.verified(e),
        ),
    ];
    for (path, what, setup) in cases {
        let run = |email: &str| {
            let site = Site::new();
            setup(&site, known);
            let mut fields = vec![("email", email)];
            if path == "/api/sign-in" {
                fields.extend(wrong);
            }
            if path == "/api/register" {
                fields.extend([
                    ("first_name", "Eve"),
                    ("last_name", "Example"),
                    ("organization", "Org"),
                    ("password", "Another-pass1"),
                ]);
            }
            let sent_before = site.mailer.sent.sent().len();
            let (work, response) = site.probe(path, &fields);
            let mailed = site.mailer.sent.sent().len() - sent_before;
            // A refused form echoes the address typed; the rest must be the same.
            let (status, location, body) = shape(&response);
            let body = String::from_utf8_lossy(&body).replace(email, "ADDRESS");
            (work, (status, location, body), mailed)
        };
        let (known_work, known_answer, known_mail) = run(known);
        let (unknown_work, unknown_answer, _) = run(unknown);
        assert_eq!(
            known_work, unknown_work,
            "{what}: the work before the answer"
        );
        assert_eq!(known_answer, unknown_answer, "{what}: the answer");
        let hashes = known_work.iter().filter(|op| **op == "hash").count();
        let expected_hashes = usize::from(matches!(path, "/api/sign-in" | "/api/register"));
        assert_eq!(
            hashes, expected_hashes,
            "{what}: argon2 runs through the host's hook"
        );
        let expected_mail = usize::from(path != "/api/sign-in");
        assert_eq!(
            known_mail, expected_mail,
            "{what}: the known address got its mail"
        );
    }
}

/// The answer is made before any mail is sent; the mail goes out when the host runs the
/// deferred work.
#[test]
fn mail_is_sent_after_the_answer() {
    let site = Site::new();
    site.verified("ada@example.com");
    site.register("eve@example.com"); // unverified
    type Fields<'a> = Vec<(&'a str, &'a str)>;
    let requests: [(&str, Fields, &str); 3] = [
        (
            "/api/forgot-password",
            vec![("email", "ada@example.com")],
            "Reset your",
        ),
        (
            "/api/verify/resend",
            vec![("email", "eve@example.com")],
            "Verify your email",
        ),
        (
            "/api/register",
            vec![
                ("email", "new@example.com"),
                ("first_name", "New"),
                ("last_name", "Comer"),
                ("organization", "Org"),
                ("password", PASSWORD),
            ],
            "Verify your email",
        ),
    ];
    for (path, fields, subject) in requests {
        let before = site.mailer.sent.sent().len();
        let answer = block_on(site.edge.answer(Site::request(path, &fields), Some(IP)));
        assert_eq!(answer.response.status(), 303, "{path}");
        assert_eq!(
            site.mailer.sent.sent().len(),
            before,
            "{path}: nothing sent yet"
        );
        assert_eq!(answer.deferred.mails().len(), 1, "{path}");
        block_on(site.edge.run_deferred(answer.deferred));
        let sent = site.mailer.sent.sent();
        assert_eq!(sent.len(), before + 1, "{path}: sent afterwards");
        assert!(
            sent[before].subject.contains(subject),
            "{path}: {}",
            sent[before].subject
        );
    }
}

/// A transport that is down is logged through `Host::report`, and the reader gets what an
/// unknown address gets.
#[test]
fn a_failing_mailer_gives_the_same_answer_as_an_unknown_address() {
    let site = Site::new();
    site.verified("ada@example.com");
    site.register("eve@example.com");
    site.mailer.fail(true);
    let register = |email: &str| {
        site.post(
            "/api/register",
            &[
                ("email", email),
                ("first_name", "Eve"),
                ("last_name", "Example"),
                ("organization", "Org"),
                ("password", "Another-pass1"),
            ],
        )
    };
    let pairs = [
        (
            site.post("/api/forgot-password", &[("email", "ada@example.com")]),
            site.post("/api/forgot-password", &[("email", "nobody@example.com")]),
        ),
        (
            site.post("/api/verify/resend", &[("email", "eve@example.com")]),
            site.post("/api/verify/resend", &[("email", "nobody@example.com")]),
        ),
        (register("ada@example.com"), register("nobody@example.com")),
    ];
    for (known, unknown) in &pairs {
        assert_eq!(known.status(), 303, "{}", text(known));
        assert_eq!(shape(known), shape(unknown));
    }
    let reported = site
        .reported
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    // forgot (ada), resend (eve), register (ada: "already registered"; nobody: the link).
    assert_eq!(reported.len(), 4, "{reported:?}");
    assert!(
        reported.iter().all(|e| e.contains("mail API answered 503")),
        "{reported:?}"
    );
}
