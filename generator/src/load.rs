//! Finding and reading the site's inputs: Markdown pages and static files.
//!
//! What is an input, and its URL, is [`inputs::classify`]'s answer. [`read_inputs`] reads every
//! page at once, in parallel (what `serve` keeps); `build` [`find`]s them and [`read`]s
//! each one when its turn comes, so the whole text of a large site is never in memory.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::inputs::{self, Input};
use crate::page::SourceFile;
use crate::versions::Docsets;

/// A file copied to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// URL path, e.g. `/img/logo.png`.
    pub url: String,
    pub path: PathBuf,
}

pub struct Inputs {
    pub sources: Vec<SourceFile>,
    /// Non-Markdown files under `content/` and everything under `static/`.
    pub static_files: Vec<StaticFile>,
}

/// The inputs found, not yet read.
pub struct Found {
    /// Each Markdown file: its path relative to the site root, and relative to `content/`.
    pub markdown: Vec<(PathBuf, String)>,
    pub static_files: Vec<StaticFile>,
}

/// Finds and reads every input.
pub fn read_inputs(root: &Path, docsets: &Docsets) -> Result<Inputs, Vec<Diagnostic>> {
    let found = find(root, docsets)?;
    let mut problems = Vec::new();
    let read: Vec<Result<SourceFile, Diagnostic>> = found
        .markdown
        .into_par_iter()
        .map(|(path, content_path)| read(root, path, content_path))
        .collect();
    let mut sources = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(s) => sources.push(s),
            Err(d) => problems.push(d),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Inputs {
        sources,
        static_files: found.static_files,
    })
}

/// Reads one Markdown file found by [`find`].
pub fn read(root: &Path, path: PathBuf, content_path: String) -> Result<SourceFile, Diagnostic> {
    std::fs::read(root.join(&path))
        .map_err(|e| Diagnostic::file(&path, format!("cannot read: {e}")))
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| {
                Diagnostic::file(
                    &path,
                    format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                )
            })
        })
        .map(|text| SourceFile {
            path,
            content_path,
            text,
        })
}

/// Finds the inputs (walking `content/` and `static/`), reading none of them. A docs
/// set's shared page is listed once per release ([`Docsets::expand`]).
pub fn find(root: &Path, docsets: &Docsets) -> Result<Found, Vec<Diagnostic>> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(vec![Diagnostic::file(
            "content",
            format!(
                "no content/ folder in {} (is --root right?)",
                root.display()
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut markdown = Vec::new();
    let mut static_files = Vec::new();
    for dir in [content, root.join("static")] {
        if !dir.is_dir() {
            continue;
        }
        // A folder that is not an input (`.git/`, `old~/`) is not descended.
        let walker = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| input_at(root, e.path()).is_input());
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    problems.push(Diagnostic::file(
                        err.path().map(|p| relative(root, p)).unwrap_or_default(),
                        format!("cannot read: {err}"),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            match input_at(root, entry.path()) {
                Input::Page { content_path } => {
                    markdown.push((relative(root, entry.path()), content_path))
                }
                Input::SiteStatic { url } => static_files.push(StaticFile {
                    url,
                    path: entry.path().to_path_buf(),
                }),
                // Under content/ and static/, nothing else is an input.
                _ => {}
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Found {
        markdown: docsets.expand(markdown),
        static_files,
    })
}

/// What `path` (under `root`) is. Only `content/` and `static/` are walked here, and
/// their inputs do not depend on the theme.
fn input_at(root: &Path, path: &Path) -> Input {
    inputs::classify(&relative(root, path), None)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
