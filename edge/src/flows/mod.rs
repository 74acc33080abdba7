//! One module per flow; this file holds what they share: re-serving a form page, and the
//! rate-limit gates with their counter keys.
//!
//! | gate | counter key | rule |
//! |---|---|---|
//! | POSTs per client network and route | `ip:<route>:<network>` | `posts_per_ip` |
//! | failed sign-ins, one network | `sign-in-fail-net:<network>:<email>` | `sign_in_failures_per_email` |
//! | failed sign-ins, all networks | `sign-in-fail:<email>` | `sign_in_failures_ceiling` |
//! | mail of one kind, one network | `mail-net:<kind>:<network>:<email>` | `mails_per_email` |
//! | mail of one kind, all networks | `mail:<kind>:<email>` | `mails_ceiling` |
//!
//! `<network>` is [`limiter::network`](crate::limiter::network) (IPv4 address, IPv6 /64,
//! or `unknown`); `<kind>` is `verify` `reset` or `email-change` ([`MailKind`]). Counting per network keeps
//! a stranger's failures from refusing the owner, who signs in from another network; the
//! ceiling stops an attack spread over many networks. The keys cannot collide: ceilings and
//! per-network counters have distinct prefixes, and no network is another one followed by
//! `:` (each is an IPv4 address, a prefix ending in `/64`, or `unknown`), so
//! `<network>:<email>` splits one way only.

pub(crate) mod account;
/// The value of a step's `Ok`, or the answer its `Err` holds, returned at once: a
/// refusal (not signed in, 429, a wrong password) is the route's answer.
macro_rules! or_answer {
    ($step:expr) => {
        match $step {
            Ok(value) => value,
            Err(answer) => return Ok(answer),
        }
    };
}

pub(crate) mod email_change;
pub(crate) mod export;
pub(crate) mod forgot;
pub(crate) mod register;
pub(crate) mod reset;
pub(crate) mod settings;
pub(crate) mod sign_in;
pub(crate) mod sign_out;
pub(crate) mod verify;

use std::net::IpAddr;

use http::StatusCode;

use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Email, Form};
use crate::host::Host;
use crate::limiter::{Limiter, Rule, Verdict, network};
use crate::pages::{self, FormMessage, PageFill, Pages};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::shard::Shard;

/// The site's page at `path` (or the built-in one) with `fill` applied.
pub(crate) async fn form_page<H: Host>(
    edge: &Edge<H>,
    path: &str,
    status: StatusCode,
    fill: &PageFill,
) -> Result<Resp, EdgeError> {
    let html = match edge.host().pages().page(path).await {
        Some(html) => html,
        None => pages::builtin(path),
    };
    Ok(response::html(status, pages::fill(&html, fill)?))
}

/// The page a refused form comes back on: the docs page it was embedded in
/// (`{% form NAME %}` writes its path into [`routes::RETURN_TO`]), if that is a page of the
/// site holding such a form, else the form's own page. So a reader who mistyped on a docs
/// page stays there, the fields marked; a made-up `return_to` gets the form page.
pub(crate) async fn page_of<H: Host>(edge: &Edge<H>, form: &Form, own: &str) -> String {
    let Some(path) = form.get(crate::routes::RETURN_TO) else {
        return own.to_owned();
    };
    let well_formed = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 512
        && !path.contains(['\\', '?', '#'])
        && !path.chars().any(char::is_control);
    if !well_formed || path == own {
        return own.to_owned();
    }
    match edge.host().pages().page(path).await {
        Some(html) if html.contains("name=\"return_to\"") => path.to_owned(),
        _ => own.to_owned(),
    }
}

