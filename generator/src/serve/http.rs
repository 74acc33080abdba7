//! Answering requests: the Host check, the edge backend's routes (their mail sent on a
//! background task after the answer), live-reload plumbing, pages rendered from memory,
//! static files, and the 404 page.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use edge::native::NativeHost;
use edge::{Answer, Edge};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use tokio::sync::{broadcast, mpsc};

use super::LivePages;
use super::live::{LiveEvent, LiveSite};
use super::reload::{self, EventStream};
use crate::site_files::{self, Generated, Served};
use crate::urls;

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Bodies beyond this are refused before the edge sees them (it has its own, lower limit).
const MAX_BODY: usize = 1024 * 1024;

pub struct Server {
    pub live: Arc<LiveSite>,
    pub edge: Edge<NativeHost<LivePages>>,
    pub events: broadcast::Sender<LiveEvent>,
    pub allowed_hosts: AllowedHosts,
    /// Changes at every start, so pages open across a restart reload themselves.
    pub instance: String,
}

/// The host names `serve` answers to: loopback names (`localhost`, `*.localhost`), any IP
/// address, and the names given with `--allow-host`; with or without a port.
///
/// DNS rebinding needs a name: a page on `evil.example` whose address is switched to
/// 127.0.0.1 still sends `Host: evil.example`. An IP address in `Host` can only come from a
/// page of that very origin (or from a tool, which can send anything anyway), so addresses
/// (the bound one, a LAN one with `--bind 0.0.0.0`) are all let through.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    /// `names` as given to `--allow-host` (a port, a trailing dot and the case are ignored).
    pub fn new(names: &[String]) -> Self {
        Self {
            names: names.iter().filter_map(|n| host_name(n)).collect(),
        }
    }

    /// Whether a request whose `Host` (or absolute URI) names `authority` is answered.
    pub fn allows(&self, authority: &str) -> bool {
        let Some(name) = host_name(authority) else {
            return false;
        };
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<std::net::IpAddr>().is_ok()
            || self.names.contains(&name)
    }
}

