//! A page's searchable text, taken from the events as they pass rather than read back
//! from the page's HTML: the text of what a reader sees, by the rules of
//! [`search::text::plain_text`] on the HTML (`search/text.rs` holds them; this module
//! says what each event shows, and [`super::render`]'s search-text stage hands it the
//! events).
//!
//! - Text and inline code as they are (events carry entities decoded already), white
//!   space collapsed; soft and hard breaks, rules, task-list boxes and every block's start
//!   and end a space; inline markup (emphasis, links) nothing.
//! - Raw HTML (user HTML, shortcode output such as tabs, callouts and includes, the
//!   callouts the attribute stage makes) read as [`search::text::plain_text`] reads it.
//! - Code blocks from their text ([`CodeText`], left by the code-block stage), not their
//!   highlighted HTML: the title, each line's number with `linenos`, the lines.
//! - An image's alt text is not shown, so not taken; a footnote's number is, numbered as
//!   the HTML writer numbers them (the heading stage renders each heading apart, with
//!   numbers of its own).
//!
//! That stage sits between the attribute stage (which may drop or move text) and the
//! heading stage (so a heading's text comes without its `#` self-link).
//!
//! [`search::text::plain_text`]: crate::search::text::plain_text

use std::collections::{HashMap, VecDeque};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::search::text::TextBuilder;

/// A code block the code-block stage made into one HTML event: what of it is text.
#[derive(Debug)]
pub(super) struct CodeText {
    /// The event's range, which finds the event again.
    pub range: Range<usize>,
    /// The fence's `title="…"`.
    pub title: Option<String>,
    /// The fence's `linenos`: each line shows its number first.
    pub linenos: bool,
    pub body: String,
}

/// The text being made, and what the events before decide about the next ones.
#[derive(Debug, Default)]
pub(super) struct PageText {
    text: TextBuilder,
    /// Footnote numbers by name, in the order the HTML writer meets them.
    numbers: HashMap<String, usize>,
    /// In a heading: the numbers of its own writer.
    heading_numbers: Option<HashMap<String, usize>>,
    /// In an image: how deep (its events are its alt text, an attribute).
    image: usize,
    /// Code blocks made into HTML and not passed yet, in order.
    pub code: VecDeque<CodeText>,
}

impl PageText {
    /// For a page of `len` bytes of Markdown: its text is about as long (a little less:
    /// markup goes), so it is written without growing.
    pub fn new(len: usize) -> Self {
        Self {
            text: TextBuilder::with_capacity(len),
            ..Self::default()
        }
    }

    pub fn finish(self) -> String {
        self.text.finish()
    }

    /// What `event` shows.
    #[inline(never)]
    pub(super) fn event(&mut self, event: &Event<'_>, range: &Range<usize>) {
        if self.image > 0 {
            self.in_image(event);
            return;
        }
        match event {
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.text.text(text),
            Event::Html(html) | Event::InlineHtml(html) => {
                if self.code.front().is_some_and(|code| code.range == *range)
                    && let Some(code) = self.code.pop_front()
                {
                    self.code_block(&code);
                } else {
                    self.text.html(html);
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::Rule | Event::TaskListMarker(_) => {
                self.text.space()
            }
            Event::FootnoteReference(name) => {
                let number = self.number(name);
                self.text.text(&number.to_string());
            }
            Event::Start(tag) => match tag {
                Tag::Image { .. } => self.image = 1,
                Tag::Heading { .. } => {
                    self.heading_numbers = Some(HashMap::new());
                    self.text.space();
                }
                Tag::FootnoteDefinition(name) => {
                    self.text.space();
                    let number = self.number(name);
                    self.text.text(&number.to_string());
                }
                Tag::HtmlBlock
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::MetadataBlock(_) => {}
                Tag::Paragraph
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition => self.text.space(),
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    self.heading_numbers = None;
                    self.text.space();
                }
                TagEnd::HtmlBlock
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::MetadataBlock(_) => {}
                TagEnd::Paragraph
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition => self.text.space(),
            },
        }
    }

    /// An image's events, up to its end: nothing shows, but a footnote reference takes
    /// its number as it does in the HTML.
    fn in_image(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(_) => self.image += 1,
            Event::End(_) => self.image -= 1,
            Event::FootnoteReference(name) => {
                self.number(name);
            }
            _ => {}
        }
    }

    /// A footnote's number: the one it has, or the next.
    fn number(&mut self, name: &str) -> usize {
        let numbers = self.heading_numbers.as_mut().unwrap_or(&mut self.numbers);
        let next = numbers.len() + 1;
        *numbers.entry(name.to_string()).or_insert(next)
    }

    /// A code block as its HTML shows it (`highlight::highlight_block`): the title, then
    /// each line, after its number with `linenos`.
    fn code_block(&mut self, code: &CodeText) {
        self.text.space();
        if let Some(title) = &code.title {
            self.text.text(title);
            self.text.space();
        }
        self.text.space();
        let body = code.body.strip_suffix('\n').unwrap_or(&code.body);
        if code.linenos {
            let width = body.split('\n').count().to_string().len();
            for (i, line) in body.split('\n').enumerate() {
                self.text.text(&format!("{:>width$}", i + 1));
                self.text.text(line);
                self.text.space();
            }
        } else {
            self.text.text(body);
        }
        self.text.space();
    }
}
