//! The build, in the order the code runs it:
//!
//! 1. `site.toml` and data files ([`crate::config`]), the theme ([`crate::theme`]) and the
//!    inputs ([`crate::load`], which asks [`crate::inputs`] what counts as one).
//! 2. Per page, in parallel ([`crate::page`]): front matter → shortcodes and includes →
//!    variables → Markdown.
//! 3. The site-wide stages, in the order of [`SITE_STAGES`]: tree → aliases → links →
//!    templates. `build`, `check` and every `serve` revision go through this one list;
//!    a revision only skips what its [`Change`] cannot affect ([`SiteStage::coverage`]).
//! 4. Write: the pages, the generated files of [`site_files::GENERATED`], alias
//!    redirects, the theme's static files, then the site's (so they win); all into a
//!    staging folder swapped in on success.
//!
//! [`Site`] is the in-memory result of steps 1–3: `serve` keeps it and renders pages on
//! request. `build` and `check` stream instead ([`build`]), so memory stays flat however
//! large the site: they lay the site out from every page's front matter and path
//! ([`page::head`]), run the site-wide stages that need no more
//! ([`SiteStage::needs_bodies`]), then make each page in full, render and write it and
//! keep only what the remaining stages (the link check) and the generated files need,
//! and run those stages last. A problem found late still fails the build before the
//! swap, so `public/` is replaced whole or not at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{LinkSettings, SiteConfig, Variables};
use crate::diagnostic::{Diagnostic, display_path};
use crate::hosting;
use crate::images::ImageSizes;
use crate::links::{self, ExternalLink, LinkTargets, TargetIndex};
use crate::load::{self, StaticFile};
use crate::output::OutputFile;
use crate::output::Staging;
use crate::page::{self, Page};
use crate::redirects::{self, Redirect, Redirects};
use crate::render::Renderer;
use crate::search::{self, SearchBuilder};
use crate::shortcodes::Shortcodes;
use crate::site_files::{self, GENERATED, Generated};
use crate::theme::{FileData, Theme};
use crate::tree::SiteTree;
use crate::urls;
use crate::versions::Docsets;

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
    /// Of `elapsed`: laying the site out (every page's front matter, the tree, the
    /// checks that need no page body), before the pass that makes, renders and writes
    /// the pages.
    pub checking: Duration,
    /// Of `elapsed`: reading the git history for last-updated dates ([`crate::history`]).
    pub history: Duration,
    pub external_links: Vec<ExternalLink>,
    /// Problems that did not stop the build (`[links] level = "warn"`), to print.
    pub warnings: Vec<Diagnostic>,
    /// What the build changed besides the output, to print (`wrangler.toml`'s reader pages).
    pub notes: Vec<String>,
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
    /// Shortcode templates, and where includes are read from.
    pub shortcodes: Arc<Shortcodes>,
    /// Published pages (drafts only with `--drafts`).
    pub pages: Vec<Arc<Page>>,
    pub tree: Arc<SiteTree>,
    /// What links may reach, by URL (kept across body edits: [`TargetIndex`]).
    pub link_index: Arc<TargetIndex>,
    /// Site static files (`content/` non-Markdown and `static/`); they win over the theme's.
    pub static_files: Arc<Vec<StaticFile>>,
    /// Every URL a static or generated file is served at, for the link checker.
    pub file_urls: Arc<HashSet<String>>,
    /// The site's images' sizes, for their `<img>` tags ([`crate::images`]).
    pub image_sizes: Arc<ImageSizes>,
    /// Draft URL → source, for links that point at a draft.
    pub drafts: HashMap<String, PathBuf>,
    /// Every redirect the site answers (`serve` looks each missing page up here).
    pub redirects: Arc<Redirects>,
    pub external_links: Vec<ExternalLink>,
    /// Warnings of the site-wide stages of the run that made this site (for a revision:
    /// of the pages it checked); [`Site::all_warnings`] adds the pages' own.
    pub warnings: Vec<Diagnostic>,
    /// Whether every page was made in full and its links checked. A site only laid out
    /// ([`Site::layout`]: pages without bodies, no link check yet) makes a page's body
    /// when the page is rendered.
    pub complete: bool,
}

/// A change to one Markdown file, for [`Site::revise`].
#[derive(Debug, Clone)]
pub enum PageChange {
    /// Created or edited (the file's new text).
    Upsert(page::SourceFile),
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

/// The site-wide stages: they look at all pages together, after every page went
/// through its own stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteStage {
    /// Sections, sidebar, previous/next, breadcrumbs ([`crate::tree`]).
    Tree,
    /// Each alias is a site path, is not a page's URL, and is claimed by one page.
    Aliases,
    /// Every internal link reaches a page, an anchor in it, or a file ([`crate::links`]).
    Links,
    /// Every page's template exists in the theme ([`crate::render`]).
    Templates,
}

/// The site-wide stages in the order every run goes through them.
pub const SITE_STAGES: [SiteStage; 4] = [
    SiteStage::Tree,
    SiteStage::Aliases,
    SiteStage::Links,
    SiteStage::Templates,
];

impl SiteStage {
    /// Whether the stage needs what the Markdown stage makes (anchors, links), not just
    /// each page's front matter and path. `build` runs the others before making any
    /// page's body, and these once every page went through.
    pub fn needs_bodies(self) -> bool {
        matches!(self, Self::Links)
    }
}

/// Which of [`SITE_STAGES`] a call of [`run_site_stages`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Every stage: the pages are made in full (`serve`).
    All,
    /// Those that need no bodies ([`SiteStage::needs_bodies`]), over pages' heads.
    Layout,
    /// The others, once the bodies are made (they get the tree from the layout).
    Bodies,
}

impl Phase {
    fn runs(self, stage: SiteStage) -> bool {
        match self {
            Self::All => true,
            Self::Layout => !stage.needs_bodies(),
            Self::Bodies => stage.needs_bodies(),
        }
    }
}

/// What changed since the last good site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// Nothing to start from: `build`, `check`, a full rebuild in `serve`.
    Everything,
    /// These pages (by URL) were edited or added; `shape` when other pages could see a
    /// difference (a URL, title, order, anchors or aliases changed, or a page came or went).
    Pages { changed: &'a [String], shape: bool },
    /// The theme's templates were read again; pages are as they were.
    Templates,
}

