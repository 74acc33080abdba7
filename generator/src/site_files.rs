//! The files a published site needs besides its pages: `sitemap.xml`, `robots.txt`
//! and `_headers` (security headers for Cloudflare's static assets).

use crate::config::SiteConfig;
use crate::html::escape_into;

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

pub fn sitemap<'a>(config: &SiteConfig, urls: impl Iterator<Item = &'a str>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        escape_into(&format!("{}{url}", config.base_url), &mut xml);
        xml.push_str("</loc></url>\n");
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
        let xml = sitemap(&config, ["/", "/a&b/"].into_iter());
        assert!(xml.contains("<loc>https://d.example/</loc>"));
        assert!(xml.contains("<loc>https://d.example/a&amp;b/</loc>"));
        assert!(robots(&config).contains("Sitemap: https://d.example/sitemap.xml"));
        assert!(headers().starts_with("/*\n  Content-Security-Policy: default-src 'self'"));
    }
}
