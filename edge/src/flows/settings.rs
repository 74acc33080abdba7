//! Account self-service, for a signed-in reader: edit the profile, change the password,
//! sign out everywhere, delete the account; and what the address change
//! (`email_change.rs`) and the export (`export.rs`) share with them: the session and
//! gate check ([`open_form`]), the re-entered password ([`reauthenticate`]).
//!
//! Every route refuses to act without a live session (303 `/sign-in/`, or 401 JSON for
//! `Accept: application/json`) and counts on the per-IP POST gate. The password change, the
//! email change and the deletion ask for the current password first; a wrong one is 422 and
//! counts on the sign-in failure gates of the account's address, like a failed sign-in.

use http::StatusCode;
use http::header::ACCEPT;

use crate::accounts::{self, Account, Edit};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::kv::{Kv, Txn};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions::{self, SignedIn};
use crate::tokens::{self, TokenKind};
use crate::trial::{self, Subscription};

use super::account::{render, signed_in_with_plan};
use super::register::{NAME_MAX, ORGANIZATION_MAX};
use super::{Gate, acquire, ip_gate, limited, release, sign_in_failure_gates, wait_message};

fn wants_json(ctx: &Ctx) -> bool {
    ctx.headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The answer to a request without a live session.
pub(super) fn not_signed_in(ctx: &Ctx) -> Result<Resp, EdgeError> {
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
pub(super) async fn show_again<H: Host>(
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
pub(super) async fn open_form<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    route: &str,
) -> Result<Result<((SignedIn, Subscription), Gate), Resp>, EdgeError> {
    let Some(who) = signed_in_with_plan(edge, ctx).await? else {
        return not_signed_in(ctx).map(Err);
    };
    let gate = ip_gate(edge, ctx, route);
    if let Some(wait) = limited(edge, std::slice::from_ref(&gate), ctx.now).await? {
        return too_many_on_account(edge, ctx, &who, wait).await.map(Err);
    }
    Ok(Ok((who, gate)))
}

pub(super) async fn too_many_on_account<H: Host>(
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
pub(super) async fn reauthenticate<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    typed: &str,
    values: Vec<(String, String)>,
) -> Result<Result<(), Resp>, EdgeError> {
    let account = &who.0.account;
    let gates = sign_in_failure_gates(edge, ctx, &account.key_email());
    if let Some(wait) = limited(edge, &gates, ctx.now).await? {
        return too_many_on_account(edge, ctx, who, wait).await.map(Err);
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
                return too_many_on_account(edge, ctx, who, wait).await.map(Err);
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
pub(super) async fn accept<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    who: &(SignedIn, Subscription),
    gates: &[Gate],
) -> Result<Result<(), Resp>, EdgeError> {
    match acquire(edge, gates, ctx.now).await? {
        Some(wait) => too_many_on_account(edge, ctx, who, wait).await.map(Err),
        None => Ok(Ok(())),
    }
}

/// Whether `stored` is still the account the request's session was accepted for: the same
/// account of the address, in the same epoch (not signed out everywhere, no reset since).
pub(super) fn still(stored: &Account, who: &SignedIn) -> bool {
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
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-profile").await?);
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
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
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
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-password").await?);
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
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
    or_answer!(reauthenticate(edge, ctx, &who, form.text("current_password"), Vec::new()).await?);

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
    sessions::sign_in_cookies(&mut answer, &id)?;
    Ok(answer)
}

/// `POST /api/account/sessions/revoke`: every session ends, this one too.
pub(crate) async fn revoke<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-revoke").await?);
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
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
    sessions::sign_out_cookies(&mut answer)?;
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
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-delete").await?);
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
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
    or_answer!(reauthenticate(edge, ctx, &who, form.text("current_password"), Vec::new()).await?);

    // One commit removes the account and everything listed under it, and only the account
    // the password was checked against. A session or link missed by the listing is dead:
    // a later account of the address is another generation.
    let kv = edge.host().kv();
    let records = sessions::delete_all(kv, &key)
        .await?
        .and(tokens::delete_all(kv, &key, &[]).await?)
        .delete(trial::plan_key(&key));
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
    // The trial's entry in the job's index (the shared object's), only while it is this
    // account's; one left behind is dropped by the job, which finds no account.
    if let Some(trial) = &who.1.trial {
        let entry = trial::index_key(trial.ends_at, &key)?;
        trial::unindex(kv, &entry, Some(who.0.account.generation())).await?;
    }
    ctx.mail
        .queue(templates::goodbye(edge.config(), &account.email, ctx.now));
    let mut answer = response::redirect("/sign-in/?deleted=1")?;
    sessions::sign_out_cookies(&mut answer)?;
    Ok(answer)
}
