//! Account self-service, for a signed-in reader: edit the profile, change the password,
//! change the address (confirmed from the new mailbox), sign out everywhere, export and
//! delete the account.
//!
//! Every route refuses to act without a live session (303 `/sign-in/`, or 401 JSON for
//! `Accept: application/json`) and counts on the per-IP POST gate. The password change, the
//! email change and the deletion ask for the current password first; a wrong one is 422 and
//! counts on the sign-in failure gates of the account's address, like a failed sign-in.
//!
//! An email change writes nothing to the account until the link mailed to the new address
//! is confirmed (`GET /confirm-email/?token=` shows the form, only its POST uses the
//! token, with the account's password): until then the old address signs in. Whether the
//! new address is taken is not looked at before then (the answer must not tell), and at
//! confirmation a taken address is refused. Confirming moves every record keyed by the
//! address (account, plan, trial index, sessions) to the new one; sessions stay valid.

use http::StatusCode;
use http::header::{ACCEPT, CONTENT_DISPOSITION, SET_COOKIE};
use serde::Serialize;

use crate::accounts::{self, Account, Edit};
use crate::clock;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::kv::{self, Change, Kv, Txn};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions::{self, SignedIn};
use crate::tokens::{self, Binding, TokenKind};
use crate::trial::{self, Plan, Subscription};

use super::account::{render, signed_in_with_plan};
use super::register::{NAME_MAX, ORGANIZATION_MAX};
use super::{
    Gate, MailKind, acquire, form_page, ip_gate, limited, mail_gates, release,
    sign_in_failure_gates, wait_message,
};

pub(crate) const CONFIRM_EMAIL_PAGE: &str = "/confirm-email/";

fn wants_json(ctx: &Ctx) -> bool {
    ctx.headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The answer to a request without a live session.
fn not_signed_in(ctx: &Ctx) -> Result<Resp, EdgeError> {
    if wants_json(ctx) {
        response::json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({ "error": "not signed in" }),
        )
    } else {
        response::redirect("/sign-in/")
    }
}

/// The account page again with `status`, a message, field errors and typed values.
async fn show_again<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    status: StatusCode,
    message: &str,
    errors: Vec<(String, String)>,
    values: Vec<(String, String)>,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values,
        errors,
        message: Some(FormMessage::text(message)),
        ..PageFill::default()
    };
    render(edge, ctx, &who.0, &who.1, status, fill).await
}

/// The session, then the per-IP gate of `route`, checked; the flow counts it once the
/// request is accepted (a refusal for its content is not counted). `Err` is the answer.
async fn open_form<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    route: &str,
) -> Result<Result<((SignedIn, Subscription), Gate), Resp>, EdgeError> {
    let Some(who) = signed_in_with_plan(edge, ctx).await? else {
        return not_signed_in(ctx).map(Err);
    };
    let gate = ip_gate(edge, ctx, route);
    if let Some(wait) = limited(edge, std::slice::from_ref(&gate), ctx.now).await? {
        return too_many(edge, ctx, &who, wait).await.map(Err);
    }
    Ok(Ok((who, gate)))
}

async fn too_many<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    wait: u64,
) -> Result<Resp, EdgeError> {
    let message = wait_message(wait);
    let mut response = show_again(
        edge,
        ctx,
        who,
        StatusCode::TOO_MANY_REQUESTS,
        &message,
        Vec::new(),
        Vec::new(),
    )
    .await?;
    response::retry_after(&mut response, wait);
    Ok(response)
}

/// Whether `typed` is the account's password, on the sign-in failure gates of its address:
/// `Err` is the refusal (429 on the limit, 422 empty or wrong; a wrong one is counted).
async fn reauthenticate<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    typed: &str,
    values: Vec<(String, String)>,
) -> Result<Result<(), Resp>, EdgeError> {
    let account = &who.0.account;
    let gates = sign_in_failure_gates(edge, ctx, &account.key_email());
    if let Some(wait) = limited(edge, &gates, ctx.now).await? {
        return too_many(edge, ctx, who, wait).await.map(Err);
    }
    let refusal = if typed.is_empty() {
        Some("Enter your current password to confirm this change.")
    } else if typed.chars().count() > password::MAX_CHARS {
        Some("Your current password is incorrect. Nothing was changed.")
    } else {
        None
    };
    let right = match refusal {
        Some(_) => false,
        None => {
            // Acquired before argon2, released if right: a burst tries no more passwords
            // than the failure limit allows.
            if let Some(wait) = acquire(edge, &gates, ctx.now).await? {
                return too_many(edge, ctx, who, wait).await.map(Err);
            }
            let right = matches!(
                password::verify(edge.host(), typed, &account.password_hash).await?,
                Verification::Right { .. }
            );
            if right {
                release(edge, &gates, ctx.now).await?;
            }
            right
        }
    };
    if right {
        return Ok(Ok(()));
    }
    let message = refusal.unwrap_or("Your current password is incorrect. Nothing was changed.");
    show_again(
        edge,
        ctx,
        who,
        StatusCode::UNPROCESSABLE_ENTITY,
        message,
        Vec::new(),
        values,
    )
    .await
    .map(Err)
}

