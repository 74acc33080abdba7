//! Block attributes and callouts: kramdown's block attribute lists (`{:.note}`,
//! `{: .class #id key="value"}`) and GitHub's alerts (`> [!NOTE]`).
//!
//! A block attribute list (IAL) is a line of its own. kramdown's rule (syntax
//! documentation, "Block Inline Attribute Lists"): it "has to be put directly before or
//! after the block-level element to which the attributes should be attached. If a block
//! IAL is directly after *and* before a block-level element, it is applied to preceding
//! element." Directly means with no blank line in between. Where kramdown ignores an
//! IAL (surrounded by blank lines, say), Gatehouse reports an error: a `{:` line is never
//! left in the page as text.
//!
//! pulldown-cmark knows none of this, so an IAL reaches this stage as text: a paragraph
//! of its own (`{:.note}` after a heading, or before a blockquote), or lines of the
//! paragraph around it (`A paragraph.\n{: #one}`), or the lazy last line of a blockquote's
//! paragraph (`> **Note:** …\n{:.note}`, as Kong's docs write callouts) — that one
//! applies to the blockquote, since its line has no `>` — or a line of a list item's text
//! (the item's, or the list's when the line is not indented into the item).
//!
//! A blockquote with class `note`, `tip`, `important`, `warning` or `danger` becomes that
//! callout; a GitHub alert becomes the same callout with GitHub's title. Other classes,
//! ids and `key="value"` pairs are set on the block.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use super::stage::{Found, Spanned, Stage};
use edge::html::escape_into;

/// The callout kinds a class names, and their default titles.
const CALLOUTS: [(&str, &str); 5] = [
    ("note", "Note"),
    ("tip", "Tip"),
    ("important", "Important"),
    ("warning", "Warning"),
    ("danger", "Danger"),
];

/// A GitHub alert's callout kind and title (GitHub's own: CAUTION shows as "Caution").
fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("danger", "Caution"),
    }
}

/// The stage: blockquotes that are alerts become callouts as they pass; a page whose
/// text has a `{:` is read whole first, since an IAL may apply to the block before it.
pub(super) fn attributes<'a, I>(inner: I, text: &'a str) -> Attributes<'a, I> {
    Attributes {
        inner,
        text,
        state: if text.contains("{:") {
            State::Pending
        } else {
            State::Streaming
        },
    }
}

pub(super) struct Attributes<'a, I> {
    inner: I,
    text: &'a str,
    state: State<'a>,
}

enum State<'a> {
    /// No `{:` in the page: only alerts to convert, event by event.
    Streaming,
    /// The page has a `{:`: read it whole at the first event.
    Pending,
    Buffered(std::vec::IntoIter<Spanned<'a>>),
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for Attributes<'a, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        if let State::Streaming = self.state {
            let item = self.inner.next();
            if matches!(
                item,
                Some((
                    Event::Start(Tag::BlockQuote(Some(_)))
                        | Event::End(TagEnd::BlockQuote(Some(_))),
                    _
                ))
            ) {
                return Self::alert(item);
            }
            return item;
        }
        self.buffered()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for Attributes<'a, I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Attributes<'a, I> {
    #[inline(never)]
    fn alert(item: Option<Spanned<'a>>) -> Option<Spanned<'a>> {
        match item {
            Some((Event::Start(Tag::BlockQuote(Some(kind))), range)) => {
                let (kind, title) = alert(kind);
                let mut html = String::new();
                callout_open(kind, title, &Attrs::default(), &mut html);
                Some((Event::Html(html.into()), range))
            }
            Some((Event::End(TagEnd::BlockQuote(Some(_))), range)) => {
                Some((Event::Html("</div>\n".into()), range))
            }
            other => other,
        }
    }

    #[inline(never)]
    fn buffered(&mut self) -> Option<Spanned<'a>> {
        if let State::Pending = self.state {
            let events: Vec<Spanned<'a>> = self.inner.by_ref().collect();
            let events = rewrite(events, self.text, self.inner.found());
            self.state = State::Buffered(events.into_iter());
        }
        match &mut self.state {
            State::Buffered(events) => events.next(),
            _ => None,
        }
    }
}

/// Attributes gathered from one or more IALs.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Attrs {
    id: Option<String>,
    classes: Vec<String>,
    pairs: Vec<(String, String)>,
}

impl Attrs {
    fn merge(&mut self, other: Attrs) {
        if other.id.is_some() {
            self.id = other.id;
        }
        for class in other.classes {
            if !self.classes.contains(&class) {
                self.classes.push(class);
            }
        }
        for (key, value) in other.pairs {
            match self.pairs.iter_mut().find(|(k, _)| *k == key) {
                Some(pair) => pair.1 = value,
                None => self.pairs.push((key, value)),
            }
        }
    }

    /// The callout a class names, if any: the first such class.
    fn callout(&self) -> Option<(&'static str, &'static str)> {
        self.classes
            .iter()
            .find_map(|class| CALLOUTS.iter().find(|(kind, _)| kind == class).copied())
    }

