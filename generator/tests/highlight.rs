//! Code highlighting: one block per language Kong's docs fence code in, and each fault
//! the old hand-written lexers had, as snapshots; the fast path against the grammar; the
//! cache; fence options; unknown languages. A snapshot shows every line's tokens as
//! `‹text«class»` (`kw` keyword, `str` string, `fn` function, …: `highlight::classes`);
//! plain text is bare. `‹$ «prompt»` is a console prompt, `⌘` starts a console command
//! line, `▶` a line the fence marks, `‹1«ln»` a line number.

use gatehouse::highlight::grammar::{self, Why};
use gatehouse::highlight::{self, Fence, highlight_block};

/// The block's lines as `‹text«class»` tokens (HTML entities decoded).
fn tokens(html: &str) -> String {
    let code = &html[html.find("<code>").unwrap() + 6..html.rfind("</code>").unwrap()];
    let mut out = String::new();
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut rest = code;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</span>") {
            if let Some(Some(class)) = stack.pop() {
                out.push_str(&format!("«{class}»"));
            }
            rest = after;
        } else if rest.starts_with("<span") {
            let end = rest.find('>').unwrap();
            let tag = &rest[..end];
            let class = tag.split('"').nth(1).unwrap_or("");
            let name = if class == "ln" || tag.contains("class=\"ln\"") {
                Some("ln".to_string())
            } else if let Some(line) = class.strip_prefix("line") {
                if line.contains("marked") {
                    out.push_str("▶ ");
                }
                if line.contains("cmd") {
                    out.push_str("⌘ ");
                }
                None
            } else {
                class.strip_prefix("hl-").map(str::to_string)
            };
            if name.is_some() {
                out.push('‹');
            }
            stack.push(name);
            rest = &rest[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(
                &rest[..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&#x27;", "'")
                    .replace("&amp;", "&"),
            );
            rest = &rest[end..];
        }
    }
    out
}

fn block(info: &str, code: &str) -> String {
    let mut html = String::new();
    assert!(
        highlight_block(info, code, &mut html).known,
        "{info} is known"
    );
    html
}

fn snapshot(info: &str, code: &str) -> String {
    tokens(&block(info, code))
}

macro_rules! lang {
    ($name:ident, $info:expr, $code:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(snapshot($info, $code));
        }
    };
}

// One block per language in the issue's table, plus the others it names.
lang!(
    bash,
    "bash",
    "# install\nexport KONG_DATABASE=off\ncurl -i -X POST http://localhost:8001/services \\\n  --data name=example && echo \"done: $(date)\"\n"
);
lang!(
    json,
    "json",
    "{\n  \"name\": \"example\",\n  \"retries\": 5,\n  \"enabled\": true,\n  \"tags\": null\n}\n"
);
lang!(
    sh,
    "sh",
    "for f in *.yaml; do\n  deck validate -s \"$f\" || exit 1\ndone\n"
);
lang!(
    lua,
    "lua",
    "local kong = kong\n-- a comment\nfunction plugin:access(conf)\n  kong.log.err(\"x\", 42)\nend\n"
);
lang!(
    yaml,
    "yaml",
    "_format_version: \"3.0\"\nservices:\n  - name: example # comment\n    port: 8000\n    enabled: true\n"
);
lang!(
    http,
    "http",
    "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"id\": 1, \"ok\": true}\n"
);
lang!(shell, "shell", "kubectl get pods -n kong\n");
lang!(
    html,
    "html",
    "<!doctype html>\n<p class=\"note\">Hi &amp; bye</p>\n<script>\n  const n = 1;\n</script>\n"
);
lang!(
    hbs,
    "hbs",
    "<ul>\n{{#each items}}\n  <li>{{this.name}}</li>\n{{/each}}\n</ul>\n"
);
lang!(console, "console", "$ kong version\n3.9.0\n$ echo ok\nok\n");
lang!(
    go,
    "go",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\", 42) // greet\n}\n"
);
lang!(
    sql,
    "sql",
    "SELECT id, name FROM services WHERE port = 8000; -- all\n"
);
lang!(
    python,
    "python",
    "def handler(event):\n    \"\"\"Doc.\"\"\"\n    return {\"ok\": True, \"n\": 1}\n"
);
lang!(
    javascript,
    "javascript",
    "const re = /a\\/b/g;\nfunction f(x) { return `v=${x}`; }\n"
);
lang!(
    diff,
    "diff",
    "--- a/kong.conf\n+++ b/kong.conf\n@@ -1 +1 @@\n-log_level = warn\n+log_level = debug\n"
);
lang!(
    markdown,
    "markdown",
    "# Title\n\nSome *emphasis* and `code`.\n\n- item\n"
);
lang!(
    powershell,
    "powershell",
    "$env:KONG_DATABASE = \"off\"\nGet-Service -Name kong | Stop-Service\n"
);
lang!(
    dockerfile,
    "dockerfile",
    "FROM kong:3.9\nUSER root\nRUN apt-get update\n"
);
lang!(
    xml,
    "xml",
    "<?xml version=\"1.0\"?>\n<config enabled=\"true\"><!-- c --></config>\n"
);
lang!(
    protobuf,
    "protobuf",
    "syntax = \"proto3\";\nmessage Route { string name = 1; }\n"
);
lang!(
    nginx,
    "nginx",
    "server {\n  listen 8000;\n  location / { proxy_pass http://kong; }\n}\n"
);
lang!(
    terraform,
    "terraform",
    "resource \"konnect_service\" \"x\" {\n  name = \"example\"\n  port = 80\n}\n"
);
lang!(
    toml,
    "toml",
    "[server]\nport = 8000 # comment\nname = \"x\"\n"
);
lang!(scss, "scss", "$c: #333;\n.a { .b { color: $c; } }\n");
lang!(
    graphql,
    "graphql",
    "query Service($id: ID!) {\n  service(id: $id) { name }\n}\n"
);

