//! The link checker: every internal link must reach a page, a heading or id in it, or
//! a static file.
//!
//! Links are resolved the way a browser would resolve them on the published site, so
//! `/a/b`, `/a/b/`, `../b/` and `/a/b/index.html` all reach the page `/a/b/`. Links into
//! the onboarding backend's space (`/api/…`, `/_dev/…`) reach no file: they are checked
//! against the edge's route table instead, and must name a route the edge answers with
//! GET, since following a link sends GET (`/api/verify` may be linked, the form action
//! `/api/sign-in` may not).
//!
//! `[links]` in `site.toml` ([`LinkSettings`]) can leave site paths published elsewhere
//! unchecked (`skip_prefixes`: listed with the external links instead) and make broken
//! links, or broken anchors alone, warnings rather than errors.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::LinkSettings;
use crate::diagnostic::{Diagnostic, Location, Severity, suggest};
use crate::page::Page;
use crate::redirects::Redirect;
use crate::urls;
use crate::versions::Docsets;

/// Everything a link may point at.
pub struct LinkTargets<'a> {
    /// The pages [`TargetIndex`] indexes.
    pub pages: &'a [Arc<Page>],
    /// Page URL or alias → the page.
    pub index: &'a TargetIndex,
    /// Static file URL paths, e.g. `/css/gatehouse.css`.
    pub files: &'a HashSet<String>,
    /// Draft page URL → its source, when drafts are left out of this build.
    pub drafts: &'a HashMap<String, PathBuf>,
    /// The docs sets: `/<set>/latest/…` is checked against the latest release, and a
    /// link to a page one release lacks names the releases that have it.
    pub docsets: Option<&'a Docsets>,
    /// `site.toml`'s `[redirects]`: a link into one works, with a warning.
    pub redirects: &'a [Redirect],
}

/// Every URL a page answers at (its own and its aliases) → the page's place in the
/// list of pages, and whether the URL is an alias. Made once per set of pages: it holds
/// as long as no page's URL or aliases change and no page comes or goes, so `serve`
/// keeps it across body edits instead of indexing 100,000 pages on every save.
#[derive(Debug, Default)]
pub struct TargetIndex(HashMap<String, (usize, bool)>);

impl TargetIndex {
    pub fn new(pages: &[Arc<Page>]) -> Self {
        let mut map = HashMap::with_capacity(pages.len() * 2);
        for (i, page) in pages.iter().enumerate() {
            for alias in &page.front.aliases {
                map.insert(alias.clone(), (i, true));
            }
        }
        // A page's own URL wins over another page's alias of it (an error of its own).
        for (i, page) in pages.iter().enumerate() {
            map.insert(page.url.clone(), (i, false));
        }
        Self(map)
    }
}

/// A URL a link may reach, and the ids a `#fragment` may name.
#[derive(Debug, Clone, Copy)]
pub struct PageTarget<'a> {
    pub anchors: &'a HashSet<String>,
    /// For an alias: the page it redirects to (whose anchors these are).
    pub redirects_to: Option<&'a str>,
}

/// An external link, for `gatehouse check --external`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalLink {
    pub source: PathBuf,
    pub location: Location,
    pub href: String,
}

impl<'a> LinkTargets<'a> {
    /// `index` must be [`TargetIndex::new`] of these `pages`, or of pages with the same
    /// URLs and aliases in the same places.
    pub fn new(
        pages: &'a [Arc<Page>],
        index: &'a TargetIndex,
        files: &'a HashSet<String>,
        drafts: &'a HashMap<String, PathBuf>,
    ) -> Self {
        Self {
            pages,
            index,
            files,
            drafts,
            docsets: None,
            redirects: &[],
        }
    }

    pub fn with_redirects(mut self, redirects: &'a [Redirect]) -> Self {
        self.redirects = redirects;
        self
    }

    pub fn with_docsets(mut self, docsets: &'a Docsets) -> Self {
        self.docsets = Some(docsets);
        self
    }

