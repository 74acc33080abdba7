//! Verification that a link scanner or an intruder cannot complete.
//!
//! The invariant, checked over every interleaving of two registrations of one address (an
//! owner and an intruder, each with their own password, in either order) with up to two
//! link actions (a scanner following a link; someone holding a link typing a password on
//! the confirm form), and over seeded-random longer runs that add resends and repeated
//! registrations: a password signs in only when someone holding a link for the
//! registration it was given in typed it on the confirm form; following links changes
//! nothing; the owner can always finish from their newest mail with their own password.

mod common;

use common::*;
use edge::{EdgeConfig, Limits, Rule, StaticPages};
use http::{Method, Request};

const EMAIL: &str = "victim@corp.example";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Owner,
    Intruder,
}

impl Who {
    fn password(self) -> &'static str {
        match self {
            Self::Owner => "Owners-own-pass1",
            Self::Intruder => "Intruders-pass2",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Owner => "Olivia",
            Self::Intruder => "Ivan",
        }
    }
}

/// Which link a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkRef {
    /// The newest link mailed for this person's registration.
    NewestOf(Who),
    /// The n-th link mailed (modulo the number of links), for the random runs.
    Nth(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Register(Who),
    /// The owner asks for a new link.
    Resend,
    /// A scanner GETs and HEADs the link and the confirm page it leads to.
    Scan(LinkRef),
    /// Someone holding the link types `Who`'s password on the confirm form.
    Confirm(LinkRef, Who),
}

/// A link in the mailbox, as the model sees it.
#[derive(Debug)]
struct Link {
    token: String,
    /// Whose registrations it may confirm.
    covers: Vec<Who>,
    used: bool,
}

struct Model {
    h: Harness,
    links: Vec<Link>,
    /// Registrations made while the address was not verified.
    pending: Vec<Who>,
    /// Whose password the address was confirmed with.
    verified: Option<Who>,
    trace: Vec<Step>,
}

fn generous_limits() -> Limits {
    let many = Rule {
        limit: 10_000,
        window_secs: 60,
    };
    Limits {
        posts_per_ip: many,
        sign_in_failures_per_email: many,
        mails_per_email: many,
        ..Limits::default()
    }
}

fn harness(limits: Limits) -> Harness {
    Harness::with(EdgeConfig { limits, ..config() }, StaticPages::new())
}

/// Every key and value in the store.
fn snapshot(h: &Harness) -> Vec<(String, Option<String>)> {
    let keys = block_on(edge::kv::list_all(&h.kv, "")).expect("list");
    keys.into_iter()
        .map(|key| {
            let value = block_on(edge::Kv::get(&h.kv, &key)).expect("get");
            (key, value)
        })
        .collect()
}

fn head(h: &Harness, path: &str) -> http::Response<bytes::Bytes> {
    h.send(
        Request::builder()
            .method(Method::HEAD)
            .uri(path)
            .header("host", "127.0.0.1:1111")
            .body(bytes::Bytes::new())
            .expect("request"),
    )
}

impl Model {
    fn new() -> Self {
        Self {
            h: harness(generous_limits()),
            links: Vec::new(),
            pending: Vec::new(),
            verified: None,
            trace: Vec::new(),
        }
    }

    fn register(&self, who: Who) {
        let response = self.h.post(
            "/api/register",
            &form(&[
                ("email", EMAIL),
                ("first_name", who.name()),
                ("last_name", who.name()),
                ("organization", who.name()),
                ("password", who.password()),
            ]),
        );
        assert_eq!(location(&response), Some("/register/check-email/"));
    }

    fn resolve(&self, link: LinkRef) -> Option<usize> {
        match link {
            LinkRef::NewestOf(who) => self.links.iter().rposition(|l| l.covers == [who]),
            LinkRef::Nth(_) if self.links.is_empty() => None,
            LinkRef::Nth(n) => Some(n % self.links.len()),
        }
    }

    /// The token of the newest mail, which must be a verification mail.
    fn newest_token(&self) -> String {
        let mail = self.h.last_mail_to(EMAIL);
        assert!(
            mail.subject.starts_with("Verify"),
            "{:?}: {}",
            self.trace,
            mail.subject
        );
        token_in(&mail.text, "/api/verify?token=")
    }