/// How much of the site a stage must look at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Its last result still holds.
    Skip,
    /// Only the changed pages.
    Changed,
    All,
}

impl SiteStage {
    /// What a change obliges this stage to look at: the one place where a revision's
    /// shortcuts are decided.
    pub fn coverage(self, change: Change<'_>) -> Coverage {
        use Coverage::{All, Changed, Skip};
        match (self, change) {
            (_, Change::Everything) => All,
            // A page's shape is what the tree and other pages' links and aliases see.
            (Self::Tree | Self::Aliases | Self::Links, Change::Pages { shape: true, .. }) => All,
            (Self::Tree | Self::Aliases, Change::Pages { shape: false, .. }) => Skip,
            (Self::Links, Change::Pages { shape: false, .. }) => Changed,
            // A page's template is named in its own front matter.
            (Self::Templates, Change::Pages { .. }) => Changed,
            // Templates cannot change pages, the tree, or what links may point at.
            (Self::Tree | Self::Aliases | Self::Links, Change::Templates) => Skip,
            (Self::Templates, Change::Templates) => All,
        }
    }
}

/// A site's parts besides what the site-wide stages found: [`Parts::into_site`] is the
/// one place a [`Site`] is put together, whether fully made or only laid out.
struct Parts {
    config: SiteConfig,
    variables: Variables,
    theme: Theme,
    renderer: Renderer,
    shortcodes: Shortcodes,
    pages: Vec<Arc<Page>>,
    static_files: Vec<StaticFile>,
    file_urls: HashSet<String>,
    drafts: HashMap<String, PathBuf>,
}

impl Parts {
    fn into_site(self, options: &BuildOptions, site_wide: SiteWide, complete: bool) -> Site {
        let redirects = Arc::new(Redirects::of_site(
            &self.config.docsets,
            &self.config.redirects,
            page::aliases(&self.pages),
        ));
        Site {
            root: options.root.clone(),
            options: options.clone(),
            config: Arc::new(self.config),
            variables: Arc::new(self.variables),
            theme: Arc::new(self.theme),
            renderer: Arc::new(self.renderer),
            shortcodes: Arc::new(self.shortcodes),
            pages: self.pages,
            tree: site_wide.tree,
            link_index: site_wide.link_index,
            image_sizes: Arc::new(ImageSizes::read(&self.static_files)),
            redirects,
            static_files: Arc::new(self.static_files),
            file_urls: Arc::new(self.file_urls),
            drafts: self.drafts,
            external_links: site_wide.external_links,
            warnings: site_wide.warnings,
            complete,
        }
    }
}

/// The results of the site-wide stages that outlive a run.
#[derive(Clone)]
struct SiteWide {
    tree: Arc<SiteTree>,
    /// What links may reach, by URL: kept while no page's URL or aliases change.
    link_index: Arc<TargetIndex>,
    external_links: Vec<ExternalLink>,
    /// The warnings of this run (`[links] level = "warn"`).
    warnings: Vec<Diagnostic>,
}

/// The inputs of the site-wide stages.
struct StageInputs<'a> {
    pages: &'a [Arc<Page>],
    file_urls: &'a HashSet<String>,
    drafts: &'a HashMap<String, PathBuf>,
    links: &'a LinkSettings,
    docsets: &'a Docsets,
    redirects: &'a [Redirect],
    /// `None` when the templates did not parse (already reported).
    renderer: Option<&'a Renderer>,
}

