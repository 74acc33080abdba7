//! `/llms.txt`, as the llms.txt convention (llmstxt.org) has it: the site's title, its
//! description, then a section per top-level section of the docs, each page a link with
//! its description, in reading order. Left out: pages hidden from the navigation or the
//! search index (the form pages), and a release's copy of a page the latest release has
//! (its canonical URL is that one, as in `sitemap.xml`). `[llms] txt = false` in
//! `site.toml` turns it off.

use std::sync::Arc;

use serde_json::Value;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::page::Page;
use crate::tree::SiteTree;

/// Whether `/llms.txt` is written: `[llms] txt`, on unless `false`.
pub fn enabled(site: &Value) -> Result<bool, Diagnostic> {
    let Some(table) = site.get("llms") else {
        return Ok(true);
    };
    let problem = |m: &str| Diagnostic::file("site.toml", format!("[llms] {m}"));
    let table = table
        .as_object()
        .ok_or_else(|| problem("must be a table: [llms] txt = false"))?;
    let mut on = true;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("txt", Value::Bool(b)) => on = *b,
            ("txt", _) => return Err(problem("txt must be true or false")),
            (other, _) => return Err(problem(&format!("has no setting '{other}' (it has txt)"))),
        }
    }
    Ok(on)
}

/// One line of Markdown text: line breaks folded, so a description cannot end the list.
fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn llms_txt(config: &SiteConfig, pages: &[Arc<Page>], tree: &SiteTree) -> String {
    let mut out = format!("# {}\n", line(&config.title));
    if let Some(description) = config.site.get("description").and_then(Value::as_str) {
        out.push_str(&format!("\n> {}\n", line(description)));
    }
    let exists = |url: &str| tree.index_of(url).is_some();
    let mut group = None;
    for &i in tree.reading_order() {
        let page = &pages[i];
        if page.url == "/"
            || !page.front.in_search_index
            || config.docsets.canonical(&page.url, exists) != page.url
        {
            continue;
        }
        // The top-level section the page is in (itself, for a top-level page).
        let top = tree.ancestors(i).get(1).copied().unwrap_or(i);
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