    fn step(&mut self, step: Step) {
        self.trace.push(step);
        // A minute between steps: real people, and the per-IP window never fills.
        self.h.advance(61);
        let sent_before = self.h.mail.sent_to(EMAIL).len();
        match step {
            Step::Register(who) => {
                self.register(who);
                assert_eq!(self.h.mail.sent_to(EMAIL).len(), sent_before + 1);
                if self.verified.is_some() {
                    let mail = self.h.last_mail_to(EMAIL);
                    assert!(mail.subject.contains("already have"), "{:?}", self.trace);
                } else {
                    self.pending.push(who);
                    let token = self.newest_token();
                    self.links.push(Link {
                        token,
                        covers: vec![who],
                        used: false,
                    });
                }
            }
            Step::Resend => {
                let response = self
                    .h
                    .post("/api/verify/resend", &form(&[("email", EMAIL)]));
                assert_eq!(location(&response), Some("/register/check-email/"));
                if self.verified.is_some() || self.pending.is_empty() {
                    assert_eq!(self.h.mail.sent_to(EMAIL).len(), sent_before);
                } else {
                    let mut covers = self.pending.clone();
                    covers.dedup();
                    let token = self.newest_token();
                    self.links.push(Link {
                        token,
                        covers,
                        used: false,
                    });
                }
            }
            Step::Scan(link) => {
                let Some(i) = self.resolve(link) else { return };
                self.scan(i, 1);
            }
            Step::Confirm(link, who) => {
                let Some(i) = self.resolve(link) else { return };
                self.confirm(i, who);
            }
        }
        // Mail to the address carries no name either registrant typed.
        for mail in self.h.mail.sent_to(EMAIL) {
            for who in [Who::Owner, Who::Intruder] {
                assert!(
                    !mail.text.contains(who.name()) && !mail.subject.contains(who.name()),
                    "{:?}: {}",
                    self.trace,
                    mail.text
                );
            }
        }
    }

    /// Follows link `i` `times` times as a scanner would: nothing in the store changes.
    fn scan(&self, i: usize, times: usize) {
        let token = &self.links[i].token;
        let before = snapshot(&self.h);
        let link = format!("/api/verify?token={token}");
        let page = format!("/register/confirm/?token={token}");
        for _ in 0..times {
            for response in [self.h.get(&link), head(&self.h, &link)] {
                assert_eq!(response.status(), 303);
                assert_eq!(location(&response), Some(page.as_str()));
            }
            let expected = if self.links[i].used {
                400
            } else if self.verified.is_some() {
                303
            } else {
                200
            };
            for response in [self.h.get(&page), head(&self.h, &page)] {
                assert_eq!(response.status(), expected, "{:?}", self.trace);
                assert!(header(&response, "set-cookie").is_none());
            }
        }
        assert_eq!(snapshot(&self.h), before, "{:?}", self.trace);
    }

