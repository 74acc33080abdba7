//! Build-time syntax highlighting of fenced code, as class-based spans.
//!
//! A small hand-written lexer per language family instead of a TextMate-grammar engine:
//! docs code blocks are short and their languages few, and highlighting must not
//! dominate a 10,000-page build (syntect costs more than the rest of the pipeline
//! together on the benchmark corpus). The theme's CSS colours the `hl-*` classes, so
//! pages carry no inline styles and need no JavaScript.

use edge::html::escape_into;

/// Appends `<pre class="code" data-lang="…"><code>…</code></pre>` for `code` to `out`.
pub fn highlight_block(lang: &str, code: &str, out: &mut String) {
    let lang = lang.trim().to_ascii_lowercase();
    out.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_into(&lang, out);
        out.push('"');
    }
    out.push_str("><code>");
    let mut h = Highlighter { out };
    match lang.as_str() {
        "bash" | "sh" | "shell" | "console" | "zsh" | "shell-session" => h.shell(code),
        "json" | "jsonc" => h.json(code),
        "yaml" | "yml" => h.yaml(code),
        "toml" | "ini" => h.toml(code),
        "html" | "xml" | "svg" => h.markup(code),
        "http" => h.http(code),
        other => match keywords(other) {
            Some(lang) => h.c_like(code, &lang),
            None => escape_into(code, h.out),
        },
    }
    out.push_str("</code></pre>\n");
}

struct Lang {
    keywords: &'static [&'static str],
    literals: &'static [&'static str],
    line_comment: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    /// Capitalised identifiers are types (Rust, Go, TypeScript, Java).
    capitalised_types: bool,
}

fn keywords(lang: &str) -> Option<Lang> {
    let lang = match lang {
        "rust" | "rs" => Lang {
            keywords: &[
                "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else",
                "enum", "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
                "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
                "trait", "type", "unsafe", "use", "where", "while",
            ],
            literals: &["true", "false", "None", "Some", "Ok", "Err"],
            line_comment: &["//"],
            block_comment: Some(("/*", "*/")),
            capitalised_types: true,
        },
        "js" | "javascript" | "ts" | "typescript" | "jsx" | "tsx" | "mjs" => Lang {
            keywords: &[
                "async",
                "await",
                "break",
                "case",
                "catch",
                "class",
                "const",
                "continue",
                "default",
                "delete",
                "do",
                "else",
                "export",
                "extends",
                "finally",
                "for",
                "from",
                "function",
                "if",
                "import",
                "in",
                "instanceof",
                "interface",
                "let",
                "new",
                "of",
                "return",
                "switch",
                "this",
                "throw",
                "try",
                "type",
                "typeof",
                "var",
                "void",
                "while",
                "yield",
            ],
            literals: &["true", "false", "null", "undefined"],
            line_comment: &["//"],
            block_comment: Some(("/*", "*/")),
            capitalised_types: true,
        },
        "go" | "golang" => Lang {
            keywords: &[
                "break",
                "case",
                "chan",
                "const",
                "continue",
                "default",
                "defer",
                "else",
                "fallthrough",
                "for",
                "func",
                "go",
                "goto",
                "if",
                "import",
                "interface",
                "map",
                "package",
                "range",
                "return",
                "select",
                "struct",
                "switch",
                "type",
                "var",
            ],
            literals: &["true", "false", "nil", "iota"],
            line_comment: &["//"],
            block_comment: Some(("/*", "*/")),
            capitalised_types: true,
        },
        "python" | "py" => Lang {
            keywords: &[
                "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
                "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
                "import", "in", "is", "lambda", "not", "or", "pass", "raise", "return", "try",
                "while", "with", "yield",
            ],
            literals: &["True", "False", "None"],
            line_comment: &["#"],
            block_comment: None,
            capitalised_types: false,
        },
        "sql" => Lang {
            keywords: &[
                "select",
                "from",
                "where",
                "insert",
                "into",
                "values",
                "update",
                "set",
                "delete",
                "create",
                "table",
                "index",
                "on",
                "join",
                "left",
                "right",
                "inner",
                "outer",
                "group",
                "by",
                "order",
                "limit",
                "and",
                "or",
                "not",
                "as",
                "primary",
                "key",
                "references",
                "alter",
                "drop",
                "SELECT",
                "FROM",
                "WHERE",
                "INSERT",
                "INTO",
                "VALUES",
                "UPDATE",
                "SET",
                "DELETE",
                "CREATE",
                "TABLE",
                "INDEX",
                "ON",
                "JOIN",
                "LEFT",
                "INNER",
                "GROUP",
                "BY",
                "ORDER",
                "LIMIT",
                "AND",
                "OR",
                "NOT",
                "AS",
                "PRIMARY",
                "KEY",
                "REFERENCES",
                "ALTER",
                "DROP",
            ],
            literals: &["null", "NULL", "true", "false", "TRUE", "FALSE"],
            line_comment: &["--"],
            block_comment: Some(("/*", "*/")),
            capitalised_types: false,
        },
        "java" | "c" | "cpp" | "c++" | "cs" | "csharp" | "kotlin" | "swift" => Lang {
            keywords: &[
                "break",
                "case",
                "catch",
                "class",
                "const",
                "continue",
                "default",
                "do",
                "else",
                "enum",
                "extends",
                "final",
                "for",
                "fun",
                "func",
                "if",
                "import",
                "include",
                "interface",
                "let",
                "namespace",
                "new",
                "package",
                "private",
                "protected",
                "public",
                "return",
                "static",
                "struct",
                "switch",
                "this",
                "throw",
                "try",
                "using",
                "val",
                "var",
                "void",
                "while",
            ],
            literals: &["true", "false", "null", "nil", "NULL", "nullptr"],
            line_comment: &["//"],
            block_comment: Some(("/*", "*/")),
            capitalised_types: true,
        },
        _ => return None,
    };
    Some(lang)
}

