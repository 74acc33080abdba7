//! Versioned docs: a docs set's releases, which release a page belongs to, and
//! `{% if_version %}` bounds.
//!
//! A docs set is declared in `site.toml`, its releases newest first:
//!
//! ```toml
//! [docsets.gateway]            # pages in content/gateway/<release>/
//! page_variable = "kong_version"   # optional: {{page.kong_version}} is the release name
//! [[docsets.gateway.releases]]
//! name = "3.0.x"               # the folder and the URL segment
//! status = "latest"            # latest (exactly one), maintained, deprecated, preview
//! label = "3.0"                # optional, shown in the switcher (default: the name)
//! patch = "3.0.1"              # optional; any further key is {{version.KEY}} too
//! ```
//!
//! `content/gateway/3.0.x/install.md` belongs to release `3.0.x` and is published at
//! `/gateway/3.0.x/install/`; `/gateway/latest/…` answers with a redirect to the latest
//! release (`_redirects` on Workers, the same rule in `gatehouse serve`: [`Docsets::latest_rules`]).
//! A page outside every release folder (or with `no_version: true`, which Kong's pages
//! write) belongs to no release.
//!
//! Releases compare by their place in the list, not by parsing their names, so any
//! naming (`2.8.x`, `2024-q1`, `v3`) orders as declared.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, suggest};

/// The URL segment that always means a docs set's latest release.
pub const LATEST: &str = "latest";

/// The folder of a docs set whose pages are rendered into every release:
/// `content/gateway/_src/install.md` is `/gateway/3.4.x/install/`, `/gateway/3.3.x/install/`
/// and so on, each with its release's `{{version.*}}` and `if_version` branches, unless
/// the release's own folder has a file at the same path (then that one is the page).
pub const SHARED: &str = "_src";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Latest,
    Maintained,
    Deprecated,
    Preview,
}

impl Status {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "latest" => Self::Latest,
            "maintained" => Self::Maintained,
            "deprecated" => Self::Deprecated,
            "preview" => Self::Preview,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub name: String,
    pub label: String,
    pub status: Status,
    /// Every key of the release's table as text (`name`, `label`, `status`, `patch` and
    /// the writer's own), for `{{version.KEY}}`.
    pub fields: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Docset {
    /// Its folder under `content/` and its URL prefix: `gateway`.
    pub name: String,
    /// The page variable that holds the release name (`kong_version`), if any.
    pub page_variable: Option<String>,
    /// Newest first.
    pub releases: Vec<Release>,
}

impl Docset {
    pub fn latest(&self) -> &Release {
        self.releases
            .iter()
            .find(|r| r.status == Status::Latest)
            .unwrap_or(&self.releases[0])
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.releases.iter().position(|r| r.name == name)
    }

    /// `/gateway/3.0.x/`.
    pub fn release_url(&self, release: &str) -> String {
        format!("/{}/{release}/", self.name)
    }
}

/// Every docs set of the site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docsets {
    pub sets: Vec<Docset>,
}

/// The release one page belongs to.
#[derive(Debug, Clone, Copy)]
pub struct PageRelease<'a> {
    pub set: &'a Docset,
    pub index: usize,
}

impl<'a> PageRelease<'a> {
    pub fn release(&self) -> &'a Release {
        &self.set.releases[self.index]
    }

    /// `version.KEY` for every field of the release, for substitution.
    pub fn variables(&self) -> Vec<(String, String)> {
        self.release()
            .fields
            .iter()
            .map(|(key, value)| (format!("version.{key}"), value.clone()))
            .collect()
    }
}

/// Whether the front matter says the page belongs to no release (`no_version: true`, as
/// Kong's pages write it).
pub fn unversioned(extra: &serde_json::Map<String, Value>) -> bool {
    extra.get("no_version").and_then(Value::as_bool) == Some(true)
}

fn problem(message: String) -> Diagnostic {
    Diagnostic::file("site.toml", format!("[docsets] {message}"))
}

