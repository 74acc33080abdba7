//! Issue 11, parts 4 and 5, through the binary on the Jekyll-style fixture: callouts from
//! kramdown block attributes and GitHub alerts, an IAL that applies to nothing, and the
//! `[links]` settings and `variables_from` of a folder moved out of a larger site.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jekyll")
}

/// A copy of the fixture to change.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture();
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn gatehouse(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

/// Stderr with the timings and counts taken out, for snapshots (other pages of the
/// fixture may come and go).
fn stderr(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    let mut shown = String::new();
    for line in text.lines() {
        let line: String = line
            .split(' ')
            .enumerate()
            .map(|(i, word)| {
                let next_is_count = matches!(
                    line.split(' ').nth(i + 1),
                    Some("pages" | "pages," | "external" | "files)")
                ) || word.starts_with('(')
                    && line.split(' ').nth(i + 1) == Some("files)");
                if next_is_count && word.trim_start_matches('(').parse::<u32>().is_ok() {
                    if word.starts_with('(') { "(N" } else { "N" }.to_string()
                } else {
                    word.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let line = match line.find(" in ") {
            Some(at) if line.ends_with(" s") || line.contains(" s:") || line.contains(" s,") => {
                let rest = &line[at + 4..];
                let after = rest.find(" s").map_or("", |i| &rest[i + 2..]);
                format!("{} in T s{after}", &line[..at])
            }
            _ => line.to_string(),
        };
        shown.push_str(&line);
        shown.push('\n');
    }
    shown
}

fn article(html: &str) -> &str {
    let start = html.find("<article").expect("an article");
    let end = html.find("</article>").expect("its end");
    &html[start..end]
}

#[test]
fn the_fixture_builds_with_callouts_and_nothing_left_unrendered() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["build", "--root"])
        .arg(fixture())
        .arg("--out")
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html = std::fs::read_to_string(public.join("callouts/index.html")).unwrap();
    let body = article(&html);
    for left in ["{:", "{{", "{%", "[!"] {
        assert!(!body.contains(left), "'{left}' left in:\n{body}");
    }
    insta::assert_snapshot!("callouts_page", body);
}

#[test]
fn check_external_lists_the_links_skip_prefixes_leaves_unchecked() {
    let run = gatehouse(&["check", "--external"], &fixture());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let stdout = String::from_utf8(run.stdout).unwrap();
    let ours: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("content/callouts.md"))
        .collect();
    assert_eq!(
        ours,
        [
            "content/callouts.md:57:42: /gateway/latest/",
            "content/callouts.md:58:1: /assets/logo.svg"
        ]
    );
    // Without the setting, the same links are broken.
    let site = fixture_copy();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let toml = toml.replace("skip_prefixes = [\"/gateway/\", \"/assets/\"]", "");
    std::fs::write(site.path().join("site.toml"), toml).unwrap();
    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("error: content/callouts.md:57:42: broken link '/gateway/latest/'"),
        "{}",
        stderr(&run)
    );
}

/// A page with a broken link and a broken anchor, under the given `[links]` lines.
fn site_with_broken_links(links: &str) -> tempfile::TempDir {
    let site = fixture_copy();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        toml.replace("[links]\n", &format!("[links]\n{links}\n")),
    )
    .unwrap();
    std::fs::write(
        site.path().join("content/moved.md"),
        "---\ntitle: Moved\n---\nSee [the old page](/konnect/old-page/)\nand [a section](/callouts/#no-such-heading).\n",
    )
    .unwrap();
    site
}

#[test]
fn level_warn_prints_warnings_and_builds() {
    let site = site_with_broken_links("level = \"warn\"");
    let out = site.path().join("public");
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["build", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(out.join("moved/index.html").is_file());
    let shown = stderr(&run).replace(&out.display().to_string(), "OUT");
    insta::assert_snapshot!("level_warn_build", shown);

    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!("level_warn_check", stderr(&run));
}

#[test]
fn anchors_warn_leaves_other_broken_links_errors() {
    let site = site_with_broken_links("anchors = \"warn\"");
    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(1));
    insta::assert_snapshot!("anchors_warn_check", stderr(&run));

    // With only the anchor broken, the build succeeds.
    std::fs::write(
        site.path().join("content/moved.md"),
        "---\ntitle: Moved\n---\nSee [a section](/callouts/#no-such-heading).\n",
    )
    .unwrap();
    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stderr(&run).starts_with(
        "warning: content/moved.md:4:5: broken link '/callouts/#no-such-heading': /callouts/ has no heading or id 'no-such-heading'"
    ));
}

#[test]
fn an_ial_that_applies_to_nothing_is_an_error_at_its_line() {
    let site = fixture_copy();
    std::fs::write(
        site.path().join("content/orphan.md"),
        "---\ntitle: Orphan\n---\nA paragraph about {{site.konnect_product_name}}.\n\n  {:.note}\n\n> A quote.\n",
    )
    .unwrap();
    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(1));
    insta::assert_snapshot!("orphan_ial", stderr(&run));
}

#[test]
fn variables_from_fills_site_variables_and_reports_its_file() {
    let site = fixture_copy();
    std::fs::write(
        site.path().join("content/vars.md"),
        "---\ntitle: Vars\n---\n{{site.title}} / {{site.support_hours}} / {{site.markdown}}\n",
    )
    .unwrap();
    let out = site.path().join("public");
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["build", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html = std::fs::read_to_string(out.join("vars/index.html")).unwrap();
    // site.toml's own title wins over _config.yml's.
    assert!(
        article(&html).contains("<p>Harbor Docs / 09:00–17:00 CET / kramdown</p>"),
        "{}",
        article(&html)
    );

    std::fs::write(site.path().join("_config.yml"), "title: [unclosed\n").unwrap();
    let run = gatehouse(&["check"], site.path());
    assert_eq!(run.status.code(), Some(1));
    insta::assert_snapshot!("variables_from_bad_yaml", stderr(&run));
}