// The faults of the hand-written lexers.
lang!(
    fault_console_output_is_plain,
    "console",
    "$ curl -s localhost:8001/status | jq .server\n{\n  \"connections_active\": 1\n}\n# kong reload\nreloaded\n"
);
lang!(
    fault_json_body_in_http,
    "http",
    "POST /services HTTP/1.1\nHost: localhost:8001\nContent-Type: application/json\n\n{\"name\": \"example\", \"port\": 80}\n"
);
lang!(
    fault_script_in_html,
    "html",
    "<script>\n  if (x) { alert(\"hi\"); }\n</script>\n"
);
lang!(
    fault_command_substitution_in_shell,
    "bash",
    "echo \"today: $(date +%F)\" $(whoami)\n"
);
lang!(
    fault_js_regex_literal,
    "js",
    "const r = /\"quoted\"/; const s = \"after\";\n"
);
lang!(
    fault_rust_raw_string,
    "rust",
    "let s = r#\"a \"quoted\" word\"#; let n = 1;\n"
);
lang!(
    fault_python_triple_quoted,
    "python",
    "s = \"\"\"one \"two\"\nthree\"\"\"\nx = 1\n"
);
lang!(
    fault_yaml_block_scalar_with_colon,
    "yaml",
    "script: |\n  key: not a key\n  echo: still text\nnext: 1\n"
);
lang!(
    fault_c_family_keywords_java,
    "java",
    "public final class A { void f() { synchronized (this) {} } }\n"
);
lang!(
    fault_c_family_keywords_kotlin,
    "kotlin",
    "data class A(val x: Int) { fun f() = when (x) { else -> 1 } }\n"
);
lang!(
    fault_c_family_keywords_csharp,
    "csharp",
    "public sealed class A { async Task F() { await using var x = y; } }\n"
);

lang!(
    fault_c_family_keywords_swift,
    "swift",
    "guard let x = y else { return }\nstruct A { var b: Int }\n"
);

/// The issue's aliases name the same grammar as their targets.
#[test]
fn aliases_highlight_as_their_language() {
    let code = "echo \"$HOME\" # c\n";
    let bash = snapshot("bash", code);
    for alias in ["sh", "shell", "zsh"] {
        assert_eq!(snapshot(alias, code), bash, "{alias}");
    }
    let yaml = "a: 1\n";
    assert_eq!(snapshot("yml", yaml), snapshot("yaml", yaml));
    let hbs = "{{#if x}}y{{/if}}\n";
    assert_eq!(snapshot("hbs", hbs), snapshot("handlebars", hbs));
}

