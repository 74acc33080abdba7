//! One page through the per-page stages: front matter → shortcodes and includes →
//! variables → Markdown.
//!
//! A pure function of (source file, site variables, shortcodes and include files): that is what lets pages render in
//! parallel, and lets `serve` re-run just the page that changed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::config::Variables;
use crate::diagnostic::{Diagnostic, LineIndex, Location, Severity};
use crate::frontmatter::{self, FrontMatter};
use crate::history::{History, Updated};
use crate::markdown::{self, TocEntry};
use crate::shortcodes::Shortcodes;
use crate::urls;
use crate::variables::{self, Scope};
use crate::versions;

/// A Markdown file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, e.g. `content/a/b.md`: what diagnostics print.
    pub path: PathBuf,
    /// Relative to `content/`, `/`-separated, e.g. `a/b.md`.
    pub content_path: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `content/index.md`.
    Home,
    /// Any other `index.md`: a folder's landing page.
    Section,
    Page,
}

/// A link as written in a page, located in the original file.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub href: String,
    /// In the page; for a link from an include, the include's tag.
    pub location: Location,
    /// For a link from an include: where it is written, with notes naming the lines
    /// that included it.
    pub included: Option<Box<Diagnostic>>,
}

impl Link {
    /// A problem with this link, where it is written.
    pub fn diagnostic(&self, page_path: &Path, message: String) -> Diagnostic {
        match &self.included {
            Some(at) => Diagnostic {
                message: message + &at.message,
                ..(**at).clone()
            },
            None => Diagnostic::new(page_path, self.location, message),
        }
    }
}

/// A page after its per-page stages, ready for the site-wide ones.
#[derive(Debug, Clone)]
pub struct Page {
    /// The Markdown file, relative to the site root (`content/a/b.md`): what diagnostics
    /// print.
    pub source_path: PathBuf,
    pub content_path: String,
    pub url: String,
    pub kind: PageKind,
    pub front: FrontMatter,
    pub title: String,
    pub html: String,
    /// The searchable text of the body: what a reader sees of `html` (Markdown's
    /// [`markdown::RenderedMarkdown::text`]), for the search index.
    pub text: String,
    pub toc: Vec<TocEntry>,
    pub anchors: HashSet<String>,
    pub links: Vec<Link>,
    /// The include files the page used, relative to the site root: `serve` renders the
    /// page again when one changes.
    pub includes: Vec<PathBuf>,
    /// What the page's stages warn of (a code line left plain, a slow page): kept with
    /// the page, so `serve` repeats them until the page changes.
    pub warnings: Vec<Diagnostic>,
    /// The page's Markdown with its tags expanded and variables resolved, when the site
    /// publishes Markdown copies (`[llms] markdown = true`: [`crate::llms`]).
    pub markdown: Option<String>,
    /// Whether the page has reader markers ([`crate::reader`]): hosts fill it in for a
    /// signed-in reader, and it loads the theme's reader script.
    pub reader: bool,
    /// The backend's forms the page embeds (`{% form NAME %}`: [`crate::forms`]).
    pub forms: Vec<&'static str>,
    /// When the page's file last changed ([`crate::history`]).
    pub updated: Option<Updated>,
}

impl Page {
    pub fn is_draft(&self) -> bool {
        self.front.draft
    }
}

