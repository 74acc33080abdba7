//! What the unit tests of several modules share (compiled for tests only).

use std::path::Path;

/// A temporary copy of `tests/fixtures/<name>`, free to edit.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    for entry in walkdir::WalkDir::new(&fixture) {
        let entry = entry.expect("the fixture is readable");
        let rel = entry
            .path()
            .strip_prefix(&fixture)
            .expect("walkdir stays below its root");
        let target = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a folder in the copy");
        } else {
            std::fs::copy(entry.path(), &target).expect("a file in the copy");
        }
    }
    dir
}
