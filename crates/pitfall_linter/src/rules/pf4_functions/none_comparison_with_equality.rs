//! PF405 `none-comparison-with-equality`: `== None` / `!= None` instead of `is None`.

use pitfall_semantic::Resolved;
use ruff_python_ast::{CmpOp, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{comparison_pairs, last_segment, operator_range};

pub struct NoneComparisonWithEquality;

static META: RuleMeta = rule_meta(
    "PF405",
    "none-comparison-with-equality",
    Family::Functions,
    Tier::Core,
    FixAvailability::Unsafe,
    &["E711", "C0121"],
    "`== None` / `!= None` instead of `is None`.",
);

/// Methods whose arguments are query expressions (SQLAlchemy, Django-like ORMs).
const QUERY_METHODS: &[&str] = &["filter", "filter_by", "where", "having"];

/// Libraries whose objects overload `==` element-wise or into expressions.
const OVERLOADING_LIBRARIES: &[&str] = &["numpy", "pandas", "sqlalchemy", "polars", "torch"];

impl Rule for NoneComparisonWithEquality {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Compare)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Compare(compare) = expr else { return };
        if !compare
            .ops
            .iter()
            .any(|op| matches!(op, CmpOp::Eq | CmpOp::NotEq))
        {
            return;
        }
        for (left, op, right) in comparison_pairs(compare) {
            let (written, replacement) = match op {
                CmpOp::Eq => ("==", "is"),
                CmpOp::NotEq => ("!=", "is not"),
                _ => continue,
            };
            let other = match (left, right) {
                (Expr::NoneLiteral(_), Expr::NoneLiteral(_)) => left,
                (Expr::NoneLiteral(_), other) | (other, Expr::NoneLiteral(_)) => other,
                _ => continue,
            };
            if in_query_arguments(checker) || overloads_equality(checker, other) {
                continue;
            }
            let fix = operator_range(checker.source(), left, right, written).map(|op_range| Fix {
                message: format!("Replace `{written}` with `{replacement}`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: op_range,
                    content: replacement.to_string(),
                }],
            });
            let diagnostic = checker
                .report(
                    format!("Comparison to `None` with `{written}` asks the object's `__eq__`; `None` is a singleton"),
                    TextRange::new(left.start(), right.end()),
                )
                .help(format!("use `{replacement} None`"));
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

/// The comparison is an argument of `query.filter(...)`, `select(...).where(...)`
/// or a call into SQLAlchemy: it builds a query expression, not a boolean.
fn in_query_arguments(checker: &Checker) -> bool {
    checker
        .parents()
        .iter()
        .rev()
        .take_while(|n| matches!(n, Node::Expr(_)))
        .any(|n| match n {
            Node::Expr(Expr::Call(call)) => {
                last_segment(&call.func).is_some_and(|m| QUERY_METHODS.contains(&m))
                    || is_from_overloading_library(checker, &call.func)
            }
            _ => false,
        })
}

/// NumPy/pandas objects (constructor-tracked), and class attributes of
/// project classes with bases (ORM columns of a declarative model).
fn overloads_equality(checker: &Checker, other: &Expr) -> bool {
    if is_from_overloading_library(checker, other) {
        return true;
    }
    match other {
        Expr::Attribute(attr) => matches!(
            checker.resolve(&attr.value),
            Some(Resolved::Class(class)) if !checker.semantic().scope(class).bases.is_empty()
        ),
        Expr::Subscript(sub) => is_from_overloading_library(checker, &sub.value),
        _ => false,
    }
}

fn is_from_overloading_library(checker: &Checker, expr: &Expr) -> bool {
    match checker.resolve(expr) {
        Some(Resolved::Qualified(q)) => {
            let top = q.split(['.', '(']).next().unwrap_or("");
            OVERLOADING_LIBRARIES.contains(&top)
        }
        _ => false,
    }
}
