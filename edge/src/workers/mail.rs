//! Mail on Workers, one of:
//! - the development outbox in KV (`DEV` set);
//! - Cloudflare Email Service: the `send_email` binding `EMAIL` (`[[send_email]]` in
//!   wrangler.toml; the sending domain onboarded to Email Sending);
//! - an HTTP mail API in the style of Resend (`POST <MAIL_API_URL>` with a JSON body and
//!   `Authorization: Bearer <MAIL_API_KEY>`), which Postmark, SendGrid and others accept
//!   with small changes.
//!
//! `MAIL_TRANSPORT` (`email-service` or `api`) chooses; unset, `MAIL_API_URL` means the API
//! and otherwise the binding is used. A choice that cannot work (its binding or settings
//! missing) fails every send with a message naming what is missing, rather than quietly
//! falling back to another transport.

use serde::Serialize;
use worker::{
    EmailAddress, Env, Fetch, Headers, Method, Request, RequestInit, SendEmail, SendEmailBuilder,
};

use super::system::DateClock;
use crate::error::MailError;
use crate::kv::Kv;
use crate::mail::{Mail, Mailer, OutboxMailer, split_mailbox};

/// How much of a refusal's body goes into the error (for the log).
const ERROR_BODY_CHARS: usize = 300;

/// The Email Service binding's name in wrangler.toml.
pub const EMAIL_BINDING: &str = "EMAIL";

#[derive(Debug)]
pub enum WorkersMailer<K> {
    /// Development: nothing leaves the machine; `/_dev/outbox` shows the mail.
    Outbox(OutboxMailer<K, DateClock>),
    EmailService(SendEmail),
    Api(ApiMailer),
    /// Production with no usable transport: every send fails, and the log says what is
    /// missing (the reader, answered before the mail, sees nothing of it).
    Unconfigured(String),
}

/// What `MAIL_TRANSPORT`, `MAIL_API_URL` and `MAIL_API_KEY` say, for [`WorkersMailer::choose`].
#[derive(Debug, Default)]
pub struct MailSettings {
    pub transport: Option<String>,
    pub api_url: Option<String>,
    pub api_key: Option<String>,
}

impl<K> WorkersMailer<K> {
    /// The production transport (see the module notes).
    pub fn choose(env: &Env, settings: &MailSettings) -> Self {
        let binding = || env.send_email(EMAIL_BINDING).ok();
        let api = || match (&settings.api_url, &settings.api_key) {
            (Some(url), Some(key)) => Self::Api(ApiMailer::new(url.clone(), key.clone())),
            (None, _) => Self::Unconfigured("MAIL_API_URL is not set".into()),
            (_, None) => Self::Unconfigured("MAIL_API_KEY is not set".into()),
        };
        let email_service = || {
            binding().map_or_else(
                || {
                    Self::Unconfigured(format!(
                        "the `{EMAIL_BINDING}` send_email binding is missing from wrangler.toml"
                    ))
                },
                Self::EmailService,
            )
        };
        match settings.transport.as_deref() {
            Some("email-service") => email_service(),
            Some("api") => api(),
            Some(other) => Self::Unconfigured(format!(
                "MAIL_TRANSPORT is `{other}`; use `email-service` or `api`"
            )),
            None if settings.api_url.is_some() => api(),
            None if binding().is_some() => email_service(),
            None => Self::Unconfigured(format!(
                "no mail transport: bind `{EMAIL_BINDING}` (Email Service) or set MAIL_API_URL"
            )),
        }
    }
}

impl<K: Kv> Mailer for WorkersMailer<K> {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        match self {
            Self::Outbox(outbox) => outbox.send(mail).await,
            Self::EmailService(binding) => send_with_binding(binding, mail).await,
            Self::Api(api) => api.send(mail).await,
            Self::Unconfigured(problem) => Err(MailError::new(format!(
                "{problem}; mail cannot be sent (see docs/content/backend.md, Cloudflare Workers)"
            ))),
        }
    }
}

async fn send_with_binding(binding: &SendEmail, mail: &Mail) -> Result<(), MailError> {
    // The binding's `from` is an address or `{ email, name }`: a display name goes apart.
    let message = match split_mailbox(&mail.from) {
        (Some(name), address) => SendEmailBuilder::new_with_email_address_and_str(
            &EmailAddress::new(name, address),
            &mail.to,
            &mail.subject,
        ),
        (None, address) => SendEmailBuilder::new(address, &mail.to, &mail.subject),
    };
    message.set_text(&mail.text);
    binding
        .send_with_builder(&message)
        .await
        .map(|_| ())
        .map_err(|e| MailError::new(format!("send_email binding: {}", String::from(e.message()))))
}

pub struct ApiMailer {
    url: String,
    key: String,
}

impl std::fmt::Debug for ApiMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("ApiMailer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct ApiMessage<'a> {
    from: &'a str,
    to: [&'a str; 1],
    subject: &'a str,
    text: &'a str,
}

impl ApiMailer {
    pub fn new(url: String, key: String) -> Self {
        Self { url, key }
    }

    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let body = serde_json::to_string(&ApiMessage {
            from: &mail.from,
            to: [&mail.to],
            subject: &mail.subject,
            text: &mail.text,
        })
        .map_err(|e| MailError::new(e.to_string()))?;
        let headers = Headers::new();
        let fail = |e: worker::Error| MailError::new(format!("mail API request: {e}"));
        headers
            .set("content-type", "application/json")
            .map_err(fail)?;
        headers
            .set("authorization", &format!("Bearer {}", self.key))
            .map_err(fail)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.into()));
        let request = Request::new_with_init(&self.url, &init).map_err(fail)?;
        let mut response = Fetch::Request(request).send().await.map_err(fail)?;
        let status = response.status_code();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let detail: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(ERROR_BODY_CHARS)
            .collect();
        Err(MailError::new(format!(
            "mail API answered {status}: {detail}"
        )))
    }
}
