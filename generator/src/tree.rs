//! The site graph: which page belongs to which section, in what order, and the
//! navigation each page shows (sidebar, breadcrumbs, previous/next).
//!
//! The sidebar shows the top level and the path to the current page expanded, never
//! the whole tree: a full tree on every page makes output grow with pages². Each level
//! it lists is also bounded (a window around the path: [`NAV_LEVEL_MAX`] entries around
//! the current page, [`NAV_ANCESTOR_LEVEL_MAX`] at the levels above it), so a
//! page's sidebar is about the same size in a site of a thousand pages or of a hundred
//! thousand. What a window leaves out is one click away: the level's section page
//! lists all its children (the home page lists the top level), and the sidebar ends a
//! cut level with a link there ([`NavItem::more`], and `nav_more` for the top level).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::page::{Page, PageKind};

pub struct SiteTree {
    by_url: HashMap<String, usize>,
    parent: Vec<Option<usize>>,
    /// Children in display order (weight, then title), nav-hidden ones included.
    children: Vec<Vec<usize>>,
    /// Top-level entries of the sidebar: the home page's children, or orphans.
    top: Vec<usize>,
    /// Reading order for previous/next: depth-first, nav-hidden pages left out.
    position: Vec<Option<usize>>,
    order: Vec<usize>,
}

/// The most entries the sidebar lists beside the current page (its siblings, and a
/// section's children); a longer level shows a window of this many around the page,
/// and a link to the section that lists them all.
pub const NAV_LEVEL_MAX: usize = 12;

/// The same for the levels above the current page (its ancestors and their siblings,
/// collapsed): what they show is the way back up, so fewer will do.
pub const NAV_ANCESTOR_LEVEL_MAX: usize = 7;

#[derive(Debug, Serialize, PartialEq)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub current: bool,
    pub in_path: bool,
    pub is_section: bool,
    pub children: Vec<NavItem<'a>>,
    /// How many of this item's children `children` leaves out (0: it lists them all).
    /// The item's own page lists every one.
    pub more: usize,
}

/// The sidebar of one page: the top level, and the path to the page expanded.
#[derive(Debug, Serialize, PartialEq)]
pub struct Nav<'a> {
    pub items: Vec<NavItem<'a>>,
    /// How many top-level entries `items` leaves out; the home page lists them all.
    pub more: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct PageRef<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ChildRef<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub is_section: bool,
}

