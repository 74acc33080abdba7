//! Diagrams: a ```` ```mermaid ```` fence drawn at build time to inline SVG by
//! `mermaid-rs-renderer` (pure Rust: no browser, no script on the page). On unless
//! `[markdown] diagrams = false`.
//!
//! - **Theme.** The renderer is given the theme's light colours, one per role (node,
//!   border, text, line, …). The theme's CSS maps each to its custom property by
//!   attribute selector (`[fill="#f6f8fa" i]`), so dark mode redraws the same SVG; a
//!   page read without the CSS still shows the light diagram.
//! - **Text.** Labels are measured by the renderer's built-in metrics, not the machine's
//!   fonts: the same source draws the same SVG on every machine, and nothing is written
//!   to the home directory.
//! - **Accessible.** The SVG is `role="img"`, named by the source, which is also shown
//!   under it in a closed `<details>`.
//! - **Checked.** A diagram that does not parse is an error at its line. A header
//!   Mermaid has but the renderer lacks (`info`, …) builds as a code block, with a
//!   warning. A `click` link that is not a URL (`javascript:`, a callback) is an error;
//!   the others go to the link checker.
//! - **Cached** in the process by source, as code blocks are, so `serve` does not redraw
//!   a diagram that did not change; and on disk (`diagram_cache.rs`), so a rebuild does
//!   not lay out again what it drew before.

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use edge::html::escape_into;

use super::diagram_cache;
use mermaid_rs_renderer::{
    ParseError, ParseOutput, RenderOptions, Theme, compute_layout, parse_mermaid_strict, render_svg,
};

/// Diagrams with more nodes and edges than this are refused: past it a diagram is
/// unreadable on a page, and its layout slow.
pub const MAX_ELEMENTS: usize = 300;

/// What a fence's source became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drawn {
    /// The SVG, ids not yet prefixed ([`figure`] does that).
    Svg(String),
    /// A diagram type Mermaid has and the renderer lacks: the warning's text.
    Unsupported(String),
}

/// Why a source has no diagram: the line (1-based, in the source) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub line: usize,
    pub message: String,
}

/// Mermaid's headers the renderer does not draw. Any other header it does not know is a
/// mistake, not a type to wait for.
const LACKING: &[&str] = &["info", "venn-beta"];

/// The colour the renderer is given for each role, and the custom property the theme's
/// CSS maps it to (`themes/default/static/css/gatehouse.css`, "Diagrams").
pub const ROLES: [(&str, &str); 10] = [
    ("#f6f8fa", "--bg-subtle"),
    ("#6e7781", "--border-strong"),
    ("#1f2328", "--fg"),
    ("#59636e", "--fg-muted"),
    ("#ffffff", "--bg"),
    ("#e8f0fe", "--accent-subtle"),
    ("#f8fafc", "--bg-sidebar"),
    ("#d1d9e0", "--border"),
    ("#fff5d6", "--warning-bg"),
    ("#8a5a00", "--warning"),
];

fn options() -> RenderOptions {
    let [
        node,
        border,
        text,
        line,
        page,
        secondary,
        cluster,
        cluster_border,
        note,
        note_border,
    ] = ROLES.map(|(colour, _)| colour.to_string());
    let mut theme = Theme::modern();
    theme.font_family = "system-ui, sans-serif".into();
    theme.primary_color = node.clone();
    theme.primary_text_color = text.clone();
    theme.primary_border_color = border.clone();
    theme.line_color = line.clone();
    theme.secondary_color = secondary.clone();
    theme.tertiary_color = page.clone();
    theme.edge_label_background = page.clone();
    theme.cluster_background = cluster;
    theme.cluster_border = cluster_border.clone();
    theme.background = "none".into();
    theme.sequence_actor_fill = node;
    theme.sequence_actor_border = border.clone();
    theme.sequence_actor_line = line.clone();
    theme.sequence_note_fill = note;
    theme.sequence_note_border = note_border;
    theme.sequence_activation_fill = secondary;
    theme.sequence_activation_border = border;
    theme.text_color = text.clone();
    theme.pie_title_text_color = text.clone();
    theme.pie_section_text_color = text.clone();
    theme.pie_legend_text_color = text;
    theme.pie_stroke_color = line;
    theme.pie_outer_stroke_color = cluster_border;
    let mut options = RenderOptions {
        theme,
        ..RenderOptions::default()
    };
    options.layout.fast_text_metrics = true;
    options
}

