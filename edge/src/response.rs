//! Building responses. Every answer carries the same safety headers (no caching, no
//! sniffing, origin-only referrer, and no framing: `Content-Security-Policy:
//! frame-ancestors 'none'` and `X-Frame-Options: DENY`), so both hosts send them whatever
//! page the core made; [`add_site_headers`] adds a host's site-wide ones on top. Nothing here
//! ever includes an internal error's text.

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderName, LOCATION, REFERRER_POLICY,
    RETRY_AFTER, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
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
    // No page of the core may be framed (clickjacking the forms): the CSP for browsers that
    // know it, X-Frame-Options for the rest.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FRAME_ANCESTORS_NONE),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The core's own Content-Security-Policy.
const FRAME_ANCESTORS_NONE: &str = "frame-ancestors 'none'";

/// Adds a host's site-wide headers (the static site's `_headers`: its
/// Content-Security-Policy, Permissions-Policy, ...) to the headers of the core's answer.
/// A header the core did not set is added. The site's Content-Security-Policy replaces the
/// core's when it forbids framing too (`frame-ancestors 'none'`), so a filled page gets
/// exactly the policy of the static page; otherwise both are kept, as two policies in one
/// header (a browser enforces each, so neither loosens the other). For any other header
/// the core set, the core's value wins. Names or values that are not valid headers are
/// skipped.
pub fn add_site_headers<N: AsRef<str>, V: AsRef<str>>(
    headers: &mut HeaderMap,
    site: impl IntoIterator<Item = (N, V)>,
) {
    for (name, value) in site {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_ref().as_bytes()),
            HeaderValue::from_str(value.as_ref()),
        ) else {
            continue;
        };
        let Some(core) = headers.get(&name) else {
            headers.insert(name, value);
            continue;
        };
        if name != CONTENT_SECURITY_POLICY {
            continue;
        }
        let (Ok(core), Ok(site)) = (core.to_str(), value.to_str()) else {
            continue;
        };
        if core == site || core.starts_with(&format!("{site}, ")) {
            continue; // already there
        }
        let merged = if forbids_framing(site) {
            value
        } else {
            match HeaderValue::from_str(&format!("{site}, {core}")) {
                Ok(merged) => merged,
                Err(_) => continue,
            }
        };
        headers.insert(name, merged);
    }
}

/// Whether a Content-Security-Policy header value (one or more policies) has
/// `frame-ancestors 'none'`.
fn forbids_framing(policies: &str) -> bool {
    policies.split([',', ';']).any(|directive| {
        let mut tokens = directive.split_ascii_whitespace();
        tokens
            .next()
            .is_some_and(|name| name.eq_ignore_ascii_case("frame-ancestors"))
            && tokens
                .next()
                .is_some_and(|source| source.eq_ignore_ascii_case("'none'"))
            && tokens.next().is_none()
    })
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

/// Adds a header beside any of the same name (`Set-Cookie`).
pub fn append(response: &mut Resp, name: HeaderName, value: &str) -> Result<(), EdgeError> {
    let value = HeaderValue::from_str(value).map_err(|e| EdgeError::Header(e.to_string()))?;
    response.headers_mut().append(name, value);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_headers(response: &Resp) -> (Vec<&str>, Option<&str>) {
        let csp = response
            .headers()
            .get_all(CONTENT_SECURITY_POLICY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let xfo = response
            .headers()
            .get(X_FRAME_OPTIONS)
            .and_then(|v| v.to_str().ok());
        (csp, xfo)
    }

    #[test]
    fn every_answer_forbids_framing() {
        let json = json(StatusCode::OK, &"x");
        let redirect = redirect("/account/");
        for response in [
            html(StatusCode::OK, "<p>page</p>".to_owned()),
            notice(StatusCode::BAD_REQUEST, "Refused", "Why."),
            internal_error(),
            not_found(),
            method_not_allowed("POST"),
        ]
        .iter()
        .chain(json.as_ref().ok())
        .chain(redirect.as_ref().ok())
        {
            assert_eq!(
                frame_headers(response),
                (vec!["frame-ancestors 'none'"], Some("DENY")),
                "{:?}",
                response.headers()
            );
        }
    }

    #[test]
    fn site_headers_add_to_the_core_ones() {
        let csp_of = |response: &Resp| frame_headers(response).0.join(" | ");
        // A site policy that forbids framing replaces the core's.
        let strict = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'";
        let mut response = html(StatusCode::OK, String::new());
        let site = [
            ("Content-Security-Policy", strict),
            ("X-Frame-Options", "SAMEORIGIN"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("Permissions-Policy", "camera=()"),
            ("Bad Name", "x"),
        ];
        add_site_headers(response.headers_mut(), site);
        add_site_headers(response.headers_mut(), site);
        assert_eq!(csp_of(&response), strict);
        assert_eq!(frame_headers(&response).1, Some("DENY"));
        let headers = response.headers();
        assert_eq!(
            headers.get(REFERRER_POLICY).and_then(|v| v.to_str().ok()),
            Some("strict-origin")
        );
        assert_eq!(
            headers
                .get("permissions-policy")
                .and_then(|v| v.to_str().ok()),
            Some("camera=()")
        );

        // One that does not is kept beside the core's, in one header: both apply.
        for loose in [
            "default-src 'self'",
            "default-src 'self'; frame-ancestors 'self'",
            "frame-ancestors 'none' https://x.example",
        ] {
            let mut response = html(StatusCode::OK, String::new());
            add_site_headers(response.headers_mut(), [("content-security-policy", loose)]);
            add_site_headers(response.headers_mut(), [("content-security-policy", loose)]);
            assert_eq!(
                csp_of(&response),
                format!("{loose}, frame-ancestors 'none'")
            );
        }
        assert!(forbids_framing(
            "default-src 'self';FRAME-ANCESTORS  'NONE' "
        ));
        assert!(forbids_framing(
            "default-src 'self', frame-ancestors 'none'"
        ));
        assert!(!forbids_framing("frame-ancestors"));
    }
}