    /// ` id="…" class="…" key="…"`, with `first_classes` before the list's own.
    fn write(&self, first_classes: &[&str], html: &mut String) {
        if let Some(id) = &self.id {
            html.push_str(" id=\"");
            escape_into(id, html);
            html.push('"');
        }
        let classes: Vec<&str> = first_classes
            .iter()
            .copied()
            .chain(
                self.classes
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !first_classes.contains(c)),
            )
            .collect();
        if !classes.is_empty() {
            html.push_str(" class=\"");
            escape_into(&classes.join(" "), html);
            html.push('"');
        }
        for (key, value) in &self.pairs {
            html.push(' ');
            html.push_str(key);
            html.push_str("=\"");
            escape_into(value, html);
            html.push('"');
        }
    }
}

/// The one callout markup, shared with the `callout` shortcode's template.
fn callout_open(kind: &str, title: &str, attrs: &Attrs, html: &mut String) {
    html.push_str("<div");
    let kind_class = format!("callout-{kind}");
    let mut rest = attrs.clone();
    rest.classes.retain(|c| c != kind);
    rest.write(&["callout", &kind_class], html);
    html.push_str(" role=\"note\">\n<p class=\"callout-title\">");
    escape_into(title, html);
    html.push_str("</p>\n");
}

/// Parses one line that starts with `{:` (after up to three spaces). `None` when the line
/// is not one; an error names what is wrong.
pub(super) fn parse_ial(line: &str) -> Option<Result<Attrs, String>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let line = line.trim();
    if indent > 3 || !line.starts_with("{:") {
        return None;
    }
    if line.starts_with("{::") || line.starts_with("{:/") {
        return Some(Err(format!(
            "'{line}': kramdown extensions ({{::…}}) are not supported"
        )));
    }
    let Some(inner) = line.strip_suffix('}').map(|l| &l[2..]) else {
        return Some(Err(format!(
            "'{line}': a block attribute list must end with '}}' on its line"
        )));
    };
    let reference = inner.find(':').map(|colon| &inner[..colon]).filter(|name| {
        name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if reference.is_some() {
        return Some(Err(format!(
            "'{line}': attribute list definitions ({{:name: …}}) are not supported; write the attributes on the block"
        )));
    }
    Some(parse_attrs(inner).map_err(|e| format!("'{line}': {e}")))
}

fn parse_attrs(inner: &str) -> Result<Attrs, String> {
    let mut attrs = Attrs::default();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if let Some(name) = rest.strip_prefix('.') {
            let name = &name[..end - 1];
            check_name(name, "class")?;
            attrs.merge(Attrs {
                classes: vec![name.to_string()],
                ..Attrs::default()
            });
            rest = &rest[end..];
        } else if let Some(name) = rest.strip_prefix('#') {
            let name = &name[..end - 1];
            check_name(name, "id")?;
            attrs.id = Some(name.to_string());
            rest = &rest[end..];
        } else if let Some(eq) = rest[..end].find('=') {
            let key = &rest[..eq];
            if key.is_empty()
                || !key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_:.-".contains(c))
            {
                return Err(format!("'{key}' is not an attribute name"));
            }
            let after = &rest[eq + 1..];
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                return Err(format!("the value of '{key}' must be quoted"));
            };
            let mut value = String::new();
            let mut chars = after[1..].char_indices();
            let mut closed = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    c if c == quote => {
                        closed = Some(i);
                        break;
                    }
                    c => value.push(c),
                }
            }
            let Some(close) = closed else {
                return Err(format!("the value of '{key}' has no closing quote"));
            };
            match key {
                "id" => attrs.id = Some(value),
                "class" => attrs.merge(Attrs {
                    classes: value.split_whitespace().map(str::to_string).collect(),
                    ..Attrs::default()
                }),
                _ => attrs.merge(Attrs {
                    pairs: vec![(key.to_string(), value)],
                    ..Attrs::default()
                }),
            }
            rest = &after[1 + close + 1..];
        } else {
            return Err(format!(
                "'{}' is not an attribute ('.class', '#id' or key=\"value\"); references to attribute list definitions are not supported",
                &rest[..end]
            ));
        }
        rest = rest.trim_start();
    }
    Ok(attrs)
}

fn check_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty()
        || name.chars().any(|c| {
            matches!(c, '"' | '\'' | '<' | '>' | '&' | '=' | '.' | '#') && what == "id"
                || matches!(c, '"' | '\'' | '<' | '>' | '&' | '=')
        })
    {
        return Err(format!("'{name}' is not a {what} name"));
    }
    Ok(())
}