/// A name usable as one URL segment and folder name.
fn is_segment(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Docsets {
    /// The `[docsets]` table of `site.toml`; every problem in it at once.
    pub fn from_site(site: &Value) -> Result<Self, Vec<Diagnostic>> {
        let Some(table) = site.get("docsets") else {
            return Ok(Self::default());
        };
        let Value::Object(table) = table else {
            return Err(vec![problem(
                "must be a table of docs sets: [docsets.gateway]".into(),
            )]);
        };
        let mut problems = Vec::new();
        let mut sets = Vec::new();
        for (name, set) in table {
            if !is_segment(name) {
                problems.push(problem(format!(
                    "`{name}` cannot be a folder and URL segment (letters, digits, `.`, `-`, `_`)"
                )));
                continue;
            }
            match Docset::from_value(name, set) {
                Ok(set) => sets.push(set),
                Err(mut p) => problems.append(&mut p),
            }
        }
        if problems.is_empty() {
            Ok(Self { sets })
        } else {
            Err(problems)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The release a page at `content_path` (relative to `content/`) belongs to:
    /// `gateway/3.0.x/install.md` → `3.0.x` of `gateway`.
    pub fn release_of(&self, content_path: &str) -> Option<PageRelease<'_>> {
        let (set_name, rest) = content_path.split_once('/')?;
        let (release, _) = rest.split_once('/')?;
        let set = self.sets.iter().find(|s| s.name == set_name)?;
        Some(PageRelease {
            set,
            index: set.index_of(release)?,
        })
    }

    /// The docs set whose folder `content_path` is in, and the release folder named there
    /// (which may not be a declared release).
    pub fn folder_of<'a>(&self, content_path: &'a str) -> Option<(&Docset, &'a str)> {
        let (set_name, rest) = content_path.split_once('/')?;
        let (release, _) = rest.split_once('/')?;
        Some((self.sets.iter().find(|s| s.name == set_name)?, release))
    }

    /// For a page in a docs set's [`SHARED`] folder, the content paths of its copies, one
    /// per release: `gateway/_src/a.md` → `gateway/3.4.x/a.md`, `gateway/3.3.x/a.md`.
    pub fn copies(&self, content_path: &str) -> Option<Vec<String>> {
        let (set_name, rest) = content_path.split_once('/')?;
        let inner = rest.strip_prefix(SHARED)?.strip_prefix('/')?;
        let set = self.sets.iter().find(|s| s.name == set_name)?;
        Some(
            set.releases
                .iter()
                .map(|release| format!("{set_name}/{}/{inner}", release.name))
                .collect(),
        )
    }

    /// For a page in a release folder, where its shared source would be:
    /// `gateway/3.3.x/a.md` → `gateway/_src/a.md`.
    pub fn shared_source(&self, content_path: &str) -> Option<String> {
        let release = self.release_of(content_path)?;
        let inner = content_path.strip_prefix(&format!(
            "{}/{}/",
            release.set.name,
            release.release().name
        ))?;
        Some(format!("{}/{SHARED}/{inner}", release.set.name))
    }

    /// The site's Markdown files `(file, content path)` with each shared page replaced by
    /// its copies; a release's own file at a copy's path wins over the copy.
    pub fn expand<P: Clone>(&self, markdown: Vec<(P, String)>) -> Vec<(P, String)> {
        if self.sets.is_empty() {
            return markdown;
        }
        let own: std::collections::HashSet<String> =
            markdown.iter().map(|(_, path)| path.clone()).collect();
        let mut out = Vec::with_capacity(markdown.len());
        for (file, content_path) in markdown {
            match self.copies(&content_path) {
                Some(copies) => out.extend(
                    copies
                        .into_iter()
                        .filter(|copy| !own.contains(copy))
                        .map(|copy| (file.clone(), copy)),
                ),
                None => out.push((file, content_path)),
            }
        }
        out
    }

    /// The rule every host follows for each docs set, as (from, to) in `_redirects`'
    /// form: `/gateway/latest/*` to `/gateway/3.4.x/:splat` ([`crate::redirects`] makes it
    /// a 302, since what is latest changes).
    pub fn latest_rules(&self) -> Vec<(String, String)> {
        self.sets
            .iter()
            .map(|set| {
                (
                    format!("/{}/{LATEST}/*", set.name),
                    format!("/{}/{}/:splat", set.name, set.latest().name),
                )
            })
            .collect()
    }

    /// Where a `/gateway/latest/…` URL leads, for the link checker; `None` for any other.
    pub fn resolve_latest(&self, url: &str) -> Option<String> {
        self.sets.iter().find_map(|set| {
            let rest = url.strip_prefix(&format!("/{}/{LATEST}/", set.name))?;
            Some(format!("/{}/{}/{rest}", set.name, set.latest().name))
        })
    }

    /// For the URL of a versioned page, the docs set, its release's index and the path
    /// inside the release: `/gateway/3.0.x/install/` → (gateway, 0, `install/`).
    pub fn split_url<'u>(&self, url: &'u str) -> Option<(&Docset, usize, &'u str)> {
        let rest = url.strip_prefix('/')?;
        let (set_name, rest) = rest.split_once('/')?;
        let (release, inner) = rest.split_once('/')?;
        let set = self.sets.iter().find(|s| s.name == set_name)?;
        Some((set, set.index_of(release)?, inner))
    }
}