/// C, Java, C#, Kotlin and Swift are not one keyword table any more.
#[test]
fn c_family_languages_have_their_own_keywords() {
    let code = "fun val when sealed synchronized guard\n";
    let outputs: Vec<String> = ["c", "java", "csharp", "kotlin", "swift"]
        .iter()
        .map(|lang| snapshot(lang, code))
        .collect();
    for i in 0..outputs.len() {
        for j in i + 1..outputs.len() {
            assert_ne!(outputs[i], outputs[j], "{i} vs {j}");
        }
    }
}

#[test]
fn at_least_150_languages_including_the_issues() {
    let languages = highlight::languages();
    assert!(languages.len() >= 150, "{}", languages.len());
    for lang in [
        "bash",
        "json",
        "sh",
        "lua",
        "yaml",
        "http",
        "shell",
        "html",
        "hbs",
        "handlebars",
        "console",
        "go",
        "sql",
        "python",
        "javascript",
        "diff",
        "markdown",
        "powershell",
        "dockerfile",
        "xml",
        "protobuf",
        "rego",
        "nginx",
        "hcl",
        "terraform",
        "toml",
        "css",
        "scss",
        "graphql",
        "java",
        "kotlin",
        "csharp",
        "ruby",
        "php",
        "zsh",
        "yml",
        "swift",
    ] {
        assert!(highlight::is_known(lang), "{lang}");
    }
    for (name, names) in &languages {
        for lang in names {
            assert!(highlight::is_known(lang), "{name}: {lang}");
        }
    }
}

#[test]
fn fence_options_highlight_lines_number_them_and_title_the_block() {
    let code = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n";
    insta::assert_snapshot!(snapshot("python {2,4-5}", code));
    assert_eq!(
        snapshot("python {2,4-5}", code),
        snapshot("python hl_lines=\"2 4-5\"", code)
    );
    let numbered = snapshot("python linenos", code);
    assert!(numbered.starts_with("‹1«ln»"), "{numbered}");
    let titled = block("ini title=\"kong.conf\"", "a = 1\n");
    assert!(
        titled
            .starts_with("<div class=\"code-block\"><div class=\"code-title\">kong.conf</div><pre"),
        "{titled}"
    );
    // The options work on plain text too.
    let plain = snapshot("text {1} linenos", "x\ny\n");
    assert_eq!(plain, "▶ ‹1«ln»x\n‹2«ln»y\n");
}

#[test]
fn fence_info_parsing() {
    let fence = Fence::parse("js {2,4-5} linenos title=\"kong.conf\"");
    assert_eq!(fence.lang, "js");
    assert_eq!(fence.hl_lines, vec![2..=2, 4..=5]);
    assert!(fence.linenos);
    assert_eq!(fence.title.as_deref(), Some("kong.conf"));
    let fence = Fence::parse("rust,ignore,hl_lines=3");
    assert_eq!(fence.lang, "rust");
    assert_eq!(fence.hl_lines, vec![3..=3]);
    let fence = Fence::parse("Python{1} title='a b'");
    assert_eq!(fence.lang, "python");
    assert_eq!(fence.hl_lines, vec![1..=1]);
    assert_eq!(fence.title.as_deref(), Some("a b"));
    assert_eq!(Fence::parse(""), Fence::default());
    // Malformed pieces are skipped, not errors.
    assert_eq!(Fence::parse("js {x,3-} hl_lines").hl_lines, vec![]);
}

#[test]
fn an_unknown_language_is_plain_text_and_not_an_error() {
    let mut html = String::new();
    assert!(!highlight_block("klingon-script", "<b>qapla'</b>\n", &mut html).known);
    assert!(
        html.contains("<pre class=\"code\" data-lang=\"klingon-script\"><code><span class=\"line\">&lt;b&gt;qapla&#39;&lt;/b&gt;</span>\n</code>")
            || html.contains("<pre class=\"code\" data-lang=\"klingon-script\"><code><span class=\"line\">&lt;b&gt;qapla&#x27;&lt;/b&gt;</span>\n</code>"),
        "{html}"
    );
}

#[test]
fn no_inline_styles() {
    for (name, names) in highlight::languages().iter().take(60) {
        let html = block(
            &format!("{} {{1}} linenos title=\"t\"", names[0]),
            "a = \"b\" # c\n<x y=\"z\">\n",
        );
        assert!(!html.contains("style="), "{name}: {html}");
    }
}

