//! `{{site.NAME}}` substitution, with Liquid's semantics and stricter errors.
//!
//! Variables are replaced everywhere in a page body — prose, link targets and code
//! blocks alike — before Markdown sees it, exactly as Jekyll does. `<<site.NAME>>` is
//! the same thing (the product brief spells it that way), `{% raw %}…{% endraw %}`
//! keeps text literal, and anything in `{{ … }}` that does not resolve is an error
//! (Jekyll would print an empty string and hide the typo).
//!
//! The result keeps an [`OffsetMap`] so later stages can report errors at the line and
//! column of the original file even though substitution shifted the text.

use std::borrow::Cow;

use crate::config::Variables;
use crate::diagnostic::suggest;
use crate::reader;
use crate::versions::PageRelease;

/// Everything a `{{ … }}` may name in one page.
pub struct Scope<'a> {
    pub site: &'a Variables,
    /// `page.title`, `page.description` and the page's scalar `extra` keys (and the docs
    /// set's `page_variable`, on a versioned page).
    pub page: &'a [(String, String)],
    /// `version.name`, `version.label`, `version.status`, `version.<field>`: the page's
    /// release ([`crate::versions`]); empty on a page that belongs to no release.
    pub version: &'a [(String, String)],
    /// The page's release, for `{% if_version %}`.
    pub release: Option<PageRelease<'a>>,
}

/// A problem at a byte offset of the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableError {
    pub offset: usize,
    pub message: String,
}

/// Maps offsets in substituted text back to offsets in the original.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// (start in output, start in input) of every stretch copied unchanged.
    segments: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn original(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|&(out, _)| out <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((out, input)) => input + (offset - out),
            None => offset,
        }
    }
}

/// The substituted text, its offset map, and every error found (not just the first).
/// With errors, the text is still complete (unresolved expressions print nothing), so
/// later stages can go on and report their own problems in the same run.
pub struct Substituted<'t> {
    pub text: Cow<'t, str>,
    pub offsets: OffsetMap,
    pub errors: Vec<VariableError>,
    /// The page's `{{reader.NAME}}` values, as placeholders in `text` ([`crate::reader`]).
    pub reader: reader::Values,
}

pub fn substitute<'t>(text: &'t str, scope: &Scope<'_>) -> Substituted<'t> {
    if !needs_substitution(text) {
        return Substituted {
            text: Cow::Borrowed(text),
            offsets: OffsetMap::default(),
            errors: Vec::new(),
            reader: reader::Values::default(),
        };
    }
    let mut out = Output::new(text);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => {
                let Some(close) = text[i + 2..].find("}}").map(|j| i + 2 + j) else {
                    out.error(i, "`{{` is never closed with `}}` (to show `{{` literally, wrap it in {% raw %}…{% endraw %})".into());
                    break;
                };
                i = out.expression(i, close, scope);
            }
            (b'{', b'%') => {
                let Some(close) = text[i + 2..].find("%}").map(|j| i + 2 + j) else {
                    out.error(i, "`{%` is never closed with `%}`".into());
                    break;
                };
                let tag = tag_name(&text[i + 2..close]);
                if tag != "raw" {
                    out.error(
                        i,
                        format!(
                            "unsupported tag `{{% {tag} %}}`: only {{% raw %}}…{{% endraw %}} is allowed in pages"
                        ),
                    );
                    i = close + 2;
                    continue;
                }
                let inner_start = close + 2;
                let Some((inner_end, after)) = find_endraw(text, inner_start) else {
                    // The rest, tag included, is copied once by `finish`.
                    out.error(i, "`{% raw %}` has no matching `{% endraw %}`".into());
                    break;
                };
                out.copy_to(i);
                out.copy(inner_start, inner_end);
                out.skip_to(after);
                i = after;
            }
            (b'<', b'<') if text[i + 2..].trim_start_matches(' ').starts_with("site.") => {
                let line_end = text[i..].find('\n').map_or(text.len(), |j| i + j);
                match text[i + 2..line_end].find(">>").map(|j| i + 2 + j) {
                    Some(close) => i = out.expression(i, close, scope),
                    // `<<site.` with no `>>` on its line is ordinary text (a heredoc, say).
                    None => i += 2,
                }
            }
            _ => i += 1,
        }
    }
    out.finish()
}

/// The substituted text as it is built: the input is copied in stretches, each
/// recorded in the offset map, with the values of expressions in between.
struct Output<'t> {
    input: &'t str,
    text: String,
    map: OffsetMap,
    errors: Vec<VariableError>,
    reader: reader::Values,
    /// Where the input is copied from next.
    copied: usize,
}

impl<'t> Output<'t> {
    fn new(input: &'t str) -> Self {
        Output {
            input,
            text: String::with_capacity(input.len() + input.len() / 8),
            map: OffsetMap::default(),
            errors: Vec::new(),
            reader: reader::Values::default(),
            copied: 0,
        }
    }

