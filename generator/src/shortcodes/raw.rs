//! HTML a shortcode or a built-in tag puts into the page's Markdown, kept as written: out
//! of the variables stage's reach, and as raw HTML blocks Markdown leaves alone. Shared by
//! the parser (built-in blocks) and the emitter (templates).

/// Template output that must reach the page as it is: `{{`, `{%` or `<<site.` in it are
/// guarded from the variables stage.
pub(super) fn guard(html: &str) -> String {
    if html.contains("{{") || html.contains("{%") || html.contains("<<") {
        format!("{{% raw %}}{html}{{% endraw %}}")
    } else {
        html.to_string()
    }
}

/// A part of a block's HTML as a raw HTML block of its own: on its own lines, without
/// blank lines (which would end the HTML block early), each line indented as the tag's
/// line is, so a block inside a list item (or any container that indentation continues)
/// stays inside it.
pub(super) fn block_html(part: &str, indent: &str) -> String {
    let lines: Vec<String> = part
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{indent}{l}"))
        .collect();
    if lines.is_empty() {
        return "\n".into();
    }
    format!("\n\n{}\n\n", guard(&lines.join("\n")))
}
