//! The site as `serve` holds it: the last good build in memory, the problems of the
//! latest attempt, and the smallest rebuild for each batch of changed files.
//!
//! | what changed | what happens |
//! |---|---|
//! | a page's body | that page is re-made and its links checked; only it is re-rendered |
//! | a page's title, weight, URL or headings; a page added or removed | the tree and every link check run again; every page is re-rendered on its next request |
//! | a template of the theme | the templates are read again; pages, tree and link checks stay; every page is re-rendered on its next request |
//! | `site.toml`, data files; a static file added or removed | full rebuild |
//! | a static file's content | nothing to rebuild; stylesheets are swapped in place |
//!
//! A failed attempt changes nothing that is served: the problems are shown over the last
//! good pages, and the changed files stay pending until an attempt succeeds.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use crate::diagnostic::Diagnostic;
use crate::page::Source;
use crate::pipeline::{BuildError, BuildOptions, PageChange, Revision, Site};
use crate::theme::FileData;

/// What the browser is told after a batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// Reload the page.
    Reload { version: u64 },
    /// Only this stylesheet changed: swap it without a reload.
    Css { path: String },
    /// The latest attempt failed; the last good site is still served.
    Problems(Arc<Vec<String>>),
}

/// What is served right now.
#[derive(Clone)]
pub struct Snapshot {
    pub site: Option<Arc<Site>>,
    /// Problems of the latest attempt, as `path:line:col: message` lines.
    pub problems: Arc<Vec<String>>,
    pub version: u64,
}

pub struct LiveSite {
    options: BuildOptions,
    current: RwLock<Snapshot>,
    /// Rendered pages of the current version, by URL.
    rendered: Mutex<HashMap<String, Bytes>>,
}

/// How a changed path is handled.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Page(String),
    Static {
        css: bool,
    },
    /// A path under `content/` without an extension (relative to `content/`): see
    /// [`LiveSite::content_entry`].
    ContentEntry(String),
    Templates,
    Full,
    Ignored,
}

