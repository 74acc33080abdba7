//! Every redirect the site answers, in one table ([`Redirects::of_site`]): each page's
//! `aliases` (301 to the page) and each docs set's `/<set>/latest/*` (302 to the latest
//! release, [`crate::versions`]). The one table is
//!
//! - written as `_redirects` (Cloudflare's and Netlify's format), so Cloudflare's static
//!   assets answer real redirects;
//! - answered the same by `gatehouse serve`;
//! - what the link checker follows.
//!
//! An alias also gets a meta-refresh page at its path, for hosts that read no
//! `_redirects`. Cloudflare takes at most [`MAX_STATIC`] rules without a `*` and
//! [`MAX_DYNAMIC`] with one; [`Redirects::check`] says when a site has more.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::page::Page;
use crate::versions::Docsets;

/// Cloudflare's limit for redirects without a splat or placeholder ("static").
pub const MAX_STATIC: usize = 2000;
/// …and with one ("dynamic").
pub const MAX_DYNAMIC: usize = 100;

/// One rule: `from` may end in `*`, and `to` then has `:splat` where the rest goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    pub status: u16,
}

impl Redirect {
    pub fn is_dynamic(&self) -> bool {
        self.from.ends_with('*')
    }

    /// Where `path` goes, if this rule matches it.
    pub fn target(&self, path: &str) -> Option<String> {
        match self.from.strip_suffix('*') {
            Some(prefix) => {
                let rest = path.strip_prefix(prefix)?;
                Some(self.to.replace(":splat", rest))
            }
            None => (path == self.from).then(|| self.to.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redirects {
    /// Static rules first, then dynamic ones: the first match wins, as on Cloudflare.
    pub rules: Vec<Redirect>,
}

impl Redirects {
    pub fn of_site(docsets: &Docsets, pages: &[Arc<Page>]) -> Self {
        let mut rules: Vec<Redirect> = pages
            .iter()
            .flat_map(|page| {
                page.front.aliases.iter().map(|alias| Redirect {
                    from: alias.clone(),
                    to: page.url.clone(),
                    status: 301,
                })
            })
            .collect();
        rules.extend(docsets.redirects());
        rules.sort_by_key(Redirect::is_dynamic);
        Self { rules }
    }

    /// The first rule `path` matches, and where it goes.
    pub fn find(&self, path: &str) -> Option<(&Redirect, String)> {
        self.rules
            .iter()
            .find_map(|rule| rule.target(path).map(|to| (rule, to)))
    }

    /// `_redirects`, one `from to status` line a rule; `None` when there is none.
    pub fn file(&self) -> Option<String> {
        (!self.rules.is_empty()).then(|| {
            self.rules
                .iter()
                .map(|r| format!("{} {} {}\n", r.from, r.to, r.status))
                .collect()
        })
    }

    /// More rules than Cloudflare applies is an error: the ones past the limit would be
    /// ignored there, and their links left broken.
    pub fn check(&self) -> Vec<Diagnostic> {
        let dynamic = self.rules.iter().filter(|r| r.is_dynamic()).count();
        let fixed = self.rules.len() - dynamic;
        let mut problems = Vec::new();
        if fixed > MAX_STATIC {
            problems.push(Diagnostic::file(
                "_redirects",
                format!(
                    "{fixed} redirects (page aliases): Cloudflare applies at most {MAX_STATIC}; remove old aliases, or move a section with one `*` rule"
                ),
            ));
        }
        if dynamic > MAX_DYNAMIC {
            problems.push(Diagnostic::file(
                "_redirects",
                format!("{dynamic} redirects with `*`: Cloudflare applies at most {MAX_DYNAMIC}"),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_exactly_or_by_prefix_with_the_rest_spliced_in() {
        let fixed = Redirect {
            from: "/old/".into(),
            to: "/new/".into(),
            status: 301,
        };
        assert_eq!(fixed.target("/old/").as_deref(), Some("/new/"));
        assert_eq!(fixed.target("/old/x/"), None);
        let splat = Redirect {
            from: "/gw/latest/*".into(),
            to: "/gw/2.x/:splat".into(),
            status: 302,
        };
        assert_eq!(
            splat.target("/gw/latest/a/b/").as_deref(),
            Some("/gw/2.x/a/b/")
        );
        assert_eq!(splat.target("/gw/latest/").as_deref(), Some("/gw/2.x/"));
        assert_eq!(splat.target("/gw/2.x/"), None);
        let table = Redirects {
            rules: vec![fixed, splat],
        };
        assert_eq!(
            table.file().as_deref(),
            Some("/old/ /new/ 301\n/gw/latest/* /gw/2.x/:splat 302\n")
        );
        assert!(table.check().is_empty());
    }

    #[test]
    fn more_rules_than_cloudflare_applies_is_an_error() {
        let rules = (0..=MAX_STATIC)
            .map(|i| Redirect {
                from: format!("/old-{i}/"),
                to: "/new/".into(),
                status: 301,
            })
            .collect();
        let problems = Redirects { rules }.check();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("2001 redirects"),
            "{}",
            problems[0].message
        );
    }
}
