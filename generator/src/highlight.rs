//! Build-time syntax highlighting of fenced code, as class-based spans.
//!
//! A block's language is found by its fence ([`Fence`]), then highlighted by the first
//! of these that takes it:
//! - the **fast path** ([`fast`]): hand-written lexers for the most frequent languages
//!   (the shell family, JSON, YAML, Rust) that answer only for text they are sure of,
//!   and give exactly what the grammar gives there (its tests compare them on thousands
//!   of blocks); anything else they leave to
//! - the **grammar** ([`grammar`]): syntect with two-face's syntax set (200+ languages,
//!   embedded languages included: a JSON body in `http`, `<script>` in HTML, `$(…)` in a
//!   shell command).
//!
//! Either way each token gets one short class from [`classes`] (`hl-kw`, `hl-str`, …),
//! the one table saying what a colour means; adjacent tokens of one class are one span,
//! and plain text has none. The theme's `static/css/highlight.css` colours the classes
//! (light and dark palettes); pages carry no inline styles (the CSP has no
//! `'unsafe-inline'`).
//!
//! `console` blocks highlight their prompt lines as shell and leave output plain;
//! `handlebars` is HTML with its `{{…}}` expressions lexed here. A block's HTML is cached
//! by its fence and text ([`highlight_block`]), so `gatehouse serve` re-highlights only
//! the blocks that changed. Languages nothing knows are written as plain text and noted
//! with the page naming them ([`take_unknown_languages`]), for one warning per language
//! per build.
//!
//! No block can hold a build up: the grammar's time grows with the square of a line's
//! length, so it shows lines over [`LINE_MAX`] bytes plain, and bounds what a block's
//! long lines may cost it ([`grammar::Cut`]), and gives a block at most a quarter of a
//! second of the grammar's time and 4 ms per KB ([`grammar::block_time`],
//! [`watchdog`]); the page warns at the first line shown plain.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Range, RangeInclusive};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use edge::html::escape_into;

pub mod classes;
pub mod fast;
pub mod grammar;
mod handlebars;
mod lines;
pub mod watchdog;

use classes::Class;
pub use grammar::{Cut, LINE_MAX};
pub use lines::Lines;

/// Names that mean "no language": plain text, and no warning.
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "none", "output"];

/// Names of a shell session: prompt lines are commands, the others output.
const CONSOLE: &[&str] = &["console", "shell-session", "shellsession", "terminal"];

/// Names of Handlebars templates.
const HANDLEBARS: &[&str] = &["handlebars", "hbs"];

/// What a code fence's info string asks for: ```` ```js {2,4-5} linenos title="app.js" ````.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The language as written, lowercased (`rust` of `rust,ignore`); empty for none.
    pub lang: String,
    /// Lines to highlight, 1-based: `{2,4-5}` or `hl_lines="2 4-5"`.
    pub hl_lines: Vec<RangeInclusive<usize>>,
    /// `linenos`: number the lines.
    pub linenos: bool,
    /// `title="kong.conf"`: a caption above the block.
    pub title: Option<String>,
}

