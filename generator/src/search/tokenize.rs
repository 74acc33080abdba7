//! The one rule that turns text into search terms, for the index and (mirrored in
//! `themes/default/static/js/search.js`) for the reader's query. Both are checked against
//! `generator/tests/search_vectors.json`, so they cannot drift apart.
//!
//! A word is a run of letters, digits and combining marks (Unicode `Alphabetic`,
//! `Numeric`, `Mark`); anything else separates words (so `snake_case` is two words). Each
//! word is decomposed (NFD), its combining marks dropped (`café` → `cafe`), lowercased,
//! and cut to [`MAX_TERM_CHARS`] characters. Scripts written without spaces (Chinese,
//! Japanese) are not segmented: a run of them is one word.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longer words are cut to this many characters (Unicode scalar values): a hash or a
/// long identifier is still found by its start, and never makes a huge term.
pub const MAX_TERM_CHARS: usize = 40;

/// A word of the text: its place in the text (byte offsets) and its term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub term: String,
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// The character at byte `at` of `text` (a char boundary) and whether it is a word's.
fn char_at(text: &str, at: usize) -> (char, bool) {
    let b = text.as_bytes()[at];
    if b < 0x80 {
        return (b as char, b.is_ascii_alphanumeric());
    }
    let c = text[at..].chars().next().unwrap_or(' ');
    (c, is_word_char(c))
}

/// What an ASCII byte is to a word: [`LOWER`] (a lowercase letter or a digit),
/// [`UPPER`], or 0 (it separates words).
static ASCII: [u8; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' => LOWER,
            b'A'..=b'Z' => UPPER,
            _ => 0,
        };
        b += 1;
    }
    table
};
const LOWER: u8 = 1;
const UPPER: u8 = 2;

/// Calls `each` with every word of `text` and its term, in order.
pub fn for_each_token(text: &str, mut each: impl FnMut(usize, usize, &str)) {
    let bytes = text.as_bytes();
    let mut term = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        // The common case, ASCII letters and digits: a word already lowercase is its
        // own term (cut to MAX_TERM_CHARS), without a copy; ASCII between words is
        // skipped a byte at a time.
        if let Some(&class) = ASCII.get(usize::from(bytes[at])) {
            if class == 0 {
                at += 1;
                continue;
            }
            let mut seen = 0;
            while let Some(&class) = bytes.get(at).and_then(|&b| ASCII.get(usize::from(b))) {
                if class == 0 {
                    break;
                }
                seen |= class;
                at += 1;
            }
            if at == bytes.len() || bytes[at] < 0x80 || !char_at(text, at).1 {
                let word = &text[start..at.min(start + MAX_TERM_CHARS)];
                if seen & UPPER != 0 {
                    term.clear();
                    term.push_str(word);
                    term.make_ascii_lowercase();
                    each(start, at, &term);
                } else {
                    each(start, at, word);
                }
                continue;
            }
            // The word goes on with a non-ASCII letter or mark: the general case below.
        }
        let (c, word) = char_at(text, at);
        if !word {
            at += c.len_utf8();
            continue;
        }
        let mut ascii = c.is_ascii() && at == start;
        at += c.len_utf8();
        while at < bytes.len() {
            let (c, word) = char_at(text, at);
            if !word {
                break;
            }
            ascii &= c.is_ascii();
            at += c.len_utf8();
        }
        normalize_into(&text[start..at], ascii, &mut term);
        if !term.is_empty() {
            each(start, at, &term);
        }
    }
}

/// The terms of `text`, in order (repeats kept).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |start, end, term| {
        out.push(Token {
            start,
            end,
            term: term.to_string(),
        })
    });
    out
}

/// The term of one word, into `out` (cleared first).
fn normalize_into(word: &str, ascii: bool, out: &mut String) {
    out.clear();
    if ascii {
        // The common case, without decomposing: ASCII has no marks to drop.
        out.extend(
            word.bytes()
                .take(MAX_TERM_CHARS)
                .map(|b| b.to_ascii_lowercase() as char),
        );
        return;
    }
    let folded: String = word.nfd().filter(|c| !is_combining_mark(*c)).collect();
    out.extend(folded.to_lowercase().chars().take(MAX_TERM_CHARS));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vector {
        text: String,
        terms: Vec<String>,
    }

    /// The same file drives the theme's script in `tests/theme/search.test.mjs`.
    #[test]
    fn terms_match_the_shared_vectors() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../tests/search_vectors.json")).unwrap();
        assert!(vectors.len() >= 10);
        for vector in vectors {
            let terms: Vec<String> = tokens(&vector.text).into_iter().map(|t| t.term).collect();
            assert_eq!(terms, vector.terms, "text {:?}", vector.text);
        }
    }

    /// ASCII words take the fast path: lowercase ones handed over as they are, others
    /// lowercased; both cut to MAX_TERM_CHARS, and a word that goes on past ASCII read
    /// whole.
    #[test]
    fn ascii_words_are_lowercased_and_cut() {
        let long = "Ab".repeat(30);
        let text = format!("lower MiXed {long} {} x_y caféS naïve", long.to_lowercase());
        let terms: Vec<String> = tokens(&text).into_iter().map(|t| t.term).collect();
        let cut = long[..MAX_TERM_CHARS].to_lowercase();
        assert_eq!(
            terms,
            ["lower", "mixed", &cut, &cut, "x", "y", "cafes", "naive"]
        );
    }

    #[test]
    fn tokens_know_where_their_word_is() {
        let text = "Ça va, café_au lait";
        let words: Vec<&str> = tokens(text).iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, ["Ça", "va", "café", "au", "lait"]);
    }
}
