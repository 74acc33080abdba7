//! JSON: keys, strings, numbers, literals, punctuation.

use super::out::{Out, is_word_byte};
use crate::highlight::classes::Class;

/// Standard JSON (one value): objects, arrays, strings with simple escapes, integers,
/// literals. Anything out of place (a missing comma, a comment) is left to the grammar.
pub(super) fn json(code: &str, out: &mut Out) -> Option<()> {
    #[derive(PartialEq, Clone, Copy)]
    enum Expect {
        /// A value (or, just after `[`, the end).
        Value,
        /// A key (or, just after `{`, the end).
        Key,
        Colon,
        /// `,` or the container's end.
        Next,
    }
    let b = code.as_bytes();
    let mut i = 0;
    // Containers open: `true` for an object.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect = Expect::Value;
    // Just after `{` or `[`: the end may come instead of a key or value.
    let mut opened = false;
    let mut done = false;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\n') {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        if done {
            return None;
        }
        let c = b[i];
        let was_opened = std::mem::replace(&mut opened, false);
        match (expect, c) {
            (Expect::Value, b'{' | b'[') => {
                stack.push(c == b'{');
                expect = if c == b'{' {
                    Expect::Key
                } else {
                    Expect::Value
                };
                opened = true;
                i += 1;
                continue;
            }
            (Expect::Next, b'}' | b']') | (Expect::Key | Expect::Value, b'}' | b']') => {
                if expect != Expect::Next && !was_opened {
                    return None;
                }
                if stack.pop()? != (c == b'}') {
                    return None;
                }
                i += 1;
            }
            (Expect::Next, b',') => {
                expect = if *stack.last()? {
                    Expect::Key
                } else {
                    Expect::Value
                };
                i += 1;
                continue;
            }
            (Expect::Colon, b':') => {
                expect = Expect::Value;
                i += 1;
                continue;
            }
            (Expect::Key, b'"') => {
                i = json_string(b, i, out, Class::Key)?;
                expect = Expect::Colon;
                continue;
            }
            (Expect::Value, b'"') => i = json_string(b, i, out, Class::String)?,
            (Expect::Value, b't' | b'f' | b'n') => {
                let len = [&b"true"[..], b"false", b"null"]
                    .iter()
                    .find(|w| b[i..].starts_with(w))?
                    .len();
                if b.get(i + len).is_some_and(|&c| is_word_byte(c)) {
                    return None;
                }
                out.push(Class::Constant, i..i + len);
                i += len;
            }
            (Expect::Value, b'0'..=b'9' | b'-') => {
                let mut j = i + usize::from(c == b'-');
                let digits = j;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j == digits || (b[digits] == b'0' && j > digits + 1) {
                    return None;
                }
                if b.get(j)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_')
                {
                    return None;
                }
                out.push(Class::Number, i..j);
                i = j;
            }
            _ => return None,
        }
        // A value (or container) ended.
        expect = Expect::Next;
        if stack.is_empty() {
            done = true;
        }
    }
    done.then_some(())
}

/// A string from its opening quote at `i`, escapes classed apart; returns its end.
pub(super) fn json_string(b: &[u8], i: usize, out: &mut Out, class: Class) -> Option<usize> {
    let mut j = i + 1;
    let mut run = i;
    loop {
        match *b.get(j)? {
            b'"' => {
                out.push(class, run..j + 1);
                return Some(j + 1);
            }
            b'\n' => return None,
            b'\\' => {
                let len = match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                    _ => return None,
                };
                if j > run {
                    out.push(class, run..j);
                }
                out.push(Class::Escape, j..j + len);
                j += len;
                run = j;
            }
            c if c < 0x20 => return None,
            _ => j += 1,
        }
    }
}