impl Fence {
    /// Parses an info string. Words it does not know (`ignore` of `rust,ignore`) are
    /// ignored; a malformed range is skipped.
    pub fn parse(info: &str) -> Fence {
        let info = info.trim();
        let end = info
            .find(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .unwrap_or(info.len());
        let mut fence = Fence {
            lang: info[..end].to_ascii_lowercase(),
            ..Fence::default()
        };
        let mut rest = &info[end..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            if rest.is_empty() {
                break;
            }
            if let Some(inner) = rest.strip_prefix('{') {
                let close = inner.find('}').unwrap_or(inner.len());
                push_ranges(&inner[..close], &mut fence.hl_lines);
                rest = inner.get(close + 1..).unwrap_or("");
                continue;
            }
            let word_end = rest
                .find(|c: char| c.is_whitespace() || c == ',' || c == '=')
                .unwrap_or(rest.len());
            let key = &rest[..word_end];
            rest = &rest[word_end..];
            let value = match rest.strip_prefix('=') {
                Some(after) => {
                    let (value, after) = match after.chars().next() {
                        Some(q @ ('"' | '\'')) => {
                            let inner = &after[1..];
                            let close = inner.find(q).unwrap_or(inner.len());
                            (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                        }
                        _ => {
                            let end = after
                                .find(|c: char| c.is_whitespace() || c == ',')
                                .unwrap_or(after.len());
                            (&after[..end], &after[end..])
                        }
                    };
                    rest = after;
                    Some(value)
                }
                None => None,
            };
            match (key, value) {
                ("linenos", _) => fence.linenos = true,
                ("hl_lines", Some(v)) => push_ranges(v, &mut fence.hl_lines),
                ("title", Some(v)) if !v.is_empty() => fence.title = Some(v.to_string()),
                _ => {}
            }
        }
        fence
    }
}

/// `2,4-5` or `2 4-5` → `[2..=2, 4..=5]`.
fn push_ranges(list: &str, out: &mut Vec<RangeInclusive<usize>>) {
    for part in list
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (from, to) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(from), Ok(to)) = (from.trim().parse::<usize>(), to.trim().parse::<usize>()) {
            out.push(from.min(to)..=from.max(to));
        }
    }
}

/// How a block's language is highlighted.
#[derive(Clone, Copy)]
enum Lang {
    Plain,
    Console,
    Handlebars,
    Grammar(
        &'static syntect::parsing::SyntaxReference,
        Option<fast::Lang>,
    ),
}

/// What a fence's (lowercased) language names; `None` for a language nothing knows.
fn resolve(lang: &str) -> Option<Lang> {
    if PLAIN.contains(&lang) {
        return Some(Lang::Plain);
    }
    if CONSOLE.contains(&lang) {
        return Some(Lang::Console);
    }
    if HANDLEBARS.contains(&lang) {
        return Some(Lang::Handlebars);
    }
    let syntax = grammar::find(lang)?;
    Some(Lang::Grammar(syntax, fast::Lang::for_grammar(&syntax.name)))
}

/// Whether `lang` (as written in a fence) is highlighted, or means plain text.
pub fn is_known(lang: &str) -> bool {
    resolve(&lang.to_ascii_lowercase()).is_some()
}

/// Every language a fence may name, with the names that select it, sorted by name:
/// what `gatehouse languages` prints.
pub fn languages() -> Vec<(String, Vec<String>)> {
    let mut out = grammar::languages();
    out.push((
        "Console (shell session)".to_string(),
        CONSOLE.iter().map(|s| s.to_string()).collect(),
    ));
    out.push((
        "Handlebars".to_string(),
        HANDLEBARS.iter().map(|s| s.to_string()).collect(),
    ));
    out.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    out
}

/// Whether the fast path is used: on unless `GATEHOUSE_HIGHLIGHT_FAST=0` (for
/// bench/highlight.sh's figures without it).
static FAST_PATH: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("GATEHOUSE_HIGHLIGHT_FAST").is_none_or(|v| v != "0"));

/// Highlights `code` in a grammar's language: the fast path if it takes the text
/// (`use_fast`), else the grammar, with the lines it left plain ([`grammar::Cut`]).
/// Tests call it to compare the two.
fn grammar_lines(
    syntax: &'static syntect::parsing::SyntaxReference,
    fast: Option<fast::Lang>,
    code: &str,
    use_fast: bool,
) -> Option<(Vec<String>, Vec<Cut>)> {
    if use_fast
        && let Some(lang) = fast
        && let Some(lines) = fast::highlight(lang, code)
    {
        return Some((lines.finish(), Vec::new()));
    }
    let mut lines = Lines::default();
    let cuts = watchdog::highlight(syntax, code, |class, range| lines.push(class, &code[range]))?;
    Some((lines.finish(), cuts))
}

/// Which path highlights a block, for tests comparing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Only the grammar.
    Grammar,
    /// Only the fast path: `None` where it does not take the text.
    Fast,
}

