//! The site as `serve` holds it: the last good build in memory, the problems of the
//! latest attempt, and the smallest rebuild for each batch of changed files.
//!
//! | what changed | what happens |
//! |---|---|
//! | a page's body | that page is re-made and its links checked; only it is re-rendered |
//! | a page's title, weight, URL or headings; a page added or removed | the tree and every link check run again; every page is re-rendered on its next request |
//! | a template of the theme | the templates are read again; pages, tree and link checks stay; every page is re-rendered on its next request |
//! | `site.toml`, data files; a static file added or removed; a commit or a checkout | full rebuild |
//! | a static file's content | nothing to rebuild; stylesheets are swapped in place |
//!
//! A failed attempt changes nothing that is served: the problems are shown over the last
//! good pages, and the changed files stay pending until an attempt succeeds.
//!
//! A site of [`LAYOUT_FIRST_PAGES`] pages or more starts laid out only (front matter and
//! paths), each page made when it is asked for, and is completed ([`LiveSite::complete`])
//! before the first batch of changes is looked at.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use crate::diagnostic::Diagnostic;
use crate::images;
use crate::inputs::{self, Input};
use crate::output::OutputFile;
use crate::page::SourceFile;
use crate::pipeline::{BuildError, BuildOptions, PageChange, Revision, Site};
use crate::site_files::Generated;
use crate::theme::FileData;

/// From this many pages on, `serve` answers as soon as the site is laid out, before
/// every page is made ([`LiveSite::new`]); a smaller site is made whole first, in about
/// the time a larger one takes to lay out.
pub const LAYOUT_FIRST_PAGES: usize = 20_000;

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
    /// Generated files (the search index is many, read a few at a time by one query),
    /// with the site they were made from.
    generated: Mutex<HashMap<Generated, MadeFrom>>,
}

/// Generated files and the site they were made from.
type MadeFrom = (Arc<Site>, Arc<Vec<OutputFile>>);

/// How a changed path is handled.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// A page, by its path relative to `content/`.
    Page(String),
    /// A static file, by its URL.
    Static {
        url: String,
        css: bool,
    },
    /// A path under `content/` without an extension: see [`LiveSite::content_entry`].
    ContentEntry {
        /// Relative to `content/`.
        content_path: String,
        /// Its URL, were it a static file.
        url: String,
    },
    Templates,
    /// An include file, relative to the site root: the pages that use it are made again.
    Include(PathBuf),
    Full,
    Ignored,
}

impl LiveSite {
    /// Builds the site. A failing first build still gives a `LiveSite` (serving its
    /// problems), so a writer can start `serve` on a broken site and fix it live.
    ///
    /// A site of [`LAYOUT_FIRST_PAGES`] pages or more is only laid out here
    /// ([`Site::layout`]: front matter and paths, a second or two at 100,000 pages), and
    /// answered from at once, each page made when it is asked for; [`LiveSite::complete`]
    /// makes the rest and checks the links.
    pub fn new(options: BuildOptions) -> Self {
        let laid_out = Site::layout(&options)
            .ok()
            .filter(|site| site.pages.len() >= LAYOUT_FIRST_PAGES);
        let loaded = match laid_out {
            Some(site) => Ok(site),
            None => Site::load(&options),
        };
        let (site, problems) = match loaded {
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
            generated: Mutex::new(HashMap::new()),
        }
    }

