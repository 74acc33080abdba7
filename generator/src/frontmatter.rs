//! YAML front matter between `---` lines.
//!
//! Known keys are typed; any other key is kept for templates as `page.extra`.

use serde_json::{Map, Value};

use crate::config::first_sentence;
use crate::diagnostic::Location;

#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub template: Option<String>,
    pub aliases: Vec<String>,
    /// `None`: the theme decides (a TOC when the page has headings).
    pub toc: Option<bool>,
    /// Keeps a page (form pages, say) out of the sidebar and prev/next links.
    pub hide_from_nav: bool,
    /// `in_search_index: false` (Zola's key) keeps a page out of the search index.
    pub in_search_index: bool,
    pub extra: Map<String, Value>,
}

impl Default for FrontMatter {
    fn default() -> Self {
        Self {
            title: None,
            description: None,
            weight: None,
            draft: false,
            template: None,
            aliases: Vec::new(),
            toc: None,
            hide_from_nav: false,
            in_search_index: true,
            extra: Map::new(),
        }
    }
}

/// A front matter problem, located in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterError {
    pub location: Location,
    pub message: String,
}

/// Splits a page into front matter and body. Returns the front matter and the byte
/// offset where the body starts. A file without a leading `---` line has an empty
/// front matter.
pub fn split(text: &str) -> Result<(FrontMatter, usize), FrontMatterError> {
    let Some(after_open) = strip_fence_line(text) else {
        return Ok((FrontMatter::default(), 0));
    };
    let yaml_start = text.len() - after_open.len();
    let mut offset = yaml_start;
    let mut close = None;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "---" {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(FrontMatterError {
            location: Location { line: 1, col: 1 },
            message: "front matter starts with `---` but has no closing `---` line".into(),
        });
    };
    let yaml = &text[yaml_start..yaml_end];
    // The YAML starts on line 2 of the file.
    let front = parse(yaml).map_err(|(line, col, message)| FrontMatterError {
        location: Location {
            line: line + 1,
            col: col.max(1),
        },
        message,
    })?;
    Ok((front, body_start))
}

/// Where the body starts, even when the front matter cannot be parsed.
pub fn body_start(text: &str) -> usize {
    let Some(after_open) = strip_fence_line(text) else {
        return 0;
    };
    let mut offset = text.len() - after_open.len();
    for line in after_open.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return offset;
        }
    }
    text.len()
}

fn strip_fence_line(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
}

type ParseError = (u32, u32, String);

fn parse(yaml: &str) -> Result<FrontMatter, ParseError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: Value = serde_yaml_ng::from_str(yaml).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
        (
            line,
            col,
            format!("malformed front matter: {}", first_sentence(&e.to_string())),
        )
    })?;
    let Value::Object(mut map) = value else {
        return Err((
            1,
            1,
            "front matter must be a mapping of `key: value` lines".into(),
        ));
    };
    let key_line = |key: &str| key_line(yaml, key);
    let mut front = FrontMatter::default();
    let wrong_type = |key: &str, wanted: &str| {
        (
            key_line(key),
            1,
            format!("front matter key `{key}` must be {wanted}"),
        )
    };
    if let Some(v) = map.remove("title") {
        front.title = Some(scalar_text(&v).ok_or_else(|| wrong_type("title", "text"))?);
    }
    if let Some(v) = map.remove("description") {
        front.description = Some(scalar_text(&v).ok_or_else(|| wrong_type("description", "text"))?);
    }
    if let Some(v) = map.remove("weight") {
        front.weight = Some(
            v.as_i64()
                .ok_or_else(|| wrong_type("weight", "a whole number"))?,
        );
    }
    if let Some(v) = map.remove("draft") {
        front.draft = v
            .as_bool()
            .ok_or_else(|| wrong_type("draft", "true or false"))?;
    }
    if let Some(v) = map.remove("toc") {
        front.toc = Some(
            v.as_bool()
                .ok_or_else(|| wrong_type("toc", "true or false"))?,
        );
    }
    if let Some(v) = map.remove("hide_from_nav") {
        front.hide_from_nav = v
            .as_bool()
            .ok_or_else(|| wrong_type("hide_from_nav", "true or false"))?;
    }
    if let Some(v) = map.remove("in_search_index") {
        front.in_search_index = v
            .as_bool()
            .ok_or_else(|| wrong_type("in_search_index", "true or false"))?;
    }
    if let Some(v) = map.remove("template") {
        front.template = Some(
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong_type("template", "a template file name"))?,
        );
    }
    if let Some(v) = map.remove("aliases") {
        let list = match v {
            Value::String(s) => vec![s],
            Value::Array(items) => items
                .into_iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong_type("aliases", "a list of paths"))?,
            _ => return Err(wrong_type("aliases", "a list of paths")),
        };
        front.aliases = list;
    }
    front.extra = map;
    Ok(front)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 1-based line (within the YAML) that defines `key`, for type errors.
fn key_line(yaml: &str, key: &str) -> u32 {
    yaml.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_front_matter() {
        let text =
            "---\ntitle: Accessing a Kong Konnect Cloud Account\nno_version: true\n---\n\nBody";
        let (front, body) = split(text).unwrap();
        assert_eq!(
            front.title.as_deref(),
            Some("Accessing a Kong Konnect Cloud Account")
        );
        assert_eq!(front.extra["no_version"], Value::Bool(true));
        assert_eq!(&text[body..], "\nBody");
    }

    #[test]
    fn typed_keys_and_extra() {
        let text = "---\ntitle: T\ndescription: D\nweight: 3\ndraft: true\ntemplate: register.html\naliases: [/old/]\ntoc: false\nin_search_index: false\nowner: docs\n---\n";
        let (front, _) = split(text).unwrap();
        assert!(!front.in_search_index);
        assert!(split("---\ntitle: T\n---\n").unwrap().0.in_search_index);
        assert!(FrontMatter::default().in_search_index);
        assert_eq!(front.weight, Some(3));
        assert!(front.draft);
        assert_eq!(front.template.as_deref(), Some("register.html"));
        assert_eq!(front.aliases, vec!["/old/".to_string()]);
        assert_eq!(front.toc, Some(false));
        assert_eq!(front.extra["owner"], Value::String("docs".into()));
    }

    #[test]
    fn no_front_matter_is_fine() {
        let (front, body) = split("# Hello\n").unwrap();
        assert_eq!(front, FrontMatter::default());
        assert_eq!(body, 0);
    }

    #[test]
    fn malformed_yaml_points_at_the_file_line() {
        let err = split("---\ntitle: ok\nweight: [1,\n---\nbody").unwrap_err();
        assert!(
            err.message.starts_with("malformed front matter"),
            "{}",
            err.message
        );
        assert!(err.location.line >= 3, "{:?}", err.location);
    }

    #[test]
    fn wrong_types_name_the_key_and_line() {
        let err = split("---\ntitle: ok\nweight: heavy\n---\n").unwrap_err();
        assert_eq!(
            err.message,
            "front matter key `weight` must be a whole number"
        );
        assert_eq!(err.location.line, 3);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("---\ntitle: x\n").unwrap_err();
        assert!(err.message.contains("no closing"));
    }
}
