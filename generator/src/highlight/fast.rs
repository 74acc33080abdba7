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
//! One module per language (`fast/shell.rs`, `json.rs`, `yaml.rs`, `rust.rs`), all
//! writing into `fast/out.rs`'s [`out::Out`].

use super::lines::Lines;

mod json;
mod out;
mod rust;
mod shell;
mod yaml;

use out::Out;

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
        Lang::Shell => shell::shell(code, &mut out)?,
        Lang::Json => json::json(code, &mut out)?,
        Lang::Yaml => yaml::yaml(code, &mut out)?,
        Lang::Rust => rust::rust(code, &mut out)?,
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
