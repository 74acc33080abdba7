//! The `/reset-password/?token=…` page and `POST /api/reset-password`.
//!
//! Opening the link only looks the token up (mail scanners open links); the POST that sets
//! the new password uses it up, bumps the account's `session_epoch` (every session dies)
//! and mails a notice. A link carries the epoch it was issued in and works only while the
//! account is still there: a completed reset (or any later credential change) refuses every
//! link issued before it.

use http::StatusCode;

use crate::accounts::{self, Account};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::host::Host;
use crate::kv::{self, Change, Kv};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;
use crate::tokens::{self, TokenKind};

use super::{acquire, form_page, ip_gate, limited, too_many_on_form};

pub(crate) const PAGE: &str = "/reset-password/";

fn bad_link() -> FormMessage {
    FormMessage::with_link(
        "This password reset link has expired or was already used.",
        "/forgot-password/",
        "Ask for a new link",
    )
}

fn token_fill(token: &str) -> Vec<(String, String)> {
    vec![("token".to_owned(), token.to_owned())]
}

/// The account a reset link is for, if the link is valid: known, unexpired, and issued to
/// this account in its current `session_epoch` ([`tokens::TokenRecord::binds`]).
async fn valid_link<H: Host>(
    edge: &Edge<H>,
    token: &str,
    now: i64,
) -> Result<Option<Account>, EdgeError> {
    let kv = edge.host().kv();
    let Some(record) = tokens::peek(kv, TokenKind::Reset, token, now).await? else {
        return Ok(None);
    };
    Ok(accounts::load(kv, &record.email)
        .await?
        .filter(|account| record.binds(account)))
}

pub(crate) async fn page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let token = ctx.query.text("token");
    let valid = valid_link(edge, token, ctx.now).await?.is_some();
    let fill = if valid {
        PageFill {
            fills: token_fill(token),
            ..PageFill::default()
        }
    } else {
        PageFill {
            message: Some(bad_link()),
            ..PageFill::default()
        }
    };
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    form_page(edge, PAGE, status, &fill).await
}

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let token = form.text("token");
    let new_password = form.text("password");
    let host = edge.host();
    let kv = host.kv();

    let ip_gate = ip_gate(edge, ctx, "reset");
    if let Some(wait) = limited(edge, std::slice::from_ref(&ip_gate), ctx.now).await? {
        return too_many_on_form(edge, PAGE, Vec::new(), wait).await;
    }

    let invalid = || PageFill {
        message: Some(bad_link()),
        ..PageFill::default()
    };
    let Some(account) = valid_link(edge, token, ctx.now).await? else {
        return form_page(edge, PAGE, StatusCode::BAD_REQUEST, &invalid()).await;
    };

    let failed = password::check_password(new_password, &account.email);
    if new_password.is_empty() || !failed.is_empty() {
        let message = if new_password.is_empty() {
            "Choose a new password.".to_owned()
        } else {
            password::rule_message(&failed)
        };
        let fill = PageFill {
            errors: vec![("password".to_owned(), message)],
            // The token goes back into the form so the reader can try again.
            fills: token_fill(token),
            ..PageFill::default()
        };
        return form_page(edge, PAGE, StatusCode::UNPROCESSABLE_ENTITY, &fill).await;
    }
    if let Some(wait) = acquire(edge, std::slice::from_ref(&ip_gate), ctx.now).await? {
        return too_many_on_form(edge, PAGE, Vec::new(), wait).await;
    }

    let password_hash = password::hash(host, new_password).await?;
    let (Some(token_key), email_key) = (
        tokens::store_key(TokenKind::Reset, token),
        account.key_email(),
    ) else {
        return form_page(edge, PAGE, StatusCode::BAD_REQUEST, &invalid()).await;
    };
    let account_key = accounts::account_key(&email_key);
    // One commit uses the token up and sets the password, and only if neither changed
    // since they were read: of racing posts of one link exactly one succeeds, and a link
    // issued before a reset or any other credential change no longer fits the account.
    let changed = kv::update_many(kv, &[&token_key, &account_key], |values| {
        let (Some((record, use_up)), Some(mut account)) = (
            tokens::held(TokenKind::Reset, &token_key, values[0].as_deref(), ctx.now)?,
            accounts::parse(&account_key, values[1].as_deref())?,
        ) else {
            return Ok(Change::Keep(None));
        };
        if !record.binds(&account) {
            return Ok(Change::Keep(None));
        }
        account.password_hash = password_hash.clone();
        account.session_epoch += 1;
        // The reader just proved they read this mailbox; registrations still pending can
        // never be confirmed now.
        if !account.verified {
            account.verified_at = Some(ctx.now);
        }
        account.verified = true;
        let mut txn = use_up;
        for id in std::mem::take(&mut account.pending) {
            txn = txn.delete(accounts::registration_key(&id));
        }
        Ok(Change::Commit(txn.and(account.write()?), Some(account)))
    })
    .await?;
    let Some(account) = changed else {
        return form_page(edge, PAGE, StatusCode::BAD_REQUEST, &invalid()).await;
    };
    // Clean-up only: the epoch ended every session and every link of the old epoch.
    let clean = sessions::delete_all(kv, &email_key)
        .await?
        .and(tokens::delete_all(kv, &email_key, &[TokenKind::EmailChange]).await?);
    kv.commit(&clean).await?;
    if let Some(id) = sessions::cookie_value(&ctx.headers) {
        sessions::delete(kv, &id).await?;
    }
    ctx.mail.queue(templates::password_changed(
        edge.config(),
        &account.email,
        ctx.now,
    )?);

    let mut response = response::redirect("/sign-in/?reset=1")?;
    sessions::sign_out_cookies(&mut response)?;
    Ok(response)
}
