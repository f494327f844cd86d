//! The database re-runs only what an edit invalidates.

use std::path::PathBuf;
use std::sync::Arc;

use pitfall_db::{
    file_diagnostics, module_resolution, resolve_module, PitfallDatabase, Project, SourceFile,
};
use pitfall_linter::{LinterSettings, RuleSelector};
use salsa::Setter;

mod common;
use common::codes;

fn executed(db: &PitfallDatabase, query: &str) -> usize {
    db.take_executed()
        .iter()
        .filter(|q| q.contains(query))
        .count()
}

/// `m.py` with `source` as its buffer and the default settings, in no project.
fn loose_module(db: &PitfallDatabase, source: &str) -> SourceFile {
    SourceFile::new(
        db,
        PathBuf::from("m.py"),
        "m.py".into(),
        Some(Arc::from(source)),
        0,
        Arc::new(LinterSettings::default()),
    )
}

#[test]
fn editing_a_file_updates_its_findings_and_only_its_queries_rerun() {
    let mut db = PitfallDatabase::with_execution_log();
    let settings = Arc::new(LinterSettings::default());
    let text = |s: &str| Some(Arc::<str>::from(s));
    let a = SourceFile::new(
        &db,
        PathBuf::from("a.py"),
        "a.py".into(),
        text("def f(x=[]):\n    return x\n"),
        0,
        settings.clone(),
    );
    let b = SourceFile::new(
        &db,
        PathBuf::from("b.py"),
        "b.py".into(),
        text("def g(x=None):\n    return x\n"),
        0,
        settings.clone(),
    );
    assert_eq!(codes(&db, a), ["PF401"]);
    assert!(codes(&db, b).is_empty());
    assert!(executed(&db, "lint_file") >= 2);

    // Fix a.py: its findings go away; b.py is not re-linted.
    a.set_overlay(&mut db)
        .to(text("def f(x=None):\n    return x\n"));
    assert!(codes(&db, a).is_empty());
    assert!(codes(&db, b).is_empty());
    let log = db.take_executed();
    let lint_runs: Vec<&String> = log.iter().filter(|q| q.contains("lint_file")).collect();
    assert_eq!(lint_runs.len(), 1, "only a.py is re-linted: {log:?}");
}

#[test]
fn an_edit_that_keeps_the_index_stops_before_summaries() {
    let mut db = PitfallDatabase::with_execution_log();
    let source = "import time\n\ndef helper():\n    time.sleep(1)\n\nasync def main():\n    helper()\n\nLABEL = 'aaaa'\n";
    let file = loose_module(&db, source);
    assert_eq!(codes(&db, file), ["PF101"]);
    db.take_executed();

    // A literal changes, nothing else: the file is re-parsed and re-indexed,
    // the index compares equal (salsa backdates it). The summary re-runs
    // (it reads the text) and compares equal too, so the interface and the
    // cross-module phase are reused, not recomputed; so are the lines of
    // the `def`s (`def_lines`), which no `def` moved.
    file.set_overlay(&mut db)
        .to(Some(Arc::from(source.replace("aaaa", "bbbb").as_str())));
    assert_eq!(codes(&db, file), ["PF101"]);
    let log = db.take_executed();
    let ran = |q: &str| log.iter().filter(|e| e.contains(q)).count();
    assert_eq!(ran("semantic_index"), 1, "{log:?}");
    assert_eq!(ran("module_interface"), 0, "{log:?}");
    assert_eq!(ran("cross_module_diagnostics"), 0, "{log:?}");
    assert_eq!(ran("lint_file"), 1, "{log:?}");
}

#[test]
fn changing_settings_relints() {
    let mut db = PitfallDatabase::default();
    let file = SourceFile::new(
        &db,
        PathBuf::from("a.py"),
        "a.py".into(),
        Some(Arc::from("def f(x=[]):\n    return x\n")),
        0,
        Arc::new(LinterSettings::default()),
    );
    assert_eq!(codes(&db, file), ["PF401"]);
    let mut settings = LinterSettings::default();
    settings
        .rules
        .subtract(&RuleSelector::parse("PF401").unwrap().rules());
    file.set_settings(&mut db).to(Arc::new(settings));
    assert!(codes(&db, file).is_empty());
}

