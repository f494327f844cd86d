use std::sync::Arc;

use pitfall_linter::checker::{lint, LintInput};
use pitfall_linter::pipeline::{
    apply_suppressions, blocking_options, nesting_depth, parse, syntax_diagnostics,
    too_complex_diagnostic, MAX_NESTING,
};
use pitfall_linter::summary::{self, BlockingWitness, ModuleSummary};
use pitfall_linter::{Diagnostic, RuleId};
use pitfall_semantic::{ScopeId, SemanticIndex};
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_text_size::{TextRange, TextSize};
use rustc_hash::FxHashMap;

use crate::db::{Db, SourceFile};

/// What a file's parse yields.
pub enum ParseOutcome {
    Parsed(Parsed<ModModule>),
    /// The text could not be read or decoded.
    Unreadable(String),
    /// Nested deeper than the analyser allows.
    TooDeep(usize),
}

/// A file's parse. Compared by identity: a re-parse is always "changed", and
/// the `Eq` queries that depend on it (index, summary) stop the propagation.
#[derive(Clone)]
pub struct ParsedModule(Arc<ParseOutcome>);

impl ParsedModule {
    pub fn outcome(&self) -> &ParseOutcome {
        &self.0
    }
}

impl PartialEq for ParsedModule {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ParsedModule {}

/// How many parses and indexes stay in memory after an LRU eviction (the
/// editor keeps this many warm). The one-shot CLI lowers it and evicts
/// between batches of files (see `pitfall check`), so its memory is bounded
/// by a batch, not by the project.
pub const LRU_CAPACITY: usize = 128;

/// Parses a file (error-resilient).
#[salsa::tracked(returns(clone), no_eq, lru = 128)]
pub fn parsed_module(db: &dyn Db, file: SourceFile) -> ParsedModule {
    let outcome = match file.text(db) {
        Err(error) => ParseOutcome::Unreadable(error.clone()),
        Ok(text) => {
            let depth = nesting_depth(text);
            if depth > MAX_NESTING {
                ParseOutcome::TooDeep(depth)
            } else {
                let is_stub = file.path(db).extension().is_some_and(|e| e == "pyi");
                ParseOutcome::Parsed(parse(text, is_stub))
            }
        }
    };
    ParsedModule(Arc::new(outcome))
}

#[salsa::tracked(returns(clone), lru = 128)]
pub fn semantic_index(db: &dyn Db, file: SourceFile) -> Arc<SemanticIndex> {
    Arc::new(match parsed_module(db, file).outcome() {
        ParseOutcome::Parsed(p) => pitfall_semantic::build_index(p.syntax()),
        _ => SemanticIndex::default(),
    })
}

/// Small and `Eq`: an edit that keeps it unchanged stops here.
#[salsa::tracked(returns(clone))]
pub fn module_summary(db: &dyn Db, file: SourceFile) -> Arc<ModuleSummary> {
    let index = semantic_index(db, file);
    if index.scopes.is_empty() {
        return Arc::default();
    }
    Arc::new(summary::summarize(&index, &blocking_options(file.settings(db))))
}

#[salsa::tracked(returns(clone))]
pub fn blocking_facts(db: &dyn Db, file: SourceFile) -> Arc<FxHashMap<ScopeId, BlockingWitness>> {
    Arc::new(summary::blocking_facts(&module_summary(db, file)))
}

/// The findings for one file, after suppressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostics {
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(clone))]
pub fn lint_file(db: &dyn Db, file: SourceFile) -> Arc<FileDiagnostics> {
    let parsed = parsed_module(db, file);
    let diagnostics = match parsed.outcome() {
        ParseOutcome::Unreadable(error) => {
            let rule = RuleId::from_code("PF002").expect("PF002 is registered");
            vec![Diagnostic::new(
                rule,
                error.clone(),
                TextRange::empty(TextSize::new(0)),
            )]
        }
        ParseOutcome::TooDeep(depth) => vec![too_complex_diagnostic(*depth)],
        ParseOutcome::Parsed(p) => {
            let text = file.text(db).as_ref().expect("parsed text");
            let settings = file.settings(db);
            let index = semantic_index(db, file);
            let summary = module_summary(db, file);
            let facts = blocking_facts(db, file);
            let is_stub = file.path(db).extension().is_some_and(|e| e == "pyi");
            let mut diagnostics = syntax_diagnostics(p);
            diagnostics.extend(lint(&LintInput {
                source: text,
                module: p.syntax(),
                semantic: &index,
                summary: &summary,
                blocking: &facts,
                settings,
                display_path: file.display_path(db),
                is_stub,
            }));
            apply_suppressions(p, text, settings, diagnostics)
        }
    };
    let enabled = file.settings(db).rules;
    let diagnostics = diagnostics
        .into_iter()
        .filter(|d| enabled.contains(d.rule) || d.rule.meta().code == "PF001")
        .collect();
    Arc::new(FileDiagnostics { diagnostics })
}

/// How many parses and indexes to keep after each LRU eviction. A one-shot
/// run lowers it to keep memory bounded by the files in flight.
pub fn set_lru_capacity(db: &mut dyn Db, capacity: usize) {
    parsed_module::set_lru_capacity(db, capacity);
    semantic_index::set_lru_capacity(db, capacity);
}