    /// The page or alias at `url`.
    pub fn page(&self, url: &str) -> Option<PageTarget<'a>> {
        let &(i, alias) = self.index.0.get(url)?;
        let page = self.pages.get(i)?;
        Some(PageTarget {
            anchors: &page.anchors,
            redirects_to: alias.then_some(page.url.as_str()),
        })
    }

    /// Every page URL and alias.
    fn page_urls(&self) -> impl Iterator<Item = &str> {
        self.index.0.keys().map(String::as_str)
    }
}

/// Checks every page's links; returns the problems (errors, or warnings as `settings`
/// say) and the external links seen, with the links `skip_prefixes` leaves unchecked.
pub fn check(
    pages: &[Arc<Page>],
    targets: &LinkTargets<'_>,
    settings: &LinkSettings,
) -> (Vec<Diagnostic>, Vec<ExternalLink>) {
    let per_page: Vec<(Vec<Diagnostic>, Vec<ExternalLink>)> = pages
        .par_iter()
        .map(|page| check_page(page, targets, settings))
        .collect();
    let mut problems = Vec::new();
    let mut external = Vec::new();
    for (p, e) in per_page {
        problems.extend(p);
        external.extend(e);
    }
    (problems, external)
}

pub fn check_page(
    page: &Page,
    targets: &LinkTargets<'_>,
    settings: &LinkSettings,
) -> (Vec<Diagnostic>, Vec<ExternalLink>) {
    let mut problems = Vec::new();
    let mut external = Vec::new();
    for link in &page.links {
        let href = link.href.trim();
        if urls::is_external(href) || is_skipped(page, href, settings) {
            external.push(ExternalLink {
                source: page.source_path.clone(),
                location: link.location,
                href: href.to_string(),
            });
            continue;
        }
        if let Err(broken) = check_link(page, href, targets) {
            let (severity, mut message) = match broken {
                Broken::Link(message) => (settings.level, message),
                Broken::Anchor(message) => (settings.anchors, message),
                Broken::Redirected(message) => (Severity::Warning, message),
            };
            // A docs set's shared page: say which copy (release) the link broke in.
            if !page.source_path.ends_with(&page.content_path) {
                message.push_str(&format!(" (in its copy at {})", page.url));
            }
            problems.push(
                link.diagnostic(&page.source_path, message)
                    .with_severity(severity),
            );
        }
    }
    (problems, external)
}

/// Whether a link points under one of `skip_prefixes` (resolved as the browser would,
/// so `../gateway/x/` from `/a/` counts as `/gateway/x/`).
fn is_skipped(page: &Page, href: &str, settings: &LinkSettings) -> bool {
    if settings.skip_prefixes.is_empty() || href.starts_with('#') {
        return false;
    }
    let (path, _) = urls::split_link(href);
    urls::resolve(&page.url, path).is_some_and(|resolved| {
        settings
            .skip_prefixes
            .iter()
            .any(|prefix| resolved.starts_with(prefix.as_str()))
    })
}

/// What is wrong with a link: `[links] anchors` may treat a missing anchor apart.
enum Broken {
    Link(String),
    Anchor(String),
    /// It works, through an alias: always a warning.
    Redirected(String),
}

