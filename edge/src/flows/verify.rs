//! `GET /api/verify?token=…` (the link in the welcome mail) and `POST /api/verify/resend`.

use http::StatusCode;

use crate::accounts::{self, Account};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::response::{self, Resp};
use crate::tokens::{self, TokenKind};
use crate::{Edge, Host};

use super::{address_form, form_page};

pub(crate) const RESEND_PAGE: &str = "/register/resend/";

pub(crate) async fn get<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let kv = edge.host().kv();
    let token = ctx.query.text("token");
    if let Some(record) = tokens::consume(kv, TokenKind::Verify, token, ctx.now).await?
        && let Some(mut account) = accounts::load(kv, &record.email).await?
    {
        if account.verified {
            return response::redirect("/sign-in/?verified=1");
        }
        if record.registration.as_deref() == Some(account.registration.as_str()) {
            account.verified = true;
            accounts::save(kv, &account).await?;
            return response::redirect("/sign-in/?verified=1");
        }
    }
    let fill = PageFill {
        message: Some(FormMessage::with_link(
            "This verification link has expired or was already used. Enter your email address \
             to get a new one. Already verified?",
            "/sign-in/",
            "Sign in",
        )),
        ..PageFill::default()
    };
    form_page(edge, RESEND_PAGE, StatusCode::BAD_REQUEST, &fill).await
}

/// Queues a mail with a fresh verification link for the account's current registration.
pub(crate) async fn send_link<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    account: &Account,
    now: i64,
) -> Result<(), EdgeError> {
    let host = edge.host();
    let token = tokens::issue(
        host.kv(),
        host.rng(),
        TokenKind::Verify,
        &account.key_email(),
        Some(&account.registration),
        now,
    )
    .await?;
    let mail = templates::verify(
        edge.config(),
        &account.email,
        &account.first_name,
        &token,
        now,
    );
    ctx.mail.queue(mail);
    Ok(())
}

/// Same answer whether or not the address has an account; only an unverified one gets mail.
pub(crate) async fn resend<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let email = match address_form(edge, ctx, form, "resend", RESEND_PAGE).await? {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };

    let host = edge.host();
    match accounts::load(host.kv(), &email.key).await? {
        Some(account) if !account.verified => send_link(edge, ctx, &account, ctx.now).await?,
        // The same token write as for a link, so the answer takes as long.
        _ => tokens::issue_decoy(host.kv(), host.rng(), TokenKind::Verify, ctx.now).await?,
    }
    response::redirect("/register/check-email/")
}
