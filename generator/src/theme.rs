//! Themes: Tera templates plus static files, from `themes/<name>/` on disk or, for the
//! default theme, from the copy compiled into the binary.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// Where a theme file's bytes come from.
#[derive(Debug, Clone)]
pub enum FileData {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// Path inside `templates/` or `static/`, `/`-separated.
    pub name: String,
    pub data: FileData,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// Shown in messages: `themes/default` or `default theme (built in)`.
    pub origin: String,
    pub templates: Vec<(ThemeFile, String)>,
    pub static_files: Vec<ThemeFile>,
}

impl Theme {
    /// `themes/<name>/` under the site root wins; `default` falls back to the built-in copy.
    pub fn load(root: &Path, name: &str) -> Result<Self, Diagnostic> {
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            return Self::from_dir(&dir, name);
        }
        if name == "default" {
            return Ok(Self::built_in());
        }
        Err(Diagnostic::file(
            "site.toml",
            format!(
                "theme '{name}' not found: there is no themes/{name}/ folder (remove `theme` to use the built-in default theme)"
            ),
        ))
    }

    pub fn built_in() -> Self {
        let mut theme = Theme {
            name: "default".into(),
            origin: "default theme (built in)".into(),
            templates: Vec::new(),
            static_files: Vec::new(),
        };
        for (path, bytes) in embedded::FILES {
            if let Some(name) = path.strip_prefix("templates/") {
                theme.templates.push((
                    ThemeFile {
                        name: name.to_string(),
                        data: FileData::Embedded(bytes),
                    },
                    String::from_utf8_lossy(bytes).into_owned(),
                ));
            } else if let Some(name) = path.strip_prefix("static/") {
                theme.static_files.push(ThemeFile {
                    name: name.to_string(),
                    data: FileData::Embedded(bytes),
                });
            }
        }
        theme
    }

    fn from_dir(dir: &Path, name: &str) -> Result<Self, Diagnostic> {
        let shown = Path::new("themes").join(name);
        let mut theme = Theme {
            name: name.to_string(),
            origin: crate::diagnostic::display_path(&shown),
            templates: Vec::new(),
            static_files: Vec::new(),
        };
        for (sub, is_template) in [("templates", true), ("static", false)] {
            let base = dir.join(sub);
            if !base.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| Diagnostic::file(&shown, format!("cannot read theme: {e}")))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                let rel = rel.to_string_lossy().replace('\\', "/");
                let file = ThemeFile {
                    name: rel,
                    data: FileData::Disk(entry.path().to_path_buf()),
                };
                if is_template {
                    let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                        Diagnostic::file(
                            shown.join(sub).join(&file.name),
                            format!("cannot read template: {e}"),
                        )
                    })?;
                    theme.templates.push((file, text));
                } else {
                    theme.static_files.push(file);
                }
            }
        }
        Ok(theme)
    }
}
