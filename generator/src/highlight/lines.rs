//! A block's lines as HTML from runs of classed text: what both highlighters (the
//! fast path and the grammar) write into, so that the same runs give the same HTML.

use edge::html::escape_into;

use super::classes::Class;

/// A block's lines as HTML, built from runs of classed text: a span per run of one
/// class, none for plain text, closed at each line's end. The same runs give the same
/// HTML however they are split, so the fast path and the grammar compare by it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lines {
    lines: Vec<String>,
    current: String,
    open: Option<Class>,
}

impl Lines {
    /// Appends `text` (which may hold newlines) in `class`.
    pub fn push(&mut self, class: Option<Class>, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let (piece, newline) = match rest.find('\n') {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            // A `\r` before a newline is not shown (nor one alone before it, in a run of
            // its own).
            let shown = match newline {
                true => piece.strip_suffix('\r').unwrap_or(piece),
                false if piece == "\r" => "",
                false => piece,
            };
            if !shown.is_empty() {
                let piece = shown;
                if class != self.open {
                    self.close();
                    if let Some(class) = class {
                        self.current.push_str("<span class=\"");
                        self.current.push_str(class.css());
                        self.current.push_str("\">");
                    }
                    self.open = class;
                }
                escape_into(piece, &mut self.current);
            }
            if newline {
                self.close();
                self.lines.push(std::mem::take(&mut self.current));
                rest = &rest[piece.len() + 1..];
            } else {
                rest = "";
            }
        }
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.current.push_str("</span>");
        }
    }

    /// The lines' HTML; a last line without a newline counts.
    pub fn finish(mut self) -> Vec<String> {
        self.close();
        if !self.current.is_empty() {
            self.lines.push(self.current);
        }
        self.lines
    }
}
