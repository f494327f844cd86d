//! The settings one lint run of one file needs, already resolved from config and CLI.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::registry::RuleId;
use crate::selector::RuleSet;

/// A Python version, `(major, minor)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    pub major: u8,
    pub minor: u8,
}

impl PythonVersion {
    pub const DEFAULT: PythonVersion = PythonVersion { major: 3, minor: 9 };

    /// Parses `py39`, `py312`, `3.12`.
    pub fn parse(text: &str) -> Option<PythonVersion> {
        let t = text.trim();
        let (major, minor) = if let Some(rest) = t.strip_prefix("py") {
            let (ma, mi) = rest.split_at(1.min(rest.len()));
            (ma.parse().ok()?, mi.parse().ok()?)
        } else {
            let (ma, mi) = t.split_once('.')?;
            (ma.parse().ok()?, mi.parse().ok()?)
        };
        (major == 3 && (7..=14).contains(&minor)).then_some(PythonVersion { major, minor })
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "py{}{}", self.major, self.minor)
    }
}

/// A per-rule option value from `[tool.pitfall.<rule-name>]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OptionValue {
    StringList(Vec<String>),
    Bool(bool),
    Integer(u64),
}

/// Per-rule options, keyed by rule and option name (see `RuleMeta::options`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    values: FxHashMap<(RuleId, &'static str), OptionValue>,
}

impl RuleOptions {
    pub fn set(&mut self, rule: RuleId, option: &'static str, value: OptionValue) {
        self.values.insert((rule, option), value);
    }

    pub fn string_list(&self, rule: RuleId, option: &str) -> &[String] {
        // Rules ask at every node; most runs configure no option at all.
        if self.values.is_empty() {
            return &[];
        }
        match self.values.get(&(rule, option_key(rule, option))) {
            Some(OptionValue::StringList(v)) => v,
            _ => &[],
        }
    }

    pub fn integer(&self, rule: RuleId, option: &str) -> Option<u64> {
        if self.values.is_empty() {
            return None;
        }
        match self.values.get(&(rule, option_key(rule, option))) {
            Some(OptionValue::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn bool(&self, rule: RuleId, option: &str) -> bool {
        self.bool_or(rule, option, false)
    }

    /// A boolean option whose default, when the configuration omits it, is `default`.
    pub fn bool_or(&self, rule: RuleId, option: &str, default: bool) -> bool {
        if self.values.is_empty() {
            return default;
        }
        match self.values.get(&(rule, option_key(rule, option))) {
            Some(OptionValue::Bool(value)) => *value,
            _ => default,
        }
    }
}

/// Maps an option name to the `&'static str` a rule declared for it.
fn option_key(rule: RuleId, option: &str) -> &'static str {
    rule.meta()
        .options
        .iter()
        .find(|o| o.name == option)
        .map(|o| o.name)
        .unwrap_or("")
}

/// Settings for linting one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinterSettings {
    /// Rules enabled for this file (after `per-file-ignores`).
    pub rules: RuleSet,
    pub target_version: PythonVersion,
    pub options: Arc<RuleOptions>,
    /// The file's module name when it is below an import root, from the
    /// project's naming (`crate::project::module_name`); PF712 reads it.
    pub module: Option<crate::project::ModuleName>,
    /// Where the file sits in its project.
    pub file: FileContext,
}

/// What the front-end knows about where a file sits, decided from its path
/// (and whether its directory is a package), so that rules never touch the
/// file system. Rules ask through [`crate::Checker::file`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileContext {
    /// The file's directory has an `__init__.py`: the file is a module of a package.
    pub in_package: bool,
    /// The path relative to the project root, `/`-separated; empty when
    /// unknown (a snippet), in which case the display path stands in.
    pub project_path: String,
    /// The module is a `[project.scripts]` entry point: a command-line program.
    pub is_script_target: bool,
}

impl FileContext {
    /// A context for a path given as text: a path with a directory part is
    /// taken to be in a package (tests and documentation examples use it).
    pub fn assumed(path: &str) -> FileContext {
        FileContext {
            in_package: path.contains('/'),
            project_path: path.to_string(),
            is_script_target: false,
        }
    }
}

/// The role a file's path gives it, for rules that treat library modules,
/// scripts and tests differently.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FileRole {
    /// `__init__.py` (or `.pyi`).
    pub is_package_init: bool,
    /// `__main__.py`: run with `python -m package`.
    pub is_main_module: bool,
    /// A test module: `test_*.py`, `*_test.py`, `conftest.py`, or under a
    /// `test`/`tests`/`testing` directory.
    pub is_test: bool,
    /// The file name starts with `_` (a private module), dunder files aside.
    pub is_private: bool,
}

impl FileRole {
    /// Reads the role off a `/`- or `\`-separated path.
    pub fn of(path: &str) -> FileRole {
        let file = path.rsplit(['/', '\\']).next().unwrap_or("");
        let stem = file
            .strip_suffix(".pyi")
            .or_else(|| file.strip_suffix(".py"))
            .unwrap_or(file);
        FileRole {
            is_package_init: stem == "__init__",
            is_main_module: stem == "__main__",
            is_test: crate::rules::common::is_test_path(path),
            is_private: stem.starts_with('_') && !stem.starts_with("__"),
        }
    }
}

/// The directory names of a `/`- or `\\`-separated path, innermost first.
pub fn directories(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.rsplit(['/', '\\']).skip(1)
}

impl Default for LinterSettings {
    fn default() -> Self {
        LinterSettings {
            rules: RuleSet::defaults(),
            target_version: PythonVersion::DEFAULT,
            options: Arc::default(),
            module: None,
            file: FileContext::default(),
        }
    }
}
