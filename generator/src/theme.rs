//! Themes: Tera templates plus static files, from `themes/<name>/` on disk or, for the
//! default theme, from the copy compiled into the binary. Which files of the theme are
//! its templates and static files is [`inputs::classify`]'s answer, for both.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::inputs::{self, Input};
use crate::shortcodes::{self, Template};

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
    /// Its `shortcodes/*.html` ([`crate::shortcodes`]).
    pub shortcodes: Vec<Template>,
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
            shortcodes: Vec::new(),
        };
        let dir = Path::new("themes").join("default");
        for (path, bytes) in embedded::FILES {
            // The copy embeds whatever was in the folder when the binary was built,
            // editors' temporaries included.
            match inputs::classify(&dir.join(path), Some("default")) {
                Input::ThemeTemplate { name } => theme.templates.push((
                    ThemeFile {
                        name,
                        data: FileData::Embedded(bytes),
                    },
                    String::from_utf8_lossy(bytes).into_owned(),
                )),
                Input::ThemeStatic { url } => theme.static_files.push(ThemeFile {
                    name: name_of(&url),
                    data: FileData::Embedded(bytes),
                }),
                Input::Shortcode { name } => theme.shortcodes.push(Template {
                    origin: format!("shortcodes/{name}.html in the default theme (built in)"),
                    name,
                    text: String::from_utf8_lossy(bytes).into_owned(),
                }),
                _ => {}
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
            shortcodes: shortcodes::read_dir_templates(
                &dir.join("shortcodes"),
                &shown.join("shortcodes"),
            )
            .map_err(|mut p| p.remove(0))?,
        };
        for sub in ["templates", "static"] {
            let base = dir.join(sub);
            if !base.is_dir() {
                continue;
            }
            // Paths relative to the site root, as the classifier wants them.
            let rel = |path: &Path| {
                shown
                    .join(sub)
                    .join(path.strip_prefix(&base).unwrap_or(path))
            };
            // A folder that is not an input (`.git/`, `old~/`) is not descended.
            let walker = walkdir::WalkDir::new(&base)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| inputs::classify(&rel(e.path()), Some(name)).is_input());
            for entry in walker {
                let entry = entry
                    .map_err(|e| Diagnostic::file(&shown, format!("cannot read theme: {e}")))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let data = FileData::Disk(entry.path().to_path_buf());
                match inputs::classify(&rel(entry.path()), Some(name)) {
                    Input::ThemeTemplate { name: template } => {
                        let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                            Diagnostic::file(
                                shown.join(sub).join(&template),
                                format!("cannot read template: {e}"),
                            )
                        })?;
                        let file = ThemeFile {
                            name: template,
                            data,
                        };
                        theme.templates.push((file, text));
                    }
                    Input::ThemeStatic { url } => theme.static_files.push(ThemeFile {
                        name: name_of(&url),
                        data,
                    }),
                    _ => {}
                }
            }
        }
        Ok(theme)
    }
}

/// A static file's name inside `static/` (where it is written in the output) from its
/// URL.
fn name_of(url: &str) -> String {
    url.trim_start_matches('/').to_string()
}
