//! The offline book (`book build`), built from a test project into a folder.

use std::path::{Path, PathBuf};

/// Builds the offline book of the project at `root` into `out`; returns the
/// folder of its HTML.
pub fn build(root: &Path, out: &Path) -> PathBuf {
    let project = chezsoi::project::Project::open(root).unwrap();
    chezsoi::book::build(
        &project,
        &chezsoi::book::BuildOptions {
            out: Some(out.to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap()
    .out
}

/// The same, as the `file://` address a reader would open.
pub fn file_url(root: &Path, out: &Path) -> String {
    format!(
        "file://{}",
        build(root, out).canonicalize().unwrap().display()
    )
}
