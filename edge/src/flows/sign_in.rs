//! `POST /api/sign-in` and the `/sign-in/` page with its notices.
//!
//! A wrong password and an unknown address get the same message after the same work (one
//! argon2 verification). Only a reader who knows the password learns that the address still
//! needs verifying.

use http::StatusCode;

use crate::accounts::{self, Account, Edit};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::kv::Txn;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;
use crate::trial;

use super::{
    acquire, form_page, ip_gate, kept, limited, refuse, release, sign_in_failure_gates,
    too_many_on_form,
};

pub(crate) const PAGE: &str = "/sign-in/";

/// The notices `GET /sign-in/` shows: query parameter → `data-notice` name.
const NOTICES: [(&str, &str); 4] = [
    ("verified", "verified"),
    ("reset", "reset"),
    ("signed_out", "signed-out"),
    ("deleted", "deleted"),
];

/// The one answer to a wrong password and an unknown address alike.
fn incorrect() -> FormMessage {
    FormMessage::text("The email address or password is incorrect.")
}

pub(crate) async fn page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        notices: super::notices(ctx, &NOTICES),
        ..PageFill::default()
    };
    form_page(edge, PAGE, StatusCode::OK, &fill).await
}

pub(crate) async fn post<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let page = &super::page_of(edge, form, PAGE).await;
    let values = kept(form, &["email"]);
    let email = forms::parse_email(form.text("email"));
    let password = form.text("password");
    let mut errors = Vec::new();
    if let Err(message) = &email {
        errors.push(("email".to_owned(), (*message).to_owned()));
    }
    if password.is_empty() {
        errors.push(("password".to_owned(), "Enter your password.".to_owned()));
    } else if password.chars().count() > password::MAX_CHARS {
        // Longer than any password we accept; not worth an argon2 run.
        errors.push((
            "password".to_owned(),
            password::PasswordRule::MaxLength.message().to_owned(),
        ));
    }
    let Ok(email) = email else {
        return refuse(edge, page, values, errors, None).await;
    };
    if !errors.is_empty() {
        return refuse(edge, page, values, errors, None).await;
    }

    let ip_gate = ip_gate(edge, ctx, "sign-in");
    let failure_gates = sign_in_failure_gates(edge, ctx, &email.key);
    let [by_network, ceiling] = failure_gates.clone();
    let all = [ip_gate, by_network, ceiling];
    // Checked first (a refused request costs one read per counter), then acquired before
    // argon2: of a burst, only as many as the failure limit get their password tried.
    let wait = match limited(edge, &all, ctx.now).await? {
        Some(wait) => Some(wait),
        None => acquire(edge, &all, ctx.now).await?,
    };
    if let Some(wait) = wait {
        return too_many_on_form(edge, page, values, wait).await;
    }

    let host = edge.host();
    let kv = host.kv();
    let account = accounts::load(kv, &email.key).await?;
    let verification = match &account {
        Some(account) => password::verify(host, password, &account.password_hash).await?,
        None => {
            password::burn(host, password).await?;
            Verification::Wrong
        }
    };
    let (Some(account), Verification::Right { rehash }) = (account, verification) else {
        // The failure stays counted.
        return refuse(edge, page, values, Vec::new(), Some(incorrect())).await;
    };
    release(edge, &failure_gates, ctx.now).await?;
    if !account.verified {
        return refuse(
            edge,
            page,
            values,
            Vec::new(),
            Some(FormMessage::with_link(
                "Verify your email address first: open the link in the email we sent you.",
                "/register/resend/",
                "Send a new link",
            )),
        )
        .await;
    }

    let account = if rehash {
        let new_hash = password::hash(host, password).await?;
        // Only over the hash just verified: a password changed meanwhile stays changed.
        let verified_hash = account.password_hash.clone();
        accounts::edit(kv, &email.key, |current| {
            Ok(match current {
                Some(mut current) if current.password_hash == verified_hash => {
                    current.password_hash = new_hash.clone();
                    Edit::Save {
                        account: Box::new(current.clone()),
                        also: Txn::new(),
                        out: Some(current),
                    }
                }
                _ => Edit::Keep(None),
            })
        })
        .await?
    } else {
        Some(account)
    };
    match account {
        Some(account) => signed_in(edge, ctx, &account).await,
        None => refuse(edge, page, values, Vec::new(), Some(incorrect())).await,
    }
}

/// Signs the account in: the trial starts if it has not yet, a new session (the one the
/// request came with is deleted), 303 to `/account/`.
pub(crate) async fn signed_in<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    account: &Account,
) -> Result<Resp, EdgeError> {
    let host = edge.host();
    let kv = host.kv();
    let email_key = &account.key_email();
    // Started once, whatever the sign-ins racing this one do; listed for the daily job
    // before it starts (the index is the shared object's).
    if trial::load(kv, email_key).await?.trial.is_none() {
        trial::index_start(kv, account, ctx.now).await?;
        trial::update(kv, email_key, |sub| trial::start(sub, ctx.now)).await?;
    }
    // A new id at every sign-in: a session id planted before sign-in is worth nothing.
    if let Some(old) = sessions::cookie_value(&ctx.headers) {
        sessions::delete(kv, &old).await?;
    }
    let id = sessions::create(kv, host.rng(), account, ctx.now).await?;
    let mut response = response::redirect("/account/")?;
    sessions::sign_in_cookies(&mut response, &id)?;
    Ok(response)
}