/// Runs [`SITE_STAGES`] in order, each over what `change` obliges it to look at; results
/// of skipped stages come from `last`. Returns every error found; warnings go with
/// the result.
fn run_site_stages(
    inputs: &StageInputs<'_>,
    change: Change<'_>,
    last: Option<&SiteWide>,
    phase: Phase,
) -> Result<SiteWide, Vec<Diagnostic>> {
    let changed: Vec<Arc<Page>> = match change {
        Change::Pages { changed, .. } => inputs
            .pages
            .iter()
            .filter(|p| changed.contains(&p.url))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let subset = |coverage: Coverage| match coverage {
        Coverage::Skip => None,
        Coverage::Changed => Some(changed.as_slice()),
        Coverage::All => Some(inputs.pages),
    };
    let mut problems = Vec::new();
    let mut warnings = last.map(|l| l.warnings.clone()).unwrap_or_default();
    let mut tree = last.map(|l| l.tree.clone());
    let mut link_index = last.map(|l| l.link_index.clone());
    let mut external_links = last.map(|l| l.external_links.clone()).unwrap_or_default();
    for stage in SITE_STAGES.into_iter().filter(|&stage| phase.runs(stage)) {
        let coverage = stage.coverage(change);
        let Some(pages) = subset(coverage) else {
            continue;
        };
        match stage {
            SiteStage::Tree => tree = Some(Arc::new(SiteTree::new(inputs.pages))),
            SiteStage::Aliases => {
                problems.extend(check_aliases(pages));
                problems.extend(redirects::hidden_pages(
                    inputs.redirects,
                    pages
                        .iter()
                        .map(|p| (p.source_path.as_path(), p.url.as_str())),
                ));
                problems.extend(
                    Redirects::of_site(
                        inputs.docsets,
                        inputs.redirects,
                        page::aliases(inputs.pages),
                    )
                    .check(),
                );
            }
            SiteStage::Links => {
                let index = match &link_index {
                    Some(index) if coverage == Coverage::Changed => index.clone(),
                    _ => Arc::new(TargetIndex::new(inputs.pages)),
                };
                link_index = Some(index.clone());
                let targets =
                    LinkTargets::new(inputs.pages, &index, inputs.file_urls, inputs.drafts)
                        .with_docsets(inputs.docsets)
                        .with_redirects(inputs.redirects);
                let (found, external) = links::check(pages, &targets, inputs.links);
                let (errors, found_warnings): (Vec<_>, Vec<_>) =
                    found.into_iter().partition(Diagnostic::is_error);
                problems.extend(errors);
                if coverage == Coverage::All {
                    external_links = external;
                    warnings = found_warnings;
                } else {
                    // The changed pages' links replace what they found before.
                    let changed = |path: &Path| pages.iter().any(|p| p.source_path == path);
                    external_links.retain(|link| !changed(&link.source));
                    external_links.extend(external);
                    warnings.retain(|warning| !changed(&warning.path));
                    warnings.extend(found_warnings);
                }
            }
            SiteStage::Templates => {
                if let Some(renderer) = inputs.renderer {
                    problems.extend(renderer.check_templates(pages));
                }
            }
        }
    }
    match tree {
        Some(tree) if problems.is_empty() => Ok(SiteWide {
            tree,
            link_index: link_index.unwrap_or_default(),
            external_links,
            warnings: sorted(warnings),
        }),
        _ => Err(sorted(problems)),
    }
}

impl Site {
    /// Runs every stage up to writing, collecting all problems of the run.
    pub fn load(options: &BuildOptions) -> Result<Self, BuildError> {
        let root = options.root.clone();
        let Setup {
            config,
            variables,
            theme,
            renderer,
            shortcodes,
            mut problems,
        } = Setup::new(options)?;
        let inputs = load::read_inputs(&root, &config.docsets).map_err(BuildError::Diagnostics)?;

        // Consuming the sources frees each file's text as soon as its page is made.
        let processed: Vec<(Page, Vec<Diagnostic>)> = inputs
            .sources
            .into_par_iter()
            .map(|source| page::process(&source, &variables, &shortcodes))
            .collect();
        let mut pages = Vec::with_capacity(processed.len());
        let mut drafts = HashMap::new();
        for (page, mut page_problems) in processed {
            problems.append(&mut page_problems);
            if page.is_draft() && !options.drafts {
                drafts.insert(page.url.clone(), page.source_path.clone());
            } else {
                pages.push(Arc::new(page));
            }
        }

        let static_files = inputs.static_files;
        let file_urls = file_urls(&theme, &static_files);

        let site_wide = run_site_stages(
            &StageInputs {
                pages: &pages,
                file_urls: &file_urls,
                drafts: &drafts,
                links: &config.links,
                docsets: &config.docsets,
                redirects: &config.redirects,
                renderer: renderer.as_ref(),
            },
            Change::Everything,
            None,
            Phase::All,
        );
        let site_wide = match site_wide {
            Ok(site_wide) => Some(site_wide),
            Err(mut p) => {
                problems.append(&mut p);
                None
            }
        };
        match (renderer, site_wide) {
            (Some(renderer), Some(site_wide)) if problems.is_empty() => Ok(Parts {
                config,
                variables,
                theme,
                renderer,
                shortcodes,
                pages,
                static_files,
                file_urls,
                drafts,
            }
            .into_site(options, site_wide, true)),
            _ => Err(BuildError::Diagnostics(sorted(problems))),
        }
    }

    /// The site laid out from every page's front matter and path, without making any
    /// page's body (so without the link check): a fraction of [`Site::load`]'s time on a
    /// large site. `serve` answers from it while it makes the rest ([`Site::complete`]
    /// is false until [`Site::load`]'s result replaces it).
    pub fn layout(options: &BuildOptions) -> Result<Self, BuildError> {
        let Layout {
            setup:
                Setup {
                    config,
                    variables,
                    theme,
                    renderer,
                    shortcodes,
                    mut problems,
                },
            heads: Heads { pages, drafts, .. },
            static_files,
            file_urls,
            tree,
            ..
        } = Layout::read(options)?;
        let tree = match tree {
            Ok(tree) => Some(tree),
            Err(mut p) => {
                problems.append(&mut p);
                None
            }
        };
        match (renderer, tree) {
            (Some(renderer), Some(tree)) if problems.is_empty() => Ok(Parts {
                config,
                variables,
                theme,
                renderer,
                shortcodes,
                pages,
                static_files,
                file_urls,
                drafts,
            }
            .into_site(
                options,
                SiteWide {
                    tree,
                    link_index: Arc::default(),
                    external_links: Vec::new(),
                    warnings: Vec::new(),
                },
                false,
            )),
            _ => Err(BuildError::Diagnostics(sorted(problems))),
        }
    }

    fn site_wide(&self) -> SiteWide {
        SiteWide {
            tree: self.tree.clone(),
            link_index: self.link_index.clone(),
            external_links: self.external_links.clone(),
            warnings: self.warnings.clone(),
        }
    }

    /// The site with its theme read again after a template changed: the site-wide stages
    /// run as [`Change::Templates`] asks, so a template edit costs parsing the templates,
    /// not re-making every page. `self` is left as it was.
    pub fn with_templates_reloaded(&self) -> Result<Site, Vec<Diagnostic>> {
        let theme = Theme::load(&self.root, &self.config.theme).map_err(|d| vec![d])?;
        let renderer = Renderer::new(&theme).map_err(sorted)?;
        let site_wide = run_site_stages(
            &StageInputs {
                pages: &self.pages,
                file_urls: &self.file_urls,
                drafts: &self.drafts,
                links: &self.config.links,
                docsets: &self.config.docsets,
                redirects: &self.config.redirects,
                renderer: Some(&renderer),
            },
            Change::Templates,
            Some(&self.site_wide()),
            Phase::All,
        )?;
        Ok(Site {
            theme: Arc::new(theme),
            renderer: Arc::new(renderer),
            tree: site_wide.tree,
            link_index: site_wide.link_index,
            external_links: site_wide.external_links,
            warnings: site_wide.warnings,
            ..self.clone()
        })
    }

    /// The site with some Markdown files changed: the changed pages' own stages, then the
    /// site-wide stages as [`Change::Pages`] asks. `self` is left as it was, so a failed
    /// revision keeps the last good site.
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
                    let (page, mut page_problems) =
                        page::process(&source, &self.variables, &self.shortcodes);
                    problems.append(&mut page_problems);
                    if page.is_draft() && !self.options.drafts {
                        drafts.insert(page.url.clone(), page.source_path.clone());
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
        let site_wide = run_site_stages(
            &StageInputs {
                pages: &pages,
                file_urls: &self.file_urls,
                drafts: &drafts,
                links: &self.config.links,
                docsets: &self.config.docsets,
                redirects: &self.config.redirects,
                renderer: Some(&self.renderer),
            },
            Change::Pages {
                changed: &changed_urls,
                shape: shape_changed,
            },
            Some(&self.site_wide()),
            Phase::All,
        );
        let site_wide = match site_wide {
            Ok(site_wide) if problems.is_empty() => site_wide,
            Ok(_) => return Err(sorted(problems)),
            Err(mut p) => {
                problems.append(&mut p);
                return Err(sorted(problems));
            }
        };
        let revision = if shape_changed {
            Revision::Shape
        } else {
            Revision::Bodies(changed_urls)
        };
        let site = Site {
            redirects: Arc::new(Redirects::of_site(
                &self.config.docsets,
                &self.config.redirects,
                page::aliases(&pages),
            )),
            pages,
            tree: site_wide.tree,
            link_index: site_wide.link_index,
            external_links: site_wide.external_links,
            warnings: site_wide.warnings,
            drafts,
            ..self.clone()
        };
        Ok((site, revision))
    }

    /// A generated entry's files (one, or a folder's); none when the theme does not make
    /// it (no `404.html`).
    pub fn generated(&self, file: Generated) -> Result<Vec<OutputFile>, Diagnostic> {
        make_generated(
            file,
            &self.config,
            &self.renderer,
            &self.pages,
            &self.tree,
            || search::index(&self.pages, search::release_scopes(&self.config.docsets)),
        )
    }

    /// Every warning of the site: the site-wide stages' ([`Site::warnings`]) and each
    /// page's own ([`Page::warnings`]), in file order.
    pub fn all_warnings(&self) -> Vec<Diagnostic> {
        let pages = self.pages.iter().flat_map(|page| &page.warnings);
        sorted(self.warnings.iter().chain(pages).cloned().collect())
    }

    pub fn page_index(&self, url: &str) -> Option<usize> {
        self.tree.index_of(url)
    }

    pub fn render_page(&self, index: usize) -> Result<String, Diagnostic> {
        if self.complete {
            return self.renderer.render_page(
                &self.config,
                &self.pages,
                &self.tree,
                index,
                &self.image_sizes,
            );
        }
        // Only laid out: make this page's body now.
        let head = &self.pages[index];
        let source = load::read(
            &self.root,
            head.source_path.clone(),
            head.content_path.clone(),
        )?;
        let (page, _) = page::process_with_front(&source, head, &self.variables, &self.shortcodes);
        self.renderer.render_body(
            &self.config,
            &self.pages,
            &self.tree,
            index,
            &page,
            &self.image_sizes,
        )
    }
}

/// A generated entry's files from the site's parts (one, or a folder's); none when the
/// theme does not make it (no `404.html`). `search_index` makes the search index's files.
fn make_generated(
    file: Generated,
    config: &SiteConfig,
    renderer: &Renderer,
    pages: &[Arc<Page>],
    tree: &SiteTree,
    search_index: impl FnOnce() -> Vec<OutputFile>,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let text = match file {
        Generated::SearchIndex => return Ok(search_index()),
        // Every published page, form pages included: they are where readers sign up. A
        // release's copy of a page the latest release also has is left to that one (its
        // canonical URL), so each page is listed once.
        Generated::Sitemap => site_files::sitemap(
            config,
            pages
                .iter()
                .map(|p| (p.url.as_str(), p.updated.as_ref().map(|u| u.date.as_str())))
                .filter(|(url, _)| {
                    config
                        .docsets
                        .canonical(url, |u| tree.index_of(u).is_some())
                        == *url
                }),
        ),
        Generated::LlmsTxt if config.llms.txt => crate::llms::llms_txt(config, pages, tree),
        Generated::LlmsTxt => return Ok(Vec::new()),
        Generated::LlmsFull if config.llms.full => crate::llms::llms_full(config, pages, tree),
        Generated::LlmsFull => return Ok(Vec::new()),
        Generated::Redirects => {
            match Redirects::of_site(&config.docsets, &config.redirects, page::aliases(pages))
                .file()
            {
                Some(text) => text,
                None => return Ok(Vec::new()),
            }
        }
        Generated::Robots => site_files::robots(config),
        Generated::Headers => site_files::headers(),
        Generated::NotFound => match renderer.render_not_found(config, pages, tree)? {
            Some(html) => html,
            None => return Ok(Vec::new()),
        },
    };
    Ok(vec![OutputFile {
        path: file.path().to_string(),
        body: text.into_bytes(),
    }])
}

/// What every run starts from: settings, theme, templates and shortcodes. Problems with
/// the templates or shortcodes are collected, so the run goes on to find the others.
struct Setup {
    config: SiteConfig,
    variables: Variables,
    theme: Theme,
    /// `None` when the templates did not parse (in `problems`).
    renderer: Option<Renderer>,
    shortcodes: Shortcodes,
    problems: Vec<Diagnostic>,
}

impl Setup {
    fn new(options: &BuildOptions) -> Result<Self, BuildError> {
        let root = &options.root;
        let config =
            SiteConfig::load(root, options.base_url.as_deref()).map_err(BuildError::Diagnostics)?;
        let theme =
            Theme::load(root, &config.theme).map_err(|d| BuildError::Diagnostics(vec![d]))?;
        let mut variables = config.variables();
        variables.history = Arc::new(crate::history::History::read(root));
        crate::markdown::keep_diagrams_under(Some(root));
        let mut problems = Vec::new();
        let renderer = match Renderer::new(&theme) {
            Ok(renderer) => Some(renderer),
            Err(mut p) => {
                problems.append(&mut p);
                None
            }
        };
        let shortcodes = Shortcodes::read_site_templates(root)
            .and_then(|site| {
                Shortcodes::new(root, config.site.clone(), theme.shortcodes.clone(), site)
            })
            .unwrap_or_else(|mut p| {
                problems.append(&mut p);
                Shortcodes::empty(root)
            });
        Ok(Self {
            config,
            variables,
            theme,
            renderer,
            shortcodes,
            problems,
        })
    }
}

/// Every URL a static or generated file is served at.
fn file_urls(theme: &Theme, static_files: &[StaticFile]) -> HashSet<String> {
    let mut urls: HashSet<String> = theme
        .static_files
        .iter()
        .map(|f| format!("/{}", f.name))
        .collect();
    urls.extend(static_files.iter().map(|f| f.url.clone()));
    urls.extend(GENERATED.map(|file| file.path().to_string()));
    urls
}

/// What `build` does after the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write the site (`gatehouse build`).
    Build,
    /// Stop after the checks; nothing is written (`gatehouse check`).
    Check,
}

