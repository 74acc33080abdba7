//! Drawn diagrams kept on disk, in the site's `.gatehouse/cache/diagrams/`, so a rebuild
//! does not lay out again a diagram no edit touched (a layout takes ~20 ms; reading it
//! back, a few µs). Hidden, so never an input; safe to delete.
//!
//! An entry is the renderer's SVG as it drew it, before the page's own passes (inline
//! styles to attributes, link checks), which run on every build. It is named by the SHA-1
//! of the renderer's name and version, its options (theme and layout, as `Debug`
//! prints them) and the source: any change to one of them is another name, so an entry is
//! never stale, only unused. Writes go to a temporary name and are renamed, so a build
//! stopped halfway leaves no torn entry; a cache that cannot be read or written is
//! skipped, never an error.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, PoisonError};

/// Where a site's diagrams are kept, under its root.
pub const DIR: &str = ".gatehouse/cache/diagrams";

/// The renderer, as pinned in `generator/Cargo.toml` (a test holds them together).
pub const RENDERER: &str = "mermaid-rs-renderer 0.3.1";

static KEPT_IN: LazyLock<Mutex<Option<PathBuf>>> = LazyLock::new(Default::default);

/// Keep drawn diagrams under `root` from now on (`None`: in memory only). Entries are
/// named by what drew them, so two sites built in one process may share entries
/// without harm.
pub fn keep_under(root: Option<&Path>) {
    *KEPT_IN.lock().unwrap_or_else(PoisonError::into_inner) = root.map(|root| root.join(DIR));
}

fn entry(options: &str, source: &str) -> Option<PathBuf> {
    let dir = KEPT_IN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()?;
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    for part in [RENDERER, options, source] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let id = hasher.try_finalize().ok()?;
    Some(dir.join(format!("{}.svg", id.to_hex())))
}

/// The SVG drawn before from `source` with `options`, if it was kept.
pub fn load(options: &str, source: &str) -> Option<String> {
    fs::read_to_string(entry(options, source)?).ok()
}

/// Keeps `svg`, drawn from `source` with `options`.
pub fn store(options: &str, source: &str, svg: &str) {
    let Some(path) = entry(options, source) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    let temporary = path.with_extension(format!("{}.part", std::process::id()));
    let written = fs::create_dir_all(dir)
        .and_then(|()| fs::write(&temporary, svg))
        .and_then(|()| fs::rename(&temporary, &path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renderer_named_is_the_one_pinned() {
        let manifest = include_str!("../../Cargo.toml");
        let (name, version) = RENDERER.split_once(' ').unwrap_or_default();
        assert!(
            manifest.contains(&format!("{name} = {{ version = \"={version}\"")),
            "generator/Cargo.toml does not pin {RENDERER}"
        );
    }
}
