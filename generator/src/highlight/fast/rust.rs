//! Rust: the keywords, types, strings, numbers and signatures docs blocks use.

use super::out::{Out, is_word_byte};
use crate::highlight::classes::Class;

pub(super) const RUST_KEYWORDS: &[&str] = &["if", "else", "return"];
pub(super) const RUST_STORAGE: &[&str] = &[
    "let", "fn", "mut", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32",
    "i64", "i128", "f32", "f64", "bool", "str", "char",
];
/// Words whose meaning depends on more context than this lexer keeps.
pub(super) const RUST_OTHER: &[&str] = &[
    "self",
    "Self",
    "impl",
    "struct",
    "enum",
    "trait",
    "type",
    "as",
    "in",
    "for",
    "while",
    "loop",
    "match",
    "break",
    "continue",
    "const",
    "static",
    "pub",
    "use",
    "mod",
    "crate",
    "super",
    "where",
    "move",
    "ref",
    "dyn",
    "async",
    "await",
    "unsafe",
    "extern",
    "macro_rules",
    "union",
    "yield",
    "box",
    "try",
    "abstract",
    "become",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
];
pub(super) const RUST_TYPES: &[&str] = &["Result", "String", "Ok", "Err"];

/// Functions with simple bodies: `fn name(arg: &str) -> Result<usize, String> {`, `let`,
/// `if … { return …; }`, method calls, strings without escapes, integers, `* + =`.
pub(super) fn rust(code: &str, out: &mut Out) -> Option<()> {
    let b = code.as_bytes();
    if !code.ends_with('\n') || code.contains(['\r', '\t']) {
        return None;
    }
    let mut i = 0;
    let mut prev_dot = false;
    // Braces open: at depth 0 only `fn` items may start.
    let mut depth = 0usize;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c == b' ' || c == b'\n' {
            i += 1;
            continue;
        }
        if depth == 0 {
            i = rust_signature(code, i, out)?;
            depth = 1;
            continue;
        }
        let was_dot = std::mem::replace(&mut prev_dot, false);
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
            let word = &code[start..i];
            let next = b.get(i).copied();
            if RUST_OTHER.contains(&word) || word == "fn" || word == "mut" {
                return None;
            }
            if was_dot {
                if next != Some(b'(') || !word.as_bytes()[0].is_ascii_lowercase() {
                    return None;
                }
                out.push(Class::Function, start..i);
            } else if RUST_KEYWORDS.contains(&word) || RUST_STORAGE.contains(&word) {
                out.push(Class::Keyword, start..i);
            } else if RUST_TYPES.contains(&word) {
                out.push(Class::Type, start..i);
            } else if word == "true" || word == "false" {
                out.push(Class::Constant, start..i);
            } else if !word.as_bytes()[0].is_ascii_lowercase()
                || matches!(next, Some(b'(' | b'!' | b':'))
            {
                return None;
            }
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if b.get(i)
                .is_some_and(|&n| n.is_ascii_alphanumeric() || n == b'_' || n == b'.')
            {
                return None;
            }
            out.push(Class::Number, start..i);
            continue;
        }
        match c {
            b'"' => {
                let close = code[i + 1..].find('"')? + i + 1;
                if code[i + 1..close].contains(['\\', '\n', '{']) {
                    return None;
                }
                out.push(Class::String, i..close + 1);
                i = close + 1;
            }
            b'.' => {
                prev_dot = true;
                i += 1;
            }
            b'(' | b')' | b',' | b';' => i += 1,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'&' | b'*' | b'+' | b'=' => {
                if matches!(b.get(i + 1), Some(b'&' | b'=' | b'*' | b'+' | b'>')) {
                    return None;
                }
                out.push(Class::Operator, i..i + 1);
                i += 1;
            }
            _ => return None,
        }
    }
    (depth == 0).then_some(())
}

/// `fn name(a: T, b: T) -> T {` from `i`, types being `&`-references, primitives or
/// [`RUST_TYPES`] with `<T, T>` arguments; returns the offset after the `{`.
pub(super) fn rust_signature(code: &str, i: usize, out: &mut Out) -> Option<usize> {
    let b = code.as_bytes();
    let word_end = |from: usize| {
        let mut j = from;
        while j < b.len() && is_word_byte(b[j]) {
            j += 1;
        }
        j
    };
    if !code[i..].starts_with("fn ") {
        return None;
    }
    out.push(Class::Keyword, i..i + 2);
    let name = i + 3;
    let mut j = word_end(name);
    if j == name || !b[name].is_ascii_lowercase() || b.get(j) != Some(&b'(') {
        return None;
    }
    out.push(Class::Function, name..j);
    j += 1;
    if b.get(j) != Some(&b')') {
        loop {
            let param = j;
            j = word_end(param);
            if j == param || !b[param].is_ascii_lowercase() || !code[j..].starts_with(": ") {
                return None;
            }
            if RUST_STORAGE.contains(&&code[param..j])
                || RUST_KEYWORDS.contains(&&code[param..j])
                || RUST_OTHER.contains(&&code[param..j])
            {
                return None;
            }
            out.push(Class::Variable, param..j);
            j = rust_type(code, j + 2, out)?;
            if code[j..].starts_with(", ") {
                j += 2;
            } else {
                break;
            }
        }
    }
    if b.get(j) != Some(&b')') {
        return None;
    }
    j += 1;
    if code[j..].starts_with(" -> ") {
        j = rust_type(code, j + 4, out)?;
    }
    if !code[j..].starts_with(" {\n") {
        return None;
    }
    Some(j + 2)
}

/// A type from `i` (see [`rust_signature`]); returns its end.
pub(super) fn rust_type(code: &str, mut i: usize, out: &mut Out) -> Option<usize> {
    let b = code.as_bytes();
    if b.get(i) == Some(&b'&') {
        out.push(Class::Operator, i..i + 1);
        i += 1;
    }
    let start = i;
    while i < b.len() && is_word_byte(b[i]) {
        i += 1;
    }
    let word = &code[start..i];
    if RUST_STORAGE.contains(&word) && !matches!(word, "let" | "fn" | "mut") {
        out.push(Class::Keyword, start..i);
        return Some(i);
    }
    if !matches!(word, "Result" | "String") {
        return None;
    }
    out.push(Class::Type, start..i);
    if word == "Result" && b.get(i) == Some(&b'<') {
        i = rust_type(code, i + 1, out)?;
        if !code[i..].starts_with(", ") {
            return None;
        }
        i = rust_type(code, i + 2, out)?;
        if b.get(i) != Some(&b'>') {
            return None;
        }
        i += 1;
    }
    Some(i)
}
