//! A docs page filled in for its reader: the [`ReaderView`] of a request (its session's
//! account, or the browser's own hint of a registration) and the HTML rewrite that puts it
//! into a page's markers ([`personalize`]). Both hosts call these, and `GET /api/account`
//! hands the same view to the page's script. The markers are [`crate::reader`]'s.
//!
//! Values only ever go in as text, and only into elements the generator marked: never into
//! an attribute, never as markup.

use std::cell::Cell;
use std::collections::BTreeMap;

use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element};
use serde::{Deserialize, Serialize};

use http::HeaderMap;

use crate::accounts::Account;
use crate::clock;
use crate::error::EdgeError;
use crate::host::Host;
use crate::reader::{
    self, FILLED_ATTR, STEP_ATTR, STEP_STATE_ATTR, UNLESS_ATTR, VALUE_ATTR, WHEN_ATTR,
};
use crate::service::Edge;
use crate::sessions;
use crate::trial::{self, Plan, Subscription};

/// What a page may show of its reader: their states ([`reader::STATES`]), the checklist
/// steps done ([`reader::STEPS`]) and the values ([`reader::VALUES`]; empty for a reader
/// not signed in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderView {
    pub states: Vec<String>,
    pub steps: Vec<String>,
    pub values: BTreeMap<String, String>,
}

impl ReaderView {
    fn of_states(states: &[&str]) -> Self {
        Self {
            states: states.iter().map(|s| (*s).to_owned()).collect(),
            steps: reader::steps_done(states)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            values: BTreeMap::new(),
        }
    }

    pub fn signed_out() -> Self {
        Self::of_states(&[reader::SIGNED_OUT])
    }

    /// Registered from this browser, not confirmed yet.
    pub fn unverified() -> Self {
        Self::of_states(&[reader::UNVERIFIED])
    }

    /// A signed-in reader's view.
    pub fn of_account(account: &Account, sub: &Subscription, now: i64) -> Result<Self, EdgeError> {
        let plan = trial::effective_plan(sub, now);
        let mut states = vec![reader::SIGNED_IN, plan.as_str()];
        let ended = sub.trial.as_ref().is_some_and(|t| now >= t.ends_at);
        if ended {
            states.push(reader::TRIAL_ENDED);
        }
        let mut view = Self::of_states(&states);
        if sub.trial.is_some() {
            view.steps.push("trial".into());
        }
        if sub.plan_after_trial.is_some() || (ended && plan != Plan::Trial) {
            view.steps.push("plan".into());
        }
        let in_trial = plan == Plan::Trial && sub.trial.is_some();
        let ends = match &sub.trial {
            Some(t) if in_trial => clock::human_date(t.ends_at)?,
            _ => String::new(),
        };
        let days = if in_trial {
            trial::days_left(sub, now).to_string()
        } else {
            String::new()
        };
        let values: [(&str, String); 8] = [
            ("email", account.email.clone()),
            ("first_name", account.first_name.clone()),
            ("last_name", account.last_name.clone()),
            ("organization", account.organization.clone()),
            ("plan_label", plan.label().to_owned()),
            ("trial_days_left", days),
            ("trial_ends_at", ends),
            (
                "plan_after_trial",
                sub.plan_after_trial
                    .map(Plan::label)
                    .unwrap_or_default()
                    .to_owned(),
            ),
        ];
        view.values = values
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        Ok(view)
    }

    /// Whether the reader is in any of `listed` (a marker's space-separated states).
    fn is_any(&self, listed: &str) -> bool {
        listed
            .split_whitespace()
            .any(|state| self.states.iter().any(|s| s == state))
    }
}

impl<H: Host> Edge<H> {
    /// The reader a request comes from: its session's account (one read of the account's
    /// plan beside the session's), else the browser's own hint of a registration, else a
    /// reader signed out.
    pub async fn reader_view(&self, headers: &HeaderMap) -> Result<ReaderView, EdgeError> {
        let now = self.now().await?;
        if sessions::cookie_value(headers).is_some() {
            let kv = self.host().kv();
            let signed_in = sessions::current_with(kv, headers, now, |email_key| async move {
                trial::load(kv, &email_key).await
            })
            .await?;
            if let Some((signed_in, sub)) = signed_in {
                return ReaderView::of_account(&signed_in.account, &sub, now);
            }
        }
        let registered = sessions::cookie(headers, reader::HINT_COOKIE)
            .is_some_and(|hint| hint == reader::HINT_REGISTERED);
        Ok(if registered {
            ReaderView::unverified()
        } else {
            ReaderView::signed_out()
        })
    }
}

