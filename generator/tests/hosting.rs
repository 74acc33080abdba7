//! Where the site is published: `[deploy] workers_plan` in `site.toml`, and the
//! warnings `gatehouse build` gives when Workers static assets would refuse the output.

use std::path::Path;
use std::process::{Command, Output};

fn site(root: &Path, site_toml: &str) {
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("site.toml"), site_toml).unwrap();
    std::fs::write(
        root.join("content/index.md"),
        "---\ntitle: Home\n---\n\nHello.\n",
    )
    .unwrap();
}

fn build(root: &Path, public: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(public)
        .output()
        .unwrap()
}

#[test]
fn a_bad_plan_is_an_error_at_site_toml_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    site(
        dir.path(),
        "title = \"T\"\n[deploy]\nworkers_plan = \"pro\"\n",
    );
    let public = dir.path().join("public");
    std::fs::create_dir_all(&public).unwrap();
    std::fs::write(public.join("index.html"), "previous build").unwrap();

    let run = build(dir.path(), &public);

    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains(
            "error: site.toml: [deploy] workers_plan must be \"free\", \"paid\" or \"none\" (not published as Workers assets), not \"pro\"\n"
        ),
        "{stderr}"
    );
    let entries: Vec<_> = std::fs::read_dir(&public).unwrap().collect();
    assert_eq!(entries.len(), 1, "nothing added");
    assert_eq!(
        std::fs::read_to_string(public.join("index.html")).unwrap(),
        "previous build"
    );
}

/// A file Workers assets cannot take is published all the same, with a warning naming
/// it; a site that says it is not published as Workers assets gets none.
#[test]
fn a_file_too_large_for_workers_assets_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path(), "title = \"T\"\n");
    std::fs::create_dir_all(dir.path().join("static/video")).unwrap();
    let large = vec![0u8; 25 * 1024 * 1024 + 1];
    std::fs::write(dir.path().join("static/video/intro.mp4"), &large).unwrap();
    let public = dir.path().join("public");

    let run = build(dir.path(), &public);

    assert_eq!(run.status.code(), Some(0));
    let stderr = String::from_utf8(run.stderr).unwrap();
    let shown = format!(
        "warning: {}: 25.0 MiB: larger than the 25 MiB a Workers static asset may be",
        public.join("video/intro.mp4").display()
    );
    assert!(stderr.contains(&shown), "{stderr}");
    assert!(stderr.contains(", 1 warning"), "{stderr}");
    assert_eq!(
        std::fs::metadata(public.join("video/intro.mp4"))
            .unwrap()
            .len(),
        large.len() as u64
    );

    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\n[deploy]\nworkers_plan = \"none\"\n",
    )
    .unwrap();
    let run = build(dir.path(), &public);
    assert_eq!(run.status.code(), Some(0));
    let stderr = String::from_utf8(run.stderr).unwrap();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings, Vec::<&str>::new(), "no Workers limit applies");
}