/// What a lexer makes of the text at one position.
enum Step {
    /// A token of this many bytes, shown with this class.
    Token(&'static str, usize),
    /// This many bytes of plain text (a word that is nothing special, say), skipped whole so
    /// that its tail is not taken for a token.
    Plain(usize),
}

struct Highlighter<'o> {
    out: &'o mut String,
}

impl Highlighter<'_> {
    fn span(&mut self, class: &str, text: &str) {
        if text.is_empty() {
            return;
        }
        self.out.push_str("<span class=\"");
        self.out.push_str(class);
        self.out.push_str("\">");
        escape_into(text, self.out);
        self.out.push_str("</span>");
    }

    fn plain(&mut self, text: &str) {
        escape_into(text, self.out);
    }

    /// Runs a lexer over `code`: `step(code, i)` says what starts at byte `i` (`None`: one
    /// plain character). Plain runs are escaped in one go, between tokens.
    fn scan(&mut self, code: &str, mut step: impl FnMut(&str, usize) -> Option<Step>) {
        let bytes = code.as_bytes();
        let mut i = 0;
        let mut plain_from = 0;
        while i < bytes.len() {
            match step(code, i) {
                Some(Step::Token(class, len)) if len > 0 => {
                    self.plain(&code[plain_from..i]);
                    self.span(class, &code[i..i + len]);
                    i += len;
                    plain_from = i;
                }
                Some(Step::Plain(len)) if len > 0 => i += len,
                _ => i += utf8_len(bytes[i]),
            }
        }
        self.plain(&code[plain_from..]);
    }

    fn c_like(&mut self, code: &str, lang: &Lang) {
        self.scan(code, |code, i| {
            let bytes = code.as_bytes();
            let rest = &code[i..];
            if lang.line_comment.iter().any(|p| rest.starts_with(*p)) {
                return Some(Step::Token("hl-com", rest.find('\n').unwrap_or(rest.len())));
            }
            if let Some((open, close)) = lang
                .block_comment
                .filter(|(open, _)| rest.starts_with(open))
            {
                let end = rest[open.len()..]
                    .find(close)
                    .map_or(rest.len(), |j| open.len() + j + close.len());
                return Some(Step::Token("hl-com", end));
            }
            match bytes[i] {
                // A Rust lifetime `'a` is not a string.
                b'\'' if is_lifetime(rest) => None,
                q @ (b'"' | b'\'' | b'`') => Some(Step::Token("hl-str", string_len(rest, q))),
                b'0'..=b'9' if !prev_is_word(bytes, i) => {
                    Some(Step::Token("hl-num", number_len(rest)))
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let len = word_len(rest);
                    let word = &rest[..len];
                    let next = rest[len..]
                        .trim_start_matches(' ')
                        .as_bytes()
                        .first()
                        .copied();
                    let class = if lang.keywords.contains(&word) {
                        "hl-kw"
                    } else if lang.literals.contains(&word) {
                        "hl-num"
                    } else if next == Some(b'(') || next == Some(b'!') && lang.capitalised_types {
                        "hl-fn"
                    } else if lang.capitalised_types
                        && word.starts_with(|c: char| c.is_ascii_uppercase())
                    {
                        "hl-ty"
                    } else {
                        return Some(Step::Plain(len));
                    };
                    Some(Step::Token(class, len))
                }
                _ => None,
            }
        });
    }

    fn shell(&mut self, code: &str) {
        const KEYWORDS: &[&str] = &[
            "if", "then", "else", "elif", "fi", "for", "while", "do", "done", "case", "esac", "in",
            "function", "return", "export", "local", "sudo",
        ];
        for line in code.split_inclusive('\n') {
            let mut command_position = true;
            self.scan(line, |line, i| {
                let bytes = line.as_bytes();
                let rest = &line[i..];
                let c = bytes[i];
                let token = match c {
                    b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                        ("hl-com", rest.trim_end_matches('\n').len())
                    }
                    b'"' | b'\'' => ("hl-str", string_len(rest, c)),
                    b'$' if i == 0 && rest.starts_with("$ ") => ("hl-op", 1),
                    b'$' => {
                        let len = if rest[1..].starts_with('{') {
                            rest.find('}').map_or(rest.len(), |j| j + 1)
                        } else {
                            1 + word_len(&rest[1..])
                        };
                        ("hl-var", len)
                    }
                    b'|' | b';' | b'&' | b'>' | b'<' => {
                        command_position = matches!(c, b'|' | b';' | b'&');
                        let len = rest
                            .bytes()
                            .take_while(|b| matches!(b, b'|' | b'&' | b';' | b'>' | b'<'))
                            .count();
                        ("hl-op", len)
                    }
                    b'\\' => ("hl-op", 1),
                    b'-' if i > 0 && bytes[i - 1] == b' ' => {
                        let len = rest
                            .bytes()
                            .take_while(|b| !b.is_ascii_whitespace() && *b != b'=')
                            .count();
                        ("hl-key", len)
                    }
                    c if c.is_ascii_whitespace() => return None,
                    _ => {
                        let len = rest
                            .bytes()
                            .take_while(|b| {
                                !b.is_ascii_whitespace()
                                    && !matches!(
                                        b,
                                        b'|' | b';' | b'&' | b'"' | b'\'' | b'$' | b'>' | b'<'
                                    )
                            })
                            .count();
                        let word = &rest[..len];
                        if KEYWORDS.contains(&word) {
                            ("hl-kw", len)
                        } else if command_position && !word.contains('=') {
                            command_position = false;
                            ("hl-fn", len)
                        } else {
                            return Some(Step::Plain(len));
                        }
                    }
                };
                Some(Step::Token(token.0, token.1))
            });
        }
    }

    fn json(&mut self, code: &str) {
        self.scan(code, |code, i| {
            let rest = &code[i..];
            let token = match code.as_bytes()[i] {
                b'"' => {
                    let len = string_len(rest, b'"');
                    let is_key = rest[len..].trim_start().starts_with(':');
                    (if is_key { "hl-key" } else { "hl-str" }, len)
                }
                b'-' | b'0'..=b'9' => ("hl-num", number_len(rest)),
                b't' | b'f' | b'n' => ["true", "false", "null"]
                    .iter()
                    .find(|lit| rest.starts_with(**lit))
                    .map(|lit| ("hl-num", lit.len()))?,
                b'/' if rest.starts_with("//") => ("hl-com", rest.find('\n').unwrap_or(rest.len())),
                _ => return None,
            };
            Some(Step::Token(token.0, token.1))
        });
    }

    fn yaml(&mut self, code: &str) {
        for line in code.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            let indent = body.len() - body.trim_start().len();
            self.plain(&body[..indent]);
            let mut rest = &body[indent..];
            if rest.starts_with('#') {
                self.span("hl-com", rest);
                self.plain(&line[body.len()..]);
                continue;
            }
            if rest == "---" || rest == "..." {
                self.span("hl-op", rest);
                self.plain(&line[body.len()..]);
                continue;
            }
            while let Some(after) = rest.strip_prefix("- ") {
                self.span("hl-op", "-");
                self.plain(" ");
                rest = after;
            }
            if let Some(colon) = yaml_key_end(rest) {
                self.span("hl-key", &rest[..colon]);
                self.span("hl-op", ":");
                rest = &rest[colon + 1..];
            }
            self.yaml_value(rest);
            self.plain(&line[body.len()..]);
        }
    }

    fn yaml_value(&mut self, value: &str) {
        let trimmed = value.trim_start();
        let lead = value.len() - trimmed.len();
        self.plain(&value[..lead]);
        let (main, comment) = match trimmed.find(" #") {
            Some(j) if !trimmed.starts_with(['"', '\'']) => (&trimmed[..j], &trimmed[j..]),
            _ => (trimmed, ""),
        };
        let bare = main.trim_end();
        if bare.is_empty() {
            self.plain(main);
        } else if bare.starts_with(['"', '\'']) {
            self.span("hl-str", main);
        } else if matches!(bare, "true" | "false" | "null" | "~" | "yes" | "no")
            || bare.parse::<f64>().is_ok()
        {
            self.span("hl-num", main);
        } else if bare.starts_with(['&', '*', '|', '>']) {
            self.span("hl-op", main);
        } else {
            self.span("hl-str", main);
        }
        if !comment.is_empty() {
            self.span("hl-com", comment);
        }
    }

    fn toml(&mut self, code: &str) {
        for line in code.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            let trimmed = body.trim_start();
            let indent = body.len() - trimmed.len();
            self.plain(&body[..indent]);
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                self.span("hl-com", trimmed);
            } else if trimmed.starts_with('[') {
                self.span("hl-ty", trimmed);
            } else if let Some(eq) = trimmed.find('=') {
                self.span("hl-key", &trimmed[..eq]);
                self.span("hl-op", "=");
                self.yaml_value(&trimmed[eq + 1..]);
            } else {
                self.plain(trimmed);
            }
            self.plain(&line[body.len()..]);
        }
    }

    fn markup(&mut self, code: &str) {
        let mut rest = code;
        while let Some(open) = rest.find('<') {
            self.plain(&rest[..open]);
            rest = &rest[open..];
            if rest.starts_with("<!--") {
                let end = rest.find("-->").map_or(rest.len(), |j| j + 3);
                self.span("hl-com", &rest[..end]);
                rest = &rest[end..];
                continue;
            }
            let end = rest.find('>').map_or(rest.len(), |j| j + 1);
            let tag = &rest[..end];
            let name_len = tag
                .bytes()
                .skip(1)
                .take_while(|b| !b.is_ascii_whitespace() && *b != b'>')
                .count()
                + 1;
            self.span("hl-tag", &tag[..name_len]);
            let mut attrs = &tag[name_len..];
            while !attrs.is_empty() {
                if let Some(q) = attrs.find(['"', '\'']) {
                    let quote = attrs.as_bytes()[q];
                    let len = string_len(&attrs[q..], quote);
                    let before = &attrs[..q];
                    match before.rfind('=') {
                        Some(eq) => {
                            self.key_value_prefix(&before[..eq]);
                            self.plain("=");
                            self.plain(&before[eq + 1..]);
                        }
                        None => self.plain(before),
                    }
                    self.span("hl-str", &attrs[q..q + len]);
                    attrs = &attrs[q + len..];
                } else {
                    let close = attrs.trim_end_matches('>');
                    self.key_value_prefix(close);
                    self.span("hl-tag", &attrs[close.len()..]);
                    attrs = "";
                }
            }
            rest = &rest[end..];
        }
        self.plain(rest);
    }

    fn key_value_prefix(&mut self, text: &str) {
        let name_start = text
            .trim_end()
            .rfind(char::is_whitespace)
            .map_or(0, |j| j + 1);
        self.plain(&text[..name_start]);
        self.span("hl-key", &text[name_start..]);
    }

    fn http(&mut self, code: &str) {
        let mut in_body = false;
        for (n, line) in code.split_inclusive('\n').enumerate() {
            let body = line.trim_end_matches('\n');
            if in_body {
                self.plain(line);
                continue;
            }
            if body.trim().is_empty() {
                in_body = true;
                self.plain(line);
                continue;
            }
            if n == 0 {
                match body.split_once(' ') {
                    Some((method, rest)) => {
                        self.span("hl-kw", method);
                        self.plain(" ");
                        self.span("hl-str", rest);
                    }
                    None => self.plain(body),
                }
            } else if let Some((name, value)) = body.split_once(':') {
                self.span("hl-key", name);
                self.plain(":");
                self.plain(value);
            } else {
                self.plain(body);
            }
            self.plain(&line[body.len()..]);
        }
    }
}

