//! Templates: pages, the 404 page and alias redirects through the theme's Tera templates.
//!
//! Templates get references and small summaries (the sidebar is the top level plus the
//! current path, each level bounded: [`crate::tree`]), never whole sections, so
//! rendering stays linear in the page count and a page's size does not grow with the
//! site.

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use tera::{Context, Tera};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::markdown::TocEntry;
use crate::page::{Page, PageKind};
use crate::theme::Theme;
use crate::tree::{ChildRef, Nav, PageRef, SiteTree};

pub struct Renderer {
    tera: Tera,
    theme_origin: String,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    permalink: String,
    content: &'a str,
    toc: &'a [TocEntry],
    show_toc: bool,
    extra: &'a Map<String, Value>,
    source: String,
    is_section: bool,
    children: Vec<ChildRef<'a>>,
    breadcrumbs: Vec<PageRef<'a>>,
    prev: Option<PageRef<'a>>,
    next: Option<PageRef<'a>>,
    template: &'a str,
}

const FALLBACK_REDIRECT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirecting…</title><link rel=\"canonical\" href=\"{{ target }}\"><meta http-equiv=\"refresh\" content=\"0; url={{ target }}\"></head><body><p>This page has moved to <a href=\"{{ target }}\">{{ target }}</a>.</p></body></html>";

impl Renderer {
    pub fn new(theme: &Theme) -> Result<Self, Vec<Diagnostic>> {
        let mut tera = Tera::default();
        // Tera's default also escapes `/` (as `&#x2F;`), which makes every URL in the
        // output unreadable and larger for no safety gain inside quoted attributes.
        tera.set_escape_fn(edge::html::escape);
        let mut templates: Vec<(&str, &str)> = theme
            .templates
            .iter()
            .map(|(file, text)| (file.name.as_str(), text.as_str()))
            .collect();
        if !templates.iter().any(|(name, _)| *name == "redirect.html") {
            templates.push(("redirect.html", FALLBACK_REDIRECT));
        }
        tera.add_raw_templates(templates).map_err(|e| {
            vec![Diagnostic::file(
                theme.origin.clone() + "/templates",
                format!("template error: {}", error_chain(&e)),
            )]
        })?;
        Ok(Self {
            tera,
            theme_origin: theme.origin.clone(),
        })
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    pub fn template_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tera.get_template_names().collect();
        names.sort_unstable();
        names
    }

    pub fn template_for(page: &Page) -> &str {
        if let Some(name) = &page.front.template {
            return name;
        }
        match page.kind {
            PageKind::Home => "home.html",
            PageKind::Section => "section.html",
            PageKind::Page => "page.html",
        }
    }

    /// The templates every page asks for must exist; checked up front so a missing one
    /// is one clear error per page rather than a render failure.
    pub fn check_templates(&self, pages: &[Arc<Page>]) -> Vec<Diagnostic> {
        pages
            .iter()
            .filter(|page| !self.has_template(Self::template_for(page)))
            .map(|page| {
                Diagnostic::file(
                    &page.source_path,
                    format!(
                        "template '{}' not found in {} (it has: {})",
                        Self::template_for(page),
                        self.theme_origin,
                        self.template_names().join(", ")
                    ),
                )
            })
            .collect()
    }

    pub fn render_page(
        &self,
        config: &SiteConfig,
        pages: &[Arc<Page>],
        tree: &SiteTree,
        index: usize,
    ) -> Result<String, Diagnostic> {
        self.render_body(config, pages, tree, index, &pages[index])
    }

    /// Renders `pages[index]` with the body (HTML, table of contents) of `page`, the same
    /// page made in full: `build` lays the site out from pages without bodies
    /// ([`crate::page::head`]) and makes each body only when its turn comes.
    pub fn render_body(
        &self,
        config: &SiteConfig,
        pages: &[Arc<Page>],
        tree: &SiteTree,
        index: usize,
        page: &Page,
    ) -> Result<String, Diagnostic> {
        let template = Self::template_for(page);
        let (prev, next) = tree.prev_next(pages, index);
        let is_section = page.kind != PageKind::Page;
        let context = PageContext {
            title: &page.title,
            description: page.front.description.as_deref().unwrap_or(""),
            url: &page.url,
            permalink: format!("{}{}", config.base_url, page.url),
            content: &page.html,
            toc: &page.toc,
            show_toc: page.front.toc.unwrap_or(true) && !page.toc.is_empty(),
            extra: &page.front.extra,
            source: crate::diagnostic::display_path(&page.source_path),
            is_section,
            children: if is_section {
                tree.children(pages, index)
            } else {
                Vec::new()
            },
            breadcrumbs: tree.breadcrumbs(pages, index),
            prev,
            next,
            template,
        };
        let mut ctx = Context::new();
        ctx.insert("site", &config.site);
        ctx.insert("page", &context);
        insert_nav(&mut ctx, &tree.nav(pages, Some(index)), &config.title);
        self.tera.render(template, &ctx).map_err(|e| {
            Diagnostic::file(
                &page.source_path,
                format!(
                    "cannot render with template '{template}': {}",
                    error_chain(&e)
                ),
            )
        })
    }

    pub fn render_not_found(
        &self,
        config: &SiteConfig,
        pages: &[Arc<Page>],
        tree: &SiteTree,
    ) -> Result<Option<String>, Diagnostic> {
        if !self.has_template("404.html") {
            return Ok(None);
        }
        let empty = Map::new();
        let context = PageContext {
            title: "Page not found",
            description: "",
            url: "/404.html",
            permalink: format!("{}/404.html", config.base_url),
            content: "",
            toc: &[],
            show_toc: false,
            extra: &empty,
            source: String::new(),
            is_section: false,
            children: Vec::new(),
            breadcrumbs: Vec::new(),
            prev: None,
            next: None,
            template: "404.html",
        };
        let mut ctx = Context::new();
        ctx.insert("site", &config.site);
        ctx.insert("page", &context);
        insert_nav(&mut ctx, &tree.nav(pages, None), &config.title);
        self.tera.render("404.html", &ctx).map(Some).map_err(|e| {
            Diagnostic::file(
                format!("{}/templates/404.html", self.theme_origin),
                format!("cannot render: {}", error_chain(&e)),
            )
        })
    }

    pub fn render_redirect(&self, config: &SiteConfig, target: &str) -> Result<String, Diagnostic> {
        let mut ctx = Context::new();
        ctx.insert("site", &config.site);
        ctx.insert("target", target);
        insert_nav(
            &mut ctx,
            &Nav {
                items: Vec::new(),
                more: 0,
            },
            &config.title,
        );
        self.tera.render("redirect.html", &ctx).map_err(|e| {
            Diagnostic::file(
                format!("{}/templates/redirect.html", self.theme_origin),
                format!("cannot render: {}", error_chain(&e)),
            )
        })
    }
}

/// The sidebar as templates see it: `nav_html`, its entries written out
/// ([`crate::sidebar`]), and the same as data for a theme that writes its own: `nav`,
/// the top level (each entry with its `children` when on the path, and `more`, how
/// many children it leaves out), and `nav_more`, how many top-level entries it leaves
/// out.
fn insert_nav(ctx: &mut Context, nav: &Nav<'_>, site_title: &str) {
    ctx.insert("nav_html", &crate::sidebar::html(nav, site_title));
    ctx.insert("nav", &nav.items);
    ctx.insert("nav_more", &nav.more);
}

/// Tera hides the useful part of its errors in the source chain.
fn error_chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