/// The lines' HTML of `code` in `lang` by one path alone (no cache, no block markup);
/// `None` if that path does not take it or the language has no grammar.
pub fn highlight_by(path: Path, lang: &str, code: &str) -> Option<Vec<String>> {
    let Some(Lang::Grammar(syntax, fast)) = resolve(&lang.to_ascii_lowercase()) else {
        return None;
    };
    match path {
        Path::Grammar => grammar_lines(syntax, None, code, false).map(|(lines, _)| lines),
        Path::Fast => fast::highlight(fast?, code).map(Lines::finish),
    }
}

/// What highlighting a block tells its page, besides the HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the language is known (a block in a language nothing knows is plain
    /// text); an unfenced block has none and is known.
    pub known: bool,
    /// The lines the grammar showed plain to bound its time, 0-based in the block.
    pub cuts: Vec<Cut>,
}

impl Outcome {
    /// The warning for the block's cuts, if any (`lang` as the fence names it).
    pub fn warning(&self, lang: &str) -> Option<(usize, String)> {
        Some((self.cuts.first()?.line, Cut::message(&self.cuts, lang)?))
    }
}

/// Highlighted blocks by fence info and text; cleared when it passes its bound.
struct Cache {
    /// (fence info, text) → (HTML, what else the block tells), so a block taken from
    /// the cache warns as it did when it was made.
    blocks: HashMap<CacheKey, (Arc<str>, Outcome)>,
    bytes: usize,
}

type CacheKey = (Box<str>, Box<str>);

/// The cache's bound: keys and values together (the 10,000-page corpus's 15,000 blocks
/// take about 16 MiB: 12 MB of HTML, 810 bytes a block, so `serve` keeps them all). A
/// site ten times that size cannot keep every block in any reasonable bound, and a
/// clean build gains nothing from it on the corpus (the fast path is as quick as a
/// lookup): 64 MiB was 40 MiB more of a 100,000-page build's peak memory for nothing.
const CACHE_BYTES: usize = 32 << 20;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| {
    Mutex::new(Cache {
        blocks: HashMap::new(),
        bytes: 0,
    })
});

/// How many blocks were highlighted (not taken from the cache) in this process.
static RENDERED: AtomicUsize = AtomicUsize::new(0);

/// How many blocks this process has highlighted rather than taken from the cache.
pub fn blocks_highlighted() -> usize {
    RENDERED.load(Ordering::Relaxed)
}

/// Appends the HTML of one code block to `out`: a `div.code-block` with the title if the
/// fence has one, and a `pre.code` whose lines are `span.line` (`marked` when
/// highlighted by the fence, `cmd` for a console's command, a `span.ln` number first
/// with `linenos`). `info` is the fence's info string. Returns whether the language is
/// known and which lines were left plain ([`Outcome`]).
pub fn highlight_block(info: &str, code: &str, out: &mut String) -> Outcome {
    let key: CacheKey = (info.trim().into(), code.into());
    let cached = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .blocks
        .get(&key)
        .cloned();
    if let Some((html, outcome)) = cached {
        out.push_str(&html);
        return outcome;
    }
    RENDERED.fetch_add(1, Ordering::Relaxed);
    let fence = Fence::parse(info);
    let lang = resolve(&fence.lang);
    let mut html = String::with_capacity(code.len() * 3 + 128);
    let outcome = Outcome {
        known: lang.is_some(),
        cuts: render_block(&fence, lang, code, &mut html),
    };
    out.push_str(&html);
    let size = key.0.len() + key.1.len() + html.len();
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.bytes + size > CACHE_BYTES {
        cache.blocks.clear();
        cache.bytes = 0;
    }
    if size <= CACHE_BYTES
        && cache
            .blocks
            .insert(key, (html.into(), outcome.clone()))
            .is_none()
    {
        cache.bytes += size;
    }
    outcome
}

