//! Templates: pages, the 404 page and alias redirects through the theme's Tera templates.
//!
//! Templates get references and small summaries (the sidebar is the top level plus the
//! current path, each level bounded: [`crate::tree`]), never whole sections, so
//! rendering stays linear in the page count and a page's size does not grow with the
//! site.

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};
use tera::{Context, Tera};

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, error_chain};
use crate::images::ImageSizes;
use crate::markdown::TocEntry;
use crate::page::{Page, PageKind};
use crate::theme::Theme;
use crate::tree::{ChildRef, Nav, PageRef, SiteTree};
use crate::versions::VersionContext;

pub struct Renderer {
    tera: Tera,
    theme_origin: String,
    /// Whether a template reads the sidebar as data (`nav`, `nav_more`): made only
    /// then, as turning it into Tera's values costs more than writing `nav_html`.
    nav_data: bool,
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
    /// Where search engines should look: the same page in the latest release for a
    /// versioned page ([`crate::versions::Docsets::canonical`]), else `permalink`.
    canonical: String,
    /// The switcher and banner of a versioned page.
    version: Option<VersionContext>,
    /// Whether the page has reader markers (it loads `/js/reader.js`: [`crate::reader`]).
    reader: bool,
    /// Whether the page embeds a form of the backend (it loads the forms' script).
    forms: bool,
    /// When the page last changed ([`crate::history::Updated`]).
    updated: Option<&'a crate::history::Updated>,
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
        let nav_data = tera.get_template_names().any(|name| {
            tera.get_template(name)
                .is_ok_and(|template| nodes_read(&template.ast, &["nav", "nav_more"]))
        });
        Ok(Self {
            tera,
            theme_origin: theme.origin.clone(),
            nav_data,
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
        images: &ImageSizes,
    ) -> Result<String, Diagnostic> {
        self.render_body(config, pages, tree, index, &pages[index], images)
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
        images: &ImageSizes,
    ) -> Result<String, Diagnostic> {
        let template = Self::template_for(page);
        let (prev, next) = tree.prev_next(pages, index);
        let in_order = |link: &Option<PageRef<'_>>| {
            link.as_ref()
                .is_some_and(|l| config.docsets.keeps_in_reading_order(&page.url, l.url))
        };
        let prev = if in_order(&prev) { prev } else { None };
        let next = if in_order(&next) { next } else { None };
        let is_section = page.kind != PageKind::Page;
        let exists = |url: &str| tree.index_of(url).is_some();
        let canonical = format!(
            "{}{}",
            config.base_url,
            config.docsets.canonical(&page.url, exists)
        );
        let body = self.embed_forms(config, page)?;
        let context = PageContext {
            title: &page.title,
            description: page.front.description.as_deref().unwrap_or(""),
            url: &page.url,
            permalink: format!("{}{}", config.base_url, page.url),
            content: &crate::images::apply(&body, &page.url, images),
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
            canonical,
            reader: page.reader,
            forms: !page.forms.is_empty(),
            updated: page.updated.as_ref(),
            version: config
                .docsets
                .context(&page.url, exists)
                .map(|mut version| {
                    version.html = crate::switcher::html(&version);
                    version
                }),
        };
        let mut ctx = Context::new();
        ctx.insert("site", &config.site);
        ctx.insert("page", &context);
        let hide = |other: &Page| config.docsets.hides_from_nav(&page.url, &other.url);
        self.insert_nav(
            &mut ctx,
            &tree.nav_without(pages, Some(index), &hide),
            &config.title,
        );
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

    /// The page's HTML with its `{% form NAME %}` drawn by the theme ([`crate::forms`]),
    /// each posting back to this page when refused.
    fn embed_forms<'p>(
        &self,
        config: &SiteConfig,
        page: &'p Page,
    ) -> Result<std::borrow::Cow<'p, str>, Diagnostic> {
        if page.forms.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(&page.html));
        }
        if !self.has_template(crate::forms::TEMPLATE) {
            return Err(Diagnostic::file(
                &page.source_path,
                format!(
                    "`{{% form %}}` needs the theme's templates/{}, which draws the forms in pages",
                    crate::forms::TEMPLATE
                ),
            ));
        }
        crate::forms::embed(&page.html, |name| {
            let mut ctx = Context::new();
            ctx.insert("site", &config.site);
            ctx.insert("form", name);
            ctx.insert("return_to", &page.url);
            self.tera.render(crate::forms::TEMPLATE, &ctx).map_err(|e| {
                Diagnostic::file(
                    &page.source_path,
                    format!(
                        "cannot draw `{{% form {name} %}}` with templates/{}: {}",
                        crate::forms::TEMPLATE,
                        error_chain(&e)
                    ),
                )
            })
        })
        .map(std::borrow::Cow::Owned)
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
            canonical: format!("{}/404.html", config.base_url),
            version: None,
            reader: false,
            forms: false,
            updated: None,
        };
        let mut ctx = Context::new();
        ctx.insert("site", &config.site);
        ctx.insert("page", &context);
        self.insert_nav(&mut ctx, &tree.nav(pages, None), &config.title);
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
        self.insert_nav(
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

impl Renderer {
    /// The sidebar as templates see it: `nav_html`, its entries written out
    /// ([`crate::sidebar`]), and, when a template reads them, the same as data for a
    /// theme that writes its own: `nav`, the top level (each entry with its `children`
    /// when on the path, and `more`, how many children it leaves out), and `nav_more`,
    /// how many top-level entries it leaves out.
    fn insert_nav(&self, ctx: &mut Context, nav: &Nav<'_>, site_title: &str) {
        ctx.insert("nav_html", &crate::sidebar::html(nav, site_title));
        if self.nav_data {
            ctx.insert("nav", &nav.items);
            ctx.insert("nav_more", &nav.more);
        }
    }
}

/// Whether template nodes read any of the context variables `names` (or the whole
/// context, `__tera_context`).
fn nodes_read(nodes: &[Node], names: &[&str]) -> bool {
    nodes.iter().any(|node| match node {
        Node::VariableBlock(_, expr) => expr_reads(expr, names),
        Node::MacroDefinition(_, definition, _) => {
            definition
                .args
                .values()
                .flatten()
                .any(|expr| expr_reads(expr, names))
                || nodes_read(&definition.body, names)
        }
        Node::Set(_, set) => expr_reads(&set.value, names),
        Node::FilterSection(_, section, _) => {
            call_reads(&section.filter, names) || nodes_read(&section.body, names)
        }
        Node::Block(_, block, _) => nodes_read(&block.body, names),
        Node::Forloop(_, forloop, _) => {
            expr_reads(&forloop.container, names)
                || nodes_read(&forloop.body, names)
                || forloop
                    .empty_body
                    .as_ref()
                    .is_some_and(|body| nodes_read(body, names))
        }
        Node::If(branches, _) => {
            branches
                .conditions
                .iter()
                .any(|(_, expr, body)| expr_reads(expr, names) || nodes_read(body, names))
                || branches
                    .otherwise
                    .as_ref()
                    .is_some_and(|(_, body)| nodes_read(body, names))
        }
        Node::Super
        | Node::Text(_)
        | Node::Extends(..)
        | Node::Include(..)
        | Node::ImportMacro(..)
        | Node::Raw(..)
        | Node::Break(_)
        | Node::Continue(_)
        | Node::Comment(..) => false,
    })
}

fn expr_reads(expr: &Expr, names: &[&str]) -> bool {
    let value = match &expr.val {
        ExprVal::Ident(ident) => ident_reads(ident, names),
        ExprVal::Test(test) => {
            ident_reads(&test.ident, names) || test.args.iter().any(|e| expr_reads(e, names))
        }
        ExprVal::Math(math) => expr_reads(&math.lhs, names) || expr_reads(&math.rhs, names),
        ExprVal::Logic(logic) => expr_reads(&logic.lhs, names) || expr_reads(&logic.rhs, names),
        ExprVal::In(within) => expr_reads(&within.lhs, names) || expr_reads(&within.rhs, names),
        ExprVal::MacroCall(call) => call.args.values().any(|e| expr_reads(e, names)),
        ExprVal::FunctionCall(call) => call_reads(call, names),
        ExprVal::Array(items) => items.iter().any(|e| expr_reads(e, names)),
        ExprVal::StringConcat(concat) => concat
            .values
            .iter()
            .any(|value| matches!(value, ExprVal::Ident(ident) if ident_reads(ident, names))),
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => false,
    };
    value || expr.filters.iter().any(|filter| call_reads(filter, names))
}

fn call_reads(call: &FunctionCall, names: &[&str]) -> bool {
    call.args.values().any(|e| expr_reads(e, names))
}

/// `nav`, `nav.x` or `nav[0]` read `nav`; `__tera_context` reads everything.
fn ident_reads(ident: &str, names: &[&str]) -> bool {
    ident == "__tera_context"
        || names.iter().any(|name| {
            ident
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::{FileData, ThemeFile};

    fn renderer(templates: &[(&str, &str)]) -> Renderer {
        let theme = Theme {
            name: "t".into(),
            origin: "themes/t".into(),
            templates: templates
                .iter()
                .map(|(name, text)| {
                    let file = ThemeFile {
                        name: (*name).into(),
                        data: FileData::Embedded(b""),
                    };
                    (file, (*text).to_string())
                })
                .collect(),
            static_files: Vec::new(),
            shortcodes: Vec::new(),
        };
        Renderer::new(&theme).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The sidebar as data is made for the themes that read it, wherever they do.
    #[test]
    fn sidebar_data_is_made_when_a_template_reads_it() {
        for text in [
            "{% for item in nav %}{{ item.title }}{% endfor %}",
            "{{ nav_more }}",
            "{% if x %}{% else %}{{ nav.0.title | upper }}{% endif %}",
            "{% macro m() %}{{ self::n(items=nav) }}{% endmacro m %}{% macro n(items) %}{% endmacro n %}",
            "{{ f(a=nav) }}",
            "{{ page.title | default(value=nav) }}",
            "{% set x = nav | length + 1 %}",
            "{% if nav is defined %}{% endif %}",
            "{% filter upper %}{% block b %}{{ nav[0] }}{% endblock b %}{% endfilter %}",
            "{{ __tera_context }}",
        ] {
            assert!(
                renderer(&[("page.html", text)]).nav_data,
                "not seen in {text}"
            );
        }
        for text in [
            "<nav>{{ nav_html | safe }}</nav>",
            "{{ navigation }}{{ page.nav }}{{ \"nav\" }}",
            "{% for nav_item in x %}{% endfor %}",
        ] {
            assert!(!renderer(&[("page.html", text)]).nav_data, "seen in {text}");
        }
    }

    #[test]
    fn the_default_theme_reads_only_the_written_sidebar() {
        let theme = Theme::load(std::path::Path::new("/nonexistent"), "default")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!Renderer::new(&theme).unwrap().nav_data);
    }
}
