//! `gatehouse build` and `gatehouse serve` publish the same files: a site tree full of
//! editors' and tools' temporaries and hidden files is built to disk and loaded as
//! `serve` holds it, and every URL a file of the tree could get is asked of both.
//!
//! The generated files (`/sitemap.xml`, `/robots.txt`, `/_headers`,
//! the search index under `/search/`, `/404.html`) are left out of the comparison: they are made
//! from the site, not copied from an input, and `serve` makes them in its HTTP layer.

use std::collections::BTreeSet;
use std::path::Path;

use gatehouse::BuildOptions;
use gatehouse::serve::live::LiveSite;

const GENERATED: [&str; 6] = [
    "/sitemap.xml",
    "/robots.txt",
    "/_headers",
    "/_redirects",
    "/404.html",
    "/llms.txt",
];

const TEMPLATE: &str = "<!doctype html><html lang=\"en\"><head><title>{{ page.title }}</title>\
<link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main><h1>{{ page.title }}</h1>\
{{ page.content | safe }}</main></body></html>\n";

/// The files of the site that are inputs.
const INPUTS: [(&str, &str); 15] = [
    ("site.toml", "title = \"Inputs\"\ntheme = \"T\"\n"),
    ("content/index.md", "---\ntitle: Home\n---\nHome.\n"),
    ("content/guide/index.md", "---\ntitle: Guide\n---\nGuide.\n"),
    ("content/guide/start.md", "---\ntitle: Start\n---\nStart.\n"),
    ("content/img/a.png", "content png"),
    ("content/CNAME", "docs.example.com\n"),
    ("static/img/b.png", "static png"),
    ("static/notes.txt", "notes\n"),
    ("themes/T/templates/home.html", TEMPLATE),
    ("themes/T/templates/section.html", TEMPLATE),
    ("themes/T/templates/page.html", TEMPLATE),
    ("themes/T/templates/404.html", TEMPLATE),
    ("themes/T/static/css/site.css", "body { color: black; }\n"),
    ("themes/T/static/js/app.js", "// app\n"),
    // Another theme's files are not this site's.
    ("themes/other/static/other.css", "body { color: red; }\n"),
];

