//! Dispatch: the route of a request (from the table in `routes.rs`) to its flow, with one
//! exhaustive `match`; and the checks every POST passes before a flow sees it: same-origin
//! (403), size (413), type and encoding (400).

use std::net::IpAddr;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, ORIGIN};
use http::{HeaderMap, Method, Request, StatusCode, Uri};

use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form, FormError};
use crate::mail::MailQueue;
use crate::response::{self, Resp};
use crate::routes::{self, Lookup, Route};
use crate::{Edge, Host, dev, flows};

pub(crate) async fn route<H: Host>(
    edge: &Edge<H>,
    req: Request<Bytes>,
    client_ip: Option<IpAddr>,
    mail: MailQueue,
) -> Result<Resp, EdgeError> {
    let (parts, body) = req.into_parts();
    let head = parts.method == Method::HEAD;
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
        mail,
    };

    // Every POST is checked, whatever its path, before the route is looked at; a GET has
    // no form.
    let form = if parts.method == Method::POST {
        match check_post(edge, &parts.uri, &ctx.headers, &body) {
            Ok(form) => form,
            Err(refusal) => return Ok(refusal.response()),
        }
    } else {
        Form::default()
    };

    let response = match routes::find(&parts.method, &path) {
        Lookup::Found(route) => dispatch(edge, route, &ctx, &form).await?,
        Lookup::WrongMethod { allow } => response::method_not_allowed(allow),
        Lookup::NotFound => response::not_found(),
    };

    Ok(if head {
        let (parts, _) = response.into_parts();
        http::Response::from_parts(parts, Bytes::new())
    } else {
        response
    })
}

/// The flow of each route. `form` is the checked body of a POST (empty for a GET).
async fn dispatch<H: Host>(
    edge: &Edge<H>,
    route: Route,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    match route {
        Route::Register => flows::register::post(edge, ctx, form).await,
        Route::VerifyResend => flows::verify::resend(edge, ctx, form).await,
        Route::SignIn => flows::sign_in::post(edge, ctx, form).await,
        Route::SignOut => flows::sign_out::post(edge, ctx).await,
        Route::ForgotPassword => flows::forgot::post(edge, ctx, form).await,
        Route::ResetPassword => flows::reset::post(edge, ctx, form).await,
        Route::ChoosePlan => flows::account::choose_plan(edge, ctx, form).await,
        Route::Verify => flows::verify::get(edge, ctx).await,
        Route::AccountJson => flows::account::json(edge, ctx).await,
        Route::AccountPage => flows::account::page(edge, ctx).await,
        Route::SignInPage => flows::sign_in::page(edge, ctx).await,
        Route::ResetPasswordPage => flows::reset::page(edge, ctx).await,
        Route::DevClock => dev::clock(edge, form).await,
        Route::DevCron => dev::cron(edge).await,
        Route::DevOutbox => dev::outbox(edge, ctx).await,
    }
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
}
