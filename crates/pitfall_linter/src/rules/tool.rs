//! PF0xx: pitfall's own diagnostics. They have no check of their own; the
//! driver reports them (syntax errors, unreadable files, suppressions).

use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::Rule;

macro_rules! tool_rule {
    ($ty:ident, $meta:ident, $code:literal, $name:literal, $default:literal, $summary:literal) => {
        pub struct $ty;
        static $meta: RuleMeta = RuleMeta {
            default_enabled: $default,
            ..rule_meta(
                $code,
                $name,
                Family::Tool,
                Tier::Tool,
                FixAvailability::None,
                &[],
                $summary,
            )
        };
        impl Rule for $ty {
            fn meta(&self) -> &'static RuleMeta {
                &$meta
            }
        }
    };
}

tool_rule!(
    SyntaxError,
    SYNTAX_ERROR,
    "PF001",
    "syntax-error",
    true,
    "The file does not parse; the other rules skip what could not be parsed."
);
tool_rule!(
    UnreadableFile,
    UNREADABLE_FILE,
    "PF002",
    "unreadable-file",
    true,
    "The file could not be read or is not valid UTF-8."
);
tool_rule!(
    TooComplex,
    TOO_COMPLEX,
    "PF003",
    "file-too-complex",
    true,
    "The file is nested too deeply to analyse safely; it was skipped."
);
tool_rule!(
    UnusedSuppression,
    UNUSED_SUPPRESSION,
    "PF004",
    "unused-suppression",
    false,
    "A `# noqa` or `# pitfall: ignore[...]` comment suppresses nothing."
);