/// Counts the per-IP gate of an accepted request; `Err` is the 429 when a burst filled it.
async fn accept<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    gates: &[Gate],
) -> Result<Result<(), Resp>, EdgeError> {
    match acquire(edge, gates, ctx.now).await? {
        Some(wait) => too_many(edge, ctx, who, wait).await.map(Err),
        None => Ok(Ok(())),
    }
}

/// Whether `stored` is still the account the request's session was accepted for: the same
/// account of the address, in the same epoch (not signed out everywhere, no reset since).
fn still(stored: &Account, who: &SignedIn) -> bool {
    stored.verified
        && stored.generation() == who.account.generation()
        && stored.session_epoch == who.account.session_epoch
}

/// `POST /api/account/profile`: first name, last name, organization (the registration's
/// rules); 303 `/account/?saved=1`.
pub(crate) async fn profile<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = match open_form(edge, ctx, "account-profile").await? {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (name, max, what) in [
        ("first_name", NAME_MAX, "first name"),
        ("last_name", NAME_MAX, "last name"),
        ("organization", ORGANIZATION_MAX, "organization"),
    ] {
        match forms::parse_text(form.text(name), max, what) {
            Ok(value) => parsed.push(value),
            Err(message) => errors.push((name.to_owned(), message)),
        }
    }
    let [first_name, last_name, organization] = parsed.as_slice() else {
        let values = ["first_name", "last_name", "organization"]
            .iter()
            .map(|name| ((*name).to_owned(), form.text(name).to_owned()))
            .collect();
        return show_again(
            edge,
            ctx,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your profile was not saved: please correct the fields marked below.",
            errors,
            values,
        )
        .await;
    };
    if let Err(answer) = accept(edge, ctx, &who, &[gate]).await? {
        return Ok(answer);
    }
    // Only the profile fields change, on the account as stored when the commit applies:
    // never a password hash or an epoch from the session's older copy.
    let kv = edge.host().kv();
    let saved = accounts::edit(kv, &who.0.account.key_email(), |stored| {
        Ok(match stored {
            Some(mut account) if still(&account, &who.0) => {
                account.first_name = first_name.clone();
                account.last_name = last_name.clone();
                account.organization = organization.clone();
                Edit::Save {
                    account: Box::new(account),
                    also: Txn::new(),
                    out: true,
                }
            }
            _ => Edit::Keep(false),
        })
    })
    .await?;
    if !saved {
        return not_signed_in(ctx);
    }
    response::redirect("/account/?saved=1")
}

/// `POST /api/account/password` (`current_password`, `password`): the new password must
/// pass the rule; every other session ends, this one is renewed; a notice mail.
pub(crate) async fn password<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = match open_form(edge, ctx, "account-password").await? {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
    let new_password = form.text("password");
    let account = &who.0.account;
    let problem = if new_password.is_empty() {
        Some("Choose a new password.".to_owned())
    } else {
        let failed = password::check_password(new_password, &account.email);
        (!failed.is_empty()).then(|| password::rule_message(&failed))
    };
    if let Some(problem) = problem {
        return show_again(
            edge,
            ctx,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your password was not changed: the new password does not meet the rules.",
            vec![("password".to_owned(), problem)],
            Vec::new(),
        )
        .await;
    }
    if let Err(answer) = accept(edge, ctx, &who, &[gate]).await? {
        return Ok(answer);
    }
    if let Err(refusal) =
        reauthenticate(edge, ctx, &who, form.text("current_password"), Vec::new()).await?
    {
        return Ok(refusal);
    }

    let host = edge.host();
    let kv = host.kv();
    let key = account.key_email();
    let new_hash = password::hash(host, new_password).await?;
    // Only over the password just checked, in the epoch it was checked in.
    let checked_hash = account.password_hash.clone();
    let changed = accounts::edit(kv, &key, |stored| {
        Ok(match stored {
            Some(mut stored) if still(&stored, &who.0) && stored.password_hash == checked_hash => {
                stored.password_hash = new_hash.clone();
                // Every session and link issued before ends here.
                stored.session_epoch += 1;
                Edit::Save {
                    account: Box::new(stored.clone()),
                    also: Txn::new(),
                    out: Some(stored),
                }
            }
            _ => Edit::Keep(None),
        })
    })
    .await?;
    let Some(account) = changed else {
        return not_signed_in(ctx);
    };
    let clean = sessions::delete_all(kv, &key)
        .await?
        .and(tokens::delete_all(kv, &key, &[TokenKind::Reset, TokenKind::EmailChange]).await?);
    kv.commit(&clean).await?;
    let id = sessions::create(kv, host.rng(), &account, ctx.now).await?;
    ctx.mail.queue(templates::password_changed_in_settings(
        edge.config(),
        &account.email,
        ctx.now,
    )?);
    let mut answer = response::redirect("/account/?password=1")?;
    response::set(&mut answer, SET_COOKIE, &sessions::set_cookie(&id))?;
    Ok(answer)
}

