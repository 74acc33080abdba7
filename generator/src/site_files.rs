//! The files a published site needs besides its pages and static files, listed once in
//! [`GENERATED`]: `build` writes them in that order, the link checker accepts links to
//! them, and `serve` answers them from memory. An entry is one file or, for the search
//! index, a folder of files ([`Generated::folder`]) reached from one entry file. This
//! module makes the small ones (`sitemap.xml`, `robots.txt`, `_headers`: security headers
//! for Cloudflare's static assets); the search index comes from [`crate::search`] and the
//! 404 page from the theme ([`crate::render`]).

use crate::config::SiteConfig;
use edge::html::escape_into;

/// Headers for every static response. The theme has no inline script or style, so
/// the policy can be strict; form posts go to the same origin (`/api/…`).
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// A file (or a folder of files) made from the whole site rather than from one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generated {
    SearchIndex,
    NotFound,
    Sitemap,
    Robots,
    Headers,
    /// `_redirects`: every redirect ([`crate::redirects`]), for Cloudflare's assets layer.
    Redirects,
    /// `/llms.txt` ([`crate::llms`]).
    LlmsTxt,
    /// `/llms-full.txt`: the pages `/llms.txt` lists, their Markdown in one file.
    LlmsFull,
}

/// Every generated file, in the order `build` writes them, after the pages: each page
/// leaves its search entry (and its URL) as it is written, and the search index is
/// written from those parts without being joined in memory.
pub const GENERATED: [Generated; 8] = [
    Generated::SearchIndex,
    Generated::NotFound,
    Generated::Sitemap,
    Generated::Robots,
    Generated::Redirects,
    Generated::LlmsTxt,
    Generated::LlmsFull,
    Generated::Headers,
];

/// How a host answers a request for a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// As a file, `200`.
    File,
    /// As the body of every `404` answer (and at its own path, also with `404`).
    NotFoundPage,
    /// Read by the host, never served: Cloudflare's assets layer applies `_headers` and
    /// does not publish it.
    HostOnly,
}

impl Generated {
    /// The URL path, which is also the file's place in the output; for a folder, its
    /// entry file (the one pages may link to).
    pub fn path(self) -> &'static str {
        match self {
            Self::SearchIndex => crate::search::META_PATH,
            Self::NotFound => "/404.html",
            Self::Sitemap => "/sitemap.xml",
            Self::Robots => "/robots.txt",
            Self::Headers => "/_headers",
            Self::Redirects => "/_redirects",
            Self::LlmsTxt => "/llms.txt",
            Self::LlmsFull => "/llms-full.txt",
        }
    }

    /// The folder whose every file this one makes (`/search/`), if it makes many.
    pub fn folder(self) -> Option<&'static str> {
        match self {
            Self::SearchIndex => Some(crate::search::FOLDER),
            Self::NotFound
            | Self::Sitemap
            | Self::Robots
            | Self::Headers
            | Self::Redirects
            | Self::LlmsTxt
            | Self::LlmsFull => None,
        }
    }

    /// The content type of its file at `path`.
    pub fn content_type(self, path: &str) -> &'static str {
        match self {
            Self::SearchIndex if path.ends_with(".json") => "application/json",
            Self::SearchIndex => "application/octet-stream",
            Self::NotFound => "text/html; charset=utf-8",
            Self::Sitemap => "application/xml",
            Self::Robots | Self::Headers | Self::Redirects => "text/plain; charset=utf-8",
            Self::LlmsTxt | Self::LlmsFull => "text/markdown; charset=utf-8",
        }
    }

    pub fn served(self) -> Served {
        match self {
            Self::NotFound => Served::NotFoundPage,
            Self::Headers | Self::Redirects => Served::HostOnly,
            Self::SearchIndex | Self::Sitemap | Self::Robots | Self::LlmsTxt | Self::LlmsFull => {
                Served::File
            }
        }
    }

    /// What makes the file at URL `path`, if a generated file is there: its path, or
    /// its folder.
    pub fn at(path: &str) -> Option<Self> {
        GENERATED.into_iter().find(|file| {
            file.path() == path || file.folder().is_some_and(|folder| path.starts_with(folder))
        })
    }
}

/// The sitemap of `urls`, each with the date it last changed (`<lastmod>`) when known.
pub fn sitemap<'a>(
    config: &SiteConfig,
    urls: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        xml.push_str("  <url><loc>");
        escape_into(&format!("{}{url}", config.base_url), &mut xml);
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str("<lastmod>");
            escape_into(date, &mut xml);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(config: &SiteConfig) -> String {
    format!(
        "User-agent: *\nDisallow: /api/\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        config.base_url
    )
}

pub fn headers() -> String {
    let mut text = String::from("/*\n");
    for (name, value) in SECURITY_HEADERS {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_uses_base_url_and_escapes() {
        let config = SiteConfig::from_value(serde_json::json!({"base_url": "https://d.example/"}));
        let xml = sitemap(
            &config,
            [("/", Some("2026-12-07")), ("/a&b/", None)].into_iter(),
        );
        assert!(xml.contains("<loc>https://d.example/</loc><lastmod>2026-12-07</lastmod></url>"));
        assert!(xml.contains("<loc>https://d.example/a&amp;b/</loc>"));
        assert!(robots(&config).contains("Sitemap: https://d.example/sitemap.xml"));
        assert!(headers().starts_with("/*\n  Content-Security-Policy: default-src 'self'"));
    }

    #[test]
    fn generated_files_are_found_by_path() {
        for file in GENERATED {
            assert_eq!(Generated::at(file.path()), Some(file));
        }
        assert_eq!(Generated::at("/index.html"), None);
        assert_eq!(
            Generated::at("/search/index/3.bin"),
            Some(Generated::SearchIndex)
        );
        assert_eq!(Generated::at("/search-index.json"), None);
        assert_eq!(
            GENERATED[0],
            Generated::SearchIndex,
            "written first, see GENERATED"
        );
    }
}
