//! The Cloudflare Workers host: the same core as `gatehouse serve`, built to wasm32 with
//! `worker-build` (`scripts/build-worker.sh`) and configured by `wrangler.toml`.
//!
//! - `fetch`: requests the core answers ([`routes::is_edge_route`]) are read here (client IP
//!   from `CF-Connecting-IP`, the body bounded) and forwarded to the [`OnboardingStore`]
//!   Durable Object, which runs [`Edge::answer`] on its own records (`object.rs`): one
//!   round trip a request. `/_dev/*` included: outside development mode the core answers
//!   them 404, whatever the method. Everything else goes to the ASSETS binding (the built
//!   `public/`), except the pages with reader markers, which `personal.rs` fills in for a
//!   request with a session. The mail an answer queued comes back with it and is sent after it, in
//!   `ctx.wait_until` ([`Edge::run_deferred`]).
//! - Settings and the host they make: `env.rs`, shared with the object.
//! - Development mode is [`DevMode::decide`](crate::config::DevMode::decide)'s answer for the `DEV`, `SITE_URL` and
//!   `DEV_ALLOW_REMOTE` vars: on only for `DEV` exactly `1` or `true`, and then only for a
//!   loopback `SITE_URL` unless `DEV_ALLOW_REMOTE` is set too. Its note goes to the log once
//!   per isolate; each `/_dev/*` request it refuses is logged with the reason.
//! - `scheduled` (the daily cron): the object runs [`Edge::run_scheduled`].
//!
//! Bindings and vars (wrangler.toml): `STATE` (the Durable Object namespace of
//! [`OnboardingStore`], where every record lives: see `store.rs`), `ASSETS`, `RATE_LIMITER` (optional),
//! `EMAIL` (send_email, optional), `SITE_URL`, `PRODUCT_NAME`, `SITE_TITLE`, `MAIL_FROM`,
//! `MAIL_TRANSPORT`, `MAIL_API_URL`, the secret `MAIL_API_KEY`, `LIMIT_<NAME>` (see
//! [`Limits::SETTINGS`](crate::Limits::SETTINGS)), and `DEV`, `DEV_ALLOW_REMOTE`
//! (development only). The core's settings are read through
//! [`EdgeConfig::from_lookup_or_default_limits`].

mod convert;
mod env;
mod forward;
mod limiter;
mod mail;
mod object;
mod pages;
mod personal;
mod store;
mod system;

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

use crate::Edge;
use crate::routes;
use env::{DEFER_MAIL_BY, Settings, worker_host};
use forward::{Forwarded, Returned};

pub use env::{ASSETS_BINDING, RATE_LIMIT_BINDING, WorkersHost};

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
        // A reader page (run_worker_first), or `/__scheduled`: the static file, filled in
        // for a reader the request names (personal.rs).
        return personal::page(req, &env).await;
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
