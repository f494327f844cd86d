//! What the enabled rules read: which parts the module summaries record
//! ([`SummaryNeeds`]) and which parts of the cross-module phase are
//! computed ([`ProjectNeeds`]). A rule of one file follows calls into the
//! other modules, so a project computes what any of its files enables.

use pitfall_linter::project::ProjectNeeds;
use pitfall_linter::selector::RuleSet;
use pitfall_linter::summary::SummaryNeeds;

use crate::db::{Db, SourceFile};
use crate::project::Project;

/// What the enabled rules of the project's files read of the project
/// phase: resolution, the fixpoint and the import graph compute only that
/// (see [`ProjectNeeds`]). Re-runs when some file's settings change.
#[salsa::tracked(returns(clone))]
pub fn project_needs(db: &dyn Db, project: Project) -> ProjectNeeds {
    rule_sets(db, project).fold(ProjectNeeds::NONE, |needs, rules| {
        needs | ProjectNeeds::of_rules(&rules)
    })
}

/// The rules enabled for the project's files, one set per run of files
/// that share it (files mostly do, so each set is read about once).
fn rule_sets(db: &dyn Db, project: Project) -> impl Iterator<Item = RuleSet> + '_ {
    let mut last = None;
    project.files(db).iter().filter_map(move |file| {
        let rules = file.settings(db).rules;
        (last != Some(rules)).then(|| {
            last = Some(rules);
            rules
        })
    })
}

/// The parts read by the rules enabled for any file of the project. Reads
/// the file list and every file's settings (never a text): a small `Eq`
/// value, so the summaries re-run only when it changes.
#[salsa::tracked]
pub fn project_summary_needs(db: &dyn Db, project: Project) -> SummaryNeeds {
    rule_sets(db, project).fold(SummaryNeeds::NONE, |needs, rules| {
        needs | SummaryNeeds::of_rules(&rules)
    })
}

/// What `file`'s summary records: what its own rules and the project's
/// read; everything outside a project (who reads it is not known).
pub fn summary_needs(db: &dyn Db, file: SourceFile) -> SummaryNeeds {
    match Project::try_get(db) {
        Some(project) => {
            SummaryNeeds::of_rules(&file.settings(db).rules) | *project_summary_needs(db, project)
        }
        None => SummaryNeeds::ALL,
    }
}