fn render_block(fence: &Fence, lang: Option<Lang>, code: &str, out: &mut String) -> Vec<Cut> {
    out.push_str("<div class=\"code-block\">");
    if let Some(title) = &fence.title {
        out.push_str("<div class=\"code-title\">");
        escape_into(title, out);
        out.push_str("</div>");
    }
    out.push_str("<pre class=\"code\"");
    if !fence.lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_into(&fence.lang, out);
        out.push('"');
    }
    out.push_str("><code>");
    let lines = match lang {
        Some(Lang::Console) => console_lines(code),
        Some(Lang::Handlebars) => handlebars_lines(code),
        Some(Lang::Grammar(syntax, fast)) => grammar_lines(syntax, fast, code, *FAST_PATH)
            .map(|(lines, cuts)| (plain_flags(lines), cuts)),
        Some(Lang::Plain) | None => None,
    };
    let (lines, cuts) = lines.unwrap_or_else(|| {
        let mut plain = Lines::default();
        plain.push(None, code);
        (plain_flags(plain.finish()), Vec::new())
    });
    wrap_lines(fence, &lines, code, out);
    out.push_str("</code></pre></div>\n");
    cuts
}

/// A block's lines' HTML, each flagged when it is a session's command line, and the
/// lines the grammar left plain.
type Block = (Vec<(String, bool)>, Vec<Cut>);

fn plain_flags(lines: Vec<String>) -> Vec<(String, bool)> {
    lines.into_iter().map(|html| (html, false)).collect()
}

/// The length of a shell session line's prompt: `$ `, `# ` or `% `, alone or after
/// `user@host:path` (`PS C:\> ` for PowerShell is not one: use `powershell`).
fn prompt_len(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let (head, _) = trimmed.split_once(' ')?;
    let is_prompt = matches!(head.chars().last(), Some('$' | '#' | '%'))
        && (head.len() == 1 || head.contains('@'));
    is_prompt.then_some(indent + head.len() + 1)
}

/// A shell session: prompt lines (and the lines a trailing `\` continues) highlighted as
/// bash, with the prompt in a `span.hl-prompt`; output lines plain. The flag marks a
/// command line (`span.line.cmd`), which is what the copy button copies.
fn console_lines(code: &str) -> Option<Block> {
    let mut lines = Vec::new();
    let mut commands = Vec::new();
    let mut continued = false;
    for line in code.strip_suffix('\n').unwrap_or(code).split('\n') {
        let prompt = if continued { Some(0) } else { prompt_len(line) };
        match prompt {
            Some(len) => {
                let mut html = String::new();
                if len > 0 {
                    html.push_str("<span class=\"hl-prompt\">");
                    escape_into(&line[..len], &mut html);
                    html.push_str("</span>");
                }
                commands.push((lines.len(), html, &line[len..]));
                lines.push((String::new(), true));
                continued = line.trim_end().ends_with('\\');
            }
            None => {
                let mut plain = Lines::default();
                plain.push(None, line);
                lines.push((plain.finish().pop().unwrap_or_default(), false));
            }
        }
    }
    let mut cuts = Vec::new();
    if !commands.is_empty() {
        let script: String = commands.iter().map(|(_, _, c)| format!("{c}\n")).collect();
        let syntax = grammar::find("bash")?;
        let (highlighted, script_cuts) =
            grammar_lines(syntax, Some(fast::Lang::Shell), &script, *FAST_PATH)?;
        // The script's lines are the session's command lines.
        cuts = script_cuts
            .into_iter()
            .filter_map(|cut| {
                let (index, _, _) = commands.get(cut.line)?;
                Some(Cut {
                    line: *index,
                    ..cut
                })
            })
            .collect();
        for ((index, prompt, _), command) in commands.into_iter().zip(highlighted) {
            lines[index].0 = prompt + &command;
        }
    }
    Some((lines, cuts))
}

