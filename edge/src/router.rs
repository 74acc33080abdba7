//! Which requests the core answers, and the checks every POST passes before a flow sees it:
//! same-origin (403), size (413), type and encoding (400).

use std::net::IpAddr;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, ORIGIN};
use http::{HeaderMap, Method, Request, StatusCode, Uri};

use crate::error::EdgeError;
use crate::forms::{self, Form, FormError};
use crate::response::{self, Resp};
use crate::{Edge, Host, dev, flows};

/// Whether the host must send this request to the core instead of serving a static file.
/// `path` is the URL path without the query.
pub fn is_edge_route(method: &Method, path: &str) -> bool {
    if path.starts_with("/api/") || path.starts_with("/_dev/") {
        return true;
    }
    let page = matches!(
        path,
        "/account/" | "/account" | "/sign-in/" | "/reset-password/"
    );
    page && (method == Method::GET || method == Method::HEAD)
}

/// What a flow knows about the request besides its form.
pub(crate) struct Ctx {
    /// The core's time (Unix seconds).
    pub now: i64,
    pub client_ip: Option<IpAddr>,
    pub headers: HeaderMap,
    pub query: Form,
}

pub(crate) async fn route<H: Host>(
    edge: &Edge<H>,
    req: Request<Bytes>,
    client_ip: Option<IpAddr>,
) -> Result<Resp, EdgeError> {
    let (parts, body) = req.into_parts();
    let head = parts.method == Method::HEAD;
    let method = if head { Method::GET } else { parts.method };
    let path = parts.uri.path().to_owned();

    if path.starts_with("/_dev/") && !edge.config().dev {
        return Ok(response::not_found());
    }

    let query = match forms::parse_urlencoded(
        parts.uri.query().unwrap_or("").as_bytes(),
        edge.config().limits.max_body_bytes,
    ) {
        Ok(query) => query,
        Err(error) => return Ok(bad_request(error)),
    };
    let ctx = Ctx {
        now: edge.now().await?,
        client_ip,
        headers: parts.headers,
        query,
    };

    let response = if method == Method::POST {
        let form = match check_post(edge, &parts.uri, &ctx.headers, &body) {
            Ok(form) => form,
            Err(refusal) => return Ok(refusal.response()),
        };
        match path.as_str() {
            "/api/register" => flows::register::post(edge, &ctx, &form).await?,
            "/api/verify/resend" => flows::verify::resend(edge, &ctx, &form).await?,
            "/api/sign-in" => flows::sign_in::post(edge, &ctx, &form).await?,
            "/api/sign-out" => flows::sign_out::post(edge, &ctx).await?,
            "/api/forgot-password" => flows::forgot::post(edge, &ctx, &form).await?,
            "/api/reset-password" => flows::reset::post(edge, &ctx, &form).await?,
            "/api/account/plan" => flows::account::choose_plan(edge, &ctx, &form).await?,
            "/_dev/clock" => dev::clock(edge, &form).await?,
            "/_dev/cron" => dev::cron(edge).await?,
            "/api/verify" | "/api/account" | "/_dev/outbox" => {
                response::method_not_allowed("GET, HEAD")
            }
            _ => response::not_found(),
        }
    } else if method == Method::GET {
        match path.as_str() {
            "/api/verify" => flows::verify::get(edge, &ctx).await?,
            "/api/account" => flows::account::json(edge, &ctx).await?,
            "/account/" | "/account" => flows::account::page(edge, &ctx).await?,
            "/sign-in/" => flows::sign_in::page(edge, &ctx).await?,
            "/reset-password/" => flows::reset::page(edge, &ctx).await?,
            "/_dev/outbox" => dev::outbox(edge, &ctx).await?,
            p if is_post_route(p) => response::method_not_allowed("POST"),
            _ => response::not_found(),
        }
    } else if is_post_route(&path) {
        response::method_not_allowed("POST")
    } else if is_edge_route(&Method::GET, &path) {
        response::method_not_allowed("GET, HEAD")
    } else {
        response::not_found()
    };

    Ok(if head {
        let (parts, _) = response.into_parts();
        http::Response::from_parts(parts, Bytes::new())
    } else {
        response
    })
}

