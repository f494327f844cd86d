//! Finding the Python files to check: a parallel walk that prunes excluded
//! and gitignored directories using the settings of the directory walked.

use std::io;
use std::mem;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use pitfall_linter::project::extension_module_name;

use crate::error::ConfigError;
use crate::resolver::Resolver;
use crate::settings::Settings;

/// A path that could not be checked: missing, or an unreadable directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveryError {
    pub path: PathBuf,
    pub message: String,
}

/// What a walk found. Errors do not stop it: the rest is still checked.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// Absolute, normalized, sorted and deduplicated.
    pub files: Vec<PathBuf>,
    pub errors: Vec<DiscoveryError>,
    /// Broken configuration files met on the way (each once); nothing they
    /// govern is in `files`.
    pub config_errors: Vec<ConfigError>,
    /// Compiled extension modules (`*.so`, `*.pyd`) met on the way, not
    /// excluded: not checked, but modules that imports may name.
    pub extension_modules: Vec<PathBuf>,
}

impl Discovery {
    fn merge(&mut self, other: Discovery) {
        self.files.extend(other.files);
        self.errors.extend(other.errors);
        self.extension_modules.extend(other.extension_modules);
        self.config_errors.extend(other.config_errors);
    }
}

/// The Python files (`*.py`, `*.pyi`) under `paths`.
///
/// A file named in `paths` is always included, whatever its extension and
/// even if excluded (ruff's default, without `force-exclude`). Directories
/// are walked in parallel; within them `exclude`/`extend-exclude` and, when
/// `respect-gitignore` holds, `.gitignore`/`.ignore`/git excludes prune
/// whole subtrees (even outside a git repository).
pub fn discover_python_files(paths: &[PathBuf], resolver: &Resolver) -> Discovery {
    let mut found = Discovery::default();
    // `respect-gitignore` is a property of the walker, not of an entry, so
    // roots are grouped by the value their own settings give it.
    let mut roots: [Vec<PathBuf>; 2] = Default::default();
    for path in paths {
        let absolute = resolver.absolute(path);
        match std::fs::metadata(&absolute) {
            Err(e) => found.errors.push(DiscoveryError {
                path: path.clone(),
                message: io_message(&e),
            }),
            Ok(meta) if meta.is_dir() => match resolver.settings_for_dir(&absolute) {
                Ok(settings) => roots[usize::from(settings.respect_gitignore)].push(absolute),
                Err(e) => found.config_errors.push(e),
            },
            Ok(_) => match resolver.settings_for(&absolute) {
                Ok(_) => found.files.push(absolute),
                Err(e) => found.config_errors.push(e),
            },
        }
    }
    for (respect_gitignore, roots) in [false, true].into_iter().zip(roots) {
        if !roots.is_empty() {
            found.merge(walk(&roots, respect_gitignore, resolver));
        }
    }
    sort_paths(&mut found.files);
    found.files.dedup();
    sort_paths(&mut found.extension_modules);
    found.extension_modules.dedup();
    found.errors.sort_by(|a, b| a.path.cmp(&b.path));
    let mut unique: Vec<ConfigError> = Vec::with_capacity(found.config_errors.len());
    for e in found.config_errors.drain(..) {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    found.config_errors = unique;
    found
}

fn walk(roots: &[PathBuf], respect_gitignore: bool, resolver: &Resolver) -> Discovery {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        .standard_filters(respect_gitignore)
        // Hidden directories are pruned by the default excludes instead,
        // like ruff: `.github/scripts/*.py` is still checked.
        .hidden(false)
        .require_git(false);
    let sink = Mutex::new(Discovery::default());
    let mut visitors = Visitors {
        resolver,
        sink: &sink,
    };
    builder.build_parallel().visit(&mut visitors);
    sink.into_inner().unwrap_or_else(|e| e.into_inner())
}

struct Visitors<'a> {
    resolver: &'a Resolver,
    sink: &'a Mutex<Discovery>,
}

impl<'a> ParallelVisitorBuilder<'a> for Visitors<'a> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 'a> {
        Box::new(Visitor {
            resolver: self.resolver,
            sink: self.sink,
            found: Discovery::default(),
            last_dir: None,
        })
    }
}

/// One walker thread: collects locally, hands its findings over when dropped.
struct Visitor<'a> {
    resolver: &'a Resolver,
    sink: &'a Mutex<Discovery>,
    found: Discovery,
    /// Siblings tend to arrive together; remembering the last parent's
    /// settings skips the resolver's lock and hash for most entries.
    last_dir: Option<(PathBuf, Arc<Settings>)>,
}

