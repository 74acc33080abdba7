//! The signed-in reader's account: `GET /api/account` (JSON), the server-filled `/account/`
//! page, and `POST /api/account/plan`.

use http::StatusCode;
use serde::Serialize;

use crate::clock;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::host::Host;
use crate::pages::{AccountView, PageFill};
use crate::personalize::ReaderView;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions::{self, SignedIn};
use crate::trial::{self, Plan, Subscription};

use super::form_page;

pub(crate) const PAGE: &str = "/account/";

/// The JSON of `GET /api/account`.
#[derive(Debug, Serialize)]
struct AccountJson<'a> {
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    organization: &'a str,
    /// `trial`, `plus` or `free`.
    plan: &'static str,
    /// For people: `Plus trial`, `Plus`, `Free`.
    plan_label: &'static str,
    /// RFC 3339; `null` before the first sign-in.
    trial_ends_at: Option<String>,
    /// Whole days left in the trial, rounded up; 0 once it is over.
    days_left: i64,
    /// What the reader chose for the end of the trial, if anything.
    plan_after_trial: Option<&'static str>,
    /// What docs pages show this reader (their script fills them in from it).
    reader: ReaderView,
}

fn trial_end(sub: &Subscription) -> Result<Option<String>, EdgeError> {
    Ok(sub
        .trial
        .as_ref()
        .map(|t| clock::rfc3339(t.ends_at))
        .transpose()?)
}

/// The signed-in account and its plan record; `None` without a live session.
pub(crate) async fn signed_in_with_plan<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
) -> Result<Option<(SignedIn, Subscription)>, EdgeError> {
    let kv = edge.host().kv();
    sessions::current_with(kv, &ctx.headers, ctx.now, |email_key| async move {
        trial::load(kv, &email_key).await
    })
    .await
}

pub(crate) async fn json<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let Some((signed_in, sub)) = signed_in_with_plan(edge, ctx).await? else {
        return response::json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({ "error": "not signed in" }),
        );
    };
    let account = &signed_in.account;
    let plan = trial::effective_plan(&sub, ctx.now);
    let body = AccountJson {
        email: &account.email,
        first_name: &account.first_name,
        last_name: &account.last_name,
        organization: &account.organization,
        plan: plan.as_str(),
        plan_label: plan.label(),
        trial_ends_at: trial_end(&sub)?,
        days_left: trial::days_left(&sub, ctx.now),
        plan_after_trial: sub.plan_after_trial.map(Plan::as_str),
        reader: ReaderView::of_account(account, &sub, ctx.now)?,
    };
    response::json(StatusCode::OK, &body)
}

/// The notices `GET /account/` shows after a change: query parameter → `data-notice` name.
const NOTICES: [(&str, &str); 4] = [
    ("saved", "saved"),
    ("password", "password-changed"),
    ("email", "email-pending"),
    ("email_changed", "email-changed"),
];

pub(crate) async fn page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let Some((signed_in, sub)) = signed_in_with_plan(edge, ctx).await? else {
        return response::redirect("/sign-in/");
    };
    let fill = PageFill {
        notices: super::notices(ctx, &NOTICES),
        ..PageFill::default()
    };
    render(edge, ctx, &signed_in, &sub, StatusCode::OK, fill).await
}

/// The account page for `signed_in`, its data filled in on top of `fill` (a refused form's
/// message, errors and typed values; the profile form gets the stored values unless `fill`
/// has typed ones).
pub(crate) async fn render<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    signed_in: &SignedIn,
    sub: &Subscription,
    status: StatusCode,
    mut fill: PageFill,
) -> Result<Resp, EdgeError> {
    let account = &signed_in.account;
    let plan = trial::effective_plan(sub, ctx.now);
    let ends = sub
        .trial
        .as_ref()
        .map(|t| clock::human_date(t.ends_at))
        .transpose()?
        .unwrap_or_default();
    let field = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    for (name, value) in [
        ("first_name", &account.first_name),
        ("last_name", &account.last_name),
        ("organization", &account.organization),
    ] {
        if !fill.values.iter().any(|(n, _)| n == name) {
            fill.values.push(field(name, value));
        }
    }
    fill.account = Some(AccountView {
        fields: vec![
            field("email", &account.email),
            field("first_name", &account.first_name),
            field("last_name", &account.last_name),
            field("organization", &account.organization),
            field("plan", plan.label()),
            field("trial_ends_at", &ends),
            field("days_left", &trial::days_left(sub, ctx.now).to_string()),
            // Without it, choosing a plan during the trial changes nothing on the page.
            field(
                "plan_after_trial",
                sub.plan_after_trial
                    .map_or("Not chosen yet (Free)", Plan::label),
            ),
        ],
        plan: plan.as_str().to_owned(),
    });
    form_page(edge, PAGE, status, &fill).await
}

/// During the trial the choice is kept for its end (the seed: choose at the end of the
/// trial); after it, the plan changes at once.
pub(crate) async fn choose_plan<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let Some(signed_in) = sessions::current(edge.host().kv(), &ctx.headers, ctx.now).await? else {
        return response::redirect("/sign-in/");
    };
    let choice = match form.text("plan") {
        "plus" => Plan::Plus,
        "free" => Plan::Free,
        _ => {
            return Ok(response::notice(
                StatusCode::BAD_REQUEST,
                "The request was refused",
                "Choose either the Plus or the Free plan.",
            ));
        }
    };
    // On the subscription as it is when written: the job may be ending the trial.
    trial::update(edge.host().kv(), &signed_in.account.key_email(), |sub| {
        sub.plan_after_trial = Some(choice);
        if trial::effective_plan(sub, ctx.now) != Plan::Trial {
            sub.plan = choice;
        }
    })
    .await?;
    response::redirect("/account/")
}
