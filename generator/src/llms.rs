//! `/llms.txt`, as the llms.txt convention (llmstxt.org) has it: the site's title, its
//! description, then a section per top-level section of the docs, each page a link with
//! its description, in reading order. Left out: pages hidden from the navigation or the
//! search index (the form pages), and a release's copy of a page the latest release has
//! (its canonical URL is that one, as in `sitemap.xml`). `[llms] txt = false` in
//! `site.toml` turns it off.
//!
//! With `[llms] markdown = true`, each page is also published as Markdown beside its HTML
//! (`/guide/a/index.md`): its text with variables resolved and tags expanded (a
//! shortcode's HTML stays, as Markdown allows), and every site link made absolute
//! ([`markdown_copy`]). Off by default: it doubles a site's files, and Cloudflare's free
//! plan takes 20,000. With `[llms] full = true`, `/llms-full.txt` holds the copies of the
//! pages `/llms.txt` lists, in its order ([`llms_full`]).

use std::sync::Arc;

use serde_json::Value;

use crate::config::SiteConfig;
use crate::page::Page;
use crate::tree::SiteTree;

/// One line of Markdown text: line breaks folded, so a description cannot end the list.
fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pages both files list, in reading order, each with the top-level section it is
/// in (itself, for a top-level page): published pages in the search, once each (a
/// release's copy of a page the latest release has is left to that one), not the home
/// page.
fn listed<'a>(
    config: &'a SiteConfig,
    pages: &'a [Arc<Page>],
    tree: &'a SiteTree,
) -> impl Iterator<Item = (usize, &'a Page)> + 'a {
    let exists = |url: &str| tree.index_of(url).is_some();
    tree.reading_order().iter().filter_map(move |&i| {
        let page = &pages[i];
        let listed = page.url != "/"
            && page.front.in_search_index
            && config.docsets.canonical(&page.url, exists) == page.url;
        listed.then(|| (tree.ancestors(i).get(1).copied().unwrap_or(i), &**page))
    })
}

/// The title line and the site's description, which both files open with.
fn head(config: &SiteConfig) -> String {
    let mut out = format!("# {}\n", line(&config.title));
    if let Some(description) = config.site.get("description").and_then(Value::as_str) {
        out.push_str(&format!("\n> {}\n", line(description)));
    }
    out
}

pub fn llms_txt(config: &SiteConfig, pages: &[Arc<Page>], tree: &SiteTree) -> String {
    let mut out = head(config);
    let mut group = None;
    for (top, page) in listed(config, pages, tree) {
        if group != Some(top) {
            group = Some(top);
            out.push_str(&format!("\n## {}\n\n", line(&pages[top].title)));
        }
        out.push_str(&format!(
            "- [{}]({}{})",
            line(&page.title),
            config.base_url,
            page.url
        ));
        if let Some(description) = page
            .front
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
        {
            out.push_str(&format!(": {}", line(description)));
        }
        out.push('\n');
    }
    out
}

/// `/llms-full.txt` (`[llms] full = true`): the pages `/llms.txt` lists, in its order,
/// each as its title, its URL and its Markdown copy ([`markdown_copy`]), so a tool reads
/// the whole docs in one request.
pub fn llms_full(config: &SiteConfig, pages: &[Arc<Page>], tree: &SiteTree) -> String {
    let mut out = head(config);
    for (_, page) in listed(config, pages, tree) {
        let Some(markdown) = &page.markdown else {
            continue;
        };
        out.push_str(&format!(
            "\n---\n\n# {}\n\nSource: {}{}\n\n",
            line(&page.title),
            config.base_url,
            page.url
        ));
        out.push_str(markdown_copy(markdown, &page.url, &config.base_url).trim());
        out.push('\n');
    }
    out
}

/// The Markdown copy of the page at `page_url`: `markdown` with every link and image
/// target that is a site path (`/a/`, `../b/`, `c.png`) made a full URL on `base_url`,
/// so the copy works wherever it is read. Targets are found by the Markdown parser, in
/// inline links and images; reference definitions and raw HTML are left as written.
pub fn markdown_copy(markdown: &str, page_url: &str, base_url: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url.as_ref(),
            _ => continue,
        };
        if dest.is_empty() || dest.starts_with('#') || crate::urls::is_external(dest) {
            continue;
        }
        let (path, _) = crate::urls::split_link(dest);
        let Some(resolved) = crate::urls::resolve(page_url, path) else {
            continue;
        };
        let suffix = &dest[path.len()..];
        // The target as written, inside the link's `(…)`: its last occurrence there.
        let span = &markdown[range.clone()];
        let Some(at) = span.rfind(&format!("({dest}")) else {
            continue;
        };
        let start = range.start + at + 1;
        edits.push((
            start,
            start + dest.len(),
            format!("{base_url}{resolved}{suffix}"),
        ));
    }
    let mut out = String::with_capacity(markdown.len() + edits.len() * base_url.len());
    let mut copied = 0;
    edits.sort_by_key(|e| e.0);
    for (start, end, with) in edits {
        if start < copied {
            continue;
        }
        out.push_str(&markdown[copied..start]);
        out.push_str(&with);
        copied = end;
    }
    out.push_str(&markdown[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_links_in_a_markdown_copy_become_full_urls() {
        let text = "See [setup](../setup/#start), [home](/), [out](https://x.org/a), [here](#top) and ![shot](img/a.png).\n\n```\n[not](/a-link/)\n```\n";
        assert_eq!(
            markdown_copy(text, "/guide/intro/", "https://d.example"),
            "See [setup](https://d.example/guide/setup/#start), [home](https://d.example/), [out](https://x.org/a), [here](#top) and ![shot](https://d.example/guide/intro/img/a.png).\n\n```\n[not](/a-link/)\n```\n"
        );
    }
}
