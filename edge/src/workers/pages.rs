//! [`Pages`] from the ASSETS binding: the core asks for `/sign-in/` and gets the built
//! `public/sign-in/index.html`, exactly as the static site serves it.

use std::cell::RefCell;

use worker::Fetcher;

use crate::pages::Pages;

/// Headers of the asset response worth keeping on the core's answer: the ones `_headers`
/// adds to every static page (the core sets its own Referrer-Policy, Cache-Control and
/// X-Content-Type-Options).
const INHERITED: [&str; 3] = [
    "content-security-policy",
    "x-frame-options",
    "permissions-policy",
];

pub struct AssetPages {
    assets: Fetcher,
    /// Origin of the URLs asked of the binding (it serves by path; the request's own origin
    /// keeps the URL one the assets layer would see anyway).
    origin: String,
    /// Security headers of the last page fetched, for [`AssetPages::inherited_headers`].
    headers: RefCell<Vec<(String, String)>>,
}

impl std::fmt::Debug for AssetPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetPages").finish_non_exhaustive()
    }
}

impl AssetPages {
    pub fn new(assets: Fetcher, origin: String) -> Self {
        Self {
            assets,
            origin,
            headers: RefCell::default(),
        }
    }

    /// The static site's security headers (`_headers`), as served with the page the core
    /// filled in; empty when no page was fetched. The host copies them onto the core's
    /// answer so a page served by the Worker is protected like the same page served
    /// statically.
    pub fn inherited_headers(&self) -> Vec<(String, String)> {
        self.headers.borrow().clone()
    }
}

impl Pages for AssetPages {
    async fn page(&self, path: &str) -> Option<String> {
        // Only the fixed paths the core asks for.
        if !path.starts_with('/') || path.contains("..") {
            return None;
        }
        let mut response = self
            .assets
            .fetch(format!("{}{path}", self.origin), None)
            .await
            .ok()?;
        if response.status_code() != 200 {
            return None;
        }
        let kept: Vec<(String, String)> = response
            .headers()
            .entries()
            .filter(|(name, _)| INHERITED.contains(&name.to_ascii_lowercase().as_str()))
            .collect();
        let html = response.text().await.ok()?;
        *self.headers.borrow_mut() = kept;
        Some(html)
    }
}
