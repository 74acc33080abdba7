//! `site.toml` and data files: the site's variables.
//!
//! As in Jekyll, every top-level key of `site.toml` is a site variable. Files in
//! `data/` (TOML, YAML or JSON) appear under `site.data.<file stem>`. The YAML files
//! `variables_from` names (a Jekyll site's `_config.yml`) add their top-level keys as
//! `site.KEY`, unless `site.toml` has that key; Gatehouse's own settings (`title`,
//! `base_url`, `theme`, `lang`, `[links]`, `[deploy]`) come from `site.toml` alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, LineIndex, Location, Severity};
use crate::hosting::WorkersPlan;
use crate::redirects::{self, Redirect};
use crate::versions::Docsets;

/// The site's configuration, as templates and variable substitution see it.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The whole `site` object handed to templates (all of `site.toml`, plus `data`).
    pub site: Value,
    pub title: String,
    /// Without a trailing slash, e.g. `https://docs.example.com`.
    pub base_url: String,
    pub theme: String,
    pub lang: String,
    /// The `[links]` table: how the link checker treats what it finds.
    pub links: LinkSettings,
    /// `[deploy] workers_plan`: which Workers limits the built site is held to.
    pub workers_plan: WorkersPlan,
    /// `[docsets]`: the versioned docs sets and their releases.
    pub docsets: Arc<Docsets>,
    /// `[redirects]`: moved paths and sections.
    pub redirects: Vec<Redirect>,
    /// `[llms]`: `llms.txt` and the pages' Markdown copies.
    pub llms: LlmsSettings,
    /// `[markdown]`: what the pages' Markdown may use beyond CommonMark and GFM.
    pub markdown: MarkdownSettings,
}

/// `[links]` in `site.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSettings {
    /// Site paths published elsewhere (`/gateway/`): links under them are not checked,
    /// only listed with the external links.
    pub skip_prefixes: Vec<String>,
    /// What a broken link is (`level = "warn"`: a warning; the build goes on).
    pub level: Severity,
    /// What a link to a missing anchor is; `level`'s unless `anchors` says otherwise.
    pub anchors: Severity,
}

