//! The incremental database: files are salsa inputs; parsing, the semantic
//! index, module summaries, the project fixpoint and linting are tracked
//! queries; [`file_diagnostics`] is a file's full result.
//! The CLI, `--watch` and the language server all go through it.

mod db;
mod needs;
mod project;
mod queries;
mod workspace;

pub use db::{Db, PitfallDatabase, SourceFile};
pub use needs::{project_needs, project_summary_needs, summary_needs};
pub use project::{
    call_facts, cross_module_diagnostics, file_diagnostics, function_facts, import_facts,
    import_graph, module_exports, module_facts, module_imports, module_resolution,
    prepare_project_phase, project_facts, project_layout, resolve_module, resolve_reached,
    CallFacts, ImportGraph, Project, ProjectLayout,
};
pub use queries::{
    decode_source, encode_source, lint_file, module_interface, module_summary, parsed_module,
    read_source, release_file, semantic_index, set_lru_capacity, source_text, FileDiagnostics,
    ParseOutcome, ParsedModule, Reloadable, LRU_CAPACITY,
};
pub use workspace::{fingerprint, is_config_file, DisplayBase, Workspace, WorkspaceOptions};
