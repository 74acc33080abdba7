//! What every fast lexer writes into ([`Out`]) and reads with ([`lines`], [`is_word_byte`]).

use std::ops::Range;

use crate::highlight::classes::Class;

/// Classed runs, in order; text between them is plain.
pub(super) struct Out<'c> {
    pub(super) code: &'c str,
    pub(super) runs: Vec<(Option<Class>, Range<usize>)>,
}

impl Out<'_> {
    pub(super) fn push(&mut self, class: Class, range: Range<usize>) {
        debug_assert!(range.end <= self.code.len());
        self.runs.push((Some(class), range));
    }
}

/// The text's lines with their offsets, without their newlines. `None` for a block
/// without a final newline or with a `\r` (left to the grammar).
pub(super) fn lines(code: &str) -> Option<impl Iterator<Item = (usize, &str)>> {
    if !code.ends_with('\n') || code.contains('\r') || code.contains('\t') {
        return None;
    }
    let mut offset = 0;
    Some(code[..code.len() - 1].split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    }))
}

pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
