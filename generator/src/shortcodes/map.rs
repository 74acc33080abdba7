//! Offsets of the expanded text back to the file (page or include) and line they come
//! from ([`ExpansionMap`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, LineIndex, display_path};

/// A file the expanded text came from: the page, or an include (with the file and
/// offset of the tag that included it).
#[derive(Debug, Clone)]
pub(super) struct Origin {
    pub(super) path: PathBuf,
    pub(super) text: Arc<str>,
    pub(super) parent: Option<(usize, usize)>,
}

/// Maps offsets of the expanded text back to the file and offset they came from.
#[derive(Debug, Clone)]
pub struct ExpansionMap {
    /// (start in output, origin, start in origin, copied): a copied stretch maps offset
    /// for offset; generated text maps to the tag that made it.
    pub(super) segments: Vec<(usize, usize, usize, bool)>,
    pub(super) origins: Vec<Origin>,
}

impl ExpansionMap {
    pub(super) fn lookup(&self, offset: usize) -> (usize, usize) {
        let i = self.segments.partition_point(|s| s.0 <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((out, origin, input, true)) => (origin, input + (offset - out)),
            Some((_, origin, input, false)) => (origin, input),
            None => (0, 0),
        }
    }

    /// A problem at `offset` of the expanded text, at the file and line it comes from;
    /// inside an include, with a note naming the page line that included it.
    pub fn diagnostic(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (origin, at) = self.lookup(offset);
        located(&self.origins, origin, at, message.into())
    }

    /// Whether `offset` comes from an include.
    pub fn in_include(&self, offset: usize) -> bool {
        self.lookup(offset).0 != 0
    }

    /// Where `offset` is in the page file itself: inside an include, the include's tag.
    pub fn page_offset(&self, offset: usize) -> usize {
        let (mut origin, mut at) = self.lookup(offset);
        while let Some((parent, tag)) = self.origins[origin].parent {
            origin = parent;
            at = tag;
        }
        at
    }
}

pub(super) fn located(
    origins: &[Origin],
    origin: usize,
    at: usize,
    mut message: String,
) -> Diagnostic {
    let o = &origins[origin];
    let location = LineIndex::new(&o.text).location(at);
    let mut parent = o.parent;
    while let Some((p, tag)) = parent {
        let po = &origins[p];
        let l = LineIndex::new(&po.text).location(tag);
        message.push_str(&format!(
            "\n  note: in the expansion of the include at {}:{}:{}",
            display_path(&po.path),
            l.line,
            l.col
        ));
        parent = po.parent;
    }
    Diagnostic::new(&o.path, location, message)
}
