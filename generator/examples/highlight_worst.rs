//! The highlighter's worst case: blocks built to be hard for a grammar (an unclosed
//! bracket or quote before a long run of word characters, base64, random punctuation),
//! in every language, at several line lengths, each block highlighted as a page's block
//! is ([`highlight_block`]: fast path, grammar, bounds). Prints the slowest blocks and
//! the worst time per KB. Run by `bench/highlight-worst.sh`; not a test.
//!
//!   cargo run --release -p gatehouse --example highlight_worst -- [LANGS|all] [BLOCK_BYTES]

use std::time::Instant;

use gatehouse::highlight::{highlight_block, languages};

/// Lines of about `n` bytes, each a different hard case.
fn hard_lines(n: usize, seed: &mut u64) -> Vec<(&'static str, String)> {
    let mut next = |m: usize| {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed as usize) % m
    };
    let b64: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        .chars()
        .collect();
    let punct: Vec<char> = "_-=+()[]{}<>\"'`$#@!%^&*|\\/:;,.?~ a1".chars().collect();
    let mut out = vec![
        (
            "base64 then {",
            format!(
                "export CERT={} {{x",
                (0..n.saturating_sub(16))
                    .map(|_| b64[next(64)])
                    .collect::<String>()
            ),
        ),
        (
            "{ _…](_…",
            format!("x = {{a{}]({}y", "_".repeat(2 * n / 3), "_".repeat(n / 3)),
        ),
        (
            "punctuation",
            (0..n).map(|_| punct[next(punct.len())]).collect(),
        ),
    ];
    for open in ["(", "[", "{", "\"", "'", "`", "<", "$(", "/*", "#"] {
        out.push(("unclosed", format!("{open}{}", "a_".repeat(n / 2))));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let langs: Vec<String> = match args.first().map(String::as_str) {
        None | Some("all") => languages()
            .into_iter()
            .filter_map(|(_, names)| names.first().cloned())
            .collect(),
        Some(list) => list.split(',').map(String::from).collect(),
    };
    let block_bytes: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(4096);
    let mut seed = 88172645463325252u64;
    // (ms, ms per KB, lang, case, line length)
    let mut results: Vec<(f64, f64, String, &str, usize)> = Vec::new();
    for lang in &langs {
        // Compile the grammar's regexes first: a build pays that once per language.
        let mut html = String::new();
        highlight_block(lang, "x = 1\n", &mut html);
        for line_len in [64, 128, 256, 512, 4096] {
            let lines = block_bytes.div_ceil(line_len + 1).max(1);
            for case in 0..hard_lines(8, &mut seed).len() {
                let mut code = String::new();
                let mut name = "";
                for _ in 0..lines {
                    let (n, line) = hard_lines(line_len, &mut seed).swap_remove(case);
                    name = n;
                    code.push_str(&line);
                    code.push('\n');
                }
                let mut html = String::new();
                let started = Instant::now();
                highlight_block(lang, &code, &mut html);
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let per_kb = ms / (code.len() as f64 / 1024.0);
                results.push((ms, per_kb, lang.clone(), name, line_len));
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{} languages, {} blocks of about {block_bytes} bytes",
        langs.len(),
        results.len()
    );
    println!("slowest blocks: ms, ms/KB, language, case, line length");
    for (ms, per_kb, lang, case, len) in results.iter().take(12) {
        println!("  {ms:8.1} {per_kb:8.2}  {lang:<12} {case:<14} {len}");
    }
    let worst_kb = results.iter().map(|r| r.1).fold(0.0, f64::max);
    let mut by_lang: Vec<(f64, &str)> = Vec::new();
    for r in &results {
        match by_lang.iter_mut().find(|(_, l)| *l == r.2) {
            Some(entry) => entry.0 = entry.0.max(r.0),
            None => by_lang.push((r.0, &r.2)),
        }
    }
    let over = by_lang.iter().filter(|(ms, _)| *ms > 50.0).count();
    println!(
        "worst: {:.1} ms per block, {worst_kb:.2} ms per KB; languages with a block over 50 ms: {over}",
        results.first().map_or(0.0, |r| r.0)
    );
}
