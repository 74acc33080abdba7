//! When each page last changed, from git: "Last updated" on the page and `<lastmod>` in
//! `sitemap.xml`.
//!
//! One pass over the history (gix, no `git` process): from `HEAD` along first parents,
//! each commit's tree is compared with its parent's (gix-diff, which skips every subtree
//! whose id did not change), and a path's first change met is its last update; the walk
//! stops once every file under `content/` in `HEAD` has one. A merge counts as the
//! change, dated when it landed.
//!
//! A page whose file differs from `HEAD`'s (an uncommitted edit: its text's blob id is
//! not the one `HEAD` holds) is dated by the file's modification time and marked
//! "not yet committed"; so is every page outside a git checkout, or in one with no
//! commit yet. A history that cannot be read (a damaged repository) is the same: the
//! build goes on with file times rather than fail over a date.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use gix::bstr::BString;
use gix::hash::ObjectId;
use gix::objs::tree::EntryKind;

/// A page's last change, as the theme shows it (`page.updated`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Updated {
    /// `2026-12-07`: for `<time datetime>` and `<lastmod>`.
    pub date: String,
    /// `7 December 2026`.
    pub display: String,
    /// The commit's id (short), when the date is a commit's.
    pub commit: Option<String>,
    /// Whether the page has edits git does not have yet (the date is the file's).
    pub uncommitted: bool,
}

/// What the history says of the site's files.
#[derive(Debug, Default)]
pub struct History {
    /// The site's root, which sources are relative to.
    root: PathBuf,
    /// The site root's path in the work tree; `None` outside a git checkout.
    site: Option<PathBuf>,
    /// Per path in the repository: the blob `HEAD` holds, and the last commit to
    /// change it (its time, its id).
    files: HashMap<BString, (ObjectId, Option<(i64, ObjectId)>)>,
    /// How long reading the history took.
    took: Duration,
}

impl History {
    /// Reads the history of `root`'s `content/` (see the module's docs); a site outside
    /// git, or one whose history cannot be read, gets an empty one.
    pub fn read(root: &Path) -> History {
        let started = Instant::now();
        let history = read(root).unwrap_or_else(|| History {
            root: root.to_path_buf(),
            ..History::default()
        });
        History {
            took: started.elapsed(),
            ..history
        }
    }

    /// Where `root`'s repository records a commit or a checkout: its git folder (`HEAD`,
    /// `packed-refs`) and its branches (`refs/heads/`). `serve` watches them and reads
    /// the history again after a change, so a page committed while it runs loses its
    /// "not yet committed". Empty outside git.
    pub fn refs_of(root: &Path) -> Vec<PathBuf> {
        let Ok(repo) = gix::discover(root) else {
            return Vec::new();
        };
        vec![
            repo.git_dir().to_path_buf(),
            repo.common_dir().join("refs").join("heads"),
        ]
    }

    /// How long [`History::read`] took (`gatehouse build -v` prints it).
    pub fn took(&self) -> Duration {
        self.took
    }

    /// `source` (relative to the site root, as [`crate::page::SourceFile::path`]) whose
    /// text is `text`: its last change.
    pub fn of(&self, source: &Path, text: &[u8]) -> Option<Updated> {
        let (secs, commit) = match self.committed(source, text) {
            Some((secs, id)) => (secs, Some(id.to_hex_with_len(7).to_string())),
            None => (file_time(&self.root.join(source))?, None),
        };
        Some(Updated {
            date: edge::dates::utc_date(secs).ok()?,
            display: edge::dates::human_date(secs).ok()?,
            uncommitted: commit.is_none(),
            commit,
        })
    }

    fn committed(&self, source: &Path, text: &[u8]) -> Option<(i64, ObjectId)> {
        let (blob, last) = self
            .files
            .get(&repo_path(&self.site.as_ref()?.join(source))?)?;
        let id = gix::objs::compute_hash(blob.kind(), gix::objs::Kind::Blob, text).ok()?;
        if id != *blob {
            return None;
        }
        *last
    }
}

/// `a/b.md` as git names it: `/`-separated, whatever the platform.
fn repo_path(path: &Path) -> Option<BString> {
    let parts: Option<Vec<&str>> = path.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/").into())
}

fn file_time(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    i64::try_from(modified.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()
}

fn read(root: &Path) -> Option<History> {
    let repo = gix::discover(root).ok()?;
    let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
    let site = std::fs::canonicalize(root)
        .ok()?
        .strip_prefix(&workdir)
        .ok()?
        .to_path_buf();
    let prefix = repo_path(&site.join("content"))?;
    let head = repo.head_commit().ok()?;
    let mut files = HashMap::new();
    let mut recorder = gix::traverse::tree::Recorder::default();
    head.tree()
        .ok()?
        .traverse()
        .breadthfirst(&mut recorder)
        .ok()?;
    for entry in recorder.records {
        let in_content = entry.filepath.starts_with(prefix.as_slice())
            && entry.filepath.get(prefix.len()) == Some(&b'/');
        if in_content
            && matches!(
                entry.mode.kind(),
                EntryKind::Blob | EntryKind::BlobExecutable
            )
        {
            files.insert(entry.filepath, (entry.oid, None));
        }
    }
    let mut wanted: HashSet<BString> = files.keys().cloned().collect();
    let walk = repo.rev_walk([head.id]).first_parent_only().all().ok()?;
    let mut state = gix_diff::tree::State::default();
    let empty = repo.empty_tree();
    for info in walk {
        if wanted.is_empty() {
            break;
        }
        let info = info.ok()?;
        let commit = info.object().ok()?;
        let time = commit.time().ok()?.seconds;
        let tree = commit.tree().ok()?;
        let parent = match info.parent_ids.first() {
            Some(id) => repo.find_commit(*id).ok()?.tree().ok()?,
            None => empty.clone(),
        };
        let mut changed = gix_diff::tree::Recorder::default();
        gix_diff::tree(
            gix::objs::TreeRefIter::from_bytes(&parent.data, parent.id.kind()),
            gix::objs::TreeRefIter::from_bytes(&tree.data, tree.id.kind()),
            &mut state,
            &repo.objects,
            &mut changed,
        )
        .ok()?;
        for change in changed.records {
            let path = match change {
                gix_diff::tree::recorder::Change::Addition { path, .. }
                | gix_diff::tree::recorder::Change::Modification { path, .. } => path,
                gix_diff::tree::recorder::Change::Deletion { .. } => continue,
            };
            if wanted.remove(&path)
                && let Some((_, last)) = files.get_mut(&path)
            {
                *last = Some((time, info.id));
            }
        }
    }
    Some(History {
        root: root.to_path_buf(),
        site: Some(site),
        files,
        took: Duration::ZERO,
    })
}
