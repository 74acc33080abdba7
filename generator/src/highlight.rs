//! Build-time syntax highlighting of fenced code, as class-based spans.
//!
//! The grammars are giallo's: the TextMate grammars VS Code and Shiki use (Shiki's
//! curated collection), 240+ languages, so a block looks as it does in an editor —
//! embedded languages included (a JSON body in `http`, `<script>` in HTML, `$(…)` in a
//! shell command). The registry is decompressed and linked once per process, on the
//! first block; a grammar's patterns compile on first use, so a build pays only for the
//! languages its pages use.
//!
//! Tokens get two classes, one from a light palette (`hl-l-*`, GitHub Light High
//! Contrast) and one from a dark one (`hl-d-*`, GitHub Dark Default): both keep every token
//! at 4.5:1 contrast or more on the theme's code backgrounds, which GitHub Light does not.
//! The theme's `static/css/highlight.css` colours them (see [`palette_css`]). Pages carry no inline styles: the CSP has no
//! `'unsafe-inline'`.
//!
//! A block's HTML is cached by its fence and its text ([`highlight_block`]), so
//! `gatehouse serve` re-highlights only the blocks that changed. Languages no grammar
//! knows are written as plain text and noted with the page naming them
//! ([`take_unknown_languages`]), for one warning per language per build.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use edge::html::escape_into;
use giallo::{HighlightOptions, HtmlRenderer, Registry, RenderOptions, ThemeVariant};

/// The prefix of every highlighting class (`hl-l-3`, `hl-d-7`, `hl-l-hl`, …).
pub const CLASS_PREFIX: &str = "hl-";
/// The light palette's giallo theme.
pub const LIGHT_THEME: &str = "github-light-high-contrast";
/// The dark palette's giallo theme.
pub const DARK_THEME: &str = "github-dark-default";

/// Names that mean "no language": plain text, and no warning.
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "none", "output"];

/// Aliases added to giallo's own (most are giallo's already; adding is a no-op then).
const ALIASES: &[(&str, &str)] = &[
    ("shellscript", "bash"),
    ("shellscript", "sh"),
    ("shellscript", "shell"),
    ("shellscript", "zsh"),
    ("yaml", "yml"),
    ("handlebars", "hbs"),
    ("shellsession", "console"),
    ("shellsession", "shell-session"),
    ("terraform", "tf"),
    ("hcl", "terraform-hcl"),
    ("proto", "protobuf"),
    ("docker", "dockerfile"),
    ("nginx", "nginxconf"),
];

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

/// giallo's registry, loaded once per process; `None` if the built-in dump did not load
/// (then every block is plain text).
static REGISTRY: LazyLock<Option<Registry>> = LazyLock::new(|| {
    let mut registry = Registry::builtin().ok()?;
    registry.link_grammars();
    for (grammar, alias) in ALIASES {
        if !registry.contains_grammar(alias) {
            registry.add_alias(grammar, alias);
        }
    }
    Some(registry)
});

/// Whether `lang` (as written in a fence) has a grammar, or means plain text.
pub fn is_known(lang: &str) -> bool {
    let lang = lang.to_ascii_lowercase();
    PLAIN.contains(&lang.as_str())
        || REGISTRY
            .as_ref()
            .is_some_and(|registry| registry.contains_grammar(&lang))
}

/// Highlighted blocks by fence info and text; cleared when it passes its bound.
struct Cache {
    blocks: HashMap<(String, String), Arc<str>>,
    bytes: usize,
}

/// The cache's bound: keys and values together.
const CACHE_BYTES: usize = 16 << 20;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| {
    Mutex::new(Cache {
        blocks: HashMap::new(),
        bytes: 0,
    })
});

