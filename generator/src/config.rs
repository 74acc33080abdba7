//! `site.toml` and data files: the site's variables.
//!
//! As in Jekyll, every top-level key of `site.toml` is a site variable. Files in
//! `data/` (TOML, YAML or JSON) appear under `site.data.<file stem>`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, LineIndex};

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
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            site,
            title,
            base_url,
            theme,
            lang,
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
            site,
        }
    }

    /// Every `site.*` path that holds a printable value, for substitution.
    pub fn variables(&self) -> Variables {
        let mut vars = Variables::default();
        flatten("site", &self.site, &mut vars);
        vars
    }
}

/// The values `{{site.NAME}}` can print, flattened to dotted paths.
#[derive(Debug, Default, Clone)]
pub struct Variables {
    pub values: HashMap<String, String>,
    /// Paths that exist but hold a table or list: printing them is an error of its own.
    pub containers: HashMap<String, &'static str>,
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
                Diagnostic {
                    path: shown.clone(),
                    line: line as u32,
                    col: col as u32,
                    message: format!("malformed YAML: {}", first_sentence(&e.to_string())),
                }
            }),
            "json" => serde_json::from_str::<Value>(&text).map_err(|e| Diagnostic {
                path: shown.clone(),
                line: e.line() as u32,
                col: e.column() as u32,
                message: format!("malformed JSON: {e}"),
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
    Diagnostic {
        path: path.to_path_buf(),
        line: location.map_or(0, |l| l.line),
        col: location.map_or(0, |l| l.col),
        message: format!("malformed TOML: {}", err.message()),
    }
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
}
