//! What the integration tests share: writing a site's files into a temporary folder.
//! (A folder module, so Cargo does not build it as a test of its own.)

use std::path::Path;

/// Writes `text` to `rel` under `root`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Writes each `(path, text)` under `root`.
#[allow(dead_code, reason = "not every test binary writes many files at once")]
pub fn write_all(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        write(root, rel, text);
    }
}
