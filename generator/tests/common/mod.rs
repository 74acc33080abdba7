//! What the integration tests share: writing a site's files into a temporary folder,
//! the options that build it, and git run as a writer would. (A folder module, so Cargo
//! does not build it as a test of its own.)
#![allow(dead_code, reason = "each test binary uses some of these")]

use std::path::Path;
use std::process::{Command, Stdio};

use gatehouse::BuildOptions;

/// Writes `text` to `rel` under `root`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Writes each `(path, text)` under `root`.
pub fn write_all(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        write(root, rel, text);
    }
}

/// Builds `root` into `out`, with drafts or without.
pub fn options(root: &Path, out: &Path, drafts: bool) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        out: Some(out.to_path_buf()),
        base_url: None,
        drafts,
    }
}

/// Runs `git` in `root` with a fixed identity, dated `date` (author and committer) when
/// given.
pub fn git(root: &Path, date: Option<&str>, args: &[&str]) {
    let mut command = Command::new("git");
    command
        .args(["-c", "user.name=Writer", "-c", "user.email=w@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(root)
        .stdout(Stdio::null());
    if let Some(date) = date {
        command
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let status = command.status().expect("git runs");
    assert!(status.success(), "git {args:?}");
}
