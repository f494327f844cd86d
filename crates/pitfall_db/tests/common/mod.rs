//! Helpers the database's integration tests share.

use pitfall_db::{file_diagnostics, PitfallDatabase, SourceFile};

/// The codes of a file's full diagnostics, in order.
pub fn codes(db: &PitfallDatabase, file: SourceFile) -> Vec<&'static str> {
    file_diagnostics(db, file)
        .diagnostics
        .iter()
        .map(|d| d.rule.meta().code)
        .collect()
}
