//! A project loaded into the database and kept current as files change:
//! the state the language server and `pitfall check --watch` share. It
//! discovers the files under its roots (the same rules as `pitfall check`:
//! `*.py`/`*.pyi`, `exclude`, `extend-exclude`, `.gitignore`), makes each a
//! [`SourceFile`], keeps the [`Project`] input's members and import roots in
//! step, and applies changes: a file's text (a revision bump, or an
//! overlay), files appearing and vanishing, configuration reloads. Salsa
//! then re-runs only what those changes reach.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pitfall_linter::LinterSettings;
use pitfall_workspace::{discover_python_files, CliOverrides, ConfigError, Resolver, Settings};
use rustc_hash::{FxHashMap, FxHasher};
use salsa::{Durability, Setter as _};

use crate::db::{PitfallDatabase, SourceFile};
use crate::project::Project;
use crate::queries::read_source;

/// How files are named in diagnostics.
#[derive(Clone, Debug)]
pub enum DisplayBase {
    /// Relative to the first root that contains them (the language server).
    Roots,
    /// Relative to this directory when below it (the command line's cwd).
    Dir(PathBuf),
}

/// What a [`Workspace`] is made of.
pub struct WorkspaceOptions {
    /// Directories (and files) whose Python files make up the project.
    pub roots: Vec<PathBuf>,
    /// The command line's settings (`--select`, `--config`, ...).
    pub overrides: CliOverrides,
    /// Relative roots and paths are resolved against it.
    pub cwd: PathBuf,
    pub display: DisplayBase,
    /// Apply `exclude` to the roots themselves too (`--force-exclude`).
    pub force_exclude: bool,
}

pub struct Workspace {
    db: PitfallDatabase,
    options: WorkspaceOptions,
    resolver: Resolver,
    /// Every file in the database, by absolute path.
    files: FxHashMap<PathBuf, SourceFile>,
    /// The files of the project: the modules imports resolve to. A file
    /// known from elsewhere (opened in an editor) is in `files` only.
    members: BTreeSet<PathBuf>,
    /// The compiled extension modules below the roots (from discovery).
    extension_modules: Vec<PathBuf>,
    project: Option<Project>,
    /// Bumped for every change seen on disk, so `source_text` reads again.
    revision: u64,
    /// A hash of the text the database last used, where the caller recorded
    /// it: a change event that leaves the text as it was changes nothing.
    fingerprints: FxHashMap<PathBuf, u64>,
    /// Files may have appeared below the roots: discover again.
    membership_stale: bool,
    /// Counts the changes to the project's members.
    generation: u64,
    /// The files whose settings the last [`Workspace::reload_config`] changed.
    resettled: Vec<PathBuf>,
}

/// A text's fingerprint, for [`Workspace::record_fingerprint`].
pub fn fingerprint(text: &Result<Arc<str>, String>) -> u64 {
    let mut hasher = FxHasher::default();
    match text {
        Ok(text) => (0u8, &**text).hash(&mut hasher),
        Err(error) => (1u8, error.as_str()).hash(&mut hasher),
    }
    hasher.finish()
}

impl Workspace {
    /// Loads every Python file below the roots. `Err` when the command
    /// line's own configuration (`--config`, a bad glob) is unusable; the
    /// `Vec` holds the other errors met (broken configuration files, missing
    /// roots), whose files are left out or get defaults.
    pub fn new(options: WorkspaceOptions) -> Result<(Workspace, Vec<String>), ConfigError> {
        Self::with_database(options, PitfallDatabase::default())
    }

    /// [`new`](Self::new) on a given database (one that logs executions,
    /// in tests).
    pub fn with_database(
        options: WorkspaceOptions,
        db: PitfallDatabase,
    ) -> Result<(Workspace, Vec<String>), ConfigError> {
        let resolver = Resolver::new(options.overrides.clone(), options.cwd.clone())?;
        let mut workspace = Workspace {
            db,
            options,
            resolver,
            files: FxHashMap::default(),
            members: BTreeSet::new(),
            extension_modules: Vec::new(),
            project: None,
            revision: 0,
            fingerprints: FxHashMap::default(),
            membership_stale: true,
            generation: 0,
            resettled: Vec::new(),
        };
        let errors = workspace.sync_members();
        Ok((workspace, errors))
    }

    pub fn db(&self) -> &PitfallDatabase {
        &self.db
    }

    pub fn db_mut(&mut self) -> &mut PitfallDatabase {
        &mut self.db
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.options.roots
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The project's files, sorted.
    pub fn members(&self) -> impl Iterator<Item = (&Path, SourceFile)> + '_ {
        self.members
            .iter()
            .map(|p| (p.as_path(), self.files[p.as_path()]))
    }

