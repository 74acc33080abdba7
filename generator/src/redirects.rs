//! Every redirect the site answers, in one table ([`Redirects::of_site`]): each page's
//! `aliases` (301 to the page), `site.toml`'s `[redirects]` table for moved sections
//! (301; `"/old/*" = "/new/:splat"`, [`site_table`]) and each docs set's
//! `/<set>/latest/*` (302 to the latest release, [`crate::versions`]). The one table is
//!
//! - written as `_redirects` (Cloudflare's and Netlify's format), so Cloudflare's static
//!   assets answer real redirects;
//! - answered the same by `gatehouse serve`;
//! - what the link checker follows.
//!
//! An alias also gets a meta-refresh page at its path, for hosts that read no
//! `_redirects`. Cloudflare takes at most [`MAX_STATIC`] rules without a `*` and
//! [`MAX_DYNAMIC`] with one; [`Redirects::check`] says when a site has more.

use std::path::Path;

use crate::diagnostic::Diagnostic;
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
    /// The table of a site: its pages' `aliases` as (alias, page URL) ([`crate::page::aliases`]),
    /// `site.toml`'s `[redirects]` and the docs sets' `/latest/` rules.
    pub fn of_site<'p>(
        docsets: &Docsets,
        table: &[Redirect],
        aliases: impl IntoIterator<Item = (&'p str, &'p str)>,
    ) -> Self {
        let mut rules: Vec<Redirect> = aliases
            .into_iter()
            .map(|(alias, url)| Redirect {
                from: alias.to_owned(),
                to: url.to_owned(),
                status: 301,
            })
            .collect();
        rules.extend(table.iter().cloned());
        rules.extend(
            docsets
                .latest_rules()
                .into_iter()
                .map(|(from, to)| Redirect {
                    from,
                    to,
                    status: 302,
                }),
        );
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

/// A `[redirects]` rule that matches a page's URL hides the page (Cloudflare applies
/// `_redirects` before the files): an error at the page, naming the rule.
pub fn hidden_pages<'p>(
    table: &[Redirect],
    pages: impl IntoIterator<Item = (&'p Path, &'p str)>,
) -> Vec<Diagnostic> {
    if table.is_empty() {
        return Vec::new();
    }
    pages
        .into_iter()
        .filter_map(|(source, url)| {
            let rule = table.iter().find(|r| r.target(url).is_some())?;
            Some(Diagnostic::file(
                source,
                format!(
                    "[redirects] in site.toml sends '{}' to {}, so this page ({url}) could never be reached: remove the rule or move the page",
                    rule.from, rule.to
                ),
            ))
        })
        .collect()
}

/// `site.toml`'s `[redirects]` table: `"/from/" = "/to/"` or `"/old/*" = "/new/:splat"`
/// (a `*` only at the end of the old path; `:splat` only with one), to a site path or a
/// full URL; every problem at once.
pub fn site_table(site: &serde_json::Value) -> Result<Vec<Redirect>, Vec<Diagnostic>> {
    let Some(table) = site.get("redirects") else {
        return Ok(Vec::new());
    };
    let problem = |message: String| Diagnostic::file("site.toml", format!("[redirects] {message}"));
    let Some(table) = table.as_object() else {
        return Err(vec![problem(
            "must be a table of old path = new path: [redirects] \"/old/\" = \"/new/\"".into(),
        )]);
    };
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for (from, to) in table {
        let Some(to) = to.as_str() else {
            problems.push(problem(format!(
                "'{from}': the new path must be text, not {to}"
            )));
            continue;
        };
        let stars = from.matches('*').count();
        if !from.starts_with('/') || stars > 1 || (stars == 1 && !from.ends_with('*')) {
            problems.push(problem(format!(
                "'{from}' must be a site path starting with '/', with at most one '*', at its end"
            )));
            continue;
        }
        if !(to.starts_with('/') || to.starts_with("https://") || to.starts_with("http://")) {
            problems.push(problem(format!(
                "'{from}' = '{to}': the new path must start with '/' or be a full URL"
            )));
            continue;
        }
        if to.contains(":splat") && stars == 0 {
            problems.push(problem(format!(
                "'{from}' = '{to}': ':splat' needs a '*' at the end of the old path"
            )));
            continue;
        }
        rules.push(Redirect {
            from: from.clone(),
            to: to.to_owned(),
            status: 301,
        });
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
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
    fn the_site_table_takes_paths_splats_and_urls_and_names_each_mistake() {
        let site = serde_json::json!({"redirects": {
            "/old/": "/new/",
            "/moved/*": "/section/:splat",
            "/away/": "https://example.org/",
        }});
        let rules = site_table(&site).expect("valid");
        assert_eq!(rules.len(), 3);
        assert!(rules.iter().all(|r| r.status == 301));
        let bad = serde_json::json!({"redirects": {
            "old/": "/new/",
            "/a*/b/": "/c/",
            "/d/": "e/",
            "/f/": "/g/:splat",
        }});
        let problems = site_table(&bad).expect_err("invalid");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("':splat' needs a '*'"))
        );
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
