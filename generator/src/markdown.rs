//! Markdown to HTML: GitHub-flavoured Markdown via pulldown-cmark, plus what a docs
//! page needs from it — heading ids with self-links, a table of contents, highlighted
//! code, and every link target with its position, for the link checker.
//!
//! [`render`] runs pulldown-cmark's events, each with its byte range in the text,
//! through a chain of small iterator adapters, one job each, and writes what comes out
//! as HTML. What the stages find besides HTML (links, anchors, the table of contents)
//! goes into one record at the start of the chain, in the order the events pass; so
//! does the page's searchable text (`markdown/search_text.rs`), taken from the events
//! rather than read back from the HTML.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::highlight::{self, Fence, highlight_block};

mod attributes;
mod diagram;
mod diagram_cache;
mod math;
mod search_text;
mod stage;

use crate::reader::Values;
use crate::search::text::SELF_LINK_OPEN;
use crate::urls;
pub use diagram_cache::keep_under as keep_diagrams_under;
use edge::html::escape_into;
use stage::{Found, Spanned, Stage, Start};
pub use stage::{FoundLink, TocEntry};

#[derive(Debug, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id a `#fragment` may point at: headings and `id="…"` in raw HTML.
    pub anchors: HashSet<String>,
    pub links: Vec<FoundLink>,
    /// Errors in the Markdown itself (a block attribute list that applies to nothing),
    /// each with its byte offset in the rendered text, as for [`FoundLink`].
    pub problems: Vec<(usize, String)>,
    /// What the page should be told but does not stop the build (a code line left
    /// plain to bound the highlighter's time), with offsets as for `problems`.
    pub warnings: Vec<(usize, String)>,
    /// The code block that took longest to highlight: its offset, and the time.
    pub slowest_block: Option<(usize, Duration)>,
    /// The searchable text: what a reader sees of the page, white space collapsed, as
    /// `search::text::plain_text` reads it from `html` (headings without their `#`).
    pub text: String,
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
    render_with(text, source, Extensions::default(), &Values::default())
}

/// What Markdown draws at build time beyond CommonMark and GFM (`[markdown]` in
/// `site.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extensions {
    /// `$…$` and `$$…$$` as MathML (`math.rs`); off, so a `$` in prose stays prose.
    pub math: bool,
    /// ```` ```mermaid ```` fences as SVG (`diagram.rs`); on.
    pub diagrams: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Extensions {
            math: false,
            diagrams: true,
        }
    }
}

/// [`render`], with the site's [`Extensions`], and the page's reader values (`values`: a
/// heading holding one gets its id from the fallback, as the reader reads it).
pub fn render_with(
    text: &str,
    source: &str,
    extensions: Extensions,
    values: &Values,
) -> RenderedMarkdown {
    let mut found = Found {
        text: search_text::PageText::new(text.len()),
        ..Found::default()
    };
    let options = if extensions.math {
        options() | Options::ENABLE_MATH
    } else {
        options()
    };
    let parser = Parser::new_ext(text, options).into_offset_iter();
    let start = Start {
        events: parser,
        found: &mut found,
    };
    // Each stage sees what the stages inside it made of the events.
    let events = headings(
        search_text(attributes::attributes(
            code_blocks(
                raw_html(links(math::math(start), source)),
                source,
                extensions.diagrams,
            ),
            text,
        )),
        values,
    );
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.map(|(event, _)| event));
    RenderedMarkdown {
        html,
        toc: found.toc,
        anchors: found.anchors,
        links: found.links,
        problems: found.problems,
        warnings: found.warnings,
        slowest_block: found.slowest_block,
        text: found.text.finish(),
    }
}

/// The stage: every event's text goes into the page's [`search_text::PageText`]; the events are
/// unchanged.
fn search_text<I>(inner: I) -> SearchText<I> {
    SearchText { inner }
}

struct SearchText<I> {
    inner: I,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for SearchText<I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let item = self.inner.next();
        if let Some((event, range)) = &item {
            self.inner.found().text.event(event, range);
        }
        item
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for SearchText<I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

/// Links and images: a target that is another Markdown file becomes its URL
/// (`other.md#top` → `/dir/other/#top`, relative to `source`), and every target is
/// recorded with the offset where its link starts, for the link checker.
fn links<I>(inner: I, source: &str) -> Links<'_, I> {
    Links { inner, source }
}

