//! Versioned docs on a small site made in a temporary folder: a docs set of three
//! releases (a folder each), `{{version.*}}` and Kong's `{{page.kong_version}}`,
//! `{% if_version %}` in pages and includes, the switcher and banner, canonical URLs,
//! the sitemap, `/latest/` in `_redirects`, and the link and bound errors.

use std::path::Path;

use gatehouse::{BuildError, BuildOptions};

mod common;

use common::write;

const SITE_TOML: &str = r#"title = "Versions"
base_url = "https://v.example"

[docsets.gateway]
page_variable = "kong_version"
[[docsets.gateway.releases]]
name = "3.0.x"
status = "latest"
patch = "3.0.1"
[[docsets.gateway.releases]]
name = "2.8.x"
status = "maintained"
patch = "2.8.4"
[[docsets.gateway.releases]]
name = "2.6.x"
label = "2.6"
status = "deprecated"
"#;

fn site(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "site.toml", SITE_TOML);
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\nno_version: true\n---\n[Install](/gateway/latest/install/)\n",
    );
    write(
        root,
        "includes/upgrade.md",
        "{% if_version lte:2.8.x %}Upgrade to 3.0 soon.{% endif_version %}",
    );
    for release in ["3.0.x", "2.8.x", "2.6.x"] {
        write(
            root,
            &format!("content/gateway/{release}/index.md"),
            "---\ntitle: Gateway\n---\nRelease {{page.kong_version}}.\n",
        );
        write(
            root,
            &format!("content/gateway/{release}/install.md"),
            "---\ntitle: Install\n---\nInstall {{version.label}} (patch: {{page.kong_version}}).\n\n\
             {% if_version gte:3.0.x -%}\nUse the new installer.\n{% else_version -%}\nUse the old installer.\n{% endif_version %}\n\n\
             {% include upgrade.md %}\n\n[Back](../)\n",
        );
    }
    write(
        root,
        "content/gateway/3.0.x/new-in-3.md",
        "---\ntitle: New in 3\n---\nOnly here.\n",
    );
    write(
        root,
        "content/gateway/2.6.x/legacy.md",
        "---\ntitle: Legacy\n---\nOnly in 2.6.\n",
    );
    for (rel, text) in extra {
        write(root, rel, text);
    }
    dir
}

fn build(dir: &tempfile::TempDir) -> Result<std::path::PathBuf, Vec<String>> {
    let out = dir.path().join("public");
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        out: Some(out.clone()),
        ..BuildOptions::default()
    };
    match gatehouse::build(&options, gatehouse::Mode::Build) {
        Ok(_) => Ok(out),
        Err(BuildError::Diagnostics(problems)) => {
            Err(problems.iter().map(ToString::to_string).collect())
        }
        Err(other) => Err(vec![other.to_string()]),
    }
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn each_release_gets_its_own_text_variables_and_branches() {
    let dir = site(&[]);
    let out = build(&dir).expect("builds");
    let new = read(&out, "gateway/3.0.x/install/index.html");
    assert!(new.contains("Install 3.0.x (patch: 3.0.x)."), "{new}");
    assert!(new.contains("Use the new installer."));
    assert!(!new.contains("old installer"));
    assert!(
        !new.contains("Upgrade to 3.0 soon"),
        "the include's block is dropped"
    );
    let old = read(&out, "gateway/2.6.x/install/index.html");
    assert!(
        old.contains("Install 2.6 (patch: 2.6.x)."),
        "the label: {old}"
    );
    assert!(old.contains("Use the old installer."));
    assert!(!old.contains("new installer"));
    assert!(
        old.contains("Upgrade to 3.0 soon."),
        "the include's block is kept"
    );
}

/// The switcher's entries of a page: (label, href, current).
fn switcher(html: &str) -> Vec<(String, String, bool)> {
    let start = html.find("class=\"version-switcher\"").expect("a switcher");
    let end = start + html[start..].find("</nav>").expect("its end");
    html[start..end]
        .split("<li><a href=\"")
        .skip(1)
        .map(|item| {
            let href = item.split('"').next().unwrap_or_default().to_owned();
            let label = item
                .split_once('>')
                .map(|(_, rest)| rest.split(['<', ' ']).next().unwrap_or_default())
                .unwrap_or_default()
                .to_owned();
            (label, href, item.contains("aria-current=\"page\""))
        })
        .collect()
}