/// The renderer's options, and their `Debug` text: part of a kept diagram's name.
static OPTIONS: LazyLock<(RenderOptions, String)> = LazyLock::new(|| {
    let options = options();
    let key = format!("{options:?}");
    (options, key)
});

type Cached = Arc<Result<Drawn, Failure>>;

static CACHE: LazyLock<Mutex<HashMap<Box<str>, Cached>>> = LazyLock::new(Default::default);

/// The cache's bound, in diagrams (a few KB each).
const CACHE_ENTRIES: usize = 4096;

/// Draws `source`, or says why not (from the cache when it was drawn before).
pub fn draw(source: &str) -> Cached {
    if let Some(hit) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(source)
    {
        return hit.clone();
    }
    let drawn = Arc::new(draw_uncached(source));
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_ENTRIES {
        cache.clear();
    }
    cache.insert(source.into(), drawn.clone());
    drawn
}

fn draw_uncached(source: &str) -> Result<Drawn, Failure> {
    let (options, key) = &*OPTIONS;
    // Kept on disk: drawn before, so it parsed and was small enough then, as it is now
    // (same renderer, same source).
    if let Some(svg) = diagram_cache::load(key, source) {
        return finish(source, &svg);
    }
    let Some((header_line, header)) = header(source) else {
        return Err(Failure {
            line: 1,
            message: "this mermaid block is empty: give it a diagram, such as `flowchart LR`"
                .into(),
        });
    };
    let parsed = match parse_mermaid_strict(source) {
        Ok(parsed) => parsed,
        Err(error) => {
            let keyword = header.split_whitespace().next().unwrap_or("");
            if LACKING.contains(&keyword) {
                return Ok(Drawn::Unsupported(format!(
                    "mermaid diagrams of type `{keyword}` are not drawn at build time: this one is shown as its source"
                )));
            }
            return Err(failure(source, header_line, &error));
        }
    };
    let graph = &parsed.graph;
    let elements = graph.nodes.len() + graph.edges.len();
    if elements > MAX_ELEMENTS {
        return Err(Failure {
            line: header_line,
            message: format!(
                "mermaid: this diagram has {} nodes and {} edges; one drawn at build time has at most {MAX_ELEMENTS} in all: split it",
                graph.nodes.len(),
                graph.edges.len()
            ),
        });
    }
    let svg = lay_out(parsed, options.clone(), LAYOUT_TIME).inspect(|svg| {
        diagram_cache::store(key, source, svg);
    });
    let svg = match svg {
        Ok(svg) => svg,
        Err(RecvTimeoutError::Timeout) => {
            return Ok(Drawn::Unsupported(format!(
                "this mermaid diagram took more than {} s to lay out and is shown as its source: simplify it or split it",
                LAYOUT_TIME.as_secs_f32()
            )));
        }
        Err(RecvTimeoutError::Disconnected) => {
            return Ok(Drawn::Unsupported(
                "the diagram renderer failed on this mermaid diagram, which is shown as its source"
                    .into(),
            ));
        }
    };
    finish(source, &svg)
}

/// The page's passes over the renderer's SVG, fresh or kept: its links checked, its
/// inline styles made attributes.
fn finish(source: &str, svg: &str) -> Result<Drawn, Failure> {
    check_links(source, svg)?;
    Ok(Drawn::Svg(without_styles(svg)))
}

/// How long a diagram's layout may take. Layout grows faster than linearly with edges,
/// and some shapes (hundreds of edges between two nodes) take minutes: a build does not
/// wait for them.
pub const LAYOUT_TIME: Duration = Duration::from_secs(1);