    fn confirm(&mut self, i: usize, who: Who) {
        let response = self.h.confirm(&self.links[i].token, who.password());
        let status = response.status().as_u16();
        let cookie = header(&response, "set-cookie").map(str::to_owned);
        let trace = &self.trace;
        if self.links[i].used {
            assert_eq!(status, 400, "{trace:?}");
            assert!(cookie.is_none());
        } else if self.verified.is_some() {
            assert_eq!(
                location(&response),
                Some("/sign-in/?verified=1"),
                "{trace:?}"
            );
            assert!(cookie.is_none());
            self.links[i].used = true;
        } else if self.links[i].covers.contains(&who) {
            assert_eq!(location(&response), Some("/account/"), "{trace:?}");
            let (status, account) = self.h.account_json(&cookie_of(&response));
            assert_eq!(status, 200);
            // The details of the registration whose password was typed, and no other's.
            assert_eq!(account["first_name"], who.name(), "{trace:?}");
            assert_eq!(account["plan"], "trial");
            self.links[i].used = true;
            self.verified = Some(who);
            self.pending.clear();
        } else {
            assert_eq!(status, 422, "{trace:?}: {}", text(&response));
            assert!(cookie.is_none(), "{trace:?}");
            assert!(
                text(&response).contains(&format!(r#"value="{}""#, self.links[i].token)),
                "the token is kept"
            );
        }
    }

    /// The end of a run: the owner finishes from their newest mail (unless someone with a
    /// link confirmed the intruder's password), and exactly the confirmed password signs in.
    fn finish(mut self) {
        self.h.advance(16 * 60);
        if self.verified.is_none() {
            let newest = self
                .links
                .iter()
                .rposition(|l| l.covers.contains(&Who::Owner))
                .expect("the owner registered");
            self.trace
                .push(Step::Confirm(LinkRef::Nth(newest), Who::Owner));
            self.confirm(newest, Who::Owner);
            assert_eq!(self.verified, Some(Who::Owner), "{:?}", self.trace);
        }
        for who in [Who::Owner, Who::Intruder] {
            let expected = if self.verified == Some(who) { 303 } else { 422 };
            assert_eq!(
                self.h.sign_in(EMAIL, who.password()).status(),
                expected,
                "{who:?} after {:?}",
                self.trace
            );
        }
    }
}

fn run(steps: &[Step]) {
    let mut model = Model::new();
    for step in steps {
        model.step(*step);
    }
    model.finish();
}

/// Every action on the links of the two registrations.
fn link_actions() -> Vec<Step> {
    let mut actions = Vec::new();
    for link in [Who::Owner, Who::Intruder] {
        actions.push(Step::Scan(LinkRef::NewestOf(link)));
        for typed in [Who::Owner, Who::Intruder] {
            actions.push(Step::Confirm(LinkRef::NewestOf(link), typed));
        }
    }
    actions
}

/// Every sequence with the two registrations (`first` before the other) and up to two
/// link actions anywhere around them.
fn every_interleaving(first: Who) -> Vec<Vec<Step>> {
    let second = match first {
        Who::Owner => Who::Intruder,
        Who::Intruder => Who::Owner,
    };
    let actions = link_actions();
    let mut action_lists: Vec<Vec<Step>> = vec![Vec::new()];
    for a in &actions {
        action_lists.push(vec![*a]);
        for b in &actions {
            action_lists.push(vec![*a, *b]);
        }
    }
    let mut runs = Vec::new();
    for list in action_lists {
        let len = list.len() + 2;
        for i in 0..len {
            for j in i + 1..len {
                let mut rest = list.iter();
                let run: Vec<Step> = (0..len)
                    .map(|k| {
                        if k == i {
                            Step::Register(first)
                        } else if k == j {
                            Step::Register(second)
                        } else {
                            *rest.next().expect("an action per free slot")
                        }
                    })
                    .collect();
                runs.push(run);
            }
        }
    }
    runs
}

#[test]
fn owner_first_every_interleaving() {
    let runs = every_interleaving(Who::Owner);
    assert_eq!(runs.len(), 1 + 3 * 6 + 6 * 36);
    for steps in runs {
        run(&steps);
    }
}

#[test]
fn intruder_first_every_interleaving() {
    for steps in every_interleaving(Who::Intruder) {
        run(&steps);
    }
}

/// xorshift64*: reproducible runs without a dependency.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 33) as usize % n
    }
}

#[test]
fn seeded_random_runs_with_resends_and_repeated_registrations() {
    let mut dice = Dice(0x5eed_1234_abcd_0001);
    let who = |n: usize| if n == 0 { Who::Owner } else { Who::Intruder };
    for _ in 0..40 {
        // The owner registers at some point; the rest is random.
        let len = 4 + dice.below(6);
        let owner_at = dice.below(len);
        let mut steps = Vec::new();
        let mut registrations = 0;
        for k in 0..len {
            if k == owner_at {
                steps.push(Step::Register(Who::Owner));
                continue;
            }
            let step = match dice.below(6) {
                0 if registrations < 3 => {
                    registrations += 1;
                    Step::Register(who(dice.below(2)))
                }
                1 => Step::Resend,
                2 => Step::Scan(LinkRef::Nth(dice.below(8))),
                _ => Step::Confirm(LinkRef::Nth(dice.below(8)), who(dice.below(2))),
            };
            steps.push(step);
        }
        run(&steps);
    }
}

#[test]
fn a_scanner_following_the_link_ten_times_changes_nothing() {
    let mut model = Model::new();
    model.step(Step::Register(Who::Owner));
    model.scan(0, 10);
    // The token still works.
    model.confirm(0, Who::Owner);
    assert_eq!(model.verified, Some(Who::Owner));
}