/// Appends the HTML of one code block to `out`: a `div.code-block` with the title if the
/// fence has one, and a `pre.code` whose lines are `span.giallo-l` (with `hl-l-hl hl-d-hl`
/// when highlighted, a `span.giallo-ln` number first with `linenos`). A `console` block's
/// prompt lines are highlighted as bash, its output lines left plain. `info` is the
/// fence's info string. Returns `false` when the language is not known (the block is
/// plain text then); an unfenced block has no language and is known.
pub fn highlight_block(info: &str, code: &str, out: &mut String) -> bool {
    let fence = Fence::parse(info);
    let known = is_known(&fence.lang);
    let key = (info.trim().to_string(), code.to_string());
    let cached = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .blocks
        .get(&key)
        .cloned();
    if let Some(html) = cached {
        out.push_str(&html);
        return known;
    }
    let mut html = String::with_capacity(code.len() * 4 + 128);
    render_block(&fence, known, code, &mut html);
    out.push_str(&html);
    let size = key.0.len() + key.1.len() + html.len();
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.bytes + size > CACHE_BYTES {
        cache.blocks.clear();
        cache.bytes = 0;
    }
    if size <= CACHE_BYTES && cache.blocks.insert(key, html.into()).is_none() {
        cache.bytes += size;
    }
    known
}

/// Whether the block with this fence info and text is in the cache.
pub fn is_cached(info: &str, code: &str) -> bool {
    CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .blocks
        .contains_key(&(info.trim().to_string(), code.to_string()))
}

/// How many blocks the cache holds.
pub fn cached_blocks() -> usize {
    CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .blocks
        .len()
}

fn render_block(fence: &Fence, known: bool, code: &str, out: &mut String) {
    out.push_str("<div class=\"code-block\">");
    if let Some(title) = &fence.title {
        out.push_str("<div class=\"code-title\">");
        escape_into(title, out);
        out.push_str("</div>");
    }
    out.push_str("<pre class=\"code");
    let lines = match (&*REGISTRY, known && !PLAIN.contains(&fence.lang.as_str())) {
        (Some(registry), true) if is_console(&fence.lang) => console_lines(registry, code),
        (Some(registry), true) => highlight(registry, &fence.lang, code)
            .map(|lines| lines.into_iter().map(|html| (html, false)).collect()),
        _ => None,
    };
    if lines.is_some() {
        out.push_str(" hl-l-code hl-d-code");
    }
    out.push('"');
    if !fence.lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_into(&fence.lang, out);
        out.push('"');
    }
    out.push_str("><code>");
    let lines = lines.unwrap_or_else(|| {
        text_lines(code)
            .map(|line| {
                let mut html = String::with_capacity(line.len());
                escape_into(line, &mut html);
                (html, false)
            })
            .collect()
    });
    wrap_lines(fence, &lines, out);
    out.push_str("</code></pre></div>\n");
}

/// A shell session: prompt lines are commands, the others output.
fn is_console(lang: &str) -> bool {
    matches!(lang, "console" | "shellsession" | "shell-session")
}

