//! Between the Workers `Request`/`Response` and the core's `http` types.

use std::net::IpAddr;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderName, HeaderValue};
use worker::{Headers, Request, Response};

/// The core's request: method, the full URL (the cross-site check compares `Origin` with
/// the URL's authority), every header, and the body — read only up to one byte past
/// `max_body`, which is enough for the core to answer 413. A body declared larger by
/// `Content-Length` is not read at all (the core refuses it from the header).
pub async fn to_core(req: &mut Request, max_body: usize) -> Result<http::Request<Bytes>, String> {
    let method = http::Method::from_bytes(req.inner().method().as_bytes())
        .map_err(|e| format!("method: {e}"))?;
    let url = req.url().map_err(|e| format!("URL: {e}"))?;
    let mut builder = http::Request::builder().method(method).uri(url.as_str());
    for (name, value) in req.headers().entries() {
        // Runtime headers are always valid; skip rather than fail on anything odd.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            builder = builder.header(name, value);
        }
    }
    let body = read_body(req, max_body).await?;
    builder.body(body).map_err(|e| format!("request: {e}"))
}

async fn read_body(req: &mut Request, max_body: usize) -> Result<Bytes, String> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_body as u64) || req.inner().body().is_none() {
        return Ok(Bytes::new());
    }
    let mut stream = req.stream().map_err(|e| format!("body: {e}"))?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.map_err(|e| format!("body: {e}"))?);
        if body.len() > max_body {
            break;
        }
    }
    Ok(Bytes::from(body))
}

/// `CF-Connecting-IP`, which Cloudflare sets on every request (a client cannot forge it
/// on the edge); `wrangler dev` sets it too.
pub fn client_ip(req: &Request) -> Option<IpAddr> {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok())
}

/// The Workers response for the core's answer, plus `extra` headers the core did not set.
pub fn from_core(
    response: http::Response<Bytes>,
    extra: &[(String, String)],
) -> worker::Result<Response> {
    let (parts, body) = response.into_parts();
    let headers = Headers::new();
    for (name, value) in &parts.headers {
        // Header values the core builds are ASCII; `append` keeps repeated ones.
        if let Ok(value) = value.to_str() {
            headers.append(name.as_str(), value)?;
        }
    }
    for (name, value) in extra {
        if !parts.headers.contains_key(name.as_str()) {
            headers.append(name, value)?;
        }
    }
    let builder = Response::builder()
        .with_status(parts.status.as_u16())
        .with_headers(headers);
    Ok(if body.is_empty() {
        builder.empty()
    } else {
        builder.fixed(body.to_vec())
    })
}