impl LinkSettings {
    /// Reads the `[links]` table (absent: every problem is an error, nothing is skipped).
    pub fn from_site(site: &Value) -> Result<Self, Vec<Diagnostic>> {
        let Some(table) = site.get("links") else {
            return Ok(Self::default());
        };
        let mut problems = Vec::new();
        let mut problem = |message: String| {
            problems.push(Diagnostic::file("site.toml", message));
        };
        let Value::Object(table) = table else {
            problem("'links' must be a table ([links])".into());
            return Err(problems);
        };
        let mut settings = Self::default();
        for (key, value) in table {
            match key.as_str() {
                "skip_prefixes" => match value.as_array() {
                    Some(items) => {
                        for item in items {
                            match item.as_str() {
                                Some(prefix) if prefix.starts_with('/') => {
                                    settings.skip_prefixes.push(prefix.to_string())
                                }
                                _ => problem(format!(
                                    "[links] skip_prefixes: {item} is not a site path starting with '/' (e.g. \"/gateway/\")"
                                )),
                            }
                        }
                    }
                    None => problem(
                        "[links] skip_prefixes must be a list of site paths, e.g. [\"/gateway/\"]"
                            .into(),
                    ),
                },
                "level" | "anchors" => {
                    let severity = match value.as_str() {
                        Some("error") => Severity::Error,
                        Some("warn") => Severity::Warning,
                        _ => {
                            problem(format!(
                                "[links] {key} must be \"error\" or \"warn\", not {value}"
                            ));
                            continue;
                        }
                    };
                    if key == "level" {
                        settings.level = severity;
                    } else {
                        settings.anchors = severity;
                    }
                }
                other => problem(format!(
                    "[links] has no setting '{other}' (it has skip_prefixes, level and anchors)"
                )),
            }
        }
        if !table.contains_key("anchors") {
            settings.anchors = settings.level;
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }
}

impl SiteConfig {
    /// Reads `site.toml` (optional: a bare content folder builds with defaults) and
    /// `data/`. Every malformed file is reported, not just the first.
    pub fn load(root: &Path, base_url_override: Option<&str>) -> Result<Self, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let config_path = root.join("site.toml");
        let mut site = match std::fs::read_to_string(&config_path) {
            Ok(text) => match toml::from_str::<toml::Table>(&text) {
                Ok(table) => toml_to_json(toml::Value::Table(table)),
                Err(err) => {
                    problems.push(toml_diagnostic(Path::new("site.toml"), &text, &err));
                    Value::Object(Map::new())
                }
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Value::Object(Map::new()),
            Err(err) => {
                problems.push(Diagnostic::file("site.toml", format!("cannot read: {err}")));
                Value::Object(Map::new())
            }
        };
        let data = load_data(&root.join("data"), &mut problems);
        let Value::Object(map) = &mut site else {
            unreachable!("site.toml parses to a table")
        };
        if !data.is_empty() {
            map.insert("data".into(), Value::Object(data));
        }
        if let Some(url) = base_url_override {
            map.insert("base_url".into(), Value::String(url.to_string()));
        }
        let text = |key: &str, default: &str| match map.get(key) {
            Some(Value::String(s)) => s.clone(),
            _ => default.to_string(),
        };
        let base_url = text("base_url", "http://127.0.0.1:1111")
            .trim_end_matches('/')
            .to_string();
        let title = text("title", "Documentation");
        let theme = text("theme", "default");
        let lang = text("lang", "en");
        map.insert("base_url".into(), Value::String(base_url.clone()));
        map.insert("title".into(), Value::String(title.clone()));
        map.insert("theme".into(), Value::String(theme.clone()));
        map.insert("lang".into(), Value::String(lang.clone()));
        let links = LinkSettings::from_site(&site).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            LinkSettings::default()
        });
        let workers_plan = WorkersPlan::from_site(&site).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            WorkersPlan::default()
        });
        let docsets = Docsets::from_site(&site).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Docsets::default()
        });
        let redirects = redirects::site_table(&site).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Vec::new()
        });
        let llms = llms_settings(&site).unwrap_or_else(|p| {
            problems.push(p);
            LlmsSettings::default()
        });
        let markdown = markdown_settings(&site).unwrap_or_else(|p| {
            problems.push(p);
            MarkdownSettings::default()
        });
        let Value::Object(map) = &mut site else {
            unreachable!("site.toml parses to a table")
        };
        let from_files = variables_from(root, map.get("variables_from"), &mut problems);
        for (key, value) in from_files {
            map.entry(key).or_insert(value);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            site,
            title,
            base_url,
            theme,
            lang,
            links,
            workers_plan,
            docsets: Arc::new(docsets),
            redirects,
            llms,
            markdown,
        })
    }

    /// A config with no files behind it, for tests and embedding.
    pub fn from_value(site: Value) -> Self {
        let get = |key: &str, default: &str| {
            site.get(key)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string()
        };
        Self {
            title: get("title", "Documentation"),
            base_url: get("base_url", "http://127.0.0.1:1111")
                .trim_end_matches('/')
                .to_string(),
            theme: get("theme", "default"),
            lang: get("lang", "en"),
            links: LinkSettings::from_site(&site).unwrap_or_default(),
            workers_plan: WorkersPlan::from_site(&site).unwrap_or_default(),
            docsets: Arc::new(Docsets::from_site(&site).unwrap_or_default()),
            redirects: redirects::site_table(&site).unwrap_or_default(),
            llms: llms_settings(&site).unwrap_or_default(),
            markdown: markdown_settings(&site).unwrap_or_default(),
            site,
        }
    }

    /// Every `site.*` path that holds a printable value, for substitution.
    pub fn variables(&self) -> Variables {
        let mut vars = Variables {
            docsets: self.docsets.clone(),
            markdown_copies: self.llms.markdown || self.llms.full,
            markdown: self.markdown,
            ..Variables::default()
        };
        flatten("site", &self.site, &mut vars);
        vars
    }
}

