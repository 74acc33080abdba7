//! The fast path gives exactly the grammar's output wherever it answers, and answers for
//! most blocks of the shapes docs (and the benchmark corpus) have.
//!
//! The corpus: the code samples page, the snapshot tests' inputs, Kong-like blocks, and
//! thousands of blocks generated deterministically — in the benchmark corpus's shapes
//! and in more varied ones mixing tricky tokens (escapes, comments, expansions, YAML
//! 1.1 booleans, block scalars, raw strings, …). Every block the fast path takes must
//! give the grammar's HTML, byte for byte.

use gatehouse::highlight::{Path, highlight_by};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

const WORDS: &[&str] = &[
    "access",
    "account",
    "admin",
    "agent",
    "alert",
    "api",
    "archive",
    "audit",
    "backend",
    "bucket",
    "cache",
    "certificate",
    "client",
    "cluster",
    "config",
    "consumer",
    "cookie",
    "credential",
    "daemon",
    "database",
    "default",
    "delete",
    "deployment",
    "domain",
    "endpoint",
    "engine",
    "gateway",
    "header",
    "host",
    "key",
    "limit",
    "listener",
    "log",
    "metric",
    "node",
    "path",
    "plugin",
    "policy",
    "port",
    "proxy",
    "queue",
    "route",
    "secret",
    "service",
    "session",
    "status",
    "target",
    "token",
    "upstream",
    "vault",
    "worker",
    "zone",
    "on",
    "off",
    "yes",
    "no",
    "true",
    "null",
    "y",
    "n",
    "in",
    "fn",
    "if",
    "do",
    "done",
];
const VERBS: &[&str] = &[
    "configure",
    "enable",
    "disable",
    "deploy",
    "install",
    "upgrade",
    "monitor",
    "rotate",
    "register",
    "inspect",
    "validate",
    "migrate",
    "export",
    "import",
    "route",
    "scale",
];

/// A block in the benchmark corpus's shape for `lang` (bash, yaml, json, rust).
fn corpus_block(rng: &mut Rng, lang: &str) -> String {
    // The corpus's words: the ones before the tricky ones at the list's end.
    let words = &WORDS[..52];
    let word = |rng: &mut Rng| rng.pick(words).to_string();
    let mut lines = Vec::new();
    match lang {
        "bash" => {
            for _ in 0..rng.range(2, 5) {
                lines.push(format!(
                    "acmectl {} {} --{} {}-{}",
                    rng.pick(VERBS),
                    word(rng),
                    word(rng),
                    word(rng),
                    rng.range(1, 99)
                ));
            }
            lines.push(format!(
                "curl -s http://localhost:8001/{}s | jq '.data[].{}'",
                word(rng),
                word(rng)
            ));
        }
        "yaml" => {
            lines.push(format!("{}:", word(rng)));
            for _ in 0..rng.range(2, 4) {
                let value = match rng.below(4) {
                    0 => "true".to_string(),
                    1 => "false".to_string(),
                    2 => rng.range(1, 500).to_string(),
                    _ => word(rng),
                };
                lines.push(format!("  {}_{}: {value}", word(rng), word(rng)));
            }
            lines.push(format!("  {}s:", word(rng)));
            for _ in 0..rng.range(1, 3) {
                lines.push(format!("    - name: {}-{}", word(rng), word(rng)));
            }
        }
        "json" => {
            lines.push("{".to_string());
            let pairs: Vec<String> = (0..rng.range(2, 5))
                .map(|_| {
                    let value = match rng.below(4) {
                        0 => "true".to_string(),
                        1 => "false".to_string(),
                        2 => rng.range(1, 500).to_string(),
                        _ => format!("\"{}\"", word(rng)),
                    };
                    format!("  \"{}_{}\": {value}", word(rng), word(rng))
                })
                .collect();
            lines.push(pairs.join(",\n") + ",");
            lines.push(format!(
                "  \"{}s\": [\"{}\", \"{}\"]",
                word(rng),
                word(rng),
                word(rng)
            ));
            lines.push("}".to_string());
        }
        _ => {
            let (a, b) = (word(rng), word(rng));
            lines.push(format!(
                "fn {a}_{b}(input: &str) -> Result<usize, String> {{"
            ));
            lines.push(format!("    let {a} = input.trim();"));
            lines.push(format!(
                "    if {a}.is_empty() {{ return Err(\"empty {b}\".to_string()); }}"
            ));
            lines.push(format!("    Ok({a}.len() * {})", rng.range(2, 64)));
            lines.push("}".to_string());
        }
    }
    lines.join("\n") + "\n"
}

