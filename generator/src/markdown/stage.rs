//! The seam between [`super::render`]'s stages: each is an iterator over [`Spanned`]
//! events that wraps the stage before it ([`Stage`]), and what they find besides HTML
//! goes into one record, [`Found`], at the start of the chain ([`Start`]); with the
//! public shapes of what they find ([`TocEntry`], [`FoundLink`]).

use std::collections::HashSet;
use std::ops::Range;
use std::time::Duration;

use pulldown_cmark::Event;
use serde::Serialize;

use super::search_text::PageText;

/// An entry of a page's table of contents (`##` with its `###` children).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    pub id: String,
    /// HTML-escaped heading text.
    pub title: String,
    pub level: u8,
    pub children: Vec<TocEntry>,
}

/// A link target found in the page, with its byte offset in the rendered Markdown
/// text (the caller maps it back to the original file).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundLink {
    pub href: String,
    pub offset: usize,
}

/// An event and the byte range of the Markdown text it stands for.
pub(super) type Spanned<'a> = (Event<'a>, Range<usize>);

/// What the stages find in a page besides its HTML.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub links: Vec<FoundLink>,
    pub anchors: HashSet<String>,
    pub toc: Vec<TocEntry>,
    pub problems: Vec<(usize, String)>,
    pub warnings: Vec<(usize, String)>,
    pub slowest_block: Option<(usize, Duration)>,
    pub text: PageText,
}

/// A stage of [`render`]'s chain: an iterator over [`Spanned`] events that wraps the
/// stage before it and reaches the page's one [`Found`] record, so what any stage
/// records lands there in the order the events pass.
///
/// To add a stage (shortcodes, callouts, another highlighter), write one adapter like
/// the ones below and put it in the chain in [`render`]. Its `next` hands every event it
/// does not handle on as it is, and leaves the work to a method kept out of line:
///
/// ```text
/// let item = self.inner.next();
/// if matches!(item, Some((Event::Html(_), _))) {
///     return self.html(item); // #[inline(never)]
/// }
/// item
/// ```
///
/// Every event passes every stage: destructured in `next`, or with the work inlined
/// there, each event was copied piecewise at each stage, and rendering got 5–15% slower.
pub(super) trait Stage: Iterator {
    /// The page's record; a stage that wraps another forwards to it.
    fn found(&mut self) -> &mut Found;
}

/// The start of the chain: the parser's events, and the record the stages write into.
pub(super) struct Start<'f, I> {
    pub events: I,
    pub found: &'f mut Found,
}

impl<'a, I: Iterator<Item = Spanned<'a>>> Iterator for Start<'_, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        self.events.next()
    }
}

impl<'a, I: Iterator<Item = Spanned<'a>>> Stage for Start<'_, I> {
    fn found(&mut self) -> &mut Found {
        self.found
    }
}
