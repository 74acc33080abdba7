//! The bundled site (`content/` + `themes/default/`), built and then checked from the
//! outside: the HTML files are read back and every internal link followed, without
//! trusting the generator's own link checker.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gatehouse::BuildOptions;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Built {
    _dir: tempfile::TempDir,
    public: PathBuf,
    /// URL path (`/a/b/`) → HTML.
    pages: HashMap<String, String>,
}

fn build() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    let options = BuildOptions {
        root: workspace(),
        out: Some(public.clone()),
        base_url: Some("https://docs.example.com".into()),
        drafts: false,
    };
    gatehouse::build(&options, gatehouse::Mode::Build)
        .unwrap_or_else(|e| panic!("the bundled site must build: {e:?}"));
    let mut pages = HashMap::new();
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(dir) = rel.strip_suffix("index.html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            // An alias's meta-refresh page (for hosts without `_redirects`) is no page.
            if html.contains("http-equiv=\"refresh\"") {
                continue;
            }
            pages.insert(format!("/{dir}"), html);
        }
    }
    Built {
        _dir: dir,
        public,
        pages,
    }
}

/// Every `href="…"` and `src="…"` value in the HTML.
fn targets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    found
}

#[test]
fn no_template_syntax_is_left_in_any_page() {
    let built = build();
    assert!(
        built.pages.len() >= 12,
        "home, seed, quickstarts and form pages: {:?}",
        built.pages.keys()
    );
    for (url, html) in &built.pages {
        for marker in ["{{", "{%", "<<site."] {
            assert!(!html.contains(marker), "{url} still contains {marker}");
        }
    }
}

