//! Markdown to HTML: GitHub-flavoured Markdown via pulldown-cmark, plus what a docs
//! page needs from it — heading ids with self-links, a table of contents, highlighted
//! code, and every link target with its position, for the link checker.

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::highlight::highlight_block;
use crate::urls;
use edge::html::escape_into;

/// An entry of a page's table of contents (`##` with its `###` children).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    pub id: String,
    /// HTML-escaped heading text.
    pub title: String,
    pub level: u8,
    pub children: Vec<TocEntry>,
}

/// A link target found in the page, with its byte offset in the rendered Markdown
/// text (the caller maps it back to the original file).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundLink {
    pub href: String,
    pub offset: usize,
}

/// How a heading's self-link (`#`, after the heading text) starts; the search index
/// leaves it out of the page's text.
pub const SELF_LINK_OPEN: &str = "<a class=\"anchor\"";

#[derive(Debug, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id a `#fragment` may point at: headings and `id="…"` in raw HTML.
    pub anchors: HashSet<String>,
    pub links: Vec<FoundLink>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders one page body. `source` is the file's path relative to `content/`, used to
/// rewrite links to other Markdown files into their URLs.
pub fn render(text: &str, source: &str) -> RenderedMarkdown {
    let mut rendered = RenderedMarkdown::default();
    let mut ids = IdAllocator::default();
    let mut headings: Vec<(u8, String, String)> = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::with_capacity(256);

    // While inside a heading or code block, events are buffered here.
    let mut heading: Option<OpenHeading<'_>> = None;
    let mut code: Option<(String, String)> = None;

    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                dest_url: rewrite_and_record(dest_url, source, range.start, &mut rendered.links),
                link_type,
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                dest_url: rewrite_and_record(dest_url, source, range.start, &mut rendered.links),
                link_type,
                title,
                id,
            }),
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                scan_raw_html(html, range.start, &mut rendered);
                event
            }
            other => other,
        };

        if let Some((_, ref mut body)) = code {
            match event {
                Event::Text(t) => body.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, body) = code.take().unwrap_or_default();
                    let mut html = String::with_capacity(body.len() * 2);
                    highlight_block(&lang, &body, &mut html);
                    push(&mut heading, &mut events, Event::Html(html.into()));
                }
                _ => {}
            }
            continue;
        }

        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading = Some(OpenHeading {
                    level,
                    explicit_id: id.map(|i| i.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some(OpenHeading {
                    level,
                    explicit_id,
                    classes,
                    events: inner,
                }) = heading.take()
                else {
                    continue;
                };
                let plain = plain_text(&inner);
                let id = ids.allocate(explicit_id, &plain);
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                let level_number = level as u8;
                let mut html = format!("<h{level_number} id=\"");
                escape_into(&id, &mut html);
                html.push('"');
                if !classes.is_empty() {
                    html.push_str(" class=\"");
                    escape_into(&classes.join(" "), &mut html);
                    html.push('"');
                }
                html.push('>');
                html.push_str(&inner_html);
                html.push_str(SELF_LINK_OPEN);
                html.push_str(" href=\"#");
                escape_into(&id, &mut html);
                html.push_str("\" aria-label=\"Link to this section\">#</a>");
                html.push_str(&format!("</h{level_number}>\n"));
                events.push(Event::Html(html.into()));
                rendered.anchors.insert(id.clone());
                let mut title = String::new();
                escape_into(&plain, &mut title);
                headings.push((level_number, id, title));
            }
            other => push(&mut heading, &mut events, other),
        }
    }

    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    rendered.html = html;
    rendered.toc = table_of_contents(headings);
    rendered
}

/// A heading whose events are being collected, to give it an id and a self-link.
struct OpenHeading<'e> {
    level: HeadingLevel,
    explicit_id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'e>>,
}

fn push<'e>(heading: &mut Option<OpenHeading<'e>>, events: &mut Vec<Event<'e>>, event: Event<'e>) {
    match heading {
        Some(open) => open.events.push(event),
        None => events.push(event),
    }
}

fn rewrite_and_record<'a>(
    dest: CowStr<'a>,
    source: &str,
    offset: usize,
    links: &mut Vec<FoundLink>,
) -> CowStr<'a> {
    let dest = match urls::markdown_link_to_url(source, &dest) {
        Some(url) => CowStr::from(url),
        None => dest,
    };
    links.push(FoundLink {
        href: dest.to_string(),
        offset,
    });
    dest
}

