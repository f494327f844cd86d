//! Summaries record what the project's enabled rules read (`SummaryNeeds`),
//! whichever file enables them: a rule follows calls into other modules.

use std::path::PathBuf;
use std::sync::Arc;

use pitfall_db::{module_summary, PitfallDatabase, Project, SourceFile};
use pitfall_linter::{LinterSettings, RuleId, RuleSet};
use salsa::Setter;

mod common;
use common::codes;

fn settings(codes: &[&str]) -> Arc<LinterSettings> {
    let mut rules = RuleSet::EMPTY;
    for code in codes {
        rules.insert(RuleId::from_code(code).expect("a rule"));
    }
    Arc::new(LinterSettings {
        rules,
        ..LinterSettings::default()
    })
}

fn file(db: &PitfallDatabase, path: &str, text: &str, codes: &[&str]) -> SourceFile {
    SourceFile::new(
        db,
        PathBuf::from(format!("/proj/{path}")),
        path.into(),
        Some(Arc::from(text)),
        0,
        settings(codes),
    )
}

const HANDLER: &str = "from app.slow import wait\n\n\nasync def handle():\n    wait()\n";
const SLOW: &str = "import time\n\n\ndef wait():\n    time.sleep(1)\n";

#[test]
fn a_rule_of_one_file_reads_what_it_needs_from_a_file_that_disables_it() {
    let mut db = PitfallDatabase::default();
    let init = file(&db, "app/__init__.py", "", &["PF201"]);
    let handler = file(&db, "app/api.py", HANDLER, &["PF101"]);
    // PF101 is not enabled here (`per-file-ignores`, another configuration):
    // its summary still records the calls and effects PF101 follows.
    let slow = file(&db, "app/slow.py", SLOW, &["PF201"]);
    Project::new(&db, vec![init, handler, slow], vec![PathBuf::from("/proj")]);
    assert_eq!(codes(&db, handler), ["PF101"]);
    assert!(codes(&db, slow).is_empty());

    // No file reads calls any more: the summaries stop recording them
    // (PF901 still reads the definitions).
    handler
        .set_settings(&mut db)
        .to(settings(&["PF201", "PF901"]));
    assert!(codes(&db, handler).is_empty());
    let summary = module_summary(&db, slow);
    let wait = &summary.interface.functions[0];
    assert!(wait.effects.is_empty() && wait.calls.is_empty(), "{wait:?}");

    // And record them again once one does.
    slow.set_settings(&mut db).to(settings(&["PF101"]));
    assert!(!module_summary(&db, slow).interface.functions[0]
        .effects
        .is_empty());
    handler.set_settings(&mut db).to(settings(&["PF101"]));
    assert_eq!(codes(&db, handler), ["PF101"]);
}

#[test]
fn a_project_whose_rules_read_no_summary_has_empty_summaries() {
    let mut db = PitfallDatabase::default();
    let slow = file(&db, "app/slow.py", SLOW, &["PF201"]);
    Project::new(&db, vec![slow], vec![PathBuf::from("/proj")]);
    assert!(module_summary(&db, slow).interface.functions.is_empty());
    // A rule that reads one brings it back.
    slow.set_settings(&mut db).to(settings(&["PF201", "PF901"]));
    let summary = module_summary(&db, slow);
    assert_eq!(summary.interface.functions.len(), 1);
    assert!(summary.interface.functions[0].effects.is_empty());
}

#[test]
fn outside_a_project_a_summary_records_everything() {
    let db = PitfallDatabase::default();
    let slow = file(&db, "slow.py", SLOW, &["PF201"]);
    let summary = module_summary(&db, slow);
    assert_eq!(summary.interface.functions[0].effects.len(), 1);
}

