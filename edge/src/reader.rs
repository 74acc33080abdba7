//! What a docs page may know of its reader, in one place: the values (`{{reader.NAME}}`),
//! the states a block can be shown for (`{% reader STATE… %}`), the checklist's steps
//! (`{% step NAME %}`), and the markup that carries them from the generator, which writes
//! the markers into pages, to whoever fills them in: the edge (`personalize.rs`, for a
//! request with a session) or the theme's `reader.js` (in the browser).
//!
//! Needs nothing of the backend, so the generator checks pages against these lists without
//! compiling it: a name the backend does not fill in is a build error.
//!
//! The markup, as the generator writes it (the static page is the signed-out version):
//!
//! | marker | static page | filled in |
//! |---|---|---|
//! | `<span data-reader="organization">your organization</span>` | the fallback | the value, as text |
//! | `<div data-reader-when="trial plus" hidden>` | hidden, unless `signed-out` is listed | shown for a listed state, removed otherwise |
//! | `<div data-reader-unless="trial plus">` (the `else` branch) | the reverse | the reverse |
//! | `<span data-reader-step="verified" data-label="Email verified">` | empty | `✓ Email verified` when done (`data-state="done"`), `Next step` on the first step not done (`data-state="next"`) |
//! | `<html data-reader-filled>` | — | set by the edge, so the script leaves the page alone |

/// `{{reader.NAME}}`: the names, as the account JSON's `reader.values` has them
/// (`GET /api/account`). Each is text; empty when the account has none (the fallback stays).
pub const VALUES: [&str; 8] = [
    "email",
    "first_name",
    "last_name",
    "organization",
    "plan_label",
    "trial_days_left",
    "trial_ends_at",
    "plan_after_trial",
];

/// A reader who is not signed in, and has not registered from this browser.
pub const SIGNED_OUT: &str = "signed-out";
/// Registered from this browser, the address not yet confirmed (the browser's own
/// [`HINT_COOKIE`] says so; nothing about the address is looked up).
pub const UNVERIFIED: &str = "unverified";
pub const SIGNED_IN: &str = "signed-in";
/// In the Plus trial.
pub const TRIAL: &str = "trial";
pub const PLUS: &str = "plus";
pub const FREE: &str = "free";
/// The trial is over (whatever plan followed it).
pub const TRIAL_ENDED: &str = "trial-ended";

/// The states `{% reader … %}` may name. A signed-in reader is `signed-in`, one of
/// `trial`, `plus` or `free`, and `trial-ended` once the trial is over.
pub const STATES: [&str; 7] = [
    SIGNED_OUT,
    UNVERIFIED,
    SIGNED_IN,
    TRIAL,
    PLUS,
    FREE,
    TRIAL_ENDED,
];

/// The checklist's steps (`{% step NAME %}`), in the order a reader does them, and what a
/// done step says by default.
pub const STEPS: [(&str, &str); 5] = [
    ("registered", "Account created"),
    ("verified", "Email verified"),
    ("signed-in", "Signed in"),
    ("trial", "Plus trial started"),
    ("plan", "Plan chosen"),
];

/// What a done step says when the page gives no label of its own.
pub fn step_label(step: &str) -> Option<&'static str> {
    STEPS
        .iter()
        .find(|(name, _)| *name == step)
        .map(|(_, label)| *label)
}

/// The steps done in a state: what the reader's state implies, nothing looked up.
pub fn steps_done(states: &[&str]) -> Vec<&'static str> {
    let has = |state| states.contains(&state);
    let mut done = Vec::new();
    if has(UNVERIFIED) || has(SIGNED_IN) {
        done.push("registered");
    }
    if has(SIGNED_IN) {
        done.extend(["verified", "signed-in"]);
    }
    done
}

pub const VALUE_ATTR: &str = "data-reader";
pub const WHEN_ATTR: &str = "data-reader-when";
pub const UNLESS_ATTR: &str = "data-reader-unless";
pub const STEP_ATTR: &str = "data-reader-step";
pub const STEP_LABEL_ATTR: &str = "data-label";
pub const STEP_STATE_ATTR: &str = "data-state";
/// On `<html>` of a page the edge filled in.
pub const FILLED_ATTR: &str = "data-reader-filled";

/// A cookie the page's script may read (not `HttpOnly`, no secret in it): `signed-in`
/// while a session cookie is set, `registered` after a registration from this browser
/// until its link is used or expires. With none, the script knows the reader is signed
/// out and asks nothing; the session cookie alone decides what the edge fills in.
pub const HINT_COOKIE: &str = "__Host-reader";
pub const HINT_SIGNED_IN: &str = "signed-in";
pub const HINT_REGISTERED: &str = "registered";

/// The `Set-Cookie` value of the hint (`None`: clear it).
pub fn hint_cookie(value: Option<&str>, max_age_secs: i64) -> String {
    match value {
        Some(value) => {
            format!("{HINT_COOKIE}={value}; Path=/; Secure; SameSite=Lax; Max-Age={max_age_secs}")
        }
        None => format!("{HINT_COOKIE}=; Path=/; Secure; SameSite=Lax; Max-Age=0"),
    }
}

/// Whether a `{% reader %}` block for `states` shows on the static page (signed out).
pub fn shown_signed_out(states: &[&str]) -> bool {
    states.contains(&SIGNED_OUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_a_label_and_implied_steps_are_steps() {
        for (name, label) in STEPS {
            assert_eq!(step_label(name), Some(label));
        }
        for state in STATES {
            for step in steps_done(&[state]) {
                assert!(step_label(step).is_some(), "{step}");
            }
        }
        assert_eq!(steps_done(&[SIGNED_OUT]), Vec::<&str>::new());
        assert_eq!(steps_done(&[UNVERIFIED]), vec!["registered"]);
    }

    #[test]
    fn the_hint_cookie_is_readable_by_scripts_and_carries_no_secret() {
        let set = hint_cookie(Some(HINT_SIGNED_IN), 60);
        assert!(set.starts_with("__Host-reader=signed-in; Path=/; Secure"));
        assert!(!set.contains("HttpOnly"));
        assert!(hint_cookie(None, 0).contains("Max-Age=0"));
    }
}
