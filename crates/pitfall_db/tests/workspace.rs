//! The workspace the language server and `check --watch` share: changes on
//! disk reach the database through it, and re-run only what they affect.

use std::fs;
use std::path::{Path, PathBuf};

use pitfall_db::{
    file_diagnostics, fingerprint, source_text, DisplayBase, PitfallDatabase, Workspace,
    WorkspaceOptions,
};
use pitfall_workspace::CliOverrides;

const HELPER: &str = "def helper():\n    return 1  # quick\n";
const BLOCKING_HELPER: &str = "import time\n\n\ndef helper():\n    time.sleep(1)  # slow\n";
const CALLER: &str = "import b\n\n\nasync def main():\n    b.helper()\n";

fn load(root: &Path) -> Workspace {
    let options = WorkspaceOptions {
        roots: vec![root.to_path_buf()],
        overrides: CliOverrides::default(),
        cwd: root.to_path_buf(),
        display: DisplayBase::Dir(root.to_path_buf()),
        force_exclude: false,
    };
    let (ws, errors) = Workspace::with_database(options, PitfallDatabase::with_execution_log())
        .expect("workspace");
    assert!(errors.is_empty(), "{errors:?}");
    ws
}

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    fs::write(root.join("pyproject.toml"), "[tool.pitfall]\n").unwrap();
    for (name, text) in files {
        fs::write(root.join(name), text).unwrap();
    }
    (dir, root)
}

/// Every member's codes, by display path, as `check --watch` asks for them.
fn findings(ws: &Workspace) -> Vec<String> {
    ws.members()
        .flat_map(|(_, file)| {
            let shown = file.display_path(ws.db()).clone();
            file_diagnostics(ws.db(), file)
                .diagnostics
                .iter()
                .map(|d| format!("{shown} {}", d.rule.meta().code))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Records the texts' fingerprints, as watch mode does after a check.
fn record_fingerprints(ws: &mut Workspace) {
    let prints: Vec<(PathBuf, u64)> = ws
        .members()
        .map(|(p, f)| (p.to_path_buf(), fingerprint(&source_text(ws.db(), f))))
        .collect();
    for (path, print) in prints {
        ws.record_fingerprint(&path, print);
    }
}

fn ran(log: &[String], query: &str) -> usize {
    log.iter().filter(|q| q.contains(query)).count()
}

#[test]
fn a_helper_edited_on_disk_reaches_the_caller_without_relinting_it() {
    let (_dir, root) = project(&[("a.py", CALLER), ("b.py", HELPER)]);
    let mut ws = load(&root);
    assert!(findings(&ws).is_empty());
    record_fingerprints(&mut ws);
    ws.db().take_executed();

    fs::write(root.join("b.py"), BLOCKING_HELPER).unwrap();
    assert!(ws.disk_changed(&root.join("b.py")));
    assert!(ws.sync_members().is_empty());
    assert_eq!(findings(&ws), ["a.py PF101"]);
    let log = ws.db().take_executed();
    assert_eq!(ran(&log, "lint_file"), 1, "only b.py is re-linted: {log:?}");
    assert_eq!(ran(&log, "call_facts"), 1, "{log:?}");
    record_fingerprints(&mut ws);

    // A comment only: the helper is re-linted, nothing that depends on it
    // re-runs (its interface backdates).
    fs::write(
        root.join("b.py"),
        BLOCKING_HELPER.replace("# slow", "# very slow"),
    )
    .unwrap();
    assert!(ws.disk_changed(&root.join("b.py")));
    assert_eq!(findings(&ws), ["a.py PF101"]);
    let log = ws.db().take_executed();
    assert_eq!(ran(&log, "lint_file"), 1, "{log:?}");
    assert_eq!(ran(&log, "call_facts"), 0, "{log:?}");
    assert_eq!(ran(&log, "cross_module_diagnostics"), 0, "{log:?}");
    record_fingerprints(&mut ws);

    // Written again with the same text (an editor saving twice, a touch):
    // not a change at all.
    let same = fs::read(root.join("b.py")).unwrap();
    fs::write(root.join("b.py"), same).unwrap();
    assert!(!ws.disk_changed(&root.join("b.py")));
    assert_eq!(findings(&ws), ["a.py PF101"]);
    let log = ws.db().take_executed();
    assert!(log.is_empty(), "nothing re-runs: {log:?}");
}

#[test]
fn files_join_and_leave_by_the_discovery_rules() {
    let (_dir, root) = project(&[("a.py", CALLER), ("b.py", HELPER)]);
    fs::write(root.join(".gitignore"), "generated/\n").unwrap();
    let mut ws = load(&root);

    // A new module the caller imports: it joins, and the caller sees it.
    fs::write(root.join("b.py"), "from c import helper\n").unwrap();
    fs::write(root.join("c.py"), BLOCKING_HELPER).unwrap();
    ws.disk_changed(&root.join("b.py"));
    assert!(ws.disk_changed(&root.join("c.py")));
    assert!(ws.sync_members().is_empty());
    assert!(ws.is_member(&root.join("c.py")));
    assert_eq!(findings(&ws), ["a.py PF101"]);

    // Ignored by .gitignore, or not Python: never members.
    fs::create_dir(root.join("generated")).unwrap();
    fs::write(root.join("generated/d.py"), "def f(x=[]): pass\n").unwrap();
    fs::write(root.join("notes.txt"), "x").unwrap();
    ws.disk_changed(&root.join("generated"));
    ws.disk_changed(&root.join("generated/d.py"));
    ws.disk_changed(&root.join("notes.txt"));
    ws.sync_members();
    assert!(!ws.is_member(&root.join("generated/d.py")));
    assert!(!ws.is_member(&root.join("notes.txt")));

    // Deleted: it leaves the project, and the import no longer resolves.
    fs::remove_file(root.join("c.py")).unwrap();
    assert!(ws.disk_changed(&root.join("c.py")));
    assert!(!ws.is_member(&root.join("c.py")));
    assert!(findings(&ws).is_empty());
}

#[test]
fn a_broken_configuration_keeps_the_previous_settings() {
    let (_dir, root) = project(&[("a.py", "def f(x=[]):\n    return x\n")]);
    fs::write(
        root.join("pyproject.toml"),
        "[tool.pitfall]\nignore = [\"PF401\"]\n",
    )
    .unwrap();
    let mut ws = load(&root);
    assert!(findings(&ws).is_empty());

    fs::write(root.join("pyproject.toml"), "[tool.pitfall]\nselct = 1\n").unwrap();
    let errors = ws.reload_config();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("pyproject.toml:2:1: unknown key `selct`"),
        "{errors:?}"
    );
    assert!(ws.is_member(&root.join("a.py")), "still checked");
    assert!(findings(&ws).is_empty(), "with the previous settings");

    fs::write(root.join("pyproject.toml"), "[tool.pitfall]\n").unwrap();
    assert!(ws.reload_config().is_empty());
    assert_eq!(findings(&ws), ["a.py PF401"]);
}
