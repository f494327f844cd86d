//! The project: which files it has and its import roots (an input), module
//! resolution over them, the project-wide fixpoint and the cross-module
//! findings, and [`file_diagnostics`], the one entry point for a file's
//! full diagnostics (the CLI, `--watch` and the language server call it).
//!
//! Query shape, and why:
//! - `lint_file(file)` (local rules) never reads another file.
//! - `module_interface(file)` is position-free, so an edit that moves code
//!   without changing calls stops there; `module_exports(file)` is the part
//!   other modules' resolution reads (names, classes), so an edit inside a
//!   function body stops there for every other module.
//! - `module_resolution(file)` / `module_imports(file)`: this file's calls
//!   and imports resolved against the layout and the exports of the modules
//!   it names. An edit re-resolves the edited file only (and the files
//!   that read its exports, when those changed).
//! - `call_facts(project)`: the fixpoint over every file's compact
//!   call-graph nodes (in its resolution); `import_graph(project)`: import
//!   cycles, first importers and bare importable names over every file's
//!   import node. Both re-run only when some resolution (or import node)
//!   changed, and are sliced per file by `function_facts(file)` /
//!   `import_facts(file)`, which backdate.
//! - `module_facts(file)` assembles this file's slices: it re-runs only
//!   when one of them changed.
//! - `cross_module_diagnostics(file)` reads its own facts and the summaries
//!   and facts of the modules its chains pass through.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pitfall_linter::project::{
    check_project, propagate, resolve_calls, resolve_imports, spread_spawns, ExportsSource,
    FunctionFacts, FunctionNode, ImportNode, ModuleExports, ModuleFacts, ModuleImportFacts,
    ModuleImports, ModuleMap, ModuleResolution, ProjectChecker, ProjectFacts, ProjectModule,
    ProjectNeeds, ProjectView, SharedLookups, SpawnSeed,
};
use pitfall_linter::summary::{ModuleInterface, ModuleSummary};
use pitfall_linter::Diagnostic;
use rustc_hash::FxHashMap;

use crate::db::{Db, SourceFile};
use crate::needs::project_needs;
use crate::queries::{
    enabled_only, lint_file, module_interface, module_summary, source_text, FileDiagnostics,
};

/// The project being checked: every file whose modules may be imported
/// (including files that are not reported), and the import roots.
#[salsa::input(singleton)]
pub struct Project {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    #[returns(ref)]
    pub roots: Vec<PathBuf>,
    /// Compiled extension modules (`*.so`, `*.pyd`) in the project's
    /// directories: modules that imports may name though no Python file
    /// defines them.
    #[default]
    #[returns(ref)]
    pub extension_modules: Vec<PathBuf>,
}

/// Module names for the project's files, and each file's position.
#[derive(PartialEq, Eq)]
pub struct ProjectLayout {
    pub map: ModuleMap,
    pub files: Vec<SourceFile>,
    position: FxHashMap<SourceFile, u32>,
    /// The lookups every module's resolution against this map shares.
    lookups: SharedLookups,
}

impl ProjectLayout {
    pub fn position(&self, file: SourceFile) -> Option<u32> {
        self.position.get(&file).copied()
    }

    /// The file at a module position.
    pub fn file(&self, module: u32) -> Option<SourceFile> {
        self.files.get(module as usize).copied()
    }
}

/// Depends on paths only: editing a file's text never re-runs it.
#[salsa::tracked(returns(clone))]
pub fn project_layout(db: &dyn Db, project: Project) -> Arc<ProjectLayout> {
    let files = project.files(db).clone();
    let paths: Vec<&Path> = files.iter().map(|f| f.path(db).as_path()).collect();
    let map = ModuleMap::with_extensions(&paths, project.roots(db), project.extension_modules(db));
    let position = files
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, i as u32))
        .collect();
    Arc::new(ProjectLayout {
        map,
        files,
        position,
        lookups: SharedLookups::default(),
    })
}

