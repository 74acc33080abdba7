//! The shell family (bash, sh, zsh, shell): commands, options, strings, variables,
//! `$(…)`, comments, the reserved words.

use super::out::{Out, lines};
use crate::highlight::classes::Class;

/// Words that make a shell line more than a simple command: left to the grammar.
pub(super) const SHELL_RESERVED: &[&str] = &[
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
pub(super) fn shell(code: &str, out: &mut Out) -> Option<()> {
    let mut continued = false;
    for (start, line) in lines(code)? {
        continued = shell_line(line, start, continued, out)?;
    }
    (!continued).then_some(())
}

/// One line; `continued` if the line before ended in ` \`. Returns whether this one does.
pub(super) fn shell_line(line: &str, base: usize, continued: bool, out: &mut Out) -> Option<bool> {
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
