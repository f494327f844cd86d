//! Module names and module resolution: which file `import a.b.c` loads.
//!
//! A file's module name comes from the longest import root (`src`) that
//! contains it; a file under no root is named from its package, found by
//! walking up the directories that hold an `__init__.py` (as ruff does).
//! Directories without `__init__.py` are namespace packages.

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

/// Where a file sits in the module namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleName {
    /// `app.services.users`; `app.services` for `app/services/__init__.py`.
    pub name: String,
    /// An `__init__.py`: relative imports start from the package itself.
    pub is_package: bool,
    /// Named relative to an import root (`src`), not from its package alone.
    pub under_root: bool,
}

/// The module name of `path`, given the import roots and the set of
/// directories that hold an `__init__.py`/`__init__.pyi`.
pub fn module_name(
    path: &Path,
    roots: &[PathBuf],
    has_init: &dyn Fn(&Path) -> bool,
) -> Option<ModuleName> {
    let under_root = roots
        .iter()
        .filter(|root| path.starts_with(root))
        .max_by_key(|root| root.components().count())
        .and_then(|root| path.strip_prefix(root).ok());
    let is_under_root = under_root.is_some();
    let relative: &str = match under_root {
        Some(r) => r.to_str()?,
        None => {
            // The package root: the first ancestor without `__init__.py`.
            let mut base = path.parent()?;
            while has_init(base) {
                base = base.parent()?;
            }
            // An ancestor is a prefix of the path's text (no component walk).
            std::str::from_utf8(bytes(path).get(base.as_os_str().len()..)?).ok()?
        }
    };
    // The components, as `Path::components` has them (no empty or `.` parts).
    let mut parts: Vec<&str> = relative
        .split(std::path::is_separator)
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let file = parts.pop()?;
    let stem = file
        .strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))?;
    let is_package = stem == "__init__";
    if !is_package {
        parts.push(stem);
    }
    if parts.is_empty() || !parts.iter().all(|p| is_identifier(p)) {
        return None;
    }
    Some(ModuleName {
        name: parts.join("."),
        is_package,
        under_root: is_under_root,
    })
}

/// A path's text, for hashing and prefix tests.
fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// `path.starts_with(dir)` on the text: `dir` is a prefix ending at a separator.
fn is_below(path: &Path, dir: &Path) -> bool {
    let (path, dir) = (bytes(path), bytes(dir));
    path.strip_prefix(dir).is_some_and(|rest| {
        rest.is_empty()
            || dir.is_empty()
            || rest[0] == b'/'
            || (std::path::MAIN_SEPARATOR != '/' && rest[0] == std::path::MAIN_SEPARATOR as u8)
            || dir.ends_with(b"/")
    })
}

/// The module a compiled extension file provides: `name` for `name.so`,
/// `name.<tag>.so` (CPython's `cpython-311-x86_64-linux-gnu`, `abi3`),
/// `name.pyd` and `name.<tag>.pyd`, where `name` is an identifier.
pub fn extension_module_name(file_name: &str) -> Option<&str> {
    if !(file_name.ends_with(".so") || file_name.ends_with(".pyd")) {
        return None;
    }
    let name = file_name.split('.').next()?;
    is_identifier(name).then_some(name)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The absolute module a relative reference (`..pkg.mod`) names, seen from
/// `from`. `None` when it climbs above the top-level package.
pub fn absolutize(reference: &str, from: &ModuleName) -> Option<String> {
    let dots = reference.bytes().take_while(|b| *b == b'.').count();
    if dots == 0 {
        return Some(reference.to_string());
    }
    let rest = &reference[dots..];
    let mut base: Vec<&str> = from.name.split('.').collect();
    if !from.is_package {
        base.pop();
    }
    for _ in 1..dots {
        base.pop()?;
    }
    if !rest.is_empty() {
        base.push(rest);
    }
    if base.is_empty() {
        return None;
    }
    Some(base.join("."))
}

/// Module name → file (by its index in the project's file list).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleMap {
    /// Per file: its module name, if it has one.
    pub names: Vec<Option<ModuleName>>,
    by_name: FxHashMap<String, u32>,
    /// Every package, including namespace packages (directories of modules).
    packages: FxHashSet<String>,
    /// Names more than one package or module claims (`foo/__init__.py` in
    /// two trees named from their packages): resolved, but not trusted to
    /// be complete.
    ambiguous: FxHashSet<String>,
    /// Every directory that holds a project file, at any depth (as bytes:
    /// hashing a `Path` walks its components).
    dirs: FxHashSet<Box<[u8]>>,
    /// Per file: its directory, for packages (`a/__init__.py` → `a`).
    package_dirs: FxHashMap<u32, PathBuf>,
    /// Per file, interned: its directory, and the directory its last name
    /// is a top-level name in (the parent's parent for an `__init__.py`).
    file_dirs: Vec<(u32, u32)>,
    /// Directories holding `os.py`: a standard library itself (the
    /// landmark CPython looks for to find its own).
    stdlib_dirs: FxHashSet<u32>,
    /// Directories holding an `__init__.py`/`__init__.pyi`: regular packages.
    package_dir_ids: FxHashSet<u32>,
    /// Files that are `.pyi` stubs.
    stub_files: FxHashSet<u32>,
    /// Modules that compiled extensions provide (`native.cpython-311-x86_64-linux-gnu.so`,
    /// `_speedups.pyd`): importable, though no Python file defines them.
    extensions: FxHashSet<String>,
}

