//! The server's state: the salsa database holding every project file, the
//! open buffers (overlays), and what was last published for each of them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types as lsp;
use std::collections::BTreeSet;

use pitfall_db::{
    file_diagnostics, module_interface, parsed_module, project_facts, source_text, FileDiagnostics,
    PitfallDatabase, Project, SourceFile,
};
use pitfall_linter::LinterSettings;
use pitfall_workspace::{discover_python_files, CliOverrides, Resolver, Settings};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use salsa::Setter as _;

use crate::convert;
use crate::document::Document;
use crate::line_index::{Encoding, LineIndex};
use crate::RuleDocs;

pub struct Session {
    db: PitfallDatabase,
    roots: Vec<PathBuf>,
    resolver: Resolver,
    /// Every file in the database, by absolute path.
    files: FxHashMap<PathBuf, SourceFile>,
    /// The workspace's files: the modules imports resolve to. A file opened
    /// from elsewhere is in `files` only (a project of its own).
    members: BTreeSet<PathBuf>,
    /// The database's project input, once the workspace is loaded.
    project: Option<Project>,
    open: FxHashMap<PathBuf, Document>,
    /// The diagnostics last sent for each open file.
    published: FxHashMap<PathBuf, Vec<lsp::Diagnostic>>,
    pub encoding: Encoding,
    pub docs: RuleDocs,
    /// Bumped for every change seen on disk, so `source_text` reads again.
    revision: u64,
    /// Files closed in the editor may have been parsed again (a change on
    /// disk, new settings): their trees are dropped after the next publish.
    release_trees: bool,
}

/// Stack for the warm-up workers: the parser and our walks recurse.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// A file's text with its line index, for converting offsets.
pub struct Snapshot {
    pub text: Arc<str>,
    pub index: LineIndex,
}

impl Session {
    /// A session over `roots` (workspace folders). Configuration errors are
    /// returned for the client to show; the files they govern get defaults.
    pub fn new(roots: Vec<PathBuf>, encoding: Encoding, docs: RuleDocs) -> (Session, Vec<String>) {
        let (resolver, mut errors) = new_resolver(&roots);
        let mut session = Session {
            db: PitfallDatabase::default(),
            roots,
            resolver,
            files: FxHashMap::default(),
            members: BTreeSet::new(),
            project: None,
            open: FxHashMap::default(),
            published: FxHashMap::default(),
            encoding,
            docs,
            revision: 0,
            release_trees: false,
        };
        errors.extend(session.load_workspace());
        (session, errors)
    }