/// A site laid out from its pages' heads: what `build` and `serve`'s layout-first start
/// both begin with (settings, theme and templates; every head; the layout stages run).
struct Layout {
    setup: Setup,
    heads: Heads,
    /// Every Markdown file (path, path under `content/`), in the order of `heads.slots`.
    markdown: Vec<(PathBuf, String)>,
    static_files: Vec<StaticFile>,
    file_urls: HashSet<String>,
    /// The layout stages' tree, or their problems.
    tree: Result<Arc<SiteTree>, Vec<Diagnostic>>,
}

impl Layout {
    fn read(options: &BuildOptions) -> Result<Self, BuildError> {
        let root = &options.root;
        let setup = Setup::new(options)?;
        let found = load::find(root, &setup.config.docsets).map_err(BuildError::Diagnostics)?;
        let heads = Heads::read(
            root,
            &found.markdown,
            options.drafts,
            &setup.variables.history,
        )?;
        let file_urls = file_urls(&setup.theme, &found.static_files);
        let tree = run_site_stages(
            &StageInputs {
                pages: &heads.pages,
                file_urls: &file_urls,
                drafts: &heads.drafts,
                links: &setup.config.links,
                docsets: &setup.config.docsets,
                redirects: &setup.config.redirects,
                renderer: setup.renderer.as_ref(),
            },
            Change::Everything,
            None,
            Phase::Layout,
        )
        .map(|layout| layout.tree);
        Ok(Self {
            setup,
            heads,
            markdown: found.markdown,
            static_files: found.static_files,
            file_urls,
            tree,
        })
    }
}