/// How long a page may take its stages before it warns that it is slow (naming its
/// slowest code block when that took half the time): 3 s, or
/// `GATEHOUSE_SLOW_PAGE_MS` milliseconds.
static SLOW_PAGE: LazyLock<Duration> = LazyLock::new(|| {
    let ms = std::env::var("GATEHOUSE_SLOW_PAGE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    Duration::from_millis(ms)
});

/// Runs the per-page stages. A page with problems is still returned, as far as it
/// could be made, so that the site-wide stages report their own problems in the same
/// run and links *to* it do not show up as broken too.
pub fn process(
    source: &SourceFile,
    site: &Variables,
    shortcodes: &Shortcodes,
) -> (Page, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let (front, body_start) = match frontmatter::split(&source.text) {
        Ok(split) => split,
        Err(e) => {
            problems.push(Diagnostic::new(&source.path, e.location, e.message));
            (
                FrontMatter::default(),
                frontmatter::body_start(&source.text),
            )
        }
    };
    let updated = site.history.of(&source.path, source.text.as_bytes());
    let (page, mut more) = process_body(source, front, updated, body_start, site, shortcodes);
    problems.append(&mut more);
    (page, problems)
}

/// [`process`] for a page whose [`head`] was read already, without a problem: its front
/// matter and its date are the head's. Reading YAML is a good part of a small page's
/// cost, and `build` has just read it to lay the site out.
pub fn process_with_front(
    source: &SourceFile,
    head: &Page,
    site: &Variables,
    shortcodes: &Shortcodes,
) -> (Page, Vec<Diagnostic>) {
    let body_start = frontmatter::body_start(&source.text);
    let (front, updated) = (head.front.clone(), head.updated.clone());
    process_body(source, front, updated, body_start, site, shortcodes)
}

/// The per-page stages after the front matter.
fn process_body(
    source: &SourceFile,
    front: FrontMatter,
    updated: Option<Updated>,
    body_start: usize,
    site: &Variables,
    shortcodes: &Shortcodes,
) -> (Page, Vec<Diagnostic>) {
    let started = Instant::now();
    let lines = LineIndex::new(&source.text);
    let mut problems = Vec::new();
    let body = &source.text[body_start..];

    let mut page_vars = page_variables(&front);
    let release = (!versions::unversioned(&front.extra))
        .then(|| site.docsets.release_of(&source.content_path))
        .flatten();
    if release.is_none()
        && !versions::unversioned(&front.extra)
        && let Some((set, folder)) = site.docsets.folder_of(&source.content_path)
    {
        let names: Vec<&str> = set.releases.iter().map(|r| r.name.as_str()).collect();
        problems.push(Diagnostic::file(
            &source.path,
            format!(
                "`{folder}` is not a release of the `{}` docs set (its releases: {}): add it to [docsets.{}] in site.toml, or write `no_version: true` in the front matter",
                set.name,
                names.join(", "),
                set.name
            ),
        ));
    }
    let version_vars = release.map(|r| r.variables()).unwrap_or_default();
    if let Some(release) = release
        && let Some(name) = &release.set.page_variable
    {
        page_vars.push((format!("page.{name}"), release.release().name.clone()));
    }
    let scope = Scope {
        site,
        page: &page_vars,
        version: &version_vars,
        release,
    };
    // Tags (shortcodes, includes) first: their arguments and bodies then go through
    // variables and Markdown as part of the page.
    let expanded = body
        .contains("{%")
        .then(|| shortcodes.expand(&source.path, &source.text, body_start, &scope));
    let (expanded_text, includes) = match &expanded {
        Some(e) => {
            problems.extend(e.errors.iter().cloned());
            (e.text.as_str(), e.includes.clone())
        }
        None => (body, Vec::new()),
    };
    // An offset of the expanded text → (a problem there, its offset in the page file).
    let diagnostic = |offset: usize, message: String| match &expanded {
        Some(e) => e.map.diagnostic(offset, message),
        None => Diagnostic::new(&source.path, lines.location(body_start + offset), message),
    };
    let page_offset = |offset: usize| match &expanded {
        Some(e) => e.map.page_offset(offset),
        None => body_start + offset,
    };

    let substituted = variables::substitute(expanded_text, &scope);
    problems.extend(
        substituted
            .errors
            .iter()
            .map(|e| diagnostic(e.offset, e.message.clone())),
    );
    let (text, offsets, values) = (substituted.text, substituted.offsets, substituted.reader);

    let mut rendered = markdown::render_with(&text, &source.content_path, site.markdown, &values);
    if !values.is_empty() {
        let (html, misplaced) = values.finish(&rendered.html);
        rendered.html = html;
        rendered.text = values.plain(&rendered.text);
        for entry in &mut rendered.toc {
            fill_toc(entry, &values);
        }
        problems.extend(misplaced.into_iter().map(|value| {
            diagnostic(
                value.offset,
                format!(
                    "`{{{{reader.{}}}}}` cannot go inside a link, an image or an attribute: a reader's values are only ever shown as text",
                    value.name
                ),
            )
        }));
    }
    problems.extend(rendered.problems.iter().map(|(offset, message)| {
        Diagnostic::new(
            &source.path,
            lines.location(body_start + offsets.original(*offset)),
            message.clone(),
        )
    }));
    let mut warnings: Vec<Diagnostic> = rendered
        .warnings
        .iter()
        .map(|(offset, message)| {
            diagnostic(offsets.original(*offset), message.clone()).with_severity(Severity::Warning)
        })
        .collect();
    let took = started.elapsed();
    if took >= *SLOW_PAGE {
        let block = rendered
            .slowest_block
            .filter(|(_, time)| *time * 2 >= took)
            .map(|(offset, _)| {
                let at = diagnostic(offsets.original(offset), String::new());
                format!(" (code block at line {})", at.line)
            })
            .unwrap_or_default();
        warnings.push(
            Diagnostic::file(
                &source.path,
                format!("making this page took {:.1} s{block}", took.as_secs_f64()),
            )
            .with_severity(Severity::Warning),
        );
    }
    let links = rendered
        .links
        .into_iter()
        .map(|link| {
            let offset = offsets.original(link.offset);
            Link {
                location: lines.location(page_offset(offset)),
                included: expanded
                    .as_ref()
                    .filter(|e| e.map.in_include(offset))
                    .map(|e| Box::new(e.map.diagnostic(offset, String::new()))),
                href: link.href,
            }
        })
        .collect();

    // A shared page's copy: say which release a problem is in.
    if let Some(release) = release
        && !source.path.ends_with(&source.content_path)
    {
        let note = format!(" (in its copy for release {})", release.release().name);
        for problem in problems.iter_mut().chain(warnings.iter_mut()) {
            problem.message.push_str(&note);
        }
    }
    let page = Page {
        html: rendered.html,
        text: rendered.text,
        toc: rendered.toc,
        anchors: rendered.anchors,
        links,
        includes,
        warnings,
        markdown: site.markdown_copies.then(|| values.plain(&text)),
        reader: !values.is_empty() || expanded.as_ref().is_some_and(|e| e.reader),
        forms: expanded
            .as_ref()
            .map(|e| e.forms.clone())
            .unwrap_or_default(),
        updated,
        ..bodiless(source, front)
    };
    (page, problems)
}

/// A heading's reader values as marked spans, in the table of contents too.
fn fill_toc(entry: &mut markdown::TocEntry, values: &crate::reader::Values) {
    entry.title = values.finish(&entry.title).0;
    for child in &mut entry.children {
        fill_toc(child, values);
    }
}

/// The page its path and front matter make, without a body.
fn bodiless(source: &SourceFile, front: FrontMatter) -> Page {
    let title = front
        .title
        .clone()
        .unwrap_or_else(|| fallback_title(&source.content_path));
    Page {
        source_path: source.path.clone(),
        url: urls::url_for(&source.content_path),
        content_path: source.content_path.clone(),
        kind: kind_of(&source.content_path),
        front,
        title,
        html: String::new(),
        text: String::new(),
        toc: Vec::new(),
        anchors: HashSet::new(),
        links: Vec::new(),
        includes: Vec::new(),
        warnings: Vec::new(),
        markdown: None,
        reader: false,
        forms: Vec::new(),
        updated: None,
    }
}

/// Every page's aliases as (alias, the page's URL), for the redirect table
/// ([`crate::redirects::Redirects::of_site`]).
pub fn aliases(pages: &[std::sync::Arc<Page>]) -> impl Iterator<Item = (&str, &str)> {
    pages.iter().flat_map(|page| {
        page.front
            .aliases
            .iter()
            .map(move |alias| (alias.as_str(), page.url.as_str()))
    })
}

/// The page as far as its front matter and path make it (URL, kind, title, front
/// matter; no body): what the sidebar, previous/next, aliases and template checks need,
/// so `build` can lay out the site before making any page's body. A front matter
/// problem is left for [`process`] to report; the `bool` says whether there was none
/// (then [`process_with_front`] may take the front matter from the head).
pub fn head(source: &SourceFile, history: &History) -> (Page, bool) {
    let (front, read) = match frontmatter::split(&source.text) {
        Ok((front, _)) => (front, true),
        Err(_) => (FrontMatter::default(), false),
    };
    let head = Page {
        // The sitemap is made from the heads; the body takes it from there.
        updated: history.of(&source.path, source.text.as_bytes()),
        ..bodiless(source, front)
    };
    (head, read)
}

fn kind_of(content_path: &str) -> PageKind {
    match content_path {
        "index.md" => PageKind::Home,
        p if p.ends_with("/index.md") => PageKind::Section,
        _ => PageKind::Page,
    }
}

fn page_variables(front: &FrontMatter) -> Vec<(String, String)> {
    let mut vars = Vec::new();
    if let Some(title) = &front.title {
        vars.push(("page.title".to_string(), title.clone()));
    }
    if let Some(description) = &front.description {
        vars.push(("page.description".to_string(), description.clone()));
    }
    for (key, value) in &front.extra {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        vars.push((format!("page.{key}"), text));
    }
    vars
}

/// `getting-started/configure-runtime.md` → "Configure runtime".
fn fallback_title(content_path: &str) -> String {
    let stem = content_path.trim_end_matches(".md");
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Home".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let mut v = Variables::default();
        v.values
            .insert("site.konnect_saas".into(), "Kong Konnect Cloud".into());
        v
    }

    fn process(source: &SourceFile, site: &Variables) -> (Page, Vec<Diagnostic>) {
        super::process(source, site, &Shortcodes::empty(std::path::Path::new(".")))
    }

    fn ok((page, problems): (Page, Vec<Diagnostic>)) -> Page {
        assert_eq!(problems, Vec::new());
        page
    }

    #[test]
    fn a_broken_page_still_yields_its_links_and_url() {
        let (page, problems) = process(
            &source("a.md", "---\ntitle: [\n---\n{{site.x}} [l](/y/)"),
            &vars(),
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(page.url, "/a/");
        assert_eq!(page.links[0].href, "/y/");
    }

    fn source(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("content").join(path),
            content_path: path.to_string(),
            text: text.to_string(),
        }
    }

    #[test]
    fn variable_errors_point_at_the_original_line_and_column() {
        let text = "---\ntitle: A\n---\n\nFirst line\n\n    {{site.konnect_saaas}}\n";
        let (_, errors) = process(&source("x.md", text), &vars());
        assert_eq!(
            errors[0].to_string(),
            "content/x.md:7:5: unknown variable 'site.konnect_saaas' (did you mean 'site.konnect_saas'?)"
        );
    }

    #[test]
    fn link_locations_survive_substitution() {
        let text = "---\ntitle: A\n---\n{{site.konnect_saas}} [x](/missing/)\n";
        let page = ok(process(&source("a/b.md", text), &vars()));
        assert_eq!(page.links[0].href, "/missing/");
        assert_eq!(page.links[0].location, Location { line: 4, col: 23 });
        assert_eq!(page.url, "/a/b/");
        assert_eq!(page.kind, PageKind::Page);
    }

    #[test]
    fn titles_fall_back_to_the_file_name() {
        let page = ok(process(&source("guides/first-steps.md", "Hi"), &vars()));
        assert_eq!(page.title, "First steps");
        let home = ok(process(&source("index.md", "Hi"), &vars()));
        assert_eq!(home.kind, PageKind::Home);
    }

    /// `build` lays the site out from heads, then makes the bodies: both must agree on
    /// everything the layout uses.
    #[test]
    fn a_head_is_the_processed_page_without_its_body() {
        for (path, text) in [
            (
                "a/b.md",
                "---\ntitle: T\nweight: 3\naliases: [/old/]\n---\n# X\n",
            ),
            ("a/index.md", "no front matter"),
            ("c.md", "---\ntitle: [\n---\nbroken front matter"),
        ] {
            let source = source(path, text);
            let (head, read) = head(&source, &History::default());
            let (page, problems) = process(&source, &vars());
            assert_eq!(read, problems.is_empty());
            let again = super::process_with_front(
                &source,
                &head,
                &vars(),
                &Shortcodes::empty(std::path::Path::new(".")),
            );
            if read {
                assert_eq!(again.0.html, page.html);
            }
            assert_eq!(
                (
                    &head.url,
                    head.kind,
                    &head.title,
                    &head.front.aliases,
                    head.front.weight
                ),
                (
                    &page.url,
                    page.kind,
                    &page.title,
                    &page.front.aliases,
                    page.front.weight
                )
            );
        }
    }

    #[test]
    fn page_variables_come_from_front_matter() {
        let page = ok(process(
            &source(
                "a.md",
                "---\ntitle: T\nowner: docs\n---\n{{page.title}} by {{ page.owner }}",
            ),
            &vars(),
        ));
        assert_eq!(page.html, "<p>T by docs</p>\n");
    }
}