    /// Puts every Python file of the workspace into the database, so that
    /// cross-file facts (imports, call chains) exist before files are opened.
    fn load_workspace(&mut self) -> Vec<String> {
        let discovery = discover_python_files(&self.roots, &self.resolver);
        let mut errors: Vec<String> = discovery
            .config_errors
            .iter()
            .map(|e| e.to_string())
            .collect();
        errors.extend(
            discovery
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.path.display(), e.message)),
        );
        for path in discovery.files {
            self.file(&path);
            self.members.insert(path);
        }
        self.sync_project();
        errors
    }

    /// Computes every member's interface (in parallel) and the project's
    /// facts, dropping each tree once its file is summarised: the first
    /// diagnostics then come at once, and only open files keep a tree (a
    /// tree is many times the size of its text). Returns the file count.
    pub fn warm_up(&mut self) -> usize {
        let Some(project) = self.project else {
            return 0;
        };
        let files: Vec<SourceFile> = self
            .members
            .iter()
            .filter(|p| !self.open.contains_key(*p))
            .map(|p| self.files[p])
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build();
        if let Ok(pool) = pool {
            let handle = self.db.clone();
            pool.install(|| {
                files.par_iter().for_each_with(handle, |db, file| {
                    module_interface(db, *file);
                    parsed_module(db, *file).clear();
                })
            });
        }
        project_facts(&self.db, project);
        self.members.len()
    }

    /// Drops the trees of the members that are not open, once the project
    /// facts are current (so no file is parsed just to be dropped).
    fn release_closed_trees(&mut self) {
        if !std::mem::take(&mut self.release_trees) {
            return;
        }
        let Some(project) = self.project else {
            return;
        };
        project_facts(&self.db, project);
        for path in &self.members {
            if !self.open.contains_key(path) {
                parsed_module(&self.db, self.files[path]).clear();
            }
        }
    }

    /// Tells the database which files make up the project and where its
    /// import roots are (the `src` of each file's configuration).
    fn sync_project(&mut self) {
        let files: Vec<SourceFile> = self.members.iter().map(|p| self.files[p]).collect();
        let mut roots: Vec<PathBuf> = Vec::new();
        for path in &self.members {
            if let Some(settings) = self.settings(path) {
                for root in &settings.src {
                    if !roots.contains(root) {
                        roots.push(root.clone());
                    }
                }
            }
        }
        match self.project {
            None => self.project = Some(Project::new(&self.db, files, roots)),
            Some(project) => {
                if *project.files(&self.db) != files {
                    project.set_files(&mut self.db).to(files);
                }
                if *project.roots(&self.db) != roots {
                    project.set_roots(&mut self.db).to(roots);
                }
            }
        }
    }

    /// The database input for `path`, created on first sight.
    fn file(&mut self, path: &Path) -> SourceFile {
        if let Some(file) = self.files.get(path) {
            return *file;
        }
        let settings = Arc::new(self.linter_settings(path));
        let display = self.display_path(path);
        let file = SourceFile::new(
            &self.db,
            path.to_path_buf(),
            display,
            None,
            self.revision,
            settings,
        );
        self.files.insert(path.to_path_buf(), file);
        file
    }

    fn settings(&self, path: &Path) -> Option<Arc<Settings>> {
        self.resolver.settings_for(path).ok()
    }

    fn linter_settings(&self, path: &Path) -> LinterSettings {
        self.settings(path)
            .map(|s| s.linter_settings_for(path))
            .unwrap_or_default()
    }

    fn display_path(&self, path: &Path) -> String {
        self.roots
            .iter()
            .find_map(|root| path.strip_prefix(root).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    pub fn open(&mut self, uri: lsp::Uri, path: PathBuf, text: String, version: i32) {
        let document = Document::new(uri, text, version);
        let file = self.file(&path);
        file.set_overlay(&mut self.db)
            .to(Some(document.text().clone()));
        self.open.insert(path, document);
    }

    pub fn change(
        &mut self,
        path: &Path,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
        version: i32,
    ) {
        let encoding = self.encoding;
        let Some(document) = self.open.get_mut(path) else {
            return;
        };
        document.apply(changes, version, encoding);
        let text = document.text().clone();
        let file = self.file(path);
        file.set_overlay(&mut self.db).to(Some(text));
    }

    /// The buffer is gone: the file is read from disk again. Returns the
    /// URI it was open under, to clear its diagnostics.
    pub fn close(&mut self, path: &Path) -> Option<lsp::Uri> {
        let document = self.open.remove(path)?;
        self.published.remove(path);
        self.release_trees = true;
        if let Some(file) = self.files.get(path).copied() {
            file.set_overlay(&mut self.db).to(None);
            self.revision += 1;
            file.set_revision(&mut self.db).to(self.revision);
        }
        Some(document.uri)
    }

    /// A file changed, appeared or vanished on disk (watched-files event).
    pub fn disk_changed(&mut self, path: &Path) {
        if !is_python(path) {
            return;
        }
        self.revision += 1;
        if let Some(file) = self.files.get(path).copied() {
            file.set_revision(&mut self.db).to(self.revision);
            self.release_trees = true;
        }
        let exists = path.is_file() || self.open.contains_key(path);
        let member = exists && self.in_workspace(path);
        if member != self.members.contains(path) {
            if member {
                self.file(path);
                self.members.insert(path.to_path_buf());
            } else {
                self.members.remove(path);
            }
            self.sync_project();
        }
    }

    fn in_workspace(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
            && self
                .settings(path)
                .is_none_or(|s| !s.is_excluded_or_below_excluded(path))
    }

    /// Configuration changed: resolve every file's settings again and update
    /// only those that differ (salsa then re-lints only those files).
    pub fn reload_config(&mut self) -> Vec<String> {
        let (resolver, mut errors) = new_resolver(&self.roots);
        self.resolver = resolver;
        let files: Vec<(PathBuf, SourceFile)> =
            self.files.iter().map(|(p, f)| (p.clone(), *f)).collect();
        for (path, file) in files {
            let settings = match self.resolver.settings_for(&path) {
                Ok(s) => s.linter_settings_for(&path),
                Err(e) => {
                    let message = e.to_string();
                    if !errors.contains(&message) {
                        errors.push(message);
                    }
                    continue;
                }
            };
            if **file.settings(&self.db) != settings {
                file.set_settings(&mut self.db).to(Arc::new(settings));
                self.release_trees = true;
            }
        }
        // New excludes or roots may bring files in, or leave them out.
        let open: Vec<PathBuf> = self.open.keys().cloned().collect();
        self.members.retain(|p| open.contains(p));
        for error in self.load_workspace() {
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
        errors
    }

    /// Workspace folders were added or removed.
    pub fn set_roots(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) -> Vec<String> {
        self.roots.retain(|r| !removed.contains(r));
        for root in added {
            if !self.roots.contains(&root) {
                self.roots.push(root);
            }
        }
        self.reload_config()
    }

    /// The URI to name a file by: the client's own spelling when it is open.
    pub fn uri(&self, path: &Path) -> lsp::Uri {
        match self.open.get(path) {
            Some(document) => document.uri.clone(),
            None => crate::uri::from_path(path),
        }
    }

    /// The text and line index of a file in the database (the buffer when open).
    pub fn snapshot(&mut self, path: &Path) -> Option<Snapshot> {
        if let Some(document) = self.open.get(path) {
            return Some(Snapshot {
                text: document.text().clone(),
                index: document.index().clone(),
            });
        }
        let file = *self.files.get(path)?;
        let text = source_text(&self.db, file).ok()?;
        let index = LineIndex::new(&text);
        Some(Snapshot { text, index })
    }

    /// The findings for a file the database has (open, or in the
    /// workspace), as it has them now. Excluded files (by the configuration
    /// that governs them) have none.
    pub fn findings(&mut self, path: &Path) -> Option<(SourceFile, Arc<FileDiagnostics>)> {
        let file = *self.files.get(path)?;
        if self
            .settings(path)
            .is_some_and(|s| s.is_excluded_or_below_excluded(path))
        {
            return None;
        }
        if !self.open.contains_key(path) {
            // Asked about a closed file: its tree goes after the next publish.
            self.release_trees = true;
        }
        Some((file, file_diagnostics(&self.db, file)))
    }

    /// The LSP diagnostics of an open file.
    pub fn diagnostics(&mut self, path: &Path) -> Vec<lsp::Diagnostic> {
        let Some((_, findings)) = self.findings(path) else {
            return Vec::new();
        };
        let Some(snapshot) = self.snapshot(path) else {
            return Vec::new();
        };
        findings
            .diagnostics
            .iter()
            .map(|d| {
                let related = d
                    .related
                    .iter()
                    .filter_map(|r| self.related_location(path, &snapshot, r))
                    .collect();
                convert::diagnostic(d, &snapshot, self.encoding, &self.docs, related)
            })
            .collect()
    }

    fn related_location(
        &mut self,
        path: &Path,
        snapshot: &Snapshot,
        related: &pitfall_linter::Related,
    ) -> Option<lsp::DiagnosticRelatedInformation> {
        let (target, range) = match &related.path {
            None => (
                path.to_path_buf(),
                snapshot
                    .index
                    .range(related.range, &snapshot.text, self.encoding),
            ),
            Some(other) => {
                let target = self.resolve_display_path(other)?;
                let other = self.snapshot(&target)?;
                let range = other.index.range(related.range, &other.text, self.encoding);
                (target, range)
            }
        };
        Some(lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(self.uri(&target), range),
            message: related.message.clone(),
        })
    }

    /// A path as diagnostics show it (relative to a root, or absolute).
    fn resolve_display_path(&self, shown: &str) -> Option<PathBuf> {
        let shown = Path::new(shown);
        if shown.is_absolute() {
            return Some(shown.to_path_buf());
        }
        self.roots
            .iter()
            .map(|r| r.join(shown))
            .find(|p| self.files.contains_key(p))
    }

    /// The open files whose diagnostics differ from what was last published,
    /// with their new diagnostics (cross-file consequences included: every
    /// open file is asked, and salsa answers unchanged ones from its cache).
    pub fn changed_diagnostics(&mut self) -> Vec<lsp::PublishDiagnosticsParams> {
        let mut paths: Vec<PathBuf> = self.open.keys().cloned().collect();
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            let diagnostics = self.diagnostics(&path);
            if self.published.get(&path) != Some(&diagnostics) {
                self.published.insert(path.clone(), diagnostics.clone());
                let document = &self.open[&path];
                out.push(lsp::PublishDiagnosticsParams {
                    uri: document.uri.clone(),
                    diagnostics,
                    version: Some(document.version),
                });
            }
        }
        self.release_closed_trees();
        out
    }

    pub fn db(&self) -> &PitfallDatabase {
        &self.db
    }
}

fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py" || e == "pyi")
}

/// Whether a path is a configuration file pitfall reads.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n == pitfall_workspace::PYPROJECT_TOML || n == pitfall_workspace::PITFALL_TOML
    })
}

fn new_resolver(roots: &[PathBuf]) -> (Resolver, Vec<String>) {
    let cwd = roots.first().cloned().unwrap_or_else(|| PathBuf::from("/"));
    match Resolver::new(CliOverrides::default(), cwd.clone()) {
        Ok(r) => (r, Vec::new()),
        Err(e) => {
            // Without `--config` the resolver cannot fail; keep defaults anyway.
            let fallback = Resolver::new(CliOverrides::default(), cwd).expect("default resolver");
            (fallback, vec![e.to_string()])
        }
    }
}
