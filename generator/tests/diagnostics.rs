//! A site full of mistakes: every one is reported, exactly, and the previous output
//! is left untouched.

use std::path::{Path, PathBuf};
use std::process::Command;

use gatehouse::{BuildError, BuildOptions};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken")
}

const EXPECTED: &[&str] = &[
    "content/guide/index.md:4:1: malformed front matter: did not find expected node content",
    "content/guide/start.md:7:7: broken link '#first-step': /guide/start/ has no heading or id 'first-step' (did you mean '#first-steps'?)",
    "content/guide/start.md:7:40: broken link '../missing/': nothing is published at /guide/missing/",
    "content/guide/start.md:8:5: unsupported tag `{% if %}`: pages may use shortcodes, {% include %} and {% raw %}…{% endraw %}, not Liquid's logic",
    "content/guide/start.md:8:28: unsupported tag `{% endif %}`: pages may use shortcodes, {% include %} and {% raw %}…{% endraw %}, not Liquid's logic",
    "content/guide/start.md:11:6: unknown variable 'site.nope'",
    "content/index.md:5:12: unknown variable 'site.konnect_saaas' (did you mean 'site.konnect_saas'?)",
    "content/index.md:7:34: broken link '/guide/setup': nothing is published at /guide/setup (did you mean '/guide/start/'?)",
];

#[test]
fn every_problem_is_reported_with_its_location() {
    let options = BuildOptions {
        root: fixture(),
        out: Some(tempfile::tempdir().unwrap().path().join("public")),
        ..BuildOptions::default()
    };
    let Err(BuildError::Diagnostics(problems)) = gatehouse::build(&options, gatehouse::Mode::Build)
    else {
        panic!("the broken fixture must not build");
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown, EXPECTED);
}

#[test]
fn a_failed_build_leaves_public_exactly_as_it_was() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    std::fs::create_dir_all(public.join("old")).unwrap();
    std::fs::write(public.join("old/index.html"), "previous build").unwrap();

    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["build", "--root"])
        .arg(fixture())
        .arg("--out")
        .arg(&public)
        .output()
        .unwrap();

    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    for line in EXPECTED {
        assert!(
            stderr.contains(&format!("error: {line}\n")),
            "missing {line:?} in:\n{stderr}"
        );
    }
    assert!(
        stderr.ends_with("error: 8 problems found; nothing was written\n"),
        "{stderr}"
    );
    let entries: Vec<_> = walk(out.path());
    assert_eq!(
        entries,
        ["public", "public/old", "public/old/index.html"],
        "nothing added or removed"
    );
    assert_eq!(
        std::fs::read_to_string(public.join("old/index.html")).unwrap(),
        "previous build"
    );
}

#[test]
fn check_reports_the_same_and_writes_nothing() {
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["check", "--root"])
        .arg(fixture())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    let reported: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .filter(|l| l.starts_with("content/"))
        .collect();
    assert_eq!(reported, EXPECTED, "the same lines as build, in order");
    assert!(
        stderr.ends_with("error: 8 problems found; nothing was written\n"),
        "{stderr}"
    );
    assert!(!fixture().join("public").exists());
}

fn walk(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

/// A page whose code block has a line too long to highlight builds at once, and says
/// where: in `build`, in `Site::load` (what `check` and `serve` use), and in a list item.
#[test]
fn a_line_too_long_to_highlight_is_a_warning_at_its_line() {
    let long = format!("x = {{a{}]({}y", "_".repeat(14_000), "_".repeat(7_000));
    let dir = one_page_site(&format!(
        "---\ntitle: T\n---\n\n- item\n\n  ```sh\n  echo hi\n  {long}\n  ```\n"
    ));
    let root = dir.path();
    let options = BuildOptions {
        root: root.to_path_buf(),
        out: Some(root.join("public")),
        ..BuildOptions::default()
    };
    let report = gatehouse::build(&options, gatehouse::Mode::Build).expect("builds");
    let shown: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].starts_with("content/index.md:9:3: this line of a `sh` code block is shown without highlighting: it is 21009 bytes long"),
        "{shown:?}"
    );
    let site = gatehouse::Site::load(&options).expect("loads");
    let again: Vec<String> = site
        .all_warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(again, shown);
}

/// A page slower than the bound (here 0 ms) names itself (and its slowest code block
/// when that took half the time, which timing alone decides here).
#[test]
fn a_slow_page_names_itself() {
    let dir = one_page_site("---\ntitle: T\n---\n\nText.\n\n```python\nprint(1)\n```\n");
    let root = dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["check", "--root"])
        .arg(root)
        .env("GATEHOUSE_SLOW_PAGE_MS", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: content/index.md: making this page took 0.0 s"),
        "{stderr}"
    );
}

/// `check --deny-warnings` (what CI runs on `docs/`) fails on a warning that `check`
/// alone lets through, and says why.
#[test]
fn deny_warnings_turns_a_warning_into_a_failure() {
    let dir = one_page_site("---\ntitle: T\n---\n\n```klingon\nqapla\n```\n");
    let check = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["check", "--root"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let plain = check(&[]);
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let strict = check(&["--deny-warnings"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: no highlighting for code language `klingon`"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: 1 warning and --deny-warnings\n"),
        "{stderr}"
    );
}

/// A site of one page, `content/index.md` holding `page`.
fn one_page_site(page: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"t\"\n").unwrap();
    std::fs::write(dir.path().join("content/index.md"), page).unwrap();
    dir
}
