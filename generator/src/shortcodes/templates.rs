//! The shortcode templates a site has: the site's `shortcodes/*.html` over the theme's,
//! compiled once, with what each call needs to know of its template ([`Shortcodes`]).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tera::Tera;

use crate::diagnostic::{Diagnostic, display_path, error_chain};

/// The folders includes are looked up in, in order.
pub const INCLUDE_DIRS: [&str; 2] = ["includes", "_includes"];

/// The shortcode templates of a site and where includes are read from.
pub struct Shortcodes {
    pub(super) tera: Tera,
    /// Name → (shown origin, whether it is a block).
    pub(super) known: std::collections::HashMap<String, Known>,
    pub(super) names: Vec<String>,
    pub(super) root: PathBuf,
    pub(super) site: Value,
}

/// What a call needs to know of its template.
pub(super) struct Known {
    /// Shown in messages.
    pub(super) origin: String,
    /// It prints `body`.
    pub(super) block: bool,
    /// It names `site` / `page`: they are put in its context only then (they cost a copy
    /// per call).
    pub(super) site: bool,
    pub(super) page: bool,
}

/// A template of a shortcode: its name and text, and where it comes from (for messages).
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub origin: String,
    pub text: String,
}

impl Shortcodes {
    /// `site` templates win over `theme` ones of the same name.
    pub fn new(
        root: &Path,
        site: Value,
        theme: Vec<Template>,
        site_templates: Vec<Template>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut chosen: std::collections::BTreeMap<String, Template> = Default::default();
        for t in theme.into_iter().chain(site_templates) {
            chosen.insert(t.name.clone(), t);
        }
        let mut tera = Tera::default();
        tera.set_escape_fn(edge::html::escape);
        let mut known = std::collections::HashMap::new();
        let mut problems = Vec::new();
        for (name, t) in &chosen {
            if let Err(e) = tera.add_raw_template(&format!("{name}.html"), &t.text) {
                problems.push(Diagnostic::file(
                    &t.origin,
                    format!("template error: {}", error_chain(&e)),
                ));
            }
            known.insert(
                name.clone(),
                Known {
                    origin: t.origin.clone(),
                    block: t.text.contains("body"),
                    site: t.text.contains("site"),
                    page: t.text.contains("page"),
                },
            );
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            tera,
            names: chosen.keys().cloned().collect(),
            known,
            root: root.to_path_buf(),
            site,
        })
    }

    /// No shortcodes, includes read from `root`: for tests and tools.
    pub fn empty(root: &Path) -> Self {
        Self {
            tera: Tera::default(),
            known: Default::default(),
            names: Vec::new(),
            root: root.to_path_buf(),
            site: Value::Null,
        }
    }

    /// The site's `shortcodes/*.html`, read from disk.
    pub fn read_site_templates(root: &Path) -> Result<Vec<Template>, Vec<Diagnostic>> {
        read_dir_templates(&root.join("shortcodes"), Path::new("shortcodes"))
    }
}

/// The `*.html` files of `dir` as shortcode templates; `shown` is the folder as messages
/// name it.
pub fn read_dir_templates(dir: &Path, shown: &Path) -> Result<Vec<Template>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(name) = file.strip_suffix(".html") else {
            continue;
        };
        if crate::inputs::is_ignored_name(file) {
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => out.push(Template {
                name: name.to_string(),
                origin: display_path(&shown.join(file)),
                text,
            }),
            Err(e) => problems.push(Diagnostic::file(
                shown.join(file),
                format!("cannot read shortcode: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
