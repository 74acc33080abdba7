//! Pages that know their reader: `{{reader.NAME | default: "…"}}` values,
//! `{% reader STATE… %}…{% else %}…{% endreader %}` blocks and `{% step NAME %}` checklist
//! marks, turned into the markers of [`edge::reader`] (whose lists are the only names a page
//! may use). The static page is the signed-out version; the edge or the theme's
//! `reader.js` fills it in for a reader who is signed in.
//!
//! A value passes through Markdown and the highlighter as a placeholder of private-use
//! characters ([`Values::placeholder`]), so it works in prose, headings and code blocks
//! alike; [`Values::finish`] then makes it a `<span>` holding the fallback as text. A
//! value that lands inside a tag (a link's URL, an image's `alt`) is an error: the edge
//! never puts a reader's value into an attribute.

use edge::html::escape;
use edge::reader::{self, STATES, STEP_ATTR, UNLESS_ATTR, VALUE_ATTR, VALUES, WHEN_ATTR};

use crate::diagnostic::suggest;

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
/// Digits of a placeholder's number: `\u{E010}`…`\u{E019}`.
const DIGIT_ZERO: u32 = 0xE010;

/// One `{{reader.NAME}}` of a page: where it stood and what it falls back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub name: &'static str,
    pub fallback: String,
    /// Byte offset of the expression in the text it was substituted in.
    pub offset: usize,
}

/// A page's reader values, numbered in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub values: Vec<Value>,
}

/// `reader.NAME | default: "TEXT"` (the expression inside `{{ }}`) → the name and the
/// fallback, or why not. Without a default, the fallback is empty.
pub fn parse_value(expr: &str) -> Result<(&'static str, String), String> {
    let (name, filter) = match expr.split_once('|') {
        Some((name, filter)) => (name.trim(), Some(filter.trim())),
        None => (expr.trim(), None),
    };
    let bare = name.strip_prefix("reader.").unwrap_or(name);
    let Some(name) = VALUES.iter().find(|v| **v == bare) else {
        return Err(match suggest(bare, VALUES) {
            Some(near) => {
                format!("unknown reader value 'reader.{bare}' (did you mean 'reader.{near}'?)")
            }
            None => format!(
                "unknown reader value 'reader.{bare}' (known: {})",
                VALUES.map(|v| format!("reader.{v}")).join(", ")
            ),
        });
    };
    let fallback = match filter {
        None => String::new(),
        Some(filter) => {
            let Some(arg) = filter.strip_prefix("default") else {
                return Err(format!(
                    "'{filter}' is not a filter reader values take: write `{{{{reader.{name} | default: \"…\"}}}}`"
                ));
            };
            let arg = arg.trim_start();
            let Some(arg) = arg.strip_prefix(':') else {
                return Err(format!(
                    "`default` needs its text after a colon: `{{{{reader.{name} | default: \"…\"}}}}`"
                ));
            };
            unquote(arg.trim()).ok_or_else(|| {
                format!(
                    "the default of 'reader.{name}' must be quoted text, as in `default: \"your organization\"`"
                )
            })?
        }
    };
    if fallback.contains(['\u{E000}', '\u{E001}']) {
        return Err(
            "the default of a reader value holds a private-use character Gatehouse reserves".into(),
        );
    }
    Ok((name, fallback))
}

fn unquote(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote)).then(|| inner.to_owned())
}

