//! YAML: keys, scalars, comments, list markers, the special values.

use super::out::{Out, is_word_byte, lines};
use crate::highlight::classes::Class;

/// Words a YAML 1.1 reader (the grammar's) takes for booleans or null, in any case.
pub(super) const YAML_SPECIAL: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// Block mappings and sequences of simple scalars: `key:`, `key: value`, `- value`,
/// `- key: value`, comments. No flow collections, block scalars, anchors, tags,
/// multi-line scalars or documents.
pub(super) fn yaml(code: &str, out: &mut Out) -> Option<()> {
    for (base, line) in lines(code)? {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i == b.len() {
            continue;
        }
        if b[i] == b'#' {
            out.push(Class::Comment, base + i..base + b.len());
            continue;
        }
        if b[i] == b'-' {
            if b.get(i + 1) != Some(&b' ') {
                return None;
            }
            i += 2;
        }
        // A key, if the line has one.
        let key_end = {
            let mut j = i;
            while j < b.len() && (is_word_byte(b[j]) || b[j] == b'-') {
                j += 1;
            }
            j
        };
        let has_key = key_end > i
            && (b[i].is_ascii_alphabetic() || b[i] == b'_')
            && b.get(key_end) == Some(&b':')
            && matches!(b.get(key_end + 1), None | Some(b' '));
        if has_key {
            let key = &line[i..key_end];
            if YAML_SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(key)) {
                return None;
            }
            out.push(Class::Key, base + i..base + key_end);
            i = key_end + 1;
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if i == b.len() {
                continue;
            }
        }
        yaml_value(line, i, base, out)?;
    }
    Some(())
}

/// The scalar from `i` to the line's end (with a ` # comment` after it).
pub(super) fn yaml_value(line: &str, i: usize, base: usize, out: &mut Out) -> Option<()> {
    let b = line.as_bytes();
    let (end, comment) = match line[i..].find(" #") {
        Some(at) => (i + at, Some(i + at + 1)),
        None => (line.len(), None),
    };
    let value = line[i..end].trim_end();
    let value_end = i + value.len();
    if value.is_empty() {
        return None;
    }
    let first = b[i];
    if first == b'"' || first == b'\'' {
        let quote = first as char;
        let inner = &value[1..];
        if inner.is_empty()
            || !inner.ends_with(quote)
            || inner[..inner.len() - 1].contains([quote, '\\'])
        {
            return None;
        }
        out.push(Class::String, base + i..base + value_end);
    } else if value == "true" || value == "false" || value == "null" {
        out.push(Class::Constant, base + i..base + value_end);
    } else if value.bytes().all(|c| c.is_ascii_digit()) {
        if value.len() > 1 && first == b'0' {
            return None;
        }
        out.push(Class::Number, base + i..base + value_end);
    } else {
        let plain = (first.is_ascii_alphabetic() || first == b'/')
            && value.bytes().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/' | b':')
            })
            && !value.ends_with(':')
            && !YAML_SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(value));
        if !plain {
            return None;
        }
        out.push(Class::String, base + i..base + value_end);
    }
    if let Some(hash) = comment {
        out.push(Class::Comment, base + hash..base + b.len());
    }
    Some(())
}