/// The layout's pages: every Markdown file's head ([`page::head`]), each file read for
/// its front matter only.
struct Heads {
    /// Published pages, without bodies.
    pages: Vec<Arc<Page>>,
    /// Draft URL → source, for drafts left out.
    drafts: HashMap<String, PathBuf>,
    /// Per Markdown file, in order: its place in `pages` (`None` for a draft left out)
    /// and whether its front matter was read without a problem.
    slots: Vec<Option<(usize, bool)>>,
}

impl Heads {
    fn read(
        root: &Path,
        markdown: &[(PathBuf, String)],
        with_drafts: bool,
        history: &crate::history::History,
    ) -> Result<Self, BuildError> {
        let heads: Vec<Result<(Page, bool), Diagnostic>> = markdown
            .par_iter()
            .map(|(path, content_path)| {
                load::read(root, path.clone(), content_path.clone())
                    .map(|source| page::head(&source, history))
            })
            .collect();
        let mut pages = Vec::with_capacity(heads.len());
        let mut drafts = HashMap::new();
        let mut slots = Vec::with_capacity(heads.len());
        let mut unread = Vec::new();
        for head in heads {
            match head {
                Ok((head, _)) if head.is_draft() && !with_drafts => {
                    drafts.insert(head.url.clone(), head.source_path.clone());
                    slots.push(None);
                }
                Ok((head, front_read)) => {
                    slots.push(Some((pages.len(), front_read)));
                    pages.push(Arc::new(head));
                }
                Err(problem) => {
                    unread.push(problem);
                    slots.push(None);
                }
            }
        }
        if !unread.is_empty() {
            return Err(BuildError::Diagnostics(unread));
        }
        Ok(Self {
            pages,
            drafts,
            slots,
        })
    }
}

/// One Markdown file after the streaming pass of [`build`].
struct Made {
    /// What the stages after the pass need of the page's body, for its head (by index):
    /// its anchors and links. `None` for a draft left out, or a file that could not be read.
    body: Option<(usize, HashSet<String>, Vec<page::Link>, bool)>,
    problems: Vec<Diagnostic>,
    /// The page's own warnings ([`Page::warnings`]).
    warnings: Vec<Diagnostic>,
    /// Rendering problems, reported once per distinct message ([`collapse_repeats`]).
    render_problems: Vec<Diagnostic>,
    write_error: Option<BuildError>,
    /// The page's expanded Markdown, kept for `/llms-full.txt` (`[llms] full = true`).
    markdown: Option<String>,
}