fn is_post_route(path: &str) -> bool {
    matches!(
        path,
        "/api/register"
            | "/api/verify/resend"
            | "/api/sign-in"
            | "/api/sign-out"
            | "/api/forgot-password"
            | "/api/reset-password"
            | "/api/account/plan"
            | "/_dev/clock"
            | "/_dev/cron"
    )
}

fn bad_request(error: FormError) -> Resp {
    let status = if error == FormError::TooLarge {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    response::notice(status, "The request was refused", error.message())
}

/// Why a POST was turned away before reaching its flow.
enum Refusal {
    CrossSite,
    Form(FormError),
}

impl Refusal {
    fn response(self) -> Resp {
        match self {
            Self::CrossSite => response::notice(
                StatusCode::FORBIDDEN,
                "The request was refused",
                "This form was sent from another site. Open the page on this site and try again.",
            ),
            Self::Form(error) => bad_request(error),
        }
    }
}

/// The checks every POST passes, in order.
fn check_post<H: Host>(
    edge: &Edge<H>,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Form, Refusal> {
    if is_cross_site(edge.origin(), uri, headers) {
        return Err(Refusal::CrossSite);
    }
    let max = edge.config().limits.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if body.len() > max || declared.is_some_and(|len| len > max as u64) {
        return Err(Refusal::Form(FormError::TooLarge));
    }
    forms::check_content_type(headers).map_err(Refusal::Form)?;
    forms::parse_urlencoded(body, max).map_err(Refusal::Form)
}

/// Forms may only be posted from the site itself. Browsers send `Sec-Fetch-Site` and, on
/// POSTs, `Origin`; a request with neither (curl, the test suite) is not a browser being
/// abused, so it passes. The origin may be `base_url`'s or the one the request was sent to
/// (its `Host`), since the dev server can be reached on a port picked at run time.
pub(crate) fn is_cross_site(base_origin: Option<&str>, uri: &Uri, headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.trim().to_ascii_lowercase();
    if base_origin.is_some_and(|base| base == origin) {
        return false;
    }
    let authority = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    });
    let Some(authority) = authority else {
        return true;
    };
    let authority = authority.to_ascii_lowercase();
    let same = |scheme: &str| {
        origin
            .strip_prefix(scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|host| host == authority)
    };
    !(same("http") || same("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cross_site_rules() {
        let base = Some("https://docs.example.com");
        let uri: Uri = "/api/sign-in".parse().unwrap_or_default();
        let check =
            |pairs: &[(&'static str, &'static str)]| is_cross_site(base, &uri, &headers(pairs));
        assert!(!check(&[]));
        assert!(check(&[("sec-fetch-site", "cross-site")]));
        assert!(!check(&[("sec-fetch-site", "same-origin")]));
        assert!(!check(&[("origin", "https://docs.example.com")]));
        assert!(check(&[("origin", "https://evil.example")]));
        assert!(check(&[("origin", "null")]));
        assert!(!check(&[
            ("origin", "http://127.0.0.1:4000"),
            ("host", "127.0.0.1:4000")
        ]));
        assert!(check(&[
            ("origin", "http://127.0.0.1:4001"),
            ("host", "127.0.0.1:4000")
        ]));
    }

    #[test]
    fn edge_routes() {
        assert!(is_edge_route(&Method::POST, "/api/register"));
        assert!(is_edge_route(&Method::GET, "/api/verify"));
        assert!(is_edge_route(&Method::GET, "/account/"));
        assert!(is_edge_route(&Method::HEAD, "/sign-in/"));
        assert!(is_edge_route(&Method::GET, "/_dev/outbox"));
        assert!(!is_edge_route(&Method::GET, "/register/"));
        assert!(!is_edge_route(&Method::POST, "/sign-in/"));
        assert!(!is_edge_route(&Method::GET, "/docs/konnect/"));
    }
}
