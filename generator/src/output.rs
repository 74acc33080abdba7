//! Writing the site: into a staging folder beside the output, swapped in only when
//! the whole build succeeded, so a failed build leaves `public/` exactly as it was.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::hosting::MAX_FILE_BYTES;

/// One output file made from the whole site: where it goes (its URL path) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub body: Vec<u8>,
}

/// A folder being filled; dropped without [`Staging::commit`], it is removed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    /// Whether there is a current output to reuse files from (not on a clean build).
    reuse: bool,
    committed: bool,
    /// Files written or copied so far: what the build reports.
    files: AtomicUsize,
    /// Files larger than Workers static assets take (path in the output, bytes).
    oversized: Mutex<Vec<(String, u64)>>,
}

/// What [`Staging::commit`] published.
#[derive(Debug)]
pub struct Written {
    pub files: usize,
    /// Files larger than [`MAX_FILE_BYTES`] (path in the output, bytes), sorted.
    pub oversized: Vec<(String, u64)>,
}

impl Staging {
    pub fn create(target: &Path) -> io::Result<Self> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            target: target.to_path_buf(),
            reuse: target.is_dir(),
            committed: false,
            files: AtomicUsize::new(0),
            oversized: Mutex::default(),
        })
    }

    /// Writes `bytes` to `rel` (a `/`-separated path inside the output).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let rel = rel.trim_start_matches('/');
        self.note_size(rel, bytes.len() as u64);
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            create_parent(parent)?;
        }
        if self.reuse {
            let new = self.count_if_new(&path);
            if new && self.reuse_unchanged(rel, bytes, &path) {
                return Ok(());
            }
            return std::fs::write(path, bytes);
        }
        // A clean build: no current output to link from, and most files are new, so
        // creating the file says whether it is (one system call where a look first
        // would be two).
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        let mut file = match options.open(&path) {
            Ok(file) => {
                self.files.fetch_add(1, Ordering::Relaxed);
                file
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&path)?;
                options.open(&path)?
            }
            Err(err) => return Err(err),
        };
        io::Write::write_all(&mut file, bytes)
    }

    /// Writes a file made of `parts`, in order, without joining them in memory first
    /// (a large generated file). Never linked from the current output.
    pub fn write_parts<'a>(
        &self,
        rel: &str,
        parts: impl IntoIterator<Item = &'a [u8]>,
    ) -> io::Result<()> {
        use std::io::Write;
        let path = self.dir.join(rel.trim_start_matches('/'));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        self.count_if_new(&path);
        let mut file = io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
        let mut size = 0;
        for part in parts {
            size += part.len() as u64;
            file.write_all(part)?;
        }
        self.note_size(rel, size);
        file.flush()
    }

    /// Notes a file too large for Workers static assets.
    fn note_size(&self, rel: &str, bytes: u64) {
        if bytes > MAX_FILE_BYTES
            && let Ok(mut oversized) = self.oversized.lock()
        {
            oversized.push((format!("/{}", rel.trim_start_matches('/')), bytes));
        }
    }

    /// Links the current output's file into the staging folder when it already holds
    /// exactly `bytes`. On a rebuild most files are unchanged, and a hard link costs no new
    /// inode and no data write: on this project's ext4 disk, allocating inodes is most of
    /// what writing the output costs. The old tree is removed after the swap, so nothing
    /// stays shared. Any failure (no such file, a filesystem without hard links) just
    /// means writing the file.
    fn reuse_unchanged(&self, rel: &str, bytes: &[u8], path: &Path) -> bool {
        let current = self.target.join(rel);
        let same_size = std::fs::symlink_metadata(&current)
            .is_ok_and(|meta| meta.is_file() && meta.len() == bytes.len() as u64);
        same_size
            && std::fs::read(&current).is_ok_and(|existing| existing == bytes)
            && std::fs::hard_link(&current, path).is_ok()
    }

    pub fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        let path = self.dir.join(rel.trim_start_matches('/'));
        if let Some(parent) = path.parent() {
            create_parent(parent)?;
        }
        self.count_if_new(&path);
        let bytes = std::fs::copy(from, path)?;
        self.note_size(rel, bytes);
        Ok(())
    }

    /// Counts a file about to be written unless an earlier write made it (the site's
    /// static file over the theme's): the count is what the output holds. A file written
    /// before is removed first: it may be a hard link to the current output, which
    /// writing through would change while it is still the published site.
    fn count_if_new(&self, path: &Path) -> bool {
        let new = std::fs::symlink_metadata(path).is_err();
        if new {
            self.files.fetch_add(1, Ordering::Relaxed);
        } else {
            let _ = std::fs::remove_file(path);
        }
        new
    }

    /// Replaces the target with the staged folder: two renames, so readers of the
    /// target see the old site or the new one, never a mix. Returns how many files it
    /// holds, and which are too large for Workers static assets.
    pub fn commit(mut self) -> io::Result<Written> {
        let old = self.dir.with_file_name(format!(
            "{}.old",
            self.dir
                .file_name()
                .map_or("public".into(), |n| n.to_string_lossy().into_owned())
        ));
        // A large file a later write replaced is no longer in the output.
        let mut oversized = std::mem::take(
            &mut *self
                .oversized
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        oversized.retain(|(rel, _)| {
            std::fs::metadata(self.dir.join(rel.trim_start_matches('/')))
                .is_ok_and(|meta| meta.len() > MAX_FILE_BYTES)
        });
        oversized.sort();
        oversized.dedup();
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(err) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(err);
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(Written {
            files: self.files.load(Ordering::Relaxed),
            oversized,
        })
    }
}

