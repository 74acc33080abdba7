//! The build, stage by stage:
//! load → variables → Markdown (per page, in parallel) → site tree → links → templates
//! → write (staging folder, then swap).
//!
//! [`Site`] is the in-memory result of every stage but the last; `build` writes it to
//! disk, `serve` keeps it and renders pages on request.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{SiteConfig, Variables};
use crate::diagnostic::{Diagnostic, display_path};
use crate::links::{self, ExternalLink, LinkTargets};
use crate::load::{self, StaticFile};
use crate::output::Staging;
use crate::page::{self, Page};
use crate::render::Renderer;
use crate::search;
use crate::site_files;
use crate::theme::{FileData, Theme};
use crate::tree::SiteTree;
use crate::urls;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{} problem{} found", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Diagnostics(Vec<Diagnostic>),
    #[error("cannot write {}: {source}", display_path(.path))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    /// Of `elapsed`: reading, Markdown, variables and every check.
    pub checking: Duration,
    pub external_links: Vec<ExternalLink>,
}

/// A site after every stage except writing. Cheap to clone: `serve` keeps the last
/// good one and derives the next from it.
#[derive(Clone)]
pub struct Site {
    pub root: PathBuf,
    pub options: BuildOptions,
    pub config: Arc<SiteConfig>,
    pub variables: Arc<Variables>,
    pub theme: Arc<Theme>,
    pub renderer: Arc<Renderer>,
    /// Published pages (drafts only with `--drafts`).
    pub pages: Vec<Arc<Page>>,
    pub tree: Arc<SiteTree>,
    /// Site static files (`content/` non-Markdown and `static/`); they win over the theme's.
    pub static_files: Arc<Vec<StaticFile>>,
    /// Every URL a static or generated file is served at, for the link checker.
    pub file_urls: Arc<HashSet<String>>,
    /// Draft URL → source, for links that point at a draft.
    pub drafts: HashMap<String, PathBuf>,
    pub external_links: Vec<ExternalLink>,
}

/// A change to one Markdown file, for [`Site::revise`].
#[derive(Debug, Clone)]
pub enum PageChange {
    /// Created or edited (the file's new text).
    Upsert(page::Source),
    /// Deleted; the path relative to `content/`.
    Remove(String),
}

/// What a revision touched, so `serve` knows what to re-render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revision {
    /// Only these pages' bodies changed: only they need rendering again.
    Bodies(Vec<String>),
    /// Titles, order, URLs, anchors or the page set changed: every page's navigation may
    /// differ.
    Shape,
}

impl Site {
    /// Runs every stage up to templates, collecting all problems of the run.
    pub fn load(options: &BuildOptions) -> Result<Self, BuildError> {
        let root = options.root.clone();
        let config = SiteConfig::load(&root, options.base_url.as_deref())
            .map_err(BuildError::Diagnostics)?;
        let theme =
            Theme::load(&root, &config.theme).map_err(|d| BuildError::Diagnostics(vec![d]))?;
        let inputs = load::load(&root).map_err(BuildError::Diagnostics)?;
        let variables = config.variables();
        let mut problems = Vec::new();
        let renderer = match Renderer::new(&theme) {
            Ok(renderer) => Some(renderer),
            Err(mut p) => {
                problems.append(&mut p);
                None
            }
        };

        // Consuming the sources frees each file's text as soon as its page is made.
        let processed: Vec<(Page, Vec<Diagnostic>)> = inputs
            .sources
            .into_par_iter()
            .map(|source| page::process(&source, &variables))
            .collect();
        let mut pages = Vec::with_capacity(processed.len());
        let mut drafts = HashMap::new();
        for (page, mut page_problems) in processed {
            problems.append(&mut page_problems);
            if page.is_draft() && !options.drafts {
                drafts.insert(page.url.clone(), page.source.clone());
            } else {
                pages.push(Arc::new(page));
            }
        }

        let static_files = inputs.static_files;
        let mut file_urls: HashSet<String> = theme
            .static_files
            .iter()
            .map(|f| format!("/{}", f.name))
            .collect();
        file_urls.extend(static_files.iter().map(|f| f.url.clone()));
        file_urls
            .extend(["/sitemap.xml", "/robots.txt", "/404.html", "/_headers"].map(String::from));
        file_urls.insert(search::INDEX_PATH.to_string());
        problems.extend(check_aliases(&pages));
        let targets = LinkTargets::new(&pages, &file_urls, &drafts);
        let (link_problems, external_links) = links::check(&pages, &targets);
        problems.extend(link_problems);
        if let Some(renderer) = &renderer {
            problems.extend(renderer.check_templates(&pages));
        }

        match renderer {
            Some(renderer) if problems.is_empty() => {
                let tree = SiteTree::new(&pages);
                Ok(Self {
                    root,
                    options: options.clone(),
                    config: Arc::new(config),
                    variables: Arc::new(variables),
                    theme: Arc::new(theme),
                    renderer: Arc::new(renderer),
                    pages,
                    tree: Arc::new(tree),
                    static_files: Arc::new(static_files),
                    file_urls: Arc::new(file_urls),
                    drafts,
                    external_links,
                })
            }
            _ => Err(BuildError::Diagnostics(sorted(problems))),
        }
    }

