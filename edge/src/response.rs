//! Building responses. Every HTML answer carries the same safety headers; nothing here
//! ever includes an internal error's text.

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderName, LOCATION, REFERRER_POLICY, RETRY_AFTER,
    X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderValue, Response, StatusCode};
use serde::Serialize;

use crate::error::EdgeError;
use crate::pages;

pub type Resp = Response<Bytes>;

fn base(status: StatusCode, content_type: &'static str, body: Bytes) -> Resp {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Everything the core answers depends on the reader or on state: never cache it.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The reset page's URL holds a token; it must not leak through `Referer`: send the
    // origin only. Not `no-referrer`: under it a browser posts these pages' forms with
    // `Origin: null`, which the same-origin check (rightly) refuses with 403.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("strict-origin"));
    response
}

pub fn html(status: StatusCode, body: String) -> Resp {
    base(status, "text/html; charset=utf-8", Bytes::from(body))
}

pub fn json(status: StatusCode, value: &impl Serialize) -> Result<Resp, EdgeError> {
    let body = serde_json::to_vec(value).map_err(EdgeError::Encode)?;
    Ok(base(status, "application/json", Bytes::from(body)))
}

/// `303 See Other`: after a POST the browser follows with a GET.
pub fn redirect(location: &str) -> Result<Resp, EdgeError> {
    let mut response = base(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        Bytes::new(),
    );
    set(&mut response, LOCATION, location)?;
    Ok(response)
}

pub fn set(response: &mut Resp, name: HeaderName, value: &str) -> Result<(), EdgeError> {
    let value = HeaderValue::from_str(value).map_err(|e| EdgeError::Header(e.to_string()))?;
    response.headers_mut().insert(name, value);
    Ok(())
}

pub fn retry_after(response: &mut Resp, secs: u64) {
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
}

/// A page with a title and one sentence, for refusals that have no form to re-serve.
pub fn notice(status: StatusCode, title: &str, text: &str) -> Resp {
    html(status, pages::notice_page(title, text))
}

/// The only thing a reader learns about an internal error.
pub fn internal_error() -> Resp {
    notice(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side. Please try again in a moment.",
    )
}

pub fn not_found() -> Resp {
    notice(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address.",
    )
}

pub fn method_not_allowed(allow: &'static str) -> Resp {
    let mut response = notice(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "This address does not accept that kind of request.",
    );
    response
        .headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static(allow));
    response
}
