//! The sidebar at scale: generated sites of two sizes, built with the default theme and
//! read back from the outside. A page's sidebar must not grow with the site, and every
//! page must stay a few clicks from the home page (following the built links, as a
//! reader without JavaScript would).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use gatehouse::BuildOptions;

/// A site of `breadth` top sections, each with `breadth` subsections, each with
/// `pages` pages; names have a fixed width so sizes compare fairly.
fn generate(root: &Path, breadth: usize, pages: usize) {
    let content = root.join("content");
    let write = |rel: String, title: String| {
        let path = content.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("---\ntitle: {title}\n---\n\nText.\n")).unwrap();
    };
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(root.join("site.toml"), "title = \"Scale\"\n").unwrap();
    write("index.md".into(), "Home".into());
    for a in 0..breadth {
        write(format!("a{a:03}/index.md"), format!("Section {a:03}"));
        for b in 0..breadth {
            write(
                format!("a{a:03}/b{b:03}/index.md"),
                format!("Subsection {a:03}-{b:03}"),
            );
            for p in 0..pages {
                write(
                    format!("a{a:03}/b{b:03}/p{p:03}.md"),
                    format!("Page {a:03}-{b:03}-{p:03}"),
                );
            }
        }
    }
}

/// URL path → HTML of every page of the built site.
fn build(breadth: usize, pages: usize) -> HashMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), breadth, pages);
    let public = dir.path().join("public");
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        out: Some(public.clone()),
        base_url: None,
        drafts: false,
    };
    gatehouse::build(&options, gatehouse::Mode::Build).unwrap_or_else(|e| panic!("{e:?}"));
    let mut built = HashMap::new();
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy();
        if let Some(dir) = rel.strip_suffix("index.html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            built.insert(format!("/{dir}"), html);
        }
    }
    built
}

fn sidebar(html: &str) -> &str {
    let start = html.find("<nav class=\"sidebar\"").unwrap_or(0);
    let end = html[start..].find("</nav>").map_or(start, |e| start + e);
    &html[start..end]
}

fn links(html: &str) -> impl Iterator<Item = &str> {
    html.split(" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && href.ends_with('/'))
}

/// Clicks from the home page to every page, following the links the pages show.
fn clicks_from_home(site: &HashMap<String, String>) -> HashMap<&str, usize> {
    let mut depth: HashMap<&str, usize> = HashMap::from([("/", 0)]);
    let mut queue = VecDeque::from(["/"]);
    while let Some(url) = queue.pop_front() {
        let here = depth[url];
        for target in links(&site[url]) {
            if let Some((known, _)) = site.get_key_value(target)
                && !depth.contains_key(known.as_str())
            {
                depth.insert(known, here + 1);
                queue.push_back(known);
            }
        }
    }
    depth
}

fn mean_sidebar_bytes(site: &HashMap<String, String>) -> f64 {
    let total: usize = site.values().map(|html| sidebar(html).len()).sum();
    total as f64 / site.len() as f64
}

/// 13×13 sections and 20×20 (2.4 times the pages), both with more entries at every
/// level than the sidebar lists: a page's sidebar is the same size in both, and every
/// page is at most three clicks from home (home → section → subsection → page; a
/// section's page lists all its children).
#[test]
fn the_sidebar_does_not_grow_with_the_site_and_every_page_stays_near_home() {
    let medium = build(13, 13);
    let large = build(20, 13);
    assert_eq!(large.len(), 1 + 20 + 20 * 20 + 20 * 20 * 13);
    let (m, l) = (mean_sidebar_bytes(&medium), mean_sidebar_bytes(&large));
    assert!(m > 1000.0, "the sidebar is there: {m}");
    assert!(
        l <= m * 1.05,
        "sidebar bytes per page: {m:.0} with {} pages, {l:.0} with {}",
        medium.len(),
        large.len()
    );
    let largest = |site: &HashMap<String, String>| {
        site.values()
            .map(|html| sidebar(html).len())
            .max()
            .unwrap_or(0)
    };
    assert!(largest(&large) <= largest(&medium) * 21 / 20);

    for site in [&medium, &large] {
        let depth = clicks_from_home(site);
        let unreached: HashSet<&str> = site
            .keys()
            .map(String::as_str)
            .filter(|url| !depth.contains_key(url))
            .collect();
        assert_eq!(unreached, HashSet::new(), "pages no link leads to");
        assert_eq!(depth.values().max(), Some(&3), "clicks from home");
    }
}
