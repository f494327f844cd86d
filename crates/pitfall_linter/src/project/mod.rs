//! The cross-module engine: module resolution, the project call graph and
//! its fixpoint, and the rules' cross-module phase. Everything here is a
//! pure function of module summaries and paths; `pitfall_db` wraps it in
//! queries, [`lint_project`] runs it in memory (tests, snippets).

mod context;
mod facts;
mod modules;
mod needs;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use context::{check_project, def_lines, Chain, ChainStep, ProjectChecker, ProjectView};
pub use facts::{
    flows, import_graph, propagate, resolve_calls, resolve_imports, spread_spawns, CallEdge,
    ExportsSource, FactKey, FunctionFacts, FunctionNode, FunctionRef, ImportCycle, ImportNode,
    ImportResolution, LockKey, ModuleExports, ModuleFacts, ModuleImportFacts, ModuleImports,
    ModuleResolution, ProjectFacts, ProjectModule, SharedLookups, SpawnSeed, TopLevelName, Witness,
};
pub use modules::{absolutize, extension_module_name, module_name, ModuleMap, ModuleName};
pub use needs::ProjectNeeds;

use crate::checker::{lint, LintInput};
use crate::diagnostic::{split_deferred, Diagnostic};
use crate::pipeline::{
    apply_suppressions, blocking_options, excess_nesting, parse, syntax_diagnostics,
    too_complex_diagnostic,
};
use crate::settings::LinterSettings;
use crate::summary::{summarize, ModuleSummary, SummaryNeeds};

/// One file of an in-memory project.
pub struct SourceInput<'a> {
    pub path: &'a Path,
    pub display_path: &'a str,
    pub source: &'a str,
    pub settings: &'a LinterSettings,
}

/// The modules of an in-memory project, for the cross-module phase.
pub struct MemoryView<'a> {
    pub map: &'a ModuleMap,
    pub summaries: Vec<Arc<ModuleSummary>>,
    pub facts: Vec<Arc<ModuleFacts>>,
    pub display_paths: Vec<String>,
    /// Per module: the local walk's deferred findings (may be empty).
    pub deferred: Vec<Vec<Diagnostic>>,
    /// Per module: the line of each function's `def` (see [`def_lines`]).
    pub def_lines: Vec<Arc<[u32]>>,
}

impl ProjectView for MemoryView<'_> {
    fn summary(&self, module: u32) -> Option<Arc<ModuleSummary>> {
        self.summaries.get(module as usize).cloned()
    }

    fn facts(&self, module: u32) -> Option<Arc<ModuleFacts>> {
        self.facts.get(module as usize).cloned()
    }

    fn display_path(&self, module: u32) -> Option<String> {
        self.display_paths.get(module as usize).cloned()
    }

    fn module_name(&self, module: u32) -> Option<String> {
        self.map.name(module).map(|m| m.name.clone())
    }

    fn read_deferred(&self, module: u32, read: &mut dyn FnMut(&[Diagnostic])) {
        if let Some(deferred) = self.deferred.get(module as usize) {
            read(deferred);
        }
    }

    fn def_lines(&self, module: u32) -> Option<Arc<[u32]>> {
        self.def_lines.get(module as usize).cloned()
    }
}

/// Lints every file of a project held in memory: the local rules, then the
/// cross-module phase, then suppressions. `roots` are the import roots.
pub fn lint_project(files: &[SourceInput], roots: &[PathBuf]) -> Vec<Vec<Diagnostic>> {
    struct Local {
        parsed: Option<ruff_python_parser::Parsed<ruff_python_ast::ModModule>>,
        summary: Arc<ModuleSummary>,
        diagnostics: Vec<Diagnostic>,
        deferred: Vec<Diagnostic>,
    }
    // A rule of one file reads the others' summaries: what any file enables.
    let summary_needs = files.iter().fold(SummaryNeeds::NONE, |needs, file| {
        needs | SummaryNeeds::of_rules(&file.settings.rules)
    });
    let locals: Vec<Local> = files
        .iter()
        .map(|file| {
            let is_stub = file.display_path.ends_with(".pyi");
            let parsed = parse(file.source, is_stub);
            if let Some(depth) = excess_nesting(parsed.tokens()) {
                return Local {
                    parsed: None,
                    summary: Arc::default(),
                    diagnostics: vec![too_complex_diagnostic(depth)],
                    deferred: Vec::new(),
                };
            }
            let semantic = pitfall_semantic::build_index(parsed.syntax());
            let summary = Arc::new(summarize(
                &semantic,
                file.source,
                &blocking_options(file.settings),
                summary_needs,
            ));
            let mut diagnostics = syntax_diagnostics(&parsed);
            let (confirmed, deferred) = split_deferred(lint(&LintInput {
                source: file.source,
                module: parsed.syntax(),
                semantic: &semantic,
                summary: &summary,
                settings: file.settings,
                display_path: file.display_path,
                is_stub,
            }));
            diagnostics.extend(confirmed);
            Local {
                parsed: Some(parsed),
                summary,
                diagnostics,
                deferred,
            }
        })
        .collect();
    let paths: Vec<&Path> = files.iter().map(|f| f.path).collect();
    let map = ModuleMap::new(&paths, roots);
    let modules: Vec<ProjectModule> = locals
        .iter()
        .map(|l| ProjectModule {
            interface: &l.summary.interface,
        })
        .collect();
    let needs = files.iter().fold(ProjectNeeds::NONE, |needs, f| {
        needs | ProjectNeeds::of_rules(&f.settings.rules)
    });
    let facts = ProjectFacts::compute(&map, &modules, needs);
    let view = MemoryView {
        map: &map,
        summaries: locals.iter().map(|l| l.summary.clone()).collect(),
        facts: facts.modules,
        display_paths: files.iter().map(|f| f.display_path.to_string()).collect(),
        deferred: locals.iter().map(|l| l.deferred.clone()).collect(),
        def_lines: locals
            .iter()
            .zip(files)
            .map(|(l, f)| def_lines(&l.summary, f.source))
            .collect(),
    };
    locals
        .into_iter()
        .enumerate()
        .map(|(i, local)| {
            let Some(parsed) = &local.parsed else {
                return local.diagnostics;
            };
            let mut cx = ProjectChecker::new(
                i as u32,
                &local.summary,
                &view.facts[i],
                &view,
                files[i].settings,
            )
            .with_deferred(&view.deferred[i]);
            let mut diagnostics = local.diagnostics;
            diagnostics.extend(check_project(&mut cx));
            diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
            apply_suppressions(parsed, files[i].source, files[i].settings, diagnostics)
        })
        .collect()
}
