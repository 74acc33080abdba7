//! The Durable Object `OnboardingStore` (wrangler.toml `class_name`, created by a
//! `new_sqlite_classes` migration): it holds every record (`store.rs`) and runs the core
//! for each request the Worker forwards to it (`forward.rs`), against its own table. So a
//! form post costs one round trip from the Worker to the object, whatever the flow reads
//! and writes, and every commit is local to the one object that holds the records.
//!
//! What the object does and what the Worker does:
//!
//! | | Worker (`mod.rs`) | object (here) |
//! |---|---|---|
//! | static pages | the ASSETS binding | — |
//! | the core's routes | reads the request (bounded), forwards it | runs [`Edge::answer`] on [`LocalKv`] |
//! | pages the core fills in | — | fetched from ASSETS, with `_headers`' headers |
//! | mail | sends it after the answer (`ctx.wait_until`) | queues it in the answer |
//! | the daily job (cron) | asks the object to run it | runs it on [`LocalKv`], sends its mail |

use worker::{
    DurableObject, Env, Method, ObjectNamespace, Request, RequestInit, Response, SqlStorage, State,
    console_error, durable_object,
};

use super::forward::{ANSWER_PATH, Forwarded, Returned};

/// Where the Worker's cron handler asks the object to run the daily job.
const SCHEDULED_PATH: &str = "/scheduled";
use super::env::{Settings, host};
use super::store::{self, Answer, LocalKv, OP_PATH, Op};
use crate::Edge;

#[durable_object]
pub struct OnboardingStore {
    sql: SqlStorage,
    env: Env,
}

impl DurableObject for OnboardingStore {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        store::create_schema(&sql);
        Self { sql, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        if req.path() == OP_PATH {
            let answer = match req.json::<Op>().await {
                Ok(op) => {
                    store::run(&self.sql, &op).unwrap_or_else(|e| Answer::Failed(e.to_string()))
                }
                Err(error) => Answer::Failed(format!("unreadable call: {error}")),
            };
            return Response::from_json(&answer);
        }
        if req.path() == SCHEDULED_PATH {
            return match self.run_scheduled().await {
                Ok(report) => Response::ok(report),
                Err(message) => Response::error(message, 500),
            };
        }
        let returned = match req.json::<Forwarded>().await {
            Ok(forwarded) => self.answer(forwarded).await,
            Err(error) => Err(format!("unreadable forwarded request: {error}")),
        };
        match returned {
            Ok(returned) => Response::from_json(&returned),
            Err(message) => {
                console_error!("edge: object: {message}");
                Response::error(message, 500)
            }
        }
    }
}

impl OnboardingStore {
    async fn answer(&self, forwarded: Forwarded) -> Result<Returned, String> {
        let origin = forwarded.origin()?;
        let (req, client_ip) = forwarded.into_request()?;
        let settings = Settings::from_env(&self.env);
        // The mail of an answer is queued in it and sent by the Worker; only the daily
        // job's run through `/_dev/` sends from here.
        let kv = LocalKv::new(self.sql.clone());
        let host =
            host(&self.env, &settings, origin.clone(), kv).map_err(|e| format!("host: {e}"))?;
        let edge = Edge::new(host, settings.config(&self.env, settings.base_url(&origin)));
        let mut answer = edge.answer(req, client_ip).await;
        let is_html = answer
            .response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_html {
            // The page's own headers (`_headers`); the core's frame-ancestors 'none' stays.
            crate::add_site_headers(
                answer.response.headers_mut(),
                edge.host().pages.inherited_headers(),
            );
        }
        Ok(Returned::new(answer))
    }

    /// The daily job ([`Edge::run_scheduled`]), with links built from `SITE_URL`; its
    /// report as JSON.
    async fn run_scheduled(&self) -> Result<String, String> {
        let settings = Settings::from_env(&self.env);
        let site_url = settings
            .site_url
            .clone()
            .ok_or("not run: SITE_URL is not set (links in mail need it)")?;
        // The job sends mail only; pages are never asked for, but the host wants an origin.
        let origin = worker::Url::parse(&site_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        let kv = LocalKv::new(self.sql.clone());
        let host = host(&self.env, &settings, origin, kv).map_err(|e| format!("not run: {e}"))?;
        let edge = Edge::new(host, settings.config(&self.env, site_url));
        let report = edge.run_scheduled().await.map_err(|e| e.to_string())?;
        serde_json::to_string(&report).map_err(|e| e.to_string())
    }
}

/// The Worker's side of the daily job: the object's report, or why it did not run.
pub(super) async fn run_scheduled(namespace: &ObjectNamespace) -> Result<String, String> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    let request = Request::new_with_init(&format!("https://store{SCHEDULED_PATH}"), &init)
        .map_err(|e| e.to_string())?;
    let mut response = store::object(namespace)
        .map_err(|e| e.to_string())?
        .fetch_with_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    if response.status_code() == 200 {
        Ok(text)
    } else {
        Err(text)
    }
}

/// The Worker's side: the object's answer to one forwarded request.
pub(super) async fn forward(
    namespace: &ObjectNamespace,
    forwarded: &Forwarded,
) -> Result<Returned, String> {
    let body = serde_json::to_string(forwarded).map_err(|e| format!("forward: {e}"))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(wasm_bindgen::JsValue::from_str(&body)));
    let request = Request::new_with_init(&format!("https://store{ANSWER_PATH}"), &init)
        .map_err(|e| format!("forward: {e}"))?;
    let mut response = store::object(namespace)
        .map_err(|e| format!("durable object: {e}"))?
        .fetch_with_request(request)
        .await
        .map_err(|e| format!("durable object: {e}"))?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(format!(
            "durable object answered {}: {text}",
            response.status_code()
        ));
    }
    response
        .json::<Returned>()
        .await
        .map_err(|e| format!("durable object: {e}"))
}
