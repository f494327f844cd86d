//! A re-check goes through the database's incremental path: it re-runs the
//! queries of the edited file and of what depends on it, nothing else.

use std::fs;

use pitfall_db::PitfallDatabase;
use pitfall_workspace::CliOverrides;

use super::*;

const CALLER: &str = "import b\n\n\nasync def main():\n    b.helper()\n";
const HELPER: &str = "import time\n\n\ndef helper():\n    return 1  # quick\n";
const BLOCKING: &str = "import time\n\n\ndef helper():\n    time.sleep(1)  # slow\n";

fn session(root: &Path) -> WatchSession {
    let options = WorkspaceOptions {
        roots: vec![root.to_path_buf()],
        overrides: CliOverrides::default(),
        cwd: root.to_path_buf(),
        display: DisplayBase::Dir(root.to_path_buf()),
        force_exclude: false,
    };
    let (ws, errors) =
        Workspace::with_database(options, PitfallDatabase::with_execution_log()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let reporter = Reporter {
        format: OutputFormat::Concise,
        color: false,
        unsafe_fixes: UnsafeFixes::Disabled,
        quiet: false,
    };
    WatchSession::new(ws, vec![root.to_path_buf()], None, pool, reporter)
}

fn edit(session: &mut WatchSession, path: &Path, text: &str) -> (String, Vec<String>) {
    fs::write(path, text).unwrap();
    let batch = Batch {
        paths: [path.to_path_buf()].into_iter().collect(),
        rescan: false,
    };
    let mut out = Vec::new();
    session.apply(batch, &mut out).unwrap();
    (
        String::from_utf8(out).unwrap(),
        session.ws.db().take_executed(),
    )
}

fn ran(log: &[String], query: &str) -> usize {
    log.iter().filter(|q| q.starts_with(query)).count()
}

#[test]
fn a_recheck_runs_only_what_the_edit_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::write(root.join("pyproject.toml"), "[tool.pitfall]\n").unwrap();
    fs::write(root.join("a.py"), CALLER).unwrap();
    fs::write(root.join("b.py"), HELPER).unwrap();
    for i in 0..5 {
        fs::write(
            root.join(format!("other{i}.py")),
            "def f(x=[]):\n    return x\n",
        )
        .unwrap();
    }
    let mut session = session(&root);
    // As on a project larger than the LRU: untouched files' texts and
    // indexes are evicted between checks, and must stay so.
    pitfall_db::set_lru_capacity(session.ws.db_mut(), 1);
    let mut out = Vec::new();
    session.check(&Scope::initial(), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.ends_with("Found 5 problems in 5 files (7 files checked)")
            || out.contains("Found 5 problems in 5 files (7 files checked) in "),
        "{out}"
    );
    session.ws.db().take_executed();

    // The helper blocks now: only b.py is parsed, indexed and linted
    // again; a.py's cross-module finding is recomputed from the
    // project facts, the other files are not touched.
    let (out, log) = edit(&mut session, &root.join("b.py"), BLOCKING);
    assert!(out.starts_with("+ a.py:5:5: PF101 "), "{out}");
    assert!(
        out.contains("1 new, 0 fixed: 6 problems in 6 files"),
        "{out}"
    );
    // b.py's text is read again, and a.py's too (to locate its new
    // finding) unless it was the one text the LRU kept: which file the
    // parallel first check touched last varies from run to run. a.py is
    // never parsed again.
    let texts = ran(&log, "source_text_handle");
    assert!((1..=2).contains(&texts), "{texts}: {log:?}");
    for query in [
        "parsed_module",
        "semantic_index_handle",
        "module_summary",
        "lint_file",
    ] {
        assert_eq!(ran(&log, query), 1, "{query}: {log:?}");
    }
    assert_eq!(ran(&log, "call_facts"), 1, "{log:?}");

    // A comment: b.py alone is re-linted, its interface backdates, and
    // nothing is printed but the summary.
    let (out, log) = edit(
        &mut session,
        &root.join("b.py"),
        &BLOCKING.replace("slow", "very slow"),
    );
    assert!(
        out.starts_with("No new or fixed findings: 6 problems"),
        "{out}"
    );
    assert_eq!(ran(&log, "lint_file"), 1, "{log:?}");
    assert_eq!(ran(&log, "call_facts"), 0, "{log:?}");
    assert_eq!(ran(&log, "cross_module_diagnostics"), 0, "{log:?}");

    // The same text written again: nothing re-runs, nothing is printed.
    let same = fs::read_to_string(root.join("b.py")).unwrap();
    let (out, log) = edit(&mut session, &root.join("b.py"), &same);
    assert!(out.is_empty(), "{out}");
    assert!(log.is_empty(), "{log:?}");

    // New settings: every file they govern is linted again (here all).
    let (out, log) = edit(
        &mut session,
        &root.join("pyproject.toml"),
        "[tool.pitfall]\nignore = [\"PF401\"]\n",
    );
    assert_eq!(session.ws.settings_changed().len(), 7);
    assert!(out.contains("0 new, 5 fixed: 1 problem in 1 file"), "{out}");
    assert_eq!(ran(&log, "lint_file"), 7, "{log:?}");
}
