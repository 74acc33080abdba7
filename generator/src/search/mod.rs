//! The search index: static files under `/search/` that the theme's script reads a few
//! at a time, so a reader's query downloads what its words need rather than the site.
//!
//! - `/search/meta.json` ([`META_PATH`]): the format version, the page count, how many
//!   pages a fragment file holds, and for each index chunk the shortest string that
//!   starts it (`chunks[i] <= term < chunks[i + 1]` says which chunk holds a term).
//! - `/search/index/N.bin`: index chunks, about [`CHUNK_BYTES`] each, of sorted terms
//!   with their postings: which pages have the term, and the best place it occurs there
//!   ([`Field`]: title > headings > text). Format in `search/format.rs`.
//! - `/search/pages/N.json`: page fragments, [`FRAGMENT_PAGES`] pages each (pages are
//!   numbered in URL order): title, URL, headings and the start of the text
//!   ([`FRAGMENT_TEXT_CHARS`]), for the results and their snippets.
//!
//! Every word of a page's text is indexed; only its start is kept for snippets. A term
//! found in more than [`POSTINGS_CAP`] pages keeps the postings of its best pages
//! (titles first, then headings, then repeated use), so a common word costs one chunk
//! like any other; the script treats such a word as a hint for ranking rather than a
//! filter.
//!
//! Built by [`SearchBuilder`], one page at a time ([`SearchBuilder::add`]), in any order
//! and in parallel parts ([`SearchBuilder::merge`]): the output depends only on the set
//! of pages, byte for byte.

mod format;
pub mod text;
pub mod tokenize;

use std::hash::BuildHasher;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use format::{TermEntry, decode_chunk};

use crate::markdown::TocEntry;
use crate::output::OutputFile;
use crate::page::Page;

/// The folder every file of the index is in.
pub const FOLDER: &str = "/search/";

/// The entry file: what the script reads first.
pub const META_PATH: &str = "/search/meta.json";

/// Version of the file format, in `meta.json`.
pub const FORMAT_VERSION: u32 = 1;

/// A term's postings beyond this many pages are dropped, keeping its best pages: a
/// capped term is at most about 2 KB of its chunk (varint deltas), so the chunk a
/// common word is in costs what any other does.
pub const POSTINGS_CAP: usize = 1000;

/// An index chunk is closed once its terms and postings reach this many bytes.
pub const CHUNK_BYTES: usize = 16 * 1024;

/// Pages per fragment file.
pub const FRAGMENT_PAGES: usize = 8;

/// How much of a page's text (in characters) its fragment keeps for snippets. A result
/// list reads up to 8 fragment files of [`FRAGMENT_PAGES`] pages: with 1,200 characters
/// a file is about 4 KB gzipped and the list about 35 KB, and most matches in docs are
/// near the top of a page or in a heading (which fragments keep whole). The whole text
/// (3.2 KB a page on the benchmark corpus) would make it about 90 KB.
pub const FRAGMENT_TEXT_CHARS: usize = 1200;

/// A page's text counts as repeated use of a term from this many occurrences.
const REPEATED: u32 = 3;

/// Where a term occurs in a page, best first; stored in two bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Field {
    Text = 0,
    /// At least [`REPEATED`] times in the text.
    TextRepeated = 1,
    Heading = 2,
    Title = 3,
}

/// The path of index chunk `n`.
pub fn chunk_path(n: usize) -> String {
    format!("{FOLDER}index/{n}.bin")
}

/// The path of fragment file `n` (pages `n * FRAGMENT_PAGES ..`).
pub fn fragment_path(n: usize) -> String {
    format!("{FOLDER}pages/{n}.json")
}

/// A page's entry in a fragment file.
#[derive(Serialize)]
struct Fragment<'a> {
    title: &'a str,
    url: &'a str,
    headings: &'a [String],
    text: &'a str,
}

/// What the index keeps of a page: its URL (pages are numbered in URL order) and its
/// fragment, as JSON already: the smallest form, and the one written.
#[derive(Debug)]
struct PageRecord {
    url: Box<str>,
    fragment: Box<[u8]>,
}

/// Term → its place in [`SearchBuilder::terms`] (the names are kept there, once).
#[derive(Default)]
struct TermTable {
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl std::fmt::Debug for TermTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TermTable({} terms)", self.table.len())
    }
}