impl Docset {
    fn from_value(name: &str, value: &Value) -> Result<Self, Vec<Diagnostic>> {
        let at = |message: String| problem(format!("{name}: {message}"));
        let Value::Object(table) = value else {
            return Err(vec![at(
                "must be a table with `releases` ([[docsets.NAME.releases]])".into(),
            )]);
        };
        let mut problems = Vec::new();
        let mut page_variable = None;
        let mut releases = Vec::new();
        for (key, value) in table {
            match key.as_str() {
                "page_variable" => match value.as_str() {
                    Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                        page_variable = Some(v.to_owned())
                    }
                    _ => problems.push(at(format!(
                        "page_variable must be a variable name such as \"kong_version\", not {value}"
                    ))),
                },
                "releases" => match value.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            match Release::from_value(item) {
                                Ok(release) => releases.push(release),
                                Err(message) => {
                                    problems.push(at(format!("release {}: {message}", i + 1)))
                                }
                            }
                        }
                    }
                    None => problems.push(at(
                        "releases must be a list of tables ([[docsets.NAME.releases]])".into(),
                    )),
                },
                other => {
                    let hint = suggest(other, ["page_variable", "releases"])
                        .map(|near| format!(" (did you mean `{near}`?)"))
                        .unwrap_or_default();
                    problems.push(at(format!(
                        "has no setting `{other}`{hint}: it has page_variable and releases"
                    )));
                }
            }
        }
        if releases.is_empty() && problems.is_empty() {
            problems.push(at("lists no releases".into()));
        }
        let latest = releases
            .iter()
            .filter(|r| r.status == Status::Latest)
            .count();
        if !releases.is_empty() && latest != 1 {
            problems.push(at(format!(
                "exactly one release must have status = \"latest\" ({latest} have)"
            )));
        }
        for (i, release) in releases.iter().enumerate() {
            if releases[..i].iter().any(|r| r.name == release.name) {
                problems.push(at(format!("release `{}` is listed twice", release.name)));
            }
        }
        if problems.is_empty() {
            Ok(Self {
                name: name.to_owned(),
                page_variable,
                releases,
            })
        } else {
            Err(problems)
        }
    }
}

