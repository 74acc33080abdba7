//! Which flows depend on fresh reads? Each test serves the core stale reads
//! ([`StaleKv`]: the store as it was a moment ago, as a Workers KV location with an old
//! copy did) while commits go to the live store, and checks that what happened since is
//! not undone. Every flow writes only what it read (`kv::update`, `kv::take`), so a stale
//! read can fail a request, which then changes nothing, but never write over a newer
//! record. Before, the plan record was written blind: the job that ends a trial, reading
//! a copy from before the reader chose Plus, put them on Free.

mod common;

use common::*;
use edge::clock::DAY;

const EMAIL: &str = "ada@example.com";
const NEW_PASSWORD: &str = "Another-horse2";

fn post_as(h: &Harness, cookie: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
    h.post_with(path, form(fields).as_bytes(), &[("cookie", cookie)])
        .status()
        .as_u16()
}

fn plan_now(h: &Harness) -> serde_json::Value {
    let cookie = h.session(EMAIL, PASSWORD);
    let (status, body) = h.account_json(&cookie);
    assert_eq!(status, 200);
    body["plan"].clone()
}

#[test]
fn a_job_reading_stale_data_does_not_undo_a_plan_choice() {
    let h = Harness::new();
    h.signup(EMAIL, PASSWORD);
    h.advance(29 * DAY);
    let cookie = h.session(EMAIL, PASSWORD);

    // On the trial's last day the reader chooses Plus; at its end the job runs on a copy
    // from before the choice.
    h.store.freeze();
    assert_eq!(
        post_as(&h, &cookie, "/api/account/plan", &[("plan", "plus")]),
        303
    );
    h.advance(DAY);
    let stale = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(
        (stale.trials_ended, stale.failed),
        (0, 1),
        "the end of the trial was not written over the choice"
    );

    h.store.thaw();
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(report.trials_ended, 1, "{report:?} {:?}", h.kv.snapshot());
    assert_eq!(plan_now(&h), "plus");
    assert!(h.last_mail_to(EMAIL).text.contains("Konnect Plus plan"));
}

#[test]
fn a_reminder_on_stale_data_keeps_a_plan_choice() {
    let h = Harness::new();
    h.signup(EMAIL, PASSWORD);
    h.advance(27 * DAY);
    let cookie = h.session(EMAIL, PASSWORD);

    h.store.freeze();
    assert_eq!(
        post_as(&h, &cookie, "/api/account/plan", &[("plan", "plus")]),
        303
    );
    // The reminder goes out; its flag, decided on the stale copy, is not written.
    let stale = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(stale.failed, 1);

    h.store.thaw();
    h.advance(3 * DAY);
    block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(
        plan_now(&h),
        "plus",
        "the choice made during the reminder stands"
    );
}

#[test]
fn a_password_reset_is_not_undone_by_stale_reads() {
    let h = Harness::new();
    h.signup(EMAIL, PASSWORD);
    let old_session = h.session(EMAIL, PASSWORD);
    let before_reset = h.kv.snapshot();

    h.post("/api/forgot-password", &form(&[("email", EMAIL)]));
    let token = token_in(&h.last_mail_to(EMAIL).text, "/reset-password/?token=");
    let reset = h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", NEW_PASSWORD)]),
    );
    assert_eq!(location(&reset), Some("/sign-in/?reset=1"));

    // Everything the old session and the old password try, on a copy from before the
    // reset: none of it may write, whatever it answers.
    h.store.serve_from(before_reset);
    for _ in 0..3 {
        post_as(
            &h,
            &old_session,
            "/api/account/profile",
            &[
                ("first_name", "Mallory"),
                ("last_name", "M"),
                ("organization", "Evil"),
            ],
        );
        post_as(&h, &old_session, "/api/account/sessions/revoke", &[]);
        post_as(
            &h,
            &old_session,
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Mallory-horse9"),
            ],
        );
        h.sign_in(EMAIL, PASSWORD);
    }
    let stale_sign_in = h.sign_in(EMAIL, PASSWORD);
    let stale_sign_in = header(&stale_sign_in, "set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    // The link again: its token is gone from the live store.
    h.post(
        "/api/reset-password",
        &form(&[("token", &token), ("password", "Mallory-horse9")]),
    );

    h.store.thaw();
    assert_eq!(
        h.sign_in(EMAIL, PASSWORD).status(),
        422,
        "the old password is dead"
    );
    assert_eq!(h.sign_in(EMAIL, "Mallory-horse9").status(), 422);
    assert_eq!(location(&h.sign_in(EMAIL, NEW_PASSWORD)), Some("/account/"));
    assert_eq!(
        h.account_json(&old_session).0,
        401,
        "the old session is dead"
    );
    if !stale_sign_in.is_empty() {
        assert_eq!(h.account_json(&stale_sign_in).0, 401);
    }
    let account = h.kv.snapshot();
    assert!(
        !account.values().any(|v| v.contains("Mallory")),
        "no stale write landed"
    );
}

#[test]
fn a_job_reading_stale_data_keeps_a_new_trials_entry() {
    let h = Harness::new();
    h.signup(EMAIL, PASSWORD);
    h.advance(30 * DAY);
    block_on(h.edge.run_scheduled()).expect("run");
    let ended = h.kv.snapshot();

    // The address is deleted and registered again: a second trial, with its own entry.
    let cookie = h.session(EMAIL, PASSWORD);
    assert_eq!(
        post_as(
            &h,
            &cookie,
            "/api/account/delete",
            &[("current_password", PASSWORD), ("confirm", EMAIL)]
        ),
        303
    );
    h.signup(EMAIL, PASSWORD);
    let entries = |h: &Harness| {
        h.kv.snapshot()
            .keys()
            .filter(|k| k.starts_with("trial-end:"))
            .count()
    };
    assert_eq!(entries(&h), 1);

    // On the copy from before, the first trial is over: its entry would be dropped.
    h.advance(27 * DAY);
    h.store.serve_from(ended);
    block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(entries(&h), 1, "the new trial's entry stays");

    h.store.thaw();
    let report = block_on(h.edge.run_scheduled()).expect("run");
    assert_eq!(report.reminders_sent, 1, "the second trial is reminded");
}
