//! Handlebars' `{{…}}` expressions, lexed by hand: two-face has no Handlebars grammar,
//! so [`super`] runs the HTML grammar around them. Not a fast-path lexer: the grammar
//! always runs too.

use std::ops::Range;

use super::classes::Class;

/// A `{{…}}` expression's range and its runs.
pub type Expression = (Range<usize>, Vec<(Option<Class>, Range<usize>)>);

/// Handlebars built-in helpers, coloured as keywords.
const HANDLEBARS_HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "let", "lookup", "log", "as", "else",
];

/// Each `{{…}}` expression of a Handlebars template, with its runs: block markers and
/// built-in helpers keywords, strings, numbers, literals, `this`/`@index` constants,
/// `key=` attributes, other names variables; `{{! }}`/`{{!-- --}}` comments.
pub fn handlebars_expressions(code: &str) -> Vec<Expression> {
    let b = code.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("{{") {
        let start = from + at;
        let mut runs = Vec::new();
        if code[start..].starts_with("{{!") {
            let close = if code[start..].starts_with("{{!--") {
                "--}}"
            } else {
                "}}"
            };
            let end = code[start + 3..]
                .find(close)
                .map_or(code.len(), |e| start + 3 + e + close.len());
            runs.push((Some(Class::Comment), start..end));
            found.push((start..end, runs));
            from = end;
            continue;
        }
        let Some(close) = code[start + 2..].find("}}") else {
            break;
        };
        let mut end = start + 2 + close + 2;
        if b.get(end) == Some(&b'}') {
            end += 1;
        }
        let mut i = start + 2;
        while i < end && matches!(b[i], b'{' | b'~') {
            i += 1;
        }
        runs.push((None, start..i));
        while i < end {
            let s = i;
            let c = b[i];
            let class = if matches!(c, b'#' | b'/' | b'^' | b'>') {
                i += 1;
                Some(Class::Keyword)
            } else if c == b'"' || c == b'\'' {
                i = code[i + 1..end]
                    .find(c as char)
                    .map_or(end, |e| i + 1 + e + 1);
                Some(Class::String)
            } else if c.is_ascii_digit() {
                while i < end && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                Some(Class::Number)
            } else if c.is_ascii_alphabetic() || c == b'@' || c == b'_' || c == b'$' {
                i += 1;
                while i < end
                    && ((b[i].is_ascii_alphanumeric() || b[i] == b'_')
                        || matches!(b[i], b'.' | b'-' | b'$' | b'/'))
                {
                    i += 1;
                }
                let word = &code[s..i];
                let after_marker = s > start + 2 && matches!(b[s - 1], b'#' | b'/' | b'^');
                if b.get(i) == Some(&b'=') {
                    Some(Class::Attribute)
                } else if after_marker || HANDLEBARS_HELPERS.contains(&word) {
                    Some(Class::Keyword)
                } else if matches!(word, "true" | "false" | "null" | "undefined" | "this")
                    || word.starts_with('@')
                {
                    Some(Class::Constant)
                } else {
                    Some(Class::Variable)
                }
            } else {
                // One character, not one byte: a run must not split a character (found
                // by the `fences` fuzz target: `{{#each éitems}}` panicked).
                i += code[i..].chars().next().map_or(1, char::len_utf8);
                None
            };
            runs.push((class, s..i.min(end)));
        }
        found.push((start..end, runs));
        from = end;
    }
    found
}
