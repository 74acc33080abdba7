//! The grammar engine: syntect's parser over two-face's syntax set (bat's: Sublime Text
//! grammars for 200+ languages), each token classed by [`super::classes`].
//!
//! The syntax set is loaded once per process, on the first block that needs it (about
//! 2 ms: a dump in the binary); a grammar's regexes compile on first use, so a build pays
//! only for the languages its pages use.

use std::ops::Range;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

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

/// A grammar's time on one line grows with the square of the line's length, and faster
/// for a few grammars: on a line built to be hard (an unclosed bracket, then thousands
/// of word characters), 1,000 bytes cost 5 ms in bash, 32 ms in JavaScript, 59 ms in
/// Command Help and a second in LiveScript (`bench/highlight-worst.sh`). A longer line
/// than this is shown plain, and the grammar's state passes it unchanged (as editors
/// do past their tokenization limit), so the lines after it highlight as before.
pub const LINE_MAX: usize = 512;

/// A line longer than this counts against [`LONG_LINES_WORK`]; shorter lines cost the
/// grammar about linear time, and never count.
const LONG_LINE: usize = 128;

/// What a block's long lines may cost the grammar, as the sum of their squared lengths:
/// four lines of [`LINE_MAX`] bytes. Past it, the block's remaining long lines are
/// shown plain. With [`LINE_MAX`], this bounds a block's grammar time to a few
/// [`LINE_MAX`] lines' worth, whatever it holds, plus time linear in its short lines.
const LONG_LINES_WORK: usize = 4 * LINE_MAX * LINE_MAX;

/// How long the grammar may spend on a block before the rest is shown plain: 250 ms,
/// and 4 ms more per KB of the block. The bounds above are what keep blocks fast, and
/// always give the same page; this one is the net under them, for grammars slower than
/// the model (Makefile's and LiveScript's long lines cost 50 times bash's). It is
/// counted from the end of the block's first line, so that most of the grammar's first
/// use (compiling its regexes: up to 15 ms) is not counted, and checked between lines;
/// [`super::watchdog`] stops a block whose one line takes longer.
///
/// Why not the 50 ms a block should cost: a grammar compiles the regexes of each
/// context the first time a line enters it, and that time counts. A budget near it
/// could cut an ordinary block, the first of its language, on a loaded machine, and
/// the page would differ from one build to the next; at 250 ms no ordinary block
/// comes near it (the slowest first use measured is 15 ms, the usual rate well under
/// 1 ms per KB). An unoptimised build (the tests) gets ten times as long.
pub fn block_time(code_len: usize) -> Duration {
    let kb = u32::try_from(code_len / 1024).unwrap_or(u32::MAX);
    BLOCK_TIME_BASE
        .saturating_add(BLOCK_TIME_PER_KB.saturating_mul(kb))
        .saturating_mul(SLOWDOWN)
}

const BLOCK_TIME_BASE: Duration = Duration::from_millis(250);
const BLOCK_TIME_PER_KB: Duration = Duration::from_millis(4);

/// How much slower the grammar runs unoptimised.
pub const SLOWDOWN: u32 = if cfg!(debug_assertions) { 10 } else { 1 };

/// A line of a block the grammar did not highlight (it is shown plain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// 0-based, in the text given to [`highlight`].
    pub line: usize,
    /// Its length in bytes, without the newline.
    pub len: usize,
    pub why: Why,
}

/// Why a line was not highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Longer than [`LINE_MAX`].
    TooLong,
    /// The block's long lines before it used up [`LONG_LINES_WORK`].
    BlockBudget,
    /// The block had taken its [`block_time`], or a line held the grammar past it.
    BlockTime,
}

impl Cut {
    /// What a warning says about the first of a block's `cuts` (each block gets one).
    pub fn message(cuts: &[Cut], lang: &str) -> Option<String> {
        let first = cuts.first()?;
        let why = match first.why {
            Why::TooLong => format!(
                "this line of a `{lang}` code block is shown without highlighting: it is {} \
                 bytes long, and lines over {LINE_MAX} bytes are not highlighted, as the \
                 grammar's time grows with the square of a line's length (break the line, \
                 or mark the block `text`)",
                first.len
            ),
            Why::BlockBudget => format!(
                "from this line on, the long lines of this `{lang}` code block are shown \
                 without highlighting: a block's lines over {LONG_LINE} bytes may cost the \
                 grammar as much as four lines of {LINE_MAX} bytes"
            ),
            Why::BlockTime => format!(
                "from this line on, this `{lang}` code block is shown without highlighting: \
                 the grammar had taken longer than a block of its size may (a quarter \
                 of a second, and 4 ms per KB)"
            ),
        };
        Some(match cuts.len() {
            1 => why,
            n => format!("{why} ({} more lines of the block shown plain)", n - 1),
        })
    }
}

/// Calls `emit` with each run of `code` (its class and byte range, in order, covering the
/// whole text), as `syntax`'s grammar and the class table make it, and returns the lines
/// it showed plain to bound its time ([`LINE_MAX`], [`LONG_LINES_WORK`]). `None` if the
/// grammar fails on the text (a regex error): the caller shows it plain.
pub fn highlight(
    syntax: &SyntaxReference,
    code: &str,
    mut emit: impl FnMut(Option<Class>, Range<usize>),
) -> Option<Vec<Cut>> {
    let set = &*SYNTAXES;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut class = None;
    let mut offset = 0;
    let mut work = 0usize;
    let mut cuts = Vec::new();
    let allowed = block_time(code.len());
    let mut started: Option<Instant> = None;
    let mut out_of_time = false;
    for (number, line) in LinesWithEndings::from(code).enumerate() {
        let len = line.trim_end_matches(['\n', '\r']).len();
        out_of_time = out_of_time || started.is_some_and(|s| s.elapsed() > allowed);
        let why = if out_of_time {
            Some(Why::BlockTime)
        } else if len > LINE_MAX {
            Some(Why::TooLong)
        } else if len > LONG_LINE {
            work += len * len;
            (work > LONG_LINES_WORK).then_some(Why::BlockBudget)
        } else {
            None
        };
        if let Some(why) = why {
            cuts.push(Cut {
                line: number,
                len,
                why,
            });
            emit(None, offset..offset + line.len());
            offset += line.len();
            continue;
        }
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
        started.get_or_insert_with(Instant::now);
    }
    Some(cuts)
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