/// The file `import name` loads, if it is the project's.
pub fn resolve_module(db: &dyn Db, name: &str) -> Option<SourceFile> {
    let layout = project_layout(db, Project::try_get(db)?);
    layout.file(layout.map.resolve(name)?)
}

/// What other modules' resolution reads of this one: names and classes.
#[salsa::tracked(returns(clone))]
pub fn module_exports(db: &dyn Db, file: SourceFile) -> Arc<ModuleExports> {
    Arc::new(ModuleExports::of(&module_interface(db, file)))
}

/// The project's modules as the database holds them (one query each):
/// their exports for resolution, their summaries, facts and deferred
/// findings for the cross-module checks.
struct DbView<'a> {
    db: &'a dyn Db,
    layout: &'a ProjectLayout,
}

impl ExportsSource for DbView<'_> {
    fn exports(&self, module: u32) -> Option<Arc<ModuleExports>> {
        Some(module_exports(self.db, self.layout.file(module)?))
    }
}

/// The project, the layout and the file's position in it.
fn in_project(db: &dyn Db, file: SourceFile) -> Option<(Project, Arc<ProjectLayout>, u32)> {
    let project = Project::try_get(db)?;
    let layout = project_layout(db, project);
    let position = layout.position(file)?;
    Some((project, layout, position))
}

/// This file's calls and locks resolved against the project, with its
/// call-graph nodes. Reads the layout, this file's interface and the
/// exports of the modules its calls name.
#[salsa::tracked(returns(clone))]
pub fn module_resolution(db: &dyn Db, file: SourceFile) -> Arc<ModuleResolution> {
    resolve_against_exports(db, file, |layout, exports, module, interface, needs| {
        let shared = Some(&layout.lookups);
        resolve_calls(&layout.map, exports, module, interface, needs, shared)
    })
}

/// This file's imports resolved against the project, and its import edges
/// (empty when no enabled rule reads imports).
#[salsa::tracked(returns(clone))]
pub fn module_imports(db: &dyn Db, file: SourceFile) -> Arc<ModuleImports> {
    resolve_against_exports(
        db,
        file,
        |layout, exports, module, interface, needs| match needs.imports() {
            true => resolve_imports(&layout.map, exports, module, interface),
            false => ModuleImports::default(),
        },
    )
}

/// Runs `resolve` on this file's interface against the other modules'
/// exports (a default value outside the project).
fn resolve_against_exports<T: Default>(
    db: &dyn Db,
    file: SourceFile,
    resolve: impl FnOnce(&ProjectLayout, &dyn ExportsSource, u32, &ModuleInterface, ProjectNeeds) -> T,
) -> Arc<T> {
    let Some((project, layout, position)) = in_project(db, file) else {
        return Arc::default();
    };
    let needs = project_needs(db, project);
    let interface = module_interface(db, file);
    let exports = DbView {
        db,
        layout: &layout,
    };
    Arc::new(resolve(&layout, &exports, position, &interface, needs))
}

/// Per file, its functions' facts: the fixpoint over the call graph.
#[derive(PartialEq, Eq)]
pub struct CallFacts {
    pub modules: Vec<Arc<FunctionFacts>>,
    /// Per file: whether its calls were resolved (see [`resolve_reached`]).
    pub resolved: Vec<bool>,
}

/// Whether a file has an `async def`: where calls read from coroutines start.
#[salsa::tracked]
fn has_coroutines(db: &dyn Db, file: SourceFile) -> bool {
    module_interface(db, file)
        .functions
        .iter()
        .any(|f| f.is_async)
}

/// What the project phase first asks of each file, computed ahead: a
/// one-shot run calls it on the worker that linted the file, so the serial
/// start of [`resolve_reached`] (which files have coroutines) finds each
/// answer memoized instead of computing the interfaces one by one.
pub fn prepare_project_phase(db: &dyn Db, file: SourceFile) {
    let Some(project) = Project::try_get(db) else {
        return;
    };
    if project_needs(db, project).from_coroutines() {
        has_coroutines(db, file);
    }
}