/// The name of `host[:port]` in lower case, without the port, the brackets of an IPv6
/// address or a trailing dot; `None` if it is not a host.
fn host_name(authority: &str) -> Option<String> {
    let authority: http::uri::Authority = authority.trim().parse().ok()?;
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

impl Server {
    pub async fn handle(
        self: Rc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Response<Body> {
        if let Some(refusal) = self.check_host(&req) {
            return refusal;
        }
        let path = req.uri().path().to_string();
        let method = req.method().clone();
        match path.as_str() {
            reload::EVENTS_PATH => return self.event_stream(),
            reload::SCRIPT_PATH => {
                return respond(
                    StatusCode::OK,
                    "text/javascript; charset=utf-8",
                    Bytes::from_static(reload::SCRIPT.as_bytes()),
                );
            }
            reload::STYLE_PATH => {
                return respond(
                    StatusCode::OK,
                    "text/css; charset=utf-8",
                    Bytes::from_static(reload::STYLE.as_bytes()),
                );
            }
            _ => {}
        }
        if edge::routes::is_edge_route(&method, &path) {
            return self.edge_route(req, peer).await;
        }
        if method != Method::GET && method != Method::HEAD {
            let mut response = respond(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8",
                Bytes::from_static(b"Method not allowed\n"),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let mut response = self.site_response(&path, req.uri().query());
        if response.status() == StatusCode::OK
            && edge::personalize::wants_personal_page(req.headers())
            && self.is_reader_page(&path)
        {
            response = self.personalized(response, req.headers()).await;
        }
        if method == Method::HEAD {
            *response.body_mut() = Full::new(Bytes::new()).boxed_unsync();
        }
        response
    }

    /// 403 for a request addressed to a name this machine does not answer to (see
    /// [`AllowedHosts`]), saying how to allow it.
    fn check_host(&self, req: &Request<Incoming>) -> Option<Response<Body>> {
        let authority = req.uri().authority().map(|a| a.as_str()).or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
        });
        if authority.is_some_and(|a| self.allowed_hosts.allows(a)) {
            return None;
        }
        let name = authority.and_then(host_name);
        let text = match &name {
            Some(name) => format!(
                "Blocked: this preview does not answer to the host name `{name}` (a guard \
                 against DNS rebinding). If you meant to reach it by that name, restart it \
                 with: gatehouse serve --allow-host {name}\n"
            ),
            None => "Blocked: the request names no host. Open the preview at \
                     http://localhost:<port>/ or http://127.0.0.1:<port>/.\n"
                .to_owned(),
        };
        Some(no_store(respond(
            StatusCode::FORBIDDEN,
            "text/plain; charset=utf-8",
            Bytes::from(text),
        )))
    }

    async fn edge_route(
        self: Rc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Response<Body> {
        let (parts, body) = req.into_parts();
        let bytes = match Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return respond(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "text/plain; charset=utf-8",
                    Bytes::from_static(b"Request body too large\n"),
                );
            }
        };
        let Answer { response, deferred } = self
            .edge
            .answer(Request::from_parts(parts, bytes), Some(peer.ip()))
            .await;
        // The mail goes out after the answer: the reader never waits for it, and whether
        // an address gets mail does not show in how long the answer takes.
        if !deferred.is_empty() {
            let server = self.clone();
            tokio::task::spawn_local(async move { server.edge.run_deferred(deferred).await });
        }
        let (mut parts, body) = response.into_parts();
        // Production serves the edge's pages with the site's `_headers` too; the edge's
        // own choices (its Referrer-Policy, say) win, and the page never loses frame-ancestors 'none'.
        edge::add_site_headers(
            &mut parts.headers,
            site_files::SECURITY_HEADERS.iter().copied(),
        );
        let is_html = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = if is_html {
            let problems = self.live.snapshot().problems;
            parts.headers.remove(header::CONTENT_LENGTH);
            Bytes::from(reload::inject(&body, &problems))
        } else {
            body
        };
        Response::from_parts(parts, Full::new(body).boxed_unsync())
    }

    /// Whether `raw_path` is a page with reader markers ([`crate::reader`]).
    fn is_reader_page(&self, raw_path: &str) -> bool {
        let Some(path) = urls::resolve("/", raw_path) else {
            return false;
        };
        let url = path.strip_suffix("index.html").unwrap_or(&path);
        let snapshot = self.live.snapshot();
        snapshot.site.as_ref().is_some_and(|site| {
            site.page_index(url)
                .is_some_and(|index| site.pages[index].reader)
        })
    }

    /// A reader page filled in for the request's reader by the edge core, as the Worker
    /// does: never stored by any cache. The page as it was if that fails (the signed-out
    /// version; the script still fills it in).
    async fn personalized(
        &self,
        response: Response<Body>,
        headers: &http::HeaderMap,
    ) -> Response<Body> {
        let (mut parts, body) = response.into_parts();
        // The body is a `Full`: collecting it cannot fail.
        let Ok(collected) = body.collect().await;
        let html = collected.to_bytes();
        let filled = match (
            std::str::from_utf8(&html),
            self.edge.reader_view(headers).await,
        ) {
            (Ok(text), Ok(view)) => edge::personalize::personalize(text, &view).ok(),
            _ => None,
        };
        let Some(filled) = filled else {
            return Response::from_parts(parts, Full::new(html).boxed_unsync());
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(edge::personalize::CACHE_CONTROL),
        );
        Response::from_parts(parts, Full::new(Bytes::from(filled)).boxed_unsync())
    }

    fn site_response(&self, raw_path: &str, query: Option<&str>) -> Response<Body> {
        let Some(path) = urls::resolve("/", raw_path) else {
            return self.not_found();
        };
        let snapshot = self.live.snapshot();
        let page_url = if path.ends_with('/') {
            Some(path.clone())
        } else {
            path.strip_suffix("index.html").map(str::to_string)
        };
        if let Some(url) = &page_url
            && let Some(result) = self.live.page(url)
        {
            return match result {
                Ok(html) => {
                    html_response(StatusCode::OK, reload::inject(&html, &snapshot.problems))
                }
                Err(problem) => html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    reload::inject(
                        b"<!doctype html><title>Render error</title><body></body>",
                        &[problem.to_string()],
                    ),
                ),
            };
        }
        let Some(site) = snapshot.site.clone() else {
            return html_response(
                StatusCode::SERVICE_UNAVAILABLE,
                reload::inject(b"<!doctype html><html lang=\"en\"><head><title>Build failed</title></head><body><h1>The site has not built yet</h1></body></html>", &snapshot.problems),
            );
        };
        if !path.ends_with('/') && site.page_index(&format!("{path}/")).is_some() {
            let location = match query {
                Some(q) => format!("{path}/?{q}"),
                None => format!("{path}/"),
            };
            let mut response = respond(
                StatusCode::PERMANENT_REDIRECT,
                "text/plain; charset=utf-8",
                Bytes::new(),
            );
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return response;
        }
        // A page's Markdown copy (`[llms] markdown = true`), as `build` writes it.
        if site.config.llms.markdown
            && let Some(dir) = path.strip_suffix("index.md")
            && let Some(index) = site.page_index(dir)
            && let Some(markdown) = &site.pages[index].markdown
        {
            let copy = crate::llms::markdown_copy(markdown, dir, &site.config.base_url);
            return respond(
                StatusCode::OK,
                "text/markdown; charset=utf-8",
                Bytes::from(copy),
            );
        }
        // The rules `_redirects` gives Cloudflare (aliases, `/<set>/latest/*`), answered
        // the same: real redirects.
        if let Some((rule, target)) = site.redirects.find(&path) {
            let location = match query {
                Some(q) => format!("{target}?{q}"),
                None => target,
            };
            let status = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::FOUND);
            let mut response = respond(status, "text/plain; charset=utf-8", Bytes::new());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return response;
        }
        // The site's and the theme's files first: `build` writes them over generated ones.
        if let Some(bytes) = self.live.static_file(&path) {
            let mut response = respond(StatusCode::OK, content_type(&path), bytes);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            return response;
        }
        if let Some(file) = Generated::at(&path)
            && file.served() == Served::File
        {
            return match self.live.generated(file) {
                None => self.not_found(),
                Some(Ok(files)) => match files.iter().find(|f| f.path == path) {
                    Some(found) => generated_response(file.content_type(&path), found.body.clone()),
                    None => self.not_found(),
                },
                Some(Err(problem)) => html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    reload::inject(
                        b"<!doctype html><title>Render error</title><body></body>",
                        &[problem.to_string()],
                    ),
                ),
            };
        }
        self.not_found()
    }

    fn not_found(&self) -> Response<Body> {
        let snapshot = self.live.snapshot();
        let html = snapshot
            .site
            .as_ref()
            .and_then(|site| site.generated(Generated::NotFound).ok())
            .and_then(|files| files.into_iter().next())
            .map(|file| file.body)
            .unwrap_or_else(|| b"<!doctype html><html lang=\"en\"><head><title>Page not found</title></head><body><h1>Page not found</h1></body></html>".to_vec());
        html_response(
            StatusCode::NOT_FOUND,
            reload::inject(&html, &snapshot.problems),
        )
    }

    fn event_stream(&self) -> Response<Body> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let snapshot = self.live.snapshot();
        let hello = format!(
            "{{\"server\":\"{}\",\"version\":{}}}",
            self.instance, snapshot.version
        );
        let _ = sender.send(frame("hello", &hello));
        if !snapshot.problems.is_empty() {
            let _ = sender.send(problems_frame(&snapshot.problems));
        }
        let mut events = self.events.subscribe();
        tokio::task::spawn_local(async move {
            loop {
                let chunk = match events.recv().await {
                    Ok(LiveEvent::Reload { version }) => {
                        frame("reload", &format!("{{\"version\":{version}}}"))
                    }
                    Ok(LiveEvent::Css { path }) => {
                        frame("css", &serde_json::json!({ "path": path }).to_string())
                    }
                    Ok(LiveEvent::Problems(problems)) => problems_frame(&problems),
                    Err(broadcast::error::RecvError::Lagged(_)) => frame("reload", "{}"),
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if sender.send(chunk).is_err() {
                    break;
                }
            }
        });
        let mut response = Response::new(EventStream::new(receiver).boxed_unsync());
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

fn frame(event: &str, data: &str) -> Bytes {
    reload::frame(event, data)
}

fn problems_frame(problems: &[String]) -> Bytes {
    frame(
        "problems",
        &serde_json::Value::from(problems.to_vec()).to_string(),
    )
}

fn html_response(status: StatusCode, html: Vec<u8>) -> Response<Body> {
    no_store(respond(
        status,
        "text/html; charset=utf-8",
        Bytes::from(html),
    ))
}

/// A file made from the live site (sitemap, robots.txt, the search index): like the
/// pages, it changes with every edit.
fn generated_response(content_type: &'static str, body: Vec<u8>) -> Response<Body> {
    no_store(respond(StatusCode::OK, content_type, Bytes::from(body)))
}

/// Writers must always see the latest build.
fn no_store(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body).boxed_unsync());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The same headers production gets from `_headers`, so a preview catches what the
    // policy would block.
    for (name, value) in site_files::SECURITY_HEADERS {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    response
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedHosts;

    #[test]
    fn loopback_names_addresses_and_allowed_names_pass() {
        let allowed = AllowedHosts::new(&["Docs.Test:8080".to_string(), "lan.".to_string()]);
        for host in [
            "localhost",
            "LOCALHOST:1111",
            "localhost.",
            "a.b.localhost:1",
            "127.0.0.1",
            "127.0.0.1:1111",
            "192.168.1.20:1111",
            "[::1]:1111",
            "[::1]",
            "docs.test",
            "docs.test:9999",
            "lan",
        ] {
            assert!(allowed.allows(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "notlocalhost",
            "docs.test.evil.example",
            "",
            "a b",
        ] {
            assert!(!allowed.allows(host), "{host}");
        }
    }
}