    /// Copies `input[from..upto]` and records where it landed.
    fn copy(&mut self, from: usize, upto: usize) {
        if upto > from {
            self.map.segments.push((self.text.len(), from));
            self.text.push_str(&self.input[from..upto]);
        }
    }

    /// Copies the input not yet copied, up to `upto`.
    fn copy_to(&mut self, upto: usize) {
        self.copy(self.copied, upto);
    }

    /// Goes on copying the input from `from`.
    fn skip_to(&mut self, from: usize) {
        self.copied = from;
    }

    fn error(&mut self, offset: usize, message: String) {
        self.errors.push(VariableError { offset, message });
    }

    /// Replaces the expression between the two-byte delimiters at `open` and `close`
    /// (`{{ … }}` or `<< … >>`) with its value, or records why it has none; returns
    /// where the input goes on.
    fn expression(&mut self, open: usize, close: usize, scope: &Scope<'_>) -> usize {
        self.copy_to(open);
        let expr = self.input[open + 2..close].trim();
        if expr.starts_with("reader.") {
            match reader::parse_value(expr) {
                Ok((name, fallback)) => {
                    let placeholder = self.reader.placeholder(name, fallback, open);
                    self.text.push_str(&placeholder);
                }
                Err(message) => self.error(open, message),
            }
            self.skip_to(close + 2);
            return close + 2;
        }
        match resolve(expr, scope) {
            Ok(value) => {
                self.map.segments.push((self.text.len(), open));
                self.text.push_str(value);
            }
            Err(message) => self.error(open, message),
        }
        self.skip_to(close + 2);
        close + 2
    }

    fn finish(mut self) -> Substituted<'t> {
        self.copy_to(self.input.len());
        Substituted {
            text: Cow::Owned(self.text),
            offsets: self.map,
            errors: self.errors,
            reader: self.reader,
        }
    }
}

fn needs_substitution(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("<<")
}

/// `{%- raw -%}` → `raw`.
fn tag_name(inner: &str) -> &str {
    let inner = inner.trim().trim_matches('-').trim();
    inner.split_whitespace().next().unwrap_or(inner)
}

/// Finds the `{% endraw %}` closing a raw block: (end of the literal text, end of tag).
fn find_endraw(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut search = from;
    while let Some(j) = text[search..].find("{%") {
        let open = search + j;
        let close = text[open + 2..].find("%}").map(|k| open + 2 + k)?;
        if tag_name(&text[open + 2..close]) == "endraw" {
            return Some((open, close + 2));
        }
        search = open + 2;
    }
    None
}

fn resolve<'s>(expr: &str, scope: &'s Scope<'_>) -> Result<&'s str, String> {
    if let Some((name, _)) = expr.split_once('|') {
        return Err(format!(
            "filters are not supported: print '{}' as it is",
            name.trim()
        ));
    }
    let well_formed = expr.split('.').count() >= 2
        && expr.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
    if well_formed && expr.starts_with("version.") {
        if scope.version.is_empty() {
            return Err(format!(
                "'{expr}' has no value here: this page belongs to no release (pages in content/<docs set>/<release>/ of a [docsets] entry in site.toml do)"
            ));
        }
        return match scope.version.iter().find(|(k, _)| k == expr) {
            Some((_, v)) => Ok(v),
            None => Err(unknown(expr, scope.version.iter().map(|(k, _)| k.as_str()))),
        };
    }
    if !well_formed || !(expr.starts_with("site.") || expr.starts_with("page.")) {
        return Err(format!(
            "unknown variable '{expr}' (variables look like `{{{{site.NAME}}}}`; to show `{{{{` literally, wrap it in {{% raw %}}…{{% endraw %}})"
        ));
    }
    if expr.starts_with("page.") {
        return match scope.page.iter().find(|(k, _)| k == expr) {
            Some((_, v)) => Ok(v),
            None => Err(unknown(expr, scope.page.iter().map(|(k, _)| k.as_str()))),
        };
    }
    if let Some(value) = scope.site.values.get(expr) {
        return Ok(value);
    }
    if let Some(kind) = scope.site.containers.get(expr) {
        return Err(format!("'{expr}' is {kind}, not a value to print"));
    }
    Err(unknown(expr, scope.site.values.keys().map(String::as_str)))
}

