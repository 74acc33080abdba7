//! Fuzz targets for every parser of Gatehouse: what a writer's typo or paste, or a
//! reader's (or a scanner's) request, can reach.
//!
//! Each [`Target`] takes arbitrary bytes and calls one parser the way the product does;
//! it fails by panicking, which is what a parser that panics, or an invariant its
//! callers rely on that does not hold, does here. Two drivers run them:
//! - the property tests (`tests/properties.rs`, in CI): each target for a short fixed
//!   time on mutations of its [`corpus`], and every saved case in `fuzz/cases/`; an
//!   input over [`HANG`] fails too;
//! - cargo-fuzz (`bash fuzz/run.sh TARGET SECONDS`), coverage-guided, for long runs.
//!
//! A crash, a hang or a 5xx either finds goes into `fuzz/cases/<target>/` and becomes a
//! test there.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use gatehouse::config::{SiteConfig, Variables};
use gatehouse::highlight::{self, Fence};
use gatehouse::page::{self, SourceFile};
use gatehouse::search::{text, tokenize};
use gatehouse::shortcodes::Shortcodes;
use gatehouse::theme::Theme;
use gatehouse::variables::{self, Scope};
use gatehouse::{frontmatter, markdown};

mod requests;

/// The longest one input may take before it counts as a hang.
pub const HANG: Duration = Duration::from_secs(2);

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    /// Runs one input; panics on a failure.
    pub run: fn(&[u8]),
    /// Where its corpus comes from: files and folders of the repository (`.md` and
    /// `.txt` files in folders), besides its `fuzz/cases/<name>/`.
    pub corpus: &'static [&'static str],
    /// Pieces the mutations insert: the syntax the target's parser looks for.
    pub dictionary: &'static [&'static str],
}

const PAGES: &[&str] = &["content", "generator/tests/fixtures/jekyll/content"];

