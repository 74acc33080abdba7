//! The Jekyll-style fixture: a docs tree with navtabs, includes with parameters and links,
//! callouts and a custom inline tag builds, and nothing of the tags is left in any page.

use std::path::{Path, PathBuf};

use gatehouse::{BuildOptions, Mode};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jekyll")
}

fn build() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let options = BuildOptions {
        root: fixture(),
        out: Some(public.clone()),
        ..BuildOptions::default()
    };
    if let Err(e) = gatehouse::build(&options, Mode::Build) {
        match e {
            gatehouse::BuildError::Diagnostics(d) => {
                panic!(
                    "{}",
                    d.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            }
            other => panic!("{other}"),
        }
    }
    (out, public)
}

#[test]
fn the_fixture_builds_with_no_tag_left_in_any_page() {
    let (_out, public) = build();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(entry.path()).unwrap();
        // Between <main> and </main>: the page's own text.
        let main = html.split("<main").nth(1).unwrap_or(&html);
        for left in ["{%", "{:", "{{"] {
            // The one `{{` the fixture shows on purpose is inside a raw block in code.
            let count = main.matches(left).count();
            let allowed = usize::from(left == "{{" && main.contains("{{ not a variable }}"));
            assert_eq!(count, allowed, "{left} left in {}", entry.path().display());
        }
    }
    assert!(pages >= 4, "{pages}");
}

#[test]
fn tabs_includes_and_custom_tags_render_in_the_page() {
    let (_out, public) = build();
    let install = std::fs::read_to_string(public.join("gateway/install/index.html")).unwrap();
    for expected in [
        r#"<span class="menu-icon menu-icon-runtimes">Runtimes</span>"#,
        r#"role="tablist""#,
        r#"data-tab-title="Kubernetes""#,
        r#"<h4 id="with-helm">"#,
        "Before you start on Kubernetes, install <code>harborctl</code>",
        r#"<a href="/gateway/connect/#before-you-connect">"#,
        r#"<div class="callout callout-tip" role="note">"#,
        "<code>harborctl status --verbose</code>",
        "{{ not a variable }}",
    ] {
        assert!(install.contains(expected), "{expected} missing");
    }
    // Headings inside tabs are in the table of contents.
    let toc = install.split("<nav class=\"toc\"").nth(1).unwrap_or("");
    assert!(
        toc.contains("#install-the-chart"),
        "the TOC lacks a heading in a tab"
    );
}
