//! What the Worker hands the Durable Object and gets back (`object.rs`): the core's request
//! as JSON, with the client's IP, and the core's answer with the mail it queued. Packing the
//! request rather than passing the runtime's `Request` on means the object only ever sees
//! what the Worker built: a client cannot reach the object's store calls (`/op`).

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::mail::{Deferred, Mail};
use crate::router::Answer;

/// Where forwarded requests go (store calls go to [`OP_PATH`](super::store::OP_PATH)).
pub(super) const ANSWER_PATH: &str = "/answer";

/// The core's request, as the Worker read it (`convert::to_core`: the body already bounded).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Forwarded {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    /// Base64.
    body: String,
    client_ip: Option<IpAddr>,
}

/// The core's answer and the mail it queued, for the Worker to send after it.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Returned {
    status: u16,
    headers: Vec<(String, String)>,
    /// Base64.
    body: String,
    mails: Vec<Mail>,
}

/// Header values as text; the core's and the runtime's are visible ASCII, anything else
/// is skipped (as `convert::from_core` does).
fn pack_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

fn unpack_headers(headers: &[(String, String)], into: &mut HeaderMap) -> Result<(), String> {
    for (name, value) in headers {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header {name}: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
        into.append(name, value);
    }
    Ok(())
}

fn unpack_body(body: &str) -> Result<Bytes, String> {
    STANDARD
        .decode(body)
        .map(Bytes::from)
        .map_err(|e| format!("body: {e}"))
}

impl Forwarded {
    pub(super) fn new(req: &http::Request<Bytes>, client_ip: Option<IpAddr>) -> Self {
        Self {
            method: req.method().as_str().to_owned(),
            uri: req.uri().to_string(),
            headers: pack_headers(req.headers()),
            body: STANDARD.encode(req.body()),
            client_ip,
        }
    }

    /// The request's origin (`https://docs.example.com`), for the host's page fetches and
    /// development links.
    pub(super) fn origin(&self) -> Result<String, String> {
        worker::Url::parse(&self.uri)
            .map(|url| url.origin().ascii_serialization())
            .map_err(|e| format!("URL {}: {e}", self.uri))
    }

    pub(super) fn into_request(self) -> Result<(http::Request<Bytes>, Option<IpAddr>), String> {
        let method =
            http::Method::from_bytes(self.method.as_bytes()).map_err(|e| format!("method: {e}"))?;
        let mut req = http::Request::builder()
            .method(method)
            .uri(self.uri.as_str())
            .body(unpack_body(&self.body)?)
            .map_err(|e| format!("request: {e}"))?;
        unpack_headers(&self.headers, req.headers_mut())?;
        Ok((req, self.client_ip))
    }
}

impl Returned {
    pub(super) fn new(answer: Answer) -> Self {
        let (parts, body) = answer.response.into_parts();
        Self {
            status: parts.status.as_u16(),
            headers: pack_headers(&parts.headers),
            body: STANDARD.encode(&body),
            mails: answer.deferred.mails,
        }
    }

    pub(super) fn into_answer(self) -> Result<Answer, String> {
        let mut response = http::Response::builder()
            .status(self.status)
            .body(unpack_body(&self.body)?)
            .map_err(|e| format!("response: {e}"))?;
        unpack_headers(&self.headers, response.headers_mut())?;
        Ok(Answer {
            response,
            deferred: Deferred { mails: self.mails },
        })
    }
}
