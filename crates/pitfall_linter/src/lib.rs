//! pitfall's rules and the machinery that runs them over one file.

pub mod blocking;
pub mod checker;
pub mod diagnostic;
pub mod fix;
pub mod meta;
pub mod pipeline;
pub mod project;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod selector;
pub mod settings;
pub mod sized;
pub mod summary;
pub mod suppression;

pub use checker::{lint, lint_counting, Checker, LintInput, Node};
pub use diagnostic::{Applicability, Diagnostic, DocCoverage, Edit, Fix, Related};
pub use fix::{apply_fixes, fix_until_stable, FixFailure, FixOutcome, UnsafeFixes};
pub use meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
pub use registry::{all_rules, RuleId};
pub use rule::{ExprKind, Interests, Rule, StmtKind};
pub use selector::{resolve_rule_set, RuleSelector, RuleSet};
pub use settings::{
    FileContext, FileRole, LinterSettings, OptionValue, PythonVersion, RuleOptions,
};
