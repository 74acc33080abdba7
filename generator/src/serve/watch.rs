//! Watching the site's inputs and turning bursts of file events into one batch.
//!
//! Editors save in several steps (write a temp file and rename it; truncate then
//! write), so events are collected until the folder has been quiet for a moment. The
//! quiet period is short: it is most of the delay between a save and the reload.
//!
//! Only the input folders ([`INPUT_DIRS`]) and the root itself are watched, and events for
//! paths that are not inputs ([`inputs::is_input`]: editors' temporaries, hidden files,
//! `public/`) are dropped here, so a save wakes the rebuilder once, for the real file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::inputs::{self, INPUT_DIRS};

/// How long the inputs must be quiet before a batch is handed on.
const QUIET: Duration = Duration::from_millis(8);
/// A steady stream of events (a `git checkout`, say) is still cut into batches.
const MAX_BATCH_WAIT: Duration = Duration::from_millis(150);

/// Watches `root`'s inputs; keep it alive as long as events are wanted.
pub struct InputWatcher {
    watcher: notify::RecommendedWatcher,
    root: PathBuf,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
}

impl InputWatcher {
    pub fn new(root: &Path) -> notify::Result<Self> {
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        for dir in INPUT_DIRS {
            let path = root.join(dir);
            if path.is_dir() {
                watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        // Non-recursive: sees site.toml, and input folders created or replaced later.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        Ok(Self {
            watcher,
            root: root.to_path_buf(),
            events,
        })
    }

    /// An input folder that appeared after start (or was replaced, as `git checkout` or
    /// `mv new content` do) gets a fresh recursive watch; without it, edits inside it
    /// would go unseen until a restart. Files written into it before the watch existed
    /// are still picked up: a changed input folder always means a full rebuild.
    fn rewatch_input_dirs(&mut self, batch: &BTreeSet<PathBuf>) {
        for path in batch {
            let is_input_dir = path
                .strip_prefix(&self.root)
                .ok()
                .and_then(|rel| rel.to_str())
                .is_some_and(|rel| INPUT_DIRS.contains(&rel));
            if is_input_dir {
                let _ = self.watcher.unwatch(path);
                if path.is_dir() {
                    let _ = self.watcher.watch(path, RecursiveMode::Recursive);
                }
            }
        }
    }

    /// Blocks until something changed, then returns every path changed in the burst.
    /// `None` when the watcher is gone.
    pub fn next_batch(&mut self) -> Option<BTreeSet<PathBuf>> {
        let mut batch = BTreeSet::new();
        loop {
            let first = self.events.recv().ok()?;
            collect(&self.root, first, &mut batch);
            if !batch.is_empty() {
                break;
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => collect(&self.root, event, &mut batch),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        self.rewatch_input_dirs(&batch);
        Some(batch)
    }
}

fn collect(root: &Path, event: notify::Result<notify::Event>, batch: &mut BTreeSet<PathBuf>) {
    let Ok(event) = event else { return };
    let relevant = match event.kind {
        // Reads do not change anything; a closed-after-writing file does.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if relevant {
        batch.extend(event.paths.into_iter().filter(|path| is_input(root, path)));
    }
}

/// Whether an event's path is an input of the site at `root` (of any theme: `site.toml`
/// may name another one next).
fn is_input(root: &Path, path: &Path) -> bool {
    inputs::is_input(path.strip_prefix(root).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inputs_are_passed_on() {
        let root = Path::new("/site");
        for noise in [
            "content/.a.md.swp",
            "content/a.md~",
            "content/4913",
            "content/.#a.md",
            "content/#a.md#",
            "content/x.tmp",
            "content/sedAb12Cd",
            "content/.git/x.md",
            "public/index.html",
            "README.md",
        ] {
            assert!(!is_input(root, &root.join(noise)), "{noise}");
        }
        for input in [
            "content/a.md",
            "static/x.png",
            "site.toml",
            "data/kong.yaml",
            "themes/any/templates/page.html",
            "content",
        ] {
            assert!(is_input(root, &root.join(input)), "{input}");
        }
    }
}
