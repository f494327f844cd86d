//! Which settings govern which path: upward discovery with a per-directory
//! cache, shared by the parallel walker and the lint workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;

use crate::config::Configuration;
use crate::error::ConfigError;
use crate::paths::{is_normal, normalize};
use crate::settings::{CliOverrides, Settings};

type Resolved = Result<Arc<Settings>, ConfigError>;

/// Finds and caches the [`Settings`] for each directory.
///
/// Every directory is looked at once: the answer for a directory (a config
/// file there, or else its parent's answer) is cached, including errors, so a
/// 2,000-file tree costs a couple of `stat`s per directory, not a walk up the
/// filesystem per file. Thread-safe; share it by reference across rayon or
/// walker threads.
pub struct Resolver {
    overrides: CliOverrides,
    cwd: PathBuf,
    /// From `--config`: governs every path, discovery is off.
    fixed: Option<Arc<Settings>>,
    /// Where no configuration file is found: defaults rooted at the cwd.
    default: Arc<Settings>,
    dirs: RwLock<FxHashMap<PathBuf, Resolved>>,
}

impl Resolver {
    /// Loads `--config` now, so its errors surface before any file is read,
    /// and checks the CLI's exclude globs.
    pub fn new(overrides: CliOverrides, cwd: PathBuf) -> Result<Resolver, ConfigError> {
        let cwd = if cwd.is_absolute() {
            normalize(&cwd, &cwd)
        } else {
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
            normalize(&cwd, &here)
        };
        for (flag, patterns) in [
            (
                "--exclude",
                overrides.exclude.as_deref().unwrap_or_default(),
            ),
            ("--extend-exclude", overrides.extend_exclude.as_slice()),
        ] {
            for p in patterns {
                if let Err(e) = globset::Glob::new(p) {
                    return Err(ConfigError::cli(format!(
                        "invalid glob `{p}` for `{flag}`: {}",
                        e.kind()
                    )));
                }
            }
        }
        let default = Arc::new(Settings::resolve(&[], &overrides, &cwd, &cwd)?);
        let mut resolver = Resolver {
            overrides,
            cwd,
            fixed: None,
            default,
            dirs: RwLock::default(),
        };
        if let Some(file) = &resolver.overrides.config_file {
            let path = normalize(file, &resolver.cwd);
            if !path.is_file() {
                return Err(ConfigError::new(
                    &path,
                    None,
                    "configuration file not found",
                ));
            }
            let config = Configuration::load(&path)?.unwrap_or_else(|| Configuration::empty(&path));
            resolver.fixed = Some(resolver.settings_from(config)?);
        }
        Ok(resolver)
    }

    /// The directory relative paths are resolved against.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    pub fn overrides(&self) -> &CliOverrides {
        &self.overrides
    }

    /// `path` made absolute against the resolver's cwd, lexically normalized.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(path, &self.cwd)
    }

    /// The settings that govern the file `path`: those of its directory.
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        // Discovered paths are normal already: no copy for them.
        let owned;
        let path = if is_normal(path) {
            path
        } else {
            owned = self.absolute(path);
            &owned
        };
        match path.parent() {
            Some(dir) => self.settings_for_dir(dir),
            None => self.settings_for_dir(path),
        }
    }

    /// The settings that govern the contents of `dir`: the nearest
    /// configuration in `dir` or above it.
    pub fn settings_for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        // The walker hands us absolute, clean paths: try them as they are
        // before paying for normalization.
        if dir.is_absolute() {
            if let Some(hit) = self.cached(dir) {
                return hit;
            }
        }
        let dir = self.absolute(dir);
        let mut pending: Vec<&Path> = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(hit) = self.cached(ancestor) {
                found = Some(hit);
                break;
            }
            pending.push(ancestor);
            match Configuration::find_in_dir(ancestor) {
                Ok(Some(config)) => {
                    found = Some(self.settings_from(config));
                    break;
                }
                Ok(None) => {}
                Err(e) => {
                    found = Some(Err(e));
                    break;
                }
            }
        }
        let found = found.unwrap_or_else(|| Ok(self.default.clone()));
        // Compute outside the lock, insert-if-absent inside: if two threads
        // raced on a directory, both return the first answer stored.
        let mut dirs = self.dirs.write().unwrap_or_else(|e| e.into_inner());
        for p in pending.iter().rev() {
            dirs.entry(p.to_path_buf()).or_insert_with(|| found.clone());
        }
        dirs.get(dir.as_path()).cloned().unwrap_or(found)
    }

    fn cached(&self, dir: &Path) -> Option<Resolved> {
        let dirs = self.dirs.read().unwrap_or_else(|e| e.into_inner());
        dirs.get(dir).cloned()
    }

    /// Follows `extend` from `config` and folds the chain with the CLI flags.
    fn settings_from(&self, config: Configuration) -> Resolved {
        let chain = load_extends(config)?;
        Settings::resolve(&chain, &self.overrides, &self.cwd, &self.cwd).map(Arc::new)
    }
}

/// `config` followed by what it extends, transitively; a cycle is an error
/// at the `extend` that closes it.
fn load_extends(config: Configuration) -> Result<Vec<Configuration>, ConfigError> {
    let identity = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut seen = vec![identity(&config.path)];
    let mut chain = vec![config];
    loop {
        let current = chain.last().expect("chain starts non-empty");
        let Some(extend) = current.extend.clone() else {
            return Ok(chain);
        };
        let at = |message: String| ConfigError::new(&current.path, extend.location, message);
        if !extend.path.is_file() {
            return Err(at(format!(
                "`extend` points to `{}`, which is not a file",
                extend.path.display()
            )));
        }
        let target = identity(&extend.path);
        if seen.contains(&target) {
            let mut cycle: Vec<String> =
                chain.iter().map(|c| c.path.display().to_string()).collect();
            cycle.push(extend.path.display().to_string());
            return Err(at(format!("`extend` cycle: {}", cycle.join(" -> "))));
        }
        seen.push(target);
        let next = Configuration::load(&extend.path)?
            .unwrap_or_else(|| Configuration::empty(&extend.path));
        chain.push(next);
    }
}