/// `code`'s lines, without the final newline's empty line.
fn text_lines(code: &str) -> impl Iterator<Item = &str> {
    code.strip_suffix('\n')
        .unwrap_or(code)
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// Each line's HTML (giallo's tokens as spans) in `lang`, or `None` if it has no grammar.
fn highlight(registry: &Registry, lang: &str, code: &str) -> Option<Vec<String>> {
    let options = HighlightOptions::new(
        lang,
        ThemeVariant::Dual {
            light: LIGHT_THEME,
            dark: DARK_THEME,
        },
    );
    let highlighted = registry.highlight(code, &options).ok()?;
    let renderer = HtmlRenderer {
        css_class_prefix: Some(CLASS_PREFIX.to_string()),
        add_color_scheme: false,
        ..HtmlRenderer::default()
    };
    let html = renderer.render(&highlighted, &RenderOptions::default());
    let start = html.find("<code")?;
    let start = start + html[start..].find('>')? + 1;
    let end = html.rfind("</code>")?;
    let mut lines: Vec<String> = html
        .get(start..end)?
        .split('\n')
        .map(|line| {
            let line = line
                .strip_prefix("<span class=\"giallo-l\">")
                .unwrap_or(line);
            line.strip_suffix("</span>").unwrap_or(line).to_string()
        })
        .collect();
    // giallo renders no line for an empty block, and none for a missing final newline.
    lines.resize(text_lines(code).count().max(1), String::new());
    Some(lines)
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

/// A shell session: prompt lines (and the lines a trailing `\\` continues) highlighted as
/// bash, with the prompt in a `span.hl-prompt`; output lines plain. The flag marks a
/// command line (`span.giallo-l.hl-cmd`), which is what the copy button copies.
fn console_lines(registry: &Registry, code: &str) -> Option<Vec<(String, bool)>> {
    let mut lines = Vec::new();
    let mut commands = Vec::new();
    let mut continued = false;
    for line in text_lines(code) {
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
                continued = line.ends_with('\\');
            }
            None => {
                let mut html = String::new();
                escape_into(line, &mut html);
                lines.push((html, false));
            }
        }
    }
    if !commands.is_empty() {
        let script: String = commands.iter().map(|(_, _, c)| format!("{c}\n")).collect();
        let highlighted = highlight(registry, "bash", &script)?;
        for ((index, prompt, _), command) in commands.into_iter().zip(highlighted) {
            lines[index].0 = prompt + &command;
        }
    }
    Some(lines)
}

/// Writes the lines as `span.giallo-l`, with `hl-l-hl hl-d-hl` on the highlighted ones,
/// `hl-cmd` on a session's commands, and a `span.giallo-ln` number first with `linenos`.
fn wrap_lines(fence: &Fence, lines: &[(String, bool)], out: &mut String) {
    let width = lines.len().to_string().len();
    for (i, (html, command)) in lines.iter().enumerate() {
        let number = i + 1;
        out.push_str("<span class=\"giallo-l");
        if fence.hl_lines.iter().any(|r| r.contains(&number)) {
            out.push_str(" hl-l-hl hl-d-hl");
        }
        if *command {
            out.push_str(" hl-cmd");
        }
        out.push_str("\">");
        if fence.linenos {
            out.push_str("<span aria-hidden=\"true\" class=\"giallo-ln\">");
            out.push_str(&format!("{number:>width$}"));
            out.push_str("</span>");
        }
        out.push_str(html);
        out.push_str("</span>\n");
    }
}

/// Languages the build met without a grammar, each with the pages naming it.
static UNKNOWN: LazyLock<Mutex<BTreeMap<String, BTreeSet<String>>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// How many pages a language's warning names at most.
const UNKNOWN_FILES: usize = 10;

/// Notes that page `source` has a block in `lang`, which no grammar knows.
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

/// The stylesheet colouring the classes: the light palette, then the dark one for
/// `prefers-color-scheme: dark`. The theme ships it as `static/css/highlight.css` (a test
/// checks they agree).
pub fn palette_css() -> Option<String> {
    let registry = REGISTRY.as_ref()?;
    let (light, dark) = registry
        .generate_dual_css(LIGHT_THEME, DARK_THEME, CLASS_PREFIX)
        .ok()?;
    let indent = |css: &str| {
        css.lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("  {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Some(format!(
        "/* Code highlighting palettes: generated by `gatehouse::highlight::palette_css` from\n   giallo's {LIGHT_THEME} and {DARK_THEME} themes; do not edit by hand. */\n\n@media (prefers-color-scheme: light) {{\n{}\n}}\n\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        indent(&light),
        indent(&dark)
    ))
}