/// The files whose calls the enabled rules read, resolved: every file, or
/// when they read calls from coroutines only
/// ([`ProjectNeeds::from_coroutines`]: PF101, PF107) the files with an
/// `async def` and then, wave after wave, the files their resolved calls
/// reach. `resolve` resolves one wave (the CLI does it on its pool; the
/// fixpoint asks again, and finds them resolved). `None`: not resolved.
pub fn resolve_reached(
    db: &dyn Db,
    project: Project,
    mut resolve: impl FnMut(&[SourceFile]) -> Vec<Arc<ModuleResolution>>,
) -> Vec<Option<Arc<ModuleResolution>>> {
    let layout = project_layout(db, project);
    let files = &layout.files;
    if !project_needs(db, project).from_coroutines() {
        return resolve(files).into_iter().map(Some).collect();
    }
    let mut resolved: Vec<Option<Arc<ModuleResolution>>> = vec![None; files.len()];
    let mut seen = vec![false; files.len()];
    let mut wave: Vec<u32> = (0..files.len() as u32)
        .filter(|&m| *has_coroutines(db, files[m as usize]))
        .collect();
    for &m in &wave {
        seen[m as usize] = true;
    }
    while !wave.is_empty() {
        let wave_files: Vec<SourceFile> = wave.iter().map(|&m| files[m as usize]).collect();
        let mut next = Vec::new();
        for (&m, resolution) in wave.iter().zip(resolve(&wave_files)) {
            let targets = resolution.nodes.iter().flat_map(|n| &n.calls);
            for t in targets.map(|c| c.target.module as usize) {
                if let Some(seen @ false) = seen.get_mut(t) {
                    *seen = true;
                    next.push(t as u32);
                }
            }
            resolved[m as usize] = Some(resolution);
        }
        next.sort_unstable();
        wave = next;
    }
    resolved
}

/// The fixpoint over the resolved files' call-graph nodes. Re-runs when
/// some file's resolution changed (an edit that changes calls or effects).
#[salsa::tracked(returns(clone))]
pub fn call_facts(db: &dyn Db, project: Project) -> Arc<CallFacts> {
    let layout = project_layout(db, project);
    let resolutions = resolve_reached(db, project, |files| {
        files.iter().map(|f| module_resolution(db, *f)).collect()
    });
    // Every module to resolve is (only those reached from coroutines, see
    // `resolve_reached`): the shared lookups have served. A cache, so
    // emptying it changes no result (a module that an edit reaches later
    // looks its names up again).
    layout.lookups.clear();
    let nodes: Vec<&[FunctionNode]> = resolutions
        .iter()
        .map(|r| r.as_ref().map_or(&[][..], |r| r.nodes.as_slice()))
        .collect();
    let seeds: Vec<&[SpawnSeed]> = resolutions
        .iter()
        .map(|r| r.as_ref().map_or(&[][..], |r| r.spawns.as_slice()))
        .collect();
    let mut facts = propagate(&nodes);
    spread_spawns(&mut facts, &nodes, &seeds);
    Arc::new(CallFacts {
        modules: facts.into_iter().map(Arc::new).collect(),
        resolved: resolutions.iter().map(Option::is_some).collect(),
    })
}

/// Whether this file's calls are resolved: backdates when only other
/// files' changed.
#[salsa::tracked]
fn is_resolved(db: &dyn Db, file: SourceFile) -> bool {
    let Some((project, _, position)) = in_project(db, file) else {
        return false;
    };
    let facts = call_facts(db, project);
    facts.resolved.get(position as usize) == Some(&true)
}

/// Per file, what the import graph says about it.
#[derive(PartialEq, Eq)]
pub struct ImportGraph {
    pub modules: Vec<ModuleImportFacts>,
}

/// The import graph: cycles (PF901), first importers, bare importable
/// names. Re-runs when some file's import node changed.
#[salsa::tracked(returns(clone))]
pub fn import_graph(db: &dyn Db, project: Project) -> Arc<ImportGraph> {
    if !project_needs(db, project).contains(ProjectNeeds::IMPORT_GRAPH) {
        return Arc::new(ImportGraph {
            modules: Vec::new(),
        });
    }
    let layout = project_layout(db, project);
    let nodes: Vec<Arc<ImportNode>> = layout.files.iter().map(|f| import_node(db, *f)).collect();
    let nodes: Vec<&ImportNode> = nodes.iter().map(|n| n.as_ref()).collect();
    Arc::new(ImportGraph {
        modules: pitfall_linter::project::import_graph(&layout.map, &nodes),
    })
}

