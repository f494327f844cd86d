//! `parse-floor` end to end: what it counts, and that every file is taken
//! once in the largest-first schedule (the counts would be off otherwise).

use std::path::Path;
use std::process::Command;

fn floor(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parse-floor"))
        .args(args)
        .arg(dir)
        .output()
        .expect("run parse-floor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pkg/site-packages")).unwrap();
    // Sizes from empty to large, so the order has something to sort.
    std::fs::write(root.join("empty.py"), "").unwrap();
    std::fs::write(root.join("small.py"), "x = 1\n").unwrap();
    std::fs::write(
        root.join("large.py"),
        "def f(a):\n    return a\n".repeat(2000),
    )
    .unwrap();
    std::fs::write(root.join("pkg/stub.pyi"), "def g() -> int: ...\n").unwrap();
    std::fs::write(root.join("pkg/broken.py"), "def (:\n").unwrap();
    std::fs::write(root.join("pkg/latin1.py"), b"s = '\xe9'\n").unwrap();
    std::fs::write(root.join("pkg/notes.txt"), "not python").unwrap();
    std::fs::write(root.join("pkg/site-packages/dep.py"), "y = 2\n").unwrap();
    dir
}

#[test]
fn counts_files_parse_errors_and_unreadable_ones() {
    let dir = project();
    // site-packages and the .txt are skipped; the Latin-1 file is unreadable.
    let expected = "files=6 parse_errors=1 unreadable=1\n";
    assert_eq!(floor(&[], dir.path()), (0, expected.into(), String::new()));
    assert_eq!(
        floor(&["--index"], dir.path()),
        (0, expected.into(), String::new())
    );
}

#[test]
fn an_empty_tree_has_no_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(floor(&[], dir.path()).1, "files=0 parse_errors=0\n");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = floor(&[], &dir.path().join("nope"));
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("no such file or directory"), "{err}");
}
