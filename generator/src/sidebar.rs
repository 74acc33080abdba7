//! The sidebar's HTML: a page's [`Nav`] (the top level and the path to the page, each
//! level bounded: [`crate::tree`]) written as nested `<li>` entries, handed to templates
//! as `nav_html`.
//!
//! Written here rather than by a recursive Tera macro because it is on every page and
//! was the costliest part of rendering one: about 65 µs a page through the macro (a
//! quarter of a 10,000-page build's CPU), a few µs here. A theme that wants other
//! markup writes its own from the same data (`nav`, `nav_more`); the markup below is
//! the contract the default theme's CSS and script rely on:
//!
//! ```html
//! <li class="nav-item nav-section in-path">
//!   <a href="/guide/">Guide</a>
//!   <ul>
//! <li class="nav-item is-current">
//!   <a href="/guide/a/" aria-current="page">A</a>
//! </li>
//! <li class="nav-item nav-more"><a href="/guide/">All 30 in Guide</a></li></ul>
//! </li>
//! ```
//!
//! `nav-section`: the entry has children; `in-path`: it is the current page or one of
//! its ancestors; `is-current` with `aria-current="page"`: the current page; a level cut
//! short ends with a `nav-more` entry linking to the page that lists all of it (the home
//! page, for the top level).

use edge::html::escape_into;

use crate::tree::{Nav, NavItem};

/// The sidebar's entries, to go inside the theme's `<ul>`. `site_title` names the home
/// page in the top level's "All N in …" entry.
pub fn html(nav: &Nav<'_>, site_title: &str) -> String {
    let mut out = String::with_capacity(4096);
    items(&nav.items, &mut out);
    if nav.more > 0 {
        more("/", site_title, nav.items.len() + nav.more, &mut out);
    }
    out
}

fn items(items: &[NavItem<'_>], out: &mut String) {
    for item in items {
        out.push_str("\n<li class=\"nav-item");
        if item.is_section {
            out.push_str(" nav-section");
        }
        if item.in_path {
            out.push_str(" in-path");
        }
        if item.current {
            out.push_str(" is-current");
        }
        out.push_str("\">\n  <a href=\"");
        escape_into(item.url, out);
        out.push('"');
        if item.current {
            out.push_str(" aria-current=\"page\"");
        }
        out.push('>');
        escape_into(item.title, out);
        out.push_str("</a>");
        if !item.children.is_empty() {
            out.push_str("\n  <ul>");
            self::items(&item.children, out);
            if item.more > 0 {
                more(item.url, item.title, item.children.len() + item.more, out);
            }
            out.push_str("</ul>");
        }
        out.push_str("\n</li>");
    }
}

/// The last entry of a level the sidebar cut short: the page that lists all of it.
fn more(url: &str, title: &str, count: usize, out: &mut String) {
    out.push_str("<li class=\"nav-item nav-more\"><a href=\"");
    escape_into(url, out);
    out.push_str("\">All ");
    out.push_str(&count.to_string());
    out.push_str(" in ");
    escape_into(title, out);
    out.push_str("</a></li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(title: &'a str, url: &'a str, children: Vec<NavItem<'a>>) -> NavItem<'a> {
        NavItem {
            title,
            url,
            current: false,
            in_path: false,
            is_section: !children.is_empty(),
            children,
            more: 0,
        }
    }

    #[test]
    fn the_path_is_marked_and_cut_levels_end_with_a_link_to_all() {
        let mut current = item("A <b>", "/guide/a/", vec![]);
        current.current = true;
        current.in_path = true;
        let mut guide = item("Guide & co", "/guide/", vec![current]);
        guide.in_path = true;
        guide.more = 29;
        let nav = Nav {
            items: vec![guide, item("Ref", "/ref/", vec![])],
            more: 3,
        };
        assert_eq!(
            html(&nav, "Docs \"Site\""),
            "\n<li class=\"nav-item nav-section in-path\">\n  <a href=\"/guide/\">Guide &amp; co</a>\
             \n  <ul>\n<li class=\"nav-item in-path is-current\">\n  <a href=\"/guide/a/\" aria-current=\"page\">A &lt;b&gt;</a>\
             \n</li><li class=\"nav-item nav-more\"><a href=\"/guide/\">All 30 in Guide &amp; co</a></li></ul>\
             \n</li>\n<li class=\"nav-item\">\n  <a href=\"/ref/\">Ref</a>\n</li>\
             <li class=\"nav-item nav-more\"><a href=\"/\">All 5 in Docs &quot;Site&quot;</a></li>"
        );
    }

    #[test]
    fn an_empty_nav_is_empty() {
        let nav = Nav {
            items: vec![],
            more: 0,
        };
        assert_eq!(html(&nav, "Docs"), "");
    }
}