    /// The site with its theme read again after a template changed. Templates cannot
    /// change pages, the tree or what links may point at, so those stay: a template edit
    /// costs parsing the templates, not re-making every page. `self` is left as it was.
    pub fn with_templates_reloaded(&self) -> Result<Site, Vec<Diagnostic>> {
        let theme = Theme::load(&self.root, &self.config.theme).map_err(|d| vec![d])?;
        let renderer = Renderer::new(&theme).map_err(sorted)?;
        let problems = renderer.check_templates(&self.pages);
        if !problems.is_empty() {
            return Err(sorted(problems));
        }
        Ok(Site {
            theme: Arc::new(theme),
            renderer: Arc::new(renderer),
            ..self.clone()
        })
    }

    /// The site with some Markdown files changed, re-running only what they affect: the
    /// changed pages' own stages and link checks, plus every page's link checks and the
    /// tree when a page's shape (URL, title, order, anchors) changed. `self` is left as
    /// it was, so a failed revision keeps the last good site.
    pub fn revise(&self, changes: Vec<PageChange>) -> Result<(Site, Revision), Vec<Diagnostic>> {
        let mut pages = self.pages.clone();
        let mut drafts = self.drafts.clone();
        let mut problems = Vec::new();
        let mut shape_changed = false;
        let mut changed_urls = Vec::new();
        for change in changes {
            let content_path = match &change {
                PageChange::Upsert(source) => source.content_path.clone(),
                PageChange::Remove(path) => path.clone(),
            };
            let position = pages.iter().position(|p| p.content_path == content_path);
            let url = urls::url_for(&content_path);
            drafts.remove(&url);
            match change {
                PageChange::Remove(_) => {
                    if let Some(i) = position {
                        pages.remove(i);
                        shape_changed = true;
                    }
                }
                PageChange::Upsert(source) => {
                    let (page, mut page_problems) = page::process(&source, &self.variables);
                    problems.append(&mut page_problems);
                    if page.is_draft() && !self.options.drafts {
                        drafts.insert(page.url.clone(), page.source.clone());
                        if let Some(i) = position {
                            pages.remove(i);
                        }
                        shape_changed = true;
                    } else if let Some(i) = position {
                        shape_changed |= !same_shape(&pages[i], &page);
                        changed_urls.push(page.url.clone());
                        pages[i] = Arc::new(page);
                    } else {
                        changed_urls.push(page.url.clone());
                        pages.push(Arc::new(page));
                        shape_changed = true;
                    }
                }
            }
        }
        let targets = LinkTargets::new(&pages, &self.file_urls, &drafts);
        let changed: Vec<Arc<Page>> = pages
            .iter()
            .filter(|p| changed_urls.contains(&p.url))
            .cloned()
            .collect();
        if shape_changed {
            problems.extend(check_aliases(&pages));
            problems.extend(links::check(&pages, &targets).0);
        } else {
            for page in &changed {
                problems.extend(links::check_page(page, &targets).0);
            }
        }
        problems.extend(self.renderer.check_templates(&changed));
        if !problems.is_empty() {
            return Err(sorted(problems));
        }
        let (tree, revision) = if shape_changed {
            (Arc::new(SiteTree::new(&pages)), Revision::Shape)
        } else {
            (self.tree.clone(), Revision::Bodies(changed_urls))
        };
        let site = Site {
            pages,
            tree,
            drafts,
            ..self.clone()
        };
        Ok((site, revision))
    }

    /// Every published page, form pages included: they are where readers sign up.
    pub fn sitemap(&self) -> String {
        site_files::sitemap(&self.config, self.pages.iter().map(|p| p.url.as_str()))
    }

    pub fn search_index(&self) -> String {
        search::index(&self.pages)
    }

    pub fn page_index(&self, url: &str) -> Option<usize> {
        self.tree.index_of(url)
    }

    pub fn render_page(&self, index: usize) -> Result<String, Diagnostic> {
        self.renderer
            .render_page(&self.config, &self.pages, &self.tree, index)
    }

