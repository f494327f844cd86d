//! The database re-runs only what an edit invalidates.

use std::path::PathBuf;
use std::sync::Arc;

use pitfall_db::{lint_file, PitfallDatabase, SourceFile};
use pitfall_linter::{LinterSettings, RuleSelector};
use salsa::Setter;

fn codes(db: &PitfallDatabase, file: SourceFile) -> Vec<&'static str> {
    lint_file(db, file)
        .diagnostics
        .iter()
        .map(|d| d.rule.meta().code)
        .collect()
}

fn executed(db: &PitfallDatabase, query: &str) -> usize {
    db.take_executed()
        .iter()
        .filter(|q| q.contains(query))
        .count()
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
    let settings = Arc::new(LinterSettings::default());
    let source = "import time\n\ndef helper():\n    time.sleep(1)\n\nasync def main():\n    helper()\n\nLABEL = 'aaaa'\n";
    let file = SourceFile::new(
        &db,
        PathBuf::from("m.py"),
        "m.py".into(),
        Some(Arc::from(source)),
        0,
        settings,
    );
    assert_eq!(codes(&db, file), ["PF101"]);
    db.take_executed();

    // A literal changes, nothing else: the file is re-parsed and re-indexed,
    // the index compares equal (salsa backdates it), so the summary and the
    // blocking facts are reused, not recomputed.
    file.set_overlay(&mut db)
        .to(Some(Arc::from(source.replace("aaaa", "bbbb").as_str())));
    assert_eq!(codes(&db, file), ["PF101"]);
    let log = db.take_executed();
    let ran = |q: &str| log.iter().filter(|e| e.contains(q)).count();
    assert_eq!(ran("semantic_index"), 1, "{log:?}");
    assert_eq!(ran("module_summary"), 0, "{log:?}");
    assert_eq!(ran("blocking_facts"), 0, "{log:?}");
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
