//! The Cloudflare Workers host: the same core as `gatehouse serve`, built to wasm32 with
//! `worker-build` (`scripts/build-worker.sh`) and configured by `wrangler.toml`.
//!
//! - `fetch`: requests the core answers ([`routes::is_edge_route`]) go to [`Edge::answer`]
//!   (client IP from `CF-Connecting-IP`), `/_dev/*` included: outside development mode the
//!   core answers them 404, whatever the method; everything else goes to the ASSETS
//!   binding (the built `public/`). The mail an answer causes is sent after it, in
//!   `ctx.wait_until` ([`Edge::run_deferred`]).
//! - Development mode is [`DevMode::decide`]'s answer for the `DEV`, `SITE_URL` and
//!   `DEV_ALLOW_REMOTE` vars: on only for `DEV` exactly `1` or `true`, and then only for a
//!   loopback `SITE_URL` unless `DEV_ALLOW_REMOTE` is set too. Its note goes to the log once
//!   per isolate; each `/_dev/*` request it refuses is logged with the reason.
//! - `scheduled` (the daily cron): [`Edge::run_scheduled`].
//!
//! Bindings and vars (wrangler.toml): `STATE` (the Durable Object namespace of
//! [`OnboardingStore`], where every record lives: see `store.rs`), `ASSETS`, `RATE_LIMITER` (optional),
//! `EMAIL` (send_email, optional), `SITE_URL`, `PRODUCT_NAME`, `SITE_TITLE`, `MAIL_FROM`,
//! `MAIL_TRANSPORT`, `MAIL_API_URL`, the secret `MAIL_API_KEY`, `LIMIT_<NAME>` (see
//! [`Limits::SETTINGS`](crate::Limits::SETTINGS)), and `DEV`, `DEV_ALLOW_REMOTE`
//! (development only). The core's settings are read through
//! [`EdgeConfig::from_lookup_or_default_limits`].

mod convert;
mod forward;
mod limiter;
mod mail;
mod object;
mod pages;
mod store;
mod system;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use worker::{
    Context, Delay, Env, Request, Response, ScheduleContext, ScheduledEvent, console_error,
    console_log, console_warn, event,
};

pub use limiter::WorkersLimiter;
pub use mail::{ApiMailer, EMAIL_BINDING, MailSettings, WorkersMailer};
pub use object::OnboardingStore;
pub use pages::AssetPages;
pub use store::{DurableKv, LocalKv, STORE_BINDING};
pub use system::{CryptoRng, DateClock};

use crate::config::{DevMode, setting};
use crate::kv::Kv;
use crate::routes;
use crate::{Edge, EdgeConfig, EdgeError, OutboxMailer, Services};
use forward::{Forwarded, Returned};

pub const ASSETS_BINDING: &str = "ASSETS";
pub const RATE_LIMIT_BINDING: &str = "RATE_LIMITER";
/// How long the mail of an answer waits in `ctx.wait_until` before it starts (see `fetch`).
const DEFER_MAIL_BY: Duration = Duration::from_millis(5);

/// The host over a store handle: [`LocalKv`] inside the object, where the core answers
/// requests; [`DurableKv`] in the Worker, for the mail after an answer and the daily job.
pub type WorkersHost<K> =
    Services<K, WorkersMailer<K>, DateClock, CryptoRng, WorkersLimiter<K>, AssetPages>;

/// The vars and secrets the host reads itself, once per event; the core's settings are read
/// by [`Settings::config`].
struct Settings {
    site_url: Option<String>,
    mail: MailSettings,
    dev: bool,
    /// Why `/_dev/*` is refused although `DEV` is set (see [`DevMode`]).
    dev_refused: Option<String>,
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
    fn from_env(env: &Env) -> Self {
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
    fn base_url(&self, origin: &str) -> String {
        match (&self.site_url, self.dev) {
            (Some(site), false) => site.clone(),
            _ => origin.to_owned(),
        }
    }

    /// The core's configuration from the vars. A bad `LIMIT_*` var is logged and the default
    /// limits kept: a typo in a var must not take the forms down, nor switch a limit off.
    fn config(&self, env: &Env, base_url: String) -> EdgeConfig {
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
fn host<K: Kv + Clone>(
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
fn worker_host(
    env: &Env,
    settings: &Settings,
    origin: String,
) -> worker::Result<WorkersHost<DurableKv>> {
    let kv = DurableKv::new(&env.durable_object(STORE_BINDING)?)?;
    host(env, settings, origin, kv)
}

fn plain(status: u16, text: &str) -> worker::Result<Response> {
    Ok(Response::ok(text)?.with_status(status))
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let settings = Settings::from_env(&env);
    let method = http::Method::from_bytes(req.inner().method().as_bytes()).ok();
    let path = req.path();
    let for_core = method
        .as_ref()
        .is_some_and(|m| routes::is_edge_route(m, &path));
    if !for_core {
        return env.assets(ASSETS_BINDING)?.fetch_request(req).await;
    }
    if let Some(why) = &settings.dev_refused
        && path.starts_with("/_dev/")
    {
        // Development mode is off, so the core answers 404; the log says why.
        console_warn!("edge: {path} refused: {why}");
    }

    let origin = req.url()?.origin().ascii_serialization();
    let config = settings.config(&env, settings.base_url(&origin));
    let client_ip = convert::client_ip(&req);
    let core_req = match convert::to_core(&mut req, config.limits.max_body_bytes).await {
        Ok(core_req) => core_req,
        Err(error) => {
            console_error!("edge: unreadable request: {error}");
            return plain(400, "Bad request\n");
        }
    };
    // The object answers (object.rs): one round trip, every store call local to it.
    let forwarded = Forwarded::new(&core_req, client_ip);
    let answer = match object::forward(&env.durable_object(STORE_BINDING)?, &forwarded)
        .await
        .and_then(Returned::into_answer)
    {
        Ok(answer) => answer,
        Err(error) => {
            console_error!("edge: internal error: {error}");
            return plain(500, "Internal error\n");
        }
    };
    if !answer.deferred.is_empty() {
        let sender = Edge::new(worker_host(&env, &settings, origin)?, config);
        ctx.wait_until(async move {
            // Let the answer leave first: started at once, the first step of the mail (in
            // development a store write) runs ahead of delivering the response in workerd,
            // and a known address would answer later than an unknown one again.
            Delay::from(DEFER_MAIL_BY).await;
            sender.run_deferred(answer.deferred).await;
        });
    }
    convert::from_core(answer.response, &[])
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    // The object runs the job on its own records (object.rs), as it answers requests.
    let outcome = match env.durable_object(STORE_BINDING) {
        Ok(namespace) => object::run_scheduled(&namespace).await,
        Err(error) => Err(format!("{STORE_BINDING}: {error}")),
    };
    match outcome {
        Ok(report) => console_log!("edge: scheduled job: {report}"),
        Err(error) => console_error!("edge: scheduled job failed: {error}"),
    }
}
