//! Finding and reading the site's inputs: Markdown pages and static files.
//!
//! Each file is read exactly once, in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::page::Source;

/// A file copied to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// URL path, e.g. `/img/logo.png`.
    pub url: String,
    pub path: PathBuf,
}

pub struct Inputs {
    pub sources: Vec<Source>,
    /// Non-Markdown files under `content/` and everything under `static/`.
    pub static_files: Vec<StaticFile>,
}

pub fn load(root: &Path) -> Result<Inputs, Vec<Diagnostic>> {
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
    for (dir, is_content) in [(content, true), (root.join("static"), false)] {
        if !dir.is_dir() {
            continue;
        }
        let walker = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
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
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            if is_content && rel.ends_with(".md") {
                markdown.push((relative(root, entry.path()), rel));
            } else {
                static_files.push(StaticFile {
                    url: format!("/{rel}"),
                    path: entry.path().to_path_buf(),
                });
            }
        }
    }
    let read: Vec<Result<Source, Diagnostic>> = markdown
        .into_par_iter()
        .map(|(path, content_path)| {
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
                .map(|text| Source {
                    path,
                    content_path,
                    text,
                })
        })
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
        static_files,
    })
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