/// The first steps of a form that takes only an address and may send mail (resend the
/// verification, forgot password): the address checked, then the per-IP and mail gates
/// ([`mail_gates`]) acquired. `Err` carries the refusal to send back.
pub(crate) async fn address_form<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
    route: &str,
    kind: MailKind,
    page: &str,
) -> Result<Result<Email, Resp>, EdgeError> {
    let values = kept(form, &["email"]);
    let email = match forms::parse_email(form.text("email")) {
        Ok(email) => email,
        Err(message) => {
            let errors = vec![("email".to_owned(), message.to_owned())];
            return refuse(edge, page, values, errors, None).await.map(Err);
        }
    };
    let gates = mail_gates(edge, ctx, route, kind, &email);
    let wait = match limited(edge, &gates, ctx.now).await? {
        Some(wait) => Some(wait),
        None => acquire(edge, &gates, ctx.now).await?,
    };
    if let Some(wait) = wait {
        return too_many_on_form(edge, page, values, wait).await.map(Err);
    }
    Ok(Ok(email))
}

/// The notices a page shows: the `data-notice` names of `table` (query parameter →
/// notice) whose parameter the request's query sets to `1`.
pub(crate) fn notices(ctx: &Ctx, table: &[(&str, &str)]) -> Vec<String> {
    table
        .iter()
        .filter(|(param, _)| ctx.query.get(param) == Some("1"))
        .map(|(_, notice)| (*notice).to_owned())
        .collect()
}

/// The typed values to put back in the form (never the password).
pub(crate) fn kept(form: &Form, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .filter(|name| **name != "password")
        .filter_map(|name| form.get(name).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect()
}

/// A refused form: the same page, 422, messages beside the fields.
pub(crate) async fn refuse<H: Host>(
    edge: &Edge<H>,
    path: &str,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    message: Option<FormMessage>,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values,
        errors,
        message,
        ..PageFill::default()
    };
    form_page(edge, path, StatusCode::UNPROCESSABLE_ENTITY, &fill).await
}

/// One counter and its rule; no key when the counter does not apply (the per-IP gate
/// without a client IP).
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    pub key: Option<String>,
    pub rule: Rule,
    /// The object holding the counter (`shard.rs`); `None`: the request's own, the
    /// address's.
    pub at: Option<Shard>,
}

impl Gate {
    /// A counter of the address the request is for, held by its object.
    fn own(key: String, rule: Rule) -> Self {
        Gate {
            key: Some(key),
            rule,
            at: None,
        }
    }
}

/// The limiter holding `gate`'s counter.
fn limiter_for<H: Host>(edge: &Edge<H>, gate: &Gate) -> H::Limiter {
    match &gate.at {
        Some(shard) => edge.host().limiter().at(shard),
        None => edge.host().limiter().clone(),
    }
}

/// The mail a request sends. Each kind has its own counters, so that asking for reset
/// links cannot use up the verification mail, nor the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailKind {
    /// Register and resend.
    Verification,
    /// Forgot password.
    Reset,
    /// The link to confirm a new address (account page), counted on the new address.
    EmailChange,
}

impl MailKind {
    fn key(self) -> &'static str {
        match self {
            Self::Verification => "verify",
            Self::Reset => "reset",
            Self::EmailChange => "email-change",
        }
    }
}

/// The per-IP counter of `route`: keyed on the client's network (an IPv6 client on its
/// /64); `None` without a client IP.
pub(crate) fn ip_key(route: &str, ip: Option<IpAddr>) -> Option<String> {
    ip.map(|ip| format!("ip:{route}:{}", network(Some(ip))))
}

/// The per-IP gate of a POST to `route`: the client's network, the POST limit.
pub(crate) fn ip_gate<H: Host>(edge: &Edge<H>, ctx: &Ctx, route: &str) -> Gate {
    Gate {
        key: ip_key(route, ctx.client_ip),
        rule: edge.config().limits.posts_per_ip,
        at: Some(Shard::of_network(&network(ctx.client_ip))),
    }
}

