//! `POST /api/forgot-password`: always the same answer; an existing account gets a link.
//!
//! Known and unknown addresses cost the same before the answer (one account read, one token
//! write: a decoy for an unknown address), and the mail goes out after it.

use crate::accounts;
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::host::Host;
use crate::mail::templates;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::tokens::{self, TokenKind};

use super::{MailKind, address_form};

pub(crate) const PAGE: &str = "/forgot-password/";

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let page = &super::page_of(edge, form, PAGE).await;
    let email = match address_form(edge, ctx, form, "forgot", MailKind::Reset, page).await? {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };

    let host = edge.host();
    match accounts::load(host.kv(), &email.key).await? {
        Some(account) => {
            let token = tokens::issue(
                host.kv(),
                host.rng(),
                TokenKind::Reset,
                &email.key,
                tokens::Binding::Account(&account),
                ctx.now,
            )
            .await?;
            ctx.mail.queue(templates::reset(
                edge.config(),
                &account.email,
                &token,
                ctx.now,
            ));
        }
        None => tokens::issue_decoy(host.kv(), host.rng(), TokenKind::Reset, ctx.now).await?,
    }
    response::redirect("/forgot-password/sent/")
}
