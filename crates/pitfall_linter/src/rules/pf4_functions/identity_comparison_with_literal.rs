//! PF404 `identity-comparison-with-literal`: `is` against a number, string or container literal.

use pitfall_semantic::Lookup;
use ruff_python_ast::{self as ast, CmpOp, Expr, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{binding_value, comparison_pairs, operator_range};

pub struct IdentityComparisonWithLiteral;

static META: RuleMeta = rule_meta(
    "PF404",
    "identity-comparison-with-literal",
    Family::Functions,
    Tier::Core,
    FixAvailability::Safe,
    &["F632", "R0123"],
    "`is`/`is not` against a number, string or container literal.",
);

impl Rule for IdentityComparisonWithLiteral {
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
            .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot))
        {
            return;
        }
        for (left, op, right) in comparison_pairs(compare) {
            let (keyword, replacement) = match op {
                CmpOp::Is => ("is", "=="),
                CmpOp::IsNot => ("is not", "!="),
                _ => continue,
            };
            let what = literal_kind(left)
                .or_else(|| literal_kind(right))
                .or_else(|| both_literal_locals(checker, left, right));
            let Some(what) = what else { continue };
            let range = TextRange::new(left.start(), right.end());
            let fix = operator_range(checker.source(), left, right, keyword).map(|op_range| Fix {
                message: format!("Replace `{keyword}` with `{replacement}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range: op_range,
                    content: replacement.to_string(),
                }],
            });
            let diagnostic = checker
                .report(
                    format!("`{keyword}` compares identity with a {what}; whether equal values are the same object is a CPython caching detail"),
                    range,
                )
                .help(format!("compare values with `{replacement}`; keep `is` for `None`, `True`, `False` and sentinels"));
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

/// A literal whose identity is not guaranteed: numbers, strings, bytes,
/// f-strings and tuple, list, dict and set displays.
fn literal_kind(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::NumberLiteral(_) => Some("number literal"),
        Expr::UnaryOp(u) if matches!(u.op, UnaryOp::USub | UnaryOp::UAdd) => {
            matches!(&*u.operand, Expr::NumberLiteral(_)).then_some("number literal")
        }
        Expr::StringLiteral(_) | Expr::FString(_) => Some("string literal"),
        Expr::BytesLiteral(_) => Some("bytes literal"),
        Expr::Tuple(_) => Some("tuple display"),
        Expr::List(_) => Some("list display"),
        Expr::Dict(_) => Some("dict display"),
        Expr::Set(_) => Some("set display"),
        _ => None,
    }
}

/// `a = 257; b = 257; a is b`: both are locals bound once, to literals.
fn both_literal_locals(checker: &Checker, left: &Expr, right: &Expr) -> Option<&'static str> {
    let (Expr::Name(a), Expr::Name(b)) = (left, right) else {
        return None;
    };
    let semantic = checker.semantic();
    if !semantic.scope(checker.scope()).kind.is_function_like() {
        return None;
    }
    let literal_local = |name: &ast::ExprName| {
        let symbol = semantic.symbol_in(checker.scope(), &name.id)?;
        if !symbol.is_local() || symbol.binding_count() != 1 {
            return None;
        }
        let Lookup::Binding(b) = semantic.lookup(checker.scope(), &name.id, name.start()) else {
            return None;
        };
        literal_kind(binding_value(checker.module(), semantic.binding(b))?)
    };
    literal_local(a)?;
    literal_local(b).map(|_| "local bound to a literal")
}