const MARKDOWN_WORDS: &[&str] = &[
    "\n",
    "\n\n",
    "---\n",
    "```",
    "~~~",
    "`",
    "*",
    "_",
    "[",
    "](",
    ")",
    "<",
    ">",
    "&",
    "#",
    "|",
    "\\",
    "- ",
    "1. ",
    "> ",
    "    ",
    "\t",
    "<div>",
    "</div>",
    "<!--",
    "-->",
    "[^1]",
    "{:",
    "{: .note}",
    "{:.tip}",
    "{: #id key=\"v\"}",
    "> [!NOTE]\n",
    "> **Note:**",
    "{{site.",
    "{{ site.product }}",
    "{{page.title}}",
    "<<site.",
    ">>",
    "}}",
    "{%",
    "%}",
    "{% raw %}",
    "{% endraw %}",
    "{% include ",
    "{% tab ",
    "{% endtab %}",
    "{% navtabs %}",
    "{% endnavtabs %}",
    "{% navtab Serve %}",
    "{% endnavtab %}",
    "{% callout ",
    "{% endcallout %}",
    "{% if_version gte:2.x %}",
    "{%- if_version lte:1.x eq:2.x -%}",
    "{% if_version gte:9.x %}",
    "{% else_version %}",
    "{% else_version -%}",
    "{% endif_version %}",
    "{{version.name}}",
    "{{version.patch}}",
    "{% reader trial plus %}",
    "{% reader signed-out %}",
    "{% else %}",
    "{% endreader %}",
    "{% step verified %}",
    "{% step plan \"Chosen\" %}",
    "{% form register %}",
    "{% form sign-in %}",
    "{{reader.organization | default: \"you\"}}",
    "{{reader.email}}",
    "\u{e000}",
    "\u{e001}",
    "\u{e010}",
    "é",
    "\u{200b}",
    "\r\n",
    "\u{0}",
];

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    Target {
        name: "page",
        run: page,
        corpus: PAGES,
        dictionary: MARKDOWN_WORDS,
    },
    Target {
        name: "front_matter",
        run: front_matter,
        corpus: PAGES,
        dictionary: &[
            "---\n",
            "---",
            "\n",
            ": ",
            "title: ",
            "description: ",
            "draft: true",
            "no_version: true",
            "- ",
            "[",
            "]",
            "{",
            "}",
            "'",
            "\"",
            "&a",
            "*a",
            "!!str",
            "\t",
            "\r\n",
            "\u{feff}",
            "...\n",
            "#",
            "|\n  ",
            ">\n  ",
        ],
    },
    Target {
        name: "variables",
        run: variables,
        corpus: PAGES,
        dictionary: &[
            "{{",
            "}}",
            "{{ site.",
            "{{site.product}}",
            "{{ page.title }}",
            "<<site.",
            ">>",
            "{% raw %}",
            "{% endraw %}",
            " | ",
            "default:",
            "\"",
            ".",
            "site",
            "page",
            "\n",
            "é",
        ],
    },
    Target {
        name: "shortcodes",
        run: shortcodes,
        corpus: PAGES,
        dictionary: MARKDOWN_WORDS,
    },
    Target {
        name: "attributes",
        run: markdown,
        corpus: PAGES,
        dictionary: &[
            "\n",
            "\n\n",
            "{:",
            "}",
            "{: .note}",
            "{:.warning}",
            "{: #x}",
            "{: key=\"v\"}",
            "{: .a .b #c data-x='y'}",
            "> ",
            "> [!NOTE]\n",
            "> [!WARNING]\n",
            "> **Note:** ",
            "- ",
            "1. ",
            "# ",
            "| a |\n|---|\n",
            "```\n",
            "\"",
            "'",
        ],
    },
    Target {
        name: "markdown",
        run: markdown,
        corpus: PAGES,
        dictionary: MARKDOWN_WORDS,
    },
    Target {
        name: "diagrams",
        run: diagrams,
        corpus: &[],
        dictionary: &[
            "\n",
            "flowchart LR\n",
            "graph TD\n",
            "sequenceDiagram\n",
            "classDiagram\n",
            "stateDiagram-v2\n",
            "erDiagram\n",
            "gantt\n",
            "pie\n",
            "mindmap\n",
            "gitGraph\n",
            "journey\n",
            "timeline\n",
            " --> ",
            " -.-> ",
            " ==> ",
            "|label|",
            "->>",
            "[",
            "]",
            "{",
            "}",
            "((",
            "))",
            "\"",
            "subgraph ",
            "end\n",
            "click ",
            " href ",
            "%%",
            "---\n",
            "<script>",
            "&amp;",
        ],
    },
    Target {
        name: "fences",
        run: fences,
        corpus: &[],
        dictionary: &[
            "```",
            "~~~",
            "{",
            "}",
            "{1,3-5}",
            "linenos",
            "title=\"",
            "\"",
            "hl_lines=",
            "-",
            ",",
            " ",
            "bash",
            "console",
            "json",
            "yaml",
            "handlebars",
            "\n",
            "$ ",
        ],
    },
    Target {
        name: "highlight",
        run: highlight,
        corpus: &[],
        dictionary: &[
            "{",
            "}",
            "(",
            ")",
            "[",
            "](",
            "\"",
            "'",
            "`",
            "$(",
            "${",
            "<<EOF\n",
            "/*",
            "*/",
            "#",
            "//",
            "\\",
            "\n",
            "\t",
            "    ",
            "_",
            "a",
            "=",
            ":",
            ";",
            "<",
            ">",
            "<script>",
            "</script>",
            "{{",
            "}}",
            "$ ",
            "\r\n",
        ],
    },
    Target {
        name: "search",
        run: search,
        corpus: PAGES,
        dictionary: &[
            "<h2>",
            "</h2>",
            "<a class=\"self-link\" href=\"#x\">#</a>",
            "&amp;",
            "&lt;",
            "&#",
            ";",
            "<p>",
            "</p>",
            "<code>",
            "é",
            "e\u{301}",
            "ß",
            "İ",
            "'",
            "-",
            "_",
            "\u{200b}",
            "日本語",
            "🙂",
            " ",
        ],
    },
    Target {
        name: "forms",
        run: forms,
        corpus: &[],
        dictionary: &[
            "&",
            "=",
            "+",
            "%",
            "%20",
            "%C3%A9",
            "%FF",
            "%0",
            "email=",
            "password=",
            "first_name=",
            "@",
            ".",
            "a@example.com",
            "%40",
            "\u{0}",
        ],
    },
    Target {
        name: "cookies",
        run: cookies,
        corpus: &[],
        dictionary: &[";", "=", " ", "\"", "gh_session=", "__Host-", ",", "\t"],
    },
    Target {
        name: "requests",
        run: requests::run,
        corpus: &[],
        dictionary: requests::DICTIONARY,
    },
];

