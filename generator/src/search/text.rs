//! A page's searchable text: the rules that reduce HTML to plain text ([`plain_text`]),
//! and the same rules applied as the Markdown stage renders ([`TextBuilder`]).

/// How a heading's self-link (`#`, after the heading text) starts: the Markdown stage
/// writes it, and the page's text leaves it out.
pub const SELF_LINK_OPEN: &str = "<a class=\"anchor\"";

/// The text of an HTML fragment: tags dropped (block-level ones leave a space, so words
/// of two paragraphs do not run together), heading self-links (`#`) dropped with their
/// text, the entities our renderer writes decoded, white space collapsed. Stops once it
/// has `enough` characters.
pub fn plain_text(html: &str, enough: usize) -> String {
    let mut text = Text {
        counted: enough < usize::MAX,
        ..Text::default()
    };
    text.push_html(html, enough);
    text.finish()
}

/// A page's searchable text made as its Markdown renders, by the same rules as
/// [`plain_text`] on the page's HTML: the Markdown stage hands over text (decoded
/// already), block boundaries, and raw HTML (read as [`plain_text`] reads it, a tag
/// split across fragments included).
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: Text,
}

impl TextBuilder {
    /// A builder with room for `capacity` bytes of text.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            text: Text {
                out: String::with_capacity(capacity),
                ..Text::default()
            },
        }
    }

    /// Text as it shows: white space collapsed, nothing decoded.
    pub fn text(&mut self, text: &str) {
        self.text.settle();
        self.text.push_plain(text);
    }

    /// White space, or a block-level tag in the HTML: a space between words.
    pub fn space(&mut self) {
        self.text.settle();
        self.text.push(' ');
    }

    /// A fragment of raw HTML; a tag it leaves open is continued by the next fragment.
    pub fn html(&mut self, html: &str) {
        self.text.push_html(html, usize::MAX);
    }

    /// The text, with what an unclosed tag at the end held dropped (as [`plain_text`]
    /// drops it).
    ///
    /// The string is its own size (`serve` keeps every page's): copied when more than
    /// an eighth of it would be room left over.
    pub fn finish(self) -> String {
        let text = self.text.finish();
        if text.capacity() - text.len() > text.len() / 8 {
            return text.as_str().to_owned();
        }
        text
    }
}

