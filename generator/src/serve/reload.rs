//! Live reload: the script and stylesheet `serve` adds to every HTML page, the
//! problem overlay, and the server-sent-events stream that drives them.
//!
//! Server-sent events rather than a WebSocket: one direction is all that is needed, and
//! `EventSource` reconnects on its own after the server restarts.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use tokio::sync::mpsc;

use edge::html::escape_into;

pub const SCRIPT_PATH: &str = "/__gatehouse/live.js";
pub const STYLE_PATH: &str = "/__gatehouse/live.css";
pub const EVENTS_PATH: &str = "/__gatehouse/events";

pub const SCRIPT: &str = r#"// Gatehouse live reload (added by `gatehouse serve`, never in a build).
(() => {
  let server = null;
  let version = null;
  const overlayId = "gatehouse-overlay";
  function showProblems(lines) {
    let overlay = document.getElementById(overlayId);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = "Build failed: showing the last good version of this page";
    const list = document.createElement("pre");
    list.textContent = lines.join("\n");
    overlay.append(title, list);
  }
  function swapStylesheet(path) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.pathname !== path) continue;
      url.searchParams.set("gatehouse", Date.now().toString());
      const fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", () => link.remove());
      link.after(fresh);
    }
  }
  function connect() {
    const events = new EventSource("/__gatehouse/events");
    events.addEventListener("hello", (e) => {
      const hello = JSON.parse(e.data);
      // After a restart or missed events, what is on screen may be stale.
      if (server !== null && (hello.server !== server || hello.version !== version)) location.reload();
      server = hello.server;
      version = hello.version;
    });
    events.addEventListener("reload", () => location.reload());
    events.addEventListener("css", (e) => swapStylesheet(JSON.parse(e.data).path));
    events.addEventListener("problems", (e) => showProblems(JSON.parse(e.data)));
    events.onerror = () => {
      events.close();
      setTimeout(connect, 500);
    };
  }
  connect();
})();
"#;

pub const STYLE: &str = "#gatehouse-overlay{position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;max-height:60vh;overflow:auto;background:#2b0a0a;color:#ffe9e9;border:2px solid #ff6b6b;border-radius:8px;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)}#gatehouse-overlay strong{display:block;margin-bottom:.5rem;font-family:system-ui,sans-serif}#gatehouse-overlay pre{margin:0;white-space:pre-wrap;background:none;color:inherit;border:0;padding:0}\n";

/// Adds the live-reload script, its stylesheet and (when the latest build failed) the
/// problem overlay to a page.
pub fn inject(html: &[u8], problems: &[String]) -> Vec<u8> {
    let mut head = format!(
        "<link rel=\"stylesheet\" href=\"{STYLE_PATH}\"><script src=\"{SCRIPT_PATH}\" defer></script>"
    );
    let mut body = String::new();
    if !problems.is_empty() {
        body.push_str("<div id=\"gatehouse-overlay\" role=\"alert\"><strong>Build failed: showing the last good version of this page</strong><pre>");
        escape_into(&problems.join("\n"), &mut body);
        body.push_str("</pre></div>");
    }
    let text = String::from_utf8_lossy(html);
    let mut out = String::with_capacity(text.len() + head.len() + body.len());
    match text.find("</head>") {
        Some(i) => {
            out.push_str(&text[..i]);
            out.push_str(&head);
            head.clear();
            let rest = &text[i..];
            match rest.rfind("</body>") {
                Some(j) => {
                    out.push_str(&rest[..j]);
                    out.push_str(&body);
                    out.push_str(&rest[j..]);
                }
                None => {
                    out.push_str(rest);
                    out.push_str(&body);
                }
            }
        }
        None => {
            out.push_str(&head);
            out.push_str(&text);
            out.push_str(&body);
        }
    }
    out.into_bytes()
}

/// One server-sent event.
pub fn frame(event: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// A response body fed by a channel: each message is one chunk of the event stream.
pub struct EventStream {
    receiver: mpsc::UnboundedReceiver<Bytes>,
}

impl EventStream {
    pub fn new(receiver: mpsc::UnboundedReceiver<Bytes>) -> Self {
        Self { receiver }
    }
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_adds_script_and_escaped_overlay() {
        let page = b"<html><head><title>x</title></head><body><p>hi</p></body></html>";
        let clean = String::from_utf8(inject(page, &[])).unwrap();
        assert!(clean.contains("<script src=\"/__gatehouse/live.js\" defer></script></head>"));
        assert!(!clean.contains("gatehouse-overlay"));
        let broken =
            String::from_utf8(inject(page, &["content/a.md:1:1: bad <thing>".into()])).unwrap();
        assert!(
            broken.contains("<pre>content/a.md:1:1: bad &lt;thing&gt;</pre></div></body>"),
            "{broken}"
        );
    }
}