/// `gatehouse build` and `gatehouse check`: every stage, then, for [`Mode::Build`], write;
/// streaming, so only what the site-wide stages need stays in memory (see the module
/// doc). Every problem of the run is reported at once; on any, nothing is written.
pub fn build(options: &BuildOptions, mode: Mode) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let root = &options.root;
    let Layout {
        setup:
            Setup {
                config,
                variables,
                theme,
                renderer,
                shortcodes,
                mut problems,
            },
        heads: Heads {
            pages,
            drafts,
            slots,
        },
        markdown,
        static_files,
        file_urls,
        tree,
    } = Layout::read(options)?;
    let tree = match tree {
        Ok(tree) => tree,
        Err(mut p) => {
            problems.append(&mut p);
            Arc::new(SiteTree::new(&pages))
        }
    };
    let checking = started.elapsed();
    // Only when pages are written: `check` renders nothing.
    let image_sizes = match mode {
        Mode::Build => ImageSizes::read(&static_files),
        _ => ImageSizes::default(),
    };

    // Each page in full, rendered and written as soon as it is made (unless a problem
    // already means nothing will be written).
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let staging = match (mode, &renderer) {
        (Mode::Build, Some(renderer)) if problems.is_empty() => {
            let staging = Staging::create(&out).map_err(|source| BuildError::Write {
                path: out.clone(),
                source,
            })?;
            Some((staging, renderer))
        }
        _ => None,
    };
    // The search index's page fragments are written during the pass (numbered by URL,
    // known from the heads); its terms are joined at the end.
    let search_numbers = search::page_numbers(&pages);
    let fragments = search::FragmentFiles::new(search_numbers.iter().flatten().count());
    let make = |(path, content_path): (PathBuf, String),
                slot: Option<(usize, bool)>,
                search: &mut SearchBuilder| {
        let mut made = Made {
            body: None,
            problems: Vec::new(),
            warnings: Vec::new(),
            render_problems: Vec::new(),
            write_error: None,
            markdown: None,
        };
        let source = match load::read(root, path, content_path) {
            Ok(source) => source,
            Err(problem) => {
                made.problems.push(problem);
                return made;
            }
        };
        let (page, page_problems) = match slot {
            Some((index, true)) => {
                page::process_with_front(&source, &pages[index], &variables, &shortcodes)
            }
            _ => page::process(&source, &variables, &shortcodes),
        };
        drop(source);
        made.problems = page_problems;
        let Some((index, _)) = slot else {
            return made;
        };
        let mut page = page;
        made.warnings = std::mem::take(&mut page.warnings);
        let page = Arc::new(page);
        if let Some((staging, renderer)) = &staging {
            match renderer.render_body(&config, &pages, &tree, index, &page, &image_sizes) {
                Ok(html) => {
                    made.problems.extend(form_problems(&page, &html));
                    let rel = urls::output_file(&page.url);
                    if let Err(source) = staging.write(&rel, html.as_bytes()) {
                        made.write_error = Some(BuildError::Write {
                            path: out.join(rel.trim_start_matches('/')),
                            source,
                        });
                    }
                    // Its Markdown copy beside it (`[llms] markdown = true`).
                    if config.llms.markdown
                        && let Some(markdown) = &page.markdown
                        && let Some(dir) = rel.strip_suffix("index.html")
                    {
                        let copy =
                            crate::llms::markdown_copy(markdown, &page.url, &config.base_url);
                        let md = format!("{dir}index.md");
                        if let Err(source) = staging.write(&md, copy.as_bytes()) {
                            made.write_error = Some(BuildError::Write {
                                path: out.join(md.trim_start_matches('/')),
                                source,
                            });
                        }
                    }
                }
                Err(problem) => made.render_problems.push(problem),
            }
            // The page's fragment file is written as soon as its last page is made.
            if let Some(fragment) = search.add_streamed(&page)
                && let Some(number) = search_numbers[index]
                && let Some(file) = fragments.put(number, fragment)
                && let Err(source) = staging.write(&file.path, &file.body)
            {
                made.write_error.get_or_insert(BuildError::Write {
                    path: out.join(file.path.trim_start_matches('/')),
                    source,
                });
            }
        }
        // `check` writes nothing, but the pages with forms (a form page's template, a
        // `{% form %}`) are drawn, so their forms are checked against the backend too.
        if staging.is_none()
            && let Some(renderer) = &renderer
            && (!page.forms.is_empty() || page.front.template.is_some())
        {
            match renderer.render_body(&config, &pages, &tree, index, &page, &image_sizes) {
                Ok(html) => made.problems.extend(form_problems(&page, &html)),
                Err(problem) => made.render_problems.push(problem),
            }
        }
        // The body is written: keep only what the link check needs of it, and the
        // Markdown for `/llms-full.txt`.
        let page = Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone());
        made.body = Some((index, page.anchors, page.links, page.reader));
        made.markdown = page.markdown.filter(|_| config.llms.full);
        made
    };
    let (made, search) = markdown
        .into_par_iter()
        .zip(slots.into_par_iter())
        .fold(
            || (Vec::new(), SearchBuilder::streamed()),
            |(mut made, mut search), (file, slot)| {
                made.push(make(file, slot, &mut search));
                (made, search)
            },
        )
        .reduce(
            || (Vec::new(), SearchBuilder::streamed()),
            |(mut made, search), (more, other)| {
                made.extend(more);
                (made, search.merge(other))
            },
        );
    // Nothing else holds the heads now: each takes its anchors and links in place.
    let mut pages = pages;
    let mut render_problems = Vec::new();
    let mut page_warnings = Vec::new();
    for made in made {
        if let Some(error) = made.write_error {
            return Err(error);
        }
        problems.extend(made.problems);
        page_warnings.extend(made.warnings);
        render_problems.extend(made.render_problems);
        if let Some((index, anchors, links, reader)) = made.body {
            let page = Arc::make_mut(&mut pages[index]);
            page.anchors = anchors;
            page.links = links;
            page.reader = reader;
            page.markdown = made.markdown;
        }
    }

    // The stages that needed the bodies.
    let layout = SiteWide {
        tree: tree.clone(),
        link_index: Arc::default(),
        external_links: Vec::new(),
        warnings: Vec::new(),
    };
    let site_wide = run_site_stages(
        &StageInputs {
            pages: &pages,
            file_urls: &file_urls,
            drafts: &drafts,
            links: &config.links,
            docsets: &config.docsets,
            redirects: &config.redirects,
            renderer: renderer.as_ref(),
        },
        Change::Everything,
        Some(&layout),
        Phase::Bodies,
    );
    let site_wide = match site_wide {
        Ok(site_wide) if problems.is_empty() && render_problems.is_empty() => site_wide,
        Ok(_) => {
            problems.extend(collapse_repeats(sorted(render_problems)));
            return Err(BuildError::Diagnostics(sorted(problems)));
        }
        Err(p) => {
            problems.extend(p);
            problems.extend(collapse_repeats(sorted(render_problems)));
            return Err(BuildError::Diagnostics(sorted(problems)));
        }
    };
    let report = |files| BuildReport {
        pages: pages.len(),
        files,
        elapsed: started.elapsed(),
        checking,
        history: variables.history.took(),
        external_links: site_wide.external_links.clone(),
        notes: Vec::new(),
        warnings: sorted(
            site_wide
                .warnings
                .iter()
                .chain(&page_warnings)
                .cloned()
                .collect(),
        ),
    };
    let Some((staging, renderer)) = staging else {
        return Ok(report(0));
    };

    let write = |rel: &str, bytes: &[u8]| {
        staging
            .write(rel, bytes)
            .map_err(|source| BuildError::Write {
                path: out.join(rel.trim_start_matches('/')),
                source,
            })
    };
    let diagnostic = |d| BuildError::Diagnostics(vec![d]);
    let mut search = Some(search);
    for file in GENERATED {
        let files = make_generated(file, &config, renderer, &pages, &tree, || {
            search
                .take()
                .map(|s| {
                    s.with_releases(search::release_scopes(&config.docsets))
                        .finish()
                })
                .unwrap_or_default()
        })
        .map_err(diagnostic)?;
        files.par_iter().try_for_each(|f| write(&f.path, &f.body))?;
    }
    for page in &pages {
        for alias in &page.front.aliases {
            let html = renderer
                .render_redirect(&config, &page.url)
                .map_err(diagnostic)?;
            write(&urls::output_file(alias), html.as_bytes())?;
        }
    }
    // The site's own static files are copied last so they win over the theme's.
    for file in &theme.static_files {
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
    }
    let copies: Result<Vec<()>, BuildError> = static_files
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
    let written = staging.commit().map_err(|source| BuildError::Write {
        path: out.clone(),
        source,
    })?;
    let mut report = report(written.files);
    report.warnings.extend(hosting::check(
        config.workers_plan,
        &out,
        written.files,
        &written.oversized,
    ));
    // The Worker runs first for the pages it fills in for their reader (wrangler.toml).
    let wrangler = root.join("wrangler.toml");
    if config.workers_plan != hosting::WorkersPlan::None
        && let Ok(toml) = std::fs::read_to_string(&wrangler)
    {
        let readers = pages.iter().filter(|p| p.reader).map(|p| p.url.as_str());
        match hosting::worker_routes(Path::new("wrangler.toml"), &toml, readers) {
            hosting::WorkerRoutes::Unchanged => {}
            hosting::WorkerRoutes::Updated { text, pages } => {
                std::fs::write(&wrangler, text).map_err(|source| BuildError::Write {
                    path: wrangler.clone(),
                    source,
                })?;
                report.notes.push(format!(
                    "updated wrangler.toml: the Worker runs first for the {pages} page(s) it fills in for their reader"
                ));
            }
            hosting::WorkerRoutes::Missing(warning) => report.warnings.push(warning),
        }
    }
    Ok(report)
}

