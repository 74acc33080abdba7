//! The Cloudflare Workers host: the same core as `gatehouse serve`, built to wasm32 with
//! `worker-build` (`scripts/build-worker.sh`) and configured by `wrangler.toml`.
//!
//! - `fetch`: requests the core answers ([`crate::is_edge_route`]) go to [`Edge::handle`]
//!   (client IP from `CF-Connecting-IP`); `/_dev/*` only when the `DEV` var is set;
//!   everything else to the ASSETS binding (the built `public/`).
//! - `scheduled` (the daily cron): [`Edge::run_scheduled`].
//!
//! Bindings and vars (wrangler.toml): `ACCOUNTS` (KV), `ASSETS`, `RATE_LIMITER` (optional),
//! `EMAIL` (send_email, optional), `SITE_URL`, `PRODUCT_NAME`, `SITE_TITLE`, `MAIL_FROM`,
//! `MAIL_TRANSPORT`, `MAIL_API_URL`, the secret `MAIL_API_KEY`, and `DEV` (development only).

mod convert;
mod kv;
mod limiter;
mod mail;
mod pages;
mod system;

use worker::{
    Context, Env, Request, Response, ScheduleContext, ScheduledEvent, console_error, console_log,
    event,
};

pub use kv::WorkersKv;
pub use limiter::WorkersLimiter;
pub use mail::{ApiMailer, EMAIL_BINDING, MailSettings, WorkersMailer};
pub use pages::AssetPages;
pub use system::{CryptoRng, DateClock};

use crate::{Edge, EdgeConfig, EdgeError, Limits, OutboxMailer, Services};

pub const KV_BINDING: &str = "ACCOUNTS";
pub const ASSETS_BINDING: &str = "ASSETS";
pub const RATE_LIMIT_BINDING: &str = "RATE_LIMITER";

pub type WorkersHost =
    Services<WorkersKv, WorkersMailer, DateClock, CryptoRng, WorkersLimiter<WorkersKv>, AssetPages>;

/// The vars and secrets the host reads, once per event.
struct Settings {
    site_url: Option<String>,
    product_name: String,
    site_title: String,
    mail_from: String,
    mail: MailSettings,
    dev: bool,
    limits: Limits,
}

/// A var or secret, `None` when unset or blank.
fn text(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret(name).ok().map(|v| v.to_string()))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl Settings {
    fn from_env(env: &Env) -> Self {
        let site_title = text(env, "SITE_TITLE").unwrap_or_else(|| "Gatehouse".to_owned());
        Self {
            site_url: text(env, "SITE_URL"),
            product_name: text(env, "PRODUCT_NAME").unwrap_or_else(|| site_title.clone()),
            site_title,
            mail_from: text(env, "MAIL_FROM").unwrap_or_else(|| "no-reply@localhost".to_owned()),
            mail: MailSettings {
                transport: text(env, "MAIL_TRANSPORT"),
                api_url: text(env, "MAIL_API_URL"),
                api_key: text(env, "MAIL_API_KEY"),
            },
            dev: text(env, "DEV").is_some_and(|v| !matches!(v.as_str(), "0" | "false")),
            limits: limits(env),
        }
    }

    fn config(&self, base_url: String) -> EdgeConfig {
        EdgeConfig {
            base_url,
            product_name: self.product_name.clone(),
            site_title: self.site_title.clone(),
            mail_from: self.mail_from.clone(),
            dev: self.dev,
            limits: self.limits.clone(),
        }
    }
}

/// `LIMIT_<NAME>` vars override the core's limits. A bad value is logged and the defaults
/// kept: a typo in a var must not take the forms down, nor switch a limit off.
fn limits(env: &Env) -> Limits {
    let get = |name: &str| text(env, &format!("LIMIT_{}", name.to_ascii_uppercase()));
    Limits::default()
        .with_settings(get)
        .unwrap_or_else(|problem| {
            console_error!("edge: ignoring the LIMIT_* vars: {problem}");
            Limits::default()
        })
}

fn log_error(error: &EdgeError) {
    console_error!("edge: internal error: {error}");
}

/// Assembles the host from the bindings. Cheap: the bindings are handles, nothing is read.
/// `origin` is where pages are asked of the ASSETS binding (it serves by path).
fn host(env: &Env, settings: &Settings, origin: String) -> worker::Result<WorkersHost> {
    let kv = WorkersKv::new(env.kv(KV_BINDING)?);
    let mailer = if settings.dev {
        WorkersMailer::Outbox(OutboxMailer::new(kv.clone(), DateClock))
    } else {
        WorkersMailer::choose(env, &settings.mail)
    };
    // In development every window follows the development clock (as in `gatehouse serve`),
    // so the per-IP counters stay in the Kv too; see limiter.rs.
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

fn plain(status: u16, text: &str) -> worker::Result<Response> {
    Ok(Response::ok(text)?.with_status(status))
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let settings = Settings::from_env(&env);
    let method = http::Method::from_bytes(req.inner().method().as_bytes()).ok();
    let path = req.path();
    let for_core = method
        .as_ref()
        .is_some_and(|m| crate::is_edge_route(m, &path))
        && (settings.dev || !path.starts_with("/_dev/"));
    if !for_core {
        return env.assets(ASSETS_BINDING)?.fetch_request(req).await;
    }

    // Links in mail point at SITE_URL. In development they point at wherever the worker was
    // reached (like `gatehouse serve`), so a local run never mails production links.
    let origin = req.url()?.origin().ascii_serialization();
    let base_url = match (&settings.site_url, settings.dev) {
        (Some(site), false) => site.clone(),
        _ => origin.clone(),
    };
    let edge = Edge::new(host(&env, &settings, origin)?, settings.config(base_url));
    let client_ip = convert::client_ip(&req);
    let core_req = match convert::to_core(&mut req, edge.config().limits.max_body_bytes).await {
        Ok(core_req) => core_req,
        Err(error) => {
            console_error!("edge: unreadable request: {error}");
            return plain(400, "Bad request\n");
        }
    };
    let response = edge.handle(core_req, client_ip).await;
    let is_html = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let extra = if is_html {
        edge.host().pages.inherited_headers()
    } else {
        Vec::new()
    };
    convert::from_core(response, &extra)
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let settings = Settings::from_env(&env);
    let Some(site_url) = settings.site_url.clone() else {
        console_error!("edge: scheduled job not run: SITE_URL is not set (links in mail need it)");
        return;
    };
    // The job sends mail only; pages are never asked for, but the host wants an origin.
    let origin = worker::Url::parse(&site_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default();
    let host = match host(&env, &settings, origin) {
        Ok(host) => host,
        Err(error) => {
            console_error!("edge: scheduled job not run: {error}");
            return;
        }
    };
    let edge = Edge::new(host, settings.config(site_url));
    match edge.run_scheduled().await {
        Ok(report) => console_log!(
            "edge: scheduled job: {}",
            serde_json::to_string(&report).unwrap_or_default()
        ),
        Err(error) => console_error!("edge: scheduled job failed: {error}"),
    }
}