impl Release {
    fn from_value(value: &Value) -> Result<Self, String> {
        let Value::Object(table) = value else {
            return Err("must be a table with a name and a status".into());
        };
        let name = table
            .get("name")
            .and_then(Value::as_str)
            .ok_or("has no `name`")?
            .to_owned();
        if !is_segment(&name) || name == LATEST {
            return Err(format!(
                "`{name}` cannot be a release name: it is a folder and URL segment (letters, digits, `.`, `-`, `_`; not `{LATEST}`)"
            ));
        }
        let status_text = table.get("status").and_then(Value::as_str).ok_or_else(|| {
            format!("`{name}` has no `status` (latest, maintained, deprecated or preview)")
        })?;
        let status = Status::parse(status_text).ok_or_else(|| {
            format!(
                "`{name}`: status `{status_text}` is not latest, maintained, deprecated or preview"
            )
        })?;
        let mut fields = Vec::new();
        for (key, value) in table {
            let text = text_of(value)
                .ok_or_else(|| format!("`{name}`: `{key}` must be text, a number or true/false"))?;
            fields.push((key.clone(), text));
        }
        let label = table
            .get("label")
            .and_then(text_of)
            .unwrap_or_else(|| name.clone());
        if !fields.iter().any(|(k, _)| k == "label") {
            fields.push(("label".into(), label.clone()));
        }
        Ok(Self {
            name,
            label,
            status,
            fields,
        })
    }
}

/// Whether the page's release is within `spec`: `gte:3.0.x`, `lte:2.8.x`, `eq:2.8.x`, or
/// several together (`gte:2.6.x lte:2.8.x`), all of which must hold. A bound naming no
/// release of the docs set is an error, with a suggestion.
pub fn within(page: PageRelease<'_>, spec: &str) -> Result<bool, String> {
    let set = page.set;
    let mut any = false;
    let mut holds = true;
    for bound in spec.split_whitespace() {
        let Some((op, name)) = bound.split_once(':') else {
            return Err(format!(
                "`{bound}` is not a bound: write gte:RELEASE, lte:RELEASE or eq:RELEASE"
            ));
        };
        let Some(at) = set.index_of(name) else {
            let names: Vec<&str> = set.releases.iter().map(|r| r.name.as_str()).collect();
            let hint = suggest(name, names.iter().copied())
                .map(|near| format!(" (did you mean `{near}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "`{name}` is not a release of `{}`{hint}: its releases are {}",
                set.name,
                names.join(", ")
            ));
        };
        // Newest first: a smaller index is a newer release.
        let ok = match op {
            "gte" => page.index <= at,
            "lte" => page.index >= at,
            "gt" => page.index < at,
            "lt" => page.index > at,
            "eq" => page.index == at,
            other => {
                return Err(format!(
                    "`{other}:` is not a comparison: use gte, lte, gt, lt or eq"
                ));
            }
        };
        holds &= ok;
        any = true;
    }
    if !any {
        return Err("`{% if_version %}` needs a bound, e.g. `{% if_version gte:3.0.x %}`".into());
    }
    Ok(holds)
}

/// One entry of the version switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchEntry {
    pub name: String,
    pub label: String,
    pub status: Status,
    /// The same page in that release, or that release's index when it has no such page.
    pub url: String,
    /// Whether `url` is the same page (not the release's index).
    pub same_page: bool,
    /// The release of the page being rendered.
    pub current: bool,
}

/// What a versioned page's template gets as `page.version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionContext {
    pub docset: String,
    pub name: String,
    pub label: String,
    pub status: Status,
    pub is_latest: bool,
    /// The same page in the latest release (or its index): the banner's link.
    pub latest: SwitchEntry,
    /// Every release, newest first.
    pub releases: Vec<SwitchEntry>,
    /// `page.version.KEY` for every field of the release.
    pub fields: serde_json::Map<String, Value>,
    /// The switcher and banner as the default theme shows them: filled in by the renderer
    /// from the rest ([`crate::switcher`]).
    pub html: String,
}