    /// Renders and writes everything into `out`, replacing it only on success.
    /// Returns (pages, files) written.
    pub fn write(&self, out: &Path) -> Result<(usize, usize), BuildError> {
        let staging = Staging::create(out).map_err(|source| BuildError::Write {
            path: out.to_path_buf(),
            source,
        })?;
        let write = |rel: &str, bytes: &[u8]| {
            staging
                .write(rel, bytes)
                .map_err(|source| BuildError::Write {
                    path: out.join(rel),
                    source,
                })
        };
        // The search index first: its memory (megabytes on a large site) is freed before
        // the pages are rendered and reused by them, instead of adding to their peak.
        write(
            search::INDEX_PATH.trim_start_matches('/'),
            self.search_index().as_bytes(),
        )?;
        let rendered: Vec<Result<(), BuildError>> = (0..self.pages.len())
            .into_par_iter()
            .map(|i| {
                let html = self
                    .renderer
                    .render_page(&self.config, &self.pages, &self.tree, i)
                    .map_err(|d| BuildError::Diagnostics(vec![d]))?;
                write(&urls::output_file(&self.pages[i].url), html.as_bytes())
            })
            .collect();
        let mut problems = Vec::new();
        for result in rendered {
            match result {
                Ok(()) => {}
                Err(BuildError::Diagnostics(mut d)) => problems.append(&mut d),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(BuildError::Diagnostics(collapse_repeats(sorted(problems))));
        }
        let mut files = self.pages.len() + 1; // the search index
        for page in &self.pages {
            for alias in &page.front.aliases {
                let html = self
                    .renderer
                    .render_redirect(&self.config, &page.url)
                    .map_err(|d| BuildError::Diagnostics(vec![d]))?;
                write(&urls::output_file(alias), html.as_bytes())?;
                files += 1;
            }
        }
        if let Some(html) = self
            .renderer
            .render_not_found(&self.config, &self.pages, &self.tree)
            .map_err(|d| BuildError::Diagnostics(vec![d]))?
        {
            write("404.html", html.as_bytes())?;
            files += 1;
        }
        write("sitemap.xml", self.sitemap().as_bytes())?;
        write("robots.txt", site_files::robots(&self.config).as_bytes())?;
        write("_headers", site_files::headers().as_bytes())?;
        files += 3;
        // The site's own static files are copied last so they win over the theme's.
        for file in &self.theme.static_files {
            match &file.data {
                FileData::Embedded(bytes) => write(&file.name, bytes)?,
                FileData::Disk(path) => {
                    staging
                        .copy(&file.name, path)
                        .map_err(|source| BuildError::Write {
                            path: path.clone(),
                            source,
                        })?
                }
            }
            files += 1;
        }
        let copies: Result<Vec<()>, BuildError> = self
            .static_files
            .par_iter()
            .map(|file| {
                staging
                    .copy(&file.url, &file.path)
                    .map_err(|source| BuildError::Write {
                        path: file.path.clone(),
                        source,
                    })
            })
            .collect();
        copies?;
        files += self.static_files.len();
        staging.commit().map_err(|source| BuildError::Write {
            path: out.to_path_buf(),
            source,
        })?;
        Ok((self.pages.len(), files))
    }
}

/// `gatehouse build`: every stage, then write. With `write: false`, `gatehouse check`.
pub fn build(options: &BuildOptions, write: bool) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let site = Site::load(options)?;
    let checking = started.elapsed();
    let (pages, files) = if write {
        let out = options
            .out
            .clone()
            .unwrap_or_else(|| options.root.join("public"));
        site.write(&out)?
    } else {
        (site.pages.len(), 0)
    };
    Ok(BuildReport {
        pages,
        files,
        elapsed: started.elapsed(),
        checking,
        external_links: site.external_links,
    })
}

/// Whether other pages could see a difference: their sidebar, prev/next and breadcrumbs
/// show titles and order, and their links may point at this page's URL and anchors.
fn same_shape(old: &Page, new: &Page) -> bool {
    old.url == new.url
        && old.title == new.title
        && old.front.weight == new.front.weight
        && old.front.hide_from_nav == new.front.hide_from_nav
        && old.front.description == new.front.description
        && old.front.aliases == new.front.aliases
        && old.anchors == new.anchors
}

fn check_aliases(pages: &[Arc<Page>]) -> Vec<Diagnostic> {
    let page_urls: HashSet<&str> = pages.iter().map(|p| p.url.as_str()).collect();
    let mut seen: HashMap<String, &Path> = HashMap::new();
    let mut problems = Vec::new();
    for page in pages {
        for alias in &page.front.aliases {
            let normalised = if alias.starts_with('/') && alias.ends_with('/') {
                alias.clone()
            } else {
                problems.push(Diagnostic::file(
                    &page.source,
                    format!("alias '{alias}' must be a site path starting and ending with '/' (e.g. '/old/path/')"),
                ));
                continue;
            };
            if page_urls.contains(normalised.as_str()) {
                problems.push(Diagnostic::file(
                    &page.source,
                    format!("alias '{alias}' is already a page's URL"),
                ));
            } else if let Some(other) = seen.insert(normalised, &page.source) {
                problems.push(Diagnostic::file(
                    &page.source,
                    format!("alias '{alias}' is also claimed by {}", display_path(other)),
                ));
            }
        }
    }
    problems
}

/// A template mistake fails every page that uses the template: say it once, with a
/// count, rather than ten thousand times.
fn collapse_repeats(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut kept: Vec<Diagnostic> = Vec::new();
    for problem in problems {
        match seen.get_mut(&problem.message) {
            Some((_, count)) => *count += 1,
            None => {
                seen.insert(problem.message.clone(), (kept.len(), 0));
                kept.push(problem);
            }
        }
    }
    for (index, others) in seen.into_values() {
        if others > 0 {
            let s = if others == 1 { "" } else { "s" };
            kept[index]
                .message
                .push_str(&format!(" (and the same in {others} other page{s})"));
        }
    }
    kept
}

fn sorted(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    problems.dedup();
    problems
}