/// Pieces a varied block is made of, per language: common and tricky ones.
fn pieces(lang: &str) -> &'static [&'static str] {
    match lang {
        "bash" => &[
            "kong",
            "deck",
            "kubectl",
            "curl",
            "echo",
            "export",
            "cd",
            "./run.sh",
            "sudo",
            "-i",
            "-X",
            "POST",
            "--data",
            "--header",
            "name=example",
            "'single quoted'",
            "\"double quoted\"",
            "\"with $VAR\"",
            "$HOME",
            "${HOME}",
            "$(date)",
            "`date`",
            "|",
            "&&",
            "||",
            ";",
            ">",
            "2>&1",
            "<",
            "#",
            "# comment",
            "\\",
            "http://localhost:8001/services",
            "a,b",
            "x.yaml",
            "8001",
            "@file",
            "*",
            "~/x",
            "!",
            "=",
            "if",
            "then",
            "fi",
            "true",
            "{",
            "}",
            "[[",
            "]]",
            "key:value",
            "-",
            "--",
            "%s",
            "+x",
            "a/b",
            "done",
        ],
        "json" => &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"key\"",
            "\"value\"",
            "\"a\\\"b\"",
            "\"\\\\\"",
            "\"\\u00e9\"",
            "\"\\n\"",
            "1",
            "-2",
            "3.5",
            "1e5",
            "0",
            "01",
            "true",
            "false",
            "null",
            "True",
            "// c",
            "/* c */",
            "\n",
            "  ",
            "\"\"",
            "'x'",
            "NaN",
        ],
        "yaml" => &[
            "key",
            "other_key",
            "with-dash",
            "name",
            "y",
            "n",
            "yes",
            "on",
            "off",
            "true",
            "null",
            ":",
            ": ",
            "- ",
            "  ",
            "value",
            "1",
            "0",
            "012",
            "1.5",
            "3.0.1",
            "\"quoted\"",
            "'single'",
            "# comment",
            " # comment",
            "|",
            ">",
            "&anchor",
            "*alias",
            "!tag",
            "[a, b]",
            "{a: 1}",
            "http://x:1",
            "a b",
            "~",
            "---",
            "...",
            "%YAML",
            "Yes",
            "NULL",
            "\n",
            "\n  ",
            "\n    ",
            "path/to",
            "v1.2",
            "a_b",
        ],
        _ => &[
            "fn",
            "let",
            "mut",
            "if",
            "else",
            "return",
            "match",
            "impl",
            "struct",
            "pub",
            "x",
            "input",
            "len",
            "trim",
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "<",
            ">",
            "->",
            "=>",
            "::",
            ".",
            ",",
            ";",
            ":",
            "&",
            "*",
            "+",
            "-",
            "=",
            "==",
            "!",
            "\"s\"",
            "\"a\\n\"",
            "r#\"raw\"#",
            "'c'",
            "'a",
            "1",
            "2.5",
            "0x1f",
            "1_000",
            "usize",
            "str",
            "String",
            "Result",
            "Ok",
            "Err",
            "Some",
            "None",
            "Vec",
            "Option",
            "true",
            "self",
            "Self",
            "// c",
            "/* c */",
            "#[derive(Debug)]",
            "println!",
            "\n",
            "\n    ",
            " ",
            "as",
            "for",
            "in",
            "while",
        ],
    }
}

fn varied_block(rng: &mut Rng, lang: &str) -> String {
    let pieces = pieces(lang);
    let mut text = String::new();
    for _ in 0..rng.range(1, 12) {
        text.push_str(rng.pick(pieces));
        if rng.below(3) > 0 {
            text.push(' ');
        }
    }
    text.trim_end().to_string() + "\n"
}

