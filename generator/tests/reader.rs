//! Pages that know their reader (`{{reader.NAME}}`, `{% reader %}`, `{% step %}`): what
//! the build writes for the static (signed-out) page, and its errors at file:line.

use std::path::Path;

use gatehouse::{BuildError, Mode};

mod common;

use common::{options, write};

fn site(page: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.toml", "title = \"Reader\"\n");
    write(
        dir.path(),
        "content/index.md",
        "---\ntitle: Home\n---\nHome.\n",
    );
    write(dir.path(), "content/start.md", page);
    dir
}

fn build(root: &Path) -> Result<String, Vec<String>> {
    let out = root.join("public");
    match gatehouse::build(&options(root, &out, false), Mode::Build) {
        Ok(_) => Ok(std::fs::read_to_string(out.join("start/index.html")).unwrap()),
        Err(BuildError::Diagnostics(problems)) => {
            Err(problems.iter().map(ToString::to_string).collect())
        }
        Err(other) => panic!("{other}"),
    }
}

fn main_of(html: &str) -> &str {
    let start = html.find("<article").unwrap();
    let end = html.find("</article>").unwrap();
    &html[start..end]
}

#[test]
fn the_static_page_is_the_signed_out_version_with_markers() {
    let dir = site(concat!(
        "---\ntitle: Start\n---\n",
        "# Welcome, {{reader.first_name | default: \"reader\"}}\n\n",
        "{% reader signed-out %}\n[Create an account](/).\n{% else %}\nWelcome back.\n{% endreader %}\n\n",
        "1. {% step registered %}Register.\n",
        "2. {% step verified \"Address <confirmed>\" %}Verify.\n\n",
        "```bash\ncurl -H 'X-Org: {{reader.organization | default: \"ORG\"}}' https://api.example.com/\n```\n",
    ));
    let html = build(dir.path()).unwrap();
    assert!(html.contains("<script src=\"/js/reader.js\"></script>"));
    insta::assert_snapshot!("reader_static_page", main_of(&html));
    // Pages without markers load no script.
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(!home.contains("reader.js"));
    // The search text has the fallbacks, not the placeholders.
    let search = std::fs::read_dir(dir.path().join("public/search"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap_or_default())
        .any(|bytes| String::from_utf8_lossy(&bytes).contains('\u{E000}'));
    assert!(!search, "no placeholder reaches the search index");
}

#[test]
fn unknown_names_are_errors_at_their_line_with_a_suggestion() {
    let dir = site(concat!(
        "---\ntitle: Start\n---\n",
        "Hi {{reader.frist_name}}.\n\n",
        "{% reader trail %}\nX\n{% endreader %}\n\n",
        "1. {% step verfied %}Verify.\n\n",
        "[mail](mailto:{{reader.email}})\n\n",
        "{% else %}\n",
    ));
    let problems = build(dir.path()).unwrap_err();
    let expected = [
        "content/start.md:4:4: unknown reader value 'reader.frist_name' (did you mean 'reader.first_name'?)",
        "content/start.md:6:1: unknown reader state `trail` (did you mean `trial`?)",
        "content/start.md:10:4: unknown step `verfied` (did you mean `verified`?)",
        "content/start.md:12:15: `{{reader.email}}` cannot go inside a link, an image or an attribute: a reader's values are only ever shown as text",
        "content/start.md:14:1: `{% else %}` is not inside an `{% reader %}` (or that one has an `{% else %}` already)",
    ];
    for line in expected {
        assert!(
            problems.iter().any(|p| p == line),
            "missing {line}\nin {problems:#?}"
        );
    }
    assert!(
        !dir.path().join("public").exists(),
        "a failed build writes nothing"
    );
}