#[test]
fn the_switcher_links_the_same_page_in_each_release_or_that_releases_index() {
    let dir = site(&[]);
    let out = build(&dir).expect("builds");
    let install = read(&out, "gateway/2.8.x/install/index.html");
    assert_eq!(
        switcher(&install),
        [
            (
                "3.0.x".to_owned(),
                "/gateway/3.0.x/install/".to_owned(),
                false
            ),
            (
                "2.8.x".to_owned(),
                "/gateway/2.8.x/install/".to_owned(),
                true
            ),
            (
                "2.6".to_owned(),
                "/gateway/2.6.x/install/".to_owned(),
                false
            ),
        ]
    );
    let only_new = read(&out, "gateway/3.0.x/new-in-3/index.html");
    assert_eq!(
        switcher(&only_new),
        [
            (
                "3.0.x".to_owned(),
                "/gateway/3.0.x/new-in-3/".to_owned(),
                true
            ),
            ("2.8.x".to_owned(), "/gateway/2.8.x/".to_owned(), false),
            ("2.6".to_owned(), "/gateway/2.6.x/".to_owned(), false),
        ],
        "a release without the page links its index"
    );
    let deprecated = install
        .find("No longer maintained")
        .expect("deprecated apart");
    assert!(install[deprecated..].contains("/gateway/2.6.x/install/"));
    assert!(
        !read(&out, "index.html").contains("version-switcher"),
        "no_version: no switcher"
    );
}

#[test]
fn releases_other_than_the_latest_have_a_banner_and_point_search_engines_at_the_latest() {
    let dir = site(&[]);
    let out = build(&dir).expect("builds");
    let old = read(&out, "gateway/2.8.x/install/index.html");
    assert!(old.contains("class=\"version-banner\""), "{old}");
    assert!(old.contains(
        "<a href=\"/gateway/3.0.x/install/\">This page for 3.0.x, the latest release</a>"
    ));
    assert!(
        old.contains("<link rel=\"canonical\" href=\"https://v.example/gateway/3.0.x/install/\">")
    );
    let latest = read(&out, "gateway/3.0.x/install/index.html");
    assert!(!latest.contains("class=\"version-banner\""));
    assert!(
        latest
            .contains("<link rel=\"canonical\" href=\"https://v.example/gateway/3.0.x/install/\">")
    );
    let legacy = read(&out, "gateway/2.6.x/legacy/index.html");
    assert!(legacy.contains("no longer maintained"));
    assert!(legacy.contains("<a href=\"/gateway/3.0.x/\">The latest release, 3.0.x</a>"));
    assert!(
        legacy
            .contains("<link rel=\"canonical\" href=\"https://v.example/gateway/2.6.x/legacy/\">"),
        "a page only an old release has is its own canonical"
    );
}

#[test]
fn a_shared_page_is_rendered_into_every_release_that_has_none_of_its_own() {
    let dir = site(&[
        (
            "content/gateway/_src/shared.md",
            "---\ntitle: Shared\n---\nShared in {{version.name}}.{% if_version eq:2.8.x %} Only 2.8.{% endif_version %} [Install](../install/)\n",
        ),
        (
            "content/gateway/2.6.x/shared.md",
            "---\ntitle: Shared\n---\nWritten for 2.6 alone.\n",
        ),
    ]);
    let out = build(&dir).expect("builds");
    let latest = read(&out, "gateway/3.0.x/shared/index.html");
    assert!(
        latest.contains("Shared in 3.0.x. <a href=\"../install/\">"),
        "{latest}"
    );
    assert!(!latest.contains("Only 2.8."));
    assert!(read(&out, "gateway/2.8.x/shared/index.html").contains("Shared in 2.8.x. Only 2.8."));
    assert!(read(&out, "gateway/2.6.x/shared/index.html").contains("Written for 2.6 alone."));
    assert!(
        !out.join("gateway/_src").exists(),
        "the shared folder is not published"
    );
    assert_eq!(
        switcher(&latest)
            .iter()
            .map(|(_, href, _)| href.as_str())
            .collect::<Vec<_>>(),
        [
            "/gateway/3.0.x/shared/",
            "/gateway/2.8.x/shared/",
            "/gateway/2.6.x/shared/"
        ]
    );
}

#[test]
fn the_sidebar_and_reading_order_stay_in_the_readers_release() {
    let dir = site(&[]);
    let out = build(&dir).expect("builds");
    let page = read(&out, "gateway/2.8.x/install/index.html");
    let start = page.find("<ul class=\"nav-tree\">").expect("a sidebar");
    let end = start + page[start..].find("</details>").expect("its end");
    let sidebar = &page[start..end];
    assert!(sidebar.contains("href=\"/gateway/2.8.x/\""), "{sidebar}");
    assert!(
        sidebar.contains("href=\"/gateway/2.8.x/install/\""),
        "{sidebar}"
    );
    assert!(!sidebar.contains("/gateway/3.0.x/"), "{sidebar}");
    assert!(!sidebar.contains("/gateway/2.6.x/"), "{sidebar}");
    let hrefs: Vec<&str> = ["pagination-prev", "pagination-next"]
        .iter()
        .filter_map(|class| page.split(&format!("class=\"{class}\" href=\"")).nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        hrefs,
        ["/gateway/2.8.x/"],
        "previous stays in the release, no next out of it"
    );
    let home = read(&out, "index.html");
    assert!(
        home.contains("href=\"/gateway/3.0.x/\""),
        "an unversioned page lists every release"
    );
}

