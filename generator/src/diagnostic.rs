//! Build diagnostics: what went wrong, where, and what to do about it.
//!
//! Stages collect diagnostics instead of stopping at the first one, so a writer sees
//! every problem of a run at once. Each carries the file, line and column of the
//! *original* source, even when the text was shifted by variable substitution.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: an error fails the build; a warning is printed and the build
/// goes on (`[links] level = "warn"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

impl Severity {
    /// What the command line prints before the problem: `error` or `warning`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One problem found in a source file, printed as `path:line:col: message` (the
/// command line puts `error: ` or `warning: ` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Path relative to the site root, e.g. `content/a.md`.
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based, in characters.
    pub col: u32,
    pub message: String,
    pub severity: Severity,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, location: Location, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: location.line,
            col: location.col,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    /// The same problem with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A problem that belongs to a file but to no particular line of it.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(path, Location { line: 0, col: 0 }, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = display_path(&self.path);
        if self.line == 0 {
            write!(f, "{path}: {}", self.message)
        } else {
            write!(f, "{path}:{}:{}: {}", self.line, self.col, self.message)
        }
    }
}

/// Paths are shown with `/` on every platform so messages match the docs and tests.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: u32,
    pub col: u32,
}

/// Maps byte offsets of a text to lines and columns. Built once per file, queried only
/// for the few offsets that need reporting.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, line_starts }
    }

    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Location {
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }
}

/// The closest candidate to `wanted`, if one is close enough to be a plausible typo.
pub fn suggest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let budget = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(wanted.len()) <= budget)
        .map(|c| (strsim::levenshtein(wanted, c), c))
        .filter(|(distance, _)| *distance <= budget)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// An error with its causes, `outer: inner: innermost`: Tera, for one, hides the useful
/// part of its errors in the source chain.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\nçd{{x}}\n");
        assert_eq!(index.location(0), Location { line: 1, col: 1 });
        assert_eq!(index.location(3), Location { line: 2, col: 1 });
        // `ç` is two bytes but one column.
        assert_eq!(index.location(6), Location { line: 2, col: 3 });
    }

    #[test]
    fn suggestions_need_to_be_close() {
        let names = ["site.konnect_saas", "site.title"];
        assert_eq!(
            suggest("site.konnect_saaas", names),
            Some("site.konnect_saas")
        );
        assert_eq!(suggest("site.nothing_like_it", names), None);
    }

    #[test]
    fn display_matches_compiler_style() {
        let d = Diagnostic::new("content/a.md", Location { line: 12, col: 5 }, "boom");
        assert_eq!(d.to_string(), "content/a.md:12:5: boom");
        assert_eq!(
            Diagnostic::file("site.toml", "bad").to_string(),
            "site.toml: bad"
        );
    }
}
