//! `POST /api/register`: keep a pending registration and mail a verification link for it.
//!
//! Known and unknown addresses get the same answer (303 to `/register/check-email/`) after
//! the same work (one argon2 hash), so the form does not reveal who has an account; the
//! owner of a verified address gets a mail saying so instead of a link.
//!
//! Each registration of an unverified address is its own record with its own password hash
//! (`accounts::Registration`), and its link names it: registering again never changes what
//! an earlier link confirms, nor with which password (see `verify`).

use crate::accounts::{self, Account, Edit, Registration};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::mail::templates;
use crate::pages::FormMessage;
use crate::password;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::tokens;

use super::{MailKind, acquire, kept, limited, mail_gates, refuse, too_many_on_form};

pub(crate) const PAGE: &str = "/register/";
const FIELDS: [&str; 5] = [
    "email",
    "first_name",
    "last_name",
    "organization",
    "password",
];
pub(crate) const NAME_MAX: usize = 100;
pub(crate) const ORGANIZATION_MAX: usize = 200;

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let page = &super::page_of(edge, form, PAGE).await;
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut error = |field: &str, message: String| errors.push((field.to_owned(), message));

    let email = forms::parse_email(form.text("email"))
        .map_err(|message| error("email", message.to_owned()))
        .ok();
    let first_name = forms::parse_text(form.text("first_name"), NAME_MAX, "first name")
        .map_err(|message| error("first_name", message))
        .ok();
    let last_name = forms::parse_text(form.text("last_name"), NAME_MAX, "last name")
        .map_err(|message| error("last_name", message))
        .ok();
    let organization =
        forms::parse_text(form.text("organization"), ORGANIZATION_MAX, "organization")
            .map_err(|message| error("organization", message))
            .ok();
    let password = form.text("password");
    if password.is_empty() {
        error("password", "Choose a password.".to_owned());
    } else {
        let failed = password::check_password(password, form.text("email"));
        if !failed.is_empty() {
            error("password", password::rule_message(&failed));
        }
    }

    let values = kept(form, &FIELDS);
    let (Some(email), Some(first_name), Some(last_name), Some(organization), true) = (
        email,
        first_name,
        last_name,
        organization,
        errors.is_empty(),
    ) else {
        return refuse(
            edge,
            page,
            values,
            errors,
            Some(FormMessage::text("Please correct the fields marked below.")),
        )
        .await;
    };

    let gates = mail_gates(edge, ctx, "register", MailKind::Verification, &email);
    let wait = match limited(edge, &gates, ctx.now).await? {
        Some(wait) => Some(wait),
        None => acquire(edge, &gates, ctx.now).await?,
    };
    if let Some(wait) = wait {
        return too_many_on_form(edge, page, values, wait).await;
    }

    let host = edge.host();
    let kv = host.kv();
    // Hash before looking the address up, so both outcomes cost the same.
    let password_hash = password::hash(host, password).await?;
    // A new registration, or another one of an address never verified: it gets its own
    // record and links; earlier ones stay as they were. Decided on the account as it is
    // when the commit applies, so a verification racing this registration is never undone.
    let id = tokens::new_secret(host.rng())?;
    let registration = Registration {
        id: id.clone(),
        email: email.display.clone(),
        first_name,
        last_name,
        organization,
        password_hash,
        created_at: ctx.now,
        expires_at: ctx.now + accounts::REGISTRATION_LIFETIME_SECS,
    };
    let outcome = accounts::edit(kv, &email.key, |existing| {
        if let Some(account) = existing.as_ref().filter(|a| a.verified) {
            return Ok(Edit::Keep(Err(account.email.clone())));
        }
        let mut pending = existing
            .as_ref()
            .map(|a| a.pending.clone())
            .unwrap_or_default();
        pending.push(id.clone());
        let excess = pending.len().saturating_sub(accounts::MAX_PENDING);
        pending.drain(..excess);
        let account = Account {
            verified_at: None,
            email: registration.email.clone(),
            first_name: registration.first_name.clone(),
            last_name: registration.last_name.clone(),
            organization: registration.organization.clone(),
            password_hash: registration.password_hash.clone(),
            verified: false,
            created_at: existing.as_ref().map_or(ctx.now, |a| a.created_at),
            registration: id.clone(),
            session_epoch: existing.as_ref().map_or(0, |a| a.session_epoch + 1),
            pending,
            arriving_from: None,
        };
        Ok(Edit::Save {
            also: registration.write()?,
            out: Ok(account.email.clone()),
            account: Box::new(account),
        })
    })
    .await?;
    match outcome {
        Ok(to) => super::verify::send_link(edge, ctx, &to, &[id], ctx.now).await?,
        Err(owner) => {
            ctx.mail.queue(templates::already_registered(
                edge.config(),
                &owner,
                ctx.now,
            ));
            // The two commits a new registration makes (registration and account, link),
            // so the answer takes as long.
            for _ in 0..2 {
                tokens::issue_decoy(kv, host.rng(), tokens::TokenKind::Verify, ctx.now).await?;
            }
        }
    }
    // Known address or new, the same answer: the hint says only that this browser
    // registered (the page's checklist marks the step done), not whether an account exists.
    let mut response = response::redirect("/register/check-email/")?;
    response::append(
        &mut response,
        http::header::SET_COOKIE,
        &crate::reader::hint_cookie(
            Some(crate::reader::HINT_REGISTERED),
            accounts::REGISTRATION_LIFETIME_SECS,
        ),
    )?;
    Ok(response)
}