/// Makes a file's folder. Each page has a folder of its own, which usually does not
/// exist yet and whose parent does: try making it before looking.
fn create_parent(dir: &Path) -> io::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(_) => std::fs::create_dir_all(dir),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_build_leaves_the_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();
        {
            let staging = Staging::create(&target).unwrap();
            staging.write("a/index.html", b"new").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(target.join("old.html")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "staging folder removed"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(target.join("a")).unwrap();
        std::fs::write(target.join("a/index.html"), "same").unwrap();
        std::fs::write(target.join("b.html"), "old").unwrap();
        let inode = |rel: &str| std::fs::metadata(target.join(rel)).unwrap().ino();
        let unchanged = inode("a/index.html");
        let changed = inode("b.html");

        let staging = Staging::create(&target).unwrap();
        staging.write("a/index.html", b"same").unwrap();
        staging.write("b.html", b"new").unwrap();
        let staging_files = staging.commit().unwrap().files;

        assert_eq!(inode("a/index.html"), unchanged, "linked, not rewritten");
        assert_eq!(
            std::fs::metadata(target.join("a/index.html"))
                .unwrap()
                .nlink(),
            1
        );
        assert_ne!(inode("b.html"), changed);
        assert_eq!(staging_files, 2);
        assert_eq!(
            std::fs::read_to_string(target.join("b.html")).unwrap(),
            "new"
        );
    }

    /// The theme's file is written, then the site's copied over it: one file, and the
    /// published one (linked into the staging folder) is never written through.
    #[test]
    fn a_file_written_twice_counts_once_and_leaves_the_published_one_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("site.css"), "theme").unwrap();
        let own = dir.path().join("own.css");
        std::fs::write(&own, "site").unwrap();

        let staging = Staging::create(&target).unwrap();
        staging.write("site.css", b"theme").unwrap();
        staging.copy("/site.css", &own).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("site.css")).unwrap(),
            "theme",
            "the published file is untouched until the swap"
        );
        assert_eq!(staging.commit().unwrap().files, 1);
        assert_eq!(
            std::fs::read_to_string(target.join("site.css")).unwrap(),
            "site"
        );
    }

    /// On a clean build (no current output) a file written twice is counted once, and
    /// the later write wins.
    #[test]
    fn a_clean_build_counts_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let staging = Staging::create(&target).unwrap();
        staging.write("a/b/index.html", b"first").unwrap();
        staging.write("a/b/index.html", b"second").unwrap();
        staging.write("a/c/index.html", b"c").unwrap();
        assert_eq!(staging.commit().unwrap().files, 2);
        assert_eq!(
            std::fs::read_to_string(target.join("a/b/index.html")).unwrap(),
            "second"
        );
    }

    #[test]
    fn commit_swaps_in_the_new_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();
        let staging = Staging::create(&target).unwrap();
        staging.write("a/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn files_too_large_for_workers_assets_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let large = vec![b'x'; MAX_FILE_BYTES as usize + 1];
        let source = dir.path().join("intro.mp4");
        std::fs::write(&source, &large).unwrap();
        let staging = Staging::create(&target).unwrap();
        staging.copy("/video/intro.mp4", &source).unwrap();
        staging.write("/big.json", &large).unwrap();
        staging.write("/replaced.css", &large).unwrap();
        staging.write("/replaced.css", b"small").unwrap();
        staging
            .write_parts("/parts.bin", [&large[..10], &large[..]])
            .unwrap();
        staging.write("/fits.bin", &large[1..]).unwrap();
        let written = staging.commit().unwrap();
        let size = MAX_FILE_BYTES + 1;
        assert_eq!(
            written.oversized,
            [
                ("/big.json".to_string(), size),
                ("/parts.bin".to_string(), size + 10),
                ("/video/intro.mp4".to_string(), size),
            ]
        );
        assert_eq!(written.files, 5);
    }
}