/// Is this a block's start that attributes may go on? And the kind, for the messages.
fn block_name(event: &Event<'_>) -> Option<&'static str> {
    Some(match event {
        Event::Start(Tag::Paragraph) => "paragraph",
        Event::Start(Tag::Heading { .. }) => "heading",
        Event::Start(Tag::BlockQuote(_)) => "blockquote",
        Event::Start(Tag::List(_)) => "list",
        Event::Start(Tag::Item) => "list item",
        Event::Start(Tag::Table(_)) => "table",
        Event::Start(Tag::HtmlBlock) => "raw HTML",
        Event::Start(Tag::FootnoteDefinition(_)) => "footnote",
        Event::Start(Tag::DefinitionList) => "definition list",
        Event::Start(Tag::MetadataBlock(_)) => "metadata",
        // A code block, made one HTML event by the code-block stage.
        Event::Html(_) => "code block",
        Event::Rule => "rule",
        _ => return None,
    })
}

/// Where each start event's end is, and each end's start.
fn pair_up(events: &[Spanned<'_>]) -> (HashMap<usize, usize>, HashMap<usize, usize>) {
    let mut ends = HashMap::new();
    let mut starts = HashMap::new();
    let mut open = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => open.push(i),
            Event::End(_) => {
                if let Some(start) = open.pop() {
                    ends.insert(start, i);
                    starts.insert(i, start);
                }
            }
            _ => {}
        }
    }
    (ends, starts)
}

/// Whether the text between two blocks holds no blank line (a line of only spaces and
/// blockquote markers counts as blank).
fn adjacent(text: &str, mut before_end: usize, after_start: usize) -> bool {
    if before_end > after_start {
        return false;
    }
    if text[..before_end].ends_with('\n') {
        before_end -= 1;
    }
    let gap = &text[before_end..after_start];
    let lines: Vec<&str> = gap.split('\n').collect();
    lines.len() < 3
        || lines[1..lines.len() - 1]
            .iter()
            .all(|line| !line.chars().all(|c| c.is_whitespace() || c == '>'))
}

/// A block an IAL's line may be outside of although pulldown-cmark put it inside (a lazy
/// continuation line): kramdown ends a paragraph at an IAL line, and so the blockquote
/// or list item whose marker the line lacks.
#[derive(Debug, Clone, Copy)]
enum Container {
    Quote(usize),
    /// A list item: the start of its list, and the column of its marker.
    Item {
        list: usize,
        marker: usize,
    },
}

/// Where the line of `offset` puts it: how many blockquote markers start the line, and
/// the column of `offset` after them.
fn line_position(text: &str, offset: usize) -> (usize, usize) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[start..offset];
    let quotes = prefix.chars().filter(|c| *c == '>').count();
    let after = prefix.rfind('>').map_or(prefix, |i| &prefix[i + 1..]);
    let mut column = after.chars().count();
    if quotes > 0 && after.starts_with(' ') {
        column -= 1;
    }
    (quotes, column)
}

/// The block an IAL line at `offset` follows when its line is outside one of the
/// `containers` it was parsed into (outermost first): that container (a blockquote) or
/// its list.
fn outside_of(text: &str, offset: usize, containers: &[Container]) -> Option<usize> {
    let (quotes, column) = line_position(text, offset);
    let mut depth = 0;
    for container in containers {
        match *container {
            Container::Quote(start) => {
                depth += 1;
                if quotes < depth {
                    return Some(start);
                }
            }
            Container::Item { list, marker } => {
                if quotes == depth && column <= marker {
                    return Some(list);
                }
            }
        }
    }
    None
}

/// One line of a paragraph: its events (`from..to`), and, if it is an IAL, what it says.
struct Line {
    from: usize,
    to: usize,
    ial: Option<(usize, Result<Attrs, String>)>,
}