/// Handlebars: the HTML grammar over the text with each `{{…}}` blanked out (so tags
/// and attributes around an expression parse as they would), and the expressions lexed
/// here: `#each`, `/if`, `else` and the built-in helpers keywords, strings, numbers,
/// literals, `this`/`@index`, `key=` attributes; comments `{{! }}` and `{{!-- --}}`.
fn handlebars_lines(code: &str) -> Option<Block> {
    let expressions = handlebars::handlebars_expressions(code);
    let mut masked = code.as_bytes().to_vec();
    for (range, _) in &expressions {
        for byte in &mut masked[range.clone()] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    let masked = String::from_utf8(masked).ok()?;
    let syntax = grammar::find("html")?;
    let mut runs: Vec<(Option<Class>, Range<usize>)> = Vec::new();
    let cuts = watchdog::highlight(syntax, &masked, |class, range| runs.push((class, range)))?;
    let mut lines = Lines::default();
    let mut next = expressions.iter().peekable();
    // Whether the next expression's runs are written already (it began in an earlier run).
    let mut written = false;
    for (class, range) in runs {
        let mut start = range.start;
        while start < range.end {
            match next.peek() {
                Some((expr, expr_runs)) if expr.start < range.end => {
                    if expr.start > start {
                        lines.push(class, &code[start..expr.start]);
                    }
                    if !written {
                        for (expr_class, r) in expr_runs {
                            lines.push(*expr_class, &code[r.clone()]);
                        }
                        written = true;
                    }
                    start = expr.end;
                    if expr.end <= range.end {
                        next.next();
                        written = false;
                    }
                }
                _ => {
                    lines.push(class, &code[start..range.end]);
                    start = range.end;
                }
            }
        }
    }
    Some((plain_flags(lines.finish()), cuts))
}

/// Writes the lines as `span.line`, `marked` on the fence's highlighted ones, `cmd` on a
/// session's commands, and a `span.ln` number first with `linenos`.
fn wrap_lines(fence: &Fence, lines: &[(String, bool)], code: &str, out: &mut String) {
    let count = code
        .strip_suffix('\n')
        .unwrap_or(code)
        .split('\n')
        .count()
        .max(lines.len())
        .max(1);
    let width = count.to_string().len();
    for i in 0..count {
        let (html, command) = lines
            .get(i)
            .map_or(("", false), |(html, command)| (html.as_str(), *command));
        let number = i + 1;
        out.push_str("<span class=\"line");
        if fence.hl_lines.iter().any(|r| r.contains(&number)) {
            out.push_str(" marked");
        }
        if command {
            out.push_str(" cmd");
        }
        out.push_str("\">");
        if fence.linenos {
            out.push_str("<span aria-hidden=\"true\" class=\"ln\">");
            out.push_str(&format!("{number:>width$}"));
            out.push_str("</span>");
        }
        out.push_str(html);
        out.push_str("</span>\n");
    }
}

/// Languages the build met with nothing to highlight them, each with the pages naming it.
static UNKNOWN: LazyLock<Mutex<BTreeMap<String, BTreeSet<String>>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// How many pages a language's warning names at most.
const UNKNOWN_FILES: usize = 10;

/// Notes that page `source` has a block in `lang`, which nothing highlights.
pub fn note_unknown_language(lang: &str, source: &str) {
    let mut unknown = UNKNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    let files = unknown.entry(lang.to_ascii_lowercase()).or_default();
    if files.len() < UNKNOWN_FILES {
        files.insert(source.to_string());
    }
}

/// The unknown languages noted since the last call, each with (up to ten of) the pages
/// naming it; the record starts empty again.
pub fn take_unknown_languages() -> BTreeMap<String, BTreeSet<String>> {
    std::mem::take(&mut *UNKNOWN.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The warnings for [`take_unknown_languages`]: one per language, naming its pages, as
/// `build`, `check` and `serve` print them (after `warning: `).
pub fn take_unknown_language_warnings() -> Vec<String> {
    take_unknown_languages()
        .into_iter()
        .map(|(lang, pages)| {
            let pages: Vec<String> = pages.into_iter().collect();
            format!(
                "no highlighting for code language `{lang}` (shown as plain text) in {}",
                pages.join(", ")
            )
        })
        .collect()
}