impl Docsets {
    /// The switcher and banner of the page at `url`, if it is a versioned page; `exists`
    /// says whether the site has a page at a URL.
    pub fn context(&self, url: &str, exists: impl Fn(&str) -> bool) -> Option<VersionContext> {
        let (set, index, inner) = self.split_url(url)?;
        let releases: Vec<SwitchEntry> = set
            .releases
            .iter()
            .enumerate()
            .map(|(i, release)| {
                let same = format!("/{}/{}/{inner}", set.name, release.name);
                let same_page = i == index || exists(&same);
                SwitchEntry {
                    name: release.name.clone(),
                    label: release.label.clone(),
                    status: release.status,
                    url: if same_page {
                        same
                    } else {
                        set.release_url(&release.name)
                    },
                    same_page,
                    current: i == index,
                }
            })
            .collect();
        let release = &set.releases[index];
        let latest = releases
            .iter()
            .find(|e| e.status == Status::Latest)
            .cloned()
            .unwrap_or_else(|| releases[index].clone());
        let context = VersionContext {
            docset: set.name.clone(),
            name: release.name.clone(),
            label: release.label.clone(),
            status: release.status,
            is_latest: release.status == Status::Latest,
            latest,
            releases,
            fields: release
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
            html: String::new(),
        };
        Some(context)
    }

    /// Whether the sidebar of the page at `current` leaves out the page at `url`: another
    /// release's first page of the same docs set (and so that release's pages).
    pub fn hides_from_nav(&self, current: &str, url: &str) -> bool {
        let Some((set, index, _)) = self.split_url(current) else {
            return false;
        };
        matches!(self.split_url(url), Some((other, i, "")) if other.name == set.name && i != index)
    }