/// Variants of a block that keep its shape but change one detail (a word, a number, a
/// space), so near-misses of every accepted shape are tried too.
fn mutate(rng: &mut Rng, block: &str, lang: &str) -> String {
    let pieces = pieces(lang);
    let tokens: Vec<&str> = block.split(' ').collect();
    let at = rng.below(tokens.len());
    let mut out: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
    match rng.below(3) {
        0 => out[at] = rng.pick(pieces).to_string(),
        1 => out.insert(at, rng.pick(pieces).to_string()),
        _ => out[at] = format!("{}{}", out[at], rng.pick(pieces)),
    }
    let mut text = out.join(" ");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Hand-written blocks: Kong-like docs blocks and the snapshot tests' inputs.
const HANDWRITTEN: &[(&str, &str)] = &[
    (
        "bash",
        "curl -i -X POST http://localhost:8001/services \\\n  --data name=example_service \\\n  --data url='http://httpbin.konghq.com'\n",
    ),
    (
        "bash",
        "curl -i http://localhost:8001/services/example_service/routes\n",
    ),
    ("bash", "deck gateway sync kong.yaml\n"),
    ("bash", "kong migrations bootstrap\nkong start\n"),
    (
        "bash",
        "docker run -d --name kong-gateway --network=kong-net -p 8000:8000 kong/kong-gateway:3.9\n",
    ),
    (
        "bash",
        "export KONG_DATABASE=off\ncurl -s localhost:8001 | jq .version\n",
    ),
    (
        "bash",
        "helm repo add kong https://charts.konghq.com\nhelm repo update\n",
    ),
    ("bash", "kubectl get pods -n kong\n"),
    (
        "bash",
        "# install\nexport KONG_DATABASE=off\ncurl -i -X POST http://localhost:8001/services \\\n  --data name=example && echo \"done: $(date)\"\n",
    ),
    (
        "bash",
        "for f in *.yaml; do\n  deck validate -s \"$f\" || exit 1\ndone\n",
    ),
    ("bash", "echo \"today: $(date +%F)\" $(whoami)\n"),
    ("bash", "echo \"$HOME\" # c\n"),
    (
        "bash",
        "curl -X POST http://localhost:8001/services --data \"name=$(whoami)\"\n",
    ),
    ("bash", "kong version\n"),
    (
        "bash",
        "curl -s http://localhost:8001/status | jq .server\n",
    ),
    (
        "bash",
        "http :8001/services name=example url=http://httpbin.org\n",
    ),
    (
        "bash",
        "curl -sX GET http://localhost:8001/consumers/alice/key-auth | jq '.data[0].key'\n",
    ),
    (
        "json",
        "{\n  \"name\": \"example\",\n  \"retries\": 5,\n  \"enabled\": true,\n  \"tags\": null\n}\n",
    ),
    (
        "json",
        "{ \"name\": \"example\", \"retries\": 5, \"enabled\": true }\n",
    ),
    (
        "json",
        "{\n  \"data\": [\n    {\n      \"id\": \"4e13f54a-bbf1-47a8-8777-255fed7116f2\",\n      \"created_at\": 1422386534,\n      \"protocols\": [\"http\", \"https\"]\n    }\n  ],\n  \"next\": null\n}\n",
    ),
    ("json", "[1, 2, 3]\n"),
    (
        "json",
        "{\"message\":\"no Route matched with those values\"}\n",
    ),
    ("json", "{\"a\": {\"b\": [true, false, null, -1, 0, 12]}}\n"),
    ("json", "{\n  \"path\": \"a\\/b\\\\c\\n\"\n}\n"),
    (
        "yaml",
        "_format_version: \"3.0\"\nservices:\n  - name: example # comment\n    port: 8000\n    enabled: true\n",
    ),
    (
        "yaml",
        "_format_version: \"3.0\"\nservices:\n  - name: example\n    url: http://example.internal:8080 # upstream\n",
    ),
    (
        "yaml",
        "script: |\n  key: not a key\n  echo: still text\nnext: 1\n",
    ),
    ("yaml", "a: 1\n"),
    (
        "yaml",
        "plugins:\n- name: rate-limiting\n  config:\n    minute: 5\n    policy: local\n",
    ),
    (
        "yaml",
        "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata:\n  name: rate-limit-5-min\nconfig:\n  minute: 5\n  policy: local\nplugin: rate-limiting\n",
    ),
    (
        "yaml",
        "image:\n  repository: kong/kong-gateway\n  tag: \"3.9\"\nenv:\n  database: \"off\"\n",
    ),
    (
        "yaml",
        "routes:\n  - name: example-route\n    paths:\n      - /mock\n",
    ),
    ("rust", "let s = r#\"a \"quoted\" word\"#; let n = 1;\n"),
    ("rust", "fn main() {\n    println!(\"hi\");\n}\n"),
    ("rust", "fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n"),
    ("rust", "use std::fmt;\nstruct A { x: i32 }\n"),
    (
        "rust",
        "fn is_ok(input: &str) -> bool {\n    let n = input.len();\n    if n == 0 { return false; }\n    true\n}\n",
    ),
];

/// The code samples page's blocks in the fast path's languages.
fn sample_page_blocks() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../content/code-samples.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let lang = info.split_whitespace().next().unwrap_or("").to_string();
            let mut body = String::new();
            for line in lines.by_ref() {
                if line.starts_with("```") {
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            out.push((lang, body));
        }
    }
    out
}