/// `[llms]` ([`crate::llms`]): `txt` (on unless `false`), `markdown` and `full` (off
/// unless `true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlmsSettings {
    /// `/llms.txt`: the pages listed.
    pub txt: bool,
    /// Each page's Markdown copy beside its HTML.
    pub markdown: bool,
    /// `/llms-full.txt`: every listed page's Markdown, in one file.
    pub full: bool,
}

impl Default for LlmsSettings {
    fn default() -> Self {
        Self {
            txt: true,
            markdown: false,
            full: false,
        }
    }
}

pub fn llms_settings(site: &Value) -> Result<LlmsSettings, Diagnostic> {
    let mut settings = LlmsSettings::default();
    for (key, on) in switches(site, "llms", &["txt", "markdown", "full"])? {
        match key {
            "txt" => settings.txt = on,
            "markdown" => settings.markdown = on,
            _ => settings.full = on,
        }
    }
    Ok(settings)
}

/// The `true`/`false` settings of the table `[name]` of site.toml, each one of `known`;
/// none when the table is absent.
fn switches(
    site: &Value,
    name: &str,
    known: &[&'static str],
) -> Result<Vec<(&'static str, bool)>, Diagnostic> {
    let Some(table) = site.get(name) else {
        return Ok(Vec::new());
    };
    let problem = |m: &str| Diagnostic::file("site.toml", format!("[{name}] {m}"));
    let example = known.first().copied().unwrap_or("key");
    let table = table
        .as_object()
        .ok_or_else(|| problem(&format!("must be a table: [{name}] {example} = true")))?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(known_key) = known.iter().copied().find(|k| k == key) else {
            return Err(problem(&format!(
                "has no setting '{key}' (it has {})",
                known.join(" and ")
            )));
        };
        let Value::Bool(on) = value else {
            return Err(problem(&format!("{key} must be true or false")));
        };
        out.push((known_key, *on));
    }
    Ok(out)
}

/// `[markdown]`: `math` (off unless `true`: `$` in prose stays prose) and `diagrams`
/// (on unless `false`: ```` ```mermaid ```` fences drawn as SVG).
pub use crate::markdown::Extensions as MarkdownSettings;

pub fn markdown_settings(site: &Value) -> Result<MarkdownSettings, Diagnostic> {
    let mut settings = MarkdownSettings::default();
    for (key, on) in switches(site, "markdown", &["math", "diagrams"])? {
        match key {
            "math" => settings.math = on,
            _ => settings.diagrams = on,
        }
    }
    Ok(settings)
}

/// The values `{{site.NAME}}` can print, flattened to dotted paths.
#[derive(Debug, Default, Clone)]
pub struct Variables {
    pub values: HashMap<String, String>,
    /// Paths that exist but hold a table or list: printing them is an error of its own.
    pub containers: HashMap<String, &'static str>,
    /// The docs sets' releases: what `{{version.*}}` and `{% if_version %}` name.
    pub docsets: Arc<Docsets>,
    /// Whether each page keeps its expanded Markdown, for its Markdown copy or
    /// `/llms-full.txt` (`[llms] markdown` or `full = true`).
    pub markdown_copies: bool,
    /// What Markdown is drawn at build time (`[markdown]`: math, diagrams).
    pub markdown: MarkdownSettings,
    /// When each page last changed ([`crate::history`]), read once per build.
    pub history: Arc<crate::history::History>,
}