/// Lays out and draws `parsed` on a thread of its own, waiting `time` at most.
/// A layout past that is abandoned: its thread ends when the layout does, its result
/// unread. A renderer that panics is `Disconnected`.
fn lay_out(
    parsed: ParseOutput,
    options: RenderOptions,
    time: Duration,
) -> Result<String, RecvTimeoutError> {
    let (send, receive) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name("diagram layout".into())
        .spawn(move || {
            let layout = compute_layout(&parsed.graph, &options.theme, &options.layout);
            let _ = send.send(render_svg(&layout, &options.theme, &options.layout));
        });
    if spawned.is_err() {
        return Err(RecvTimeoutError::Disconnected);
    }
    receive.recv_timeout(time)
}

/// Properties an inline `style` may carry that SVG also takes as attributes.
const PRESENTATION: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "opacity",
    "text-anchor",
    "dominant-baseline",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
];

/// The SVG with no inline style (the site's Content-Security-Policy blocks them): a
/// `style` declaration SVG has as an attribute becomes that attribute, unless the element
/// sets it already; the root's `max-width` becomes its width; the rest (blend modes),
/// and `<style>` elements (only in the renderer's error drawing), are dropped.
fn without_styles(svg: &str) -> String {
    let styled = lol_html::element!("[style]", |el| {
        let style = el.get_attribute("style").unwrap_or_default();
        el.remove_attribute("style");
        for declaration in style.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let (property, value) = (property.trim(), value.trim());
            if property == "max-width" && el.tag_name() == "svg" {
                el.set_attribute("width", value.trim_end_matches("px"))?;
            } else if PRESENTATION.contains(&property) && !el.has_attribute(property) {
                el.set_attribute(property, value)?;
            }
        }
        Ok(())
    });
    let style = lol_html::element!("style", |el| {
        el.remove();
        Ok(())
    });
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(styled)
        .append_element_content_handler(style);
    lol_html::rewrite_str(svg, settings).unwrap_or_else(|_| svg.to_string())
}

/// The first line that is not blank, a `%%` comment or front matter, with its number.
fn header(source: &str) -> Option<(usize, &str)> {
    let mut in_front_matter = false;
    for (n, line) in source.lines().enumerate() {
        let line = line.trim();
        if line == "---" {
            in_front_matter = !in_front_matter;
        } else if !in_front_matter && !line.is_empty() && !line.starts_with("%%") {
            return Some((n + 1, line));
        }
    }
    None
}

/// The renderer's error as a message at its line. Its fallback error names line 1 and
/// the header; the line it means is the one its message quotes.
fn failure(source: &str, header_line: usize, error: &ParseError) -> Failure {
    let (line, message) = match error {
        ParseError::UnexpectedToken {
            line: 1,
            col: 1,
            expected,
            ..
        } => {
            let quoted = expected.rsplit(": ").next().unwrap_or("").trim();
            let line = source
                .lines()
                .position(|l| !quoted.is_empty() && l.trim() == quoted)
                .map_or(header_line, |n| n + 1);
            let message = if expected.starts_with("unknown or missing Mermaid diagram header") {
                format!(
                    "`{}` is not a Mermaid diagram type (flowchart, sequenceDiagram, classDiagram, stateDiagram-v2, erDiagram, gantt, pie, …)",
                    source.lines().nth(header_line - 1).unwrap_or("").trim()
                )
            } else {
                expected.clone()
            };
            (line, message)
        }
        ParseError::UnexpectedToken { line, .. } | ParseError::InvalidDirective { line, .. } => {
            (*line as usize, error.to_string())
        }
        ParseError::UnknownParticipant {
            line, candidates, ..
        } => {
            let hint = match candidates.first() {
                Some(name) => format!(" (did you mean '{name}'?)"),
                None => String::new(),
            };
            (*line as usize, format!("{error}{hint}"))
        }
        ParseError::UnclosedSubgraph { opened_at } => (*opened_at as usize, error.to_string()),
        _ => (header_line, error.to_string()),
    };
    Failure {
        line: line.max(1),
        message: format!("mermaid: {}", message.trim_end_matches(" at line 1")),
    }
}

