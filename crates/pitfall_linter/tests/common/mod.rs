//! What the fixture harnesses share.

use std::path::{Path, PathBuf};

/// The repository's `tests/fixtures` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// The single-file fixtures (`tests/fixtures/*.py`, `*.pyi`), sorted.
pub fn fixture_paths() -> Vec<PathBuf> {
    let dir = fixtures_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("py" | "pyi")))
        .collect();
    paths.sort();
    paths
}