fn lines_of(events: &[Spanned<'_>], from: usize, to: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = from;
    for i in from..=to {
        if i == to || matches!(events[i].0, Event::SoftBreak | Event::HardBreak) {
            let all_text = (start..i).all(|k| matches!(events[k].0, Event::Text(_)));
            let ial = if all_text && start < i {
                let text: String = (start..i)
                    .filter_map(|k| match &events[k].0 {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                parse_ial(&text).map(|parsed| (events[start].1.start, parsed))
            } else {
                None
            };
            lines.push(Line {
                from: start,
                to: i,
                ial,
            });
            start = i + 1;
        }
    }
    lines
}

/// Applies every IAL of a page, read whole: returns the events to render.
fn rewrite<'a>(events: Vec<Spanned<'a>>, text: &str, found: &mut Found) -> Vec<Spanned<'a>> {
    let (ends, starts) = pair_up(&events);
    // Attributes for a block, by the index of its start (or its one event).
    let mut on_block: HashMap<usize, Attrs> = HashMap::new();
    // Paragraphs rewritten whole: start index → (end index, new events).
    let mut paragraphs: HashMap<usize, (usize, Vec<Spanned<'a>>)> = HashMap::new();
    // Events left out: IAL lines in a tight list item's text.
    let mut skip: HashSet<usize> = HashSet::new();
    let mut containers: Vec<Container> = Vec::new();
    let mut lists: Vec<usize> = Vec::new();

    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::BlockQuote(_)) => containers.push(Container::Quote(i)),
            Event::Start(Tag::List(_)) => lists.push(i),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                if let Some(list) = lists.last() {
                    let marker = line_position(text, events[i].1.start).1;
                    containers.push(Container::Item {
                        list: *list,
                        marker,
                    });
                }
                tight_item(
                    &events,
                    text,
                    i,
                    &ends,
                    &containers,
                    &mut on_block,
                    &mut skip,
                    found,
                );
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item) => {
                containers.pop();
            }
            Event::Start(Tag::Paragraph) => {
                let end = ends.get(&i).copied().unwrap_or(events.len());
                let lines = lines_of(&events, i + 1, end);
                if lines.iter().any(|l| l.ial.is_some()) {
                    let rewritten = paragraph(
                        &events,
                        text,
                        i,
                        end,
                        lines,
                        &containers,
                        &ends,
                        &starts,
                        &mut on_block,
                        found,
                    );
                    paragraphs.insert(i, (end, rewritten));
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }

    let mut out: Vec<Spanned<'a>> = Vec::with_capacity(events.len());
    // Callouts made from blockquotes: their index in `out`, to take a leading `**Note:**`.
    let mut callouts: Vec<usize> = Vec::new();
    // End index → the HTML that closes what its start became.
    let mut closers: HashMap<usize, String> = HashMap::new();
    let mut events = events.into_iter().enumerate().peekable();
    while let Some((i, (event, range))) = events.next() {
        if let Some((end, rewritten)) = paragraphs.remove(&i) {
            let attrs = on_block.remove(&i);
            let mut rewritten = rewritten;
            if let Some(attrs) = attrs {
                set_paragraph_attrs(&mut rewritten, &attrs);
            }
            out.extend(rewritten);
            while events.peek().is_some_and(|(k, _)| *k <= end) {
                events.next();
            }
            continue;
        }
        if skip.contains(&i) {
            continue;
        }
        if let Some(closer) = closers.remove(&i) {
            out.push((Event::Html(closer.into()), range));
            continue;
        }
        let attrs = on_block.remove(&i);
        match (event, attrs) {
            (Event::Start(Tag::BlockQuote(kind)), attrs) if kind.is_some() || attrs.is_some() => {
                let attrs = attrs.unwrap_or_default();
                let mut html = String::new();
                let end = ends.get(&i).copied();
                let alert_kind = kind.map(alert);
                if let Some((kind, title)) = alert_kind.or_else(|| attrs.callout()) {
                    callout_open(kind, title, &attrs, &mut html);
                    if let Some(end) = end {
                        closers.insert(end, "</div>\n".into());
                    }
                    if alert_kind.is_none() {
                        callouts.push(out.len());
                    }
                } else {
                    html.push_str("<blockquote");
                    attrs.write(&[], &mut html);
                    html.push_str(">\n");
                    if let Some(end) = end {
                        closers.insert(end, "</blockquote>\n".into());
                    }
                }
                remember_id(&attrs, found);
                out.push((Event::Html(html.into()), range));
            }
            (
                Event::Start(Tag::Heading {
                    level,
                    id,
                    mut classes,
                    mut attrs,
                }),
                extra,
            ) => {
                // `## Title {:.x}`: pulldown-cmark reads the braces as heading attributes,
                // the colon as a name (`:`, `:.x`, `:#id`); kramdown's meaning is kept.
                let mut id = id;
                attrs.retain(|(key, _)| {
                    if let Some(class) = key.strip_prefix(":.") {
                        classes.push(class.to_string().into());
                    } else if let Some(name) = key.strip_prefix(":#") {
                        id = Some(name.to_string().into());
                    }
                    !key.starts_with(':')
                });
                let extra = extra.unwrap_or_default();
                let id = extra.id.map(CowStr::from).or(id);
                for class in extra.classes {
                    if !classes.iter().any(|c| **c == *class) {
                        classes.push(class.into());
                    }
                }
                for (key, value) in extra.pairs {
                    attrs.push((key.into(), Some(value.into())));
                }
                out.push((
                    Event::Start(Tag::Heading {
                        level,
                        id,
                        classes,
                        attrs,
                    }),
                    range,
                ));
            }
            (Event::Start(Tag::List(start)), Some(attrs)) => {
                let mut html = String::new();
                match start {
                    Some(1) => html.push_str("<ol"),
                    Some(n) => html.push_str(&format!("<ol start=\"{n}\"")),
                    None => html.push_str("<ul"),
                }
                attrs.write(&[], &mut html);
                html.push_str(">\n");
                remember_id(&attrs, found);
                if let Some(end) = ends.get(&i) {
                    let tag = if start.is_some() { "ol" } else { "ul" };
                    closers.insert(*end, format!("</{tag}>\n"));
                }
                out.push((Event::Html(html.into()), range));
            }
            (Event::Start(Tag::Item), Some(attrs)) => {
                let mut html = String::from("<li");
                attrs.write(&[], &mut html);
                html.push('>');
                remember_id(&attrs, found);
                if let Some(end) = ends.get(&i) {
                    closers.insert(*end, "</li>\n".into());
                }
                out.push((Event::Html(html.into()), range));
            }
            (Event::Start(Tag::Paragraph), Some(attrs)) => {
                let mut html = String::from("<p");
                attrs.write(&[], &mut html);
                html.push('>');
                remember_id(&attrs, found);
                if let Some(end) = ends.get(&i) {
                    closers.insert(*end, "</p>\n".into());
                }
                out.push((Event::Html(html.into()), range));
            }
            (Event::Html(code), Some(attrs)) => {
                remember_id(&attrs, found);
                out.push((
                    Event::Html(with_attrs_on_first_tag(&code, &attrs).into()),
                    range,
                ));
            }
            (Event::Rule, Some(attrs)) => {
                let mut html = String::from("<hr");
                attrs.write(&[], &mut html);
                html.push_str(" />\n");
                remember_id(&attrs, found);
                out.push((Event::Html(html.into()), range));
            }
            (event, Some(_)) => {
                let name = block_name(&event).unwrap_or("block");
                found.problems.push((
                    range.start,
                    format!("block attributes cannot be set on a {name}"),
                ));
                out.push((event, range));
            }
            (event, None) => out.push((event, range)),
        }
    }
    for at in callouts {
        take_leading_label(&mut out, at);
    }
    flag_leftovers(&out, found);
    out
}

/// A tight list item's text (no paragraph around it): an IAL line in it applies to the
/// item, or, on a line outside the item (a lazy line), to the list.
#[allow(clippy::too_many_arguments)]
fn tight_item(
    events: &[Spanned<'_>],
    text: &str,
    item: usize,
    ends: &HashMap<usize, usize>,
    containers: &[Container],
    on_block: &mut HashMap<usize, Attrs>,
    skip: &mut HashSet<usize>,
    found: &mut Found,
) {
    let Some(&end) = ends.get(&item) else {
        return;
    };
    let run_end = (item + 1..end)
        .find(|&k| block_name(&events[k].0).is_some())
        .unwrap_or(end);
    if run_end == item + 1 {
        return;
    }
    for line in lines_of(events, item + 1, run_end) {
        let Some((offset, parsed)) = line.ial else {
            continue;
        };
        match parsed {
            Ok(attrs) => {
                let target = outside_of(text, offset, containers).unwrap_or(item);
                on_block.entry(target).or_default().merge(attrs);
            }
            Err(message) => found.problems.push((offset, message)),
        }
        skip.extend(line.from..line.to);
        // The line break before it goes too.
        if line.from > item + 1 {
            skip.insert(line.from - 1);
        }
    }
}

/// A paragraph that holds IAL lines: split where kramdown would, and each IAL applied
/// to the text before it, else after it, else to a neighbouring block.
#[allow(clippy::too_many_arguments)]
fn paragraph<'a>(
    events: &[Spanned<'a>],
    text: &str,
    start: usize,
    end: usize,
    lines: Vec<Line>,
    containers: &[Container],
    ends: &HashMap<usize, usize>,
    starts: &HashMap<usize, usize>,
    on_block: &mut HashMap<usize, Attrs>,
    found: &mut Found,
) -> Vec<Spanned<'a>> {
    // Runs of content lines (event ranges) with their attributes.
    let mut segments: Vec<(usize, usize, Attrs)> = Vec::new();
    // IAL lines before any text: they go to the text after them.
    let mut pending: Vec<(usize, Attrs)> = Vec::new();
    // Whether IAL lines now apply to the last segment (they follow its text).
    let mut after_content = false;
    let mut last_was_content = false;
    for line in lines {
        match line.ial {
            Some((offset, Err(message))) => {
                found.problems.push((offset, message));
                last_was_content = false;
            }
            Some((offset, Ok(attrs))) => {
                let outside = after_content
                    .then(|| outside_of(text, offset, containers))
                    .flatten();
                if let Some(block) = outside {
                    // A lazy line after a blockquote's or list item's text: it follows
                    // the blockquote or list that its line is outside of.
                    on_block.entry(block).or_default().merge(attrs);
                } else if after_content && let Some(last) = segments.last_mut() {
                    last.2.merge(attrs);
                } else {
                    pending.push((offset, attrs));
                }
                last_was_content = false;
            }
            None => {
                if last_was_content && let Some(last) = segments.last_mut() {
                    last.1 = line.to;
                } else {
                    let mut attrs = Attrs::default();
                    for (_, p) in pending.drain(..) {
                        attrs.merge(p);
                    }
                    segments.push((line.from, line.to, attrs));
                }
                after_content = true;
                last_was_content = true;
            }
        }
    }
    // IALs with no text after them in this paragraph.
    if !pending.is_empty() {
        let offset = pending[0].0;
        let mut attrs = Attrs::default();
        for (_, p) in pending.drain(..) {
            attrs.merge(p);
        }
        if segments.is_empty() {
            match neighbour(events, text, start, end, ends, starts) {
                Some(target) => on_block.entry(target).or_default().merge(attrs),
                None => found.problems.push((
                    offset,
                    "this block attribute list applies to nothing: put it on the line right before or after a block, with no blank line between (kramdown's rule)".to_string(),
                )),
            }
        } else if let Some(last) = segments.last_mut() {
            // After the last text of the paragraph with no blank line: applies to it.
            last.2.merge(attrs);
        }
    }
    let mut out = Vec::new();
    for (from, to, attrs) in segments {
        let range = events[from].1.start..events[to.saturating_sub(1).max(from)].1.end;
        let mut to = to;
        while to > from && matches!(events[to - 1].0, Event::SoftBreak | Event::HardBreak) {
            to -= 1;
        }
        if attrs == Attrs::default() {
            out.push((Event::Start(Tag::Paragraph), range.clone()));
            out.extend(events[from..to].iter().cloned());
            out.push((Event::End(TagEnd::Paragraph), range));
        } else {
            let mut html = String::from("<p");
            attrs.write(&[], &mut html);
            html.push('>');
            remember_id(&attrs, found);
            out.push((Event::Html(html.into()), range.clone()));
            out.extend(events[from..to].iter().cloned());
            out.push((Event::Html("</p>\n".into()), range));
        }
    }
    out
}

/// The block an IAL paragraph applies to: the one right before it (kramdown prefers it),
/// else the one right after it, with no blank line in between.
fn neighbour(
    events: &[Spanned<'_>],
    text: &str,
    start: usize,
    end: usize,
    ends: &HashMap<usize, usize>,
    starts: &HashMap<usize, usize>,
) -> Option<usize> {
    let here = &events[start].1;
    if start > 0 {
        let before = start - 1;
        let target = match &events[before].0 {
            Event::End(_) => starts.get(&before).copied(),
            Event::Html(_) | Event::Rule => Some(before),
            _ => None,
        };
        // A list's (or item's) range runs on over the blank lines after it: what counts
        // is where its text ends.
        let before_end = text[..events[before].1.end.min(text.len())]
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .len();
        if let Some(target) = target
            && block_name(&events[target].0).is_some()
            && adjacent(text, before_end, here.start)
        {
            return Some(target);
        }
    }
    let after = end + 1;
    if after < events.len()
        && block_name(&events[after].0).is_some()
        && (matches!(events[after].0, Event::Start(_)) && ends.contains_key(&after)
            || matches!(events[after].0, Event::Html(_) | Event::Rule))
        && adjacent(text, here.end, events[after].1.start)
    {
        return Some(after);
    }
    None
}

fn set_paragraph_attrs(events: &mut [Spanned<'_>], attrs: &Attrs) {
    if let Some((first, _)) = events.first_mut() {
        let mut html = String::from("<p");
        attrs.write(&[], &mut html);
        html.push('>');
        *first = Event::Html(html.into());
    }
    if let Some((last, _)) = events.last_mut() {
        *last = Event::Html("</p>\n".into());
    }
}

fn remember_id(attrs: &Attrs, found: &mut Found) {
    if let Some(id) = &attrs.id {
        found.anchors.insert(id.clone());
    }
}

/// Sets attributes on the first tag of an HTML event (a highlighted code block's `<pre>`),
/// adding classes to the ones it has.
fn with_attrs_on_first_tag(html: &str, attrs: &Attrs) -> String {
    let Some(tag_end) = html.find('>') else {
        return html.to_string();
    };
    let tag = &html[..tag_end];
    let mut own_classes: Vec<&str> = Vec::new();
    let mut tag_without_class = tag.to_string();
    if let Some(at) = tag.find(" class=\"")
        && let Some(len) = tag[at + 8..].find('"')
    {
        own_classes = tag[at + 8..at + 8 + len].split_whitespace().collect();
        tag_without_class = format!("{}{}", &tag[..at], &tag[at + 8 + len + 1..]);
    }
    let name_end = tag_without_class
        .find(char::is_whitespace)
        .unwrap_or(tag_without_class.len());
    let mut out = String::with_capacity(html.len() + 64);
    out.push_str(&tag_without_class[..name_end]);
    attrs.write(&own_classes, &mut out);
    out.push_str(&tag_without_class[name_end..]);
    out.push_str(&html[tag_end..]);
    out
}

/// A callout made from a blockquote whose text starts with `**Note:**` (as Kong's docs
/// write them) takes that label as its title instead of repeating it.
fn take_leading_label(out: &mut [Spanned<'_>], at: usize) {
    let Some(window) = out.get(at..at + 6) else {
        return;
    };
    let opens_paragraph = match &window[1].0 {
        Event::Start(Tag::Paragraph) => true,
        Event::Html(h) => h.starts_with("<p"),
        _ => false,
    };
    let (Event::Start(Tag::Strong), Event::Text(label), Event::End(TagEnd::Strong)) =
        (&window[2].0, &window[3].0, &window[4].0)
    else {
        return;
    };
    if !opens_paragraph {
        return;
    }
    let after = match &window[5].0 {
        Event::Text(t) => t.as_ref(),
        _ => "",
    };
    let (title, rest) = if let Some(title) = label.trim_end().strip_suffix(':') {
        (title.trim().to_string(), after.trim_start().to_string())
    } else if let Some(rest) = after.strip_prefix(':') {
        (label.trim().to_string(), rest.trim_start().to_string())
    } else {
        return;
    };
    if title.is_empty() || title.chars().count() > 40 {
        return;
    }
    let Event::Html(open) = &out[at].0 else {
        return;
    };
    let Some(title_at) = open.find("<p class=\"callout-title\">") else {
        return;
    };
    let mut html = open[..title_at].to_string();
    html.push_str("<p class=\"callout-title\">");
    escape_into(&title, &mut html);
    html.push_str("</p>\n");
    out[at].0 = Event::Html(html.into());
    for (event, _) in &mut out[at + 2..at + 5] {
        *event = Event::Text("".into());
    }
    if matches!(out[at + 5].0, Event::Text(_)) {
        out[at + 5].0 = Event::Text(rest.into());
    }
}

/// A `{:` line that no rule above took (in a list item's or a table's text) is an error,
/// not text.
fn flag_leftovers(out: &[Spanned<'_>], found: &mut Found) {
    for (k, (event, range)) in out.iter().enumerate() {
        let Event::Text(text) = event else { continue };
        let at_line_start = k == 0
            || matches!(
                out[k - 1].0,
                Event::SoftBreak
                    | Event::HardBreak
                    | Event::Start(Tag::Item | Tag::TableCell | Tag::Paragraph)
            );
        if at_line_start && text.trim_start().starts_with("{:") {
            found.problems.push((
                range.start,
                "this block attribute list applies to nothing here: put it on a line of its own right before or after a block (kramdown's rule)".to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::*;

    fn html(text: &str) -> String {
        let out = render(text, "a.md");
        assert_eq!(out.problems, Vec::new(), "{text}");
        out.html
    }

    fn problems(text: &str) -> Vec<(usize, String)> {
        render(text, "a.md").problems
    }

    #[test]
    fn an_ial_before_a_blockquote_makes_it_a_callout_titled_by_its_label() {
        insta::assert_snapshot!(
            "ial_before_blockquote",
            html("## Install\n\n{:.note}\n> **Note:** Read this first.\n\nAfter.\n")
        );
    }

    #[test]
    fn an_ial_after_a_blockquote_on_its_lazy_line_applies_to_the_blockquote() {
        // Kong's docs: `> **Important:** …` then `{:.important}` with no `>`.
        insta::assert_snapshot!(
            "ial_after_blockquote",
            html("> **Important:** Do it.\n> Really.\n{:.important}\n")
        );
        // With its `>`, the IAL is inside the quote and applies to the paragraph there.
        assert_eq!(
            html("> Quoted.\n> {:.inner}\n"),
            "<blockquote>\n<p class=\"inner\">Quoted.</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn an_ial_above_a_blockquote_after_a_list_goes_to_the_blockquote() {
        // A list's range runs on over the blank line after it; the IAL is not adjacent to
        // the list, so it applies to the blockquote right after it, as kramdown has it.
        for text in [
            "- a\n- b\n\n{:.note}\n> After the list.\n",
            "1. Item with a list:\n   - inner\n\n   {:.note}\n   > After an inner list.\n",
        ] {
            let out = html(text);
            assert!(
                out.contains("<div class=\"callout callout-note\""),
                "{text}\n{out}"
            );
            assert!(!out.contains("class=\"note\""), "{text}\n{out}");
        }
        // Right after the list, with no blank line, it is the list's.
        assert!(html("- a\n- b\n{:.compact}\n\nNext.\n").contains("<ul class=\"compact\">"));
    }

    #[test]
    fn every_callout_class_and_other_classes_on_a_blockquote() {
        for (class, title) in CALLOUTS {
            let out = html(&format!("{{:.{class} .wide #c-{class}}}\n> Body.\n"));
            assert_eq!(
                out,
                format!(
                    "<div id=\"c-{class}\" class=\"callout callout-{class} wide\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n<p>Body.</p>\n</div>\n"
                )
            );
        }
        assert_eq!(
            html("> Plain.\n{:.indent}\n"),
            "<blockquote class=\"indent\">\n<p>Plain.</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn github_alerts_are_callouts_with_githubs_titles() {
        let mut all = String::new();
        for kind in ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"] {
            all.push_str(&html(&format!("> [!{kind}]\n> Text for {kind}.\n")));
        }
        insta::assert_snapshot!("github_alerts", all);
        // An IAL adds to an alert without changing its kind.
        assert_eq!(
            html("{: #w .wide}\n> [!WARNING]\n> Hot.\n"),
            "<div id=\"w\" class=\"callout callout-warning wide\" role=\"note\">\n<p class=\"callout-title\">Warning</p>\n<p>Hot.</p>\n</div>\n"
        );
    }

    #[test]
    fn ials_before_and_after_blocks_set_ids_classes_and_pairs() {
        insta::assert_snapshot!(
            "ials_on_blocks",
            html(concat!(
                "A paragraph.\n{: #para-one .wide data-x=\"1 & 2\" title=\"it's\"}\n\n",
                "{:.lead}\nLead text.\n\n",
                "## Heading\n{:.badge .enterprise}\n\n",
                "```bash\necho\n```\n{: .ruby #code}\n\n",
                "{:.steps start-at=\"x\"}\n1. one\n2. two\n\n",
                "***\n{: .thin}\n\n",
                "First\n{:.a}\nSecond\n",
            ))
        );
        let out = render("{: #here}\n> q\n\nA\n{: #para}\n", "a.md");
        assert!(out.anchors.contains("here") && out.anchors.contains("para"));
    }

    #[test]
    fn ials_in_lists_apply_to_the_item_or_on_an_outer_line_to_the_list() {
        assert_eq!(
            html("- a\n- b\n{:.x}\n"),
            "<ul class=\"x\">\n<li>a</li>\n<li>b</li>\n</ul>\n"
        );
        assert_eq!(
            html("- a\n- b\n  {:.x}\n"),
            "<ul>\n<li>a</li>\n<li class=\"x\">b</li>\n</ul>\n"
        );
        assert_eq!(
            html("1. a\n   - b\n   {:.inner}\n"),
            "<ol>\n<li>a<ul class=\"inner\">\n<li>b</li>\n</ul>\n</li>\n</ol>\n"
        );
        // A loose list: the paragraph in the item, or the list.
        assert_eq!(
            html("- a\n\n- b\n  {: #b}\n"),
            "<ul>\n<li>\n<p>a</p>\n</li>\n<li><p id=\"b\">b</p>\n</li>\n</ul>\n"
        );
        assert_eq!(
            html("- a\n\n- b\n{:.steps}\n"),
            "<ul class=\"steps\">\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n"
        );
        // After a code block in a list item, as Kong's steps write `{:.indent}`.
        assert_eq!(
            html("1. Run:\n\n   ```bash\n   ls\n   ```\n   {:.indent}\n"),
            "<ol>\n<li>\n<p>Run:</p>\n<div class=\"code-block indent\"><pre class=\"code\" data-lang=\"bash\"><code><span class=\"line\"><span class=\"hl-fn\">ls</span></span>\n</code></pre></div>\n</li>\n</ol>\n"
        );
    }

    #[test]
    fn kramdown_braces_at_the_end_of_a_heading_keep_their_meaning() {
        assert_eq!(
            html("## One {:.a}\n\n## Two {: .b #second}\n\n## Three {#third .c}\n"),
            concat!(
                "<h2 id=\"one\" class=\"a\">One<a class=\"anchor\" href=\"#one\" aria-label=\"Link to this section\">#</a></h2>\n",
                "<h2 id=\"second\" class=\"b\">Two<a class=\"anchor\" href=\"#second\" aria-label=\"Link to this section\">#</a></h2>\n",
                "<h2 id=\"third\" class=\"c\">Three<a class=\"anchor\" href=\"#third\" aria-label=\"Link to this section\">#</a></h2>\n",
            )
        );
    }

    #[test]
    fn several_ial_lines_add_up() {
        assert_eq!(
            html("{:.a #first}\n{: .b #second k=\"1\"}\n> q\n"),
            "<blockquote id=\"second\" class=\"a b\" k=\"1\">\n<p>q</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn an_ial_between_two_blocks_applies_to_the_one_before() {
        assert_eq!(
            html("## Title\n{:.x}\n> quote\n"),
            "<h2 id=\"title\" class=\"x\">Title<a class=\"anchor\" href=\"#title\" aria-label=\"Link to this section\">#</a></h2>\n<blockquote>\n<p>quote</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn an_ial_that_applies_to_nothing_is_an_error_at_its_offset() {
        let text = "Para.\n\n{:.note}\n\nOther.\n";
        assert_eq!(
            problems(text),
            [(
                text.find("{:").unwrap(),
                "this block attribute list applies to nothing: put it on the line right before or after a block, with no blank line between (kramdown's rule)".to_string()
            )]
        );
        let out = render(text, "a.md");
        assert!(!out.html.contains("{:"), "{}", out.html);
        let in_a_table = "| a |\n|---|\n| {:.x} |\n";
        assert_eq!(
            problems(in_a_table),
            [(
                in_a_table.find("{:").unwrap(),
                "this block attribute list applies to nothing here: put it on a line of its own right before or after a block (kramdown's rule)".to_string()
            )]
        );
    }

    #[test]
    fn malformed_ials_are_errors_that_say_why() {
        let cases = [
            ("{:.note\n> q\n", "must end with '}'"),
            ("{::comment}\n> q\n", "kramdown extensions"),
            ("{:ref: .x}\n> q\n", "attribute list definitions"),
            ("{:ref}\n> q\n", "'ref' is not an attribute"),
            ("{: k=v}\n> q\n", "the value of 'k' must be quoted"),
            ("{: 1k=\"v\"}\n> q\n", "'1k' is not an attribute name"),
        ];
        let mut shown = String::new();
        for (text, wanted) in cases {
            let found = problems(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, 0);
            assert!(found[0].1.contains(wanted), "{text}: {}", found[0].1);
            shown.push_str(&found[0].1);
            shown.push('\n');
        }
        insta::assert_snapshot!("malformed_ials", shown);
    }

    #[test]
    fn block_attributes_on_a_table_are_an_error() {
        let found = problems("{:.x}\n| a |\n|---|\n| b |\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("cannot be set on a table"), "{found:?}");
    }

    #[test]
    fn a_page_without_ials_streams_and_code_keeps_braces() {
        assert_eq!(
            html("```ruby\nh = {:a => 1}\n```\n\n`{:.x}`\n"),
            "<div class=\"code-block\"><pre class=\"code\" data-lang=\"ruby\"><code><span class=\"line\">h <span class=\"hl-op\">=</span> {<span class=\"hl-con\">:a</span> =&gt; <span class=\"hl-num\">1</span>}</span>\n</code></pre></div>\n<p><code>{:.x}</code></p>\n"
        );
    }
}
