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