/// Whether the tag `name` (any case) is block-level: its words do not run into the next
/// block's. Matched on the lowercased bytes, as this runs for every tag of every page.
fn is_block(name: &str) -> bool {
    let mut lower = [0u8; 10];
    let Some(name_lower) = lower.get_mut(..name.len()) else {
        return false;
    };
    for (to, from) in name_lower.iter_mut().zip(name.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    matches!(
        &*name_lower,
        b"p" | b"li"
            | b"ol"
            | b"ul"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"div"
            | b"br"
            | b"pre"
            | b"table"
            | b"tr"
            | b"td"
            | b"th"
            | b"blockquote"
            | b"dt"
            | b"dd"
            | b"hr"
            | b"section"
            | b"details"
            | b"summary"
    )
}

/// Text with white space collapsed as it is written, and its length in characters.
#[derive(Debug, Default)]
struct Text {
    out: String,
    /// The characters of `out`, when `counted` (only [`plain_text`] with a limit needs
    /// them; single characters are counted anyway).
    chars: usize,
    counted: bool,
    space_pending: bool,
    /// Raw HTML from an unclosed tag (or heading self-link) on: read again with the next
    /// fragment, which may close it.
    open: String,
}

impl Text {
    /// Reads HTML, continuing from a tag the last fragment left open.
    fn push_html(&mut self, html: &str, enough: usize) {
        let joined;
        let mut rest = if self.open.is_empty() {
            html
        } else {
            joined = std::mem::take(&mut self.open) + html;
            joined.as_str()
        };
        while self.chars < enough {
            let Some(open) = rest.find('<') else {
                let cut = entity_cut(rest);
                self.push_html_text(&rest[..cut]);
                if cut < rest.len() {
                    self.open = rest[cut..].to_string();
                }
                break;
            };
            self.push_html_text(&rest[..open]);
            let tag = &rest[open..];
            let Some(close) = tag.find('>') else {
                self.open = tag.to_string();
                break;
            };
            rest = &tag[close + 1..];
            if tag.starts_with(SELF_LINK_OPEN) {
                match rest.find("</a>") {
                    Some(end) => rest = &rest[end + 4..],
                    None => {
                        self.open = tag.to_string();
                        break;
                    }
                }
                continue;
            }
            if is_block(tag_name(&tag[1..close])) {
                self.push(' ');
            }
        }
    }

    /// Before text that is not raw HTML: a tag raw HTML left open ends here (a block-level
    /// one leaving a space), and a self-link's text with it. ([`plain_text`] on the whole
    /// page would read on into the next tag: only HTML no browser reads the same way, a
    /// `<` that opens a tag never closed, is read differently.)
    fn settle(&mut self) {
        if self.open.is_empty() {
            return;
        }
        let open = std::mem::take(&mut self.open);
        if open.starts_with('&') {
            self.push_html_text(&open);
        } else if !open.starts_with(SELF_LINK_OPEN) && is_block(tag_name(&open[1..])) {
            self.push(' ');
        }
    }

    /// The text: the start of an entity the HTML ended in is text; an unclosed tag is
    /// dropped with what follows it.
    fn finish(mut self) -> String {
        if self.open.starts_with('&') {
            let open = std::mem::take(&mut self.open);
            self.push_html_text(&open);
        }
        self.out
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space_pending = !self.out.is_empty();
            return;
        }
        if self.space_pending {
            self.out.push(' ');
            self.chars += 1;
            self.space_pending = false;
        }
        self.out.push(c);
        self.chars += 1;
    }

    /// Text as it shows (nothing to decode): white space collapsed. Most text events are
    /// words with one space between them, written as they are.
    fn push_plain(&mut self, text: &str) {
        let bytes = text.as_bytes();
        // `text[from..at]` needs no change.
        let mut from = 0;
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b > b' ' && b < 0x80 {
                at += 1;
                continue;
            }
            // One space between two printable ASCII characters stays.
            if b == b' '
                && at > from
                && bytes
                    .get(at + 1)
                    .is_some_and(|next| *next > b' ' && *next < 0x80)
            {
                at += 2;
                continue;
            }
            let c = match b {
                0..0x80 => char::from(b),
                _ => text[at..].chars().next().unwrap_or(' '),
            };
            if !c.is_whitespace() {
                at += c.len_utf8();
                continue;
            }
            self.push_run(&text[from..at]);
            self.push(c);
            at += c.len_utf8();
            from = at;
        }
        self.push_run(&text[from..]);
    }

    /// Text between tags: the entities our renderer writes are decoded.
    fn push_html_text(&mut self, fragment: &str) {
        let mut rest = fragment;
        while let Some(c) = rest.chars().next() {
            // A run of plain characters is copied at once.
            let run = plain_run(rest);
            if run > 0 {
                self.push_run(&rest[..run]);
                rest = &rest[run..];
                continue;
            }
            let entity = (c == '&')
                .then(|| ENTITIES.iter().find(|(name, _)| rest.starts_with(name)))
                .flatten();
            match entity {
                Some((name, decoded)) => {
                    self.push(*decoded);
                    rest = &rest[name.len()..];
                }
                None => {
                    self.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
    }

    /// Characters that need no change: no entities, white space only as single spaces
    /// between other characters.
    fn push_run(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if self.space_pending {
            self.out.push(' ');
            self.chars += 1;
            self.space_pending = false;
        }
        self.out.push_str(run);
        if self.counted {
            self.chars += run.chars().count();
        }
    }
}

/// The entities our renderer writes, decoded.
const ENTITIES: [(&str, char); 7] = [
    ("&amp;", '&'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&#39;", '\''),
    ("&#x27;", '\''),
    ("&nbsp;", ' '),
];

/// Where the start of an entity that `text` ends in is, if it ends in one (the next
/// fragment may finish it); else its length.
fn entity_cut(text: &str) -> usize {
    match text.rfind('&') {
        Some(at)
            if ENTITIES
                .iter()
                .any(|(name, _)| name.len() > text.len() - at && name.starts_with(&text[at..])) =>
        {
            at
        }
        _ => text.len(),
    }
}

/// The name of a tag from what follows its `<`: `/div class="x"` → `div`.
fn tag_name(inside: &str) -> &str {
    let inside = inside.trim_start_matches('/');
    &inside[..inside
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inside.len())]
}

/// The length in bytes of the start of `text` without white space or `&`.
fn plain_run(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b < 0x80 {
            if b == b'&' || b.is_ascii_whitespace() || b == 0x0b {
                return at;
            }
            at += 1;
        } else {
            let c = text[at..].chars().next().unwrap_or(' ');
            if c.is_whitespace() {
                return at;
            }
            at += c.len_utf8();
        }
    }
    at
}

/// At most `max` characters, cut at a word boundary when there is one, with `…` when cut.
pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head.rfind(' ').map_or(head, |space| &head[..space]);
            format!("{head}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_plain_and_collapsed() {
        let html = "<h2 id=\"a\">Set &amp; go<a class=\"anchor\" href=\"#a\">#</a></h2>\n<p>Run <code>kong start</code>&nbsp;now: <strong>a</strong>b.</p><p>Next</p>";
        assert_eq!(
            plain_text(html, usize::MAX),
            "Set & go Run kong start now: ab. Next"
        );
        assert_eq!(
            plain_text("&amp;lt; &unknown;", usize::MAX),
            "&lt; &unknown;"
        );
        // Only the start of a long page is read.
        assert_eq!(plain_text("<p>one two</p><p>three</p>", 5), "one two");
    }

    #[test]
    fn block_tags_leave_a_space_in_any_case() {
        assert_eq!(
            plain_text(
                "<P>a</P><BlockQuote>b</BlockQuote><span>c</span>d<SECTION>e",
                usize::MAX
            ),
            "a b cd e"
        );
        assert!(!is_block("blockquotes") && !is_block("") && !is_block("span"));
    }

    #[test]
    fn html_in_fragments_reads_as_the_whole() {
        let html = "<div\n class=\"x\">a &amp; b</div><h2>c<a class=\"anchor\" href=\"#c\">#</a></h2><span>d</span>e";
        let whole = plain_text(html, usize::MAX);
        assert_eq!(whole, "a & b c de");
        for cut in (0..=html.len()).filter(|&i| html.is_char_boundary(i)) {
            let mut text = TextBuilder::default();
            text.html(&html[..cut]);
            text.html(&html[cut..]);
            assert_eq!(text.finish(), whole, "cut at {cut}");
        }
        // An entity's start at the end is text when nothing finishes it.
        assert_eq!(plain_text("a &am", usize::MAX), "a &am");
        let mut text = TextBuilder::default();
        text.html("a &am");
        text.text("b");
        assert_eq!(text.finish(), "a &amb");
    }

    #[test]
    fn text_is_collapsed_not_decoded_and_spaces_come_from_blocks() {
        let mut text = TextBuilder::default();
        text.space();
        text.text("  a &amp;\u{a0}b\n");
        text.text("c");
        text.space();
        text.space();
        text.text("d ");
        assert_eq!(text.finish(), "a &amp; b c d");
    }

    #[test]
    fn text_collapses_as_a_character_at_a_time_would() {
        for sample in [
            "one two",
            " one  two ",
            "a\tb\nc\r\nd",
            "a \u{a0}b",
            "é b\u{2003}c",
            "x\u{b}y",
            "tab\t",
            "  ",
            "",
            "a b c d",
            "日本 語",
            "a\u{1}b",
            "a !b",
            "a ébc",
        ] {
            let mut reference = Text::default();
            for c in sample.chars() {
                reference.push(c);
            }
            let mut text = TextBuilder::default();
            text.text("[");
            text.text(sample);
            text.text("]");
            let mut expected = Text::default();
            expected.push('[');
            for c in sample.chars() {
                expected.push(c);
            }
            expected.push(']');
            assert_eq!(text.finish(), expected.out, "{sample:?}");
            let mut alone = TextBuilder::default();
            alone.text(sample);
            assert_eq!(alone.finish(), reference.out, "{sample:?}");
        }
    }

    /// A tag raw HTML leaves open ends where other text comes (`plain_text` on the whole
    /// page would read on to the next `>`, a generated tag's).
    #[test]
    fn a_tag_left_open_ends_at_the_next_text() {
        let mut text = TextBuilder::default();
        text.text("a");
        text.html("<div class=\"x\"");
        text.text("b");
        text.html("<span");
        text.text("c");
        text.html("<a class=\"anchor\" href=\"#x\">#");
        text.text("d");
        text.html("<p");
        assert_eq!(text.finish(), "a bcd");
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        assert_eq!(truncate_chars("one two three", 9), "one two…");
        assert_eq!(truncate_chars("short", 9), "short");
        assert_eq!(truncate_chars("ééééé", 3), "ééé…");
    }
}