    /// Changes whenever a file joins or leaves the project.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_member(&self, path: &Path) -> bool {
        self.members.contains(path)
    }

    /// The database input for `path`, if it has one.
    pub fn get(&self, path: &Path) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    pub fn project(&self) -> Option<Project> {
        self.project
    }

    /// The database input for `path`, created on first sight.
    pub fn file(&mut self, path: &Path) -> SourceFile {
        if let Some(file) = self.files.get(path) {
            return *file;
        }
        let settings = Arc::new(self.linter_settings(path));
        let display = self.display_path(path);
        // Durable until edited: after an edit salsa re-verifies only what
        // depends on the edited files (their text fields become LOW).
        let file = SourceFile::builder(path.to_path_buf(), display, None, self.revision, settings)
            .durability(Durability::MEDIUM)
            .new(&self.db);
        self.files.insert(path.to_path_buf(), file);
        file
    }

    pub fn settings(&self, path: &Path) -> Option<Arc<Settings>> {
        self.resolver.settings_for(path).ok()
    }

    fn linter_settings(&self, path: &Path) -> LinterSettings {
        self.settings(path)
            .map(|s| s.linter_settings_for(path))
            .unwrap_or_default()
    }

    fn display_path(&self, path: &Path) -> String {
        let relative = match &self.options.display {
            DisplayBase::Roots => self
                .options
                .roots
                .iter()
                .find_map(|root| path.strip_prefix(root).ok()),
            DisplayBase::Dir(dir) => path.strip_prefix(dir).ok(),
        };
        relative.unwrap_or(path).display().to_string()
    }

    /// A path as diagnostics show it, back to the file's absolute path.
    pub fn resolve_display_path(&self, shown: &str) -> Option<PathBuf> {
        let shown = Path::new(shown);
        if shown.is_absolute() {
            return Some(shown.to_path_buf());
        }
        let bases: Vec<&Path> = match &self.options.display {
            DisplayBase::Roots => self.options.roots.iter().map(PathBuf::as_path).collect(),
            DisplayBase::Dir(dir) => vec![dir.as_path()],
        };
        bases
            .into_iter()
            .map(|base| base.join(shown))
            .find(|p| self.files.contains_key(p))
    }

    /// Sets (or clears) a file's in-memory text: an editor buffer. Clearing
    /// reads the file from disk again.
    pub fn set_overlay(&mut self, path: &Path, text: Option<Arc<str>>) {
        let file = self.file(path);
        let cleared = text.is_none();
        if *file.overlay(&self.db) != text {
            file.set_overlay(&mut self.db)
                .with_durability(Durability::LOW)
                .to(text);
        }
        if cleared {
            self.bump(path, file);
        }
    }

    fn has_overlay(&self, path: &Path) -> bool {
        self.files
            .get(path)
            .is_some_and(|f| f.overlay(&self.db).is_some())
    }

    fn bump(&mut self, path: &Path, file: SourceFile) {
        self.revision += 1;
        file.set_revision(&mut self.db)
            .with_durability(Durability::LOW)
            .to(self.revision);
        self.fingerprints.remove(path);
    }

    /// Remembers the fingerprint of the text the database used for `path`
    /// (see [`fingerprint`]), so that a later event that leaves it as it was
    /// (a `touch`, an editor saving twice) re-runs nothing.
    pub fn record_fingerprint(&mut self, path: &Path, fingerprint: u64) {
        self.fingerprints.insert(path.to_path_buf(), fingerprint);
    }

    fn is_python_or_root(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "py" || e == "pyi")
            || self.options.roots.iter().any(|r| r == path)
    }

    fn under_roots(&self, path: &Path) -> bool {
        self.options.roots.iter().any(|r| path.starts_with(r))
    }

    /// Something changed on disk at `path`: a Python file was written,
    /// created or deleted, or a directory appeared, vanished or moved.
    /// Returns whether the project may have changed. New files join at the
    /// next [`sync_members`](Self::sync_members), which discovers them with
    /// the configured rules. Configuration files are
    /// [`reload_config`](Self::reload_config)'s business.
    pub fn disk_changed(&mut self, path: &Path) -> bool {
        if !self.is_python_or_root(path) {
            // A directory: its files come and go with it.
            let has_members = self
                .members
                .range(path.to_path_buf()..)
                .next()
                .is_some_and(|m| m.starts_with(path));
            let new_dir = path.is_dir()
                && self.under_roots(path)
                && self
                    .settings(path)
                    .is_none_or(|s| !s.is_excluded_or_below_excluded(path));
            if has_members || new_dir {
                self.membership_stale = true;
                return true;
            }
            return false;
        }
        let on_disk = path.is_file();
        let mut changed = false;
        if let Some(file) = self.get(path) {
            let same = on_disk
                && self
                    .fingerprints
                    .get(path)
                    .is_some_and(|f| *f == fingerprint(&read_source(path)));
            if !same {
                self.bump(path, file);
                changed = true;
            }
        }
        let exists = on_disk || self.has_overlay(path);
        let member = self.members.contains(path);
        if member && !exists {
            self.members.remove(path);
            self.sync_project();
            changed = true;
        } else if !member && exists && self.under_roots(path) {
            if on_disk {
                self.membership_stale = true;
            } else {
                // An editor buffer not yet saved: discovery cannot see it.
                self.file(path);
                self.members.insert(path.to_path_buf());
                self.sync_project();
            }
            changed = true;
        }
        changed
    }

    /// The next [`sync_members`](Self::sync_members) discovers again (an
    /// ignore file changed).
    pub fn invalidate_members(&mut self) {
        self.membership_stale = true;
    }

    /// Discovers the files below the roots again if files may have appeared
    /// since the last time. Kept as they were:
    /// members with an overlay (open buffers) and members governed by a
    /// broken configuration (they keep their previous settings). Returns the
    /// errors met.
    pub fn sync_members(&mut self) -> Vec<String> {
        if !std::mem::take(&mut self.membership_stale) {
            return Vec::new();
        }
        let discovery = discover_python_files(&self.options.roots, &self.resolver);
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
        let force_exclude = self.options.force_exclude;
        let mut members: BTreeSet<PathBuf> = discovery
            .files
            .into_iter()
            .filter(|path| {
                !force_exclude
                    || self
                        .settings(path)
                        .is_none_or(|s| !s.is_excluded_or_below_excluded(path))
            })
            .collect();
        for path in &self.members {
            let keep = self.has_overlay(path)
                || (self.resolver.settings_for(path).is_err() && path.is_file());
            if keep {
                members.insert(path.clone());
            }
        }
        for path in &members {
            self.file(path);
        }
        self.members = members;
        self.extension_modules = discovery.extension_modules;
        self.sync_project();
        errors
    }

    /// Tells the database which files make up the project and where its
    /// import roots are (the `src` of each file's configuration). While a
    /// member's configuration is broken, the roots stay as they were.
    fn sync_project(&mut self) {
        let files: Vec<SourceFile> = self.members.iter().map(|p| self.files[p]).collect();
        let mut roots: Vec<PathBuf> = Vec::new();
        let mut complete = true;
        for path in &self.members {
            match self.resolver.settings_for(path) {
                Ok(settings) => {
                    for root in &settings.src {
                        if !roots.contains(root) {
                            roots.push(root.clone());
                        }
                    }
                }
                Err(_) => complete = false,
            }
        }
        match self.project {
            None => {
                let project = Project::builder(files, roots)
                    .extension_modules(self.extension_modules.clone())
                    .durability(Durability::MEDIUM)
                    .new(&self.db);
                self.project = Some(project);
            }
            Some(project) => {
                if *project.files(&self.db) != files {
                    project.set_files(&mut self.db).to(files);
                    self.generation += 1;
                }
                if complete && *project.roots(&self.db) != roots {
                    project.set_roots(&mut self.db).to(roots);
                }
                if *project.extension_modules(&self.db) != self.extension_modules {
                    let extension_modules = self.extension_modules.clone();
                    project
                        .set_extension_modules(&mut self.db)
                        .to(extension_modules);
                }
            }
        }
    }

    /// Configuration changed: resolve every file's settings again and update
    /// only those that differ (salsa then re-lints only those files), and
    /// discover the files again (excludes and roots may have changed). A
    /// file whose configuration is now broken keeps its previous settings;
    /// the errors are returned. If the command line's `--config` itself no
    /// longer loads, nothing changes.
    pub fn reload_config(&mut self) -> Vec<String> {
        let resolver = match Resolver::new(self.options.overrides.clone(), self.options.cwd.clone())
        {
            Ok(r) => r,
            Err(e) => return vec![e.to_string()],
        };
        self.resolver = resolver;
        self.resettled.clear();
        let mut errors: Vec<String> = Vec::new();
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
                self.resettled.push(path);
            }
        }
        self.membership_stale = true;
        for error in self.sync_members() {
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
        errors
    }

    /// The files whose settings the last [`reload_config`](Self::reload_config)
    /// changed (they are linted again).
    pub fn settings_changed(&self) -> &[PathBuf] {
        &self.resettled
    }

    /// Roots were added or removed (editor workspace folders).
    pub fn set_roots(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) -> Vec<String> {
        self.options.roots.retain(|r| !removed.contains(r));
        for root in added {
            if !self.options.roots.contains(&root) {
                self.options.roots.push(root);
            }
        }
        self.reload_config()
    }
}

/// Whether a path is a configuration file pitfall reads.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n == pitfall_workspace::PYPROJECT_TOML || n == pitfall_workspace::PITFALL_TOML
    })
}
