//! What the binary's end-to-end tests share: running `pitfall` in a
//! directory, and temporary projects to run it on.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// `pitfall` run in `dir`, without colour.
pub fn pitfall(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pitfall").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A temporary directory holding `files` (parent directories created).
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    project_bytes(&bytes)
}

/// [`project`] for files given as bytes (other encodings, BOMs).
pub fn project_bytes(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// Runs `cmd`: its exit code, standard output and standard error.
pub fn output_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