impl TermTable {
    /// The id of `word`, added to `terms` if new.
    fn id(&mut self, terms: &mut Vec<Term>, word: &str) -> u32 {
        let hash = self.hasher.hash_one(word);
        if let Some(&id) = self
            .table
            .find(hash, |&id| short_eq(&terms[id as usize].name, word))
        {
            return id;
        }
        let id = terms.len() as u32;
        terms.push(Term {
            name: word.into(),
            hash,
            ..Term::default()
        });
        self.table
            .insert_unique(hash, id, |&id| terms[id as usize].hash);
        id
    }
}

/// Whether two short strings are equal, without a call to `memcmp` per lookup.
fn short_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    for (c, d) in (&mut x).zip(&mut y) {
        if word(c) != word(d) {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(c, d)| c == d)
}

/// The index being built, one page at a time ([`SearchBuilder::add`]); parts built in
/// parallel are joined with [`SearchBuilder::merge`]. Postings are kept as
/// `seq << 2 | field`, `seq` being the order pages came in; [`SearchBuilder::finish`]
/// numbers pages by URL, so the files do not depend on that order.
#[derive(Debug, Default)]
pub struct SearchBuilder {
    pages: Vec<PageRecord>,
    /// Per page (by `seq`): a hash of its URL, which picks among equally good pages when
    /// a common term's postings are capped, whatever order pages came in.
    url_hashes: Vec<u32>,
    ids: TermTable,
    terms: Vec<Term>,
    text_bytes: usize,
    /// Terms of the page being added.
    touched: Vec<u32>,
    /// Fragments are handed back by [`SearchBuilder::add_streamed`] (for
    /// [`FragmentFiles`]) rather than kept for [`SearchBuilder::finish`].
    streamed: bool,
    /// The releases of the docs sets, for `meta.json`'s `releases`.
    releases: Vec<ReleaseScope>,
}

/// A release's pages, for the script to search the reader's release only: every URL
/// under `prefix` (`/gateway/3.3.x/`). In `meta.json` with the range of page numbers
/// they have (pages are numbered in URL order, so a release's pages are one range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseScope {
    pub prefix: String,
    /// The docs set's latest release: what a page outside every release searches.
    pub latest: bool,
}

