//! A page's searchable text: its HTML reduced to plain text, and its headings.

use crate::markdown::{SELF_LINK_OPEN, TocEntry};

pub(super) fn collect_headings(toc: &[TocEntry], out: &mut Vec<String>) {
    for entry in toc {
        out.push(plain_text(&entry.title, usize::MAX));
        collect_headings(&entry.children, out);
    }
}

/// The text of an HTML fragment: tags dropped (block-level ones leave a space, so words
/// of two paragraphs do not run together), heading self-links (`#`) dropped with their
/// text, the entities our renderer writes decoded, white space collapsed. Stops once it
/// has `enough` characters.
pub(super) fn plain_text(html: &str, enough: usize) -> String {
    let mut text = Text::default();
    let mut rest = html;
    while text.chars < enough {
        let Some(open) = rest.find('<') else {
            text.push_html_text(rest);
            break;
        };
        text.push_html_text(&rest[..open]);
        let tag = &rest[open..];
        let Some(close) = tag.find('>') else { break };
        rest = &tag[close + 1..];
        if tag.starts_with(SELF_LINK_OPEN) {
            rest = rest.find("</a>").map_or("", |end| &rest[end + 4..]);
            continue;
        }
        let inside = tag[1..close].trim_start_matches('/');
        let name = &inside[..inside
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(inside.len())];
        if is_block(name) {
            text.push(' ');
        }
    }
    text.out
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
#[derive(Default)]
struct Text {
    out: String,
    chars: usize,
    space_pending: bool,
}

impl Text {
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

    /// Text between tags: the entities our renderer writes are decoded.
    fn push_html_text(&mut self, fragment: &str) {
        const ENTITIES: [(&str, char); 7] = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
            ("&nbsp;", ' '),
        ];
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

    /// Characters without white space or entities.
    fn push_run(&mut self, run: &str) {
        if self.space_pending {
            self.out.push(' ');
            self.chars += 1;
            self.space_pending = false;
        }
        self.out.push_str(run);
        self.chars += run.chars().count();
    }
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
    fn long_text_is_cut_at_a_word() {
        assert_eq!(truncate_chars("one two three", 9), "one two…");
        assert_eq!(truncate_chars("short", 9), "short");
        assert_eq!(truncate_chars("ééééé", 3), "ééé…");
    }

    #[test]
    fn headings_are_listed_depth_first() {
        let entry = |title: &str, children| TocEntry {
            id: String::new(),
            title: title.into(),
            level: 2,
            children,
        };
        let toc = vec![
            entry("Set up", vec![entry("Sign &amp; verify", vec![])]),
            entry("Reset", vec![]),
        ];
        let mut headings = Vec::new();
        collect_headings(&toc, &mut headings);
        assert_eq!(headings, ["Set up", "Sign & verify", "Reset"]);
    }
}