/// Every class the table can give has a colour in both palettes of the theme's
/// stylesheet, at 4.5:1 or more against the code background of its palette.
#[test]
fn the_theme_colours_every_class_readably_in_both_palettes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../themes/default/static/css/highlight.css"
    );
    let css = std::fs::read_to_string(path).unwrap();
    let (light, dark) = css.split_once("prefers-color-scheme: dark").unwrap();
    for (palette, text) in [("light", light), ("dark", dark)] {
        let var = |name: &str| -> (f64, f64, f64) {
            let at = text
                .find(&format!("--{name}:"))
                .unwrap_or_else(|| panic!("{palette}: --{name}"));
            let hex = text[at..].split('#').nth(1).unwrap();
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            (channel(0), channel(2), channel(4))
        };
        let luminance = |(r, g, b): (f64, f64, f64)| {
            let lin = |c: f64| {
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        };
        let background = luminance(var("hl-bg"));
        for class in highlight::classes::Class::ALL {
            let name = class.css();
            assert!(css.contains(&format!(".{name} ")), "no rule for .{name}");
            let fg = luminance(var(name));
            let ratio = (fg.max(background) + 0.05) / (fg.min(background) + 0.05);
            assert!(ratio >= 4.5, "{palette} {name}: {ratio:.2}:1");
        }
    }
}

#[test]
fn an_unknown_language_is_noted_with_its_pages_for_one_warning() {
    let block = "```klingon-noted\nqapla'\n```\n";
    gatehouse::markdown::render(block, "a.md");
    gatehouse::markdown::render(block, "b/c.md");
    gatehouse::markdown::render("```rust\nfn x() {}\n```\n", "d.md");
    let unknown = highlight::take_unknown_languages();
    let pages: Vec<&str> = unknown["klingon-noted"]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(pages, ["a.md", "b/c.md"]);
    assert!(!unknown.contains_key("rust"));
}

/// Windows line ends are lines like any other, with no `\r` left in the HTML.
#[test]
fn crlf_line_ends_are_not_shown() {
    for (lang, code) in [
        ("yaml", "a: 1\r\nb: x\r\n"),
        ("python", "x = 1\r\ny = \"\"\"a\r\nb\"\"\"\r\n"),
        ("text", "a\r\nb\r\n"),
    ] {
        let html = block(lang, code);
        assert!(!html.contains('\r'), "{lang}: {html:?}");
        assert_eq!(
            html.matches("<span class=\"line").count(),
            code.lines().count(),
            "{lang}: {html}"
        );
    }
}

lang!(
    rego,
    "rego",
    "package kong.authz\n\ndefault allow := false\n\nallow if {\n  input.method == \"GET\" # reads\n}\n"
);

/// The issue's inputs that held a build for seconds to minutes: a long line is shown
/// plain, with the lines around it still highlighted, and the block says which line;
/// taken from the cache, it says so again.
#[test]
fn a_long_line_is_shown_plain_and_named_and_the_block_stays_fast() {
    let cert = "A".repeat(40_000);
    let cases = [
        (
            "bash",
            format!("echo one\nexport CERT={cert} {{x\necho two\n"),
        ),
        (
            "sh",
            format!(
                "echo one\nx = {{a{}]({}y\necho two\n",
                "_".repeat(8000),
                "_".repeat(4000)
            ),
        ),
    ];
    for (lang, code) in cases {
        for pass in ["made", "cached"] {
            let mut html = String::new();
            let started = std::time::Instant::now();
            let outcome = highlight_block(lang, &code, &mut html);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{lang} {pass}: bounded"
            );
            assert_eq!(outcome.cuts.len(), 1, "{lang} {pass}: {:?}", outcome.cuts);
            assert_eq!(outcome.cuts[0].line, 1);
            let (line, message) = outcome.warning(lang).expect("a warning");
            assert_eq!(line, 1);
            assert!(message.contains(&format!("`{lang}`")), "{message}");
            assert!(message.contains("512 bytes"), "{message}");
            let lines: Vec<&str> = html.lines().collect();
            assert!(lines[0].contains("hl-"), "line 1 highlighted: {}", lines[0]);
            assert!(!lines[1].contains("hl-"), "the long line is plain");
            assert!(lines[2].contains("hl-"), "line 3 highlighted: {}", lines[2]);
        }
    }
}