impl Visitor<'_> {
    fn settings_for_dir(&mut self, dir: &Path) -> Option<Arc<Settings>> {
        if let Some((last, settings)) = &self.last_dir {
            if last == dir {
                return Some(settings.clone());
            }
        }
        match self.resolver.settings_for_dir(dir) {
            Ok(settings) => {
                self.last_dir = Some((dir.to_path_buf(), settings.clone()));
                Some(settings)
            }
            Err(e) => {
                self.found.config_errors.push(e);
                None
            }
        }
    }

    fn visit_entry(&mut self, entry: &DirEntry) -> WalkState {
        // Roots were resolved before the walk, and are never excluded.
        if entry.depth() == 0 {
            return WalkState::Continue;
        }
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            return WalkState::Continue;
        };
        // Not a directory nor a Python file (`__pycache__/*.pyc`, data
        // files: most entries): nothing to decide, not even exclusion.
        let extension = !file_type.is_dir() && is_extension_module(path);
        if !file_type.is_dir() && !is_python(path) && !extension {
            return WalkState::Continue;
        }
        let Some(parent) = path.parent() else {
            return WalkState::Continue;
        };
        let Some(settings) = self.settings_for_dir(parent) else {
            return WalkState::Skip;
        };
        if settings.is_excluded(path) {
            return WalkState::Skip;
        }
        if file_type.is_dir() {
            // Resolve the directory's own configuration before descending,
            // so a broken one is reported here and its subtree skipped.
            return match self.resolver.settings_for_dir(path) {
                Ok(_) => WalkState::Continue,
                Err(e) => {
                    self.found.config_errors.push(e);
                    WalkState::Skip
                }
            };
        }
        if extension {
            self.found.extension_modules.push(path.to_path_buf());
        } else if is_python(path)
            && (file_type.is_file() || (file_type.is_symlink() && path.is_file()))
        {
            self.found.files.push(path.to_path_buf());
        }
        WalkState::Continue
    }

    fn error(&mut self, err: &ignore::Error) {
        let mut path = None;
        let mut err = err;
        loop {
            match err {
                ignore::Error::WithPath {
                    path: p,
                    err: inner,
                } => {
                    path.get_or_insert_with(|| p.clone());
                    err = inner;
                }
                ignore::Error::WithDepth { err: inner, .. } => err = inner,
                ignore::Error::Io(e) => {
                    self.push_error(path, io_message(e));
                    return;
                }
                ignore::Error::Loop { child, .. } => {
                    let message = "file system loop (symlink to an ancestor)".to_string();
                    self.push_error(Some(child.clone()), message);
                    return;
                }
                // Malformed ignore files are the user's business, not a reason to fail.
                _ => return,
            }
        }
    }

    fn push_error(&mut self, path: Option<PathBuf>, message: String) {
        self.found.errors.push(DiscoveryError {
            path: path.unwrap_or_default(),
            message,
        });
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.visit_entry(&entry),
            Err(err) => {
                self.error(&err);
                WalkState::Continue
            }
        }
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let found = mem::take(&mut self.found);
        self.sink
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(found);
    }
}

/// Sorts normalized paths in `Path`'s order (component by component),
/// comparing bytes with the separator below every other byte: the same
/// order for paths without `.` components or repeated separators, without
/// splitting each path into components at every comparison.
fn sort_paths(paths: &mut [PathBuf]) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let key = |b: u8| if b == b'/' { 0 } else { u16::from(b) + 1 };
        paths.sort_unstable_by(|a, b| {
            let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
            let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            match (a.get(common), b.get(common)) {
                (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
                (x, y) => x.is_some().cmp(&y.is_some()),
            }
        });
    }
    #[cfg(not(unix))]
    paths.sort_unstable();
}

fn is_python(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi")
}

/// A compiled extension module (see [`extension_module_name`]).
fn is_extension_module(path: &Path) -> bool {
    path.file_name()
        .and_then(|f| f.to_str())
        .and_then(extension_module_name)
        .is_some()
}

/// `Permission denied`, without std's ` (os error 13)` suffix.
fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_modules_by_name() {
        for name in [
            "native.cpython-311-x86_64-linux-gnu.so",
            "_speedups.abi3.so",
            "fast.so",
            "core.cp311-win_amd64.pyd",
            "core.pyd",
        ] {
            assert!(is_extension_module(Path::new(name)), "{name}");
        }
        for name in [
            "libfoo.so.1",
            "3d.so",
            "my-lib.so",
            "notes.txt",
            "mod.py",
            ".so",
        ] {
            assert!(!is_extension_module(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn sorts_paths_in_component_order() {
        let mut paths: Vec<PathBuf> = [
            "/a/b.py",
            "/a-b/c.py",
            "/a/b/c.py",
            "/a.py",
            "/ab/c.py",
            "/a/b-c.py",
            "/a/\u{e9}.py",
            "/a/z.py",
            "/a",
            "/",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut expected = paths.clone();
        expected.sort_unstable();
        sort_paths(&mut paths);
        assert_eq!(paths, expected);
    }
}