/// The gates of a request to `route` that sends `kind` mail to `email`: per IP, per
/// address and network, per address (the ceiling). Check them all, then acquire them all.
pub(crate) fn mail_gates<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    route: &str,
    kind: MailKind,
    email: &Email,
) -> [Gate; 3] {
    let limits = &edge.config().limits;
    let (kind, net, email) = (kind.key(), network(ctx.client_ip), &email.key);
    [
        ip_gate(edge, ctx, route),
        Gate {
            at: Some(Shard::of_address(email)),
            ..Gate::own(
                format!("mail-net:{kind}:{net}:{email}"),
                limits.mails_per_email,
            )
        },
        Gate {
            at: Some(Shard::of_address(email)),
            ..Gate::own(format!("mail:{kind}:{email}"), limits.mails_ceiling)
        },
    ]
}

/// The counters a failed sign-in adds to (acquired before the password is tried, so a
/// burst cannot try more than the limit; released when it is right): per address and network, and per address from all
/// networks (the ceiling). A correct password from another network is not refused until
/// the ceiling is reached.
pub(crate) fn sign_in_failure_gates<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    email_key: &str,
) -> [Gate; 2] {
    let limits = &edge.config().limits;
    let (net, email) = (network(ctx.client_ip), email_key);
    [
        Gate::own(
            format!("sign-in-fail-net:{net}:{email}"),
            limits.sign_in_failures_per_email,
        ),
        Gate::own(
            format!("sign-in-fail:{email}"),
            limits.sign_in_failures_ceiling,
        ),
    ]
}

/// Checks every counter without counting; the longest wait if any is full.
pub(crate) async fn limited<H: Host>(
    edge: &Edge<H>,
    checks: &[Gate],
    now: i64,
) -> Result<Option<u64>, EdgeError> {
    let mut wait = None;
    for gate in checks {
        let Some(key) = &gate.key else { continue };
        if let Verdict::Limited { retry_after_secs } =
            limiter_for(edge, gate).check(key, gate.rule, now).await?
        {
            wait = Some(wait.map_or(retry_after_secs, |w: u64| w.max(retry_after_secs)));
        }
    }
    Ok(wait)
}

/// Counts one event on every counter, atomically each (see [`Limiter::acquire`]): `Some`
/// with the longest wait when one is full, and then nothing stays counted.
pub(crate) async fn acquire<H: Host>(
    edge: &Edge<H>,
    gates: &[Gate],
    now: i64,
) -> Result<Option<u64>, EdgeError> {
    for (done, gate) in gates.iter().enumerate() {
        let Some(key) = &gate.key else { continue };
        let verdict = limiter_for(edge, gate).acquire(key, gate.rule, now).await?;
        if let Verdict::Limited { retry_after_secs } = verdict {
            release(edge, &gates[..done], now).await?;
            return Ok(Some(retry_after_secs));
        }
    }
    Ok(None)
}

/// Gives back the events [`acquire`] counted (an attempt that did not fail after all).
pub(crate) async fn release<H: Host>(
    edge: &Edge<H>,
    gates: &[Gate],
    now: i64,
) -> Result<(), EdgeError> {
    for gate in gates {
        if let Some(key) = &gate.key {
            limiter_for(edge, gate).release(key, gate.rule, now).await?;
        }
    }
    Ok(())
}

/// What every 429 tells the reader: how long to wait, in whole minutes.
pub(crate) fn wait_message(retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many attempts. Please wait {minutes} {unit} and try again.")
}

/// 429 with `Retry-After`: the same form, the typed values kept, and when to try again.
pub(crate) async fn too_many_on_form<H: Host>(
    edge: &Edge<H>,
    path: &str,
    values: Vec<(String, String)>,
    retry_after_secs: u64,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values,
        message: Some(FormMessage::text(wait_message(retry_after_secs))),
        ..PageFill::default()
    };
    let mut response = form_page(edge, path, StatusCode::TOO_MANY_REQUESTS, &fill).await?;
    response::retry_after(&mut response, retry_after_secs);
    Ok(response)
}
