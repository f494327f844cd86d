//! Which parts the module summaries record ([`SummaryNeeds`]): those the
//! enabled rules read. A rule of one file follows calls into the other
//! modules' summaries, so a project's summaries record what any of its
//! files enables.

use pitfall_linter::summary::SummaryNeeds;

use crate::db::{Db, SourceFile};
use crate::project::{rule_sets, Project};

/// The parts read by the rules enabled for any file of the project. Reads
/// the file list and every file's settings (never a text): a small `Eq`
/// value, so the summaries re-run only when it changes.
#[salsa::tracked]
pub fn project_summary_needs(db: &dyn Db, project: Project) -> SummaryNeeds {
    rule_sets(db, project).fold(SummaryNeeds::NONE, |needs, rules| {
        needs | SummaryNeeds::of(&rules)
    })
}

/// What `file`'s summary records: what its own rules and the project's
/// read; everything outside a project (who reads it is not known).
pub fn summary_needs(db: &dyn Db, file: SourceFile) -> SummaryNeeds {
    match Project::try_get(db) {
        Some(project) => {
            SummaryNeeds::of(&file.settings(db).rules) | *project_summary_needs(db, project)
        }
        None => SummaryNeeds::ALL,
    }
}
