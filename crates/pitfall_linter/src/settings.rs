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
        match self.values.get(&(rule, option_key(rule, option))) {
            Some(OptionValue::StringList(v)) => v,
            _ => &[],
        }
    }

    pub fn bool(&self, rule: RuleId, option: &str) -> bool {
        matches!(
            self.values.get(&(rule, option_key(rule, option))),
            Some(OptionValue::Bool(true))
        )
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

/// A file's module name under its import root (`src`): `pkg.mod` for
/// `<root>/pkg/mod.py`, `pkg` for `<root>/pkg/__init__.py`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModulePath {
    pub name: String,
    /// The file is a package's `__init__`.
    pub is_package: bool,
}

impl ModulePath {
    /// The module name of `relative` (a path below an import root), if every
    /// part is an identifier; `None` for files Python cannot import by name.
    pub fn from_relative(relative: &std::path::Path) -> Option<ModulePath> {
        let mut parts: Vec<&str> = relative.iter().map(|p| p.to_str()).collect::<Option<_>>()?;
        let file = parts.pop()?;
        let stem = file
            .strip_suffix(".py")
            .or_else(|| file.strip_suffix(".pyi"))?;
        let is_package = stem == "__init__";
        if !is_package {
            parts.push(stem);
        }
        let is_identifier = |p: &&str| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        };
        if parts.is_empty() || !parts.iter().all(is_identifier) {
            return None;
        }
        Some(ModulePath {
            name: parts.join("."),
            is_package,
        })
    }
}

/// Settings for linting one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinterSettings {
    /// Rules enabled for this file (after `per-file-ignores`).
    pub rules: RuleSet,
    pub target_version: PythonVersion,
    pub options: Arc<RuleOptions>,
    /// The file's module under the import roots, when it is below one.
    pub module: Option<ModulePath>,
}

impl Default for LinterSettings {
    fn default() -> Self {
        LinterSettings {
            rules: RuleSet::defaults(),
            target_version: PythonVersion::DEFAULT,
            options: Arc::default(),
            module: None,
        }
    }
}
