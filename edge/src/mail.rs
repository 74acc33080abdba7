//! Outgoing mail: the [`Mailer`] trait, the message type, the development outbox, a
//! capturing mailer for tests, and the text of every email the core sends.
//!
//! Flows never send mail while a reader waits: they queue it on the request's
//! [`MailQueue`], and [`Edge::answer`](crate::Edge::answer) hands it to the host as
//! [`Deferred`] work to run after the answer has gone out. Whether an address gets mail
//! therefore never shows in how long the answer takes, and a failing transport is logged
//! (through [`Host::report`](crate::Host::report)), never shown to the reader.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::clock::{self, Clock, DAY};
use crate::config::EdgeConfig;
use crate::error::{EdgeError, MailError};
use crate::kv::Kv;
use crate::shard::Shard;

/// One plain-text email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// `EdgeConfig::mail_from`.
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// When the core sent it (Unix seconds, on the core's clock, which includes the
    /// development clock offset).
    pub sent_at: i64,
}

/// A `From` as people write it, `Konnect <no-reply@example.com>` or a bare address, split
/// into its display name (if any) and address, for transports that take them apart.
pub fn split_mailbox(from: &str) -> (Option<&str>, &str) {
    let from = from.trim();
    match (from.rfind('<'), from.strip_suffix('>')) {
        (Some(open), Some(inner)) => {
            let name = from[..open].trim().trim_matches('"').trim();
            let address = inner[open + 1..].trim();
            ((!name.is_empty()).then_some(name), address)
        }
        _ => (None, from),
    }
}

/// The mail one request queued, to send once its answer has gone out: the host runs it with
/// [`Edge::run_deferred`](crate::Edge::run_deferred) (Workers: in `ctx.wait_until`;
/// `gatehouse serve`: on a background task). Dropping it drops the mail.
#[derive(Debug, Default)]
#[must_use = "the queued mail is sent only when the host runs it (Edge::run_deferred)"]
pub struct Deferred {
    pub(crate) mails: Vec<Mail>,
}

impl Deferred {
    /// Nothing to do after the answer.
    pub fn is_empty(&self) -> bool {
        self.mails.is_empty()
    }

    /// The queued mail, in the order it was queued.
    pub fn mails(&self) -> &[Mail] {
        &self.mails
    }
}

/// Where a flow queues mail during one request (see [`Deferred`]); clones share the queue.
/// A `Mutex`, not a `RefCell`, so the native futures stay `Send`; it is never contended.
#[derive(Debug, Default, Clone)]
pub(crate) struct MailQueue(Arc<Mutex<Vec<Mail>>>);

impl MailQueue {
    pub(crate) fn queue(&self, mail: Mail) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(mail);
    }

    /// Everything queued so far, leaving the queue empty.
    pub(crate) fn take(&self) -> Deferred {
        Deferred {
            mails: std::mem::take(
                &mut *self
                    .0
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            ),
        }
    }
}

#[allow(async_fn_in_trait)]
pub trait Mailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

/// Keeps every mail in memory; tests read them back.
#[derive(Debug, Clone, Default)]
pub struct CapturingMailer {
    sent: Arc<Mutex<Vec<Mail>>>,
}

impl CapturingMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Mails sent to `to`, oldest first.
    pub fn sent_to(&self, to: &str) -> Vec<Mail> {
        self.sent().into_iter().filter(|m| m.to == to).collect()
    }
}

impl Mailer for CapturingMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(mail.clone());
        Ok(())
    }
}

/// Key prefix of the development outbox.
pub const OUTBOX_PREFIX: &str = "outbox:";
const OUTBOX_TTL_SECS: u64 = DAY as u64;

/// A stored outbox entry, also the JSON shape of `GET /_dev/outbox`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Every URL in `text`, in order.
    pub links: Vec<String>,
    /// RFC 3339.
    pub sent_at: String,
}

/// The development mailer: nothing leaves the machine; each mail is stored in the Kv under
/// `outbox:` for a day so `/_dev/outbox` can show it. Host-independent, so `wrangler dev`
/// can use it as well as `gatehouse serve`.
#[derive(Debug)]
pub struct OutboxMailer<K, C> {
    kv: K,
    clock: C,
    seq: AtomicU64,
}

impl<K: Kv, C: Clock> OutboxMailer<K, C> {
    /// `kv` should share storage with the host's Kv (clone the handle) so the dev routes
    /// can read what was sent.
    pub fn new(kv: K, clock: C) -> Self {
        Self {
            kv,
            clock,
            seq: AtomicU64::new(0),
        }
    }
}

