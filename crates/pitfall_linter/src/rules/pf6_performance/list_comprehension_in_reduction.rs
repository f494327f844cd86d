//! PF603 `list-comprehension-in-reduction`: `sum/min/max/any/all([...])` instead of a generator.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::is_builtin;

pub struct ListComprehensionInReduction;

static META: RuleMeta = rule_meta(
    "PF603",
    "list-comprehension-in-reduction",
    Family::Performance,
    Tier::Core,
    FixAvailability::Sometimes,
    &["C419", "R1729", "R1728"],
    "`sum/min/max/any/all([...])` instead of a generator expression.",
);

impl Rule for ListComprehensionInReduction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["sum", "min", "max", "any", "all"]])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Expr::Name(func) = &*call.func else {
            return;
        };
        let name = func.id.as_str();
        if !matches!(name, "sum" | "min" | "max" | "any" | "all") {
            return;
        }
        let args = &call.arguments;
        let positional = args.args.len();
        if !(positional == 1 || name == "sum" && positional == 2)
            || args.args.iter().any(|a| matches!(a, Expr::Starred(_)))
        {
            return;
        }
        let comprehension = &args.args[0];
        let (kind, is_async) = match comprehension {
            Expr::ListComp(c) => ("list", c.generators.iter().any(|g| g.is_async)),
            Expr::SetComp(c) => ("set", c.generators.iter().any(|g| g.is_async)),
            _ => return,
        };
        if is_async || !is_builtin(checker, &call.func, name) {
            return;
        }
        let fix = generator_fix(checker, call.arguments.len(), comprehension, name, kind);
        let diagnostic = checker
            .report(
                format!("`{name}()` over a {kind} comprehension builds the whole {kind} first"),
                comprehension.range(),
            )
            .help(if matches!(name, "any" | "all") {
                "pass a generator expression: it needs no list and stops at the first decisive item"
            } else {
                "pass a generator expression: it feeds the reduction one item at a time"
            });
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
    }
}

/// Drops the brackets (`sum(x for x in xs)`), or turns them into parentheses
/// when other arguments follow (`sum((x for x in xs), 0)`).
fn generator_fix(
    checker: &Checker,
    argument_count: usize,
    comprehension: &Expr,
    name: &str,
    kind: &str,
) -> Option<Fix> {
    // Dropping a set comprehension's braces in `sum` would add duplicates.
    if kind == "set" && name == "sum" {
        return None;
    }
    let range = comprehension.range();
    let one = TextSize::new(1);
    let inner = checker.slice(TextRange::new(range.start() + one, range.end() - one));
    let content = if argument_count == 1 {
        inner.to_string()
    } else {
        format!("({inner})")
    };
    let applicability = if matches!(name, "any" | "all") {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Some(Fix {
        message: "Use a generator expression".to_string(),
        applicability,
        edits: vec![Edit { range, content }],
    })
}
