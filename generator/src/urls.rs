//! Where a content file is served, and how a link in it resolves.
//!
//! `content/a/b.md` → `/a/b/`, `content/a/index.md` → `/a/`. Every page URL ends in
//! `/`, so a relative link resolves as a browser would against that directory.

/// The URL of a content file, from its path relative to `content/` (`/`-separated).
pub fn url_for(content_path: &str) -> String {
    let stem = content_path.strip_suffix(".md").unwrap_or(content_path);
    let stem = stem
        .strip_suffix("/index")
        .or_else(|| (stem == "index").then_some(""))
        .unwrap_or(stem);
    if stem.is_empty() {
        "/".to_string()
    } else {
        format!("/{stem}/")
    }
}

/// The output file for a URL: `/a/b/` → `a/b/index.html`.
pub fn output_file(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else {
        format!("{trimmed}/index.html")
    }
}

/// Whether a link leaves the site (`https:`, `mailto:`, `//host`).
pub fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !href[..colon].contains('/')
        }
        None => false,
    }
}

/// Splits `path?query#fragment` into (path, fragment).
pub fn split_link(href: &str) -> (&str, Option<&str>) {
    let (rest, fragment) = match href.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (href, None),
    };
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (path, fragment)
}

/// Resolves a link path against the URL of the page it appears on, normalising `.` and
/// `..` and percent-escapes. Returns `None` when `..` climbs above the site root.
pub fn resolve(page_url: &str, path: &str) -> Option<String> {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        // Page URLs end in `/`, so they are the directory a relative link starts from.
        format!("{page_url}{path}")
    };
    let trailing_slash = joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..");
    let mut parts: Vec<String> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(percent_decode(s)),
        }
    }
    let mut out = String::from("/");
    out.push_str(&parts.join("/"));
    if trailing_slash && !parts.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Rewrites a link to a Markdown source (`../b.md#x`, as GitHub renders them) into the
/// page URL it is published at. `source` is the linking file relative to `content/`.
pub fn markdown_link_to_url(source: &str, href: &str) -> Option<String> {
    if is_external(href) || href.starts_with('#') {
        return None;
    }
    let (path, fragment) = split_link(href);
    if !path.ends_with(".md") {
        return None;
    }
    let target = if let Some(absolute) = path.strip_prefix('/') {
        absolute.to_string()
    } else {
        let dir = source.rsplit_once('/').map_or("", |(dir, _)| dir);
        let base = if dir.is_empty() {
            "/".to_string()
        } else {
            format!("/{dir}/")
        };
        resolve(&base, path)?.trim_start_matches('/').to_string()
    };
    let mut url = url_for(&target);
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    Some(url)
}

fn percent_decode(segment: &str) -> String {
    if !segment.contains('%') {
        return segment.to_string();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = segment
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_paths_become_pretty_urls() {
        assert_eq!(url_for("a/b.md"), "/a/b/");
        assert_eq!(url_for("a/index.md"), "/a/");
        assert_eq!(url_for("index.md"), "/");
        assert_eq!(output_file("/a/b/"), "a/b/index.html");
        assert_eq!(output_file("/"), "index.html");
    }

    #[test]
    fn external_links_are_recognised() {
        for href in ["https://x.org", "mailto:a@b.c", "//cdn.example/x", "tel:+1"] {
            assert!(is_external(href), "{href}");
        }
        for href in ["/a/b", "../x", "#top", "./a:b"] {
            assert!(!is_external(href), "{href}");
        }
    }

    #[test]
    fn relative_links_resolve_like_a_browser() {
        assert_eq!(resolve("/a/b/", "c").as_deref(), Some("/a/b/c"));
        assert_eq!(resolve("/a/b/", "../c/").as_deref(), Some("/a/c/"));
        assert_eq!(resolve("/a/b/", "/x/./y/../z").as_deref(), Some("/x/z"));
        assert_eq!(
            resolve("/a/", "my%20file.png").as_deref(),
            Some("/a/my file.png")
        );
        assert_eq!(resolve("/", "../x"), None);
        assert_eq!(split_link("/a/?q=1#frag"), ("/a/", Some("frag")));
    }

    #[test]
    fn markdown_links_point_at_published_pages() {
        assert_eq!(
            markdown_link_to_url(
                "konnect/legacy/access-account.md",
                "getting-started/index.md#next"
            )
            .as_deref(),
            Some("/konnect/legacy/getting-started/#next")
        );
        assert_eq!(
            markdown_link_to_url("a/b.md", "../c.md").as_deref(),
            Some("/c/")
        );
        assert_eq!(markdown_link_to_url("a/b.md", "/x/"), None);
    }
}
