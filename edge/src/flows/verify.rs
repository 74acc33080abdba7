//! `GET /api/verify?token=…` (the link in the welcome mail) and `POST /api/verify/resend`.

use http::StatusCode;

use crate::accounts;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::mail::{Mailer, templates};
use crate::pages::{FormMessage, PageFill};
use crate::response::{self, Resp};
use crate::router::Ctx;
use crate::tokens::{self, TokenKind};
use crate::{Edge, Host};

use super::{count, form_page, ip_key, kept, limited, refuse, too_many};

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

/// Same answer whether or not the address has an account; only an unverified one gets mail.
pub(crate) async fn resend<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let values = kept(form, &["email"]);
    let email = match forms::parse_email(form.text("email")) {
        Ok(email) => email,
        Err(message) => {
            let errors = vec![("email".to_owned(), message.to_owned())];
            return refuse(edge, RESEND_PAGE, values, errors, None).await;
        }
    };
    let limits = &edge.config().limits;
    let gates = [
        (ip_key("resend", ctx.client_ip), limits.posts_per_ip),
        (Some(format!("mail:{}", email.key)), limits.mails_per_email),
    ];
    if let Some(wait) = limited(edge, &gates, ctx.now).await? {
        return too_many(edge, RESEND_PAGE, values, wait).await;
    }
    count(edge, &gates, ctx.now).await?;

    let host = edge.host();
    if let Some(account) = accounts::load(host.kv(), &email.key).await?
        && !account.verified
    {
        let token = tokens::issue(
            host.kv(),
            host.rng(),
            TokenKind::Verify,
            &email.key,
            Some(&account.registration),
            ctx.now,
        )
        .await?;
        let mail = templates::verify(
            edge.config(),
            &account.email,
            &account.first_name,
            &token,
            ctx.now,
        );
        host.mailer().send(&mail).await?;
    }
    response::redirect("/register/check-email/")
}