/// `POST /api/account/email` (`email`, `current_password`): a link to the new address, a
/// notice to the current one; nothing else changes yet. 303 `/account/?email=1`, whether
/// or not the new address is taken.
pub(crate) async fn email<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = match open_form(edge, ctx, "account-email").await? {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
    let values = vec![("email".to_owned(), form.text("email").to_owned())];
    let account = &who.0.account;
    let new = match forms::parse_email(form.text("email")) {
        Ok(new) if new.key == account.key_email() => Err("This is already your address."),
        other => other,
    };
    let new = match new {
        Ok(new) => new,
        Err(message) => {
            return show_again(
                edge,
                ctx,
                &who,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Your address was not changed: please correct the field marked below.",
                vec![("email".to_owned(), message.to_owned())],
                values,
            )
            .await;
        }
    };
    let gates = mail_gates(edge, ctx, "account-email", MailKind::EmailChange, &new);
    if let Some(wait) = limited(edge, &gates[1..], ctx.now).await? {
        return too_many(edge, ctx, &who, wait).await;
    }
    if let Err(answer) = accept(edge, ctx, &who, &[gate]).await? {
        return Ok(answer);
    }
    if let Err(refusal) =
        reauthenticate(edge, ctx, &who, form.text("current_password"), values).await?
    {
        return Ok(refusal);
    }
    if let Err(answer) = accept(edge, ctx, &who, &gates[1..]).await? {
        return Ok(answer);
    }

    let host = edge.host();
    let kv = host.kv();
    let key = account.key_email();
    // One change at a time: a new request makes the earlier links worthless.
    kv.commit(&tokens::delete_all(kv, &key, &[TokenKind::EmailChange]).await?)
        .await?;
    let token = tokens::issue(
        kv,
        host.rng(),
        TokenKind::EmailChange,
        &key,
        Binding::NewEmail(account, &new.display),
        ctx.now,
    )
    .await?;
    ctx.mail.queue(templates::email_change_confirm(
        edge.config(),
        &new.display,
        &token,
        ctx.now,
    ));
    ctx.mail.queue(templates::email_change_notice(
        edge.config(),
        &account.email,
        &new.display,
        ctx.now,
    ));
    response::redirect("/account/?email=1")
}

/// The confirm page explaining that the link no longer works (400).
async fn bad_email_link<H: Host>(edge: &Edge<H>) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        message: Some(FormMessage::with_link(
            "This link has expired, was already used, or was replaced by a newer one. Ask for \
             the change again on your account page.",
            "/account/",
            "Your account",
        )),
        ..PageFill::default()
    };
    form_page(edge, CONFIRM_EMAIL_PAGE, StatusCode::BAD_REQUEST, &fill).await
}

async fn confirm_email_form<H: Host>(
    edge: &Edge<H>,
    status: StatusCode,
    new_email: &str,
    token: &str,
    message: Option<FormMessage>,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values: vec![("email".to_owned(), new_email.to_owned())],
        fills: vec![("token".to_owned(), token.to_owned())],
        message,
        ..PageFill::default()
    };
    form_page(edge, CONFIRM_EMAIL_PAGE, status, &fill).await
}

/// `GET /confirm-email/?token=`: the form with the new address and the token; never uses
/// the token (mail scanners open links).
pub(crate) async fn confirm_page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let token = ctx.query.text("token");
    let kv = edge.host().kv();
    match tokens::peek(kv, TokenKind::EmailChange, token, ctx.now).await? {
        Some(record) => {
            let new = record.new_email.unwrap_or_default();
            confirm_email_form(edge, StatusCode::OK, &new, token, None).await
        }
        None => bad_email_link(edge).await,
    }
}

