//! The version switcher's and banner's HTML for a versioned page ([`VersionContext`]),
//! handed to templates as `page.version.html`.
//!
//! Written here rather than in the theme's Tera for the reason [`crate::sidebar`] is: it
//! is on every page of every release, and the template's loop over ten releases cost
//! about 40 µs a page, a fifth of a versioned build's CPU (`bench/versions.sh`). A theme
//! that wants other markup writes its own from the same data (`page.version.releases`,
//! `page.version.latest`, …). The markup, which the default theme's CSS relies on:
//!
//! ```html
//! <nav class="version-switcher" aria-label="Versions">
//!   <details>
//!     <summary>Version 3.3</summary>
//!     <ul>
//!       <li><a href="/gateway/3.4.x/install/">3.4 <span class="version-tag">latest</span></a></li>
//!       <li><a href="/gateway/3.3.x/install/" aria-current="page">3.3</a></li>
//!     </ul>
//!     <p class="version-group">No longer maintained</p>
//!     <ul>…deprecated releases…</ul>
//!   </details>
//! </nav>
//! <p class="version-banner" role="note">You are reading … <a href="…">…</a></p>
//! ```
//!
//! Plain links in a `<details>` disclosure: it works without JavaScript.

use edge::html::escape_into;

use crate::versions::{Status, SwitchEntry, VersionContext};

pub fn html(version: &VersionContext) -> String {
    let mut out = String::with_capacity(256 + 96 * version.releases.len());
    out.push_str(
        "<nav class=\"version-switcher\" aria-label=\"Versions\">\n  <details>\n    <summary>Version ",
    );
    escape_into(&version.label, &mut out);
    if version.is_latest {
        out.push_str(" (latest)");
    }
    out.push_str("</summary>\n    <ul>");
    let (current, older): (Vec<&SwitchEntry>, Vec<&SwitchEntry>) = version
        .releases
        .iter()
        .partition(|r| r.status != Status::Deprecated);
    entries(&current, true, &mut out);
    out.push_str("\n    </ul>");
    if !older.is_empty() {
        out.push_str("\n    <p class=\"version-group\">No longer maintained</p>\n    <ul>");
        entries(&older, false, &mut out);
        out.push_str("\n    </ul>");
    }
    out.push_str("\n  </details>\n</nav>");
    if !version.is_latest {
        out.push_str("\n<p class=\"version-banner\" role=\"note\">");
        let label = |out: &mut String| escape_into(&version.label, out);
        match version.status {
            Status::Preview => {
                out.push_str("You are reading the documentation of a preview release, ");
                label(&mut out);
                out.push('.');
            }
            Status::Deprecated => {
                out.push_str("You are reading the documentation of ");
                label(&mut out);
                out.push_str(", which is no longer maintained.");
            }
            _ => {
                out.push_str("You are reading the documentation of ");
                label(&mut out);
                out.push_str(", not the latest release.");
            }
        }
        out.push_str("\n  <a href=\"");
        escape_into(&version.latest.url, &mut out);
        out.push_str("\">");
        if version.latest.same_page {
            out.push_str("This page for ");
            escape_into(&version.latest.label, &mut out);
            out.push_str(", the latest release");
        } else {
            out.push_str("The latest release, ");
            escape_into(&version.latest.label, &mut out);
        }
        out.push_str("</a></p>");
    }
    out
}

fn entries(list: &[&SwitchEntry], tags: bool, out: &mut String) {
    for entry in list {
        out.push_str("\n      <li><a href=\"");
        escape_into(&entry.url, out);
        out.push('"');
        if entry.current {
            out.push_str(" aria-current=\"page\"");
        }
        out.push('>');
        escape_into(&entry.label, out);
        if tags {
            match entry.status {
                Status::Latest => out.push_str(" <span class=\"version-tag\">latest</span>"),
                Status::Preview => out.push_str(" <span class=\"version-tag\">preview</span>"),
                _ => {}
            }
        }
        out.push_str("</a></li>");
    }
}