fn flatten(prefix: &str, value: &Value, vars: &mut Variables) {
    match value {
        Value::Object(map) => {
            vars.containers.insert(prefix.to_string(), "a table");
            for (key, child) in map {
                flatten(&format!("{prefix}.{key}"), child, vars);
            }
        }
        Value::Array(_) => {
            vars.containers.insert(prefix.to_string(), "a list");
        }
        Value::String(s) => {
            vars.values.insert(prefix.to_string(), s.clone());
        }
        Value::Null => {
            vars.values.insert(prefix.to_string(), String::new());
        }
        other => {
            vars.values.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The top-level keys of the YAML files `variables_from` names (relative to the site
/// root), a later file's winning over an earlier one's, as Jekyll's `--config a,b` does.
fn variables_from(
    root: &Path,
    setting: Option<&Value>,
    problems: &mut Vec<Diagnostic>,
) -> Map<String, Value> {
    let mut vars = Map::new();
    let Some(setting) = setting else {
        return vars;
    };
    let names: Vec<&str> = match setting.as_array() {
        Some(items) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect()
        }
        _ => {
            problems.push(Diagnostic::file(
                "site.toml",
                "variables_from must be a list of YAML files, e.g. [\"_config.yml\"]",
            ));
            return vars;
        }
    };
    for name in names {
        let shown = PathBuf::from(name);
        let text = match std::fs::read_to_string(root.join(name)) {
            Ok(text) => text,
            Err(err) => {
                problems.push(Diagnostic::file(
                    &shown,
                    format!("cannot read the file site.toml's variables_from names: {err}"),
                ));
                continue;
            }
        };
        match serde_yaml_ng::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => vars.extend(map),
            Ok(Value::Null) => {}
            Ok(_) => problems.push(Diagnostic::file(
                &shown,
                "variables_from: the file must hold a mapping of names to values",
            )),
            Err(e) => {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                problems.push(Diagnostic::new(
                    &shown,
                    Location {
                        line: line as u32,
                        col: col as u32,
                    },
                    format!("malformed YAML: {}", first_sentence(&e.to_string())),
                ));
            }
        }
    }
    vars
}

fn load_data(dir: &Path, problems: &mut Vec<Diagnostic>) -> Map<String, Value> {
    let mut data = Map::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return data;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let shown = Path::new("data").join(path.file_name().unwrap_or_default());
        if !crate::inputs::is_input(&shown) {
            continue;
        }
        let (Some(stem), Some(ext)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                problems.push(Diagnostic::file(&shown, format!("cannot read: {err}")));
                continue;
            }
        };
        let parsed = match ext {
            "toml" => toml::from_str::<toml::Table>(&text)
                .map(|t| toml_to_json(toml::Value::Table(t)))
                .map_err(|e| toml_diagnostic(&shown, &text, &e)),
            "yaml" | "yml" => serde_yaml_ng::from_str::<Value>(&text).map_err(|e| {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                Diagnostic::new(
                    &shown,
                    Location {
                        line: line as u32,
                        col: col as u32,
                    },
                    format!("malformed YAML: {}", first_sentence(&e.to_string())),
                )
            }),
            "json" => serde_json::from_str::<Value>(&text).map_err(|e| {
                Diagnostic::new(
                    &shown,
                    Location {
                        line: e.line() as u32,
                        col: e.column() as u32,
                    },
                    format!("malformed JSON: {e}"),
                )
            }),
            _ => continue,
        };
        match parsed {
            Ok(value) => {
                data.insert(stem.to_string(), value);
            }
            Err(diagnostic) => problems.push(diagnostic),
        }
    }
    data
}

fn toml_diagnostic(path: &Path, text: &str, err: &toml::de::Error) -> Diagnostic {
    let location = err
        .span()
        .map(|span| LineIndex::new(text).location(span.start));
    Diagnostic::new(
        path,
        location.unwrap_or(Location { line: 0, col: 0 }),
        format!("malformed TOML: {}", err.message()),
    )
}