/// A file's import node alone: backdates when only the names its imports
/// found changed, so the import graph is not searched again.
#[salsa::tracked(returns(clone))]
fn import_node(db: &dyn Db, file: SourceFile) -> Arc<ImportNode> {
    Arc::new(module_imports(db, file).node.clone())
}

/// This file's slice of the call facts: backdates when the fixpoint
/// changed only elsewhere.
#[salsa::tracked(returns(clone))]
pub fn function_facts(db: &dyn Db, file: SourceFile) -> Arc<FunctionFacts> {
    let Some((project, _, position)) = in_project(db, file) else {
        return Arc::default();
    };
    let facts = call_facts(db, project);
    facts
        .modules
        .get(position as usize)
        .cloned()
        .unwrap_or_default()
}

/// This file's slice of the import graph.
#[salsa::tracked(returns(clone))]
pub fn import_facts(db: &dyn Db, file: SourceFile) -> ModuleImportFacts {
    let Some((project, _, position)) = in_project(db, file) else {
        return ModuleImportFacts::default();
    };
    import_graph(db, project)
        .modules
        .get(position as usize)
        .cloned()
        .unwrap_or_default()
}

/// Everything the project knows about this file (empty outside the
/// project). Re-runs only when one of its slices changed.
#[salsa::tracked(returns(clone))]
pub fn module_facts(db: &dyn Db, file: SourceFile) -> Arc<ModuleFacts> {
    let Some((project, _, _)) = in_project(db, file) else {
        return Arc::default();
    };
    let needs = project_needs(db, project);
    // A file no coroutine's calls reach is not resolved (no rule reads it).
    let resolution = match is_resolved(db, file) {
        true => module_resolution(db, file),
        false => Arc::default(),
    };
    let imports = match needs.imports() {
        true => module_imports(db, file),
        false => Arc::default(),
    };
    let graph = match needs.contains(ProjectNeeds::IMPORT_GRAPH) {
        true => import_facts(db, file),
        false => ModuleImportFacts::default(),
    };
    Arc::new(ModuleFacts {
        nodes: resolution.nodes.clone(),
        module_targets: resolution.module_targets.clone(),
        facts: function_facts(db, file),
        locks: resolution.locks.clone(),
        imports: imports.resolved.clone(),
        cycle: graph.cycle,
        importer: graph.importer,
        top_level: graph.top_level,
        thread_classes: resolution.thread_classes.clone(),
        inherited: resolution.inherited.clone(),
    })
}

/// Every file's facts (computing what is not yet computed).
pub fn project_facts(db: &dyn Db, project: Project) -> ProjectFacts {
    let layout = project_layout(db, project);
    ProjectFacts {
        modules: layout.files.iter().map(|f| module_facts(db, *f)).collect(),
    }
}

impl ProjectView for DbView<'_> {
    fn summary(&self, module: u32) -> Option<Arc<ModuleSummary>> {
        Some(module_summary(self.db, self.layout.file(module)?))
    }

    fn facts(&self, module: u32) -> Option<Arc<ModuleFacts>> {
        Some(module_facts(self.db, self.layout.file(module)?))
    }

    fn display_path(&self, module: u32) -> Option<String> {
        Some(self.layout.file(module)?.display_path(self.db).clone())
    }

    fn module_name(&self, module: u32) -> Option<String> {
        self.layout.map.name(module).map(|m| m.name.clone())
    }

    fn read_deferred(&self, module: u32, read: &mut dyn FnMut(&[Diagnostic])) {
        if let Some(file) = self.layout.file(module) {
            read(&lint_file(self.db, file).deferred);
        }
    }

    fn def_lines(&self, module: u32) -> Option<Arc<[u32]>> {
        Some(def_lines(self.db, self.layout.file(module)?))
    }
}

