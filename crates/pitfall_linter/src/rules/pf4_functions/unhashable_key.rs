//! PF411 `unhashable-key`: a list, dict or set used as a dict key or set member.

use pitfall_semantic::Resolved;
use ruff_python_ast::{CmpOp, Expr};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{comparison_pairs, container_of, known_container, Container};

pub struct UnhashableKey;

static META: RuleMeta = rule_meta(
    "PF411",
    "unhashable-key",
    Family::Functions,
    Tier::Core,
    FixAvailability::Sometimes,
    &["E1143"],
    "A list, dict or set used as a dict key or set member.",
);

impl Rule for UnhashableKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .expr(ExprKind::Dict)
            .expr(ExprKind::Set)
            .expr(ExprKind::DictComp)
            .expr(ExprKind::SetComp)
            .expr(ExprKind::Subscript)
            .expr(ExprKind::Call)
            .expr(ExprKind::Compare)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        match expr {
            Expr::Dict(dict) => {
                for item in &dict.items {
                    if let Some(key) = &item.key {
                        report(checker, key, "a dict key");
                    }
                }
            }
            Expr::Set(set) => {
                for elt in &set.elts {
                    report(checker, elt, "a set member");
                }
            }
            Expr::DictComp(comp) => {
                if let Some(key) = &comp.key {
                    report(checker, key, "a dict key");
                }
            }
            Expr::SetComp(comp) => report(checker, &comp.elt, "a set member"),
            Expr::Subscript(sub)
                if unhashable(&sub.slice).is_some() && is_dict(checker, &sub.value) =>
            {
                report(checker, &sub.slice, "a dict key");
            }
            Expr::Call(call) => {
                let args = &call.arguments.args;
                let Some(first) = args.first() else { return };
                match &*call.func {
                    Expr::Attribute(attr) => {
                        let role = match attr.attr.id.as_str() {
                            "add" | "discard" | "remove" => Container::Set,
                            "get" | "setdefault" | "pop" => Container::Dict,
                            _ => return,
                        };
                        if unhashable(first).is_none() || !is_container(checker, &attr.value, role)
                        {
                            return;
                        }
                        let what = if role == Container::Set {
                            "a set member"
                        } else {
                            "a dict key"
                        };
                        report(checker, first, what);
                    }
                    Expr::Name(_) => {
                        if !args.iter().any(|a| unhashable(a).is_some())
                            || !is_cached_function(checker, &call.func)
                        {
                            return;
                        }
                        for arg in args.iter() {
                            report(
                                checker,
                                arg,
                                "an argument of a cached function (part of the cache key)",
                            );
                        }
                    }
                    _ => {}
                }
            }
            Expr::Compare(compare) => {
                for (left, op, right) in comparison_pairs(compare) {
                    if !matches!(op, CmpOp::In | CmpOp::NotIn) || unhashable(left).is_none() {
                        continue;
                    }
                    if is_container(checker, right, Container::Set) || is_dict(checker, right) {
                        report(checker, left, "the operand of `in` against a set or dict");
                    }
                }
            }
            _ => {}
        }
    }
}

/// A list, dict or set display or comprehension, or a tuple holding one.
fn unhashable(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        Expr::Tuple(t) => t
            .elts
            .iter()
            .find_map(unhashable)
            .map(|_| "tuple containing an unhashable value"),
        _ => None,
    }
}

fn is_dict(checker: &Checker, expr: &Expr) -> bool {
    is_container(checker, expr, Container::Dict)
}

/// A display or constructor call of that container, or a name bound to one.
fn is_container(checker: &Checker, expr: &Expr, kind: Container) -> bool {
    container_of(checker, expr).or_else(|| known_container(checker, expr)) == Some(kind)
}

/// A function of this file decorated with `functools.lru_cache` or `functools.cache`.
fn is_cached_function(checker: &Checker, func: &Expr) -> bool {
    let Some(Resolved::Function(scope)) = checker.resolve(func) else {
        return false;
    };
    checker.semantic().decorator_names(scope).iter().any(|d| {
        matches!(
            d.as_ref().and_then(Resolved::qualified),
            Some("functools.lru_cache" | "functools.cache")
        )
    })
}

fn report(checker: &mut Checker, expr: &Expr, role: &str) {
    let Some(what) = unhashable(expr) else { return };
    let fix = list_to_tuple(checker, expr);
    let diagnostic = checker
        .report(
            format!(
                "A {what} is unhashable and cannot be {role}: this raises `TypeError` at run time"
            ),
            expr.range(),
        )
        .help("use a tuple (or a frozenset) of hashable values");
    if let Some(fix) = fix {
        diagnostic.fix(fix);
    }
}

/// `[a, b]` → `(a, b)`, `[a]` → `(a,)`.
fn list_to_tuple(checker: &Checker, expr: &Expr) -> Option<Fix> {
    let Expr::List(list) = expr else { return None };
    let one = TextSize::new(1);
    let inner = checker.slice(TextRange::new(
        list.range.start() + one,
        list.range.end() - one,
    ));
    let comma = if list.elts.len() == 1 && !inner.trim_end().ends_with(',') {
        ","
    } else {
        ""
    };
    Some(Fix {
        message: "Use a tuple".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: list.range,
            content: format!("({inner}{comma})"),
        }],
    })
}
