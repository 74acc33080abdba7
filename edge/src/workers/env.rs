//! What the Worker and the Durable Object read from the environment (vars, secrets,
//! bindings) and the host they assemble from it, over either store handle: the one
//! place both sides of the Workers host (`mod.rs`, `object.rs`) take their settings from.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use worker::{Env, console_error, console_warn};

use super::limiter::WorkersLimiter;
use super::mail::{MailSettings, WorkersMailer};
use super::pages::AssetPages;
use super::store::{DurableKv, STORE_BINDING};
use super::system::{CryptoRng, DateClock};
use crate::config::{DevMode, setting};
use crate::kv::Kv;
use crate::{EdgeConfig, EdgeError, OutboxMailer, Services};

pub const ASSETS_BINDING: &str = "ASSETS";
pub const RATE_LIMIT_BINDING: &str = "RATE_LIMITER";
/// How long the mail of an answer waits in `ctx.wait_until` before it starts (see `fetch`).
pub(super) const DEFER_MAIL_BY: Duration = Duration::from_millis(5);

/// The host over a store handle: [`LocalKv`] inside the object, where the core answers
/// requests; [`DurableKv`] in the Worker, for the mail after an answer and the daily job.
pub type WorkersHost<K> =
    Services<K, WorkersMailer<K>, DateClock, CryptoRng, WorkersLimiter<K>, AssetPages>;

/// The vars and secrets the host reads itself, once per event; the core's settings are read
/// by [`Settings::config`].
pub(super) struct Settings {
    pub(super) site_url: Option<String>,
    mail: MailSettings,
    dev: bool,
    /// Why `/_dev/*` is refused although `DEV` is set (see [`DevMode`]).
    pub(super) dev_refused: Option<String>,
}

/// Whether this isolate has logged its development-mode note.
static DEV_NOTE_LOGGED: AtomicBool = AtomicBool::new(false);

/// A var or secret, `None` when unset or blank.
fn text(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret(name).ok().map(|v| v.to_string()))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Where the Worker keeps each of the core's settings: `site_title` in `SITE_TITLE`,
/// `limits.posts_per_ip` in `LIMIT_POSTS_PER_IP`.
fn var_name(name: &str) -> String {
    match name.strip_prefix(setting::LIMITS_PREFIX) {
        Some(limit) => format!("LIMIT_{}", limit.to_ascii_uppercase()),
        None => name.to_ascii_uppercase(),
    }
}

impl Settings {
    pub(super) fn from_env(env: &Env) -> Self {
        let site_url = text(env, "SITE_URL");
        // As written: `DEV` must be exactly `1` or `true`.
        let raw = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let dev = DevMode::decide(
            raw("DEV").as_deref(),
            site_url.as_deref(),
            raw("DEV_ALLOW_REMOTE").as_deref(),
        );
        if let Some(note) = &dev.note
            && !DEV_NOTE_LOGGED.swap(true, Ordering::Relaxed)
        {
            console_warn!("edge: {note}");
        }
        Self {
            site_url,
            mail: MailSettings {
                transport: text(env, "MAIL_TRANSPORT"),
                api_url: text(env, "MAIL_API_URL"),
                api_key: text(env, "MAIL_API_KEY"),
            },
            dev: dev.on,
            dev_refused: dev.refused,
        }
    }

    /// Where links in mail point: `SITE_URL`. In development they point at wherever the
    /// worker was reached (like `gatehouse serve`), so a local run never mails production
    /// links.
    pub(super) fn base_url(&self, origin: &str) -> String {
        match (&self.site_url, self.dev) {
            (Some(site), false) => site.clone(),
            _ => origin.to_owned(),
        }
    }

    /// The core's configuration from the vars. A bad `LIMIT_*` var is logged and the default
    /// limits kept: a typo in a var must not take the forms down, nor switch a limit off.
    pub(super) fn config(&self, env: &Env, base_url: String) -> EdgeConfig {
        let (config, problem) =
            EdgeConfig::from_lookup_or_default_limits(base_url, self.dev, |name| {
                text(env, &var_name(name))
            });
        if let Some(problem) = problem {
            console_error!("edge: ignoring the LIMIT_* vars: {problem}");
        }
        config
    }
}

fn log_error(error: &EdgeError) {
    console_error!("edge: internal error: {error}");
}

/// Assembles the host from the bindings, over `kv`. Cheap: the bindings are handles,
/// nothing is read. `origin` is where pages are asked of the ASSETS binding (it serves by
/// path).
pub(super) fn host<K: Kv + Clone>(
    env: &Env,
    settings: &Settings,
    origin: String,
    kv: K,
) -> worker::Result<WorkersHost<K>> {
    let mailer = if settings.dev {
        WorkersMailer::Outbox(OutboxMailer::new(kv.clone(), DateClock))
    } else {
        WorkersMailer::choose(env, &settings.mail)
    };
    // In development every window follows the development clock (as in `gatehouse serve`),
    // so the per-IP counters stay in the store too; see limiter.rs.
    let binding = if settings.dev {
        None
    } else {
        env.rate_limiter(RATE_LIMIT_BINDING).ok()
    };
    Ok(Services {
        mailer,
        limiter: WorkersLimiter::new(kv.clone(), binding),
        kv,
        clock: DateClock,
        rng: CryptoRng,
        pages: AssetPages::new(env.assets(ASSETS_BINDING)?, origin),
        on_error: log_error,
    })
}

/// The Worker's host, on [`DurableKv`]: for the mail it sends after an answer.
pub(super) fn worker_host(
    env: &Env,
    settings: &Settings,
    origin: String,
) -> worker::Result<WorkersHost<DurableKv>> {
    let kv = DurableKv::new(&env.durable_object(STORE_BINDING)?)?;
    host(env, settings, origin, kv)
}
