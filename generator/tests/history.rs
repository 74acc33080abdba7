//! "Last updated" from git: each page dated by the last commit that changed its file,
//! with a link to its history; `<lastmod>` in the sitemap; an uncommitted edit, or a site
//! outside git, dated by the file and marked "not yet committed".

use std::path::Path;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

mod common;

use common::{git, options, write};

fn rev(root: &Path, what: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "--short=7", what])
        .current_dir(root)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn build(root: &Path) -> (String, String, String) {
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let read = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
    (
        read("a/index.html"),
        read("b/index.html"),
        read("sitemap.xml"),
    )
}

fn updated(html: &str) -> &str {
    let start = html
        .find("<p class=\"last-updated\">")
        .expect("a last-updated line");
    let end = start + html[start..].find("</p>").unwrap() + 4;
    &html[start..end]
}

fn set_mtime(path: &Path, secs: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn pages_are_dated_by_their_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"H\"\nbase_url = \"https://h.example\"\nedit_url = \"https://github.com/org/docs/edit/main\"\n",
    );
    write(root, "content/a.md", "---\ntitle: A\n---\nFirst.\n");
    write(root, "content/b.md", "---\ntitle: B\n---\nB.\n");
    write(root, "README.md", "Not a page.\n");

    // Outside git: the file's time.
    set_mtime(&root.join("content/a.md"), 1_577_923_200); // 2020-01-02
    let (a, _, _) = build(root);
    assert_eq!(
        updated(&a),
        "<p class=\"last-updated\">Last updated <time datetime=\"2020-01-02\">2 January 2020</time> (not yet committed)</p>"
    );

    git(root, Some("2021-03-04T10:00:00Z"), &["init", "-q"]);
    git(root, Some("2021-03-04T10:00:00Z"), &["add", "-A"]);
    git(
        root,
        Some("2021-03-04T10:00:00Z"),
        &["commit", "-qm", "first"],
    );
    write(root, "content/b.md", "---\ntitle: B\n---\nB, revised.\n");
    git(root, Some("2022-05-06T10:00:00Z"), &["commit", "-qam", "b"]);
    let b_commit = rev(root, "HEAD");
    write(root, "README.md", "Still not a page.\n");
    git(
        root,
        Some("2023-07-08T10:00:00Z"),
        &["commit", "-qam", "readme"],
    );

    let (a, b, sitemap) = build(root);
    assert_eq!(
        updated(&a),
        "<p class=\"last-updated\">Last updated <time datetime=\"2021-03-04\">4 March 2021</time> · <a href=\"https://github.com/org/docs/commits/main/content/a.md\">History</a></p>"
    );
    assert!(
        updated(&b).contains("<time datetime=\"2022-05-06\">6 May 2022</time>"),
        "a later commit that did not touch b leaves its date: {}",
        updated(&b)
    );
    assert!(!b_commit.is_empty());
    assert!(
        sitemap.contains("<loc>https://h.example/a/</loc><lastmod>2021-03-04</lastmod>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://h.example/b/</loc><lastmod>2022-05-06</lastmod>"));

    // An edit not yet committed: the file's time, and said so.
    write(root, "content/a.md", "---\ntitle: A\n---\nFirst, edited.\n");
    set_mtime(&root.join("content/a.md"), 1_704_067_200); // 2024-01-01
    let (a, b, _) = build(root);
    assert_eq!(
        updated(&a),
        "<p class=\"last-updated\">Last updated <time datetime=\"2024-01-01\">1 January 2024</time> (not yet committed)</p>"
    );
    assert!(updated(&b).contains("2022-05-06"), "{}", updated(&b));
}

/// A site in a folder of its repository: paths are the repository's.
#[test]
fn a_site_in_a_subfolder_reads_the_repository_history() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let root = repo.join("docs");
    write(&root, "site.toml", "title = \"H\"\n");
    write(&root, "content/a.md", "---\ntitle: A\n---\nA.\n");
    write(&root, "content/b.md", "---\ntitle: B\n---\nB.\n");
    git(repo, Some("2025-02-03T10:00:00Z"), &["init", "-q"]);
    git(repo, Some("2025-02-03T10:00:00Z"), &["add", "-A"]);
    git(
        repo,
        Some("2025-02-03T10:00:00Z"),
        &["commit", "-qm", "docs"],
    );
    let (a, _, _) = build(&root);
    assert_eq!(
        updated(&a),
        "<p class=\"last-updated\">Last updated <time datetime=\"2025-02-03\">3 February 2025</time></p>",
        "no edit_url, no history link"
    );
}
