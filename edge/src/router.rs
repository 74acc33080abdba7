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
use crate::host::Host;
use crate::mail::{Deferred, MailQueue, Mailer};
use crate::response::{self, Resp};
use crate::routes::{self, Lookup, Route};
use crate::service::Edge;
use crate::{dev, flows};

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
        Lookup::Found(route) => {
            let form = form.keep(routes::fields_of(route));
            dispatch(edge, route, &ctx, &form).await?
        }
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
        Route::Verify => flows::verify::link(ctx),
        Route::ConfirmVerify => flows::verify::confirm(edge, ctx, form).await,
        Route::ConfirmPage => flows::verify::page(edge, ctx).await,
        Route::AccountJson => flows::account::json(edge, ctx).await,
        Route::AccountPage => flows::account::page(edge, ctx).await,
        Route::SignInPage => flows::sign_in::page(edge, ctx).await,
        Route::ResetPasswordPage => flows::reset::page(edge, ctx).await,
        Route::AccountProfile => flows::settings::profile(edge, ctx, form).await,
        Route::AccountPassword => flows::settings::password(edge, ctx, form).await,
        Route::AccountEmail => flows::email_change::email(edge, ctx, form).await,
        Route::AccountEmailConfirm => flows::email_change::confirm(edge, ctx, form).await,
        Route::AccountEmailConfirmPage => flows::email_change::confirm_page(edge, ctx).await,
        Route::AccountRevokeSessions => flows::settings::revoke(edge, ctx).await,
        Route::AccountExport => flows::export::export(edge, ctx).await,
        Route::AccountDelete => flows::settings::delete(edge, ctx, form).await,
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
/// abused, so it passes. `Origin` must be the same origin — scheme, host and port — as
/// `base_url`, or as the request itself (the dev server can be reached on a port picked at
/// run time): the request's scheme is its URI's, else `base_url`'s; its host and port are
/// its URI's authority, else `Host`. An origin that cannot be compared is cross-site.
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
    let Some(origin) = origin.to_str().ok().and_then(|o| Origin::parse(o.trim())) else {
        return true;
    };
    let base = base_origin.and_then(Origin::parse);
    if base.as_ref() == Some(&origin) {
        return false;
    }
    let scheme = uri
        .scheme_str()
        .map(str::to_owned)
        .or_else(|| base.map(|b| b.scheme));
    let authority = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    });
    let own = scheme
        .zip(authority)
        .and_then(|(scheme, authority)| Origin::parse(&format!("{scheme}://{authority}")));
    own != Some(origin)
}