fn yaml_key_end(text: &str) -> Option<usize> {
    if text.starts_with(['"', '\'', '{', '[', '#']) {
        return None;
    }
    let colon = text.find(':')?;
    let after = text[colon + 1..].chars().next();
    (matches!(after, None | Some(' ') | Some('\t')) && !text[..colon].contains(' ')
        || after.is_none())
    .then_some(colon)
}

fn string_len(rest: &str, quote: u8) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if quote != b'`' => return i,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn number_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'_')) {
        i += 1;
    }
    i.max(1)
}

fn word_len(rest: &str) -> usize {
    rest.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count()
}

fn prev_is_word(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

fn is_lifetime(rest: &str) -> bool {
    let len = word_len(&rest[1..]);
    len > 0 && rest.as_bytes().get(1 + len) != Some(&b'\'')
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(lang: &str, code: &str) -> String {
        let mut out = String::new();
        highlight_block(lang, code, &mut out);
        out
    }

    #[test]
    fn shell_commands_flags_variables_and_comments() {
        assert_eq!(
            hl("bash", "curl -i $URL/x # go\n"),
            "<pre class=\"code\" data-lang=\"bash\"><code><span class=\"hl-fn\">curl</span> <span class=\"hl-key\">-i</span> <span class=\"hl-var\">$URL</span>/x <span class=\"hl-com\"># go</span>\n</code></pre>\n"
        );
    }

    #[test]
    fn json_keys_differ_from_values() {
        let html = hl("json", r#"{"a": "b", "n": 1, "t": true}"#);
        assert!(
            html.contains(r#"<span class="hl-key">&quot;a&quot;</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<span class="hl-str">&quot;b&quot;</span>"#));
        assert!(html.contains(r#"<span class="hl-num">1</span>"#));
        assert!(html.contains(r#"<span class="hl-num">true</span>"#));
    }

    #[test]
    fn yaml_keys_lists_and_scalars() {
        let html = hl("yaml", "a:\n  - name: x # c\n  n: 3\n");
        assert!(html.contains(r#"<span class="hl-key">name</span><span class="hl-op">:</span> <span class="hl-str">x</span><span class="hl-com"> # c</span>"#), "{html}");
        assert!(html.contains(r#"<span class="hl-num">3</span>"#));
    }

    #[test]
    fn rust_keywords_types_and_lifetimes() {
        let html = hl("rust", "fn f<'a>(x: &'a Str) -> u8 { \"s\" } // c");
        assert!(html.contains(r#"<span class="hl-kw">fn</span>"#), "{html}");
        assert!(html.contains(r#"<span class="hl-ty">Str</span>"#));
        assert!(html.contains(r#"<span class="hl-str">&quot;s&quot;</span>"#));
        assert!(html.contains(r#"<span class="hl-com">// c</span>"#));
        assert!(!html.contains("hl-str\">'a"), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        assert_eq!(
            hl("", "<b>&"),
            "<pre class=\"code\"><code>&lt;b&gt;&amp;</code></pre>\n"
        );
    }

    #[test]
    fn highlighting_never_loses_text() {
        let samples = [
            ("bash", "echo \"unterminated\n$ ls | grep x > y && z\n"),
            ("json", "{\"a\": [1, -2.5e3, null, \"\\\"q\"]}"),
            ("yaml", "- a\n- 'b'\nk: |\n  text\n"),
            ("toml", "[s]\nk = \"v\" # c\n"),
            ("html", "<a href=\"/x\" data-y='z'>t</a><!-- c -->"),
            ("http", "POST /api/x HTTP/1.1\nHost: a\n\n{}"),
            ("python", "def f(x):\n    return 'é' # ü\n"),
            ("go", "func main() { fmt.Println(`raw`) }"),
        ];
        for (lang, code) in samples {
            let html = hl(lang, code);
            let text = strip_tags(&html);
            let mut escaped = String::new();
            escape_into(code, &mut escaped);
            assert_eq!(text, escaped.trim_end_matches('\n'), "{lang}: {html}");
        }
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim_end_matches('\n').to_string()
    }
}
