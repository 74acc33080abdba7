//! Verifying an address: the link in the mail (`GET /api/verify?token=…`), the confirm page
//! it leads to (`/register/confirm/?token=…`), the confirmation (`POST /api/verify`), and
//! `POST /api/verify/resend`.
//!
//! Following the link changes nothing: mail scanners fetch links, so the link only leads to
//! the confirm page, which shows the address and asks for the password chosen at
//! registration. The POST verifies the address and signs in at once, and only when the
//! password is the one given in a registration the link names (`TokenRecord::registrations`):
//! a stranger who registered the same address cannot have the owner's link confirm the
//! stranger's password, and the owner's own password works from any link of the owner's own
//! registration. A wrong password counts as a failed sign-in and keeps the token.

use http::StatusCode;

use crate::accounts::{self, Account, Registration};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::host::Host;
use crate::kv::{self, Change};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::tokens::{self, Binding, TokenKind, TokenRecord};

use super::{
    MailKind, acquire, address_form, form_page, ip_gate, limited, release, sign_in,
    sign_in_failure_gates,
};

pub(crate) const RESEND_PAGE: &str = "/register/resend/";
pub(crate) const CONFIRM_PAGE: &str = "/register/confirm/";

/// `GET /api/verify?token=T`: 303 to the confirm page; never uses the token.
pub(crate) fn link(ctx: &Ctx) -> Result<Resp, EdgeError> {
    let token = ctx.query.text("token");
    if tokens::well_formed(token) {
        response::redirect(&format!("{CONFIRM_PAGE}?token={token}"))
    } else {
        response::redirect(CONFIRM_PAGE)
    }
}

/// The resend page explaining that the link no longer works (400).
async fn bad_link<H: Host>(edge: &Edge<H>) -> Result<Resp, EdgeError> {
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

/// What a still-valid link leads to.
enum Link {
    /// The address is verified already (by another link, or a reset).
    Verified,
    /// The address still waits; `email` is the address to show.
    Pending { record: TokenRecord, email: String },
}

async fn look_up<H: Host>(
    edge: &Edge<H>,
    token: &str,
    now: i64,
) -> Result<Option<Link>, EdgeError> {
    let kv = edge.host().kv();
    let Some(record) = tokens::peek(kv, TokenKind::Verify, token, now).await? else {
        return Ok(None);
    };
    Ok(Some(match accounts::load(kv, &record.email).await? {
        Some(account) if account.verified => Link::Verified,
        account => Link::Pending {
            email: account.map_or_else(|| record.email.clone(), |a| a.email),
            record,
        },
    }))
}

/// The confirm form filled for `token`, with `status` and an optional message.
async fn confirm_form<H: Host>(
    edge: &Edge<H>,
    status: StatusCode,
    email: &str,
    token: &str,
    errors: Vec<(String, String)>,
    message: Option<FormMessage>,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values: vec![("email".to_owned(), email.to_owned())],
        fills: vec![("token".to_owned(), token.to_owned())],
        errors,
        message,
        ..PageFill::default()
    };
    form_page(edge, CONFIRM_PAGE, status, &fill).await
}

/// `GET /register/confirm/?token=T`: the form with the address and the token filled in, or
/// the resend page. Looks the token up only.
pub(crate) async fn page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let token = ctx.query.text("token");
    match look_up(edge, token, ctx.now).await? {
        None => bad_link(edge).await,
        Some(Link::Verified) => response::redirect("/sign-in/?verified=1"),
        Some(Link::Pending { email, .. }) => {
            confirm_form(edge, StatusCode::OK, &email, token, Vec::new(), None).await
        }
    }
}