impl SiteTree {
    pub fn new(pages: &[Arc<Page>]) -> Self {
        let by_url: HashMap<String, usize> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.url.clone(), i))
            .collect();
        let root = by_url.get("/").copied();
        let parent: Vec<Option<usize>> = pages
            .iter()
            .map(|page| {
                if page.kind == PageKind::Home {
                    return None;
                }
                let mut url = page.url.trim_end_matches('/');
                while let Some(cut) = url.rfind('/') {
                    url = &url[..cut];
                    let candidate = format!("{url}/");
                    if let Some(&i) = by_url.get(&candidate) {
                        return Some(i);
                    }
                }
                None
            })
            .collect();
        let mut children = vec![Vec::new(); pages.len()];
        let mut orphans = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p].push(i),
                None if Some(i) != root => orphans.push(i),
                None => {}
            }
        }
        let key = |&i: &usize| {
            let page = &pages[i];
            (
                page.front.weight.is_none(),
                page.front.weight,
                page.title.to_lowercase(),
                page.url.clone(),
            )
        };
        for list in &mut children {
            list.sort_by_cached_key(key);
        }
        orphans.sort_by_cached_key(key);
        let mut top: Vec<usize> = root.map(|r| children[r].clone()).unwrap_or_default();
        top.extend(orphans.iter().copied());

        let mut order = Vec::with_capacity(pages.len());
        let mut stack: Vec<usize> = top.iter().rev().copied().collect();
        if let Some(root) = root {
            order.push(root);
        }
        while let Some(i) = stack.pop() {
            if pages[i].front.hide_from_nav {
                continue;
            }
            order.push(i);
            stack.extend(children[i].iter().rev());
        }
        let mut position = vec![None; pages.len()];
        for (n, &i) in order.iter().enumerate() {
            position[i] = Some(n);
        }
        Self {
            by_url,
            parent,
            children,
            top,
            position,
            order,
        }
    }

    /// Every page but the nav-hidden ones, in reading order (depth first, as previous/next
    /// go).
    pub fn reading_order(&self) -> &[usize] {
        &self.order
    }

    pub fn index_of(&self, url: &str) -> Option<usize> {
        self.by_url.get(url).copied()
    }

    /// Ancestors from the home page down to the page's parent.
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut at = self.parent[page];
        while let Some(p) = at {
            chain.push(p);
            at = self.parent[p];
        }
        chain.reverse();
        chain
    }

    pub fn breadcrumbs<'p>(&self, pages: &'p [Arc<Page>], page: usize) -> Vec<PageRef<'p>> {
        self.ancestors(page)
            .into_iter()
            .map(|i| page_ref(pages, i))
            .collect()
    }

    pub fn prev_next<'p>(
        &self,
        pages: &'p [Arc<Page>],
        page: usize,
    ) -> (Option<PageRef<'p>>, Option<PageRef<'p>>) {
        let Some(n) = self.position[page] else {
            return (None, None);
        };
        let prev = n.checked_sub(1).map(|m| page_ref(pages, self.order[m]));
        let next = self.order.get(n + 1).map(|&m| page_ref(pages, m));
        (prev, next)
    }

    pub fn children<'p>(&self, pages: &'p [Arc<Page>], page: usize) -> Vec<ChildRef<'p>> {
        self.children[page]
            .iter()
            .filter(|&&i| !pages[i].front.hide_from_nav)
            .map(|&i| ChildRef {
                title: &pages[i].title,
                url: &pages[i].url,
                description: pages[i].front.description.as_deref().unwrap_or(""),
                is_section: !self.children[i].is_empty(),
            })
            .collect()
    }

    /// The sidebar for `page` (or, for `None`, the top level only).
    pub fn nav<'p>(&self, pages: &'p [Arc<Page>], page: Option<usize>) -> Nav<'p> {
        self.nav_without(pages, page, &|_| false)
    }

    /// [`SiteTree::nav`] leaving out the entries (and what is under them) `hide` names:
    /// a versioned page's sidebar shows its own release only.
    pub fn nav_without<'p>(
        &self,
        pages: &'p [Arc<Page>],
        page: Option<usize>,
        hide: &dyn Fn(&Page) -> bool,
    ) -> Nav<'p> {
        let mut path = page.map(|p| self.ancestors(p)).unwrap_or_default();
        path.extend(page);
        let (items, more) = self.nav_level(pages, &self.top, &path, page, hide);
        Nav { items, more }
    }

    /// One level of the sidebar: a window around the entry on the path (or the first
    /// entries), at most [`NAV_LEVEL_MAX`] long beside the current page and
    /// [`NAV_ANCESTOR_LEVEL_MAX`] above it; and how many it left out.
    fn nav_level<'p>(
        &self,
        pages: &'p [Arc<Page>],
        items: &[usize],
        path: &[usize],
        current: Option<usize>,
        hide: &dyn Fn(&Page) -> bool,
    ) -> (Vec<NavItem<'p>>, usize) {
        let shown: Vec<usize> = items
            .iter()
            .copied()
            .filter(|&i| !pages[i].front.hide_from_nav && !hide(&pages[i]))
            .collect();
        let beside_current = current.is_some_and(|c| {
            items.contains(&c) || items.first().is_some_and(|&i| self.parent[i] == Some(c))
        });
        let max = if beside_current || current.is_none() {
            NAV_LEVEL_MAX
        } else {
            NAV_ANCESTOR_LEVEL_MAX
        };
        let window = window(
            shown.len(),
            shown.iter().position(|i| path.contains(i)),
            max,
        );
        let more = shown.len() - window.len();
        let level = shown[window]
            .iter()
            .map(|&i| {
                let in_path = path.contains(&i);
                let (children, more) = if in_path {
                    self.nav_level(pages, &self.children[i], path, current, hide)
                } else {
                    (Vec::new(), 0)
                };
                NavItem {
                    title: &pages[i].title,
                    url: &pages[i].url,
                    current: Some(i) == current,
                    in_path,
                    is_section: !self.children[i].is_empty(),
                    children,
                    more,
                }
            })
            .collect();
        (level, more)
    }
}

/// Which of `len` entries a sidebar level shows: all when they fit, else `max` of them
/// centred on `around` where the ends allow.
fn window(len: usize, around: Option<usize>, max: usize) -> std::ops::Range<usize> {
    if len <= max {
        return 0..len;
    }
    let start = around
        .map_or(0, |at| at.saturating_sub(max / 2))
        .min(len - max);
    start..start + max
}