fn file(db: &PitfallDatabase, path: &str, text: &str) -> SourceFile {
    SourceFile::new(
        db,
        PathBuf::from(format!("/proj/{path}")),
        path.into(),
        Some(Arc::from(text)),
        0,
        Arc::new(LinterSettings::default()),
    )
}

fn messages(db: &PitfallDatabase, file: SourceFile) -> Vec<String> {
    file_diagnostics(db, file)
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.rule.meta().code, d.message))
        .collect()
}

const HELPER: &str =
    "import requests\n\n\ndef fetch_user(user_id):\n    return requests.get(user_id, timeout=5)\n";
const HANDLER: &str = "from app.users import fetch_user\n\n\nasync def get_user(user_id):\n    return fetch_user(user_id)\n";

fn project(db: &mut PitfallDatabase) -> (SourceFile, SourceFile) {
    let init = file(db, "app/__init__.py", "");
    let helper = file(db, "app/users.py", HELPER);
    let handler = file(db, "app/api.py", HANDLER);
    Project::new(
        db,
        vec![init, helper, handler],
        vec![PathBuf::from("/proj")],
    );
    (helper, handler)
}

#[test]
fn editing_a_helper_changes_its_callers_findings_in_another_file() {
    let mut db = PitfallDatabase::with_execution_log();
    let (helper, handler) = project(&mut db);
    let found = messages(&db, handler);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("get_user → fetch_user (app/users.py:4) → requests.get"),
        "{found:?}"
    );
    db.take_executed();

    // The helper stops blocking: the caller's finding goes, and the caller
    // is not re-linted (only its cross-module query re-runs).
    helper.set_overlay(&mut db).to(Some(Arc::from(
        "def fetch_user(user_id):\n    return user_id\n",
    )));
    assert!(messages(&db, handler).is_empty());
    let log = db.take_executed();
    let ran = |q: &str| log.iter().filter(|e| e.contains(q)).count();
    assert_eq!(ran("lint_file"), 0, "the caller is not re-linted: {log:?}");
    assert_eq!(ran("call_facts"), 1, "{log:?}");
    assert_eq!(
        ran("module_resolution"),
        2,
        "the helper, and the caller: it read the helper's names, which lost `requests`: {log:?}"
    );
    assert_eq!(ran("cross_module_diagnostics"), 1, "{log:?}");
}

#[test]
fn an_edit_that_keeps_the_interface_does_not_rerun_the_fixpoint_or_the_callers() {
    let mut db = PitfallDatabase::with_execution_log();
    let (helper, handler) = project(&mut db);
    assert_eq!(messages(&db, handler).len(), 1);
    db.take_executed();

    // A comment and a new statement above the call: positions move, the
    // calls stay. The summary changes, the interface does not.
    let edited = HELPER.replace(
        "def fetch_user(user_id):\n",
        "# Users.\ndef fetch_user(user_id):\n    user_id = str(user_id)\n",
    );
    helper
        .set_overlay(&mut db)
        .to(Some(Arc::from(edited.as_str())));
    let found = messages(&db, handler);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("fetch_user (app/users.py:5)"),
        "{found:?}"
    );
    assert!(messages(&db, helper).is_empty());
    let log = db.take_executed();
    let ran = |q: &str| log.iter().filter(|e| e.contains(q)).count();
    assert_eq!(ran("module_summary"), 1, "{log:?}");
    assert_eq!(
        ran("module_interface"),
        1,
        "re-run, then backdated: {log:?}"
    );
    assert_eq!(ran("module_resolution"), 0, "{log:?}");
    assert_eq!(ran("call_facts"), 0, "{log:?}");
    assert_eq!(ran("module_facts"), 0, "{log:?}");
    assert_eq!(ran("lint_file"), 1, "only the helper is re-linted: {log:?}");

    // An edit that moves nothing the summary records (a same-length
    // literal): nothing that depends on the helper re-runs at all.
    let same_length = edited.replace("# Users.", "# Userz.");
    helper
        .set_overlay(&mut db)
        .to(Some(Arc::from(same_length.as_str())));
    assert_eq!(messages(&db, handler).len(), 1);
    assert!(messages(&db, helper).is_empty());
    let log = db.take_executed();
    let ran = |q: &str| log.iter().filter(|e| e.contains(q)).count();
    assert_eq!(ran("module_interface"), 0, "{log:?}");
    assert_eq!(ran("cross_module_diagnostics"), 0, "{log:?}");
    assert_eq!(ran("lint_file"), 1, "{log:?}");
}