#[test]
fn with_no_rule_that_reads_the_project_nothing_of_it_runs() {
    let db = PitfallDatabase::with_execution_log();
    let init = file(&db, "app/__init__.py", "", &["PF401"]);
    let handler = file(&db, "app/api.py", HANDLER, &["PF401"]);
    let slow = file(
        &db,
        "app/slow.py",
        "def wait(x=[]):\n    return x\n",
        &["PF401"],
    );
    Project::new(&db, vec![init, handler, slow], vec![PathBuf::from("/proj")]);
    assert!(codes(&db, handler).is_empty());
    assert_eq!(codes(&db, slow), ["PF401"]);
    let log = db.take_executed();
    for query in [
        "project_layout",
        "module_resolution",
        "call_facts",
        "module_facts",
    ] {
        assert!(!log.iter().any(|q| q.contains(query)), "{query}: {log:?}");
    }
}

/// An editor's new buffer is not one of the project's files; when the
/// project's own files enable no rule that reads the project, the buffer's
/// rules still follow its local chains (the language server's case).
#[test]
fn a_file_outside_the_project_files_follows_its_own_chains() {
    let db = PitfallDatabase::default();
    let other = file(&db, "app/other.py", "x = 1\n", &["PF401"]);
    let buffer = file(
        &db,
        "app/service.py",
        "import time\n\n\ndef helper():\n    time.sleep(1)\n\n\nasync def handler():\n    helper()\n",
        &["PF101"],
    );
    Project::new(&db, vec![other], vec![PathBuf::from("/proj")]);
    assert_eq!(codes(&db, buffer), ["PF101"]);
}

#[test]
fn with_rules_that_read_calls_from_coroutines_only_the_files_they_reach_are_resolved() {
    let mut db = PitfallDatabase::with_execution_log();
    let init = file(&db, "app/__init__.py", "", &["PF101"]);
    let handler = file(&db, "app/api.py", HANDLER, &["PF101"]);
    let slow = file(&db, "app/slow.py", SLOW, &["PF101"]);
    // Calls a blocking helper too, but from no coroutine.
    let script = "from app.slow import wait\n\n\ndef main():\n    wait()\n";
    let tool = file(&db, "app/tool.py", script, &["PF101"]);
    Project::new(
        &db,
        vec![init, handler, slow, tool],
        vec![PathBuf::from("/proj")],
    );
    assert_eq!(codes(&db, handler), ["PF101"]);
    assert!(codes(&db, tool).is_empty());
    let log = db.take_executed();
    let resolved = log.iter().filter(|q| q.contains("module_resolution"));
    // The handler (a coroutine) and the helper its call reaches: not the tool.
    assert_eq!(resolved.count(), 2, "{log:?}");

    // The tool gets a coroutine: it is resolved, and its call reported.
    let text = script.replace("def main", "async def main");
    tool.set_overlay(&mut db).to(Some(Arc::from(text.as_str())));
    assert_eq!(codes(&db, tool), ["PF101"]);
    assert_eq!(codes(&db, handler), ["PF101"]);
}

/// The call graph's per-function nodes are built only when a rule follows
/// calls: with import rules alone every module's nodes stay empty, and the
/// import findings are the same.
#[test]
fn with_rules_that_follow_no_call_no_function_gets_a_call_graph_node() {
    let pricing = "def compute_total(items):\n    return sum(items)\n\n\nasync def other():\n    compute_total([])\n";
    let checkout = "from shop.pricing import compute_totals\n";
    let run = |codes_enabled: &[&str]| {
        let db = PitfallDatabase::default();
        let init = file(&db, "shop/__init__.py", "", codes_enabled);
        let pricing = file(&db, "shop/pricing.py", pricing, codes_enabled);
        let checkout = file(&db, "shop/checkout.py", checkout, codes_enabled);
        Project::new(
            &db,
            vec![init, pricing, checkout],
            vec![PathBuf::from("/proj")],
        );
        let found = codes(&db, checkout);
        (found, pitfall_db::module_facts(&db, pricing).nodes.len())
    };
    assert_eq!(run(&["PF905"]), (vec!["PF905"], 0));
    // A rule that follows calls (from the coroutine) gets one node per function.
    assert_eq!(run(&["PF905", "PF101"]), (vec!["PF905"], 2));
}
