//! The grammar engine: syntect's parser over two-face's syntax set (bat's: Sublime Text
//! grammars for 200+ languages), each token classed by [`super::classes`].
//!
//! The syntax set is loaded once per process, on the first block that needs it (about
//! 2 ms: a dump in the binary); a grammar's regexes compile on first use, so a build pays
//! only for the languages its pages use.

use std::ops::Range;
use std::sync::LazyLock;

use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::classes::{self, Class};

/// two-face's syntax set (with newlines, Oniguruma regexes).
pub static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Fence names for a grammar besides its own file extensions and name (matched
/// case-insensitively by syntect): the aliases and the names docs often use.
pub const ALIASES: &[(&str, &str)] = &[
    ("bash", "Bourne Again Shell (bash)"),
    ("sh", "Bourne Again Shell (bash)"),
    ("shell", "Bourne Again Shell (bash)"),
    ("zsh", "Bourne Again Shell (bash)"),
    ("yml", "YAML"),
    ("javascript", "JavaScript (Babel)"),
    ("js", "JavaScript (Babel)"),
    ("jsx", "JavaScript (Babel)"),
    ("mjs", "JavaScript (Babel)"),
    ("cjs", "JavaScript (Babel)"),
    ("node", "JavaScript (Babel)"),
    ("typescript", "TypeScript"),
    ("python", "Python"),
    ("py3", "Python"),
    ("rust", "Rust"),
    ("golang", "Go"),
    ("csharp", "C#"),
    ("c#", "C#"),
    ("kotlin", "Kotlin"),
    ("ruby", "Ruby"),
    ("powershell", "PowerShell"),
    ("pwsh", "PowerShell"),
    ("ps", "PowerShell"),
    ("docker", "Dockerfile (with bash)"),
    ("dockerfile", "Dockerfile (with bash)"),
    ("protobuf", "Protocol Buffer"),
    ("proto3", "Protocol Buffer"),
    ("terraform", "Terraform"),
    ("hcl", "Terraform"),
    ("nginx", "nginx"),
    ("nginxconf", "nginx"),
    ("markdown", "Markdown"),
    ("md", "Markdown"),
    ("html", "HTML"),
    ("xml", "XML"),
    ("svg", "XML"),
    ("http", "HTTP Request and Response"),
    ("diff", "Diff"),
    ("patch", "Diff"),
    ("graphql", "GraphQL"),
    ("sql", "SQL"),
    ("toml", "TOML"),
    ("ini", "INI"),
    ("conf", "INI"),
    ("css", "CSS"),
    ("scss", "SCSS"),
    ("lua", "Lua"),
    ("rego", "Rego"),
    ("objc", "Objective-C"),
    ("objective-c", "Objective-C"),
    ("cpp", "C++"),
    ("c++", "C++"),
    ("java", "Java"),
    ("swift", "Swift"),
    ("php", "PHP"),
    ("perl", "Perl"),
    ("elixir", "Elixir"),
    ("erlang", "Erlang"),
    ("haskell", "Haskell"),
    ("scala", "Scala"),
    ("groovy", "Groovy"),
    ("makefile", "Makefile"),
    ("env", "DotENV"),
    ("dotenv", "DotENV"),
    ("jq", "JQ"),
    ("latex", "LaTeX"),
    ("batch", "Batch File"),
    ("properties", "Java Properties"),
];

/// The grammar a fence's (lowercased) language names, if any.
pub fn find(lang: &str) -> Option<&'static SyntaxReference> {
    let set = &*SYNTAXES;
    match ALIASES.iter().find(|(alias, _)| *alias == lang) {
        Some((_, name)) => set.find_syntax_by_name(name),
        None => set
            .find_syntax_by_token(lang)
            .filter(|syntax| syntax.name != "Plain Text"),
    }
}

/// Calls `emit` with each run of `code` (its class and byte range, in order, covering the
/// whole text), as `syntax`'s grammar and the class table make it. `None` if the grammar
/// fails on the text (a regex error): the caller shows it plain.
pub fn highlight(
    syntax: &SyntaxReference,
    code: &str,
    mut emit: impl FnMut(Option<Class>, Range<usize>),
) -> Option<()> {
    let set = &*SYNTAXES;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut class = None;
    let mut offset = 0;
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).ok()?;
        let mut pos = 0;
        for (i, op) in ops {
            if i > pos {
                emit(class, offset + pos..offset + i);
                pos = i;
            }
            stack.apply(&op).ok()?;
            class = classes::resolve(stack.as_slice());
        }
        if line.len() > pos {
            emit(class, offset + pos..offset + line.len());
        }
        offset += line.len();
    }
    Some(())
}

/// Every language a fence may name: each grammar's name with the names that select it
/// (aliases and file extensions), sorted by name; hidden helper grammars left out.
pub fn languages() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = SYNTAXES
        .syntaxes()
        .iter()
        .filter(|syntax| !syntax.hidden && syntax.name != "Plain Text")
        .map(|syntax| {
            let mut names: Vec<String> = ALIASES
                .iter()
                .filter(|(_, name)| *name == syntax.name)
                .map(|(alias, _)| alias.to_string())
                .collect();
            for ext in &syntax.file_extensions {
                let ext = ext.to_ascii_lowercase();
                let simple = ext
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_'));
                if simple
                    && !names.contains(&ext)
                    && find(&ext).is_some_and(|s| s.name == syntax.name)
                {
                    names.push(ext);
                }
            }
            (syntax.name.clone(), names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect();
    out.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    out
}
