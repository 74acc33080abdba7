//! Writing the site: into a staging folder beside the output, swapped in only when
//! the whole build succeeded, so a failed build leaves `public/` exactly as it was.

use std::io;
use std::path::{Path, PathBuf};

/// A folder being filled; dropped without [`Staging::commit`], it is removed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
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
            committed: false,
        })
    }

    /// Writes `bytes` to `rel` (a `/`-separated path inside the output).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let rel = rel.trim_start_matches('/');
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if self.reuse_unchanged(rel, bytes, &path) {
            return Ok(());
        }
        std::fs::write(path, bytes)
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
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, path).map(|_| ())
    }

    /// Replaces the target with the staged folder: two renames, so readers of the
    /// target see the old site or the new one, never a mix.
    pub fn commit(mut self) -> io::Result<()> {
        let old = self.dir.with_file_name(format!(
            "{}.old",
            self.dir
                .file_name()
                .map_or("public".into(), |n| n.to_string_lossy().into_owned())
        ));
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
        Ok(())
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
        staging.commit().unwrap();

        assert_eq!(inode("a/index.html"), unchanged, "linked, not rewritten");
        assert_eq!(
            std::fs::metadata(target.join("a/index.html"))
                .unwrap()
                .nlink(),
            1
        );
        assert_ne!(inode("b.html"), changed);
        assert_eq!(
            std::fs::read_to_string(target.join("b.html")).unwrap(),
            "new"
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
}
