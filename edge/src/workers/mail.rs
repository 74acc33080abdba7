//! Mail on Workers: the development outbox in KV (`DEV` set), or an HTTP mail API in the
//! style of Resend (`POST <MAIL_API_URL>` with a JSON body and `Authorization: Bearer
//! <MAIL_API_KEY>`), which Postmark, SendGrid and others accept with small changes.

use serde::Serialize;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use super::kv::WorkersKv;
use super::system::DateClock;
use crate::error::MailError;
use crate::mail::{Mail, Mailer, OutboxMailer};

/// How much of a refusal's body goes into the error (for the log).
const ERROR_BODY_CHARS: usize = 300;

#[derive(Debug)]
pub enum WorkersMailer {
    /// Development: nothing leaves the machine; `/_dev/outbox` shows the mail.
    Outbox(OutboxMailer<WorkersKv, DateClock>),
    Api(ApiMailer),
    /// Production without `MAIL_API_URL` or `MAIL_API_KEY`: every send fails (the reader
    /// gets a 500 and the log says what is missing).
    Unconfigured(&'static str),
}

impl Mailer for WorkersMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        match self {
            Self::Outbox(outbox) => outbox.send(mail).await,
            Self::Api(api) => api.send(mail).await,
            Self::Unconfigured(missing) => Err(MailError::new(format!(
                "{missing} is not set; mail cannot be sent (see edge/README.md, Workers)"
            ))),
        }
    }
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
