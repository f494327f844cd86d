//! The incremental database: files are salsa inputs; parsing, the semantic
//! index, module summaries, blocking facts and linting are tracked queries.
//! The CLI, `--watch` and the language server all go through it.

mod db;
mod queries;

pub use db::{Db, PitfallDatabase, SourceFile};
pub use queries::{
    blocking_facts, decode_source, encode_source, lint_file, module_summary, parsed_module,
    read_source, semantic_index, set_lru_capacity, source_text, FileDiagnostics, ParseOutcome,
    ParsedModule, LRU_CAPACITY,
};