/// Runs the target called `name` on one input (what the cargo-fuzz entry points call).
pub fn run(name: &str, data: &[u8]) {
    match TARGETS.iter().find(|t| t.name == name) {
        Some(target) => (target.run)(data),
        None => panic!("no fuzz target {name}"),
    }
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The target's seed inputs: its corpus files, then its saved cases.
pub fn corpus(target: &Target) -> Vec<Vec<u8>> {
    let root = repo();
    let mut inputs = Vec::new();
    for place in target.corpus {
        collect(&root.join(place), &mut inputs);
    }
    collect(&root.join("fuzz/cases").join(target.name), &mut inputs);
    if inputs.is_empty() {
        inputs.push(Vec::new());
    }
    inputs
}

/// The saved cases of `target` (`fuzz/cases/<name>/`): each a regression test.
pub fn cases(target: &Target) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = repo().join("fuzz/cases").join(target.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .collect()
}

fn collect(path: &Path, out: &mut Vec<Vec<u8>>) {
    if path.is_file() {
        if let Ok(bytes) = std::fs::read(path) {
            out.push(bytes);
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        collect(&path, out);
    }
}

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// The site pages are processed in: the Jekyll fixture (includes, shortcodes, site
/// variables), with the built-in theme's tags.
struct Site {
    variables: Variables,
    shortcodes: Shortcodes,
}

static SITE: LazyLock<Site> = LazyLock::new(|| {
    let root = repo().join("generator/tests/fixtures/jekyll");
    let config = SiteConfig::load(&root, None).expect("the fixture's site.toml");
    let theme = Theme::load(&root, &config.theme).expect("the fixture's theme");
    let site_templates = Shortcodes::read_site_templates(&root).expect("its shortcodes");
    let shortcodes = Shortcodes::new(&root, config.site.clone(), theme.shortcodes, site_templates)
        .expect("its shortcodes compile");
    Site {
        variables: config.variables(),
        shortcodes,
    }
});

const PAGE_VARS: &[(&str, &str)] = &[("title", "A page"), ("description", "About it")];

fn page_vars() -> Vec<(String, String)> {
    PAGE_VARS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A whole page through the per-page stages, as `build` runs them: front matter, tags
/// and includes, variables, Markdown, highlighting, search text. Every problem has a
/// line and column inside the file.
fn page(data: &[u8]) {
    let source = SourceFile {
        path: PathBuf::from("content/fuzz.md"),
        content_path: "fuzz.md".to_owned(),
        text: text_of(data),
    };
    let site = &*SITE;
    let (_page, problems) = page::process(&source, &site.variables, &site.shortcodes);
    let lines = source.text.split('\n').count();
    for problem in problems {
        if problem.path == source.path {
            assert!(
                problem.line as usize <= lines,
                "a problem past the page's end: {problem:?}"
            );
        }
    }
}

fn front_matter(data: &[u8]) {
    let text = text_of(data);
    let start = frontmatter::body_start(&text);
    assert!(text.is_char_boundary(start), "body_start {start}");
    if let Ok((_, start)) = frontmatter::split(&text) {
        assert!(text.is_char_boundary(start), "split's body start {start}");
    }
}

fn variables(data: &[u8]) {
    let text = text_of(data);
    let page = page_vars();
    let scope = Scope {
        site: &SITE.variables,
        page: &page,
        version: &[],
        release: None,
    };
    let out = variables::substitute(&text, &scope);
    for error in &out.errors {
        assert!(error.offset <= text.len(), "{error:?}");
    }
    for offset in (0..=out.text.len()).step_by(out.text.len() / 64 + 1) {
        let original = out.offsets.original(offset);
        assert!(original <= text.len(), "{offset} maps to {original}");
    }
}

/// Two releases, for the `if_version` blocks the shortcodes target expands.
static RELEASES: LazyLock<gatehouse::versions::Docsets> = LazyLock::new(|| {
    gatehouse::versions::Docsets::from_site(&serde_json::json!({"docsets": {"gw": {"releases": [
        {"name": "2.x", "status": "latest", "patch": "2.1"},
        {"name": "1.x", "status": "maintained"},
    ]}}}))
    .expect("two releases")
});

fn shortcodes(data: &[u8]) {
    let text = text_of(data);
    let page = page_vars();
    // Odd lengths expand as a page of release 1.x, even ones as a page of no release.
    let release = (data.len() % 2 == 1)
        .then(|| RELEASES.release_of("gw/1.x/fuzz.md"))
        .flatten();
    let version = release.map(|r| r.variables()).unwrap_or_default();
    let scope = Scope {
        site: &SITE.variables,
        page: &page,
        version: &version,
        release,
    };
    let expanded = SITE
        .shortcodes
        .expand(Path::new("content/fuzz.md"), &text, 0, &scope);
    let lines = text.split('\n').count();
    for offset in (0..=expanded.text.len()).step_by(expanded.text.len() / 64 + 1) {
        let diagnostic = expanded.map.diagnostic(offset, "here");
        if diagnostic.path == Path::new("content/fuzz.md") {
            assert!(
                diagnostic.line as usize <= lines,
                "{offset}: {diagnostic:?}"
            );
        }
    }
}

fn markdown(data: &[u8]) {
    let text = text_of(data);
    let rendered = markdown::render(&text, "fuzz.md");
    for (offset, message) in rendered.problems.iter().chain(&rendered.warnings) {
        assert!(*offset <= text.len(), "{offset}: {message}");
    }
}

/// The input is a mermaid block's source: drawn or refused, never markup from it.
fn diagrams(data: &[u8]) {
    let text = text_of(data).replace("```", "");
    let page = format!("```mermaid\n{text}\n```\n");
    let rendered = markdown::render(&page, "fuzz.md");
    for (offset, message) in rendered.problems.iter().chain(&rendered.warnings) {
        assert!(*offset <= page.len(), "{offset}: {message}");
    }
    if let Some(at) = rendered.html.find("<figure class=\"diagram\"") {
        let figure = &rendered.html[at..];
        assert!(!figure.contains("<script"), "{figure}");
        assert!(!figure.contains("javascript:"), "{figure}");
        assert!(
            !figure.contains(" style=\"") && !figure.contains("<style"),
            "{figure}"
        );
    }
}

/// The first line is the fence's info string, the rest the block.
fn fences(data: &[u8]) {
    let text = text_of(data);
    let (info, code) = text.split_once('\n').unwrap_or((&text, ""));
    let fence = Fence::parse(info);
    for range in &fence.hl_lines {
        assert!(range.start() <= range.end(), "{range:?}");
    }
    let mut html = String::new();
    highlight::highlight_block(info, code, &mut html);
    assert!(html.ends_with("</code></pre></div>\n"), "{html}");
}

static LANGUAGES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = highlight::languages()
        .into_iter()
        .filter_map(|(_, names)| names.into_iter().next())
        .collect();
    names.extend(["console", "handlebars"].map(String::from));
    names
});

/// The first line names the language; a name that is none picks one by its bytes, so
/// mutations reach every grammar (and the hand-written lexers). The rest is the block.
fn highlight(data: &[u8]) {
    let text = text_of(data);
    let (name, code) = text.split_once('\n').unwrap_or(("", &text));
    let lang = match highlight::is_known(&name.to_ascii_lowercase()) {
        true => name,
        false => {
            let pick = name
                .bytes()
                .fold(0usize, |h, b| h.wrapping_mul(31) ^ usize::from(b));
            &LANGUAGES[pick % LANGUAGES.len()]
        }
    };
    let mut html = String::new();
    let outcome = highlight::highlight_block(lang, code, &mut html);
    let lines = code.lines().count().max(1);
    for cut in &outcome.cuts {
        assert!(cut.line < lines, "{cut:?} of {lines} lines");
    }
    assert_eq!(
        html.matches("<span class=\"line").count(),
        code.split_inclusive('\n').count().max(1),
        "one span.line per line"
    );
}

fn search(data: &[u8]) {
    let text = text_of(data);
    for token in tokenize::tokens(&text) {
        assert!(
            token.start <= token.end && token.end <= text.len(),
            "{token:?}"
        );
        assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
        assert!(!token.term.is_empty(), "{token:?}");
    }
    let plain = text::plain_text(&text, 2000);
    assert!(!plain.contains("  "), "white space collapsed: {plain:?}");
}

fn forms(data: &[u8]) {
    let Ok(form) = edge::forms::parse_urlencoded(data, 16 * 1024) else {
        return;
    };
    for name in ["email", "password", "first_name", "organization", "token"] {
        let value = form.text(name);
        if let Ok(email) = edge::forms::parse_email(value) {
            assert!(!email.local_part().is_empty(), "{value:?}");
            let key = edge::forms::email_key(value);
            assert_eq!(
                key,
                edge::forms::email_key(&key),
                "the key is a fixed point"
            );
        }
        if let Ok(text) = edge::forms::parse_text(value, 100, name) {
            assert!(text.chars().count() <= 100, "{text:?}");
        }
    }
}

fn cookies(data: &[u8]) {
    let mut headers = http::HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = http::HeaderValue::from_bytes(line) {
            headers.append(http::header::COOKIE, value);
        }
    }
    if let Some(value) = edge::sessions::cookie_value(&headers) {
        assert!(!value.is_empty() && value.is_ascii(), "{value:?}");
    }
}
