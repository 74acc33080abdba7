//! The bytes of the index's chunk files, written here and read back by
//! `themes/default/static/js/search.js` (and by [`decode_chunk`], for tests).
//!
//! A chunk holds a run of consecutive terms (sorted by code point) with their postings:
//!
//! ```text
//! chunk   := count:varint term*
//! term    := shared:varint suffix_len:varint suffix:bytes df:varint n:varint posting*n
//! posting := varint((page - previous_page) << 2 | field)
//! ```
//!
//! Numbers are unsigned LEB128 varints. A term is front-coded: it keeps `shared` bytes
//! (of UTF-8) of the term before it in the chunk and adds `suffix`. `df` is how many pages
//! contain the term; `n` how many postings are stored (fewer than `df` when the term is
//! common and its list was capped, see [`super::POSTINGS_CAP`]). Postings are sorted by
//! page; the first one's delta is from page 0. `field` is the best place the term occurs
//! in the page ([`super::Field`]).

/// Appends `value` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a varint at `*at`, moving past it; `None` at a truncated or oversized one.
pub fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// One term of a chunk, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermEntry {
    pub term: String,
    /// Pages containing the term, counting those whose postings were not stored.
    pub df: u32,
    /// `(page, field)`, sorted by page.
    pub postings: Vec<(u32, u8)>,
}

/// A term's record after its name: `df n posting*`.
pub fn encode_record(df: u32, postings: &[(u32, u8)], out: &mut Vec<u8>) {
    put_varint(out, u64::from(df));
    put_varint(out, postings.len() as u64);
    let mut previous = 0u32;
    for &(page, field) in postings {
        put_varint(
            out,
            (u64::from(page - previous) << 2) | u64::from(field & 3),
        );
        previous = page;
    }
}

/// A chunk from terms in order and their encoded records ([`encode_record`]).
pub fn encode_chunk<'a>(terms: impl ExactSizeIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, terms.len() as u64);
    let mut previous: &[u8] = &[];
    for (term, record) in terms {
        let term = term.as_bytes();
        let shared = previous
            .iter()
            .zip(term)
            .take_while(|(a, b)| a == b)
            .count();
        put_varint(&mut out, shared as u64);
        put_varint(&mut out, (term.len() - shared) as u64);
        out.extend_from_slice(&term[shared..]);
        out.extend_from_slice(record);
        previous = term;
    }
    out
}

/// The terms of a chunk; `None` if the bytes are not one.
pub fn decode_chunk(bytes: &[u8]) -> Option<Vec<TermEntry>> {
    let mut at = 0;
    let count = get_varint(bytes, &mut at)?;
    let mut terms = Vec::new();
    let mut term: Vec<u8> = Vec::new();
    for _ in 0..count {
        let shared = usize::try_from(get_varint(bytes, &mut at)?).ok()?;
        let len = usize::try_from(get_varint(bytes, &mut at)?).ok()?;
        term.truncate(shared);
        term.extend_from_slice(bytes.get(at..at.checked_add(len)?)?);
        at += len;
        let df = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let n = get_varint(bytes, &mut at)?;
        let mut postings = Vec::new();
        let mut page = 0u64;
        for _ in 0..n {
            let value = get_varint(bytes, &mut at)?;
            page += value >> 2;
            postings.push((u32::try_from(page).ok()?, (value & 3) as u8));
        }
        terms.push(TermEntry {
            term: String::from_utf8(term.clone()).ok()?,
            df,
            postings,
        });
    }
    (at == bytes.len()).then_some(terms)
}

/// The shortest start of `first` (whole characters) that sorts after `before`: the
/// chunk that begins with `first` holds every term from it on. `before < first`.
pub fn separator<'a>(before: &str, first: &'a str) -> &'a str {
    first
        .char_indices()
        .map(|(at, c)| &first[..at + c.len_utf8()])
        .find(|prefix| *prefix > before)
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut bytes = Vec::new();
        let values = [0, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX)];
        for v in values {
            put_varint(&mut bytes, v);
        }
        let mut at = 0;
        for v in values {
            assert_eq!(get_varint(&bytes, &mut at), Some(v));
        }
        assert_eq!(get_varint(&bytes, &mut at), None);
        assert_eq!(get_varint(&[0x80], &mut 0), None, "truncated");
    }

    #[test]
    fn chunks_round_trip_with_front_coding() {
        let terms = [
            ("cafe", 3, vec![(0, 3), (7, 0), (8, 2)]),
            ("café", 1, vec![(2, 1)]),
            ("cafés", 90, vec![(5, 0)]),
            ("zone", 1, vec![(4_000_000, 0)]),
        ];
        let records: Vec<Vec<u8>> = terms
            .iter()
            .map(|(_, df, postings)| {
                let mut r = Vec::new();
                encode_record(*df, postings, &mut r);
                r
            })
            .collect();
        let bytes = encode_chunk(
            terms
                .iter()
                .zip(&records)
                .map(|((t, _, _), r)| (*t, r.as_slice())),
        );
        let decoded = decode_chunk(&bytes).unwrap();
        let expected: Vec<TermEntry> = terms
            .iter()
            .map(|(t, df, p)| TermEntry {
                term: t.to_string(),
                df: *df,
                postings: p.clone(),
            })
            .collect();
        assert_eq!(decoded, expected);
        assert_eq!(decode_chunk(&bytes[..bytes.len() - 1]), None);
    }

    #[test]
    fn separators_are_the_shortest_start_after_the_previous_chunk() {
        assert_eq!(separator("apple", "banana"), "b");
        assert_eq!(separator("banana", "bandana"), "band");
        assert_eq!(separator("caf", "café"), "café");
        assert_eq!(separator("cafe", "cafés"), "café");
    }
}
