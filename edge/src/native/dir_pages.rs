//! Pages read from a built site on disk (`public/<path>/index.html`).

use std::path::{Component, Path, PathBuf};

use crate::pages::Pages;

#[derive(Debug, Clone)]
pub struct DirPages {
    root: PathBuf,
}

impl DirPages {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn file(&self, path: &str) -> Option<PathBuf> {
        let relative = Path::new(path.trim_start_matches('/'));
        // Only plain names: the core asks for fixed paths, but a host bug must not turn
        // into reading files outside the site.
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        Some(self.root.join(relative).join("index.html"))
    }
}

impl Pages for DirPages {
    async fn page(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.file(path)?).ok()
    }
}