/// A web origin as compared by [`is_cross_site`]: lower-case scheme and host, and the port
/// with the scheme's default filled in.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]` (an `Origin` header, or `base_url`'s origin); `None` for
    /// anything else, `null` included, and for schemes other than http and https.
    fn parse(text: &str) -> Option<Self> {
        let uri: Uri = text.parse().ok()?;
        if uri
            .path_and_query()
            .is_some_and(|p| !matches!(p.as_str(), "" | "/"))
        {
            return None;
        }
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = uri.authority()?;
        if authority.as_str().contains('@') {
            return None;
        }
        Some(Self {
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(default_port),
            scheme,
        })
    }
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
        // The request's own origin: its Host, with base_url's scheme (this URI has none).
        assert!(!check(&[
            ("origin", "https://127.0.0.1:4000"),
            ("host", "127.0.0.1:4000")
        ]));
        assert!(check(&[
            ("origin", "http://127.0.0.1:4000"),
            ("host", "127.0.0.1:4000")
        ]));
        assert!(check(&[
            ("origin", "https://127.0.0.1:4001"),
            ("host", "127.0.0.1:4000")
        ]));
        assert!(!check(&[("origin", "HTTPS://Docs.Example.COM:443")]));
    }

    #[test]
    fn the_whole_origin_is_compared() {
        let http_site = Some("http://docs.example.com");
        let path: Uri = "/api/sign-in".parse().unwrap_or_default();
        let check = |base, uri: &Uri, pairs: &[(&'static str, &'static str)]| {
            is_cross_site(base, uri, &headers(pairs))
        };
        // Another scheme, against base_url and against the request's own Host.
        assert!(check(
            http_site,
            &path,
            &[("origin", "https://docs.example.com")]
        ));
        assert!(check(
            http_site,
            &path,
            &[
                ("origin", "https://docs.example.com"),
                ("host", "docs.example.com")
            ]
        ));
        assert!(!check(
            http_site,
            &path,
            &[
                ("origin", "http://docs.example.com"),
                ("host", "docs.example.com:80")
            ]
        ));
        // An absolute request URI (the Workers host) brings its own scheme.
        let https_uri: Uri = "https://preview.example.com/api/sign-in"
            .parse()
            .unwrap_or_default();
        assert!(!check(
            http_site,
            &https_uri,
            &[("origin", "https://preview.example.com")]
        ));
        assert!(check(
            http_site,
            &https_uri,
            &[("origin", "http://preview.example.com")]
        ));
        // Another port; default ports; things that are not origins.
        assert!(check(
            http_site,
            &path,
            &[("origin", "http://docs.example.com:8080")]
        ));
        assert!(!check(
            http_site,
            &path,
            &[("origin", "http://docs.example.com:80")]
        ));
        for bad in [
            "docs.example.com",
            "http://docs.example.com/path",
            "ftp://docs.example.com",
            "http://user@docs.example.com",
        ] {
            let value = HeaderValue::from_str(bad).unwrap_or(HeaderValue::from_static("null"));
            let mut map = HeaderMap::new();
            map.insert(ORIGIN, value);
            map.insert(HOST, HeaderValue::from_static("docs.example.com"));
            assert!(is_cross_site(http_site, &path, &map), "{bad} accepted");
        }
        // Without base_url's origin, a path-only request has no scheme to compare.
        assert!(check(
            None,
            &path,
            &[
                ("origin", "http://docs.example.com"),
                ("host", "docs.example.com")
            ]
        ));
    }
}

/// An answer, and what to do once it has been sent ([`Edge::answer`]).
#[derive(Debug)]
pub struct Answer {
    pub response: http::Response<Bytes>,
    /// Run it with [`Edge::run_deferred`] after sending `response`.
    pub deferred: Deferred,
}

impl<H: Host> Edge<H> {
    /// Answers one request, sending no mail: the mail the request causes comes back as
    /// [`Answer::deferred`], for the host to run with [`Edge::run_deferred`] once the
    /// response is on its way (Workers: `ctx.wait_until`; `gatehouse serve`: a background
    /// task). So an answer never waits for a mail transport, and takes as long whether or
    /// not the address gets mail. Never fails: internal errors become a plain 500 page and
    /// go to [`Host::report`]. `client_ip` keys the per-IP rate limits (`None` skips them).
    pub async fn answer(&self, req: http::Request<Bytes>, client_ip: Option<IpAddr>) -> Answer {
        let mail = MailQueue::default();
        let response = match route(self, req, client_ip, mail.clone()).await {
            Ok(response) => response,
            Err(error) => {
                self.host().report(&error);
                response::internal_error()
            }
        };
        Answer {
            response,
            deferred: mail.take(),
        }
    }

    /// Sends the mail of an [`Answer`]. A mail that cannot be sent goes to [`Host::report`]
    /// (the reader has had their answer already, and it must not depend on the mail); the
    /// others are still sent.
    pub async fn run_deferred(&self, deferred: Deferred) {
        for mail in &deferred.mails {
            if let Err(error) = self.host().mailer().send(mail).await {
                self.host().report(&EdgeError::Mail(error));
            }
        }
    }

    /// [`Edge::answer`] and then [`Edge::run_deferred`], before returning the response: for
    /// tests and tools that do not care when the mail goes out.
    pub async fn handle(
        &self,
        req: http::Request<Bytes>,
        client_ip: Option<IpAddr>,
    ) -> http::Response<Bytes> {
        let Answer { response, deferred } = self.answer(req, client_ip).await;
        self.run_deferred(deferred).await;
        response
    }
}