/// `POST /api/account/email/confirm` (`token`, `password`): the address changes, every
/// record keyed by it moves; 303 `/account/?email_changed=1`.
pub(crate) async fn confirm<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let token = form.text("token");
    let typed = form.text("password");
    let host = edge.host();
    let kv = host.kv();
    let Some(record) = tokens::peek(kv, TokenKind::EmailChange, token, ctx.now).await? else {
        return bad_email_link(edge).await;
    };
    let Some(new_display) = record.new_email.clone() else {
        return bad_email_link(edge).await;
    };
    let old = record.email.clone();
    let Some(account) = accounts::load(kv, &old)
        .await?
        .filter(|account| account.verified && record.binds(account))
    else {
        tokens::consume(kv, TokenKind::EmailChange, token, ctx.now).await?;
        return bad_email_link(edge).await;
    };

    let ip_gate = ip_gate(edge, ctx, "account-email-confirm");
    let failure_gates = sign_in_failure_gates(edge, ctx, &old);
    let [by_network, ceiling] = failure_gates.clone();
    let all = [ip_gate, by_network, ceiling];
    let mut wait = limited(edge, &all, ctx.now).await?;
    let tried = !typed.is_empty() && typed.chars().count() <= password::MAX_CHARS;
    if wait.is_none() && tried {
        // Acquired before argon2, released if right.
        wait = acquire(edge, &all, ctx.now).await?;
    }
    if let Some(wait) = wait {
        let message = FormMessage::text(wait_message(wait));
        let mut answer = confirm_email_form(
            edge,
            StatusCode::TOO_MANY_REQUESTS,
            &new_display,
            token,
            Some(message),
        )
        .await?;
        response::retry_after(&mut answer, wait);
        return Ok(answer);
    }
    let right = tried
        && matches!(
            password::verify(host, typed, &account.password_hash).await?,
            Verification::Right { .. }
        );
    if !right {
        return confirm_email_form(
            edge,
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_display,
            token,
            Some(FormMessage::text(
                "Enter the current password of the account whose address changes.",
            )),
        )
        .await;
    }
    release(edge, &failure_gates, ctx.now).await?;

    let new = crate::forms::email_key(&new_display);
    match move_account(kv, token, &account, &old, &new, &new_display, ctx.now).await? {
        Moved::LinkUsed => bad_email_link(edge).await,
        Moved::Taken => {
            confirm_email_form(
                edge,
                StatusCode::CONFLICT,
                &new_display,
                "",
                Some(FormMessage::text(
                    "This address already belongs to another account, so your address was \
                     not changed.",
                )),
            )
            .await
        }
        Moved::Done => response::redirect("/account/?email_changed=1"),
    }
}

/// How [`move_account`] ended.
enum Moved {
    /// The link was used meanwhile, or the account changed (password, epoch) since it was
    /// checked: nothing moved.
    LinkUsed,
    /// The new address belongs to a verified account: the link is used up, nothing moved.
    Taken,
    Done,
}

/// Moves every record keyed by `old` to `new` in one commit that also uses the link up:
/// the account (now showing `new_display`), its plan and trial index, its sessions; the
/// tokens of the old address are deleted, and an unverified registration of `new` (whoever
/// confirms here reads its mail) can never be confirmed now. Applies only while the link,
/// both accounts and the plan are as read, so it is all or nothing, and at most once.
async fn move_account(
    kv: &impl Kv,
    token: &str,
    checked: &accounts::Account,
    old: &str,
    new: &str,
    new_display: &str,
    now: i64,
) -> Result<Moved, EdgeError> {
    let Some(token_key) = tokens::store_key(TokenKind::EmailChange, token) else {
        return Ok(Moved::LinkUsed);
    };
    let (old_key, new_key) = (accounts::account_key(old), accounts::account_key(new));
    let (old_plan, new_plan) = (trial::plan_key(old), trial::plan_key(new));
    let indexed = match trial::load(kv, old).await?.trial {
        Some(trial) => kv
            .get(&trial::index_key(trial.ends_at, old)?)
            .await?
            .is_some(),
        None => false,
    };
    // Listed before: a session created meanwhile at the old address dies with its account.
    let sessions = sessions::move_all(kv, old, new, now).await?;
    let old_tokens = tokens::delete_all(kv, old, &[]).await?;
    let keys = [&*token_key, &*old_key, &*new_key, &*old_plan, &*new_plan];
    kv::update_many(kv, &keys, |values| {
        let Some((_, use_up)) = tokens::held(
            TokenKind::EmailChange,
            &token_key,
            values[0].as_deref(),
            now,
        )?
        else {
            return Ok(Change::Keep(Moved::LinkUsed));
        };
        let current = accounts::parse(&old_key, values[1].as_deref())?;
        let unchanged = current.as_ref().is_some_and(|a| {
            a.verified
                && a.generation() == checked.generation()
                && a.session_epoch == checked.session_epoch
                && a.password_hash == checked.password_hash
        });
        let Some(mut account) = current.filter(|_| unchanged) else {
            return Ok(Change::Commit(use_up, Moved::LinkUsed));
        };
        let mut txn = use_up;
        if let Some(existing) = accounts::parse(&new_key, values[2].as_deref())? {
            if existing.verified {
                return Ok(Change::Commit(txn, Moved::Taken));
            }
            for id in &existing.pending {
                txn = txn.delete(accounts::registration_key(id));
            }
        }
        account.email = new_display.to_owned();
        let plan = trial::moved(old, new, values[3].as_deref(), indexed)?;
        let txn = txn
            .and(old_tokens.clone())
            .delete(old_key.as_str())
            .and(account.write()?)
            .and(plan)
            .and(sessions.clone());
        Ok(Change::Commit(txn, Moved::Done))
    })
    .await
}

