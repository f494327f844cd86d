//! The project: which files it has and its import roots (an input), module
//! resolution over them, the project-wide fixpoint and the cross-module
//! findings, and [`file_diagnostics`], the one entry point for a file's
//! full diagnostics (the CLI, `--watch` and the language server call it).
//!
//! Query shape, and why:
//! - `lint_file(file)` (local rules) never reads another file.
//! - `module_interface(file)` is position-free; `project_facts` reads the
//!   interfaces of all files, so an edit that moves code without changing
//!   calls stops before it.
//! - `module_facts(file)` is this file's slice of the project facts: it
//!   backdates when the fixpoint changed elsewhere.
//! - `cross_module_diagnostics(file)` reads its own facts and the summaries
//!   and facts of the modules its chains pass through.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pitfall_linter::project::{
    check_project, ModuleFacts, ModuleMap, ProjectChecker, ProjectFacts, ProjectModule, ProjectView,
};
use pitfall_linter::summary::ModuleSummary;
use pitfall_linter::Diagnostic;
use rustc_hash::FxHashMap;

use crate::db::{Db, SourceFile};
use crate::queries::{enabled_only, lint_file, module_interface, module_summary, FileDiagnostics};

/// The project being checked: every file whose modules may be imported
/// (including files that are not reported), and the import roots.
#[salsa::input(singleton)]
pub struct Project {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    #[returns(ref)]
    pub roots: Vec<PathBuf>,
}

/// Module names for the project's files, and each file's position.
#[derive(PartialEq, Eq)]
pub struct ProjectLayout {
    pub map: ModuleMap,
    pub files: Vec<SourceFile>,
    position: FxHashMap<SourceFile, u32>,
}

impl ProjectLayout {
    pub fn position(&self, file: SourceFile) -> Option<u32> {
        self.position.get(&file).copied()
    }
}

/// Depends on paths only: editing a file's text never re-runs it.
#[salsa::tracked(returns(clone))]
pub fn project_layout(db: &dyn Db, project: Project) -> Arc<ProjectLayout> {
    let files = project.files(db).clone();
    let paths: Vec<&Path> = files.iter().map(|f| f.path(db).as_path()).collect();
    let map = ModuleMap::new(&paths, project.roots(db));
    let position = files
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, i as u32))
        .collect();
    Arc::new(ProjectLayout {
        map,
        files,
        position,
    })
}

/// The file `import name` loads, if it is the project's.
pub fn resolve_module(db: &dyn Db, name: &str) -> Option<SourceFile> {
    let layout = project_layout(db, Project::try_get(db)?);
    let i = layout.map.resolve(name)?;
    layout.files.get(i as usize).copied()
}

/// Call targets, facts and import resolution for every module: the
/// fixpoint over all interfaces.
#[salsa::tracked(returns(clone))]
pub fn project_facts(db: &dyn Db, project: Project) -> Arc<ProjectFacts> {
    let layout = project_layout(db, project);
    let interfaces: Vec<_> = layout
        .files
        .iter()
        .map(|f| module_interface(db, *f))
        .collect();
    let modules: Vec<ProjectModule> = interfaces
        .iter()
        .map(|i| ProjectModule { interface: i })
        .collect();
    Arc::new(ProjectFacts::compute(&layout.map, &modules))
}

/// This file's part of the project facts (empty outside the project).
#[salsa::tracked(returns(clone))]
pub fn module_facts(db: &dyn Db, file: SourceFile) -> Arc<ModuleFacts> {
    let Some(project) = Project::try_get(db) else {
        return Arc::default();
    };
    let layout = project_layout(db, project);
    let Some(i) = layout.position(file) else {
        return Arc::default();
    };
    let facts = project_facts(db, project);
    facts.modules.get(i as usize).cloned().unwrap_or_default()
}

struct DbView<'a> {
    db: &'a dyn Db,
    layout: &'a ProjectLayout,
}

impl ProjectView for DbView<'_> {
    fn summary(&self, module: u32) -> Option<Arc<ModuleSummary>> {
        let file = *self.layout.files.get(module as usize)?;
        Some(module_summary(self.db, file))
    }

    fn facts(&self, module: u32) -> Option<Arc<ModuleFacts>> {
        let file = *self.layout.files.get(module as usize)?;
        Some(module_facts(self.db, file))
    }

    fn display_path(&self, module: u32) -> Option<String> {
        let file = *self.layout.files.get(module as usize)?;
        Some(file.display_path(self.db).clone())
    }

    fn module_name(&self, module: u32) -> Option<String> {
        self.layout.map.name(module).map(|m| m.name.clone())
    }

    fn read_deferred(&self, module: u32, read: &mut dyn FnMut(&[Diagnostic])) {
        if let Some(file) = self.layout.files.get(module as usize) {
            read(&lint_file(self.db, *file).deferred);
        }
    }
}

/// Findings of the cross-module phase, before suppressions. No AST.
#[salsa::tracked(returns(clone))]
pub fn cross_module_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<Vec<Diagnostic>> {
    let settings = file.settings(db);
    let summary = module_summary(db, file);
    let local = lint_file(db, file);
    let in_project = Project::try_get(db).and_then(|project| {
        let layout = project_layout(db, project);
        let position = layout.position(file)?;
        Some((layout, position))
    });
    let diagnostics = match in_project {
        Some((layout, position)) => {
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
            );
            let facts = facts.modules.into_iter().next().unwrap_or_default();
            let view = pitfall_linter::project::MemoryView {
                map: &map,
                summaries: vec![summary.clone()],
                facts: vec![facts.clone()],
                display_paths: vec![file.display_path(db).clone()],
                deferred: Vec::new(),
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