    /// Whether previous/next from the page at `current` may lead to `url`: from a
    /// versioned page only within its release.
    pub fn keeps_in_reading_order(&self, current: &str, url: &str) -> bool {
        match (self.split_url(current), self.split_url(url)) {
            (Some((set, index, _)), Some((other, i, _))) => set.name == other.name && i == index,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// The URL search engines should index for the page at `url`: the same page in the
    /// latest release when there is one (its real URL, not `/latest/`, which redirects),
    /// else `url` itself.
    pub fn canonical(&self, url: &str, exists: impl Fn(&str) -> bool) -> String {
        match self.split_url(url) {
            Some((set, _, inner)) => {
                let latest = format!("/{}/{}/{inner}", set.name, set.latest().name);
                if exists(&latest) {
                    latest
                } else {
                    url.to_owned()
                }
            }
            None => url.to_owned(),
        }
    }
}

/// The docs sets, shared by every page's stages.
pub type SharedDocsets = Arc<Docsets>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gateway() -> Docsets {
        Docsets::from_site(&json!({"docsets": {"gateway": {
            "page_variable": "kong_version",
            "releases": [
                {"name": "3.0.x", "status": "preview"},
                {"name": "2.8.x", "status": "latest", "patch": "2.8.4"},
                {"name": "2.7.x", "status": "maintained"},
                {"name": "2.6.x", "status": "deprecated", "label": "2.6 (old)"},
            ]
        }}}))
        .expect("valid")
    }

    #[test]
    fn pages_in_a_release_folder_belong_to_it() {
        let sets = gateway();
        let page = sets
            .release_of("gateway/2.7.x/install.md")
            .expect("versioned");
        assert_eq!(page.release().name, "2.7.x");
        assert!(sets.release_of("gateway/2.5.x/install.md").is_none());
        assert!(sets.release_of("getting-started/index.md").is_none());
        assert!(sets.release_of("gateway/index.md").is_none());
        assert_eq!(page.set.latest().name, "2.8.x");
    }

    #[test]
    fn bounds_compare_by_the_declared_order() -> Result<(), String> {
        let sets = gateway();
        let at = |p: &str| sets.release_of(p).expect("versioned");
        let p27 = at("gateway/2.7.x/a.md");
        assert!(within(p27, "gte:2.7.x")?);
        assert!(within(p27, "gte:2.6.x")?);
        assert!(!within(p27, "gte:2.8.x")?);
        assert!(within(p27, "lte:2.8.x")?);
        assert!(!within(p27, "lte:2.6.x")?);
        assert!(within(p27, "gte:2.6.x lte:2.8.x")?);
        assert!(!within(p27, "gte:2.8.x lte:3.0.x")?);
        assert!(within(p27, "eq:2.7.x")?);
        assert!(!within(p27, "eq:2.8.x")?);
        assert!(within(at("gateway/3.0.x/a.md"), "gt:2.8.x")?);
        Ok(())
    }

    #[test]
    fn a_bound_naming_no_release_is_an_error_with_a_suggestion() {
        let sets = gateway();
        let page = sets.release_of("gateway/2.7.x/a.md").expect("versioned");
        let error = within(page, "gte:2.8.z").expect_err("unknown");
        assert!(
            error.contains("`2.8.z` is not a release of `gateway`"),
            "{error}"
        );
        assert!(error.contains("did you mean `2.8.x`"), "{error}");
        assert!(within(page, "since:2.8.x").is_err());
        assert!(within(page, "2.8.x").is_err());
        assert!(within(page, "").is_err());
    }

    #[test]
    fn a_shared_page_is_copied_into_each_release_unless_the_release_has_its_own() {
        let sets = gateway();
        let files = vec![
            ("s".to_owned(), "gateway/_src/install.md".to_owned()),
            ("own".to_owned(), "gateway/2.7.x/install.md".to_owned()),
            ("home".to_owned(), "index.md".to_owned()),
        ];
        let mut expanded = sets.expand(files);
        expanded.sort();
        assert_eq!(
            expanded,
            [
                ("home".to_owned(), "index.md".to_owned()),
                ("own".to_owned(), "gateway/2.7.x/install.md".to_owned()),
                ("s".to_owned(), "gateway/2.6.x/install.md".to_owned()),
                ("s".to_owned(), "gateway/2.8.x/install.md".to_owned()),
                ("s".to_owned(), "gateway/3.0.x/install.md".to_owned()),
            ]
        );
        assert_eq!(sets.copies("other/_src/a.md"), None);
    }

    #[test]
    fn latest_redirects_to_the_latest_release() {
        let sets = gateway();
        assert_eq!(
            sets.latest_rules(),
            [(
                "/gateway/latest/*".to_owned(),
                "/gateway/2.8.x/:splat".to_owned()
            )]
        );
        assert_eq!(
            sets.resolve_latest("/gateway/latest/install/").as_deref(),
            Some("/gateway/2.8.x/install/")
        );
        assert_eq!(
            sets.resolve_latest("/gateway/latest/").as_deref(),
            Some("/gateway/2.8.x/")
        );
        assert_eq!(sets.resolve_latest("/gateway/2.7.x/"), None);
    }

    #[test]
    fn bad_declarations_say_what_is_wrong() {
        let errors = |value: Value| -> Vec<String> {
            Docsets::from_site(&json!({ "docsets": value }))
                .expect_err("invalid")
                .into_iter()
                .map(|d| d.message)
                .collect()
        };
        let two_latest = errors(json!({"gw": {"releases": [
            {"name": "2.x", "status": "latest"}, {"name": "1.x", "status": "latest"}]}}));
        assert!(
            two_latest[0].contains("exactly one release"),
            "{two_latest:?}"
        );
        let status = errors(json!({"gw": {"releases": [{"name": "2.x", "status": "current"}]}}));
        assert!(status[0].contains("status `current`"), "{status:?}");
        let reserved =
            errors(json!({"gw": {"releases": [{"name": "latest", "status": "latest"}]}}));
        assert!(
            reserved[0].contains("cannot be a release name"),
            "{reserved:?}"
        );
        let typo = errors(json!({"gw": {"release": []}}));
        assert!(typo[0].contains("did you mean `releases`"), "{typo:?}");
        let twice = errors(json!({"gw": {"releases": [
            {"name": "2.x", "status": "latest"}, {"name": "2.x", "status": "maintained"}]}}));
        assert!(twice[0].contains("listed twice"), "{twice:?}");
    }
}