impl<K: Kv, C: Clock> Mailer for OutboxMailer<K, C> {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let sent_at = clock::rfc3339(mail.sent_at).map_err(|e| MailError::new(e.to_string()))?;
        let entry = OutboxEntry {
            to: mail.to.clone(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            links: links(&mail.text),
            sent_at,
        };
        let value = serde_json::to_string(&entry).map_err(|e| MailError::new(e.to_string()))?;
        // Real time, not the development clock, orders the outbox: the dev clock can be
        // moved back with `reset=1`, and the newest mail must still come first.
        let ms = self.clock.now_ms().max(0);
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) % 1_000_000;
        let key = format!("{OUTBOX_PREFIX}{ms:015}:{seq:06}");
        // The shared object's (`shard.rs`), whichever object sends it.
        self.kv
            .at(&Shard::Shared)
            .put(&key, &value, Some(OUTBOX_TTL_SECS))
            .await?;
        Ok(())
    }
}

/// Every `http://` or `https://` URL in `text`.
pub fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = next_url_start(rest) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')'))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if url.len() > "https://".len() {
            found.push(url.to_owned());
        }
        rest = &tail[end.max(1)..];
    }
    found
}

fn next_url_start(text: &str) -> Option<usize> {
    match (text.find("http://"), text.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The emails. Each takes the site's identity from [`EdgeConfig`] so links point at the site
/// that sent them.
pub(crate) mod templates {
    use super::*;

    fn signature(config: &EdgeConfig) -> String {
        format!("— {}\n{}/\n", config.site_title, config.base())
    }

    /// A mail from the site to `to`: `text`, then the site's signature.
    fn compose(config: &EdgeConfig, to: &str, subject: String, text: String, now: i64) -> Mail {
        Mail {
            from: config.mail_from.clone(),
            to: to.to_owned(),
            subject,
            text: format!("{text}\n\n{}", signature(config)),
            sent_at: now,
        }
    }

    /// To an address not verified yet: nothing the registrant typed but the address itself
    /// (a stranger's text in a mail from the site's domain would be a spam channel).
    pub fn verify(config: &EdgeConfig, to: &str, token: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let link = format!("{}/api/verify?token={token}", config.base());
        compose(
            config,
            to,
            format!("Verify your email address for {product}"),
            format!(
                "Hello,\n\n\
                 Thanks for signing up for {product}. To finish, open this link within \
                 24 hours:\n\n{link}\n\n\
                 You will be asked for the password you chose when you registered; entering \
                 it verifies your address and signs you in. Your 30-day {product} Plus trial \
                 starts then.\n\n\
                 If you did not sign up, ignore this email: the account is not used until the \
                 address is verified."
            ),
            now,
        )
    }

    pub fn already_registered(config: &EdgeConfig, to: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let base = config.base();
        compose(
            config,
            to,
            format!("You already have a {product} account"),
            format!(
                "Hello,\n\n\
                 Someone, hopefully you, tried to register a {product} account with this email \
                 address, but it already has one.\n\n\
                 Sign in: {base}/sign-in/\n\
                 Forgot your password? Reset it: {base}/forgot-password/\n\n\
                 If this was not you, you can ignore this email; nothing has changed."
            ),
            now,
        )
    }

    pub fn reset(config: &EdgeConfig, to: &str, token: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let link = format!("{}/reset-password/?token={token}", config.base());
        compose(
            config,
            to,
            format!("Reset your {product} password"),
            format!(
                "Hello,\n\n\
                 To choose a new password for your {product} account, open this link within \
                 1 hour:\n\n{link}\n\n\
                 The link works once. If you did not ask for it, ignore this email: your \
                 password stays as it is."
            ),
            now,
        )
    }

    pub fn password_changed(config: &EdgeConfig, to: &str, now: i64) -> Result<Mail, EdgeError> {
        let product = &config.product_name;
        let base = config.base();
        let when = clock::rfc3339(now)?;
        Ok(compose(
            config,
            to,
            format!("Your {product} password was changed"),
            format!(
                "Hello,\n\n\
                 The password of your {product} account was changed at {when}, and every \
                 device signed in to the account was signed out.\n\n\
                 If this was not you, reset your password now: {base}/forgot-password/"
            ),
            now,
        ))
    }

    /// After a change on the account page: the reader who changed it stays signed in.
    pub fn password_changed_in_settings(
        config: &EdgeConfig,
        to: &str,
        now: i64,
    ) -> Result<Mail, EdgeError> {
        let product = &config.product_name;
        let base = config.base();
        let when = clock::rfc3339(now)?;
        Ok(compose(
            config,
            to,
            format!("Your {product} password was changed"),
            format!(
                "Hello,\n\n\
                 The password of your {product} account was changed on the account page at \
                 {when}. Every other device signed in to the account was signed out.\n\n\
                 If this was not you, reset your password now: {base}/forgot-password/"
            ),
            now,
        ))
    }

    /// To the new address of an email change: the link to confirm it.
    pub fn email_change_confirm(config: &EdgeConfig, to: &str, token: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let link = format!("{}/confirm-email/?token={token}", config.base());
        compose(
            config,
            to,
            format!("Confirm your new email address for {product}"),
            format!(
                "Hello,\n\n\
                 Someone asked to use this address for a {product} account. To confirm, open \
                 this link within 24 hours:\n\n{link}\n\n\
                 You will be asked for the account's password. The address changes only then.\n\n\
                 If you did not ask for this, ignore this email: nothing changes."
            ),
            now,
        )
    }

    /// To the current address of an email change: what was asked, and what to do if it was
    /// not the owner.
    pub fn email_change_notice(config: &EdgeConfig, to: &str, new: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let base = config.base();
        compose(
            config,
            to,
            format!("A change of your {product} email address was asked for"),
            format!(
                "Hello,\n\n\
                 Someone signed in to your {product} account asked to change its email address \
                 to {new}. Nothing changes until the link sent to that address is confirmed; \
                 until then you sign in with this address.\n\n\
                 If this was not you, change your password now: {base}/forgot-password/"
            ),
            now,
        )
    }

    /// After the account was deleted.
    pub fn goodbye(config: &EdgeConfig, to: &str, now: i64) -> Mail {
        let product = &config.product_name;
        let base = config.base();
        compose(
            config,
            to,
            format!("Your {product} account was deleted"),
            format!(
                "Hello,\n\n\
                 Your {product} account and everything we kept about it were deleted. Thank \
                 you for trying {product}.\n\n\
                 You can register again with this address at any time: {base}/register/"
            ),
            now,
        )
    }

    pub fn trial_reminder(
        config: &EdgeConfig,
        to: &str,
        first_name: &str,
        ends_at: i64,
        chosen_plus: bool,
        now: i64,
    ) -> Result<Mail, EdgeError> {
        let product = &config.product_name;
        let base = config.base();
        let date = clock::human_date(ends_at)?;
        let next = if chosen_plus {
            format!("You chose to continue with {product} Plus after the trial.")
        } else {
            format!(
                "Choose now whether to continue with {product} Plus or move to the {product} \
                 Free plan. If you choose nothing, your account moves to Free."
            )
        };
        Ok(compose(
            config,
            to,
            format!("Your {product} Plus trial ends in 3 days"),
            format!(
                "Hello {first_name},\n\n\
                 Your {product} Plus trial ends on {date}.\n\n{next}\n\n\
                 Your account: {base}/account/"
            ),
            now,
        ))
    }

    pub fn trial_ended(
        config: &EdgeConfig,
        to: &str,
        first_name: &str,
        plan_label: &str,
        now: i64,
    ) -> Mail {
        let product = &config.product_name;
        let base = config.base();
        compose(
            config,
            to,
            format!("Your {product} Plus trial has ended"),
            format!(
                "Hello {first_name},\n\n\
                 Your {product} Plus trial has ended. Your account is now on the {product} \
                 {plan_label} plan.\n\n\
                 You can change your plan on your account page: {base}/account/"
            ),
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mailboxes_split_into_name_and_address() {
        assert_eq!(
            split_mailbox("Konnect <no-reply@docs.example.com>"),
            (Some("Konnect"), "no-reply@docs.example.com")
        );
        assert_eq!(
            split_mailbox("\"Kong, Inc.\" <a@b.example>"),
            (Some("Kong, Inc."), "a@b.example")
        );
        assert_eq!(split_mailbox("<a@b.example>"), (None, "a@b.example"));
        assert_eq!(split_mailbox(" a@b.example "), (None, "a@b.example"));
    }

    use super::*;

    #[test]
    fn finds_links_in_text() {
        let text = "Open http://127.0.0.1:1111/api/verify?token=abc_-D.\nOr (https://x.test/a/).";
        assert_eq!(
            links(text),
            vec![
                "http://127.0.0.1:1111/api/verify?token=abc_-D".to_owned(),
                "https://x.test/a/".to_owned()
            ]
        );
        assert!(links("no links here, http:// alone").is_empty());
    }
}
