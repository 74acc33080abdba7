//! Watching the site's inputs and turning bursts of file events into one batch.
//!
//! Editors save in several steps (write a temp file and rename it; truncate then
//! write), so events are collected until the folder has been quiet for a moment. The
//! quiet period is short: it is most of the delay between a save and the reload.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

/// How long the inputs must be quiet before a batch is handed on.
const QUIET: Duration = Duration::from_millis(8);
/// A steady stream of events (a `git checkout`, say) is still cut into batches.
const MAX_BATCH_WAIT: Duration = Duration::from_millis(150);

/// Watches `root`'s inputs; keep it alive as long as events are wanted.
pub struct InputWatcher {
    _watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
}

impl InputWatcher {
    pub fn new(root: &Path) -> notify::Result<Self> {
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        // Only the inputs: watching the whole root would include public/, target/ and
        // node_modules/, which are large and change during builds.
        for dir in ["content", "themes", "static", "data"] {
            let path = root.join(dir);
            if path.is_dir() {
                watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        Ok(Self {
            _watcher: watcher,
            events,
        })
    }

    /// Blocks until something changed, then returns every path changed in the burst.
    /// `None` when the watcher is gone.
    pub fn next_batch(&self) -> Option<BTreeSet<PathBuf>> {
        let mut batch = BTreeSet::new();
        loop {
            let first = self.events.recv().ok()?;
            collect(first, &mut batch);
            if !batch.is_empty() {
                break;
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => collect(event, &mut batch),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(batch)
    }
}

fn collect(event: notify::Result<notify::Event>, batch: &mut BTreeSet<PathBuf>) {
    let Ok(event) = event else { return };
    let relevant = match event.kind {
        // Reads do not change anything; a closed-after-writing file does.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if relevant {
        batch.extend(event.paths.into_iter().filter(|p| !is_editor_noise(p)));
    }
}

/// Swap files, backups and other hidden files editors write next to the real one.
fn is_editor_noise(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_noise_is_ignored() {
        for noise in [".a.md.swp", "a.md~", "4913", ".#a.md", "x.tmp"] {
            assert!(is_editor_noise(Path::new(noise)), "{noise}");
        }
        assert!(!is_editor_noise(Path::new("content/a.md")));
    }
}
