//! The fast path: hand-written lexers for the languages most docs blocks are in (the
//! shell family, JSON, YAML, Rust: every block of the benchmark corpus, 80% of Kong's).
//!
//! Each lexer answers only for text whose every token it is sure of, and then gives
//! exactly the classes the grammar and [`super::classes`] give (the `highlight` tests
//! compare the two on the code samples, the snapshot inputs and thousands of generated
//! blocks, and check that the lexers still take most of them). For anything else — an
//! unusual construct, a word it does not know — it returns `None` and the grammar
//! highlights the block. It is about 50 times faster than the grammar on these blocks.
//!
//! Also here: the lexer of Handlebars' `{{…}}` expressions (two-face has no Handlebars
//! grammar; [`super`] runs the HTML grammar around them).

use std::ops::Range;

use super::classes::Class;
use super::lines::Lines;

/// A language the fast path knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Shell,
    Json,
    Yaml,
    Rust,
}

impl Lang {
    /// The fast lexer for a grammar (by its name), if there is one.
    pub fn for_grammar(name: &str) -> Option<Lang> {
        match name {
            "Bourne Again Shell (bash)" => Some(Lang::Shell),
            "JSON" => Some(Lang::Json),
            "YAML" => Some(Lang::Yaml),
            "Rust" => Some(Lang::Rust),
            _ => None,
        }
    }
}

/// The block's lines, or `None` if the lexer is not sure of every token.
pub fn highlight(lang: Lang, code: &str) -> Option<Lines> {
    let mut out = Out {
        code,
        runs: Vec::with_capacity(code.len() / 4),
    };
    match lang {
        Lang::Shell => shell(code, &mut out)?,
        Lang::Json => json(code, &mut out)?,
        Lang::Yaml => yaml(code, &mut out)?,
        Lang::Rust => rust(code, &mut out)?,
    }
    let mut lines = Lines::default();
    let mut pos = 0;
    for (class, range) in out.runs {
        if range.start > pos {
            lines.push(None, &code[pos..range.start]);
        }
        lines.push(class, &code[range.clone()]);
        pos = range.end;
    }
    lines.push(None, &code[pos..]);
    Some(lines)
}

/// Classed runs, in order; text between them is plain.
struct Out<'c> {
    code: &'c str,
    runs: Vec<(Option<Class>, Range<usize>)>,
}

impl Out<'_> {
    fn push(&mut self, class: Class, range: Range<usize>) {
        debug_assert!(range.end <= self.code.len());
        self.runs.push((Some(class), range));
    }
}

/// The text's lines with their offsets, without their newlines. `None` for a block
/// without a final newline or with a `\r` (left to the grammar).
fn lines(code: &str) -> Option<impl Iterator<Item = (usize, &str)>> {
    if !code.ends_with('\n') || code.contains('\r') || code.contains('\t') {
        return None;
    }
    let mut offset = 0;
    Some(code[..code.len() - 1].split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    }))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

// ---------------------------------------------------------------- shell

/// Words that make a shell line more than a simple command: left to the grammar.
const SHELL_RESERVED: &[&str] = &[
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "for",
    "while",
    "until",
    "do",
    "done",
    "case",
    "esac",
    "function",
    "select",
    "in",
    "time",
    "coproc",
    "export",
    "declare",
    "local",
    "readonly",
    "typeset",
    "unset",
    "alias",
    "let",
    "eval",
    "exec",
    "source",
    "set",
    "shift",
    "trap",
    "return",
    "break",
    "continue",
    "test",
    "true",
    "false",
    "sudo",
    "command",
    "builtin",
    "enable",
    "exit",
    "cd",
    "echo",
    "printf",
    "read",
    "kill",
    "wait",
    "type",
    "hash",
    "env",
    "xargs",
    "nohup",
    "getopts",
    "ulimit",
    "umask",
    "unalias",
    "bind",
    "caller",
    "compgen",
    "complete",
    "dirs",
    "disown",
    "fc",
    "fg",
    "bg",
    "help",
    "history",
    "jobs",
    "logout",
    "mapfile",
    "popd",
    "pushd",
    "pwd",
    "readarray",
    "shopt",
    "suspend",
    "times",
];

/// Simple commands: `cmd word --option 'single' "double" | cmd && cmd`, one per line,
/// comment lines. No expansions, redirections, assignments, continuations or keywords.
fn shell(code: &str, out: &mut Out) -> Option<()> {
    let mut continued = false;
    for (start, line) in lines(code)? {
        continued = shell_line(line, start, continued, out)?;
    }
    (!continued).then_some(())
}

