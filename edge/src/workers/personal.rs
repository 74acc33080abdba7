//! Reader pages on Workers: the paths `gatehouse build` lists in `run_worker_first`
//! (pages with reader markers, `crate::reader`). The static page comes from ASSETS as for
//! any page; a request with a session or the registration hint gets it filled in by the
//! core's [`personalize`], and `Cache-Control: private, no-store`. Every other request,
//! and any page the rewrite cannot read, gets the static page (the signed-out version).
//!
//! The view costs one round trip to the object for a session (its `GET /api/account`,
//! answered by the core as for the page's script) and none for the hint.

use bytes::Bytes;
use worker::{Env, Headers, Method, Request, RequestInit, Response, console_error};

use super::env::ASSETS_BINDING;
use super::forward::Forwarded;
use super::store::STORE_BINDING;
use super::{convert, object};
use crate::personalize::{self, ReaderView, personalize};
use crate::sessions;

/// The page at `req`'s path, filled in for its reader when the request says who that is.
pub(super) async fn page(mut req: Request, env: &Env) -> worker::Result<Response> {
    let core_req = match convert::to_core(&mut req, 0).await {
        Ok(core_req) => core_req,
        Err(error) => {
            console_error!("edge: unreadable request: {error}");
            return env.assets(ASSETS_BINDING)?.fetch_request(req).await;
        }
    };
    let wanted = core_req.method() == http::Method::GET
        && personalize::wants_personal_page(core_req.headers());
    let client_ip = convert::client_ip(&req);
    if !wanted {
        return env.assets(ASSETS_BINDING)?.fetch_request(req).await;
    }
    // The page in full, never "304 Not Modified": the browser's copy is the static page
    // (or another reader's state), not this reader's.
    let headers = Headers::new();
    for (name, value) in req.headers().entries() {
        if !matches!(name.as_str(), "if-none-match" | "if-modified-since") {
            headers.append(&name, &value)?;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let whole = Request::new_with_init(req.url()?.as_str(), &init)?;
    let mut asset = env.assets(ASSETS_BINDING)?.fetch_request(whole).await?;
    let is_html = asset
        .headers()
        .get("content-type")?
        .is_some_and(|t| t.starts_with("text/html"));
    if asset.status_code() != 200 || !is_html {
        return Ok(asset);
    }
    let view = match view(env, &core_req, client_ip).await {
        Ok(view) => view,
        Err(error) => {
            console_error!("edge: reader page: {error}");
            return Ok(asset);
        }
    };
    let html = asset.text().await?;
    let filled = personalize(&html, &view).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let headers = Headers::new();
    for (name, value) in asset.headers().entries() {
        if !matches!(name.as_str(), "content-length" | "etag" | "cache-control") {
            headers.append(&name, &value)?;
        }
    }
    headers.set("cache-control", personalize::CACHE_CONTROL)?;
    Ok(Response::builder()
        .with_status(200)
        .with_headers(headers)
        .fixed(filled.into_bytes()))
}

/// The request's reader: the registration hint alone needs nothing looked up; a session
/// is the object's answer to `GET /api/account` with the request's cookies.
async fn view(
    env: &Env,
    req: &http::Request<Bytes>,
    client_ip: Option<std::net::IpAddr>,
) -> Result<ReaderView, String> {
    if sessions::cookie_value(req.headers()).is_none() {
        // Asked for, without a session: the browser's registration hint.
        return Ok(ReaderView::unverified());
    }
    let mut uri = req.uri().clone().into_parts();
    uri.path_and_query = Some(http::uri::PathAndQuery::from_static("/api/account"));
    let uri = http::Uri::from_parts(uri).map_err(|e| format!("account URL: {e}"))?;
    let mut account = http::Request::builder()
        .method(http::Method::GET)
        .uri(uri)
        .header(http::header::ACCEPT, "application/json")
        .body(Bytes::new())
        .map_err(|e| format!("account request: {e}"))?;
    for cookie in req.headers().get_all(http::header::COOKIE) {
        account
            .headers_mut()
            .append(http::header::COOKIE, cookie.clone());
    }
    let namespace = env
        .durable_object(STORE_BINDING)
        .map_err(|e| format!("{STORE_BINDING}: {e}"))?;
    let answer = object::forward(&namespace, &Forwarded::new(&account, client_ip))
        .await?
        .into_answer()?;
    if answer.response.status() != http::StatusCode::OK {
        // The session is over: the hint decides, as for a request without one.
        return Ok(ReaderView::signed_out());
    }
    #[derive(serde::Deserialize)]
    struct Account {
        reader: ReaderView,
    }
    serde_json::from_slice::<Account>(answer.response.body())
        .map(|account| account.reader)
        .map_err(|e| format!("account JSON: {e}"))
}
