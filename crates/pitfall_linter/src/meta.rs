//! Static rule metadata: what a rule is, independent of how it checks.

use serde::Serialize;

/// The hundreds digit of a rule code names its family.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Tool,
    Async,
    Exceptions,
    Scopes,
    Functions,
    Resources,
    Performance,
    Security,
    Logging,
    Design,
}

impl Family {
    pub const ALL: [Family; 10] = [
        Family::Tool,
        Family::Async,
        Family::Exceptions,
        Family::Scopes,
        Family::Functions,
        Family::Resources,
        Family::Performance,
        Family::Security,
        Family::Logging,
        Family::Design,
    ];

    /// The kebab-case name accepted by `--select` and config.
    pub fn name(self) -> &'static str {
        match self {
            Family::Tool => "tool",
            Family::Async => "async",
            Family::Exceptions => "exceptions",
            Family::Scopes => "scopes",
            Family::Functions => "functions",
            Family::Resources => "resources",
            Family::Performance => "performance",
            Family::Security => "security",
            Family::Logging => "logging",
            Family::Design => "design",
        }
    }

    /// The code prefix of the family, e.g. `PF1`.
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Tool => "PF0",
            Family::Async => "PF1",
            Family::Exceptions => "PF2",
            Family::Scopes => "PF3",
            Family::Functions => "PF4",
            Family::Resources => "PF5",
            Family::Performance => "PF6",
            Family::Security => "PF7",
            Family::Logging => "PF8",
            Family::Design => "PF9",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Family::Tool => "pitfall's own diagnostics",
            Family::Async => "Async & concurrency",
            Family::Exceptions => "Exceptions & error handling",
            Family::Scopes => "Scopes & names (LEGB)",
            Family::Functions => "Functions, data & iteration",
            Family::Resources => "Resources & I/O",
            Family::Performance => "Performance",
            Family::Security => "Security",
            Family::Logging => "Logging, configuration & observability",
            Family::Design => "Classes, modules & API design",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// pitfall's own diagnostics (syntax errors, unreadable files).
    Tool,
    Core,
    Extended,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Tool => "tool",
            Tier::Core => "core",
            Tier::Extended => "extended",
        }
    }
}

/// Whether a rule can offer an automatic fix, and how safe it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
    /// Some findings have a fix, others don't.
    Sometimes,
}

impl FixAvailability {
    pub fn name(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe => "unsafe",
            FixAvailability::Sometimes => "sometimes",
        }
    }
}

/// The value type of a per-rule option in `[tool.pitfall.<rule-name>]`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OptionKind {
    StringList,
    Bool,
    /// A non-negative whole number.
    Integer,
    /// A whole-number percentage, 0 to 100 (stored as an `Integer`).
    Percent,
}

#[derive(Copy, Clone, Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub doc: &'static str,
}

/// Everything about a rule that is not its check.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub family: Family,
    pub tier: Tier,
    /// On when the configuration selects nothing explicitly.
    pub default_enabled: bool,
    pub fix: FixAvailability,
    /// Closest codes in ruff, flake8 plugins and pylint.
    pub peers: &'static [&'static str],
    pub summary: &'static str,
    pub options: &'static [OptionSpec],
}