#[test]
fn every_internal_link_and_anchor_resolves_in_the_output() {
    let built = build();
    let mut checked = 0;
    for (url, html) in &built.pages {
        for href in targets(html) {
            if href.starts_with("http:")
                || href.starts_with("https:")
                || href.starts_with("mailto:")
                || href.starts_with("//")
            {
                continue;
            }
            let (path, fragment) = match href.split_once('#') {
                Some((p, f)) => (p.to_string(), Some(f.to_string())),
                None => (href.clone(), None),
            };
            let path = path.split('?').next().unwrap_or("").to_string();
            let absolute = if path.is_empty() {
                url.clone()
            } else if path.starts_with('/') {
                path.clone()
            } else {
                format!("{url}{path}")
            };
            if absolute.starts_with("/api/") {
                continue;
            }
            // What `_redirects` sends elsewhere (`/gateway/latest/*`), as the host does.
            let absolute = redirected(&built.public, &absolute);
            let page = if absolute.ends_with('/') {
                absolute.clone()
            } else {
                format!("{absolute}/")
            };
            let target_html = built.pages.get(&page);
            let file = built.public.join(absolute.trim_start_matches('/'));
            assert!(
                target_html.is_some() || file.is_file(),
                "{url}: link {href} reaches nothing"
            );
            if let (Some(fragment), Some(target)) = (fragment, target_html)
                && !fragment.is_empty()
            {
                assert!(
                    target.contains(&format!("id=\"{fragment}\"")),
                    "{url}: link {href}: no id '{fragment}' on {page}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn the_seed_page_leads_to_the_three_quickstarts() {
    let built = build();
    let seed = &built.pages["/konnect/legacy/access-account/"];
    assert!(
        seed.contains("<title>Accessing a Kong Konnect Cloud Account"),
        "seed title"
    );
    assert!(
        seed.contains("href=\"/register/\""),
        "register link points at our own form"
    );
    for slug in [
        "configure-runtime",
        "configure-service",
        "implement-service",
    ] {
        let href = format!("href=\"/konnect/legacy/getting-started/{slug}\"");
        assert!(seed.contains(&href), "seed links {href}");
        let source = std::fs::read_to_string(
            workspace().join(format!("content/konnect/legacy/getting-started/{slug}.md")),
        )
        .unwrap();
        let (front, _) = gatehouse::frontmatter::split(&source).unwrap();
        let title = front.title.expect("quickstarts have titles");
        let page = &built.pages[&format!("/konnect/legacy/getting-started/{slug}/")];
        assert!(
            page.contains(&format!("<h1>{title}</h1>")) || page.contains(&format!(">{title}</h1>")),
            "{slug} shows its title {title}"
        );
    }
}

#[test]
fn the_form_pages_use_the_words_the_docs_promise() {
    let built = build();
    let sign_in = &built.pages["/sign-in/"];
    assert!(
        sign_in.contains(">Forgot your password?</a>"),
        "sign-in links 'Forgot your password?'"
    );
    assert!(sign_in.contains("action=\"/api/sign-in\""));
    let forgot = &built.pages["/forgot-password/"];
    assert!(
        forgot.contains("Recover Password</button>"),
        "forgot page has a 'Recover Password' button"
    );
    let register = &built.pages["/register/"];
    for field in [
        "email",
        "first_name",
        "last_name",
        "organization",
        "password",
    ] {
        assert!(
            register.contains(&format!("name=\"{field}\"")),
            "register has {field}"
        );
    }
}

#[test]
fn sitemap_robots_and_headers_are_written() {
    let built = build();
    let sitemap = std::fs::read_to_string(built.public.join("sitemap.xml")).unwrap();
    for (url, html) in &built.pages {
        // A release's copy of a page the latest release has points at that one, which
        // the sitemap lists instead: each page once.
        let own = format!("https://docs.example.com{url}");
        let canonical = html
            .split("<link rel=\"canonical\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or(&own);
        assert_eq!(
            sitemap.contains(&format!("<loc>{own}</loc>")),
            canonical == own,
            "sitemap lists {url} if and only if it is its own canonical URL ({canonical})"
        );
    }
    assert!(built.public.join("404.html").is_file());
    assert!(
        std::fs::read_to_string(built.public.join("robots.txt"))
            .unwrap()
            .contains("Sitemap: https://docs.example.com/sitemap.xml")
    );
    let headers = std::fs::read_to_string(built.public.join("_headers")).unwrap();
    assert!(headers.contains("Content-Security-Policy: default-src 'self'"));
    assert!(headers.contains("X-Content-Type-Options: nosniff"));
    assert!(headers.contains("Referrer-Policy:"));
    assert!(built.public.join("favicon.ico").is_file());
}

#[test]
fn the_search_index_lists_every_page_with_its_headings() {
    let built = build();
    // The page fragments, in page order.
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(built.public.join("search/meta.json")).unwrap(),
    )
    .unwrap();
    let count = meta["pages"].as_u64().unwrap() as usize;
    let per_file = meta["fragment_pages"].as_u64().unwrap() as usize;
    let mut entries = Vec::new();
    for n in 0..count.div_ceil(per_file) {
        let group: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(built.public.join(format!("search/pages/{n}.json"))).unwrap(),
        )
        .unwrap();
        entries.extend(group);
    }
    assert_eq!(entries.len(), count);
    let urls: Vec<&str> = entries.iter().map(|e| e["url"].as_str().unwrap()).collect();
    // Pages that only make sense in the middle of a flow say `in_search_index: false`.
    let unsearchable = [
        "/register/check-email/",
        "/register/confirm/",
        "/forgot-password/sent/",
        "/reset-password/",
        "/account/",
        "/confirm-email/",
    ];
    for url in built.pages.keys() {
        assert_eq!(
            urls.contains(&url.as_str()),
            !unsearchable.contains(&url.as_str()),
            "{url}"
        );
    }
    let seed = entries
        .iter()
        .find(|e| e["url"] == "/konnect/legacy/access-account/")
        .unwrap();
    assert_eq!(seed["title"], "Accessing a Kong Konnect Cloud Account");
    assert_eq!(
        seed["headings"],
        serde_json::json!([
            "Set up a new Konnect Cloud account",
            "Reset password",
            "Summary and next steps"
        ])
    );
    let text = seed["text"].as_str().unwrap();
    assert!(
        text.starts_with("Sign up for Konnect to receive a 30 day free trial"),
        "variables substituted, tags gone: {text}"
    );
    assert!(text.chars().count() <= gatehouse::search::FRAGMENT_TEXT_CHARS + 1);
}

#[test]
fn rendered_pages_match_their_snapshots() {
    let built = build();
    let page = |url: &str| undated(&built.pages[url]);
    insta::assert_snapshot!("seed_page", page("/konnect/legacy/access-account/"));
    insta::assert_snapshot!("register_page", page("/register/"));
    // A release that is not the latest: switcher, banner, canonical, the include's branch.
    insta::assert_snapshot!("versioned_page", page("/gateway/3.3.x/install/"));
}

/// `html` with its "Last updated" line's date left out: it is the file's last commit
/// (or, uncommitted, its time), which the snapshot cannot know (tests/history.rs
/// covers it).
fn undated(html: &str) -> String {
    let Some(start) = html.find("<p class=\"last-updated\">") else {
        return html.to_string();
    };
    let end = html[start..]
        .find("</p>")
        .map_or(html.len(), |e| start + e + 4);
    format!(
        "{}<p class=\"last-updated\">[date]</p>{}",
        &html[..start],
        &html[end..]
    )
}

/// Where `path` leads after the rules of the built `_redirects` (`from to status`, a
/// trailing `*` matched by `:splat`).
fn redirected(public: &std::path::Path, path: &str) -> String {
    let rules = std::fs::read_to_string(public.join("_redirects")).unwrap_or_default();
    for rule in rules.lines() {
        let mut parts = rule.split_whitespace();
        let (Some(from), Some(to)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Some(prefix) = from.strip_suffix('*')
            && let Some(rest) = path.strip_prefix(prefix)
        {
            return to.replace(":splat", rest);
        }
        if from == path {
            return to.to_owned();
        }
    }
    path.to_owned()
}