#[test]
fn adding_a_module_resolves_imports_of_it() {
    let mut db = PitfallDatabase::default();
    let handler = file(
        &db,
        "app/api.py",
        "from app.slow import wait\n\n\nasync def handle():\n    wait()\n",
    );
    let init = file(&db, "app/__init__.py", "");
    let project = Project::new(&db, vec![init, handler], vec![PathBuf::from("/proj")]);
    let found = messages(&db, handler);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("PF905 Project package `app` has no submodule `slow`"),
        "{found:?}"
    );
    assert!(resolve_module(&db, "app.slow").is_none());

    let slow = file(
        &db,
        "app/slow.py",
        "import time\n\n\ndef wait():\n    time.sleep(1)\n",
    );
    project.set_files(&mut db).to(vec![init, handler, slow]);
    assert!(resolve_module(&db, "app.slow") == Some(slow));
    let found = messages(&db, handler);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("handle → wait (app/slow.py:4) → time.sleep"),
        "{found:?}"
    );
}

/// Executions of `query` for `file` (the log names queries by salsa id).
fn ran_for(log: &[String], query: &str, file: SourceFile) -> usize {
    let id = format!("{query}({:?})", salsa::plumbing::AsId::as_id(&file));
    log.iter().filter(|e| **e == id).count()
}

#[test]
fn an_interface_edit_reruns_only_the_edited_module_and_its_dependants() {
    let mut db = PitfallDatabase::with_execution_log();
    let init = file(&db, "app/__init__.py", "");
    let helper = file(&db, "app/users.py", HELPER);
    let handler = file(&db, "app/api.py", HANDLER);
    // Unrelated modules: a chain of their own, and a module that imports
    // from the helper's package without calling the helper.
    let slow = file(
        &db,
        "app/slow.py",
        "import time\n\n\ndef wait():\n    time.sleep(1)\n",
    );
    let jobs = file(
        &db,
        "app/jobs.py",
        "from app.slow import wait\nfrom app import users\n\n\nasync def run():\n    wait()\n",
    );
    let files = vec![init, helper, handler, slow, jobs];
    Project::new(&db, files.clone(), vec![PathBuf::from("/proj")]);
    for f in &files {
        file_diagnostics(&db, *f);
    }
    assert_eq!(messages(&db, handler).len(), 1);
    assert_eq!(messages(&db, jobs).len(), 1);
    db.take_executed();

    // The helper stops blocking (its names and classes stay): the handler's
    // finding goes; only the helper is re-resolved and re-linted.
    let edited = HELPER.replace("requests.get(user_id, timeout=5)", "user_id");
    helper
        .set_overlay(&mut db)
        .to(Some(Arc::from(edited.as_str())));
    for f in &files {
        file_diagnostics(&db, *f);
    }
    assert!(messages(&db, handler).is_empty());
    assert_eq!(messages(&db, jobs).len(), 1);
    let log = db.take_executed();
    for f in [init, handler, slow, jobs] {
        for query in [
            "lint_file",
            "module_summary",
            "module_exports",
            "module_resolution",
            "module_imports",
        ] {
            assert_eq!(ran_for(&log, query, f), 0, "{query}: {log:?}");
        }
    }
    for f in [init, slow, jobs] {
        assert_eq!(ran_for(&log, "module_facts", f), 0, "{log:?}");
        assert_eq!(ran_for(&log, "cross_module_diagnostics", f), 0, "{log:?}");
    }
    assert_eq!(ran_for(&log, "module_resolution", helper), 1, "{log:?}");
    assert_eq!(ran_for(&log, "cross_module_diagnostics", handler), 1);
    let ran = |q: &str| log.iter().filter(|e| e.starts_with(q)).count();
    assert_eq!(ran("call_facts"), 1, "{log:?}");
    assert_eq!(
        ran("import_graph"),
        0,
        "no import edge changed, no cycle search: {log:?}"
    );
}