/// Every language a fence may name: giallo's grammars, each with its aliases.
pub const LANGUAGES: &[(&str, &[&str])] = &[
    ("abap", &[]),
    ("actionscript-3", &["actionscript", "as3"]),
    ("ada", &[]),
    ("ahk", &["ahk1"]),
    ("ahk2", &[]),
    ("angular-html", &[]),
    ("angular-ts", &[]),
    ("apache", &[]),
    ("apex", &[]),
    ("apl", &[]),
    ("applescript", &[]),
    ("ara", &[]),
    ("asciidoc", &["adoc"]),
    ("asm", &[]),
    ("astro", &[]),
    ("awk", &[]),
    ("ballerina", &[]),
    ("bat", &["batch", "cmd"]),
    ("beancount", &[]),
    ("berry", &["be"]),
    ("bibtex", &[]),
    ("bicep", &[]),
    ("bird2", &["bird"]),
    ("blade", &[]),
    ("bsl", &["1c"]),
    ("c", &[]),
    ("c3", &[]),
    ("cadence", &["cdc"]),
    ("cairo", &[]),
    ("chapel", &["chpl"]),
    ("clarity", &[]),
    ("clojure", &["clj"]),
    ("cmake", &[]),
    ("cobol", &[]),
    ("codeowners", &[]),
    ("codeql", &["ql"]),
    ("coffee", &["coffeescript"]),
    ("common-lisp", &["lisp"]),
    ("coq", &[]),
    ("cpp", &["c++"]),
    ("crystal", &[]),
    ("csharp", &["c#", "cs"]),
    ("css", &[]),
    ("csv", &[]),
    ("cue", &[]),
    ("cypher", &["cql"]),
    ("d", &[]),
    ("dart", &[]),
    ("dax", &[]),
    ("desktop", &[]),
    ("diff", &[]),
    ("docker", &["dockerfile"]),
    ("dotenv", &[]),
    ("dream-maker", &[]),
    ("edge", &[]),
    ("elixir", &[]),
    ("elm", &[]),
    ("emacs-lisp", &["elisp"]),
    ("erb", &[]),
    ("erlang", &["erl"]),
    ("fennel", &[]),
    ("fish", &[]),
    ("fluent", &["ftl"]),
    ("fortran-fixed-form", &["f", "for", "f77"]),
    ("fortran-free-form", &["f90", "f95", "f03", "f08", "f18"]),
    ("fsharp", &["f#", "fs"]),
    ("gdresource", &["tscn", "tres"]),
    ("gdscript", &["gd"]),
    ("gdshader", &[]),
    ("genie", &[]),
    ("gherkin", &[]),
    ("git-commit", &[]),
    ("git-rebase", &[]),
    ("gleam", &[]),
    ("glimmer-js", &["gjs"]),
    ("glimmer-ts", &["gts"]),
    ("glsl", &[]),
    ("gn", &[]),
    ("gnuplot", &[]),
    ("go", &[]),
    ("graphql", &["gql"]),
    ("groovy", &[]),
    ("hack", &[]),
    ("haml", &[]),
    ("handlebars", &["hbs"]),
    ("haskell", &["hs"]),
    ("haxe", &[]),
    ("hcl", &[]),
    ("hjson", &[]),
    ("hlsl", &[]),
    ("html", &[]),
    ("html-derivative", &[]),
    ("http", &[]),
    ("hurl", &[]),
    ("hxml", &[]),
    ("hy", &[]),
    ("imba", &[]),
    ("ini", &["properties"]),
    ("java", &[]),
    ("javascript", &["js", "cjs", "mjs"]),
    ("jinja", &[]),
    ("jison", &[]),
    ("json", &[]),
    ("json5", &[]),
    ("jsonc", &[]),
    ("jsonl", &[]),
    ("jsonnet", &[]),
    ("jssm", &["fsl"]),
    ("jsx", &[]),
    ("julia", &["jl"]),
    ("just", &["justfile"]),
    ("kdl", &[]),
    ("kotlin", &["kt", "kts"]),
    ("kusto", &["kql"]),
    ("latex", &[]),
    ("lean", &["lean4"]),
    ("less", &[]),
    ("liquid", &[]),
    ("llvm", &[]),
    ("log", &[]),
    ("logo", &[]),
    ("lua", &[]),
    ("luau", &[]),
    ("make", &["makefile"]),
    ("markdown", &["md"]),
    ("marko", &[]),
    ("matlab", &[]),
    ("mdc", &[]),
    ("mdx", &[]),
    ("mermaid", &["mmd"]),
    ("mipsasm", &["mips"]),
    ("mojo", &[]),
    ("moonbit", &["mbt", "mbti"]),
    ("move", &[]),
    ("narrat", &["nar"]),
    ("nextflow", &["nf"]),
    ("nextflow-groovy", &[]),
    ("nginx", &[]),
    ("nim", &[]),
    ("nix", &[]),
    ("nsis", &[]),
    ("nushell", &["nu"]),
    ("objective-c", &["objc"]),
    ("objective-cpp", &[]),
    ("ocaml", &[]),
    ("odin", &[]),
    ("openscad", &["scad"]),
    ("org", &[]),
    ("pascal", &[]),
    ("perl", &[]),
    ("php", &[]),
    ("pkl", &[]),
    ("plain", &["txt", "text"]),
    ("plsql", &[]),
    ("po", &["pot", "potx"]),
    ("polar", &[]),
    ("postcss", &[]),
    ("powerquery", &[]),
    ("powershell", &["ps", "ps1", "pwsh"]),
    ("prisma", &[]),
    ("prolog", &[]),
    ("proto", &["protobuf"]),
    ("pug", &["jade"]),
    ("puppet", &[]),
    ("purescript", &[]),
    ("python", &["py"]),
    ("qml", &[]),
    ("qmldir", &[]),
    ("qss", &[]),
    ("r", &[]),
    ("racket", &[]),
    ("raku", &["perl6"]),
    ("razor", &[]),
    ("rbs", &["ruby-signature"]),
    ("reg", &[]),
    ("regexp", &["regex"]),
    ("rel", &[]),
    ("riscv", &[]),
    ("ron", &[]),
    ("rosmsg", &[]),
    ("rst", &[]),
    ("ruby", &["rb"]),
    ("rust", &["rs"]),
    ("sas", &[]),
    ("sass", &[]),
    ("scala", &[]),
    ("scheme", &[]),
    ("scss", &[]),
    ("sdbl", &["1c-query"]),
    ("shaderlab", &["shader"]),
    ("shellscript", &["bash", "sh", "shell", "zsh"]),
    ("shellsession", &["console"]),
    ("smalltalk", &[]),
    ("smithy", &[]),
    ("solidity", &[]),
    ("soy", &["closure-templates"]),
    ("sparql", &[]),
    ("splunk", &["spl"]),
    ("sql", &[]),
    ("ssh-config", &[]),
    ("stata", &[]),
    ("stylus", &["styl"]),
    ("surrealql", &["surql"]),
    ("svelte", &[]),
    ("swift", &[]),
    ("system-verilog", &[]),
    ("systemd", &[]),
    ("talonscript", &["talon"]),
    ("tasl", &[]),
    ("tcl", &[]),
    ("templ", &[]),
    ("terraform", &["tf", "tfvars"]),
    ("tex", &[]),
    ("toml", &[]),
    ("ts-tags", &["lit"]),
    ("tsv", &[]),
    ("tsx", &[]),
    ("turtle", &[]),
    ("twig", &[]),
    ("typescript", &["ts", "cts", "mts"]),
    ("typespec", &["tsp"]),
    ("typst", &["typ"]),
    ("v", &[]),
    ("vala", &[]),
    ("vb", &[]),
    ("verilog", &[]),
    ("vhdl", &[]),
    ("viml", &["vim", "vimscript"]),
    ("vue", &[]),
    ("vue-html", &[]),
    ("vue-vine", &[]),
    ("vyper", &["vy"]),
    ("wasm", &[]),
    ("wenyan", &["文言"]),
    ("wgsl", &[]),
    ("wikitext", &["mediawiki", "wiki"]),
    ("wit", &[]),
    ("wolfram", &["wl"]),
    ("xml", &[]),
    ("xsl", &[]),
    ("yaml", &["yml"]),
    ("zenscript", &[]),
    ("zig", &[]),
];