/// One line; `continued` if the line before ended in ` \`. Returns whether this one does.
fn shell_line(line: &str, base: usize, continued: bool, out: &mut Out) -> Option<bool> {
    let (line, continues) = match line.strip_suffix(" \\") {
        Some(head) if !head.trim().is_empty() => (head, true),
        _ => (line, false),
    };
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if i == b.len() {
        return (!continued).then_some(false);
    }
    if b[i] == b'#' && !continued && !continues {
        // A comment line (the grammar's comment starts at the `#`).
        out.push(Class::Comment, base + i..base + b.len());
        return Some(false);
    }
    let mut expect_command = !continued;
    if continued {
        // A continued line's indentation belongs to its first argument's token.
        i = 0;
    }
    while i < b.len() {
        let space_start = i;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let word_start = i;
        if expect_command {
            while i < b.len()
                && (b[i].is_ascii_lowercase()
                    || b[i].is_ascii_digit()
                    || b[i] == b'-'
                    || b[i] == b'_')
            {
                i += 1;
            }
            let word = &line[word_start..i];
            if word.is_empty()
                || !word.as_bytes()[0].is_ascii_lowercase()
                || (i < b.len() && b[i] != b' ')
                || SHELL_RESERVED.contains(&word)
            {
                return None;
            }
            out.push(Class::Function, base + word_start..base + i);
            expect_command = false;
            continue;
        }
        match b[i] {
            b'|' | b'&' => {
                let op = if b[i..].starts_with(b"||") || b[i..].starts_with(b"&&") {
                    2
                } else if b[i] == b'|' && !b[i..].starts_with(b"|&") {
                    1
                } else {
                    return None;
                };
                if b.get(i + op) != Some(&b' ') {
                    return None;
                }
                out.push(Class::Operator, base + i..base + i + op);
                i += op;
                expect_command = true;
            }
            b'-' => {
                // An option: the grammar's scope takes the spaces before it.
                let mut j = i;
                while j < b.len() && b[j] == b'-' {
                    j += 1;
                }
                if j - i > 2 || j == b.len() || !b[j].is_ascii_alphanumeric() {
                    return None;
                }
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
                    j += 1;
                }
                out.push(Class::Variable, base + space_start..base + j);
                if b.get(j) == Some(&b'=') {
                    // `--name=value`: the `=` an operator, the value plain.
                    out.push(Class::Operator, base + j..base + j + 1);
                    j += 1;
                    let value = j;
                    while j < b.len()
                        && (b[j].is_ascii_alphanumeric()
                            || matches!(b[j], b'_' | b'.' | b'/' | b':' | b'-' | b','))
                    {
                        j += 1;
                    }
                    if j == value {
                        return None;
                    }
                }
                if j < b.len() && b[j] != b' ' {
                    return None;
                }
                i = j;
            }
            b'$' => {
                // `$NAME`, unquoted.
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_uppercase() || b[j] == b'_') {
                    j += 1;
                }
                if j == i + 1 || (j < b.len() && b[j] != b' ') {
                    return None;
                }
                out.push(Class::Variable, base + i..base + j);
                i = j;
            }
            b'\'' => {
                let close = line[i + 1..].find('\'')? + i + 1;
                if close + 1 < b.len() && b[close + 1] != b' ' {
                    return None;
                }
                out.push(Class::String, base + i..base + close + 1);
                i = close + 1;
            }
            b'"' => {
                let close = line[i + 1..].find('"')? + i + 1;
                if line[i + 1..close].contains(['$', '`', '\\', '!'])
                    || (close + 1 < b.len() && b[close + 1] != b' ')
                {
                    return None;
                }
                out.push(Class::String, base + i..base + close + 1);
                i = close + 1;
            }
            _ => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || matches!(b[i], b'_' | b'.' | b'/' | b':' | b'-' | b',' | b'='))
                {
                    i += 1;
                }
                if i > word_start && b[i - 1] == b'=' && matches!(b.get(i), Some(b'\'' | b'"')) {
                    // `name='value'`: the quoted value a string.
                    let quote = b[i] as char;
                    let close = line[i + 1..].find(quote)? + i + 1;
                    if line[i + 1..close].contains(['$', '`', '\\', '!'])
                        || (close + 1 < b.len() && b[close + 1] != b' ')
                    {
                        return None;
                    }
                    out.push(Class::String, base + i..base + close + 1);
                    i = close + 1;
                    continue;
                }
                if i == word_start || (i < b.len() && b[i] != b' ') {
                    return None;
                }
            }
        }
    }
    if expect_command {
        return None;
    }
    Some(continues)
}

// ---------------------------------------------------------------- JSON

/// Standard JSON (one value): objects, arrays, strings with simple escapes, integers,
/// literals. Anything out of place (a missing comma, a comment) is left to the grammar.
fn json(code: &str, out: &mut Out) -> Option<()> {
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
fn json_string(b: &[u8], i: usize, out: &mut Out, class: Class) -> Option<usize> {
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

// ---------------------------------------------------------------- YAML

/// Words a YAML 1.1 reader (the grammar's) takes for booleans or null, in any case.
const YAML_SPECIAL: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// Block mappings and sequences of simple scalars: `key:`, `key: value`, `- value`,
/// `- key: value`, comments. No flow collections, block scalars, anchors, tags,
/// multi-line scalars or documents.
fn yaml(code: &str, out: &mut Out) -> Option<()> {
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
fn yaml_value(line: &str, i: usize, base: usize, out: &mut Out) -> Option<()> {
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

// ---------------------------------------------------------------- Rust

const RUST_KEYWORDS: &[&str] = &["if", "else", "return"];
const RUST_STORAGE: &[&str] = &[
    "let", "fn", "mut", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32",
    "i64", "i128", "f32", "f64", "bool", "str", "char",
];
/// Words whose meaning depends on more context than this lexer keeps.
const RUST_OTHER: &[&str] = &[
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
const RUST_TYPES: &[&str] = &["Result", "String", "Ok", "Err"];

/// Functions with simple bodies: `fn name(arg: &str) -> Result<usize, String> {`, `let`,
/// `if … { return …; }`, method calls, strings without escapes, integers, `* + =`.
fn rust(code: &str, out: &mut Out) -> Option<()> {
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
fn rust_signature(code: &str, i: usize, out: &mut Out) -> Option<usize> {
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
fn rust_type(code: &str, mut i: usize, out: &mut Out) -> Option<usize> {
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

// ---------------------------------------------------------------- Handlebars

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
                while i < end && (is_word_byte(b[i]) || matches!(b[i], b'.' | b'-' | b'$' | b'/')) {
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