/// serde_yaml appends "at line X column Y" to its messages; we print the location
/// ourselves, in front.
pub(crate) fn first_sentence(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_key_is_a_variable_and_data_files_nest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "title = \"T\"\nkonnect_short_name = \"Konnect\"\nyear = 2026\n[edge]\nproduct_name = \"K\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        // An editor's leftovers are not data.
        std::fs::write(dir.path().join("data/.kong.yaml"), "hidden: [").unwrap();
        std::fs::write(dir.path().join("data/kong.yaml~"), "old: [").unwrap();
        std::fs::write(
            dir.path().join("data/kong.yaml"),
            "version: 3.4\nlist: [1]\n",
        )
        .unwrap();
        let config = SiteConfig::load(dir.path(), Some("https://d.example/")).unwrap();
        let vars = config.variables();
        assert_eq!(vars.values["site.konnect_short_name"], "Konnect");
        assert_eq!(vars.values["site.year"], "2026");
        assert_eq!(vars.values["site.edge.product_name"], "K");
        assert_eq!(vars.values["site.data.kong.version"], "3.4");
        assert_eq!(vars.values["site.base_url"], "https://d.example");
        assert_eq!(vars.containers["site.data.kong.list"], "a list");
        assert_eq!(config.theme, "default");
    }

    #[test]
    fn malformed_files_are_all_reported_with_locations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"T\"\nbroken =\n").unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/a.yaml"), "a: [1,\n").unwrap();
        let problems = SiteConfig::load(dir.path(), None).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0].to_string().starts_with("site.toml:2:"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1].to_string().starts_with("data/a.yaml:"),
            "{}",
            problems[1]
        );
    }

    #[test]
    fn links_settings_default_to_errors_and_anchors_follow_level() {
        let settings = |toml_text: &str| {
            let table: toml::Table = toml::from_str(toml_text).unwrap();
            LinkSettings::from_site(&toml_to_json(toml::Value::Table(table)))
        };
        assert_eq!(settings("").unwrap(), LinkSettings::default());
        assert_eq!(
            settings("[links]\nlevel = \"warn\"\nskip_prefixes = [\"/gateway/\"]\n").unwrap(),
            LinkSettings {
                skip_prefixes: vec!["/gateway/".into()],
                level: Severity::Warning,
                anchors: Severity::Warning,
            }
        );
        let anchors_only = settings("[links]\nanchors = \"warn\"\n").unwrap();
        assert_eq!(
            (anchors_only.level, anchors_only.anchors),
            (Severity::Error, Severity::Warning)
        );
        let messages: Vec<String> = settings(
            "[links]\nlevel = \"warning\"\nskip_prefixes = [\"gateway/\"]\ncheck = true\n",
        )
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            messages,
            [
                "site.toml: [links] has no setting 'check' (it has skip_prefixes, level and anchors)",
                "site.toml: [links] level must be \"error\" or \"warn\", not \"warning\"",
                "site.toml: [links] skip_prefixes: \"gateway/\" is not a site path starting with '/' (e.g. \"/gateway/\")",
            ]
        );
    }

    #[test]
    fn variables_from_adds_yaml_keys_that_site_toml_does_not_have() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "title = \"Ours\"\nvariables_from = [\"_config.yml\", \"_config.dev.yml\"]\nproduct = \"Kong\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("_config.yml"),
            "title: Theirs\ntheme: minima\nproduct: Other\nkonnect_product_name: Konnect\nlinks:\n  docs: /docs/\nversion: 1\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("_config.dev.yml"), "version: 2\n").unwrap();
        let config = SiteConfig::load(dir.path(), None).unwrap();
        let vars = config.variables();
        assert_eq!(vars.values["site.konnect_product_name"], "Konnect");
        assert_eq!(vars.values["site.links.docs"], "/docs/");
        // A later file wins over an earlier one; site.toml over both.
        assert_eq!(vars.values["site.version"], "2");
        assert_eq!(vars.values["site.product"], "Kong");
        assert_eq!(vars.values["site.title"], "Ours");
        // Gatehouse's settings come from site.toml alone.
        assert_eq!(config.theme, "default");
        assert_eq!(vars.values["site.theme"], "default");
        assert_eq!(config.links, LinkSettings::default());
    }

    #[test]
    fn a_missing_or_malformed_variables_from_file_is_an_error_there() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "variables_from = [\"_config.yml\", \"missing.yml\"]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("_config.yml"), "a: 1\nb: [1,\n").unwrap();
        let problems: Vec<String> = SiteConfig::load(dir.path(), None)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("_config.yml:3:1: malformed YAML"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1]
                .starts_with("missing.yml: cannot read the file site.toml's variables_from names"),
            "{}",
            problems[1]
        );
        std::fs::write(
            dir.path().join("site.toml"),
            "variables_from = \"_config.yml\"\n",
        )
        .unwrap();
        let problems = SiteConfig::load(dir.path(), None).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "site.toml: variables_from must be a list of YAML files, e.g. [\"_config.yml\"]"
        );
    }
}
