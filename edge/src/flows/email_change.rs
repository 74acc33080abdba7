//! Changing the address, confirmed from the new mailbox: `POST /api/account/email` mails
//! a link to the new address and a notice to the old one, and writes nothing to the
//! account; `GET /confirm-email/?token=` shows the form, and only its POST uses the
//! token, with the account's password. Until then the old address signs in. Whether the
//! new address is taken is not looked at before then (the answer must not tell), and at
//! confirmation a taken address is refused. Confirming moves every record keyed by the
//! address (account, plan, trial index, sessions) to the new one; sessions stay valid.

use http::StatusCode;

use crate::accounts;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::kv::{self, Change, Kv};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;
use crate::tokens::{self, Binding, TokenKind};
use crate::trial;

use super::settings::{accept, open_form, reauthenticate, show_again, too_many_on_account};
use super::{
    MailKind, acquire, form_page, ip_gate, limited, mail_gates, release, sign_in_failure_gates,
    wait_message,
};

pub(crate) const CONFIRM_EMAIL_PAGE: &str = "/confirm-email/";

/// `POST /api/account/email` (`email`, `current_password`): a link to the new address, a
/// notice to the current one; nothing else changes yet. 303 `/account/?email=1`, whether
/// or not the new address is taken.
pub(crate) async fn email<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-email").await?);
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
        return too_many_on_account(edge, ctx, &who, wait).await;
    }
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
    or_answer!(reauthenticate(edge, ctx, &who, form.text("current_password"), values).await?);
    or_answer!(accept(edge, ctx, &who, &gates[1..]).await?);

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