struct Links<'s, I> {
    inner: I,
    source: &'s str,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for Links<'_, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let item = self.inner.next();
        if matches!(
            item,
            Some((Event::Start(Tag::Link { .. } | Tag::Image { .. }), _))
        ) {
            return self.link(item);
        }
        item
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for Links<'_, I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Links<'_, I> {
    #[inline(never)]
    fn link(&mut self, mut item: Option<Spanned<'a>>) -> Option<Spanned<'a>> {
        if let Some((
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }),
            range,
        )) = &mut item
        {
            let dest = std::mem::replace(dest_url, CowStr::Borrowed(""));
            let dest = match urls::markdown_link_to_url(self.source, &dest) {
                Some(url) => CowStr::from(url),
                None => dest,
            };
            self.inner.found().links.push(FoundLink {
                href: dest.to_string(),
                offset: range.start,
            });
            *dest_url = dest;
        }
        item
    }
}

/// Raw HTML, which Markdown passes through as it is: records its link targets
/// (`href`, `src`, with their offsets) and its anchors (`id`). The events are unchanged.
fn raw_html<I>(inner: I) -> RawHtml<I> {
    RawHtml { inner }
}

struct RawHtml<I> {
    inner: I,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for RawHtml<I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let item = self.inner.next();
        if matches!(item, Some((Event::Html(_) | Event::InlineHtml(_), _))) {
            return self.html(item);
        }
        item
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for RawHtml<I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> RawHtml<I> {
    #[inline(never)]
    fn html(&mut self, item: Option<Spanned<'a>>) -> Option<Spanned<'a>> {
        if let Some((Event::Html(html) | Event::InlineHtml(html), range)) = &item {
            scan_raw_html(html, range.start, self.inner.found());
        }
        item
    }
}

/// Code blocks: a block's events (its start, its text, its end) become one HTML event
/// with the highlighted code, as its fence's info string asks (the language, `rust` of
/// ```` ```rust,ignore ````, none for an indented block; highlighted lines, line
/// numbers, a title: [`highlight::Fence`]). A language nothing highlights is noted with
/// `source` for the build's warning. Nothing inside a code block reaches a later stage:
/// a `## line` in it is code, not a heading. What the block shows as text is left in the
/// record ([`search_text::CodeText`]) for the search text stage.
///
/// With `diagrams`, a ```` ```mermaid ```` block is drawn instead (`diagram.rs`).
fn code_blocks<I>(inner: I, source: &str, diagrams: bool) -> CodeBlocks<'_, I> {
    CodeBlocks {
        inner,
        source,
        diagrams,
        drawn: 0,
    }
}

struct CodeBlocks<'s, I> {
    inner: I,
    source: &'s str,
    diagrams: bool,
    /// Diagrams drawn so far on the page, for their ids (`mermaid-1`, …).
    drawn: usize,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for CodeBlocks<'_, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let item = self.inner.next();
        if matches!(item, Some((Event::Start(Tag::CodeBlock(_)), _))) {
            return self.code_block(item);
        }
        item
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for CodeBlocks<'_, I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> CodeBlocks<'_, I> {
    /// Reads a code block's events up to its end and highlights its text.
    #[inline(never)]
    fn code_block(&mut self, item: Option<Spanned<'a>>) -> Option<Spanned<'a>> {
        let Some((Event::Start(Tag::CodeBlock(kind)), start)) = item else {
            return item;
        };
        let info = match &kind {
            CodeBlockKind::Fenced(info) => info,
            CodeBlockKind::Indented => "",
        };
        let mut body = String::new();
        // Where each text event's lines start in the body and in the page.
        let mut texts: Vec<(usize, usize)> = Vec::new();
        // A block the events never close is dropped (pulldown-cmark always closes it).
        loop {
            let (event, end) = self.inner.next()?;
            match event {
                Event::Text(text) => {
                    texts.push((body.len(), end.start));
                    body.push_str(&text);
                }
                Event::End(TagEnd::CodeBlock) => {
                    let mut html = String::with_capacity(body.len() * 2);
                    let fence = Fence::parse(info);
                    let range = start.start..end.end;
                    if self.diagrams
                        && fence.lang == "mermaid"
                        && self.diagram(&body, &texts, start.start, &mut html)
                    {
                        return Some((Event::Html(html.into()), range));
                    }
                    let started = Instant::now();
                    let outcome = highlight_block(info, &body, &mut html);
                    let took = started.elapsed();
                    let found = self.inner.found();
                    if found
                        .slowest_block
                        .is_none_or(|(_, slowest)| took > slowest)
                    {
                        found.slowest_block = Some((start.start, took));
                    }
                    if !outcome.known {
                        highlight::note_unknown_language(&fence.lang, self.source);
                    }
                    if let Some((line, message)) = outcome.warning(&fence.lang) {
                        let offset = line_offset(&body, line, &texts).unwrap_or(start.start);
                        self.inner.found().warnings.push((offset, message));
                    }
                    // What the block shows, for the search text when the event passes.
                    self.inner
                        .found()
                        .text
                        .code
                        .push_back(search_text::CodeText {
                            range: range.clone(),
                            title: fence.title,
                            linenos: fence.linenos,
                            body,
                        });
                    return Some((Event::Html(html.into()), range));
                }
                _ => {}
            }
        }
    }
}

impl<I: Stage> CodeBlocks<'_, I> {
    /// Draws a mermaid block into `html`, or records why not: false when it is to be
    /// shown as code after all (a type the renderer lacks, an error).
    fn diagram(
        &mut self,
        body: &str,
        texts: &[(usize, usize)],
        block_start: usize,
        html: &mut String,
    ) -> bool {
        let at =
            |line: usize| line_offset(body, line.saturating_sub(1), texts).unwrap_or(block_start);
        let drawn = diagram::draw(body);
        let found = self.inner.found();
        match &*drawn {
            Ok(diagram::Drawn::Svg(svg)) => {
                self.drawn += 1;
                let id = format!("mermaid-{}", self.drawn);
                for href in diagram::links(svg) {
                    found.links.push(FoundLink {
                        href,
                        offset: block_start,
                    });
                }
                found.anchors.insert(id.clone());
                diagram::figure(svg, body, &id, html);
                true
            }
            Ok(diagram::Drawn::Unsupported(warning)) => {
                found.warnings.push((block_start, warning.clone()));
                false
            }
            Err(failure) => {
                found
                    .problems
                    .push((at(failure.line), failure.message.clone()));
                false
            }
        }
    }
}

/// Where line `line` (0-based) of a code block's `body` is in the page: `texts` holds
/// where each of the block's text events starts in the body and in the page.
fn line_offset(body: &str, line: usize, texts: &[(usize, usize)]) -> Option<usize> {
    let at = match line {
        0 => 0,
        n => body.match_indices('\n').nth(n - 1)?.0 + 1,
    };
    let (body_start, page_start) = texts.iter().rev().find(|(b, _)| *b <= at)?;
    Some(page_start + (at - body_start))
}

/// Headings: each gets an id (GitHub's rule on its text, repeats suffixed, or its
/// `{#id}`) and a `#` self-link after its text; the id is recorded as an anchor, and
/// `##` and `###` headings go into the table of contents. A heading's events become one
/// HTML event, since its id depends on all of its text.
fn headings<'a, 'v, I>(inner: I, values: &'v Values) -> Headings<'a, 'v, I> {
    Headings {
        inner,
        ids: IdAllocator::default(),
        content: Vec::new(),
        values,
    }
}

struct Headings<'a, 'v, I> {
    inner: I,
    ids: IdAllocator,
    /// The page's reader values: a heading holding one gets its id from the fallback.
    values: &'v Values,
    /// The events inside the heading being read (kept to reuse its allocation).
    content: Vec<Event<'a>>,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for Headings<'a, '_, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let item = self.inner.next();
        if matches!(item, Some((Event::Start(Tag::Heading { .. }), _))) {
            return self.heading(item);
        }
        item
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for Headings<'a, '_, I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Headings<'a, '_, I> {
    /// Reads a heading's events up to its end and writes the heading.
    #[inline(never)]
    fn heading(&mut self, item: Option<Spanned<'a>>) -> Option<Spanned<'a>> {
        let Some((
            Event::Start(Tag::Heading {
                level,
                id: explicit_id,
                classes,
                attrs,
            }),
            start,
        )) = item
        else {
            return item;
        };
        self.content.clear();
        // A heading the events never close is dropped (pulldown-cmark always closes it).
        let end = loop {
            match self.inner.next()? {
                (Event::End(TagEnd::Heading(_)), range) => break range.end,
                (event, _) => self.content.push(event),
            }
        };
        let mut plain = plain_text(&self.content);
        if !self.values.is_empty() {
            plain = self.values.plain(&plain);
        }
        let id = self
            .ids
            .allocate(explicit_id.map(|id| id.to_string()), &plain);
        let level = level as u8;
        // 1 to 6: one digit.
        let digit = char::from(b'0' + level);
        let mut html = String::with_capacity(128);
        html.push_str("<h");
        html.push(digit);
        html.push_str(" id=\"");
        escape_into(&id, &mut html);
        html.push('"');
        if !classes.is_empty() {
            html.push_str(" class=\"");
            escape_into(&classes.join(" "), &mut html);
            html.push('"');
        }
        for (key, value) in &attrs {
            html.push(' ');
            escape_into(key, &mut html);
            html.push_str("=\"");
            escape_into(value.as_deref().unwrap_or(""), &mut html);
            html.push('"');
        }
        html.push('>');
        pulldown_cmark::html::push_html(&mut html, self.content.drain(..));
        html.push_str(SELF_LINK_OPEN);
        html.push_str(" href=\"#");
        escape_into(&id, &mut html);
        html.push_str("\" aria-label=\"Link to this section\">#</a></h");
        html.push(digit);
        html.push_str(">\n");
        let found = self.inner.found();
        found.anchors.insert(id.clone());
        add_to_toc(&mut found.toc, level, id, &plain);
        Some((Event::Html(html.into()), start.start..end))
    }
}

/// Raw HTML may carry links (`href`, `src`) and anchor targets (`id`).
fn scan_raw_html(html: &str, offset: usize, found: &mut Found) {
    for attr in ["href", "src", "id"] {
        let mut from = 0;
        while let Some(at) = html[from..].find(attr) {
            let start = from + at;
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
                found.anchors.insert(value.to_string());
            } else {
                found.links.push(FoundLink {
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

/// Adds a heading to the table of contents: a `##` at the top, a `###` under the `##`
/// before it (at the top if there is none), other levels not at all.
fn add_to_toc(toc: &mut Vec<TocEntry>, level: u8, id: String, text: &str) {
    if !(2..=3).contains(&level) {
        return;
    }
    let mut title = String::new();
    escape_into(text, &mut title);
    let entry = TocEntry {
        id,
        title,
        level,
        children: Vec::new(),
    };
    match toc.last_mut() {
        Some(parent) if level == 3 => parent.children.push(entry),
        _ => toc.push(entry),
    }
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
        assert!(out.html.contains("<div class=\"code-block\"><pre class=\"code\" data-lang=\"bash\"><code><span class=\"line\"><span class=\"hl-fn\">echo</span> hi</span>\n</code></pre></div>"), "{}", out.html);
        assert!(out.html.contains("<div class=\"x\">raw</div>"));
    }

    /// The parser's events for `text`, for driving stages by hand.
    fn parsed(text: &str) -> std::vec::IntoIter<Spanned<'_>> {
        Parser::new_ext(text, options())
            .into_offset_iter()
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn html_of<'a>(events: impl Iterator<Item = Spanned<'a>>) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.map(|(event, _)| event));
        html
    }

    fn hrefs(found: &Found) -> Vec<(&str, usize)> {
        found
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.offset))
            .collect()
    }

    #[test]
    fn links_stage_rewrites_md_targets_and_records_every_target() {
        let text = "[a](other.md#top) and ![i](pic.png) and [b](https://x.test/y.md)";
        let mut found = Found::default();
        let start = Start {
            events: parsed(text),
            found: &mut found,
        };
        let html = html_of(links(start, "dir/page.md"));
        assert!(html.contains("<a href=\"/dir/other/#top\">a</a>"), "{html}");
        assert!(html.contains("<img src=\"pic.png\""), "{html}");
        assert_eq!(
            hrefs(&found),
            [
                ("/dir/other/#top", 0),
                ("pic.png", text.find("![i]").unwrap()),
                ("https://x.test/y.md", text.find("[b]").unwrap()),
            ]
        );
    }

    #[test]
    fn raw_html_stage_records_targets_and_ids_and_changes_nothing() {
        let text = "<p data-href=\"/no/\" href=\"/yes/?a=1&amp;b=2\" data-id=\"n\" id='y'>\n<img src=\"/i.png\"></p>\n";
        let mut found = Found::default();
        let start = Start {
            events: parsed(text),
            found: &mut found,
        };
        let html = html_of(raw_html(start));
        assert_eq!(html, html_of(parsed(text)));
        assert_eq!(
            hrefs(&found),
            [
                ("/yes/?a=1&b=2", text.find(" href").unwrap() + 1),
                ("/i.png", text.find("src").unwrap()),
            ]
        );
        assert_eq!(found.anchors, HashSet::from(["y".to_string()]));
    }

    #[test]
    fn code_blocks_stage_makes_one_highlighted_event_spanning_the_block() {
        let text = "a\n\n```json {hl=1}\n{\"k\": 1}\n```\n\nb\n";
        let mut found = Found::default();
        let start = Start {
            events: parsed(text),
            found: &mut found,
        };
        let events: Vec<_> = code_blocks(start, "a.md", true).collect();
        let (block, range) = events
            .iter()
            .find(|(event, _)| matches!(event, Event::Html(_)))
            .unwrap();
        let fence = text.find("```").unwrap();
        assert_eq!(range.clone(), fence..text.rfind("```").unwrap() + 3);
        let Event::Html(block) = block else {
            unreachable!()
        };
        assert!(
            block.starts_with(
                "<div class=\"code-block\"><pre class=\"code\" data-lang=\"json\"><code>"
            ),
            "{block}"
        );
        assert!(events.iter().all(|(event, _)| !matches!(
            event,
            Event::Start(Tag::CodeBlock(_)) | Event::End(TagEnd::CodeBlock)
        )));
    }

    #[test]
    fn a_heading_inside_a_code_block_stays_code() {
        let out = render("```md\n## Not a heading\n[x](a.md)\n```\n", "a.md");
        assert!(!out.html.contains("<h2"), "{}", out.html);
        assert!(out.html.contains("## Not a heading"), "{}", out.html);
        assert!(out.toc.is_empty());
        assert!(out.anchors.is_empty());
        assert!(out.links.is_empty());
    }

    #[test]
    fn a_link_inside_a_heading_is_rewritten_and_recorded() {
        let out = render("## See [the other page](other.md)\n", "dir/page.md");
        assert!(
            out.html.starts_with(
                "<h2 id=\"see-the-other-page\">See <a href=\"/dir/other/\">the other page</a><a class=\"anchor\""
            ),
            "{}",
            out.html
        );
        assert_eq!(
            out.links,
            [FoundLink {
                href: "/dir/other/".into(),
                offset: 7
            }]
        );
    }

    #[test]
    fn a_heading_with_inline_code_gets_its_text_as_id() {
        let out = render("## Run `gatehouse serve` & <b>watch</b>\n", "a.md");
        assert!(
            out.html.starts_with(
                "<h2 id=\"run-gatehouse-serve--watch\">Run <code>gatehouse serve</code> &amp; <b>watch</b><a class=\"anchor\" href=\"#run-gatehouse-serve--watch\""
            ),
            "{}",
            out.html
        );
        assert_eq!(out.toc[0].title, "Run gatehouse serve &amp; watch");
    }

    #[test]
    fn headings_keep_classes_and_only_h2_and_h3_enter_the_toc() {
        let out = render(
            "### Orphan\n\n# Top\n\n## Two {.wide .x}\n\n#### Four\n\n### Three\n",
            "a.md",
        );
        assert!(out.html.contains("<h2 id=\"two\" class=\"wide x\">Two<a"));
        assert!(out.html.contains("<h1 id=\"top\">Top<a"));
        let toc: Vec<_> = out
            .toc
            .iter()
            .map(|e| (e.id.as_str(), e.children.len()))
            .collect();
        assert_eq!(toc, [("orphan", 0), ("two", 1)]);
        assert_eq!(out.toc[1].children[0].id, "three");
        for id in ["orphan", "top", "two", "four", "three"] {
            assert!(out.anchors.contains(id), "{id}");
        }
    }

    /// A stage inserted into the chain: later stages see what it made of the events.
    struct Replace<I> {
        inner: I,
    }

    impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for Replace<I> {
        type Item = Spanned<'a>;

        fn next(&mut self) -> Option<Spanned<'a>> {
            let item = self.inner.next();
            if matches!(&item, Some((Event::Text(text), _)) if &**text == "before") {
                return Some((Event::Text("after".into()), item?.1));
            }
            item
        }
    }

    impl<'a, I: Stage<Item = Spanned<'a>>> Stage for Replace<I> {
        fn found(&mut self) -> &mut Found {
            self.inner.found()
        }
    }

    #[test]
    fn a_stage_added_to_the_chain_feeds_the_stages_after_it() {
        let text = "## before\n\n```\nbefore\n```\n";
        let mut found = Found::default();
        let start = Start {
            events: parsed(text),
            found: &mut found,
        };
        let values = Values::default();
        let html = html_of(headings(
            Replace {
                inner: code_blocks(raw_html(links(start, "a.md")), "a.md", true),
            },
            &values,
        ));
        assert!(html.starts_with("<h2 id=\"after\">after<a"), "{html}");
        assert!(
            html.contains("<code><span class=\"line\">before</span>\n</code>"),
            "{html}"
        );
        assert_eq!(found.toc[0].id, "after");
    }
}
