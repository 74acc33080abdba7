//! `GET /api/account/export`: what the account holds, as a JSON file, for a signed-in
//! reader; no hash, no token.

use http::StatusCode;
use http::header::CONTENT_DISPOSITION;
use serde::Serialize;

use crate::clock;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::host::Host;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;
use crate::trial::{self, Plan};

use super::account::signed_in_with_plan;
use super::settings::not_signed_in;

/// The file `GET /api/account/export` downloads: what the account holds, no hash, no token.
#[derive(Debug, Serialize)]
struct Export<'a> {
    exported_at: String,
    profile: ExportProfile<'a>,
    plan: ExportPlan,
    created_at: String,
    /// `null` for an account verified before the time was recorded.
    verified_at: Option<String>,
    active_sessions: usize,
}

#[derive(Debug, Serialize)]
struct ExportProfile<'a> {
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    organization: &'a str,
}

#[derive(Debug, Serialize)]
struct ExportPlan {
    plan: &'static str,
    plan_label: &'static str,
    plan_after_trial: Option<&'static str>,
    trial_started_at: Option<String>,
    trial_ends_at: Option<String>,
    trial_ended_at: Option<String>,
}

fn time(at: Option<i64>) -> Result<Option<String>, EdgeError> {
    Ok(at.map(clock::rfc3339).transpose()?)
}

pub(crate) async fn export<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let Some((signed_in, sub)) = signed_in_with_plan(edge, ctx).await? else {
        return not_signed_in(ctx);
    };
    let account = &signed_in.account;
    let kv = edge.host().kv();
    let plan = trial::effective_plan(&sub, ctx.now);
    let trial = sub.trial.as_ref();
    let body = Export {
        exported_at: clock::rfc3339(ctx.now)?,
        profile: ExportProfile {
            email: &account.email,
            first_name: &account.first_name,
            last_name: &account.last_name,
            organization: &account.organization,
        },
        plan: ExportPlan {
            plan: plan.as_str(),
            plan_label: plan.label(),
            plan_after_trial: sub.plan_after_trial.map(Plan::as_str),
            trial_started_at: time(trial.map(|t| t.started_at))?,
            trial_ends_at: time(trial.map(|t| t.ends_at))?,
            trial_ended_at: time(trial.and_then(|t| t.ended_at))?,
        },
        created_at: clock::rfc3339(account.created_at)?,
        verified_at: time(account.verified_at)?,
        active_sessions: sessions::count_live(kv, account, ctx.now).await?,
    };
    let mut answer = response::json(StatusCode::OK, &body)?;
    response::set(
        &mut answer,
        CONTENT_DISPOSITION,
        "attachment; filename=\"account-export.json\"",
    )?;
    Ok(answer)
}