/// Compares the paths on one block; returns whether the fast path took it.
fn check(lang: &str, code: &str, failures: &mut Vec<String>) -> bool {
    let Some(fast) = highlight_by(Path::Fast, lang, code) else {
        return false;
    };
    let grammar = highlight_by(Path::Grammar, lang, code).expect("the grammar answers");
    if fast != grammar {
        failures.push(format!(
            "{lang} {code:?}\n  fast:    {fast:?}\n  grammar: {grammar:?}"
        ));
    }
    true
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} blocks differ, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_fast_path_equals_the_grammar_on_handwritten_and_sample_blocks() {
    let mut failures = Vec::new();
    let mut taken = 0;
    for (lang, code) in HANDWRITTEN {
        taken += usize::from(check(lang, code, &mut failures));
    }
    for (lang, code) in sample_page_blocks() {
        for alias in ["bash", "sh", "shell", "json", "yaml", "rust"] {
            if lang == alias {
                taken += usize::from(check(&lang, &code, &mut failures));
            }
        }
    }
    report(&failures);
    assert!(
        taken >= 20,
        "the fast path took only {taken} hand-written blocks"
    );
}

#[test]
fn the_fast_path_equals_the_grammar_on_corpus_shaped_blocks_and_takes_them() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut failures = Vec::new();
    for lang in ["bash", "json", "yaml", "rust"] {
        let blocks = 1000;
        let mut taken = 0;
        for _ in 0..blocks {
            let code = corpus_block(&mut rng, lang);
            taken += usize::from(check(lang, &code, &mut failures));
        }
        assert!(
            taken * 100 >= blocks * 95,
            "{lang}: the fast path took {taken} of {blocks} corpus-shaped blocks"
        );
    }
    report(&failures);
}

#[test]
fn the_fast_path_equals_the_grammar_on_varied_blocks() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut failures = Vec::new();
    for lang in ["bash", "json", "yaml", "rust"] {
        let mut taken = 0;
        for _ in 0..1500 {
            let code = varied_block(&mut rng, lang);
            taken += usize::from(check(lang, &code, &mut failures));
        }
        for _ in 0..1500 {
            let base = corpus_block(&mut rng, lang);
            let code = mutate(&mut rng, &base, lang);
            taken += usize::from(check(lang, &code, &mut failures));
        }
        for (l, code) in HANDWRITTEN.iter().filter(|(l, _)| *l == lang) {
            for _ in 0..20 {
                taken += usize::from(check(l, &mutate(&mut rng, code, lang), &mut failures));
            }
        }
        assert!(taken > 0, "{lang}: the fast path took no varied block");
    }
    report(&failures);
}