/// A `click` link is a URL or nothing: `javascript:` and callbacks need script.
fn check_links(source: &str, svg: &str) -> Result<(), Failure> {
    for href in links(svg) {
        let lower = href.trim().to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(s, _)| s);
        let allowed = match scheme {
            Some(s) if !s.contains('/') && !s.contains('?') && !s.contains('#') => {
                matches!(s, "http" | "https" | "mailto")
            }
            _ => true,
        };
        if !allowed {
            let line = source
                .lines()
                .position(|l| l.contains(href.as_str()))
                .map_or(1, |n| n + 1);
            return Err(Failure {
                line,
                message: format!(
                    "mermaid: a diagram's `click` goes to a URL (https:, mailto: or a page), not `{href}`"
                ),
            });
        }
    }
    if let Some(n) = source
        .lines()
        .position(|l| l.trim_start().starts_with("click ") && l.contains("call "))
    {
        return Err(Failure {
            line: n + 1,
            message: "mermaid: `click … call` runs script, which pages drawn at build time have none of: link to a URL instead".into(),
        });
    }
    Ok(())
}

/// The `href`s of the SVG's links (the renderer writes each as `<a href="…"`).
pub fn links(svg: &str) -> Vec<String> {
    svg.match_indices("<a href=\"")
        .filter_map(|(at, open)| {
            let rest = &svg[at + open.len()..];
            rest.find('"').map(|end| unescape(&rest[..end]))
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The figure for the page: the SVG with its ids prefixed by `id` (two diagrams on a
/// page must not share `arrow-0`), named by its source, which follows in `<details>`.
pub fn figure(svg: &str, source: &str, id: &str, html: &mut String) {
    let source_id = format!("{id}-source");
    let svg = svg
        .replace(" id=\"", &format!(" id=\"{id}-"))
        .replace("url(#", &format!("url(#{id}-"))
        .replace("href=\"#", &format!("href=\"#{id}-"));
    html.push_str("<figure class=\"diagram\" id=\"");
    html.push_str(id);
    html.push_str("\">");
    match svg.strip_prefix("<svg") {
        Some(rest) => {
            html.push_str("<svg role=\"img\" aria-labelledby=\"");
            html.push_str(&source_id);
            html.push('"');
            html.push_str(rest);
        }
        None => html.push_str(&svg),
    }
    html.push_str("<details class=\"diagram-source\"><summary>Diagram source</summary><pre id=\"");
    html.push_str(&source_id);
    html.push_str("\"><code>");
    escape_into(source, html);
    html.push_str("</code></pre></details></figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(source: &str) -> String {
        match &*draw(source) {
            Ok(Drawn::Svg(svg)) => svg.clone(),
            other => panic!("not drawn: {other:?}"),
        }
    }

    fn failed(source: &str) -> Failure {
        match &*draw(source) {
            Err(failure) => failure.clone(),
            other => panic!("drawn: {other:?}"),
        }
    }

    #[test]
    fn a_flowchart_is_svg_in_the_theme_roles() {
        let svg = drawn("flowchart LR\n  A[Register] --> B[Verify]\n");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(">Register<"), "{svg}");
        assert!(
            svg.contains("fill=\"#f6f8fa\""),
            "node fill is a role: {svg}"
        );
        assert!(
            !svg.contains("<style") && !svg.contains(" style=\""),
            "{svg}"
        );
        assert_eq!(svg, drawn("flowchart LR\n  A[Register] --> B[Verify]\n"));
    }

    #[test]
    fn inline_styles_become_attributes() {
        let svg = drawn("pie title Plans\n  \"Plus\" : 40\n  \"Free\" : 60\n");
        assert!(
            !svg.contains(" style=\"") && !svg.contains("<style"),
            "{svg}"
        );
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"415.080\""),
            "{svg}"
        );
        let f = without_styles(
            "<svg><text fill=\"red\" style=\"fill: blue; text-anchor: middle; mix-blend-mode: multiply\">x</text><style>svg{}</style></svg>",
        );
        assert_eq!(
            f,
            "<svg><text fill=\"red\" text-anchor=\"middle\">x</text></svg>"
        );
    }

    #[test]
    fn labels_are_text_never_markup() {
        let svg = drawn("flowchart LR\n  A[\"<script>alert(1)</script>\"] --> B\n");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
    }

    #[test]
    fn errors_name_their_line() {
        let f = failed("flowchart LR\n  A --> B\n  B -->\n");
        assert_eq!(f.line, 3, "{f:?}");
        assert!(f.message.contains("B -->"), "{f:?}");
        let f = failed("%% a comment\nflowchart LR\nsubgraph One\n  A --> B\n");
        assert_eq!(f.line, 3, "{f:?}");
        let f = failed("\nflowchrt LR\n  A --> B\n");
        assert_eq!(f.line, 2, "{f:?}");
        assert!(
            f.message
                .contains("`flowchrt LR` is not a Mermaid diagram type"),
            "{f:?}"
        );
        assert!(failed("\n  \n").message.contains("empty"));
    }

    #[test]
    fn script_links_are_errors_and_urls_are_kept() {
        let f = failed("flowchart LR\n  A --> B\n  click A \"javascript:alert(1)\"\n");
        assert_eq!(f.line, 3, "{f:?}");
        let svg = drawn("flowchart LR\n  A --> B\n  click B href \"/register/\"\n");
        assert_eq!(links(&svg), ["/register/"]);
    }

    #[test]
    fn a_type_the_renderer_lacks_is_a_warning() {
        assert!(matches!(&*draw("info\n"), Ok(Drawn::Unsupported(w)) if w.contains("`info`")));
    }

    #[test]
    fn a_huge_diagram_is_refused() {
        let mut source = String::from("flowchart TD\n");
        for n in 0..MAX_ELEMENTS / 2 {
            source.push_str(&format!("  N{n} --> N{}\n", n + 1));
        }
        let f = failed(&source);
        assert_eq!(f.line, 1);
        assert!(
            f.message
                .contains("151 nodes and 150 edges; one drawn at build time has at most 300"),
            "{f:?}"
        );
    }

    #[test]
    fn a_layout_past_its_time_is_abandoned() {
        // A node with a hundred edges to itself: a layout of tens of milliseconds.
        let mut source = String::from("flowchart LR\n  R[Register] --> V[Verify]");
        source.push_str(&" --> V[Verify]".repeat(100));
        let parsed = || parse_mermaid_strict(&source).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(
            lay_out(parsed(), options(), Duration::from_micros(10)),
            Err(RecvTimeoutError::Timeout)
        );
        assert!(started.elapsed() < Duration::from_millis(5));
        assert!(lay_out(parsed(), options(), Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn the_figure_prefixes_ids_and_carries_its_source() {
        let svg = drawn("flowchart LR\n  A --> B\n");
        let mut html = String::new();
        figure(&svg, "flowchart LR\n  A --> B\n", "mermaid-1", &mut html);
        assert!(html.starts_with("<figure class=\"diagram\" id=\"mermaid-1\"><svg role=\"img\" aria-labelledby=\"mermaid-1-source\""), "{html}");
        assert!(!html.contains(" id=\"arrow-0\""), "{html}");
        assert!(
            html.contains("url(#mermaid-1-arrow-0)") || !svg.contains("url(#"),
            "{html}"
        );
        assert!(
            html.contains(
                "<pre id=\"mermaid-1-source\"><code>flowchart LR\n  A --&gt; B\n</code></pre>"
            ),
            "{html}"
        );
        insta::assert_snapshot!(html);
    }

    #[test]
    fn the_theme_maps_every_role() {
        let css = include_str!("../../../themes/default/static/css/gatehouse.css");
        for (colour, property) in ROLES {
            for attribute in ["fill", "stroke"] {
                let rule = format!(
                    ".diagram [{attribute}=\"{colour}\" i] {{ {attribute}: var({property}); }}"
                );
                assert!(css.contains(&rule), "the theme lacks {rule}");
            }
        }
    }
}
