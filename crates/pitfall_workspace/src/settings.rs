//! Resolved settings: a configuration chain (`extend`), defaults and CLI
//! flags folded into what the walker and the linter actually consult.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Candidate, Glob, GlobSet, GlobSetBuilder};
use pitfall_linter::project::{module_name, ModuleName};
use pitfall_linter::{
    FileContext, LinterSettings, PythonVersion, RuleOptions, RuleSelector, RuleSet,
};

use crate::config::{Configuration, FilePattern};
use crate::error::ConfigError;

/// Directories nobody wants linted; replaced by `exclude`, extended by
/// `extend-exclude` (the same list ruff uses).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "venv",
    "site-packages",
];

/// Command-line flags; they apply on top of every configuration found.
#[derive(Clone, Debug, Default)]
pub struct CliOverrides {
    /// `--select`: replaces the configuration's whole selection.
    pub select: Option<Vec<RuleSelector>>,
    /// `--extend-select`: added after the configuration's selection.
    pub extend_select: Vec<RuleSelector>,
    /// `--ignore`: removed after the configuration's selection.
    pub ignore: Vec<RuleSelector>,
    pub target_version: Option<PythonVersion>,
    /// `--exclude`: replaces the configuration's `exclude` (globs relative to the cwd).
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`: added to every configuration's excludes.
    pub extend_exclude: Vec<String>,
    /// `--no-respect-gitignore` gives `Some(false)`.
    pub respect_gitignore: Option<bool>,
    /// `--config FILE`: use this file for every checked path, no discovery.
    pub config_file: Option<PathBuf>,
}

/// Globs matched the way ruff matches them: against the absolute path (the
/// pattern anchored at its configuration's directory) and against the bare
/// file name, so `__init__.py` or `.venv` match at any depth.
#[derive(Clone, Debug)]
pub struct PathMatcher {
    absolute: GlobSet,
    basename: GlobSet,
    /// For each glob in `basename`, the index of its pattern (patterns
    /// containing a `/` cannot match a bare name and are left out).
    basename_patterns: Vec<usize>,
}

impl PathMatcher {
    /// Compiles `patterns`; index `i` of a match is `patterns[i]`.
    pub fn new(patterns: &[FilePattern]) -> Result<PathMatcher, globset::Error> {
        let mut absolute = GlobSetBuilder::new();
        let mut basename = GlobSetBuilder::new();
        let mut basename_patterns = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let pattern = p.pattern.trim_end_matches('/');
            if !pattern.contains('/') {
                basename.add(Glob::new(pattern)?);
                basename_patterns.push(i);
            }
            // `./build` is `build` anchored at the base, never a bare name.
            let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
            let anchored = if Path::new(pattern).is_absolute() {
                pattern.to_string()
            } else {
                // Escape the base so a `[` in a directory name is not a glob.
                let base = globset::escape(&p.base.to_string_lossy());
                format!("{}/{pattern}", base.trim_end_matches('/'))
            };
            absolute.add(Glob::new(&anchored)?);
        }
        Ok(PathMatcher {
            absolute: absolute.build()?,
            basename: basename.build()?,
            basename_patterns,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.absolute.is_empty()
    }

    /// Whether `path` (absolute) itself matches; ancestors are not consulted.
    pub fn is_match(&self, path: &Path) -> bool {
        if self.is_empty() {
            return false;
        }
        if let Some(name) = path.file_name() {
            if self.basename.is_match(name) {
                return true;
            }
        }
        self.absolute.is_match_candidate(&Candidate::new(path))
    }

    /// Indices of every pattern that matches `path`.
    fn matches(&self, path: &Path) -> Vec<usize> {
        let mut hits = self.absolute.matches_candidate(&Candidate::new(path));
        if let Some(name) = path.file_name() {
            hits.extend(
                self.basename
                    .matches(name)
                    .into_iter()
                    .map(|i| self.basename_patterns[i]),
            );
        }
        hits
    }
}

/// `per-file-ignores`, compiled: the rules to turn off for matching files.
#[derive(Clone, Debug)]
pub struct PerFileIgnores {
    matcher: PathMatcher,
    rules: Vec<RuleSet>,
}

impl PerFileIgnores {
    /// The union of the rules ignored for `path`.
    pub fn ignored_for(&self, path: &Path) -> RuleSet {
        let mut set = RuleSet::EMPTY;
        if self.rules.is_empty() {
            return set;
        }
        for i in self.matcher.matches(path) {
            set.union(&self.rules[i]);
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Whether a directory is a package (holds `__init__.py` or `__init__.pyi`),
/// remembered per directory: a run pays at most two `stat`s per directory,
/// not two per file, and none when the `__init__` is among the files a walk
/// just found.
#[derive(Debug, Default)]
pub struct PackageDirs<'a> {
    /// Every directory asked about.
    seen: rustc_hash::FxHashMap<PathBuf, bool>,
    /// Files known to exist, in `Path` order (a walk's findings).
    known: &'a [PathBuf],
}

impl<'a> PackageDirs<'a> {
    /// Answers from `files` (sorted in `Path` order, as
    /// [`Discovery::files`](crate::Discovery::files) is) before asking the
    /// file system: a file found there exists.
    pub fn with_known_files(files: &'a [PathBuf]) -> PackageDirs<'a> {
        PackageDirs {
            known: files,
            ..PackageDirs::default()
        }
    }

    pub fn is_package(&mut self, dir: &Path) -> bool {
        if let Some(answer) = self.seen.get(dir) {
            return *answer;
        }
        let inits = ["__init__.py", "__init__.pyi"].map(|name| dir.join(name));
        let answer = inits.iter().any(|i| self.known.binary_search(i).is_ok())
            || inits.iter().any(|i| i.is_file());
        self.seen.insert(dir.to_path_buf(), answer);
        answer
    }
}

/// Everything needed to walk and lint the files one configuration governs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The configuration's directory, or the cwd when no configuration applies.
    pub root: PathBuf,
    /// The configuration file, if any (the nearest one, not what it extends).
    pub config_path: Option<PathBuf>,
    /// Rules before `per-file-ignores`; use [`Settings::linter_settings_for`].
    pub linter: LinterSettings,
    pub per_file_ignores: PerFileIgnores,
    /// `exclude` (or the defaults) plus every `extend-exclude`.
    pub exclude: PathMatcher,
    pub respect_gitignore: bool,
    /// Import roots, absolute.
    pub src: Vec<PathBuf>,
    /// Modules that are `[project.scripts]` entry points, from the nearest configuration.
    pub script_modules: Vec<String>,
}

impl Settings {
    /// The linter settings for one file: the selection minus its
    /// `per-file-ignores`, and where the file sits (see [`FileContext`]).
    pub fn linter_settings_for(&self, path: &Path) -> LinterSettings {
        self.linter_settings_with(path, &mut PackageDirs::default())
    }

    /// [`Settings::linter_settings_for`], asking `packages` whether the
    /// file's directory is a package: a caller going through many files
    /// of one directory pays one `stat` for them all.
    pub fn linter_settings_with(
        &self,
        path: &Path,
        packages: &mut PackageDirs<'_>,
    ) -> LinterSettings {
        let mut linter = self.linter.clone();
        linter.module = self.module_path(path);
        if !self.per_file_ignores.is_empty() {
            linter
                .rules
                .subtract(&self.per_file_ignores.ignored_for(path));
        }
        linter.file = self.file_context_with(path, packages);
        linter
    }

    /// The module name of `path` (absolute) under the deepest import root
    /// that contains it: with `src = [".", "src"]`, `src/pkg/m.py` is `pkg.m`.
    /// The project's own naming (`pitfall_linter::project::module_name`),
    /// for a path below a root only.
    pub fn module_path(&self, path: &Path) -> Option<ModuleName> {
        module_name(path, &self.src, &|_| false).filter(|m| m.under_root)
    }

    /// Package membership (one `stat`) and the path relative to the project root.
    pub fn file_context(&self, path: &Path) -> FileContext {
        self.file_context_with(path, &mut PackageDirs::default())
    }

    fn file_context_with(&self, path: &Path, packages: &mut PackageDirs<'_>) -> FileContext {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let mut project_path = relative.to_string_lossy().into_owned();
        if std::path::MAIN_SEPARATOR != '/' {
            project_path = project_path.replace(std::path::MAIN_SEPARATOR, "/");
        }
        let is_script_target = !self.script_modules.is_empty()
            && self
                .module_path(path)
                .is_some_and(|m| self.script_modules.contains(&m.name));
        FileContext {
            in_package: packages.is_package(path.parent().unwrap_or(Path::new(""))),
            project_path,
            is_script_target,
        }
    }

    /// Whether the walker should skip `path` (absolute). Only the path itself
    /// is tested, because the walker never descends into an excluded
    /// directory; use [`Settings::is_excluded_or_below_excluded`] for a path
    /// that did not come from a walk (e.g. a file opened in an editor).
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(path)
    }

    /// Whether `path` or one of its ancestors below [`Settings::root`] is excluded.
    pub fn is_excluded_or_below_excluded(&self, path: &Path) -> bool {
        path.ancestors()
            .take_while(|p| p.starts_with(&self.root) && *p != self.root)
            .any(|p| self.is_excluded(p))
    }

    /// Folds a configuration chain (nearest first, then what it extends,
    /// transitively) with the CLI flags. `root` is where an unconfigured run
    /// is anchored; with a chain, the nearest configuration's directory wins.
    pub(crate) fn resolve(
        chain: &[Configuration],
        overrides: &CliOverrides,
        cwd: &Path,
        root: &Path,
    ) -> Result<Settings, ConfigError> {
        let nearest = chain.first();
        let root = nearest.map_or_else(|| root.to_path_buf(), |c| c.dir.clone());
        // The innermost (nearest) value of a replace-style setting wins.
        let pick = |get: &dyn Fn(&Configuration) -> bool| chain.iter().find(|c| get(c));

        // Selections stack like ruff's: the furthest base first, each layer's
        // `select` resetting what came before, the CLI last.
        let mut rules = RuleSet::defaults();
        for config in chain.iter().rev() {
            apply_selection(
                &mut rules,
                config.select.as_deref(),
                &config.extend_select,
                &config.ignore,
            );
        }
        apply_selection(
            &mut rules,
            overrides.select.as_deref(),
            &overrides.extend_select,
            &overrides.ignore,
        );

        let target_version = overrides
            .target_version
            .or_else(|| chain.iter().find_map(|c| c.target_version))
            .unwrap_or(PythonVersion::DEFAULT);

        let mut options = RuleOptions::default();
        for config in chain.iter().rev() {
            for (rule, name, value) in &config.rule_options {
                options.set(*rule, name, value.clone());
            }
        }

        let cli_patterns = |patterns: &[String]| -> Vec<FilePattern> {
            patterns
                .iter()
                .map(|p| FilePattern {
                    pattern: p.clone(),
                    base: cwd.to_path_buf(),
                })
                .collect()
        };
        let mut exclude = match (&overrides.exclude, pick(&|c| c.exclude.is_some())) {
            (Some(cli), _) => cli_patterns(cli),
            (None, Some(config)) => config.exclude.clone().unwrap_or_default(),
            (None, None) => DEFAULT_EXCLUDES
                .iter()
                .map(|p| FilePattern {
                    pattern: (*p).to_string(),
                    base: root.clone(),
                })
                .collect(),
        };
        for config in chain.iter().rev() {
            exclude.extend(config.extend_exclude.iter().cloned());
        }
        exclude.extend(cli_patterns(&overrides.extend_exclude));
        let exclude = PathMatcher::new(&exclude).map_err(|e| glob_error(nearest, &e))?;

        let per_file = pick(&|c| c.per_file_ignores.is_some())
            .and_then(|c| c.per_file_ignores.clone())
            .unwrap_or_default();
        let patterns: Vec<FilePattern> = per_file.iter().map(|(p, _)| p.clone()).collect();
        let per_file_ignores = PerFileIgnores {
            matcher: PathMatcher::new(&patterns).map_err(|e| glob_error(nearest, &e))?,
            rules: per_file
                .iter()
                .map(|(_, selectors)| {
                    let mut set = RuleSet::EMPTY;
                    for s in selectors {
                        set.union(&s.rules());
                    }
                    set
                })
                .collect(),
        };

        let respect_gitignore = overrides
            .respect_gitignore
            .or_else(|| chain.iter().find_map(|c| c.respect_gitignore))
            .unwrap_or(true);

        let src = match pick(&|c| c.src.is_some()).and_then(|c| c.src.clone()) {
            Some(src) => src,
            None => {
                let mut src = vec![root.clone()];
                let nested = root.join("src");
                if nested.is_dir() {
                    src.push(nested);
                }
                src
            }
        };

        Ok(Settings {
            config_path: nearest.map(|c| c.path.clone()),
            root,
            linter: LinterSettings {
                rules,
                target_version,
                options: Arc::new(options),
                module: None,
                file: FileContext::default(),
            },
            per_file_ignores,
            exclude,
            respect_gitignore,
            src,
            script_modules: chain
                .iter()
                .find(|c| !c.script_modules.is_empty())
                .map(|c| c.script_modules.clone())
                .unwrap_or_default(),
        })
    }
}

/// One layer of selection: `select` replaces, `extend-select` adds, `ignore` removes.
fn apply_selection(
    rules: &mut RuleSet,
    select: Option<&[RuleSelector]>,
    extend_select: &[RuleSelector],
    ignore: &[RuleSelector],
) {
    if let Some(select) = select {
        *rules = RuleSet::EMPTY;
        for s in select {
            rules.union(&s.rules());
        }
    }
    for s in extend_select {
        rules.union(&s.rules());
    }
    for s in ignore {
        rules.subtract(&s.rules());
    }
}

/// Configuration globs are validated while parsing and CLI globs by
/// `Resolver::new`, so this is a backstop that still names the file.
fn glob_error(nearest: Option<&Configuration>, e: &globset::Error) -> ConfigError {
    match nearest {
        Some(c) => ConfigError::new(&c.path, None, e.to_string()),
        None => ConfigError::cli(e.to_string()),
    }
}