/// The `Cache-Control` of a page filled in for its reader: no cache, shared or not, keeps it.
pub const CACHE_CONTROL: &str = "private, no-store";

/// Whether a request may be answered with a page filled in for its reader: it carries a
/// session or the registration hint. Any other request gets the static page, which is
/// the signed-out version.
pub fn wants_personal_page(headers: &HeaderMap) -> bool {
    sessions::cookie_value(headers).is_some()
        || sessions::cookie(headers, reader::HINT_COOKIE)
            .is_some_and(|hint| hint == reader::HINT_REGISTERED)
}

/// `html` with its reader markers filled in for `view`: values as text, each state block
/// shown or removed, each checklist step marked done or next, and `<html>` marked filled.
pub fn personalize(html: &str, view: &ReaderView) -> Result<String, EdgeError> {
    // The first step not done is the next one; a step's two labels follow its state.
    let next_taken = Cell::new(false);
    let step_state: Cell<Option<&'static str>> = Cell::new(None);
    let handlers = vec![
        element!("html", |el| {
            el.set_attribute(FILLED_ATTR, "")?;
            Ok(())
        }),
        element!(format!("[{VALUE_ATTR}]"), |el| {
            let value = el
                .get_attribute(VALUE_ATTR)
                .and_then(|name| view.values.get(&name))
                .filter(|value| !value.is_empty());
            if let Some(value) = value {
                el.set_inner_content(value, ContentType::Text);
            }
            Ok(())
        }),
        element!(format!("[{WHEN_ATTR}]"), |el| {
            if el.get_attribute(WHEN_ATTR).is_some_and(|s| view.is_any(&s)) {
                el.remove_attribute("hidden");
            } else {
                el.remove();
            }
            Ok(())
        }),
        element!(format!("[{UNLESS_ATTR}]"), |el| {
            if el
                .get_attribute(UNLESS_ATTR)
                .is_some_and(|s| view.is_any(&s))
            {
                el.remove();
            } else {
                el.remove_attribute("hidden");
            }
            Ok(())
        }),
        element!(format!("[{STEP_ATTR}]"), |el| {
            let done = el
                .get_attribute(STEP_ATTR)
                .is_some_and(|step| view.steps.contains(&step));
            let state = if done {
                Some("done")
            } else if !next_taken.replace(true) {
                Some("next")
            } else {
                None
            };
            step_state.set(state);
            if let Some(state) = state {
                el.set_attribute(STEP_STATE_ATTR, state)?;
            }
            Ok(())
        }),
        element!(".checklist-done", |el| {
            if step_state.get() == Some("done") {
                el.remove_attribute("hidden");
            }
            Ok(())
        }),
        element!(".checklist-next", |el| {
            if step_state.get() == Some("next") {
                el.remove_attribute("hidden");
            }
            Ok(())
        }),
    ];
    let mut settings = RewriteStrSettings::new();
    for handler in handlers {
        settings = settings.append_element_content_handler(handler);
    }
    lol_html::rewrite_str(html, settings).map_err(|e| EdgeError::Html(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trial::Trial;

    const PAGE: &str = concat!(
        "<html><body>",
        "<p>Hello <span data-reader=\"first_name\">there</span>.</p>",
        "<div data-reader-when=\"trial\" hidden><p>Days: <span data-reader=\"trial_days_left\">30</span></p></div>",
        "<div data-reader-unless=\"trial\"><p>Start a trial.</p></div>",
        "<div data-reader-when=\"signed-out\"><p>Sign up.</p></div>",
        "<ol>",
        "<li><span data-reader-step=\"registered\"><span class=\"checklist-done\" hidden>✓ Account created</span><span class=\"checklist-next\" hidden>Next step</span></span> Register</li>",
        "<li><span data-reader-step=\"verified\"><span class=\"checklist-done\" hidden>✓ Email verified</span><span class=\"checklist-next\" hidden>Next step</span></span> Verify</li>",
        "<li><span data-reader-step=\"signed-in\"><span class=\"checklist-done\" hidden>✓ Signed in</span><span class=\"checklist-next\" hidden>Next step</span></span> Sign in</li>",
        "</ol></body></html>"
    );

    fn account(first_name: &str) -> Account {
        Account {
            email: "ada@example.com".into(),
            first_name: first_name.into(),
            last_name: "Lovelace".into(),
            organization: "Analytical".into(),
            password_hash: String::new(),
            verified: true,
            created_at: 0,
            verified_at: None,
            registration: String::new(),
            session_epoch: 0,
            pending: Vec::new(),
            arriving_from: None,
        }
    }

    fn trial_sub(now: i64) -> Subscription {
        Subscription {
            trial: Some(Trial {
                started_at: now,
                ends_at: now + 30 * clock::DAY,
                reminder_sent_at: None,
                ended_at: None,
            }),
            plan: Plan::Trial,
            plan_after_trial: None,
        }
    }

    #[test]
    fn a_reader_in_trial_gets_values_blocks_and_steps() -> Result<(), EdgeError> {
        let now = 1_800_000_000;
        let view = ReaderView::of_account(&account("Ada"), &trial_sub(now), now)?;
        let html = personalize(PAGE, &view)?;
        assert!(html.starts_with("<html data-reader-filled=\"\">"), "{html}");
        assert!(html.contains("Hello <span data-reader=\"first_name\">Ada</span>"));
        assert!(html.contains("<div data-reader-when=\"trial\"><p>Days: <span data-reader=\"trial_days_left\">30</span>"), "{html}");
        assert!(!html.contains("Start a trial"));
        assert!(!html.contains("Sign up."));
        assert_eq!(html.matches("data-state=\"done\"").count(), 3, "{html}");
        assert!(!html.contains("data-state=\"next\""));
        assert_eq!(
            html.matches("<span class=\"checklist-done\">").count(),
            3,
            "{html}"
        );
        Ok(())
    }

    #[test]
    fn values_go_in_as_text_and_an_empty_value_keeps_the_fallback() -> Result<(), EdgeError> {
        let now = 1_800_000_000;
        let view = ReaderView::of_account(
            &account("<img src=x onerror=alert(1)>"),
            &Subscription {
                plan: Plan::Free,
                ..Subscription::default()
            },
            now,
        )?;
        let html = personalize(PAGE, &view)?;
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(!html.contains("<img"));
        // No trial: the days value is empty, so the fallback stays (and its block goes).
        assert!(html.contains("Start a trial"));
        Ok(())
    }

    #[test]
    fn an_unverified_reader_has_one_step_done_and_the_next_marked() -> Result<(), EdgeError> {
        let html = personalize(PAGE, &ReaderView::unverified())?;
        assert_eq!(html.matches("data-state=\"done\"").count(), 1);
        assert_eq!(html.matches("data-state=\"next\"").count(), 1);
        assert!(html.contains("<span data-reader-step=\"verified\" data-state=\"next\"><span class=\"checklist-done\" hidden>✓ Email verified</span><span class=\"checklist-next\">Next step</span>"), "{html}");
        assert!(!html.contains("Sign up."), "not signed out: registered");
        assert!(html.contains("Hello <span data-reader=\"first_name\">there</span>"));
        Ok(())
    }

    #[test]
    fn the_view_names_exactly_the_values_pages_may_use() -> Result<(), EdgeError> {
        let view = ReaderView::of_account(&account("Ada"), &Subscription::default(), 0)?;
        let mut names: Vec<&str> = view.values.keys().map(String::as_str).collect();
        let mut expected = reader::VALUES.to_vec();
        names.sort_unstable();
        expected.sort_unstable();
        assert_eq!(names, expected);
        for state in &view.states {
            assert!(reader::STATES.contains(&state.as_str()), "{state}");
        }
        Ok(())
    }

    #[test]
    fn a_trial_that_ended_is_its_own_state() -> Result<(), EdgeError> {
        let now = 1_800_000_000;
        let sub = trial_sub(now - 31 * clock::DAY);
        let view = ReaderView::of_account(&account("Ada"), &sub, now)?;
        assert_eq!(view.states, ["signed-in", "free", "trial-ended"]);
        assert!(view.steps.contains(&"plan".to_owned()));
        assert_eq!(view.values["trial_days_left"], "");
        Ok(())
    }
}