impl ModuleMap {
    /// `paths[i]` is file `i`. A package (`a/__init__.py`) wins over a
    /// module of the same name (`a.py`), as in Python; a `.py` over a `.pyi`.
    pub fn new(paths: &[&Path], roots: &[PathBuf]) -> ModuleMap {
        ModuleMap::with_extensions(paths, roots, &[])
    }

    /// [`ModuleMap::new`], knowing the compiled extension modules of the
    /// project's directories too (their paths, as discovery found them).
    pub fn with_extensions(
        paths: &[&Path],
        roots: &[PathBuf],
        extension_paths: &[PathBuf],
    ) -> ModuleMap {
        // Directories are compared by their text: the project's paths are
        // spelled one way (discovery builds them), and their ancestors are
        // prefixes of them.
        let init_dirs: FxHashSet<&[u8]> = paths
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n == "__init__.py" || n == "__init__.pyi")
            })
            .filter_map(|p| p.parent())
            .map(bytes)
            .collect();
        let has_init = |dir: &Path| init_dirs.contains(bytes(dir));
        let mut map = ModuleMap::default();
        for path in paths {
            for dir in path.ancestors().skip(1) {
                if map.dirs.contains(bytes(dir)) {
                    break;
                }
                map.dirs.insert(bytes(dir).into());
            }
        }
        let rank = |path: &Path, m: &ModuleName| {
            let stub = path.extension().is_some_and(|e| e == "pyi");
            (m.is_package, !stub)
        };
        for path in extension_paths {
            // Module `name` of `name.<platform tag>.so` is named as `name.py` would be.
            let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            let Some(stem) = extension_module_name(file) else {
                continue;
            };
            if let Some(m) =
                module_name(&path.with_file_name(format!("{stem}.py")), roots, &has_init)
            {
                map.extensions.insert(m.name);
            }
        }
        for (i, path) in paths.iter().enumerate() {
            if path.extension().is_some_and(|e| e == "pyi") {
                map.stub_files.insert(i as u32);
            }
            let name = module_name(path, roots, &has_init);
            if let Some(m) = &name {
                let mut prefix = m.name.as_str();
                while let Some((parent, _)) = prefix.rsplit_once('.') {
                    if map.packages.contains(parent) {
                        break;
                    }
                    map.packages.insert(parent.to_string());
                    prefix = parent;
                }
                if m.is_package {
                    map.packages.insert(m.name.clone());
                    if let Some(dir) = path.parent() {
                        map.package_dirs.insert(i as u32, dir.to_path_buf());
                    }
                }
                match map.by_name.get(&m.name) {
                    Some(&j) => {
                        let other = map.names[j as usize].as_ref().expect("named");
                        let stub_pair =
                            path.with_extension("") == paths[j as usize].with_extension("");
                        if !stub_pair && other.is_package == m.is_package {
                            map.ambiguous.insert(m.name.clone());
                        }
                        let other = map.names[j as usize].as_ref().expect("named");
                        if rank(path, m) > rank(paths[j as usize], other) {
                            map.by_name.insert(m.name.clone(), i as u32);
                        }
                    }
                    None => {
                        map.by_name.insert(m.name.clone(), i as u32);
                    }
                }
            }
            map.names.push(name);
        }
        let mut interned: FxHashMap<&[u8], u32> = FxHashMap::default();
        for path in paths {
            let dir = path.parent().unwrap_or(Path::new(""));
            let is_init = path.file_stem().is_some_and(|s| s == "__init__");
            let import_dir = if is_init {
                dir.parent().unwrap_or(Path::new(""))
            } else {
                dir
            };
            let mut intern = |d| {
                let next = interned.len() as u32;
                *interned.entry(d).or_insert(next)
            };
            let ids = (intern(bytes(dir)), intern(bytes(import_dir)));
            if path.file_name().is_some_and(|n| n == "os.py") {
                map.stdlib_dirs.insert(ids.0);
            }
            if is_init {
                map.package_dir_ids.insert(ids.0);
            }
            map.file_dirs.push(ids);
        }
        // A regular package with modules outside its directory (portions
        // named from elsewhere) is split: not complete.
        for (path, name) in paths.iter().zip(&map.names) {
            let Some(name) = name else { continue };
            let mut prefix = name.name.as_str();
            while let Some((parent, _)) = prefix.rsplit_once('.') {
                let dir = map
                    .by_name
                    .get(parent)
                    .and_then(|j| map.package_dirs.get(j));
                if dir.is_some_and(|d| !is_below(path, d)) {
                    map.ambiguous.insert(parent.to_string());
                }
                prefix = parent;
            }
        }
        map
    }

    /// The file that `import name` loads, if it is the project's.
    pub fn resolve(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// Whether package file `package` has a directory `name` with project files.
    pub fn has_subdirectory(&self, package: u32, name: &str) -> bool {
        self.package_dirs
            .get(&package)
            .is_some_and(|dir| self.dirs.contains(bytes(&dir.join(name))))
    }

    /// Whether only a `.pyi` stub defines module `name` (a `.py` wins over
    /// a stub of the same name): a description of a module, not the code
    /// an import runs.
    pub fn is_stub_only(&self, name: &str) -> bool {
        self.by_name
            .get(name)
            .is_some_and(|file| self.stub_files.contains(file))
    }

    /// Whether a compiled extension module provides `name`.
    pub fn is_extension(&self, name: &str) -> bool {
        self.extensions.contains(name)
    }

    /// Whether several files claim `name`.
    pub fn is_ambiguous(&self, name: &str) -> bool {
        self.ambiguous.contains(name)
    }

    /// Whether `name` is a project package (regular or namespace).
    pub fn is_package(&self, name: &str) -> bool {
        self.packages.contains(name)
    }

    /// Whether any project module lives under this top-level name.
    pub fn has_top_level(&self, name: &str) -> bool {
        self.by_name.contains_key(name) || self.packages.contains(name)
    }

    /// The file's directory (interned: equal ids, same directory).
    pub fn directory(&self, file: u32) -> Option<u32> {
        self.file_dirs.get(file as usize).map(|d| d.0)
    }

    /// The directory in which the file's last name is a top-level import
    /// name when that directory is on `sys.path`: its own, or for an
    /// `__init__.py` its package's parent.
    pub fn import_directory(&self, file: u32) -> Option<u32> {
        self.file_dirs.get(file as usize).map(|d| d.1)
    }

    /// Whether the directory is a regular package (it holds `__init__.py`).
    pub fn is_package_directory(&self, dir: u32) -> bool {
        self.package_dir_ids.contains(&dir)
    }

    /// Whether the directory is a standard library (it holds `os.py`).
    pub fn is_stdlib_directory(&self, dir: u32) -> bool {
        self.stdlib_dirs.contains(&dir)
    }

    pub fn name(&self, file: u32) -> Option<&ModuleName> {
        self.names.get(file as usize)?.as_ref()
    }

    /// The submodules of a package, by their last name (for suggestions).
    pub fn submodules<'a>(&'a self, package: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.by_name
            .keys()
            .chain(self.packages.iter())
            .filter_map(move |n| n.strip_prefix(package)?.strip_prefix('.'))
            .filter(|rest| !rest.contains('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(path: &str, roots: &[&str], inits: &[&str]) -> Option<(String, bool)> {
        let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
        let has_init = |d: &Path| inits.iter().any(|i| Path::new(i) == d);
        module_name(Path::new(path), &roots, &has_init).map(|m| (m.name, m.is_package))
    }

    #[test]
    fn names_come_from_the_longest_root() {
        assert_eq!(
            name("/p/src/app/users.py", &["/p", "/p/src"], &[]),
            Some(("app.users".into(), false))
        );
        assert_eq!(
            name("/p/app/__init__.py", &["/p"], &[]),
            Some(("app".into(), true))
        );
        assert_eq!(name("/p/my-scripts/x.py", &["/p"], &[]), None);
    }

    #[test]
    fn files_outside_roots_are_named_from_their_package() {
        assert_eq!(
            name("/lib/json/decoder.py", &["/work"], &["/lib/json"]),
            Some(("json.decoder".into(), false))
        );
    }

    #[test]
    fn relative_references() {
        let m = ModuleName {
            name: "app.services.users".into(),
            is_package: false,
            under_root: true,
        };
        assert_eq!(absolutize(".db", &m).as_deref(), Some("app.services.db"));
        assert_eq!(absolutize("..models", &m).as_deref(), Some("app.models"));
        assert_eq!(absolutize(".", &m).as_deref(), Some("app.services"));
        assert_eq!(absolutize("....x", &m), None);
        let p = ModuleName {
            name: "app.services".into(),
            is_package: true,
            under_root: true,
        };
        assert_eq!(
            absolutize(".users", &p).as_deref(),
            Some("app.services.users")
        );
    }

    #[test]
    fn packages_win_and_namespace_packages_are_known() {
        let paths = [
            Path::new("/p/a.py"),
            Path::new("/p/a/__init__.py"),
            Path::new("/p/ns/mod.py"),
        ];
        let map = ModuleMap::new(&paths, &[PathBuf::from("/p")]);
        assert_eq!(map.resolve("a"), Some(1));
        assert_eq!(map.resolve("ns.mod"), Some(2));
        assert!(map.is_package("ns"));
        assert_eq!(map.resolve("ns"), None);
    }
}