/// Hidden files and editors' and tools' temporaries, next to the inputs. A template
/// among them that Tera cannot parse, or that is not UTF-8, would break the build.
const JUNK: [(&str, &[u8]); 30] = [
    ("content/notes.tmp", b"notes"),
    ("content/guide/start.md~", b"---\ntitle: Old\n---\nOld.\n"),
    ("content/guide/.start.md.swp", b"\xff\xfe swap"),
    ("content/guide/start.md.swx", b"swap"),
    ("content/guide/start.md.swo", b"swap"),
    ("content/guide/start.md.bak", b"backup"),
    ("content/guide/sedAb12Cd", b"---\ntitle: Sed\n---\nSed.\n"),
    ("content/#a.md#", b"autosave"),
    ("content/.#a.md", b"lock"),
    ("content/4913", b""),
    ("content/guide/4913", b""),
    ("content/a.md___jb_tmp___", b"jetbrains"),
    ("content/.hidden/x.png", b"hidden png"),
    (
        "content/.hidden/page.md",
        b"---\ntitle: Hidden\n---\nHidden.\n",
    ),
    ("content/.git/x.md", b"---\ntitle: Git\n---\nGit.\n"),
    ("content/.DS_Store", b"finder"),
    (
        "content/old~/page.md",
        b"---\ntitle: Old folder\n---\nOld.\n",
    ),
    ("content/img/a.png~", b"backup png"),
    ("static/x.png~", b"backup png"),
    ("static/.DS_Store", b"finder"),
    ("static/sedxyz123", b"sed"),
    ("static/img/#b.png#", b"autosave"),
    ("static/notes.txt.tmp", b"notes"),
    ("themes/T/static/css/a.css.swp", b"swap"),
    ("themes/T/static/css/site.css~", b"body { color: blue; }\n"),
    ("themes/T/static/.hidden.js", b"hidden"),
    ("themes/T/templates/.page.html.swp", b"\xff\xfe not UTF-8"),
    ("themes/T/templates/page.html~", b"{% if %}broken"),
    ("themes/T/templates/#page.html#", b"{% if %}broken"),
    ("themes/T/templates/page.html.tmp", b"{% if %}broken"),
];

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The URL a file of the tree would get if it were published, worked out here without
/// the generator's classifier: pages by their path under `content/`, other files by
/// their path under `content/`, `static/` or any theme's `static/`.
fn would_be_url(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["content", rest @ ..] if rel.ends_with(".md") => {
            Some(gatehouse::urls::url_for(&rest.join("/")))
        }
        ["content" | "static", rest @ ..] | ["themes", _, "static", rest @ ..] => {
            Some(format!("/{}", rest.join("/")))
        }
        _ => None,
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn build_and_serve_publish_the_same_files_and_no_junk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for (rel, text) in INPUTS {
        write(&root, rel, text.as_bytes());
    }
    for (rel, bytes) in JUNK {
        write(&root, rel, bytes);
    }

    let mut candidates = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && let Some(url) = would_be_url(&relative(&root, entry.path()))
        {
            candidates.insert(url);
        }
    }
    let junk_urls: BTreeSet<String> = JUNK
        .iter()
        .filter_map(|(rel, _)| would_be_url(rel))
        .collect();
    for (rel, _) in JUNK {
        // Templates are not published at all; everything else has a URL to ask about.
        let is_template = rel.contains("/templates/");
        assert_eq!(would_be_url(rel).is_some(), !is_template, "{rel}");
    }

    // `gatehouse build`.
    let out = dir.path().join("public");
    let options = BuildOptions {
        root: root.clone(),
        out: Some(out.clone()),
        base_url: None,
        drafts: false,
    };
    gatehouse::build(&options, gatehouse::Mode::Build)
        .unwrap_or_else(|e| panic!("the site must build: {e:?}"));
    let mut built = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(&out, entry.path());
        let url = match rel.strip_suffix("index.html") {
            Some(folder) => format!("/{folder}"),
            None => format!("/{rel}"),
        };
        if !GENERATED.contains(&url.as_str()) && !url.starts_with("/search/") {
            built.insert(url);
        }
    }

    // `gatehouse serve`, in process.
    let live = LiveSite::new(BuildOptions {
        out: None,
        ..options
    });
    assert!(live.snapshot().site.is_some(), "serve must build the site");
    let served: BTreeSet<String> = candidates
        .iter()
        .filter(|url| {
            live.page(url).is_some_and(|page| page.is_ok()) || live.static_file(url).is_some()
        })
        .cloned()
        .collect();

    let expected: BTreeSet<String> = [
        "/",
        "/guide/",
        "/guide/start/",
        "/img/a.png",
        "/CNAME",
        "/img/b.png",
        "/notes.txt",
        "/css/site.css",
        "/js/app.js",
    ]
    .map(String::from)
    .into();
    assert_eq!(built, expected, "what build writes");
    assert_eq!(served, built, "serve publishes what build writes");
    let published_junk: Vec<&String> = junk_urls.intersection(&built).collect();
    assert!(
        published_junk.is_empty(),
        "junk published: {published_junk:?}"
    );

    // The same bytes, too: the site's static files, then the theme's.
    for url in expected.iter().filter(|url| !url.ends_with('/')) {
        let on_disk = std::fs::read(out.join(url.trim_start_matches('/'))).unwrap();
        let in_memory = live.static_file(url).unwrap();
        assert_eq!(in_memory.as_ref(), on_disk.as_slice(), "{url}");
    }
    assert_eq!(
        live.static_file("/css/site.css").unwrap().as_ref(),
        b"body { color: black; }\n"
    );
}
