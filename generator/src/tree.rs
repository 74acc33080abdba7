//! The site graph: which page belongs to which section, in what order, and the
//! navigation each page shows (sidebar, breadcrumbs, previous/next).
//!
//! The sidebar shows the top level and the path to the current page expanded, never
//! the whole tree: a full tree on every page makes output grow with pages².

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

#[derive(Debug, Serialize, PartialEq)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub current: bool,
    pub in_path: bool,
    pub is_section: bool,
    pub children: Vec<NavItem<'a>>,
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
    pub fn nav<'p>(&self, pages: &'p [Arc<Page>], page: Option<usize>) -> Vec<NavItem<'p>> {
        let mut path = page.map(|p| self.ancestors(p)).unwrap_or_default();
        path.extend(page);
        self.nav_level(pages, &self.top, &path, page)
    }

    fn nav_level<'p>(
        &self,
        pages: &'p [Arc<Page>],
        items: &[usize],
        path: &[usize],
        current: Option<usize>,
    ) -> Vec<NavItem<'p>> {
        items
            .iter()
            .filter(|&&i| !pages[i].front.hide_from_nav)
            .map(|&i| {
                let in_path = path.contains(&i);
                NavItem {
                    title: &pages[i].title,
                    url: &pages[i].url,
                    current: Some(i) == current,
                    in_path,
                    is_section: !self.children[i].is_empty(),
                    children: if in_path {
                        self.nav_level(pages, &self.children[i], path, current)
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }
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
        let nav = tree.nav(&pages, Some(a));
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
}