fn check_link(page: &Page, href: &str, targets: &LinkTargets<'_>) -> Result<(), Broken> {
    if href.is_empty() {
        return Err(Broken::Link("empty link target".into()));
    }
    if let Some(fragment) = href.strip_prefix('#') {
        return check_anchor(href, &page.url, &page.anchors, fragment).map_err(Broken::Anchor);
    }
    let (path, fragment) = urls::split_link(href);
    let Some(resolved) = urls::resolve(&page.url, path) else {
        return Err(Broken::Link(format!(
            "broken link '{href}': it climbs above the site root"
        )));
    };
    if edge::routes::is_reserved(&resolved) {
        return check_edge_link(href, &resolved).map_err(Broken::Link);
    }
    // `/gateway/latest/…` redirects to the latest release: checked there.
    let resolved = match targets.docsets.and_then(|d| d.resolve_latest(&resolved)) {
        Some(latest) => latest,
        None => resolved,
    };
    if let Some(to) = targets.redirects.iter().find_map(|r| r.target(&resolved)) {
        let internal = to.starts_with('/');
        let lands = !internal || targets.page(&to).is_some() || targets.files.contains(&to);
        return Err(if lands {
            Broken::Redirected(format!(
                "link '{href}' goes through a redirect ([redirects] in site.toml): link to {to}"
            ))
        } else {
            Broken::Link(format!(
                "broken link '{href}': [redirects] in site.toml sends it to {to}, where nothing is published"
            ))
        });
    }
    let page_url = if resolved.ends_with('/') {
        resolved.clone()
    } else if let Some(dir) = resolved.strip_suffix("index.html") {
        dir.to_string()
    } else {
        format!("{resolved}/")
    };
    if let Some(target) = targets.page(page_url.as_str()) {
        return match (fragment, target.redirects_to) {
            (None, None) => Ok(()),
            (None, Some(to)) => Err(Broken::Redirected(format!(
                "link '{href}' goes through a redirect: {page_url} is an alias of {to}; link to {to}"
            ))),
            (Some(fragment), None) => {
                check_anchor(href, &page_url, target.anchors, fragment).map_err(Broken::Anchor)
            }
            (Some(fragment), Some(to)) => {
                let shown = format!("{page_url} (which redirects to {to})");
                check_anchor(href, &shown, target.anchors, fragment).map_err(Broken::Anchor)
            }
        };
    }
    if targets.files.contains(&resolved) {
        return Ok(());
    }
    if let Some(source) = targets.drafts.get(&page_url) {
        return Err(Broken::Link(format!(
            "link '{href}' points at a draft ({}); build with --drafts or link elsewhere",
            crate::diagnostic::display_path(source)
        )));
    }
    if let Some(docsets) = targets.docsets
        && let Some((set, index, inner)) = docsets.split_url(&page_url)
    {
        let elsewhere: Vec<&str> = set
            .releases
            .iter()
            .enumerate()
            .filter(|&(i, release)| {
                i != index
                    && targets
                        .page(&format!("/{}/{}/{inner}", set.name, release.name))
                        .is_some()
            })
            .map(|(_, release)| release.name.as_str())
            .collect();
        if !elsewhere.is_empty() {
            let have = match elsewhere.as_slice() {
                [one] => format!("release {one} has"),
                many => format!("releases {} have", many.join(", ")),
            };
            return Err(Broken::Link(format!(
                "broken link '{href}': release {} of `{}` has no page {inner}; {have} it",
                set.releases[index].name, set.name,
            )));
        }
    }
    let candidates = targets
        .page_urls()
        .chain(targets.files.iter().map(String::as_str));
    let wanted = if resolved.ends_with('/') || resolved.contains('.') {
        resolved.clone()
    } else {
        page_url.clone()
    };
    Err(Broken::Link(match suggest(&wanted, candidates) {
        Some(near) => format!(
            "broken link '{href}': nothing is published at {resolved} (did you mean '{near}'?)"
        ),
        None => format!("broken link '{href}': nothing is published at {resolved}"),
    }))
}

/// A link into the edge's reserved space: the edge must answer a GET of it (following a
/// link sends GET). The message names the GET routes there.
fn check_edge_link(href: &str, resolved: &str) -> Result<(), String> {
    use edge::routes;
    if routes::answers_get(resolved) {
        return Ok(());
    }
    let known = routes::reserved_get_paths().collect::<Vec<_>>().join(", ");
    if routes::ROUTES.iter().any(|spec| spec.path == resolved) {
        return Err(format!(
            "broken link '{href}': {resolved} only answers a form's POST, and following a link sends GET; links into /api/ and /_dev/ may point at {known}"
        ));
    }
    Err(match suggest(resolved, routes::reserved_get_paths()) {
        Some(near) => format!(
            "broken link '{href}': the edge answers no GET at {resolved} (did you mean '{near}'?)"
        ),
        None => format!(
            "broken link '{href}': the edge answers no GET at {resolved}; links into /api/ and /_dev/ may point at {known}"
        ),
    })
}

