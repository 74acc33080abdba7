//! Gatehouse publishes onboarding docs: Markdown with YAML front matter and
//! `{{site.NAME}}` variables, rendered with Tera themes into a static site whose every
//! internal link is checked.
//!
//! The build is a pipeline, one module per stage ([`pipeline`] runs them in order):
//!
//! | stage | module |
//! |---|---|
//! | `site.toml` and data files | [`config`] |
//! | what is an input, and its URL | [`inputs`] |
//! | find and read inputs | [`load`] |
//! | front matter | [`frontmatter`] |
//! | shortcodes and includes (`{% NAME %}`, `{% include %}`) | [`shortcodes`] |
//! | `{{site.NAME}}` substitution | [`variables`] |
//! | forms in pages (`{% form NAME %}`), every form checked against the backend's routes | [`forms`] |
//! | what a page knows of its reader (`{{reader.NAME}}`, `{% reader %}`, `{% step %}`) | [`reader`] |
//! | docs sets, their releases, `{% if_version %}` | [`versions`] (the switcher's HTML: [`switcher`]) |
//! | Markdown, heading ids, TOC, code highlighting, diagrams, math | [`markdown`], [`highlight`] |
//! | when each page last changed, from git | [`history`] |
//! | one page through the per-page stages | [`page`] |
//! | sections, sidebar, prev/next, breadcrumbs | [`tree`] (the sidebar's HTML: [`sidebar`]) |
//! | link checking | [`links`] (with URL rules in [`urls`]) |
//! | image sizes, lazy loading | [`images`] |
//! | templates | [`theme`], [`render`] |
//! | sitemap, robots, headers | [`site_files`] (`llms.txt`: [`llms`]) |
//! | redirects (aliases, `/latest/`): `_redirects`, `serve`, the link checker | [`redirects`] |
//! | the search index | [`search`] |
//! | staging folder and swap | [`output`] |
//! | what Workers static assets take (file count, size) | [`hosting`] |
//!
//! `gatehouse serve` (`serve`, behind the default cargo feature of the same name) keeps the result of every stage but the last in memory
//! and re-runs only what a change affects.
//!
//! Problems are collected as [`diagnostic::Diagnostic`]s with file, line and column.

pub mod config;
pub mod diagnostic;
pub mod forms;
pub mod frontmatter;
pub mod highlight;
pub mod history;
pub mod hosting;
pub mod images;
pub mod inputs;
pub mod links;
pub mod llms;
pub mod load;
pub mod markdown;
pub mod output;
pub mod page;
pub mod pipeline;
pub mod reader;
pub mod redirects;
pub mod render;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shortcodes;
pub mod sidebar;
pub mod site_files;
pub mod switcher;
#[cfg(test)]
mod test_support;
pub mod theme;
pub mod tree;
pub mod urls;
pub mod variables;
pub mod versions;

pub use pipeline::{BuildError, BuildOptions, BuildReport, Mode, Site, build};