/// Long lines under the bound are highlighted, until a block's long lines would cost the
/// grammar more than four lines at the bound.
#[test]
fn a_block_of_many_long_lines_highlights_the_first_and_names_where_it_stopped() {
    let line = format!("echo \"{}\" {{x\n", "a".repeat(400));
    let code = line.repeat(10);
    let mut html = String::new();
    let outcome = highlight_block("bash", &code, &mut html);
    let first = outcome.cuts.first().expect("cut");
    assert!(first.line >= 4 && first.line < 10, "{:?}", outcome.cuts);
    assert_eq!(outcome.cuts.len(), 10 - first.line);
    let (_, message) = outcome.warning("bash").expect("warning");
    assert!(message.starts_with("from this line on"), "{message}");
}

/// A grammar that backtracks far past the square model: Makefile's spends seconds on
/// this one 480-byte line of punctuation (found by search, kept as a fuzz case). The
/// block gets its time (250 ms, 4 ms per KB) and the watchdog's margin; the lines
/// before the slow one stay highlighted, the rest is plain and named, and the next
/// block has a worker again.
#[test]
fn a_line_a_grammar_backtracks_on_is_given_up_after_the_block_time() {
    let case = include_str!("../../fuzz/cases/highlight/makefile-backtracking");
    let slow = case
        .strip_prefix("make\n")
        .expect("a make block")
        .trim_end();
    let code = format!("all: build\n\tcargo build\n{slow}\n\techo done\n");
    let mut html = String::new();
    let started = std::time::Instant::now();
    let outcome = highlight_block("make", &code, &mut html);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4) * grammar::SLOWDOWN,
        "given up: {:?}",
        started.elapsed()
    );
    // The block's time runs out on the slow line: the watchdog abandons it mid-line, or,
    // on a machine fast enough to finish it inside the watchdog's margin, the grammar
    // stops after it. Either way the rest of the block, to its end, is plain and named.
    let lines: Vec<usize> = outcome.cuts.iter().map(|cut| cut.line).collect();
    assert!(lines == [2, 3] || lines == [3], "{:?}", outcome.cuts);
    assert!(outcome.cuts.iter().all(|cut| cut.why == Why::BlockTime));
    let (_, message) = outcome.warning("make").expect("warning");
    assert!(
        message.contains("a quarter of a second, and 4 ms per KB"),
        "{message}"
    );
    let shown: Vec<&str> = html.lines().collect();
    assert!(shown[0].contains("hl-"), "line 1 highlighted: {}", shown[0]);
    assert!(shown[1].contains("hl-"), "line 2 highlighted: {}", shown[1]);
    assert!(
        !shown[3].contains("hl-"),
        "the line after the slow one is plain"
    );

    let mut next = String::new();
    let outcome = highlight_block("make", "all: build\n\tcargo build\n", &mut next);
    assert!(outcome.cuts.is_empty());
    assert!(next.contains("hl-"), "{next}");
}

/// A character past ASCII inside a Handlebars expression is one run, not split between
/// its bytes (found by fuzzing: it panicked, and the page with it failed the build).
#[test]
fn handlebars_expressions_keep_characters_whole() {
    let mut html = String::new();
    let outcome = highlight_block(
        "handlebars",
        "{{#each éitems}}<li>{{this}}</li>{{/each}}\n",
        &mut html,
    );
    assert!(outcome.known && outcome.cuts.is_empty());
    assert!(
        html.contains("#each</span> é<span class=\"hl-var\">items</span>"),
        "{html}"
    );
}

/// A `markdown` fence marks its markup, not only headings and link targets.
#[test]
fn markdown_fences_mark_bold_emphasis_code_list_markers_and_quotes() {
    let out = gatehouse::markdown::render(
        "```markdown\nSome **bold**, *em* and `code`.\n\n- item\n1. numbered\n\n> quoted\n```\n",
        "a.md",
    );
    for marked in [
        "<span class=\"hl-strong\">**bold**</span>",
        "<span class=\"hl-em\">*em*</span>",
        "<span class=\"hl-str\">`code`</span>",
        "<span class=\"hl-op\">-</span> item",
        "<span class=\"hl-op\">1.</span> numbered",
        "<span class=\"hl-quote\">&gt; quoted</span>",
    ] {
        assert!(out.html.contains(marked), "{marked} in {}", out.html);
    }
}