/// Raw HTML may carry links (`href`, `src`) and anchor targets (`id`).
fn scan_raw_html(html: &str, offset: usize, rendered: &mut RenderedMarkdown) {
    for attr in ["href", "src", "id"] {
        let mut from = 0;
        while let Some(found) = html[from..].find(attr) {
            let start = from + found;
            from = start + attr.len();
            let boundary = start == 0 || html.as_bytes()[start - 1].is_ascii_whitespace();
            let rest = html[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                continue;
            };
            if !boundary {
                continue;
            }
            let value = &rest[1..1 + end];
            if attr == "id" {
                rendered.anchors.insert(value.to_string());
            } else {
                rendered.links.push(FoundLink {
                    href: value.replace("&amp;", "&"),
                    offset: offset + start,
                });
            }
        }
    }
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text
}

/// Heading ids by GitHub's rule, repeats suffixed `-1`, `-2`; an explicit `{#id}` wins.
#[derive(Default)]
struct IdAllocator {
    used: HashSet<String>,
}

impl IdAllocator {
    fn allocate(&mut self, explicit: Option<String>, text: &str) -> String {
        if let Some(id) = explicit {
            self.used.insert(id.clone());
            return id;
        }
        let base = github_slug(text);
        let mut id = base.clone();
        let mut n = 0;
        while !self.used.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

/// GitHub's heading anchors: lower-case, punctuation dropped, each space a `-`.
pub fn github_slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn table_of_contents(headings: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry {
            id,
            title,
            level,
            children: Vec::new(),
        };
        match level {
            2 => toc.push(entry),
            3 => match toc.last_mut() {
                Some(parent) => parent.children.push(entry),
                None => toc.push(entry),
            },
            _ => {}
        }
    }
    toc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_heading_ids() {
        assert_eq!(
            github_slug("Set up a new Konnect Cloud account"),
            "set-up-a-new-konnect-cloud-account"
        );
        assert_eq!(
            github_slug("Summary and next steps"),
            "summary-and-next-steps"
        );
        assert_eq!(github_slug("What's `new`? (v2.0)"), "whats-new-v20");
        assert_eq!(github_slug("Ünïcode  two"), "ünïcode--two");
    }

    #[test]
    fn headings_get_ids_self_links_and_toc() {
        let out = render(
            "## Reset password\n\n### Step\n\n## Reset password\n\n## Custom {#mine}\n",
            "a.md",
        );
        assert!(out.html.contains("<h2 id=\"reset-password\">Reset password<a class=\"anchor\" href=\"#reset-password\""), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"reset-password-1\">"));
        assert!(out.html.contains("<h2 id=\"mine\">Custom"));
        let ids: Vec<_> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["reset-password", "reset-password-1", "mine"]);
        assert_eq!(out.toc[0].children[0].id, "step");
        assert!(out.anchors.contains("mine"));
    }

    #[test]
    fn gfm_extensions_render() {
        let out = render(
            "| a |\n|---|\n| b |\n\n~~x~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: foot\n",
            "a.md",
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>x</del>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("footnote-definition"));
    }

    #[test]
    fn links_are_collected_with_offsets_and_md_links_rewritten() {
        let text = "See [a](/x/) and [b](other.md#top).\n\n<a href=\"/raw/\" id=\"here\">r</a>\n";
        let out = render(text, "dir/page.md");
        let hrefs: Vec<_> = out
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.offset))
            .collect();
        assert_eq!(
            hrefs,
            [
                ("/x/", 4),
                ("/dir/other/#top", 17),
                ("/raw/", text.find("href").unwrap())
            ]
        );
        assert!(out.html.contains("href=\"/dir/other/#top\""));
        assert!(out.anchors.contains("here"));
    }

    #[test]
    fn code_blocks_are_highlighted_and_raw_html_kept() {
        let out = render(
            "```bash\necho hi\n```\n\n<div class=\"x\">raw</div>\n",
            "a.md",
        );
        assert!(out.html.contains("<pre class=\"code\" data-lang=\"bash\"><code><span class=\"hl-fn\">echo</span> hi\n</code></pre>"), "{}", out.html);
        assert!(out.html.contains("<div class=\"x\">raw</div>"));
    }
}