/// `POST /api/verify` (`token`, `password`): verifies the address and signs in when the
/// password is one of the link's registrations'.
pub(crate) async fn confirm<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let token = form.text("token");
    let password = form.text("password");
    let host = edge.host();
    let kv = host.kv();

    let ip_gate = ip_gate(edge, ctx, "verify");
    let (record, email) = match look_up(edge, token, ctx.now).await? {
        None => return bad_link(edge).await,
        Some(Link::Verified) => {
            tokens::consume(kv, TokenKind::Verify, token, ctx.now).await?;
            return response::redirect("/sign-in/?verified=1");
        }
        Some(Link::Pending { record, email }) => (record, email),
    };
    let failure_gates = sign_in_failure_gates(edge, ctx, &record.email);
    let [by_network, ceiling] = failure_gates.clone();
    let all = [ip_gate.clone(), by_network, ceiling];
    if let Some(wait) = limited(edge, &all, ctx.now).await? {
        return too_many_on_confirm(edge, &email, token, wait).await;
    }

    let field_error = if password.is_empty() {
        Some("Enter the password you chose when you registered.")
    } else if password.chars().count() > password::MAX_CHARS {
        Some(password::PasswordRule::MaxLength.message())
    } else {
        None
    };
    if let Some(message) = field_error {
        let errors = vec![("password".to_owned(), message.to_owned())];
        return confirm_form(
            edge,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            token,
            errors,
            None,
        )
        .await;
    }
    // Acquired before argon2: of a burst, only as many as the failure limit try a password.
    if let Some(wait) = acquire(edge, &all, ctx.now).await? {
        return too_many_on_confirm(edge, &email, token, wait).await;
    }

    let mut live: Vec<Registration> = Vec::new();
    for id in &record.registrations {
        if let Some(registration) =
            accounts::load_registration(kv, id, &record.email, ctx.now).await?
        {
            live.push(registration);
        }
    }
    if live.is_empty() {
        // Every registration this link names has expired: the link is worth nothing.
        release(edge, &failure_gates, ctx.now).await?;
        tokens::consume(kv, TokenKind::Verify, token, ctx.now).await?;
        return bad_link(edge).await;
    }
    let mut matched = None;
    for registration in live {
        if let Verification::Right { .. } =
            password::verify(host, password, &registration.password_hash).await?
        {
            matched = Some(registration);
            break;
        }
    }
    let Some(registration) = matched else {
        // The failure stays counted.
        return confirm_form(
            edge,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            token,
            Vec::new(),
            Some(FormMessage::text(
                "This is not the password chosen when this address was registered.",
            )),
        )
        .await;
    };
    release(edge, &failure_gates, ctx.now).await?;

    // One commit uses the token up and writes the account verified, and only if neither
    // changed since they were read: of racing confirmations exactly one succeeds, and a
    // registration arriving meanwhile is seen (its pending record is deleted with the rest).
    let Some(token_key) = tokens::store_key(TokenKind::Verify, token) else {
        return bad_link(edge).await;
    };
    let account_key = accounts::account_key(&record.email);
    let outcome = kv::update_many(kv, &[&token_key, &account_key], |values| {
        let Some((_, use_up)) =
            tokens::held(TokenKind::Verify, &token_key, values[0].as_deref(), ctx.now)?
        else {
            return Ok(Change::Keep(Confirmed::LinkUsed));
        };
        let existing = accounts::parse(&account_key, values[1].as_deref())?;
        if existing.as_ref().is_some_and(|a| a.verified) {
            return Ok(Change::Commit(use_up, Confirmed::AlreadyVerified));
        }
        let account = Account {
            email: registration.email.clone(),
            first_name: registration.first_name.clone(),
            last_name: registration.last_name.clone(),
            organization: registration.organization.clone(),
            password_hash: registration.password_hash.clone(),
            verified: true,
            verified_at: Some(ctx.now),
            created_at: existing
                .as_ref()
                .map_or(registration.created_at, |a| a.created_at),
            // A new generation: nothing issued to an earlier account of the address works.
            registration: registration.id.clone(),
            // The credential is set: reset links issued before stop working.
            session_epoch: existing.as_ref().map_or(0, |a| a.session_epoch + 1),
            pending: Vec::new(),
            arriving_from: None,
        };
        // The other registrations can never be confirmed now (the address is verified).
        let mut txn = use_up.and(account.write()?);
        let others = existing.map(|a| a.pending).unwrap_or_default();
        for id in others.iter().chain([&registration.id]) {
            txn = txn.delete(accounts::registration_key(id));
        }
        Ok(Change::Commit(txn, Confirmed::Now(Box::new(account))))
    })
    .await?;
    match outcome {
        Confirmed::LinkUsed => bad_link(edge).await,
        Confirmed::AlreadyVerified => response::redirect("/sign-in/?verified=1"),
        Confirmed::Now(account) => sign_in::signed_in(edge, ctx, &account).await,
    }
}

/// How a confirmation ended.
enum Confirmed {
    /// Another request used the link first.
    LinkUsed,
    /// The address was verified meanwhile (another link, a reset): the link is used up.
    AlreadyVerified,
    Now(Box<Account>),
}

/// 429 on the confirm form, the token kept for a later try.
async fn too_many_on_confirm<H: Host>(
    edge: &Edge<H>,
    email: &str,
    token: &str,
    wait: u64,
) -> Result<Resp, EdgeError> {
    let message = FormMessage::text(super::wait_message(wait));
    let mut response = confirm_form(
        edge,
        StatusCode::TOO_MANY_REQUESTS,
        email,
        token,
        Vec::new(),
        Some(message),
    )
    .await?;
    response::retry_after(&mut response, wait);
    Ok(response)
}

/// Queues a mail to `to` with a fresh verification link for `registrations` (newest last). The mail
/// carries nothing the registrant typed but the address: names come after verification.
pub(crate) async fn send_link<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    to: &str,
    registrations: &[String],
    now: i64,
) -> Result<(), EdgeError> {
    let host = edge.host();
    let newest_first: Vec<String> = registrations.iter().rev().cloned().collect();
    let token = tokens::issue(
        host.kv(),
        host.rng(),
        TokenKind::Verify,
        &crate::forms::email_key(to),
        Binding::Registrations(&newest_first),
        now,
    )
    .await?;
    ctx.mail
        .queue(templates::verify(edge.config(), to, &token, now));
    Ok(())
}

/// Same answer whether or not the address has an account; only an unverified one with a
/// registration still pending gets mail, with a link for every such registration (so the
/// owner can confirm with their own password whoever registered last).
pub(crate) async fn resend<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let email = match address_form(
        edge,
        ctx,
        form,
        "resend",
        MailKind::Verification,
        RESEND_PAGE,
    )
    .await?
    {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };

    // The link names every registration still listed; one that expired meanwhile is
    // skipped when the link is used. Not reading them here keeps the work the same as for
    // an unknown address (one read, one write).
    let host = edge.host();
    let kv = host.kv();
    match accounts::load(kv, &email.key).await? {
        Some(account) if !account.verified && !account.pending.is_empty() => {
            send_link(edge, ctx, &account.email, &account.pending, ctx.now).await?
        }
        // The same token write as for a link, so the answer takes as long.
        _ => tokens::issue_decoy(kv, host.rng(), TokenKind::Verify, ctx.now).await?,
    }
    response::redirect("/register/check-email/")
}
