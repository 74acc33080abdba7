//! Watching the site's inputs and turning bursts of file events into one batch.
//!
//! Editors save in several steps (write a temp file and rename it; truncate then
//! write), so events are collected until the folder has been quiet for a moment. The
//! quiet period is short: it is most of the delay between a save and the reload.
//!
//! Only the input folders ([`INPUT_DIRS`]) and the root itself are watched, and events for
//! paths that are not inputs ([`inputs::is_input`]: editors' temporaries, hidden files,
//! `public/`) are dropped here, so a save wakes the rebuilder once, for the real file.
//!
//! The repository's `HEAD` and branches ([`History::refs_of`]) are watched too: a commit
//! or a checkout is the one path [`HISTORY`] in the batch, and the site is rebuilt with
//! the history read again (a page just committed loses its "not yet committed").

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::history::History;
use crate::inputs::{self, INPUT_DIRS};

/// The path a batch holds when a commit or a checkout changed the history (under the
/// root, hidden, so never a real input).
pub const HISTORY: &str = ".git-history";

/// How long the inputs must be quiet before a batch is handed on.
const QUIET: Duration = Duration::from_millis(8);
/// A steady stream of events (a `git checkout`, say) is still cut into batches.
const MAX_BATCH_WAIT: Duration = Duration::from_millis(150);

/// Watches `root`'s inputs; keep it alive as long as events are wanted.
pub struct InputWatcher {
    watcher: notify::RecommendedWatcher,
    root: PathBuf,
    /// The repository's git folder and its `refs/heads/`, if the site is in one.
    refs: Vec<PathBuf>,
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
        // Best effort: a history that cannot be watched is read again on a restart.
        let refs = History::refs_of(root);
        if let [git, heads] = refs.as_slice() {
            let _ = watcher.watch(git, RecursiveMode::NonRecursive);
            let _ = watcher.watch(heads, RecursiveMode::Recursive);
        }
        Ok(Self {
            watcher,
            root: root.to_path_buf(),
            refs,
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
            collect(&self.root, &self.refs, first, &mut batch);
            if !batch.is_empty() {
                break;
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => collect(&self.root, &self.refs, event, &mut batch),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        self.rewatch_input_dirs(&batch);
        Some(batch)
    }
}

fn collect(
    root: &Path,
    refs: &[PathBuf],
    event: notify::Result<notify::Event>,
    batch: &mut BTreeSet<PathBuf>,
) {
    let Ok(event) = event else { return };
    let relevant = match event.kind {
        // Reads do not change anything; a closed-after-writing file does.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if relevant {
        for path in event.paths {
            if is_input(root, &path) {
                batch.insert(path);
            } else if is_history(refs, &path) {
                batch.insert(root.join(HISTORY));
            }
        }
    }
}

/// Whether `path` records a commit or a checkout: the git folder's `HEAD` or
/// `packed-refs`, or a branch under `refs/heads/` (not git's `.lock` files, nor the
/// index, which `git status` rewrites).
fn is_history(refs: &[PathBuf], path: &Path) -> bool {
    let [git, heads] = refs else { return false };
    let is_lock = path.extension().is_some_and(|e| e == "lock");
    let top = path.parent() == Some(git.as_path())
        && path
            .file_name()
            .is_some_and(|name| name == "HEAD" || name == "packed-refs");
    !is_lock && (top || path.starts_with(heads))
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

    #[test]
    fn commits_and_checkouts_are_history_and_the_index_is_not() {
        let git = Path::new("/repo/.git");
        let refs = [git.to_path_buf(), git.join("refs/heads")];
        for history in [
            "HEAD",
            "packed-refs",
            "refs/heads/main",
            "refs/heads/team/x",
        ] {
            assert!(is_history(&refs, &git.join(history)), "{history}");
        }
        for noise in [
            "index",
            "index.lock",
            "HEAD.lock",
            "refs/heads/main.lock",
            "COMMIT_EDITMSG",
            "logs/HEAD",
            "objects/ab/cdef",
        ] {
            assert!(!is_history(&refs, &git.join(noise)), "{noise}");
        }
        assert!(!is_history(&[], &git.join("HEAD")), "outside git");
    }
}