fn check_anchor(
    href: &str,
    page_url: &str,
    anchors: &HashSet<String>,
    fragment: &str,
) -> Result<(), String> {
    if fragment.is_empty() || fragment == "top" || anchors.contains(fragment) {
        return Ok(());
    }
    Err(
        match suggest(fragment, anchors.iter().map(String::as_str)) {
            Some(near) => format!(
                "broken link '{href}': {page_url} has no heading or id '{fragment}' (did you mean '#{near}'?)"
            ),
            None => format!("broken link '{href}': {page_url} has no heading or id '{fragment}'"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Variables;
    use crate::diagnostic::Severity;
    use crate::page::{SourceFile, process};

    fn page(path: &str, text: &str) -> Arc<Page> {
        let source = SourceFile {
            path: format!("content/{path}").into(),
            content_path: path.to_string(),
            text: text.to_string(),
        };
        Arc::new(
            process(
                &source,
                &Variables::default(),
                &crate::shortcodes::Shortcodes::empty(std::path::Path::new(".")),
            )
            .0,
        )
    }

    fn messages(text: &str) -> Vec<String> {
        checked(text, &LinkSettings::default())
            .0
            .into_iter()
            .map(|d| d.to_string())
            .collect()
    }

    fn checked(text: &str, settings: &LinkSettings) -> (Vec<Diagnostic>, Vec<ExternalLink>) {
        let pages: Vec<Arc<Page>> = vec![
            page(
                "konnect/legacy/getting-started/configure-runtime.md",
                "## Install the runtime\n",
            ),
            page("konnect/legacy/access-account.md", text),
            page("old.md", "---\naliases: [/older/]\n---\n## Kept\n"),
        ];
        let files: HashSet<String> = ["/css/site.css".to_string()].into();
        let drafts: HashMap<String, PathBuf> =
            [("/wip/".to_string(), PathBuf::from("content/wip.md"))].into();
        let index = TargetIndex::new(&pages);
        let targets = LinkTargets::new(&pages, &index, &files, &drafts);
        check(&pages, &targets, settings)
    }

    #[test]
    fn links_under_skip_prefixes_are_listed_not_checked() {
        let settings = LinkSettings {
            skip_prefixes: vec!["/gateway/".into(), "/assets/".into()],
            ..LinkSettings::default()
        };
        let (problems, external) = checked(
            "[a](/gateway/latest/install/) [b](../../../assets/logo.png) [c](/gatewa/)\n",
            &settings,
        );
        let problems: Vec<String> = problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            problems,
            ["broken link '/gatewa/': nothing is published at /gatewa/"]
        );
        let listed: Vec<&str> = external.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(
            listed,
            ["/gateway/latest/install/", "../../../assets/logo.png"]
        );
    }

    #[test]
    fn warn_levels_make_link_or_anchor_problems_warnings() {
        use crate::diagnostic::Severity::{Error, Warning};
        let text = "[a](/nowhere/) [b](#nowhere)\n";
        let severities = |settings: LinkSettings| -> Vec<Severity> {
            checked(text, &settings)
                .0
                .iter()
                .map(|d| d.severity)
                .collect()
        };
        assert_eq!(severities(LinkSettings::default()), [Error, Error]);
        let all = LinkSettings {
            level: Warning,
            anchors: Warning,
            ..LinkSettings::default()
        };
        assert_eq!(severities(all), [Warning, Warning]);
        let anchors = LinkSettings {
            anchors: Warning,
            ..LinkSettings::default()
        };
        assert_eq!(severities(anchors), [Error, Warning]);
    }

    #[test]
    fn every_spelling_of_a_good_link_resolves() {
        let ok = "[a](/konnect/legacy/getting-started/configure-runtime)\n\
                  [b](/konnect/legacy/getting-started/configure-runtime/)\n\
                  [c](../getting-started/configure-runtime/#install-the-runtime)\n\
                  [d](../../../konnect/legacy/getting-started/configure-runtime/index.html)\n\
                  [e](/css/site.css) [f](#top) [g2](/older/#kept) [h](/api/verify?token=x) [i](https://x.org/nope)\n\
                  [j](getting-started/configure-runtime.md#install-the-runtime)\n";
        assert_eq!(messages(ok), Vec::<String>::new());
    }

    #[test]
    fn a_link_to_an_alias_works_with_a_warning_to_link_the_page() {
        assert_eq!(
            messages("[g](/older/)\n"),
            [
                "content/konnect/legacy/access-account.md:1:1: link '/older/' goes through a redirect: /older/ is an alias of /old/; link to /old/"
            ]
        );
    }

    #[test]
    fn broken_links_say_where_and_suggest_the_nearest_path() {
        assert_eq!(
            messages("x\n\n[a](/konnect/legacy/getting-started/configure-runtim)\n"),
            [
                "content/konnect/legacy/access-account.md:3:1: broken link '/konnect/legacy/getting-started/configure-runtim': nothing is published at /konnect/legacy/getting-started/configure-runtim (did you mean '/konnect/legacy/getting-started/configure-runtime/'?)"
            ]
        );
    }

    #[test]
    fn a_fragment_through_an_alias_is_checked_against_the_page_it_redirects_to() {
        assert_eq!(
            messages("[a](/older/#kep)\n"),
            [
                "content/konnect/legacy/access-account.md:1:1: broken link '/older/#kep': /older/ (which redirects to /old/) has no heading or id 'kep' (did you mean '#kept'?)"
            ]
        );
    }

    #[test]
    fn broken_anchors_drafts_and_escapes_are_reported() {
        let found = messages(
            "[a](../getting-started/configure-runtime/#install-the-runtim) [b](/wip/) [c](#nowhere) [d](../../../../x) [e](getting-started/configure-runtime/)",
        );
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(
            found[0].ends_with(
                "has no heading or id 'install-the-runtim' (did you mean '#install-the-runtime'?)"
            ),
            "{}",
            found[0]
        );
        assert!(
            found[1].contains("points at a draft (content/wip.md)"),
            "{}",
            found[1]
        );
        assert!(found[2].contains("has no heading or id 'nowhere'"));
        assert!(found[3].contains("climbs above the site root"));
        // Relative links resolve against the page's own URL, as the browser will.
        assert!(found[4].ends_with("nothing is published at /konnect/legacy/access-account/getting-started/configure-runtime/ (did you mean '/konnect/legacy/getting-started/configure-runtime/'?)"), "{}", found[4]);
    }

    #[test]
    fn links_into_the_edge_must_name_a_get_route() {
        assert_eq!(
            messages(
                "[a](/api/verify?token=abc) [b](/_dev/outbox?to=a@b.test) [c](/api/account)\n"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            messages("[a](/api/registr)\n[b](/api/sign-in)\n[c](/api/verfy)\n"),
            [
                "content/konnect/legacy/access-account.md:1:1: broken link '/api/registr': the edge answers no GET at /api/registr; links into /api/ and /_dev/ may point at /api/verify, /api/account, /api/account/export, /_dev/outbox",
                "content/konnect/legacy/access-account.md:2:1: broken link '/api/sign-in': /api/sign-in only answers a form's POST, and following a link sends GET; links into /api/ and /_dev/ may point at /api/verify, /api/account, /api/account/export, /_dev/outbox",
                "content/konnect/legacy/access-account.md:3:1: broken link '/api/verfy': the edge answers no GET at /api/verfy (did you mean '/api/verify'?)",
            ]
        );
    }
}