    /// Makes every page and checks every link when the served site is only laid out
    /// ([`LiveSite::new`]); `serve` calls it before watching for changes. The made site
    /// renders the same pages, so it replaces the laid-out one without a reload; its
    /// problems, if any, are the event to send.
    pub fn complete(&self) -> Option<LiveEvent> {
        if self.snapshot().site.is_none_or(|site| site.complete) {
            return None;
        }
        match Site::load(&self.options) {
            Ok(site) => {
                let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
                current.site = Some(Arc::new(site));
                None
            }
            Err(err) => Some(self.fail(problem_lines(err))),
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

    /// The files of `file` for the current site, made once per version of the site.
    pub fn generated(&self, file: Generated) -> Option<Result<Arc<Vec<OutputFile>>, Diagnostic>> {
        let site = self.snapshot().site?;
        let mut cache = self.generated.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((made_from, files)) = cache.get(&file)
            && Arc::ptr_eq(made_from, &site)
        {
            return Some(Ok(files.clone()));
        }
        // Made under the lock: requests for other files of the index wait for this one
        // rather than making it too.
        let files = match site.generated(file) {
            Ok(files) => Arc::new(files),
            Err(problem) => return Some(Err(problem)),
        };
        cache.insert(file, (site, files.clone()));
        Some(Ok(files))
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
            let kind = match rebuild_for(rel, &theme) {
                Kind::ContentEntry { content_path, url } => {
                    self.content_entry(&snapshot, rel, &content_path, url)
                }
                kind => kind,
            };
            match kind {
                // `content_entry` has already said what an entry is.
                Kind::Ignored | Kind::ContentEntry { .. } => {}
                Kind::Full => pending.full = true,
                Kind::Templates => pending.templates = true,
                Kind::Include(include) => match &snapshot.site {
                    Some(site) => pending.pages.extend(
                        site.pages
                            .iter()
                            .filter(|p| p.includes.contains(&include))
                            .map(|p| p.content_path.clone()),
                    ),
                    None => pending.full = true,
                },
                Kind::Page(content_path) => {
                    pending.pages.insert(content_path);
                }
                Kind::Static { url, css: is_css } => {
                    // A changed image changes the size its pages' <img> tags give.
                    if self.static_set_changed(&snapshot, rel, &url) || images::is_raster(rel) {
                        pending.full = true;
                    } else if is_css {
                        css.push(url);
                    } else {
                        static_changed = true;
                    }
                }
            }
        }
        // Templates and pages changed together is rare enough for a full rebuild.
        let templates_and_pages = pending.templates && !pending.pages.is_empty();
        let laid_out_only = snapshot.site.as_ref().is_some_and(|site| !site.complete);
        if pending.full || snapshot.site.is_none() || templates_and_pages || laid_out_only {
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
        // A docs set's shared page is a page in every release that has no file of its own
        // at that path (as `build` lists it: `Docsets::expand`).
        let content = self.options.root.join("content");
        let docsets = &site.config.docsets;
        let edited: Vec<(String, String)> = pending
            .pages
            .iter()
            .flat_map(|file| match docsets.copies(file) {
                Some(copies) => copies
                    .into_iter()
                    .filter(|copy| !content.join(copy).is_file())
                    .map(|copy| (file.clone(), copy))
                    .collect(),
                // A release's own file gone: its shared page takes its place, if any.
                None => match docsets.shared_source(file) {
                    Some(shared)
                        if !content.join(file).is_file() && content.join(&shared).is_file() =>
                    {
                        vec![(shared, file.clone())]
                    }
                    _ => vec![(file.clone(), file.clone())],
                },
            })
            .collect();
        for (file, content_path) in edited {
            let path = content.join(&file);
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => changes.push(PageChange::Upsert(SourceFile {
                        path: Path::new("content").join(&file),
                        content_path: content_path.clone(),
                        text,
                    })),
                    Err(_) => {
                        return vec![self.fail(vec![format!("content/{file}: not valid UTF-8")])];
                    }
                },
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    changes.push(PageChange::Remove(content_path.clone()))
                }
                Err(err) => {
                    return vec![self.fail(vec![format!("content/{file}: cannot read: {err}")])];
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

    /// What a path under `content/` without an extension is: a folder created or removed
    /// (its pages come and go with it: full rebuild), a static file such as `CNAME`, or
    /// something already gone that the site never had (a tool's temporary file that the
    /// classifier does not know: nothing to do, the real file's own event follows).
    fn content_entry(
        &self,
        snapshot: &Snapshot,
        rel: &Path,
        content_path: &str,
        url: String,
    ) -> Kind {
        let path = self.options.root.join(rel);
        if path.is_dir() {
            return Kind::Full;
        }
        if path.is_file() {
            return Kind::Static { url, css: false };
        }
        let Some(site) = &snapshot.site else {
            return Kind::Full;
        };
        let folder = format!("{content_path}/");
        let file_url = url;
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

    /// A static file appearing or disappearing changes what links may point at.
    fn static_set_changed(&self, snapshot: &Snapshot, rel: &Path, url: &str) -> bool {
        let Some(site) = &snapshot.site else {
            return true;
        };
        let exists = self.options.root.join(rel).is_file();
        let known = site.file_urls.contains(url);
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

fn is_under_content(rel: &Path) -> bool {
    rel.components()
        .find(|c| matches!(c, Component::Normal(_)))
        .is_some_and(|c| c.as_os_str() == "content")
}

/// The rebuild a changed path needs, from what [`inputs::classify`] says it is.
fn rebuild_for(rel: &Path, theme: &str) -> Kind {
    // A commit or a checkout: every page's date may have changed.
    if rel == Path::new(super::watch::HISTORY) {
        return Kind::Full;
    }
    let is_css = rel.extension().is_some_and(|e| e == "css");
    match inputs::classify(rel, Some(theme)) {
        Input::Page { content_path } => Kind::Page(content_path),
        Input::SiteStatic { url } if is_under_content(rel) && rel.extension().is_none() => {
            Kind::ContentEntry {
                content_path: url.trim_start_matches('/').to_string(),
                url,
            }
        }
        Input::SiteStatic { url } | Input::ThemeStatic { url } => Kind::Static { url, css: is_css },
        Input::ThemeTemplate { .. } => Kind::Templates,
        Input::Include { path } => Kind::Include(PathBuf::from(path)),
        // A shortcode may be used by any page.
        Input::Shortcode { .. } | Input::Config | Input::Data | Input::InputFolder => Kind::Full,
        Input::NotInput => Kind::Ignored,
    }
}

#[cfg(test)]
mod tests {

    /// A site served laid out only is completed before changes are watched: the made
    /// site replaces it without a reload, and its problems (a broken link) are the event.
    #[test]
    fn a_laid_out_site_is_completed_or_shows_its_problems() {
        for (body, problem) in [("[ok](/guide/)\n", false), ("[x](/nowhere/)\n", true)] {
            let dir = crate::test_support::fixture_copy("small");
            std::fs::write(dir.path().join("content/guide/extra.md"), body).unwrap();
            let options = BuildOptions {
                root: dir.path().to_path_buf(),
                ..BuildOptions::default()
            };
            let laid_out = Site::layout(&options).unwrap_or_else(|e| panic!("{e:?}"));
            let live = LiveSite {
                options,
                current: RwLock::new(Snapshot {
                    site: Some(Arc::new(laid_out)),
                    problems: Arc::new(Vec::new()),
                    version: 1,
                }),
                rendered: Mutex::new(HashMap::new()),
                generated: Mutex::new(HashMap::new()),
            };
            assert!(live.page("/guide/extra/").is_some_and(|p| p.is_ok()));
            let event = live.complete();
            let snapshot = live.snapshot();
            assert_eq!(snapshot.version, 1, "no reload");
            if problem {
                assert!(
                    matches!(&event, Some(LiveEvent::Problems(p)) if p[0].contains("broken link '/nowhere/'")),
                    "{event:?}"
                );
            } else {
                assert_eq!(event, None);
                assert!(snapshot.site.is_some_and(|site| site.complete));
            }
        }
    }

    use super::*;

    fn small_site() -> (tempfile::TempDir, LiveSite) {
        let dir = crate::test_support::fixture_copy("small");
        let live = LiveSite::new(BuildOptions {
            root: dir.path().to_path_buf(),
            out: None,
            base_url: None,
            drafts: false,
        });
        assert!(live.snapshot().site.is_some());
        (dir, live)
    }

    /// An image replaced by one of another size: its pages' <img> tags follow.
    #[test]
    fn an_image_edit_updates_the_size_its_pages_give() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let png = |width: u32, height: u32| {
            let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
            bytes.extend(width.to_be_bytes());
            bytes.extend(height.to_be_bytes());
            bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
            bytes
        };
        std::fs::create_dir_all(root.join("content/img")).unwrap();
        std::fs::write(root.join("site.toml"), "title = \"I\"\n").unwrap();
        std::fs::write(
            root.join("content/index.md"),
            "---\ntitle: Home\n---\n![A](/img/a.png)\n",
        )
        .unwrap();
        let image = root.join("content/img/a.png");
        std::fs::write(&image, png(30, 20)).unwrap();
        let live = LiveSite::new(BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        });
        let home = || String::from_utf8_lossy(&live.page("/").unwrap().unwrap()).into_owned();
        assert!(home().contains("width=\"30\" height=\"20\""), "{}", home());
        std::fs::write(&image, png(60, 45)).unwrap();
        live.apply(&BTreeSet::from([image]), &mut Pending::default());
        assert!(home().contains("width=\"60\" height=\"45\""), "{}", home());
    }

    /// An edit to a docs set's shared page re-renders its copy in every release; a
    /// release's own file wins, and when it goes the shared copy comes back.
    #[test]
    fn a_shared_page_edit_reaches_every_release() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "site.toml",
            "title = \"S\"\n[docsets.gw]\n[[docsets.gw.releases]]\nname = \"2.x\"\nstatus = \"latest\"\n[[docsets.gw.releases]]\nname = \"1.x\"\nstatus = \"maintained\"\n",
        );
        write("content/index.md", "---\ntitle: Home\n---\nHi.\n");
        write(
            "content/gw/_src/a.md",
            "---\ntitle: A\n---\nFirst in {{version.name}}.\n",
        );
        let live = LiveSite::new(BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        });
        let body = |url: &str| {
            let page = live.page(url).unwrap_or_else(|| panic!("no page {url}"));
            String::from_utf8_lossy(&page.unwrap()).into_owned()
        };
        assert!(body("/gw/2.x/a/").contains("First in 2.x."));
        assert!(body("/gw/1.x/a/").contains("First in 1.x."));
        write(
            "content/gw/_src/a.md",
            "---\ntitle: A\n---\nSecond in {{version.name}}.\n",
        );
        let shared = root.join("content/gw/_src/a.md");
        live.apply(&BTreeSet::from([shared]), &mut Pending::default());
        assert!(body("/gw/2.x/a/").contains("Second in 2.x."));
        assert!(body("/gw/1.x/a/").contains("Second in 1.x."));
        let own = root.join("content/gw/1.x/a.md");
        write("content/gw/1.x/a.md", "---\ntitle: A\n---\nOwn page.\n");
        live.apply(&BTreeSet::from([own.clone()]), &mut Pending::default());
        assert!(body("/gw/1.x/a/").contains("Own page."));
        std::fs::remove_file(&own).unwrap();
        live.apply(&BTreeSet::from([own]), &mut Pending::default());
        assert!(
            body("/gw/1.x/a/").contains("Second in 1.x."),
            "{}",
            body("/gw/1.x/a/")
        );
    }

    /// The search index is many files, read a few at a time: it is made once per version
    /// of the site, and again after an edit.
    #[test]
    fn generated_files_are_made_once_per_version() {
        let (dir, live) = small_site();
        let first = live.generated(Generated::SearchIndex).unwrap().unwrap();
        let again = live.generated(Generated::SearchIndex).unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let alpha = dir.path().join("content/guide/alpha.md");
        let text = std::fs::read_to_string(&alpha).unwrap();
        std::fs::write(&alpha, text.replace("title: Alpha", "title: Alpha renamed")).unwrap();
        live.apply(&BTreeSet::from([alpha]), &mut Pending::default());
        let edited = live.generated(Generated::SearchIndex).unwrap().unwrap();
        assert!(!Arc::ptr_eq(&first, &edited));
        let fragments = edited
            .iter()
            .find(|f| f.path == crate::search::fragment_path(0))
            .unwrap();
        assert!(String::from_utf8_lossy(&fragments.body).contains("Alpha renamed"));
    }

    /// Editing an include makes again only the pages that use it: the others stay
    /// rendered, and the edit shows on the pages that include it.
    #[test]
    fn an_include_edit_renders_only_the_pages_that_use_it() {
        let dir = crate::test_support::fixture_copy("jekyll");
        let live = LiveSite::new(BuildOptions {
            root: dir.path().to_path_buf(),
            out: None,
            base_url: None,
            drafts: false,
        });
        assert!(
            live.snapshot().site.is_some(),
            "{:?}",
            live.snapshot().problems
        );
        for url in ["/gateway/install/", "/gateway/connect/", "/"] {
            assert!(live.page(url).is_some_and(|r| r.is_ok()), "{url}");
        }
        let include = dir.path().join("_includes/md/verify.md");
        std::fs::write(&include, "Verified by the edit.\n").unwrap();
        let events = live.apply(&BTreeSet::from([include]), &mut Pending::default());
        assert_eq!(events.len(), 1, "{events:?}");
        let cached: BTreeSet<String> = live.cache().keys().cloned().collect();
        assert_eq!(
            cached,
            BTreeSet::from(["/gateway/connect/".to_string(), "/".to_string()])
        );
        let Some(Ok(install)) = live.page("/gateway/install/") else {
            panic!("the install page is served");
        };
        assert!(String::from_utf8_lossy(&install).contains("Verified by the edit."));
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
    fn a_vanished_entry_the_site_never_had_rebuilds_nothing() {
        let (dir, live) = small_site();
        let version = live.snapshot().version;
        // Not a temporary the classifier knows, but gone, and never a folder or file of
        // the site.
        let batch = BTreeSet::from([dir.path().join("content/guide/unknown-tool-x1")]);
        let events = live.apply(&batch, &mut Pending::default());
        assert!(events.is_empty());
        assert_eq!(live.snapshot().version, version);
    }

    #[test]
    fn a_batch_of_only_junk_changes_nothing() {
        let (dir, live) = small_site();
        let version = live.snapshot().version;
        let junk = [
            "content/notes.tmp",
            "content/guide/alpha.md~",
            "content/guide/.alpha.md.swp",
            "content/guide/alpha.md.swx",
            "content/guide/4913",
            "content/#index.md#",
            "content/.#index.md",
            "content/sedAb12Cd",
            "content/.hidden/x.png",
            "content/.git/x.md",
            "static/x.png~",
            "themes/default/templates/page.html~",
            "themes/default/static/css/site.css.swp",
            "themes/other/templates/page.html",
            "site.toml~",
            "public/index.html",
        ];
        // Some are still on disk, as editors leave them; some are already gone.
        for (i, rel) in junk.iter().enumerate() {
            if i % 2 == 0 {
                let path = dir.path().join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, "{% broken\n").unwrap();
            }
        }
        let batch: BTreeSet<PathBuf> = junk.iter().map(|rel| dir.path().join(rel)).collect();
        let mut pending = Pending::default();
        let events = live.apply(&batch, &mut pending);
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(live.snapshot().version, version);
        assert!(pending.pages.is_empty() && !pending.templates && !pending.full);
        // Nor does a page edit saved next to them pick them up.
        assert_eq!(live.static_file("/notes.tmp"), None);
    }

    #[test]
    fn an_extensionless_file_in_content_is_a_static_file() {
        let (dir, live) = small_site();
        let cname = dir.path().join("content/CNAME");
        std::fs::write(&cname, "docs.example.com\n").unwrap();
        let events = live.apply(&BTreeSet::from([cname]), &mut Pending::default());
        assert!(matches!(events.as_slice(), [LiveEvent::Reload { .. }]));
        assert_eq!(
            live.static_file("/CNAME"),
            Some(Bytes::from_static(b"docs.example.com\n"))
        );
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
        let k = |p: &str| rebuild_for(Path::new(p), "default");
        let static_file = |url: &str, css: bool| Kind::Static {
            url: url.into(),
            css,
        };
        assert_eq!(k("content/a/b.md"), Kind::Page("a/b.md".into()));
        assert_eq!(k("content/img/x.png"), static_file("/img/x.png", false));
        assert_eq!(k("static/img/x.png"), static_file("/img/x.png", false));
        assert_eq!(
            k("content/new-folder"),
            Kind::ContentEntry {
                content_path: "new-folder".into(),
                url: "/new-folder".into()
            }
        );
        assert_eq!(
            k("./content/a/new-folder"),
            Kind::ContentEntry {
                content_path: "a/new-folder".into(),
                url: "/a/new-folder".into()
            }
        );
        assert_eq!(k("static/CNAME"), static_file("/CNAME", false));
        assert_eq!(k("static"), Kind::Full);
        assert_eq!(k("themes"), Kind::Full);
        assert_eq!(k("themes/default"), Kind::Full);
        assert_eq!(k("public"), Kind::Ignored);
        assert_eq!(k("site.toml"), Kind::Full);
        assert_eq!(k("data/kong.yaml"), Kind::Full);
        assert_eq!(
            k("_includes/md/a.md"),
            Kind::Include(PathBuf::from("_includes/md/a.md"))
        );
        assert_eq!(
            k("includes/a.md"),
            Kind::Include(PathBuf::from("includes/a.md"))
        );
        assert_eq!(k("shortcodes/tabs.html"), Kind::Full);
        assert_eq!(k("themes/default/shortcodes/tabs.html"), Kind::Full);
        assert_eq!(k("themes/other/shortcodes/tabs.html"), Kind::Ignored);
        assert_eq!(k("themes/default/templates/base.html"), Kind::Templates);
        assert_eq!(
            k("themes/default/static/css/site.css"),
            static_file("/css/site.css", true)
        );
        assert_eq!(k("themes/other/templates/base.html"), Kind::Ignored);
        assert_eq!(k("public/index.html"), Kind::Ignored);
        assert_eq!(k("content/a/b.md~"), Kind::Ignored);
        assert_eq!(k("content/.git/b.md"), Kind::Ignored);
    }
}