impl Values {
    /// Records a value and returns the text that stands for it until [`Values::finish`].
    pub fn placeholder(&mut self, name: &'static str, fallback: String, offset: usize) -> String {
        let n = self.values.len();
        self.values.push(Value {
            name,
            fallback,
            offset,
        });
        let mut out = String::from(OPEN);
        for digit in n.to_string().bytes() {
            out.extend(char::from_u32(DIGIT_ZERO + u32::from(digit - b'0')));
        }
        out.push(CLOSE);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The number of the value a placeholder starting at `text[at..]` stands for, and the
    /// placeholder's length.
    fn at(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let rest = text[at..].strip_prefix(OPEN)?;
        let end = rest.find(CLOSE)?;
        let mut n: usize = 0;
        for c in rest[..end].chars() {
            let digit = (c as u32).checked_sub(DIGIT_ZERO).filter(|d| *d < 10)?;
            n = n.checked_mul(10)?.checked_add(digit as usize)?;
        }
        self.values.get(n)?;
        Some((n, OPEN.len_utf8() + end + CLOSE.len_utf8()))
    }

    /// Rendered `html` with each placeholder made a marked `<span>` of its fallback; the
    /// values that landed inside a tag, or vanished into one (a link's URL is
    /// percent-encoded), are returned (as errors for their offsets).
    pub fn finish(&self, html: &str) -> (String, Vec<&Value>) {
        let mut out = String::with_capacity(html.len() + self.values.len() * 32);
        let mut misplaced = Vec::new();
        let mut placed = vec![false; self.values.len()];
        let mut in_tag = false;
        let mut copied = 0;
        for (i, c) in html.char_indices() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                OPEN if i >= copied => {
                    let Some((n, len)) = self.at(html, i) else {
                        continue;
                    };
                    out.push_str(&html[copied..i]);
                    copied = i + len;
                    placed[n] = true;
                    let value = &self.values[n];
                    if in_tag {
                        misplaced.push(value);
                        continue;
                    }
                    out.push_str(&format!("<span {VALUE_ATTR}=\"{}\">", value.name));
                    edge::html::escape_into(&value.fallback, &mut out);
                    out.push_str("</span>");
                }
                _ => {}
            }
        }
        out.push_str(&html[copied..]);
        misplaced.extend(
            self.values
                .iter()
                .zip(placed)
                .filter(|(_, placed)| !placed)
                .map(|(value, _)| value),
        );
        (out, misplaced)
    }

    /// `text` (the search text, a heading, the Markdown copy) with each placeholder
    /// replaced by its fallback.
    pub fn plain(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (i, c) in text.char_indices() {
            if c == OPEN
                && i >= copied
                && let Some((n, len)) = self.at(text, i)
            {
                out.push_str(&text[copied..i]);
                out.push_str(&self.values[n].fallback);
                copied = i + len;
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// The states a `{% reader … %}` names, checked against [`STATES`].
pub fn parse_states(args: &str) -> Result<Vec<&'static str>, String> {
    let mut states = Vec::new();
    for word in args.split_whitespace() {
        match STATES.iter().find(|s| **s == word) {
            Some(state) => states.push(*state),
            None => {
                return Err(match suggest(word, STATES) {
                    Some(near) => format!("unknown reader state `{word}` (did you mean `{near}`?)"),
                    None => format!(
                        "unknown reader state `{word}` (the states: {})",
                        STATES.join(", ")
                    ),
                });
            }
        }
    }
    if states.is_empty() {
        return Err(format!(
            "`{{% reader %}}` names no state: write the states it is for, as in `{{% reader trial plus %}}` (the states: {})",
            STATES.join(", ")
        ));
    }
    Ok(states)
}

/// The HTML that opens a block's branch: the first for `states`, the `else` branch for
/// the others. Hidden on the static page unless a signed-out reader sees it.
pub fn block_open(states: &[&str], otherwise: bool) -> String {
    let shown = reader::shown_signed_out(states) != otherwise;
    let attr = if otherwise { UNLESS_ATTR } else { WHEN_ATTR };
    format!(
        "<div class=\"reader-block\" {attr}=\"{}\"{}>",
        states.join(" "),
        if shown { "" } else { " hidden" }
    )
}

pub const BLOCK_CLOSE: &str = "</div>";

/// `{% step NAME ["LABEL"] %}` → the step's mark, or why not.
pub fn step(args: &[String]) -> Result<String, String> {
    let names: Vec<&str> = reader::STEPS.iter().map(|(n, _)| *n).collect();
    let Some(name) = args.first() else {
        return Err(format!(
            "`{{% step %}}` names no step (the steps: {})",
            names.join(", ")
        ));
    };
    let Some(default) = reader::step_label(name) else {
        return Err(match suggest(name, names.iter().copied()) {
            Some(near) => format!("unknown step `{name}` (did you mean `{near}`?)"),
            None => format!("unknown step `{name}` (the steps: {})", names.join(", ")),
        });
    };
    if args.len() > 2 {
        return Err(format!(
            "`{{% step {name} %}}` takes one label at most, in quotes: `{{% step {name} \"{default}\" %}}`"
        ));
    }
    let label = args.get(1).map_or(default, String::as_str);
    Ok(format!(
        "<span class=\"checklist-step\" {STEP_ATTR}=\"{name}\"><span class=\"checklist-done\" hidden><span aria-hidden=\"true\">✓ </span>{}</span><span class=\"checklist-next\" hidden>Next step</span></span>",
        escape(label)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_with_and_without_a_default() {
        assert_eq!(
            parse_value("reader.organization"),
            Ok(("organization", String::new()))
        );
        assert_eq!(
            parse_value("reader.organization | default: \"your organization\""),
            Ok(("organization", "your organization".into()))
        );
        assert_eq!(
            parse_value("reader.first_name|default:'there'"),
            Ok(("first_name", "there".into()))
        );
        let typo = parse_value("reader.organisation").unwrap_err();
        assert!(
            typo.contains("did you mean 'reader.organization'"),
            "{typo}"
        );
        assert!(
            parse_value("reader.email | upcase")
                .unwrap_err()
                .contains("not a filter")
        );
        assert!(
            parse_value("reader.email | default: there")
                .unwrap_err()
                .contains("quoted")
        );
    }

    #[test]
    fn placeholders_become_spans_with_the_fallback_as_text() {
        let mut values = Values::default();
        let a = values.placeholder("organization", "<your org>".into(), 3);
        let b = values.placeholder("first_name", String::new(), 9);
        let html = format!("<p>Hi {b}, of {a}.</p><pre><code>org={a}</code></pre>");
        let (out, misplaced) = values.finish(&html);
        assert!(misplaced.is_empty());
        assert_eq!(
            out,
            "<p>Hi <span data-reader=\"first_name\"></span>, of <span data-reader=\"organization\">&lt;your org&gt;</span>.</p><pre><code>org=<span data-reader=\"organization\">&lt;your org&gt;</span></code></pre>"
        );
        assert_eq!(values.plain(&format!("Hi {b} of {a}")), "Hi  of <your org>");
    }

    #[test]
    fn a_value_inside_a_tag_is_reported_and_left_out() {
        let mut values = Values::default();
        let a = values.placeholder("email", "x".into(), 7);
        let (out, misplaced) = values.finish(&format!("<a href=\"mailto:{a}\">mail</a>"));
        assert_eq!(out, "<a href=\"mailto:\">mail</a>");
        assert_eq!(misplaced.len(), 1);
        assert_eq!(misplaced[0].offset, 7);
    }

    #[test]
    fn states_and_steps_are_checked() {
        assert_eq!(parse_states("trial plus"), Ok(vec!["trial", "plus"]));
        assert!(
            parse_states("trail")
                .unwrap_err()
                .contains("did you mean `trial`")
        );
        assert!(parse_states("").is_err());
        assert!(block_open(&["signed-out"], false).ends_with("\"signed-out\">"));
        assert!(block_open(&["trial"], false).ends_with(" hidden>"));
        assert!(block_open(&["trial"], true).ends_with("\"trial\">"));
        assert!(
            step(&["verified".into()])
                .unwrap()
                .contains(">Email verified</span>")
        );
        assert!(
            step(&["verified".into(), "Done <b>".into()])
                .unwrap()
                .contains("Done &lt;b&gt;")
        );
        assert!(
            step(&["verfied".into()])
                .unwrap_err()
                .contains("did you mean `verified`")
        );
    }
}