#[test]
fn the_sitemap_lists_each_page_once_and_latest_redirects() {
    let dir = site(&[]);
    let out = build(&dir).expect("builds");
    let sitemap = read(&out, "sitemap.xml");
    assert_eq!(sitemap.matches("/install/</loc>").count(), 1, "{sitemap}");
    assert!(sitemap.contains("https://v.example/gateway/3.0.x/install/</loc>"));
    assert!(sitemap.contains("https://v.example/gateway/2.6.x/legacy/</loc>"));
    assert_eq!(
        read(&out, "_redirects"),
        "/gateway/latest/* /gateway/3.0.x/:splat 302\n"
    );
}

fn errors(extra: &[(&str, &str)]) -> Vec<String> {
    build(&site(extra)).expect_err("must not build")
}

#[test]
fn links_know_the_release() {
    let problems = errors(&[(
        "content/gateway/2.8.x/links.md",
        "---\ntitle: Links\n---\n[new](../new-in-3/) [latest](/gateway/latest/install/) [gone](/gateway/latest/nothing/) [legacy](../legacy/)\n",
    )]);
    assert_eq!(
        problems,
        [
            "content/gateway/2.8.x/links.md:4:1: broken link '../new-in-3/': release 2.8.x of `gateway` has no page new-in-3/; release 3.0.x has it",
            "content/gateway/2.8.x/links.md:4:56: broken link '/gateway/latest/nothing/': nothing is published at /gateway/3.0.x/nothing/ (did you mean '/gateway/3.0.x/new-in-3/'?)",
            "content/gateway/2.8.x/links.md:4:89: broken link '../legacy/': release 2.8.x of `gateway` has no page legacy/; release 2.6.x has it",
        ]
    );
}

#[test]
fn version_mistakes_are_errors_at_their_line() {
    let problems = errors(&[
        (
            "content/gateway/2.8.x/typo.md",
            "---\ntitle: Typo\n---\nPatch {{version.pach}}.\n\n{% if_version gte:3.1.x %}x{% endif_version %}\n",
        ),
        (
            "content/plain.md",
            "---\ntitle: Plain\n---\n{{version.name}}\n\n{% if_version gte:3.0.x %}x{% endif_version %}\n",
        ),
        (
            "content/gateway/2.5.x/old.md",
            "---\ntitle: Old\n---\nOld.\n",
        ),
    ]);
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(
        has(
            "content/gateway/2.8.x/typo.md:4:7: unknown variable 'version.pach' (did you mean 'version.patch'?)"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "content/gateway/2.8.x/typo.md:6:1: `3.1.x` is not a release of `gateway` (did you mean `3.0.x`?)"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "content/plain.md:4:1: 'version.name' has no value here: this page belongs to no release"
        ),
        "{problems:#?}"
    );
    assert!(
        has("content/plain.md:6:1: `{% if_version %}` on a page that belongs to no release"),
        "{problems:#?}"
    );
    assert!(
        has("content/gateway/2.5.x/old.md: `2.5.x` is not a release of the `gateway` docs set"),
        "{problems:#?}"
    );
}

#[test]
fn a_problem_in_a_shared_page_names_the_source_and_the_release() {
    let problems = errors(&[(
        "content/gateway/_src/shared.md",
        "---\ntitle: Shared\n---\n{{version.patch}} [new](../new-in-3/)\n",
    )]);
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    // 2.6.x declares no patch; 2.8.x and 2.6.x have no new-in-3 page.
    assert!(
        has("content/gateway/_src/shared.md:4:1: unknown variable 'version.patch'"),
        "{problems:#?}"
    );
    assert!(has("(in its copy for release 2.6.x)"), "{problems:#?}");
    assert!(
        has("has no page new-in-3/; release 3.0.x has it (in its copy at /gateway/2.8.x/shared/)"),
        "{problems:#?}"
    );
    assert!(
        !has("(in its copy at /gateway/3.0.x/shared/)"),
        "{problems:#?}"
    );
}

#[test]
fn a_bad_declaration_is_an_error_in_site_toml() {
    let problems = errors(&[(
        "site.toml",
        "title = \"V\"\n[docsets.gateway]\n[[docsets.gateway.releases]]\nname = \"3.0.x\"\nstatus = \"current\"\n",
    )]);
    assert!(
        problems.iter().any(|p| p.starts_with(
            "site.toml: [docsets] gateway: release 1: `3.0.x`: status `current` is not latest"
        )),
        "{problems:#?}"
    );
}