fn page_ref(pages: &[Arc<Page>], i: usize) -> PageRef<'_> {
    PageRef {
        title: &pages[i].title,
        url: &pages[i].url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Variables;
    use crate::page::{SourceFile, process};

    fn pages(files: &[(&str, &str)]) -> Vec<Arc<Page>> {
        files
            .iter()
            .map(|(path, text)| {
                let source = SourceFile {
                    path: format!("content/{path}").into(),
                    content_path: path.to_string(),
                    text: text.to_string(),
                };
                Arc::new(
                    process(
                        &source,
                        &Variables::default(),
                        &crate::shortcodes::Shortcodes::empty(std::path::Path::new(".")),
                    )
                    .0,
                )
            })
            .collect()
    }

    fn site() -> Vec<Arc<Page>> {
        pages(&[
            ("index.md", "---\ntitle: Home\n---\n"),
            ("guide/index.md", "---\ntitle: Guide\nweight: 1\n---\n"),
            ("guide/b.md", "---\ntitle: B\nweight: 2\n---\n"),
            ("guide/a.md", "---\ntitle: A\nweight: 1\n---\n"),
            ("guide/deep/index.md", "---\ntitle: Deep\nweight: 3\n---\n"),
            ("guide/deep/x.md", "---\ntitle: X\n---\n"),
            ("ref/index.md", "---\ntitle: Reference\nweight: 2\n---\n"),
            ("ref/r.md", "---\ntitle: R\n---\n"),
            (
                "sign-in.md",
                "---\ntitle: Sign in\nhide_from_nav: true\n---\n",
            ),
        ])
    }

    #[test]
    fn sidebar_expands_only_the_current_path() {
        let pages = site();
        let tree = SiteTree::new(&pages);
        let a = tree.index_of("/guide/a/").unwrap();
        let nav = tree.nav(&pages, Some(a)).items;
        let top: Vec<_> = nav.iter().map(|n| n.title).collect();
        assert_eq!(top, ["Guide", "Reference"]);
        assert!(nav[0].in_path && !nav[0].current);
        let guide: Vec<_> = nav[0]
            .children
            .iter()
            .map(|n| (n.title, n.current))
            .collect();
        assert_eq!(guide, [("A", true), ("B", false), ("Deep", false)]);
        assert!(
            nav[0].children[2].children.is_empty(),
            "Deep is not on the path"
        );
        assert!(nav[1].children.is_empty());
    }

    #[test]
    fn reading_order_breadcrumbs_and_children() {
        let pages = site();
        let tree = SiteTree::new(&pages);
        let b = tree.index_of("/guide/b/").unwrap();
        let (prev, next) = tree.prev_next(&pages, b);
        assert_eq!(prev.unwrap().title, "A");
        assert_eq!(next.unwrap().title, "Deep");
        let crumbs: Vec<_> = tree
            .breadcrumbs(&pages, b)
            .iter()
            .map(|c| c.title)
            .collect();
        assert_eq!(crumbs, ["Home", "Guide"]);
        let guide = tree.index_of("/guide/").unwrap();
        let kids: Vec<_> = tree
            .children(&pages, guide)
            .iter()
            .map(|c| (c.title, c.is_section))
            .collect();
        assert_eq!(kids, [("A", false), ("B", false), ("Deep", true)]);
        let sign_in = tree.index_of("/sign-in/").unwrap();
        assert_eq!(tree.prev_next(&pages, sign_in), (None, None));
    }

    /// A long level shows a window around the path; `more` counts what it leaves out.
    #[test]
    fn long_levels_show_a_window_around_the_path() {
        let mut files = vec![(
            "index.md".to_string(),
            "---\ntitle: Home\n---\n".to_string(),
        )];
        for s in 0..20 {
            files.push((
                format!("s{s:02}/index.md"),
                format!("---\ntitle: S{s:02}\n---\n"),
            ));
            for p in 0..30 {
                files.push((
                    format!("s{s:02}/p{p:02}.md"),
                    format!("---\ntitle: P{p:02}\n---\n"),
                ));
            }
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let pages = pages(&files);
        let tree = SiteTree::new(&pages);
        let nav = tree.nav(&pages, tree.index_of("/s15/p20/"));
        let top: Vec<&str> = nav.items.iter().map(|n| n.title).collect();
        assert_eq!(top, ["S12", "S13", "S14", "S15", "S16", "S17", "S18"]);
        assert_eq!(nav.more, 20 - NAV_ANCESTOR_LEVEL_MAX);
        let section = &nav.items[3];
        let siblings: Vec<&str> = section.children.iter().map(|n| n.title).collect();
        assert_eq!(siblings.len(), NAV_LEVEL_MAX);
        assert_eq!(siblings[6], "P20", "centred on the current page");
        assert_eq!(section.more, 30 - NAV_LEVEL_MAX);
        let last = tree.nav(&pages, tree.index_of("/s00/p29/"));
        let siblings: Vec<&str> = last.items[0].children.iter().map(|n| n.title).collect();
        assert_eq!(siblings.last(), Some(&"P29"), "the window stops at the end");
        assert_eq!(siblings.len(), NAV_LEVEL_MAX);
    }
}
