//! The trial clock and the scheduled job, on a manual clock.

mod common;

use common::*;
use edge::clock::DAY;

fn signed_up(h: &Harness) {
    h.signup("ada@example.com", PASSWORD);
    // Confirming signs in and starts the trial; a later sign-in changes nothing.
    h.session("ada@example.com", PASSWORD);
}

/// The account JSON through a fresh session (sessions last 14 days, the trial 30).
fn account_now(h: &Harness) -> serde_json::Value {
    let cookie = h.session("ada@example.com", PASSWORD);
    let (status, body) = h.account_json(&cookie);
    assert_eq!(status, 200);
    body
}

fn reminders(h: &Harness) -> usize {
    h.mail
        .sent_to("ada@example.com")
        .iter()
        .filter(|m| m.subject.contains("ends in 3 days"))
        .count()
}

#[test]
fn reminder_on_day_27_once_then_free_on_day_30() {
    let h = Harness::new();
    signed_up(&h);

    h.advance(26 * DAY);
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(
        (report.reminders_sent, report.trials_ended),
        (0, 0),
        "too early on day 26"
    );
    assert_eq!(account_now(&h)["days_left"], 4);

    h.advance(DAY);
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(report.reminders_sent, 1);
    assert_eq!(reminders(&h), 1);
    let mail = h.last_mail_to("ada@example.com");
    assert!(mail.text.contains("31 January 2026"), "{}", mail.text);
    assert!(
        mail.text.contains(&format!("{BASE}/account/")),
        "{}",
        mail.text
    );
    assert_eq!(account_now(&h)["days_left"], 3);

    // Once: later runs before the end send nothing more.
    h.advance(DAY);
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(report.reminders_sent, 0);
    assert_eq!(reminders(&h), 1);

    h.advance(2 * DAY); // day 30
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(report.trials_ended, 1);
    let account = account_now(&h);
    assert_eq!(account["plan"], "free");
    assert_eq!(account["days_left"], 0);
    assert!(h.last_mail_to("ada@example.com").text.contains("Free plan"));

    // Done: the index entry is gone and nothing happens twice.
    assert!(!h.kv.snapshot().keys().any(|k| k.starts_with("trial-end:")));
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!((report.checked, report.trials_ended), (0, 0));
}

#[test]
fn plus_chosen_during_the_trial_is_kept_at_the_end() {
    let h = Harness::new();
    signed_up(&h);
    h.advance(27 * DAY);
    block_on(h.edge.run_scheduled()).expect("run");
    let cookie = h.session("ada@example.com", PASSWORD);
    h.post_with("/api/account/plan", b"plan=plus", &[("cookie", &cookie)]);
    h.advance(3 * DAY);
    block_on(h.edge.run_scheduled()).expect("run");
    let account = account_now(&h);
    assert_eq!(account["plan"], "plus");
    assert!(
        h.last_mail_to("ada@example.com")
            .text
            .contains("Konnect Plus plan")
    );
    // After the trial, a choice applies at once.
    let cookie = h.session("ada@example.com", PASSWORD);
    h.post_with("/api/account/plan", b"plan=free", &[("cookie", &cookie)]);
    assert_eq!(account_now(&h)["plan"], "free");
}

#[test]
fn a_missed_run_catches_up_without_a_late_reminder() {
    let h = Harness::new();
    signed_up(&h);
    h.advance(31 * DAY);
    // Before the job runs, the account already reads as over.
    assert_eq!(account_now(&h)["plan"], "free");
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!((report.reminders_sent, report.trials_ended), (0, 1));
    assert_eq!(reminders(&h), 0);
}

#[test]
fn the_trial_starts_at_the_first_sign_in_only() {
    let h = Harness::new();
    // Confirming the address is the first sign-in.
    h.signup("ada@example.com", PASSWORD);
    h.advance(5 * DAY);
    assert_eq!(account_now(&h)["trial_ends_at"], "2026-01-31T00:00:00Z");
    h.advance(DAY);
    let account = account_now(&h);
    assert_eq!(account["trial_ends_at"], "2026-01-31T00:00:00Z");
    assert_eq!(account["days_left"], 24);
}

#[test]
fn dev_routes_move_the_clock_and_run_the_job() {
    let h = Harness::new();
    signed_up(&h);
    let clock = h.post("/_dev/clock", &format!("advance={}", 27 * DAY));
    assert_eq!(clock.status(), 200);
    let state: serde_json::Value = serde_json::from_slice(clock.body()).expect("json");
    assert_eq!(state["offset_seconds"], 27 * DAY);
    assert_eq!(state["now"], "2026-01-28T00:00:00Z");

    let cron = h.post("/_dev/cron", "");
    let report: serde_json::Value = serde_json::from_slice(cron.body()).expect("json");
    assert_eq!(report["reminders_sent"], 1);
    assert_eq!(account_now(&h)["days_left"], 3);

    let outbox = h.get_with("/_dev/outbox", &[("accept", "application/json")]);
    assert_eq!(outbox.status(), 200);
    // The capturing mailer is not the outbox; the outbox itself is tested with the native host.
    let reset = h.post("/_dev/clock", "reset=1");
    let state: serde_json::Value = serde_json::from_slice(reset.body()).expect("json");
    assert_eq!(state["offset_seconds"], 0);
    assert_eq!(h.post("/_dev/clock", "advance=soon").status(), 400);
}

#[test]
fn dev_routes_do_not_exist_outside_development() {
    let mut config = config();
    config.dev = false;
    let h = Harness::with(config, edge::StaticPages::new());
    assert_eq!(h.post("/_dev/clock", "advance=100").status(), 404);
    assert_eq!(h.post("/_dev/cron", "").status(), 404);
    assert_eq!(h.get("/_dev/outbox").status(), 404);
    assert!(h.kv.snapshot().is_empty());
}
