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

/// Settings for linting one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinterSettings {
    /// Rules enabled for this file (after `per-file-ignores`).
    pub rules: RuleSet,
    pub target_version: PythonVersion,
    pub options: Arc<RuleOptions>,
}

impl Default for LinterSettings {
    fn default() -> Self {
        LinterSettings {
            rules: RuleSet::defaults(),
            target_version: PythonVersion::DEFAULT,
            options: Arc::default(),
        }
    }
}
