//! PF409 `type-comparison`: `type(x) == C` instead of `isinstance`.

use pitfall_semantic::{Lookup, Resolved};
use ruff_python_ast::{self as ast, CmpOp, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{comparison_pairs, is_builtin};

pub struct TypeComparison;

static META: RuleMeta = rule_meta(
    "PF409",
    "type-comparison",
    Family::Functions,
    Tier::Core,
    FixAvailability::Sometimes,
    &["E721", "C0123"],
    "`type(x) == C` instead of `isinstance`.",
);

impl Rule for TypeComparison {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Compare)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Compare(compare) = expr else { return };
        for (left, op, right) in comparison_pairs(compare) {
            let negated = match op {
                CmpOp::Eq => false,
                CmpOp::NotEq => true,
                _ => continue,
            };
            let (call, other) = match (type_call(checker, left), type_call(checker, right)) {
                (Some(call), _) => (call, right),
                (None, Some(call)) => (call, left),
                (None, None) => continue,
            };
            let other_is_type_call = type_call(checker, other).is_some();
            if !other_is_type_call && !is_class_reference(checker, other) {
                continue;
            }
            let written = if negated { "!=" } else { "==" };
            let range = TextRange::new(left.start(), right.end());
            let subject = checker.slice(call.arguments.args[0].range());
            let class = checker.slice(other.range());
            let replacement = format!(
                "{}isinstance({subject}, {class})",
                if negated { "not " } else { "" }
            );
            let fix = (!other_is_type_call && compare.ops.len() == 1).then(|| Fix {
                message: format!("Replace with `{replacement}`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: compare.range,
                    content: replacement.clone(),
                }],
            });
            let diagnostic = checker
                .report(
                    format!("`type(...) {written} ...` matches only the exact class; instances of subclasses fail the check"),
                    range,
                )
                .help(if other_is_type_call {
                    "use `isinstance()`, or `type(a) is type(b)` for a deliberate exact-type check".to_string()
                } else {
                    format!("use `{replacement}`, or `is` for a deliberate exact-type check")
                });
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

/// `type(x)`: the builtin (not shadowed), one positional argument.
fn type_call<'e>(checker: &Checker, expr: &'e Expr) -> Option<&'e ast::ExprCall> {
    let Expr::Call(call) = expr else { return None };
    (call.arguments.args.len() == 1
        && call.arguments.keywords.is_empty()
        && !matches!(call.arguments.args[0], Expr::Starred(_))
        && is_builtin(checker, &call.func, "type"))
    .then_some(call)
}

/// A class in this file, a builtin type, an imported name (not a call's
/// result, not a function of this file), or an unbound CamelCase name.
fn is_class_reference(checker: &Checker, expr: &Expr) -> bool {
    if !matches!(expr, Expr::Name(_) | Expr::Attribute(_)) {
        return false;
    }
    match checker.resolve(expr) {
        Some(Resolved::Class(_)) => true,
        Some(Resolved::Qualified(q)) => match q.strip_prefix("builtins.") {
            Some(name) => is_builtin_class(name),
            None => !q.contains("()"),
        },
        Some(_) => false,
        // Defined elsewhere (a star import, a name injected at run time):
        // a CamelCase name is a class by convention.
        None => matches!(expr, Expr::Name(n)
            if n.id.starts_with(|c: char| c.is_ascii_uppercase())
                && checker.semantic().lookup(checker.scope(), &n.id, n.start()) == Lookup::Unbound),
    }
}

fn is_builtin_class(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        || matches!(
            name,
            "int"
                | "float"
                | "complex"
                | "bool"
                | "str"
                | "bytes"
                | "bytearray"
                | "list"
                | "tuple"
                | "dict"
                | "set"
                | "frozenset"
                | "object"
                | "type"
                | "range"
                | "memoryview"
                | "slice"
                | "property"
                | "classmethod"
                | "staticmethod"
                | "super"
                | "enumerate"
                | "zip"
                | "map"
                | "filter"
                | "reversed"
        )
}