fn unknown<'c>(expr: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    match suggest(expr, candidates) {
        Some(near) => format!("unknown variable '{expr}' (did you mean '{near}'?)"),
        None => format!("unknown variable '{expr}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Variables {
        let mut vars = Variables::default();
        for (k, v) in [
            ("site.konnect_saas", "Kong Konnect Cloud"),
            ("site.konnect_short_name", "Konnect"),
            ("site.data.kong.version", "3.4"),
        ] {
            vars.values.insert(k.into(), v.into());
        }
        vars.containers.insert("site.data".into(), "a table");
        vars
    }

    /// The page fails, but later stages still run on the text: what came before the tag
    /// must appear once (its links would otherwise be found twice).
    #[test]
    fn an_unclosed_raw_keeps_the_text_before_it_once() {
        let site = site();
        let scope = Scope {
            site: &site,
            page: &[],
            version: &[],
            release: None,
        };
        let out = substitute("[a](/x/) {% raw %} b", &scope);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.text, "[a](/x/) {% raw %} b");
    }

    fn run(text: &str) -> Result<String, Vec<VariableError>> {
        let site = site();
        let page = vec![("page.title".to_string(), "Hello".to_string())];
        let scope = Scope {
            site: &site,
            page: &page,
            version: &[],
            release: None,
        };
        let out = substitute(text, &scope);
        if out.errors.is_empty() {
            Ok(out.text.into_owned())
        } else {
            Err(out.errors)
        }
    }

    #[test]
    fn all_spellings_resolve() {
        assert_eq!(
            run("{{site.konnect_short_name}} {{ site.konnect_short_name }} <<site.konnect_short_name>> << site.data.kong.version >> {{page.title}}").unwrap(),
            "Konnect Konnect Konnect 3.4 Hello"
        );
    }

    #[test]
    fn link_targets_and_code_are_substituted_too() {
        assert_eq!(
            run("[x](/{{site.data.kong.version}}/)\n```\nv{{site.data.kong.version}}\n```")
                .unwrap(),
            "[x](/3.4/)\n```\nv3.4\n```"
        );
    }

    #[test]
    fn raw_blocks_stay_literal() {
        assert_eq!(
            run("{% raw %}{{ .Values.x }}{% endraw %} and {%- raw -%}{{y}}{%- endraw -%}").unwrap(),
            "{{ .Values.x }} and {{y}}"
        );
    }

    #[test]
    fn heredocs_are_not_variables() {
        assert_eq!(run("cat <<EOF\nx\nEOF").unwrap(), "cat <<EOF\nx\nEOF");
        assert_eq!(run("a <<site.b").unwrap(), "a <<site.b");
    }

    #[test]
    fn typos_are_errors_with_suggestions() {
        let errors =
            run("ok\n  {{site.konnect_saaas}} and {{site.nope_at_all_really}}").unwrap_err();
        assert_eq!(
            errors,
            vec![
                VariableError {
                    offset: 5,
                    message:
                        "unknown variable 'site.konnect_saaas' (did you mean 'site.konnect_saas'?)"
                            .into()
                },
                VariableError {
                    offset: 32,
                    message: "unknown variable 'site.nope_at_all_really'".into()
                },
            ]
        );
    }

    #[test]
    fn tables_filters_tags_and_garbage_are_refused() {
        let message = |t: &str| run(t).unwrap_err().remove(0).message;
        assert_eq!(
            message("{{site.data}}"),
            "'site.data' is a table, not a value to print"
        );
        assert!(
            message("{{ site.konnect_saas | upcase }}").starts_with("filters are not supported")
        );
        assert!(
            message("{% if x %}").starts_with("unsupported tag `{% if %}`"),
            "{}",
            message("{% if x %}")
        );
        assert!(message("{{ .Values.x }}").contains("{% raw %}"));
        assert!(message("{{site.x").contains("never closed"));
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let site = site();
        let scope = Scope {
            site: &site,
            page: &[],
            version: &[],
            release: None,
        };
        let text = "{{site.konnect_short_name}} [a](/b)";
        let out = substitute(text, &scope);
        let link_in_output = out.text.find("[a]").unwrap();
        assert_eq!(
            out.offsets.original(link_in_output),
            text.find("[a]").unwrap()
        );
    }

    #[test]
    fn a_closing_marker_on_a_later_line_does_not_close_a_heredoc() {
        assert_eq!(
            run("cat <<site.x\n>> {{site.konnect_short_name}} <<site.konnect_short_name>>")
                .unwrap(),
            "cat <<site.x\n>> Konnect Konnect"
        );
    }

    #[test]
    fn offsets_map_back_after_every_kind_of_replacement() {
        let site = site();
        let page = vec![("page.title".to_string(), "Hello".to_string())];
        let scope = Scope {
            site: &site,
            page: &page,
            version: &[],
            release: None,
        };
        let text = "<< site.konnect_saas >> {% raw %}{{x}}{% endraw %} {{page.title}} [a](/b)";
        let out = substitute(text, &scope);
        assert_eq!(out.text, "Kong Konnect Cloud {{x}} Hello [a](/b)");
        for piece in ["{{x}}", "[a]", " Hello"] {
            let found = out.text.find(piece).unwrap();
            let expected = match piece {
                " Hello" => text.find(" {{page").unwrap(),
                _ => text.find(piece).unwrap(),
            };
            assert_eq!(out.offsets.original(found), expected, "{piece}");
        }
    }
}