#[test]
fn the_intruder_registering_last_does_not_change_what_the_owners_link_takes() {
    let mut model = Model::new();
    model.step(Step::Register(Who::Owner));
    model.step(Step::Register(Who::Intruder));
    // The newest mail in the mailbox is the intruder's; the owner's password fails there
    // and works on the owner's own link.
    model.step(Step::Confirm(LinkRef::NewestOf(Who::Intruder), Who::Owner));
    model.step(Step::Confirm(LinkRef::NewestOf(Who::Owner), Who::Intruder));
    assert_eq!(model.verified, None);
    model.step(Step::Confirm(LinkRef::NewestOf(Who::Owner), Who::Owner));
    assert_eq!(model.verified, Some(Who::Owner));
    model.finish();
}

#[test]
fn a_resent_link_confirms_with_the_owners_password_whoever_registered_last() {
    let mut model = Model::new();
    model.step(Step::Register(Who::Owner));
    model.step(Step::Register(Who::Intruder));
    model.step(Step::Resend);
    let resent = model.links.len() - 1;
    assert_eq!(model.links[resent].covers, [Who::Owner, Who::Intruder]);
    model.confirm(resent, Who::Owner);
    assert_eq!(model.verified, Some(Who::Owner));
    model.finish();
}

#[test]
fn wrong_passwords_on_the_confirm_form_count_as_failed_sign_ins() {
    let h = Harness::new();
    h.register(EMAIL, PASSWORD);
    let token = token_in(&h.last_mail_to(EMAIL).text, "/api/verify?token=");
    let limit = Limits::default().sign_in_failures_per_email.limit;
    for _ in 0..limit {
        assert_eq!(h.confirm(&token, "Not-the-one-9").status(), 422);
    }
    // Now even the right password waits, on the confirm form and at sign-in alike.
    let limited = h.confirm(&token, PASSWORD);
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    assert!(
        text(&limited).contains(&format!(r#"value="{token}""#)),
        "the token is kept"
    );
    assert_eq!(h.sign_in(EMAIL, PASSWORD).status(), 429);
    h.advance(15 * 60);
    assert_eq!(location(&h.confirm(&token, PASSWORD)), Some("/account/"));
}

#[test]
fn an_empty_password_is_refused_without_counting() {
    let h = Harness::new();
    h.register(EMAIL, PASSWORD);
    let token = token_in(&h.last_mail_to(EMAIL).text, "/api/verify?token=");
    for _ in 0..10 {
        let empty = h.confirm(&token, "");
        assert_eq!(empty.status(), 422);
        assert!(text(&empty).contains("Enter the password you chose"));
    }
    assert_eq!(location(&h.confirm(&token, PASSWORD)), Some("/account/"));
}

#[test]
fn unknown_and_malformed_tokens_get_the_resend_page() {
    let h = Harness::new();
    let unknown = "A".repeat(43);
    assert_eq!(
        location(&h.get("/api/verify?token=not-a-token")),
        Some("/register/confirm/")
    );
    for response in [
        h.get("/register/confirm/"),
        h.get(&format!("/register/confirm/?token={unknown}")),
        h.confirm(&unknown, PASSWORD),
        h.confirm("", PASSWORD),
    ] {
        assert_eq!(response.status(), 400);
        assert!(text(&response).contains(r#"action="/api/verify/resend""#));
    }
}

#[test]
fn mail_to_an_unverified_address_carries_no_typed_name() {
    let h = Harness::new();
    let spam = "Win-a-prize-at-evil";
    h.post(
        "/api/register",
        &form(&[
            ("email", EMAIL),
            ("first_name", spam),
            ("last_name", spam),
            ("organization", spam),
            ("password", PASSWORD),
        ]),
    );
    h.post("/api/verify/resend", &form(&[("email", EMAIL)]));
    h.post("/api/forgot-password", &form(&[("email", EMAIL)]));
    let mails = h.mail.sent_to(EMAIL);
    assert_eq!(mails.len(), 3);
    for mail in mails {
        assert!(!mail.text.contains(spam), "{}", mail.text);
        assert!(!mail.subject.contains(spam));
        assert!(mail.text.starts_with("Hello,"), "{}", mail.text);
    }
    let verify = h.mail.sent_to(EMAIL)[0].text.clone();
    assert!(
        verify.contains("asked for the password you chose"),
        "{verify}"
    );
}
