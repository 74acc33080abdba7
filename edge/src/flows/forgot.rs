//! `POST /api/forgot-password`: always the same answer; an existing account gets a link.

use crate::accounts;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::mail::{Mailer, templates};
use crate::response::{self, Resp};
use crate::tokens::{self, TokenKind};
use crate::{Edge, Host};

use super::{MailKind, address_form};

pub(crate) const PAGE: &str = "/forgot-password/";

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let email = match address_form(edge, ctx, form, "forgot", MailKind::Reset, PAGE).await? {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };

    let host = edge.host();
    if let Some(account) = accounts::load(host.kv(), &email.key).await? {
        let token = tokens::issue(
            host.kv(),
            host.rng(),
            TokenKind::Reset,
            &email.key,
            tokens::Binding::Epoch(account.session_epoch),
            ctx.now,
        )
        .await?;
        let mail = templates::reset(edge.config(), &account.email, &token, ctx.now);
        host.mailer().send(&mail).await?;
    }
    response::redirect("/forgot-password/sent/")
}