impl LiveSite {
    /// Builds the site. A failing first build still gives a `LiveSite` (serving its
    /// problems), so a writer can start `serve` on a broken site and fix it live.
    pub fn new(options: BuildOptions) -> Self {
        let (site, problems) = match Site::load(&options) {
            Ok(site) => (Some(Arc::new(site)), Vec::new()),
            Err(err) => (None, problem_lines(err)),
        };
        Self {
            options,
            current: RwLock::new(Snapshot {
                site,
                problems: Arc::new(problems),
                version: 1,
            }),
            rendered: Mutex::new(HashMap::new()),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// The rendered page at `url` (no live-reload additions), from cache when it was
    /// rendered since the last change.
    pub fn page(&self, url: &str) -> Option<Result<Bytes, Diagnostic>> {
        let site = self.snapshot().site?;
        let index = site.page_index(url)?;
        if let Some(html) = self.cache().get(url) {
            return Some(Ok(html.clone()));
        }
        let rendered = site.render_page(index).map(Bytes::from);
        if let Ok(html) = &rendered {
            // Only cache if the site did not change while rendering.
            let still_current = self
                .snapshot()
                .site
                .is_some_and(|now| Arc::ptr_eq(&now, &site));
            if still_current {
                self.cache().insert(url.to_string(), html.clone());
            }
        }
        Some(rendered)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Bytes>> {
        self.rendered.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies a batch of changed paths (absolute, or relative to the root).
    pub fn apply(&self, changed: &BTreeSet<PathBuf>, pending: &mut Pending) -> Vec<LiveEvent> {
        let snapshot = self.snapshot();
        let theme = snapshot
            .site
            .as_ref()
            .map_or_else(|| "default".to_string(), |s| s.config.theme.clone());
        let mut css = Vec::new();
        let mut static_changed = false;
        for path in changed {
            let rel = path.strip_prefix(&self.options.root).unwrap_or(path);
            let kind = match classify(rel, &theme) {
                Kind::ContentEntry(entry) => self.content_entry(&snapshot, rel, &entry),
                kind => kind,
            };
            match kind {
                // `content_entry` has already said what an entry is.
                Kind::Ignored | Kind::ContentEntry(_) => {}
                Kind::Full => pending.full = true,
                Kind::Templates => pending.templates = true,
                Kind::Page(content_path) => {
                    pending.pages.insert(content_path);
                }
                Kind::Static { css: is_css } => {
                    if self.static_set_changed(&snapshot, rel) {
                        pending.full = true;
                    } else if is_css {
                        css.push(format!("/{}", url_of_static(rel)));
                    } else {
                        static_changed = true;
                    }
                }
            }
        }
        // Templates and pages changed together is rare enough for a full rebuild.
        let templates_and_pages = pending.templates && !pending.pages.is_empty();
        if pending.full || snapshot.site.is_none() || templates_and_pages {
            return self.rebuild_all(pending);
        }
        if pending.templates {
            return self.reload_templates(&snapshot, pending);
        }
        if !pending.pages.is_empty() {
            return self.revise(&snapshot, pending);
        }
        if static_changed {
            return vec![self.publish(snapshot.site.clone(), Vec::new(), None)];
        }
        css.into_iter()
            .map(|path| LiveEvent::Css { path })
            .collect()
    }

    fn rebuild_all(&self, pending: &mut Pending) -> Vec<LiveEvent> {
        match Site::load(&self.options) {
            Ok(site) => {
                *pending = Pending::default();
                vec![self.publish(Some(Arc::new(site)), Vec::new(), None)]
            }
            Err(err) => vec![self.fail(problem_lines(err))],
        }
    }

    fn reload_templates(&self, snapshot: &Snapshot, pending: &mut Pending) -> Vec<LiveEvent> {
        let Some(site) = &snapshot.site else {
            return self.rebuild_all(pending);
        };
        match site.with_templates_reloaded() {
            Ok(next) => {
                pending.templates = false;
                vec![self.publish(Some(Arc::new(next)), Vec::new(), None)]
            }
            Err(problems) => vec![self.fail(problems.iter().map(ToString::to_string).collect())],
        }
    }

    fn revise(&self, snapshot: &Snapshot, pending: &mut Pending) -> Vec<LiveEvent> {
        let Some(site) = &snapshot.site else {
            return self.rebuild_all(pending);
        };
        let mut changes = Vec::new();
        for content_path in &pending.pages {
            let path = self.options.root.join("content").join(content_path);
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => changes.push(PageChange::Upsert(Source {
                        path: Path::new("content").join(content_path),
                        content_path: content_path.clone(),
                        text,
                    })),
                    Err(_) => {
                        return vec![
                            self.fail(vec![format!("content/{content_path}: not valid UTF-8")]),
                        ];
                    }
                },
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    changes.push(PageChange::Remove(content_path.clone()))
                }
                Err(err) => {
                    return vec![
                        self.fail(vec![format!("content/{content_path}: cannot read: {err}")]),
                    ];
                }
            }
        }
        match site.revise(changes) {
            Ok((next, revision)) => {
                pending.pages.clear();
                vec![self.publish(Some(Arc::new(next)), Vec::new(), Some(revision))]
            }
            Err(problems) => vec![self.fail(problems.iter().map(ToString::to_string).collect())],
        }
    }

    /// Makes `site` the served one and drops the renders it invalidates.
    fn publish(
        &self,
        site: Option<Arc<Site>>,
        problems: Vec<String>,
        revision: Option<Revision>,
    ) -> LiveEvent {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        let mut cache = self.cache();
        match revision {
            Some(Revision::Bodies(urls)) => {
                for url in urls {
                    cache.remove(&url);
                }
            }
            _ => cache.clear(),
        }
        current.site = site;
        current.problems = Arc::new(problems);
        current.version += 1;
        LiveEvent::Reload {
            version: current.version,
        }
    }

    fn fail(&self, problems: Vec<String>) -> LiveEvent {
        let problems = Arc::new(problems);
        self.current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .problems = problems.clone();
        LiveEvent::Problems(problems)
    }

    /// A static file appearing or disappearing changes what links may point at.
    /// What a path under `content/` without an extension is: a folder created or removed
    /// (its pages come and go with it: full rebuild), a static file such as `CNAME`, or a
    /// tool's temporary file that is already gone (`sed -i` writes `sedXXXXXX` and renames
    /// it over the page: nothing to do, the page's own event follows).
    fn content_entry(&self, snapshot: &Snapshot, rel: &Path, entry: &str) -> Kind {
        let path = self.options.root.join(rel);
        if path.is_dir() {
            return Kind::Full;
        }
        if path.is_file() {
            return Kind::Static { css: false };
        }
        let Some(site) = &snapshot.site else {
            return Kind::Full;
        };
        let folder = format!("{entry}/");
        let file_url = format!("/{entry}");
        let had_something_there = site
            .pages
            .iter()
            .any(|p| p.content_path.starts_with(&folder))
            || site
                .file_urls
                .iter()
                .any(|url| *url == file_url || url.starts_with(&format!("{file_url}/")));
        if had_something_there {
            Kind::Full
        } else {
            Kind::Ignored
        }
    }

    fn static_set_changed(&self, snapshot: &Snapshot, rel: &Path) -> bool {
        let Some(site) = &snapshot.site else {
            return true;
        };
        let url = format!("/{}", url_of_static(rel));
        let exists = self.options.root.join(rel).is_file();
        let known = site.file_urls.contains(&url);
        exists != known
    }

    /// The bytes of a static file at `url`: the site's own first, then the theme's.
    pub fn static_file(&self, url: &str) -> Option<Bytes> {
        let site = self.snapshot().site?;
        if let Some(file) = site.static_files.iter().find(|f| f.url == url) {
            return std::fs::read(&file.path).ok().map(Bytes::from);
        }
        let name = url.strip_prefix('/')?;
        let file = site.theme.static_files.iter().find(|f| f.name == name)?;
        match &file.data {
            FileData::Embedded(bytes) => Some(Bytes::from_static(bytes)),
            FileData::Disk(path) => std::fs::read(path).ok().map(Bytes::from),
        }
    }
}

/// Changes seen but not yet successfully applied.
#[derive(Debug, Default)]
pub struct Pending {
    pages: BTreeSet<String>,
    templates: bool,
    full: bool,
}

fn problem_lines(err: BuildError) -> Vec<String> {
    match err {
        BuildError::Diagnostics(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

fn classify(rel: &Path, theme: &str) -> Kind {
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect();
    let is_css = rel.extension().is_some_and(|e| e == "css");
    match parts.as_slice() {
        ["site.toml"] => Kind::Full,
        // An input folder itself created, replaced or removed.
        ["content" | "themes" | "static" | "data"] => Kind::Full,
        ["data", ..] => Kind::Full,
        ["content", rest @ ..] if !rest.is_empty() => {
            if rel.extension().is_some_and(|e| e == "md") {
                Kind::Page(rest.join("/"))
            } else if rel.extension().is_some() {
                Kind::Static { css: is_css }
            } else {
                Kind::ContentEntry(rest.join("/"))
            }
        }
        ["static", _, ..] => Kind::Static { css: is_css },
        ["themes", name, "templates", ..] if *name == theme => Kind::Templates,
        ["themes", name, "static", _, ..] if *name == theme => Kind::Static { css: is_css },
        ["themes", name] if *name == theme => Kind::Full,
        _ => Kind::Ignored,
    }
}

/// `content/img/a.png`, `static/img/a.png` and `themes/x/static/img/a.png` are all
/// served at `img/a.png`.
fn url_of_static(rel: &Path) -> String {
    let text = rel.to_string_lossy().replace('\\', "/");
    if let Some(rest) = text
        .strip_prefix("content/")
        .or_else(|| text.strip_prefix("static/"))
    {
        return rest.to_string();
    }
    match text.split_once("/static/") {
        Some((_, rest)) if text.starts_with("themes/") => rest.to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_site() -> (tempfile::TempDir, LiveSite) {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.unwrap();
            let target = dir
                .path()
                .join(entry.path().strip_prefix(&fixture).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let live = LiveSite::new(BuildOptions {
            root: dir.path().to_path_buf(),
            out: None,
            base_url: None,
            drafts: false,
        });
        assert!(live.snapshot().site.is_some());
        (dir, live)
    }

    #[test]
    fn a_tools_vanished_temporary_file_rebuilds_nothing() {
        let (dir, live) = small_site();
        let version = live.snapshot().version;
        // `sed -i` writes content/guide/sedXXXXXX and renames it over the page: by the
        // time the batch is handled, it is gone, and the page's own event does the work.
        let batch = BTreeSet::from([dir.path().join("content/guide/sedAbC123")]);
        let events = live.apply(&batch, &mut Pending::default());
        assert!(events.is_empty());
        assert_eq!(live.snapshot().version, version);
    }

    #[test]
    fn a_new_folder_of_pages_rebuilds_the_site() {
        let (dir, live) = small_site();
        let folder = dir.path().join("content/extra");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("more.md"), "---\ntitle: More\n---\nMore.\n").unwrap();
        let events = live.apply(&BTreeSet::from([folder]), &mut Pending::default());
        assert!(matches!(events.as_slice(), [LiveEvent::Reload { .. }]));
        assert!(live.page("/extra/more/").is_some());
    }

    #[test]
    fn paths_map_to_the_smallest_rebuild() {
        let k = |p: &str| classify(Path::new(p), "default");
        assert_eq!(k("content/a/b.md"), Kind::Page("a/b.md".into()));
        assert_eq!(k("content/img/x.png"), Kind::Static { css: false });
        assert_eq!(
            k("content/new-folder"),
            Kind::ContentEntry("new-folder".into())
        );
        assert_eq!(k("static"), Kind::Full);
        assert_eq!(k("themes"), Kind::Full);
        assert_eq!(k("public"), Kind::Ignored);
        assert_eq!(k("site.toml"), Kind::Full);
        assert_eq!(k("data/kong.yaml"), Kind::Full);
        assert_eq!(k("themes/default/templates/base.html"), Kind::Templates);
        assert_eq!(
            k("themes/default/static/css/site.css"),
            Kind::Static { css: true }
        );
        assert_eq!(k("themes/other/templates/base.html"), Kind::Ignored);
        assert_eq!(k("public/index.html"), Kind::Ignored);
        assert_eq!(
            url_of_static(Path::new("themes/default/static/css/a.css")),
            "css/a.css"
        );
        assert_eq!(url_of_static(Path::new("content/img/a.png")), "img/a.png");
    }
}