/// The line of each function's `def` in the file, for messages that name
/// one: computed only for the files such a message names (the summaries
/// record offsets), and `Eq`, so an edit that moves no `def` stops here.
#[salsa::tracked(returns(clone))]
pub fn def_lines(db: &dyn Db, file: SourceFile) -> Arc<[u32]> {
    let text = source_text(db, file).unwrap_or_else(|_| Arc::from(""));
    pitfall_linter::project::def_lines(&module_summary(db, file), &text)
}

/// Findings of the cross-module phase, before suppressions. No AST.
#[salsa::tracked(returns(clone))]
pub fn cross_module_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<Vec<Diagnostic>> {
    let settings = file.settings(db);
    // No enabled rule reads the project: no rule's `check_project` reports
    // (see `Rule::project_needs`), so nothing is resolved for this file.
    // The file's own rules count even when it is not one of the project's
    // files (an editor's new buffer): its local chains are still followed.
    let own = ProjectNeeds::of_rules(&settings.rules);
    let needs = match Project::try_get(db) {
        Some(project) => own | project_needs(db, project),
        None => own,
    };
    if needs == ProjectNeeds::NONE {
        return Arc::default();
    }
    // The only rules of this phase report at calls a coroutine makes
    // (PF101, PF107): a file without an `async def` has no such finding,
    // and no rule deferred one to this phase.
    if needs.findings_in_coroutines_only() && !has_coroutines(db, file) {
        return Arc::default();
    }
    let summary = module_summary(db, file);
    let local = lint_file(db, file);
    let diagnostics = match in_project(db, file) {
        Some((_, layout, position)) => {
            let facts = module_facts(db, file);
            let view = DbView {
                db,
                layout: &layout,
            };
            let mut cx = ProjectChecker::new(position, &summary, &facts, &view, settings)
                .with_deferred(&local.deferred);
            check_project(&mut cx)
        }
        // A file outside the project is a project of its own.
        None => {
            let path = file.path(db).as_path();
            let map = ModuleMap::new(&[path], &[]);
            let facts = ProjectFacts::compute(
                &map,
                &[ProjectModule {
                    interface: &summary.interface,
                }],
                ProjectNeeds::of_rules(&settings.rules),
            );
            let facts = facts.modules.into_iter().next().unwrap_or_default();
            let view = pitfall_linter::project::MemoryView {
                map: &map,
                summaries: vec![summary.clone()],
                facts: vec![facts.clone()],
                display_paths: vec![file.display_path(db).clone()],
                deferred: Vec::new(),
                def_lines: vec![def_lines(db, file)],
            };
            let mut cx = ProjectChecker::new(0, &summary, &facts, &view, settings)
                .with_deferred(&local.deferred);
            check_project(&mut cx)
        }
    };
    Arc::new(enabled_only(db, file, diagnostics))
}

/// A file's full diagnostics: the local rules and the cross-module phase,
/// after suppressions, sorted. The entry point for the CLI and the LSP.
#[salsa::tracked(returns(clone))]
pub fn file_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<FileDiagnostics> {
    let local = lint_file(db, file);
    let cross = cross_module_diagnostics(db, file);
    if cross.is_empty() {
        return local;
    }
    let table = &local.suppressions;
    let mut used_lines = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for d in cross.iter() {
        match table.suppressing(d) {
            Some(line) => used_lines.push(line),
            None => diagnostics.push(d.clone()),
        }
    }
    // A suppression that only a cross-module finding used is not unused.
    diagnostics.extend(
        local
            .diagnostics
            .iter()
            .filter(|d| {
                d.rule.meta().code != "PF004"
                    || !used_lines.iter().any(|l| l.contains_range(d.range))
            })
            .cloned(),
    );
    diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
    Arc::new(FileDiagnostics {
        diagnostics,
        suppressions: local.suppressions.clone(),
        doc_coverage: local.doc_coverage,
        deferred: Vec::new(),
    })
}
