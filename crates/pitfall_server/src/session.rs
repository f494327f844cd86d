//! The server's state: the salsa database holding every project file, the
//! open buffers (overlays), and what was last published for each of them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types as lsp;

use pitfall_db::{
    file_diagnostics, module_interface, parsed_module, project_facts, source_text, DisplayBase,
    FileDiagnostics, PitfallDatabase, SourceFile, Workspace, WorkspaceOptions,
};
use pitfall_workspace::{CliOverrides, Settings};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::convert;
use crate::document::Document;
use crate::line_index::{Encoding, LineIndex};
use crate::RuleDocs;

pub struct Session {
    /// The project in the database, shared with `pitfall check --watch`.
    ws: Workspace,
    open: FxHashMap<PathBuf, Document>,
    /// The diagnostics last sent for each open file.
    published: FxHashMap<PathBuf, Vec<lsp::Diagnostic>>,
    pub encoding: Encoding,
    pub docs: RuleDocs,
    /// Files closed in the editor may have been parsed again (a change on
    /// disk, new settings): their trees are dropped after the next publish.
    release_trees: bool,
}

/// A file's text with its line index, for converting offsets.
pub struct Snapshot {
    pub text: Arc<str>,
    pub index: LineIndex,
}

impl Session {
    /// A session over `roots` (workspace folders). Configuration errors are
    /// returned for the client to show; the files they govern get defaults.
    pub fn new(roots: Vec<PathBuf>, encoding: Encoding, docs: RuleDocs) -> (Session, Vec<String>) {
        let cwd = roots.first().cloned().unwrap_or_else(|| PathBuf::from("/"));
        let options = WorkspaceOptions {
            roots,
            overrides: CliOverrides::default(),
            cwd,
            display: DisplayBase::Roots,
            force_exclude: false,
        };
        // Without `--config` loading cannot fail.
        let (ws, errors) = Workspace::new(options).expect("default configuration");
        let session = Session {
            ws,
            open: FxHashMap::default(),
            published: FxHashMap::default(),
            encoding,
            docs,
            release_trees: false,
        };
        (session, errors)
    }

    /// Computes every member's interface (in parallel) and the project's
    /// facts, dropping each tree once its file is summarised: the first
    /// diagnostics then come at once, and only open files keep a tree (a
    /// tree is many times the size of its text). Returns the file count.
    pub fn warm_up(&mut self) -> usize {
        let Some(project) = self.ws.project() else {
            return 0;
        };
        let files: Vec<SourceFile> = self
            .ws
            .members()
            .filter(|(p, _)| !self.open.contains_key(*p))
            .map(|(_, f)| f)
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(pitfall_semantic::stack::WORKER_STACK)
            .build();
        if let Ok(pool) = pool {
            let handle = self.ws.db().clone();
            pool.install(|| {
                files.par_iter().for_each_with(handle, |db, file| {
                    module_interface(db, *file);
                    parsed_module(db, *file).clear();
                })
            });
        }
        project_facts(self.ws.db(), project);
        self.ws.members().count()
    }

    /// Drops the trees of the members that are not open, once the project
    /// facts are current (so no file is parsed just to be dropped).
    fn release_closed_trees(&mut self) {
        if !std::mem::take(&mut self.release_trees) {
            return;
        }
        let Some(project) = self.ws.project() else {
            return;
        };
        let db = self.ws.db();
        project_facts(db, project);
        for (path, file) in self.ws.members() {
            if !self.open.contains_key(path) {
                parsed_module(db, file).clear();
            }
        }
    }

    fn settings(&self, path: &Path) -> Option<Arc<Settings>> {
        self.ws.settings(path)
    }

    pub fn open(&mut self, uri: lsp::Uri, path: PathBuf, text: String, version: i32) {
        let document = Document::new(uri, text, version);
        self.ws.set_overlay(&path, Some(document.text().clone()));
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
        self.ws.set_overlay(path, Some(text));
    }

    /// The buffer is gone: the file is read from disk again. Returns the
    /// URI it was open under, to clear its diagnostics.
    pub fn close(&mut self, path: &Path) -> Option<lsp::Uri> {
        let document = self.open.remove(path)?;
        self.published.remove(path);
        self.release_trees = true;
        if self.ws.get(path).is_some() {
            self.ws.set_overlay(path, None);
        }
        Some(document.uri)
    }

    /// A file changed, appeared or vanished on disk (watched-files event).
    /// New files join at [`sync_members`](Self::sync_members).
    pub fn disk_changed(&mut self, path: &Path) {
        if self.ws.disk_changed(path) {
            self.release_trees = true;
        }
    }

    /// After a batch of [`disk_changed`](Self::disk_changed): discovers the
    /// files that appeared. Returns the errors met.
    pub fn sync_members(&mut self) -> Vec<String> {
        self.ws.sync_members()
    }

    /// Configuration changed: resolve every file's settings again and update
    /// only those that differ (salsa then re-lints only those files).
    pub fn reload_config(&mut self) -> Vec<String> {
        self.release_trees = true;
        self.ws.reload_config()
    }

    /// Workspace folders were added or removed.
    pub fn set_roots(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) -> Vec<String> {
        self.release_trees = true;
        self.ws.set_roots(added, removed)
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
        let file = self.ws.get(path)?;
        let text = source_text(self.ws.db(), file).ok()?;
        let index = LineIndex::new(&text);
        Some(Snapshot { text, index })
    }

    /// The findings for a file the database has (open, or in the
    /// workspace), as it has them now. Excluded files (by the configuration
    /// that governs them) have none.
    pub fn findings(&mut self, path: &Path) -> Option<(SourceFile, Arc<FileDiagnostics>)> {
        let file = self.ws.get(path)?;
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
        Some((file, file_diagnostics(self.ws.db(), file)))
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
        self.ws.resolve_display_path(shown)
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
        self.ws.db()
    }
}

/// Whether a path is a configuration file pitfall reads.
pub use pitfall_db::is_config_file;