/// The forms of a rendered page that the backend would not take ([`crate::forms::check`]).
fn form_problems(page: &Page, html: &str) -> Vec<Diagnostic> {
    crate::forms::check(html)
        .into_iter()
        .map(|message| Diagnostic::file(&page.source_path, message))
        .collect()
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
                    &page.source_path,
                    format!("alias '{alias}' must be a site path starting and ending with '/' (e.g. '/old/path/')"),
                ));
                continue;
            };
            if page_urls.contains(normalised.as_str()) {
                problems.push(Diagnostic::file(
                    &page.source_path,
                    format!("alias '{alias}' is already a page's URL"),
                ));
            } else if let Some(other) = seen.insert(normalised, &page.source_path) {
                problems.push(Diagnostic::file(
                    &page.source_path,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn small_site() -> (tempfile::TempDir, Site) {
        let dir = crate::test_support::fixture_copy("small");
        let site = Site::load(&BuildOptions {
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        (dir, site)
    }

    fn upsert(content_path: &str, text: &str) -> PageChange {
        PageChange::Upsert(page::SourceFile {
            path: Path::new("content").join(content_path),
            content_path: content_path.to_string(),
            text: text.to_string(),
        })
    }

    fn messages(problems: Vec<Diagnostic>) -> Vec<String> {
        problems.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_fresh_build_runs_every_stage_over_every_page() {
        for stage in SITE_STAGES {
            assert_eq!(stage.coverage(Change::Everything), Coverage::All);
        }
        let body_only = Change::Pages {
            changed: &[],
            shape: false,
        };
        let covered: Vec<Coverage> = SITE_STAGES.map(|s| s.coverage(body_only)).to_vec();
        assert_eq!(
            covered,
            [
                Coverage::Skip,
                Coverage::Skip,
                Coverage::Changed,
                Coverage::Changed
            ]
        );
    }

    /// Each revision goes through the same stages as a build: an alias problem, a broken
    /// link and a missing template are each caught by the revision that can cause them.
    #[test]
    fn revisions_run_the_site_wide_stages() {
        let (_dir, site) = small_site();
        let alias_on_a_page = upsert("guide/beta.md", "---\naliases: [/guide/]\n---\nB\n");
        let problems = site.revise(vec![alias_on_a_page]).err().unwrap();
        assert_eq!(
            messages(problems),
            ["alias '/guide/' is already a page's URL"]
        );

        let broken = upsert("guide/alpha.md", "---\ntitle: Alpha\n---\n[x](/nowhere/)\n");
        let problems = site.revise(vec![broken]).err().unwrap();
        assert!(messages(problems)[0].starts_with("broken link '/nowhere/'"));

        let no_template = upsert(
            "guide/alpha.md",
            "---\ntitle: Alpha\ntemplate: x.html\n---\n",
        );
        let problems = site.revise(vec![no_template]).err().unwrap();
        assert!(messages(problems)[0].starts_with("template 'x.html' not found"));
    }

    /// A body edit checks its page's links against the index of link targets it
    /// already has (indexing every page again costs ~50 ms at 100,000 pages); a change of
    /// shape makes a new one.
    #[test]
    fn a_body_revision_keeps_the_link_index_and_a_shape_change_renews_it() {
        let (_dir, site) = small_site();
        let body = "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\nMore text.\n";
        let (next, revision) = site
            .revise(vec![upsert("guide/alpha.md", body)])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(revision, Revision::Bodies(_)), "{revision:?}");
        assert!(Arc::ptr_eq(&site.link_index, &next.link_index));
        let renamed = "---\ntitle: Alpha\nweight: 1\naliases: [/alpha-old/]\n---\n## Install\n";
        let (next, revision) = next
            .revise(vec![upsert("guide/alpha.md", renamed)])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(revision, Revision::Shape);
        assert!(!Arc::ptr_eq(&site.link_index, &next.link_index));
        let linking = "---\ntitle: Beta\n---\n[old](/alpha-old/#install)\n";
        assert!(next.revise(vec![upsert("guide/beta.md", linking)]).is_ok());
    }

    #[test]
    fn a_body_revision_updates_that_pages_external_links_only() {
        let (_dir, site) = small_site();
        let before = site.external_links.len();
        let (site, revision) = site
            .revise(vec![upsert(
                "guide/alpha.md",
                "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\n[x](https://example.com/)\n",
            )])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(revision, Revision::Bodies(_)), "{revision:?}");
        let alpha: Vec<&str> = site
            .external_links
            .iter()
            .filter(|l| l.source.ends_with("alpha.md"))
            .map(|l| l.href.as_str())
            .collect();
        assert_eq!(alpha, ["https://example.com/"]);
        assert!(site.external_links.len() <= before + 1);
    }

    /// Link warnings (`[links] level = "warn"`) outlive revisions that do not look at every
    /// page: a body edit elsewhere keeps them, fixing the page drops its own.
    #[test]
    fn warnings_survive_revisions_of_other_pages() {
        let dir = crate::test_support::fixture_copy("small");
        let config = dir.path().join("site.toml");
        let text = std::fs::read_to_string(&config).unwrap() + "\n[links]\nlevel = \"warn\"\n";
        std::fs::write(&config, text).unwrap();
        let broken = "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\n[x](/nowhere/)\n";
        std::fs::write(dir.path().join("content/guide/alpha.md"), broken).unwrap();
        let site = Site::load(&BuildOptions {
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(site.warnings.len(), 1, "{:?}", site.warnings);
        let home = std::fs::read_to_string(dir.path().join("content/index.md")).unwrap();
        let (site, _) = site
            .revise(vec![upsert("index.md", &(home + "\nMore.\n"))])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            site.warnings.len(),
            1,
            "another page's edit keeps the warning"
        );
        let site = site
            .with_templates_reloaded()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(site.warnings.len(), 1, "a template reload keeps it");
        let fixed = "---\ntitle: Alpha\nweight: 1\n---\n## Install\n";
        let (site, _) = site
            .revise(vec![upsert("guide/alpha.md", fixed)])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            site.warnings,
            Vec::new(),
            "fixing the page drops its warning"
        );
    }

    /// The link check runs after the pages were rendered into the staging folder: a
    /// broken link found then still leaves the output as it was, and no staging folder.
    #[test]
    fn a_problem_found_after_the_pages_were_written_leaves_the_output_alone() {
        let dir = crate::test_support::fixture_copy("small");
        let broken = "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\n[x](/nowhere/)\n";
        std::fs::write(dir.path().join("content/guide/alpha.md"), broken).unwrap();
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        std::fs::create_dir_all(&public).unwrap();
        std::fs::write(public.join("old.html"), "previous build").unwrap();
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            out: Some(public.clone()),
            ..BuildOptions::default()
        };
        let Err(BuildError::Diagnostics(problems)) = build(&options, Mode::Build) else {
            panic!("a broken link fails the build");
        };
        assert!(messages(problems)[0].starts_with("broken link '/nowhere/'"));
        let left: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["public"], "the staging folder is gone");
        let kept: Vec<_> = std::fs::read_dir(&public)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(kept, ["old.html"]);
    }

    #[test]
    fn the_build_streams_the_same_search_index_the_whole_site_makes() {
        let dir = crate::test_support::fixture_copy("small");
        let many = dir.path().join("content/many");
        std::fs::create_dir_all(&many).unwrap();
        std::fs::write(many.join("index.md"), "---\ntitle: Many\n---\nSection.\n").unwrap();
        for i in 0..29 {
            let hidden = if i == 7 {
                "in_search_index: false\n"
            } else {
                ""
            };
            std::fs::write(
                many.join(format!("page-{i}.md")),
                format!(
                    "---\ntitle: Page {i}\n{hidden}---\n## Part {i}\n\nWords {i} about runtimes.\n"
                ),
            )
            .unwrap();
        }
        let out = tempfile::tempdir().unwrap();
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            out: Some(out.path().join("public")),
            ..BuildOptions::default()
        };
        build(&options, Mode::Build).unwrap_or_else(|e| panic!("{e:?}"));
        let whole = Site::load(&options)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .generated(Generated::SearchIndex)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(whole.len() > 5, "meta, a chunk and several fragment files");
        for file in &whole {
            let written = std::fs::read(out.path().join("public").join(&file.path[1..]))
                .unwrap_or_else(|e| panic!("{}: {e}", file.path));
            assert!(written == file.body, "{} differs", file.path);
        }
        let written = std::fs::read_dir(out.path().join("public/search/pages"))
            .unwrap()
            .count();
        assert_eq!(
            written,
            whole.iter().filter(|f| f.path.contains("/pages/")).count()
        );
    }

    /// `serve` answers a large site from its layout: each page made when rendered is the
    /// page the whole site renders.
    #[test]
    fn a_laid_out_site_renders_what_the_made_site_renders() {
        let (dir, site) = small_site();
        let laid_out = Site::layout(&BuildOptions {
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(site.complete && !laid_out.complete);
        assert_eq!(laid_out.pages.len(), site.pages.len());
        for (i, page) in site.pages.iter().enumerate() {
            let at = laid_out.page_index(&page.url).unwrap();
            assert_eq!(
                laid_out.render_page(at).unwrap_or_else(|e| panic!("{e}")),
                site.render_page(i).unwrap_or_else(|e| panic!("{e}")),
                "{}",
                page.url
            );
        }
    }

    #[test]
    fn a_template_reload_checks_every_pages_template() {
        let (dir, site) = small_site();
        std::fs::remove_file(dir.path().join("themes/default/templates/page.html")).unwrap();
        let problems = site.with_templates_reloaded().err().unwrap();
        assert!(messages(problems)[0].starts_with("template 'page.html' not found"));
    }
}