/// `POST /api/account/sessions/revoke`: every session ends, this one too.
pub(crate) async fn revoke<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let (who, gate) = match open_form(edge, ctx, "account-revoke").await? {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
    if let Err(answer) = accept(edge, ctx, &who, &[gate]).await? {
        return Ok(answer);
    }
    let kv = edge.host().kv();
    let key = who.0.account.key_email();
    // Moving the epoch on ends every session, listed or not, and every reset and
    // email-change link; the deletes after it are clean-up.
    accounts::edit(kv, &key, |stored| {
        Ok(match stored {
            Some(mut account) if account.generation() == who.0.account.generation() => {
                account.session_epoch += 1;
                Edit::Save {
                    account: Box::new(account),
                    also: Txn::new(),
                    out: (),
                }
            }
            _ => Edit::Keep(()),
        })
    })
    .await?;
    let clean = sessions::delete_all(kv, &key)
        .await?
        .and(tokens::delete_all(kv, &key, &[TokenKind::Reset, TokenKind::EmailChange]).await?);
    kv.commit(&clean).await?;
    let mut answer = response::redirect("/sign-in/?signed_out=1")?;
    response::set(&mut answer, SET_COOKIE, &sessions::clear_cookie())?;
    Ok(answer)
}

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
    at.map(clock::rfc3339).transpose()
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

/// `POST /api/account/delete` (`current_password`, `confirm` = the address): every record of
/// the account is removed; a goodbye mail; 303 `/sign-in/?deleted=1` (a page that says
/// so), cookie cleared.
pub(crate) async fn delete<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = match open_form(edge, ctx, "account-delete").await? {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
    let account = &who.0.account;
    let key = account.key_email();
    if form.text("confirm").trim().to_lowercase() != key {
        return show_again(
            edge,
            ctx,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your account was not deleted: type your email address to confirm.",
            vec![(
                "confirm".to_owned(),
                "Type your email address exactly as shown above.".to_owned(),
            )],
            Vec::new(),
        )
        .await;
    }
    if let Err(answer) = accept(edge, ctx, &who, &[gate]).await? {
        return Ok(answer);
    }
    if let Err(refusal) =
        reauthenticate(edge, ctx, &who, form.text("current_password"), Vec::new()).await?
    {
        return Ok(refusal);
    }

    // One commit removes the account and everything listed under it, and only the account
    // the password was checked against. A session or link missed by the listing is dead:
    // a later account of the address is another generation.
    let kv = edge.host().kv();
    let mut records = sessions::delete_all(kv, &key)
        .await?
        .and(tokens::delete_all(kv, &key, &[]).await?)
        .delete(trial::plan_key(&key));
    if let Some(trial) = &who.1.trial {
        records = records.delete(trial::index_key(trial.ends_at, &key)?);
    }
    let deleted = accounts::edit(kv, &key, |stored| {
        Ok(match stored {
            Some(stored) if still(&stored, &who.0) => {
                let mut txn = records.clone().delete(accounts::account_key(&key));
                for id in &stored.pending {
                    txn = txn.delete(accounts::registration_key(id));
                }
                Edit::Commit(txn, true)
            }
            _ => Edit::Keep(false),
        })
    })
    .await?;
    if !deleted {
        return not_signed_in(ctx);
    }
    ctx.mail
        .queue(templates::goodbye(edge.config(), &account.email, ctx.now));
    let mut answer = response::redirect("/sign-in/?deleted=1")?;
    response::set(&mut answer, SET_COOKIE, &sessions::clear_cookie())?;
    Ok(answer)
}