#[test]
fn a_thread_started_in_another_file_confirms_a_read_modify_write_there() {
    const STATS: &str =
        "COUNTS = {}\n\n\ndef tally(key):\n    COUNTS[key] = COUNTS.get(key, 0) + 1\n";
    const SERVER: &str = "from concurrent.futures import ThreadPoolExecutor\n\nfrom app.stats import tally\n\n\ndef serve(keys):\n    with ThreadPoolExecutor() as pool:\n        for key in keys:\n            pool.submit(tally, key)\n";
    let mut db = PitfallDatabase::with_execution_log();
    let init = file(&db, "app/__init__.py", "");
    let stats = file(&db, "app/stats.py", STATS);
    let server = file(&db, "app/server.py", SERVER);
    Project::new(&db, vec![init, stats, server], vec![PathBuf::from("/proj")]);
    let pf104 = |db: &PitfallDatabase, f: SourceFile| -> Vec<String> {
        messages(db, f)
            .into_iter()
            .filter(|m| m.starts_with("PF104"))
            .collect()
    };
    let found = pf104(&db, stats);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("(app.stats:tally)"), "{found:?}");
    assert!(pf104(&db, server).is_empty());
    db.take_executed();

    // The server calls it in its own thread instead: the finding in
    // stats.py goes, and stats.py is not re-linted.
    server.set_overlay(&mut db).to(Some(Arc::from(
        "from app.stats import tally\n\n\ndef serve(keys):\n    for key in keys:\n        tally(key)\n",
    )));
    assert!(pf104(&db, stats).is_empty());
    let log = db.take_executed();
    assert_eq!(ran_for(&log, "lint_file", stats), 0, "{log:?}");
}

#[test]
fn a_shared_name_lookup_follows_an_edit_of_a_module_on_its_way() {
    // `app.tools.work` is looked up once for both callers (through the
    // re-export in `app/tools.py`); re-pointing the re-export must reach both.
    let mut db = PitfallDatabase::default();
    let caller =
        |name: &str| format!("from app.tools import work\n\n\nasync def {name}():\n    work()\n");
    let files = vec![
        file(&db, "app/__init__.py", ""),
        file(
            &db,
            "app/slow.py",
            "import time\n\n\ndef work():\n    time.sleep(1)\n",
        ),
        file(&db, "app/fast.py", "def work():\n    return 1\n"),
        file(&db, "app/tools.py", "from app.slow import work\n"),
        file(&db, "app/a.py", &caller("one")),
        file(&db, "app/b.py", &caller("two")),
    ];
    let (tools, a, b) = (files[3], files[4], files[5]);
    Project::new(&db, files, vec![PathBuf::from("/proj")]);
    // Resolutions alone (the fixpoint empties the shared lookups).
    let target = |db: &PitfallDatabase, file| module_resolution(db, file).nodes[0].calls[0].target;
    assert_eq!(target(&db, a).module, 1, "app/slow.py");
    tools
        .set_overlay(&mut db)
        .to(Some(Arc::from("from app.fast import work\n")));
    assert_eq!(
        target(&db, b).module,
        2,
        "app/fast.py, not the entry `a` left"
    );
    assert!(codes(&db, b).is_empty());
    assert!(codes(&db, a).is_empty());
    tools
        .set_overlay(&mut db)
        .to(Some(Arc::from("from app.slow import work\n")));
    assert_eq!(codes(&db, a), ["PF101"]);
    assert_eq!(codes(&db, b), ["PF101"]);
}

#[test]
fn a_chain_names_the_line_its_helper_is_defined_on_after_an_edit_moves_it() {
    let mut db = PitfallDatabase::with_execution_log();
    let source =
        "import time\n\ndef helper():\n    time.sleep(1)\n\nasync def main():\n    helper()\n";
    let file = loose_module(&db, source);
    let message = |db: &PitfallDatabase| {
        let all = file_diagnostics(db, file);
        let pf101: Vec<String> = all
            .diagnostics
            .iter()
            .filter(|d| d.rule.meta().code == "PF101")
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(pf101.len(), 1, "{pf101:?}");
        pf101[0].clone()
    };
    assert!(message(&db).contains("helper (m.py:3)"), "{}", message(&db));
    db.take_executed();

    // Two lines above the helper: the summary's offsets move, and the
    // lines counted for the message follow.
    file.set_overlay(&mut db)
        .to(Some(Arc::from(format!("# one\n# two\n{source}").as_str())));
    assert!(message(&db).contains("helper (m.py:5)"), "{}", message(&db));
    let log = db.take_executed();
    assert!(log.iter().any(|q| q.contains("def_lines")), "{log:?}");
}
