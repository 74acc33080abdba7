//! `POST /api/forgot-password`: always the same answer; an existing account gets a link.

use crate::accounts;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::mail::{Mailer, templates};
use crate::response::{self, Resp};
use crate::router::Ctx;
use crate::tokens::{self, TokenKind};
use crate::{Edge, Host};

use super::{count, ip_key, kept, limited, refuse, too_many};

pub(crate) const PAGE: &str = "/forgot-password/";

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let values = kept(form, &["email"]);
    let email = match forms::parse_email(form.text("email")) {
        Ok(email) => email,
        Err(message) => {
            let errors = vec![("email".to_owned(), message.to_owned())];
            return refuse(edge, PAGE, values, errors, None).await;
        }
    };
    let limits = &edge.config().limits;
    let gates = [
        (ip_key("forgot", ctx.client_ip), limits.posts_per_ip),
        (Some(format!("mail:{}", email.key)), limits.mails_per_email),
    ];
    if let Some(wait) = limited(edge, &gates, ctx.now).await? {
        return too_many(edge, PAGE, values, wait).await;
    }
    count(edge, &gates, ctx.now).await?;

    let host = edge.host();
    if let Some(account) = accounts::load(host.kv(), &email.key).await? {
        let token = tokens::issue(
            host.kv(),
            host.rng(),
            TokenKind::Reset,
            &email.key,
            None,
            ctx.now,
        )
        .await?;
        let mail = templates::reset(edge.config(), &account.email, &token, ctx.now);
        host.mailer().send(&mail).await?;
    }
    response::redirect("/forgot-password/sent/")
}