/// Every release of the site's docs sets, for the index's ranges.
pub fn release_scopes(docsets: &crate::versions::Docsets) -> Vec<ReleaseScope> {
    docsets
        .sets
        .iter()
        .flat_map(|set| {
            set.releases.iter().map(|release| ReleaseScope {
                prefix: set.release_url(&release.name),
                latest: release.status == crate::versions::Status::Latest,
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct ReleaseRange<'a> {
    prefix: &'a str,
    latest: bool,
    first: usize,
    end: usize,
}

#[derive(Debug, Default)]
struct Term {
    name: Box<str>,
    hash: u64,
    /// Pages containing the term, counting those dropped by the cap.
    df: u32,
    postings: Vec<u32>,
    /// While a page is added: `seq + 1` of the last page it was seen in, its best place
    /// there among title and headings, and its count in the text.
    seen: u32,
    field: Option<Field>,
    count: u32,
}

impl SearchBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder whose pages' fragments go to the caller ([`SearchBuilder::add_streamed`]),
    /// which writes them with [`FragmentFiles`] as it goes: `finish` then makes only
    /// `meta.json` and the index chunks, and the fragments' memory is never held at once.
    pub fn streamed() -> Self {
        Self {
            streamed: true,
            ..Self::default()
        }
    }

    /// As [`SearchBuilder::add`], handing back the page's fragment (JSON) instead of
    /// keeping it; `None` for a page left out of the index.
    pub fn add_streamed(&mut self, page: &Page) -> Option<Box<[u8]>> {
        let before = self.pages.len();
        self.add(page);
        let record = self.pages.get_mut(before)?;
        Some(std::mem::take(&mut record.fragment))
    }

    /// Adds a page (nothing when its front matter says `in_search_index: false`). The
    /// index keeps the page's fragment and postings, not the page.
    pub fn add(&mut self, page: &Page) {
        if !page.front.in_search_index {
            return;
        }
        let Ok(seq) = u32::try_from(self.pages.len()) else {
            return;
        };
        let mut headings = Vec::new();
        collect_headings(&page.toc, &mut headings);
        let body = &page.text;
        self.scan(&page.title, Some(Field::Title), seq);
        for heading in &headings {
            self.scan(heading, Some(Field::Heading), seq);
        }
        self.scan(body, None, seq);
        for &id in &self.touched {
            let term = &mut self.terms[id as usize];
            let in_text = if term.count >= REPEATED {
                Field::TextRepeated
            } else {
                Field::Text
            };
            let field = term.field.map_or(in_text, |f| f.max(in_text));
            term.df += 1;
            term.postings.push(seq << 2 | field as u32);
        }
        self.url_hashes.push(fnv1a(&page.url));
        self.text_bytes +=
            page.title.len() + headings.iter().map(String::len).sum::<usize>() + body.len();
        let start = text::truncate_chars(body, FRAGMENT_TEXT_CHARS);
        let fragment = Fragment {
            title: &page.title,
            url: &page.url,
            headings: &headings,
            text: &start,
        };
        self.pages.push(PageRecord {
            url: page.url.as_str().into(),
            // Strings always serialise.
            fragment: serde_json::to_vec(&fragment)
                .unwrap_or_default()
                .into_boxed_slice(),
        });
        // Capped once the page is in `pages`: ties are broken by URL.
        let Self {
            terms,
            url_hashes,
            pages,
            touched,
            ..
        } = self;
        for id in touched.drain(..) {
            let postings = &mut terms[id as usize].postings;
            if postings.len() >= 2 * POSTINGS_CAP {
                cap(postings, url_hashes, pages);
            }
        }
    }

    /// Records the terms of `source` (a field of page `seq`; `None`: the text).
    fn scan(&mut self, source: &str, field: Option<Field>, seq: u32) {
        let Self {
            ids,
            terms,
            touched,
            ..
        } = self;
        tokenize::for_each_token(source, |_, _, word| {
            let id = ids.id(terms, word);
            let term = &mut terms[id as usize];
            if term.seen != seq + 1 {
                term.seen = seq + 1;
                term.field = None;
                term.count = 0;
                touched.push(id);
            }
            match field {
                Some(field) => term.field = term.field.max(Some(field)),
                None => term.count += 1,
            }
        });
    }

    /// Both indexes in one, as if `other`'s pages had been added after this one's.
    pub fn merge(mut self, mut other: Self) -> Self {
        if self.pages.is_empty() {
            other.streamed |= self.streamed;
            return other;
        }
        let offset = u32::try_from(self.pages.len()).unwrap_or(0) << 2;
        self.pages.append(&mut other.pages);
        self.url_hashes.append(&mut other.url_hashes);
        self.text_bytes += other.text_bytes;
        for theirs in other.terms {
            let id = self.ids.id(&mut self.terms, &theirs.name);
            let ours = &mut self.terms[id as usize];
            ours.df += theirs.df;
            ours.postings
                .extend(theirs.postings.into_iter().map(|p| p + offset));
            if ours.postings.len() >= 2 * POSTINGS_CAP {
                cap(&mut ours.postings, &self.url_hashes, &self.pages);
            }
        }
        self
    }

    /// The releases whose pages `meta.json` lists as ranges ([`ReleaseScope`]).
    pub fn with_releases(mut self, releases: Vec<ReleaseScope>) -> Self {
        self.releases = releases;
        self
    }

    /// The index's files: `meta.json` first, then the chunks, then the fragments.
    pub fn finish(self) -> Vec<OutputFile> {
        let Self {
            pages,
            url_hashes,
            terms,
            text_bytes,
            streamed: self_streamed,
            releases,
            ..
        } = self;
        // Pages are numbered in URL order.
        let mut order: Vec<u32> = (0..pages.len() as u32).collect();
        order.par_sort_unstable_by(|a, b| pages[*a as usize].url.cmp(&pages[*b as usize].url));
        let url_of = |seq: &u32| -> &str { &pages[*seq as usize].url };
        let ranges: Vec<ReleaseRange<'_>> = releases
            .iter()
            .filter_map(|scope| {
                let prefix = scope.prefix.as_str();
                let first = order.partition_point(|seq| url_of(seq) < prefix);
                let end = first
                    + order[first..]
                        .iter()
                        .take_while(|seq| url_of(seq).starts_with(prefix))
                        .count();
                (end > first).then_some(ReleaseRange {
                    prefix,
                    latest: scope.latest,
                    first,
                    end,
                })
            })
            .collect();
        let mut page_of = vec![0u32; pages.len()];
        for (page, seq) in order.iter().enumerate() {
            page_of[*seq as usize] = page as u32;
        }

        let mut named: Vec<(Box<str>, Term)> = terms
            .into_iter()
            .map(|mut term| (std::mem::take(&mut term.name), term))
            .collect();
        named.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let records: Vec<Vec<u8>> = named
            .par_iter_mut()
            .map(|(_, term)| {
                cap(&mut term.postings, &url_hashes, &pages);
                let mut list: Vec<(u32, u8)> = term
                    .postings
                    .iter()
                    .map(|p| (page_of[(p >> 2) as usize], (p & 3) as u8))
                    .collect();
                list.sort_unstable();
                let mut record = Vec::with_capacity(list.len() + 8);
                format::encode_record(term.df, &list, &mut record);
                record
            })
            .collect();

        // Chunks: runs of terms up to CHUNK_BYTES.
        let mut bounds = Vec::new();
        let mut size = 0;
        for (i, ((word, _), record)) in named.iter().zip(&records).enumerate() {
            if i == 0 || size >= CHUNK_BYTES {
                bounds.push(i);
                size = 0;
            }
            size += word.len() + record.len() + 2;
        }
        let ends: Vec<usize> = bounds
            .iter()
            .skip(1)
            .copied()
            .chain([named.len()])
            .collect();
        let separators: Vec<&str> = bounds
            .iter()
            .map(|&start| match start {
                0 => "",
                _ => format::separator(&named[start - 1].0, &named[start].0),
            })
            .collect();
        let chunk_files: Vec<OutputFile> = bounds
            .par_iter()
            .zip(&ends)
            .enumerate()
            .map(|(n, (&start, &end))| OutputFile {
                path: chunk_path(n),
                body: format::encode_chunk(
                    named[start..end]
                        .iter()
                        .zip(&records[start..end])
                        .map(|((word, _), record)| (&**word, record.as_slice())),
                ),
            })
            .collect();

        // Fragment files, joined from the pages' JSON in page order; each page's JSON is
        // dropped once its file is made. A streamed builder's were written already.
        let count = pages.len();
        let fragment_files: Vec<OutputFile> = if self_streamed {
            Vec::new()
        } else {
            let mut slots: Vec<Option<PageRecord>> = pages.into_iter().map(Some).collect();
            let ordered: Vec<Box<[u8]>> = order
                .iter()
                .filter_map(|seq| slots[*seq as usize].take())
                .map(|record| record.fragment)
                .collect();
            drop(slots);
            ordered
                .into_par_iter()
                .chunks(FRAGMENT_PAGES)
                .enumerate()
                .map(|(n, group)| fragment_file(n, &group))
                .collect()
        };

        let meta = Meta {
            version: FORMAT_VERSION,
            pages: count,
            fragment_pages: FRAGMENT_PAGES,
            postings_cap: POSTINGS_CAP,
            text_bytes,
            chunks: separators,
            releases: ranges,
        };
        let mut files = Vec::with_capacity(1 + chunk_files.len() + fragment_files.len());
        files.push(OutputFile {
            path: META_PATH.to_string(),
            body: serde_json::to_vec(&meta).unwrap_or_default(),
        });
        files.extend(chunk_files);
        files.extend(fragment_files);
        files
    }
}

/// Fragment file `n`: the JSON array of its pages' fragments.
fn fragment_file(n: usize, group: &[Box<[u8]>]) -> OutputFile {
    let mut body = Vec::with_capacity(group.iter().map(|f| f.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, fragment) in group.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(fragment);
    }
    body.push(b']');
    OutputFile {
        path: fragment_path(n),
        body,
    }
}

/// Each page's number in the index (`None` for one left out), by its place in `pages`:
/// the numbering [`SearchBuilder::finish`] gives the pages it was given (URL order among
/// those in the index), known from the pages' heads before any body is made.
pub fn page_numbers(pages: &[Arc<Page>]) -> Vec<Option<u32>> {
    let mut indexed: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].front.in_search_index)
        .collect();
    indexed.par_sort_unstable_by(|&a, &b| pages[a].url.cmp(&pages[b].url));
    let mut numbers = vec![None; pages.len()];
    for (number, &i) in indexed.iter().enumerate() {
        numbers[i] = u32::try_from(number).ok();
    }
    numbers
}

/// Fragment files written while pages are made, in any order: each file is handed back
/// as soon as its last page's fragment arrives, so only incomplete files are held.
#[derive(Debug)]
pub struct FragmentFiles {
    groups: Vec<std::sync::Mutex<Group>>,
}

#[derive(Debug, Default)]
struct Group {
    fragments: Vec<Option<Box<[u8]>>>,
    missing: usize,
}

impl FragmentFiles {
    /// For `pages` pages in the index (numbered by [`page_numbers`]).
    pub fn new(pages: usize) -> Self {
        let groups = (0..pages.div_ceil(FRAGMENT_PAGES))
            .map(|g| {
                let size = FRAGMENT_PAGES.min(pages - g * FRAGMENT_PAGES);
                std::sync::Mutex::new(Group {
                    fragments: vec![None; size],
                    missing: size,
                })
            })
            .collect();
        Self { groups }
    }

    /// Takes page `number`'s fragment; its file once every page of it has come.
    pub fn put(&self, number: u32, fragment: Box<[u8]>) -> Option<OutputFile> {
        let number = number as usize;
        let (g, at) = (number / FRAGMENT_PAGES, number % FRAGMENT_PAGES);
        let mut group = self
            .groups
            .get(g)?
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = group.fragments.get_mut(at)?;
        if slot.replace(fragment).is_none() {
            group.missing -= 1;
        }
        if group.missing > 0 {
            return None;
        }
        let fragments: Vec<Box<[u8]>> = std::mem::take(&mut group.fragments)
            .into_iter()
            .flatten()
            .collect();
        Some(fragment_file(g, &fragments))
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    pages: usize,
    fragment_pages: usize,
    postings_cap: usize,
    /// The UTF-8 bytes of text the index covers (titles, headings, text): for the bench.
    text_bytes: usize,
    chunks: Vec<&'a str>,
    /// Only for a site with versioned docs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    releases: Vec<ReleaseRange<'a>>,
}

/// Keeps the [`POSTINGS_CAP`] best postings: best field first, then by URL hash (an
/// order that does not depend on the order pages were added in), then URL.
fn cap(postings: &mut Vec<u32>, url_hashes: &[u32], pages: &[PageRecord]) {
    if postings.len() <= POSTINGS_CAP {
        return;
    }
    let key = |p: &u32| (std::cmp::Reverse(p & 3), url_hashes[(p >> 2) as usize]);
    postings.select_nth_unstable_by(POSTINGS_CAP - 1, |a, b| {
        key(a).cmp(&key(b)).then_with(|| {
            pages[(a >> 2) as usize]
                .url
                .cmp(&pages[(b >> 2) as usize].url)
        })
    });
    postings.truncate(POSTINGS_CAP);
}

fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The index of `pages`, built in parallel, with the ranges of `releases`.
pub fn index(pages: &[Arc<Page>], releases: Vec<ReleaseScope>) -> Vec<OutputFile> {
    pages
        .par_chunks(256)
        .map(|block| {
            let mut builder = SearchBuilder::new();
            for page in block {
                builder.add(page);
            }
            builder
        })
        .reduce(SearchBuilder::new, SearchBuilder::merge)
        .with_releases(releases)
        .finish()
}

/// A page's headings, depth first, as plain text.
fn collect_headings(toc: &[TocEntry], out: &mut Vec<String>) {
    for entry in toc {
        out.push(text::plain_text(&entry.title, usize::MAX));
        collect_headings(&entry.children, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::FrontMatter;
    use crate::page::PageKind;

    fn page(url: &str, title: &str, headings: &[&str], text: &str) -> Page {
        Page {
            source_path: format!("content{url}index.md").into(),
            content_path: format!("{}index.md", &url[1..]),
            url: url.to_string(),
            kind: PageKind::Page,
            front: FrontMatter::default(),
            title: title.to_string(),
            html: format!("<p>{text}</p>"),
            text: text.to_string(),
            toc: headings
                .iter()
                .map(|h| TocEntry {
                    id: String::new(),
                    title: h.to_string(),
                    level: 2,
                    children: Vec::new(),
                })
                .collect(),
            anchors: Default::default(),
            links: Vec::new(),
            includes: Vec::new(),
            warnings: Vec::new(),
            markdown: None,
            reader: false,
            forms: Vec::new(),
            updated: None,
        }
    }

    fn build(pages: &[Page]) -> Vec<OutputFile> {
        let mut builder = SearchBuilder::new();
        for p in pages {
            builder.add(p);
        }
        builder.finish()
    }

    fn meta(files: &[OutputFile]) -> serde_json::Value {
        assert_eq!(files[0].path, META_PATH);
        serde_json::from_slice(&files[0].body).unwrap()
    }

    /// Every term of the index, from its chunks, with the chunk it is in.
    fn terms(files: &[OutputFile]) -> Vec<(usize, TermEntry)> {
        let count = meta(files)["chunks"].as_array().unwrap().len();
        (0..count)
            .flat_map(|n| {
                let file = files.iter().find(|f| f.path == chunk_path(n)).unwrap();
                decode_chunk(&file.body)
                    .unwrap()
                    .into_iter()
                    .map(move |t| (n, t))
            })
            .collect()
    }

    /// The chunk `meta.json` says holds `term`, as the script looks it up.
    fn chunk_of(files: &[OutputFile], term: &str) -> usize {
        let meta = meta(files);
        let chunks = meta["chunks"].as_array().unwrap();
        chunks
            .iter()
            .rposition(|first| first.as_str().unwrap() <= term)
            .unwrap()
    }

    fn postings(files: &[OutputFile], term: &str) -> TermEntry {
        terms(files)
            .into_iter()
            .map(|(_, t)| t)
            .find(|t| t.term == term)
            .unwrap()
    }

    #[test]
    fn postings_round_trip_with_the_best_field_of_each_page() {
        let files = build(&[
            page("/b/", "Install Kong", &[], "Run the installer. Kong runs."),
            page("/a/", "Overview", &["Install steps"], "Nothing here."),
            page(
                "/c/",
                "Other",
                &[],
                "install install install, then install.",
            ),
            page("/d/", "Café", &[], "Once: install."),
        ]);
        // Pages are numbered by URL: /a/ 0, /b/ 1, /c/ 2, /d/ 3.
        let install = postings(&files, "install");
        assert_eq!(install.df, 4);
        assert_eq!(
            install.postings,
            [
                (0, Field::Heading as u8),
                (1, Field::Title as u8),
                (2, Field::TextRepeated as u8),
                (3, Field::Text as u8)
            ]
        );
        assert_eq!(postings(&files, "cafe").postings, [(3, Field::Title as u8)]);
        let fragments: serde_json::Value = serde_json::from_slice(
            &files
                .iter()
                .find(|f| f.path == fragment_path(0))
                .unwrap()
                .body,
        )
        .unwrap();
        assert_eq!(fragments[0]["url"], "/a/");
        assert_eq!(
            fragments[0]["headings"],
            serde_json::json!(["Install steps"])
        );
        assert_eq!(fragments[1]["title"], "Install Kong");
        assert_eq!(fragments[1]["text"], "Run the installer. Kong runs.");
        assert_eq!(meta(&files)["pages"], 4);
    }

    #[test]
    fn pages_kept_out_of_search_are_not_indexed() {
        let mut hidden = page("/hidden/", "Secret", &[], "secret words");
        hidden.front.in_search_index = false;
        let files = build(&[hidden, page("/a/", "A", &[], "public")]);
        assert_eq!(meta(&files)["pages"], 1);
        assert!(terms(&files).iter().all(|(_, t)| t.term != "secret"));
    }

    fn many_pages(count: usize) -> Vec<Page> {
        (0..count)
            .map(|i| {
                let title = if i % 97 == 0 { "Common title" } else { "Page" };
                page(
                    &format!("/p{i:05}/"),
                    title,
                    &[],
                    &format!("common word{i} w{} {}", i % 50, "filler ".repeat(i % 4)),
                )
            })
            .collect()
    }

    #[test]
    fn every_term_is_in_the_chunk_meta_json_points_at() {
        let pages = many_pages(3000);
        let files = build(&pages);
        let all = terms(&files);
        assert!(
            meta(&files)["chunks"].as_array().unwrap().len() > 3,
            "a site this size has several chunks"
        );
        for pair in all.windows(2) {
            assert!(pair[0].1.term < pair[1].1.term, "sorted, no repeats");
        }
        for (chunk, term) in &all {
            assert_eq!(chunk_of(&files, &term.term), *chunk, "{}", term.term);
        }
        for file in &files[1..] {
            if file.path.ends_with(".bin") {
                assert!(file.body.len() < 2 * CHUNK_BYTES, "{}", file.path);
            }
        }
    }

    #[test]
    fn ranking_is_title_then_headings_then_repeated_use_then_text() {
        assert!(Field::Title > Field::Heading);
        assert!(Field::Heading > Field::TextRepeated);
        assert!(Field::TextRepeated > Field::Text);
        // A term in the title and the text of a page counts as a title match.
        let files = build(&[page("/a/", "Proxy", &["Proxy"], "proxy proxy proxy")]);
        assert_eq!(
            postings(&files, "proxy").postings,
            [(0, Field::Title as u8)]
        );
        // The cap keeps better places first: every heading match before any text match.
        let pages: Vec<Page> = (0..2500)
            .map(|i| {
                let heading = if i % 10 == 0 { "Gateway" } else { "Other" };
                let text = if i % 3 == 0 {
                    "gateway gateway gateway"
                } else {
                    "gateway"
                };
                page(&format!("/p{i:05}/"), "Page", &[heading], text)
            })
            .collect();
        let kept = postings(&build(&pages), "gateway");
        let count = |field: Field| {
            kept.postings
                .iter()
                .filter(|(_, f)| *f == field as u8)
                .count()
        };
        assert_eq!(count(Field::Heading), 250);
        assert_eq!(
            count(Field::TextRepeated),
            POSTINGS_CAP - 250,
            "then repeated use"
        );
        assert_eq!(count(Field::Text), 0);
    }

    #[test]
    fn common_terms_keep_their_best_postings_up_to_the_cap() {
        let pages = many_pages(3000);
        let files = build(&pages);
        let common = postings(&files, "common");
        assert_eq!(common.df, 3000);
        assert_eq!(common.postings.len(), POSTINGS_CAP);
        // Title matches rank first, so the cap keeps every one of them.
        let titles = common
            .postings
            .iter()
            .filter(|(_, f)| *f == Field::Title as u8)
            .count();
        assert_eq!(titles, 3000usize.div_ceil(97));
        assert!(common.postings.windows(2).all(|w| w[0].0 < w[1].0));
        // A rare term is whole.
        assert_eq!(postings(&files, "word1234").postings.len(), 1);
    }

    /// Words that share their start, or differ in one byte anywhere, are terms of their
    /// own; a word is one term wherever it is.
    #[test]
    fn every_word_is_its_own_term() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789abcd";
        let mut words: Vec<String> = (1..=base.len()).map(|n| base[..n].to_string()).collect();
        for at in 0..base.len() {
            let mut changed = base.as_bytes().to_vec();
            changed[at] = b'x';
            words.push(String::from_utf8(changed).unwrap());
        }
        words.extend(["café", "Café", "CAFE", "日本語", "a1", "1a", "A1"].map(String::from));
        let pages: Vec<Page> = words
            .iter()
            .enumerate()
            .map(|(i, w)| page(&format!("/p{i:03}/"), "T", &[], &format!("{w} {w}")))
            .collect();
        let all = terms(&build(&pages));
        for word in &words {
            let term = tokenize::tokens(word)[0].term.clone();
            let found: Vec<&TermEntry> = all
                .iter()
                .map(|(_, t)| t)
                .filter(|t| t.term == term)
                .collect();
            assert_eq!(found.len(), 1, "{term}");
            let pages_of: Vec<u32> = found[0].postings.iter().map(|(p, _)| *p).collect();
            let with_it: Vec<u32> = (0..words.len() as u32)
                .filter(|&j| tokenize::tokens(&words[j as usize])[0].term == term)
                .collect();
            assert_eq!(pages_of, with_it, "{word}");
        }
    }

    #[test]
    fn output_does_not_depend_on_the_order_or_grouping_of_pages() {
        let pages = many_pages(2500);
        let forward = build(&pages);
        let mut reversed: Vec<Page> = many_pages(2500);
        reversed.reverse();
        assert!(forward == build(&reversed), "order of add()");
        let parts = pages
            .chunks(700)
            .map(|block| {
                let mut b = SearchBuilder::new();
                for p in block {
                    b.add(p);
                }
                b
            })
            .rev()
            .fold(SearchBuilder::new(), SearchBuilder::merge)
            .finish();
        assert!(forward == parts, "merged in parts");
        let arcs: Vec<Arc<Page>> = pages.into_iter().map(Arc::new).collect();
        assert!(forward == index(&arcs, Vec::new()), "index() in parallel");
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
