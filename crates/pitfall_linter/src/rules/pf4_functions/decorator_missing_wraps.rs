//! PF408 `decorator-missing-wraps`: a decorator's wrapper lacks `functools.wraps`.

use pitfall_semantic::{Resolved, ScopeId};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{any_in_body, decorator_wrapper, last_segment};

pub struct DecoratorMissingWraps;

static META: RuleMeta = rule_meta(
    "PF408",
    "decorator-missing-wraps",
    Family::Functions,
    Tier::Core,
    FixAvailability::None,
    &[],
    "A decorator's wrapper lacks `functools.wraps`, losing name, docs and signature.",
);

/// Attributes whose assignment copies the wrapped function's metadata by hand.
const METADATA: &[&str] = &["__wrapped__", "__name__", "__qualname__", "__doc__"];

impl Rule for DecoratorMissingWraps {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        let Some(shape) = decorator_wrapper(def) else {
            return;
        };
        let wrapper = shape.wrapper;
        let Some(scope) = checker.scope_of_node(def.range) else {
            return;
        };
        if wrapper
            .decorator_list
            .iter()
            .any(|d| is_wraps(checker, scope, &d.expression))
            || copies_metadata(&def.body, wrapper.name.id.as_str(), shape.param)
        {
            return;
        }
        let name = &wrapper.name.id;
        let param = shape.param;
        checker
            .report(
                format!("Wrapper `{name}` returned by decorator `{}` does not use `functools.wraps`: the decorated function's `__name__`, `__doc__` and signature are replaced by the wrapper's", def.name.id),
                wrapper.name.range,
            )
            .help(format!("decorate `{name}` with `@functools.wraps({param})`"));
    }
}

/// `@functools.wraps(fn)` under any alias, or a `wraps` re-exported by a
/// project or compatibility module.
fn is_wraps(checker: &Checker, scope: ScopeId, decorator: &Expr) -> bool {
    let callee = match decorator {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    match checker.semantic().resolve_expr(callee, scope) {
        Some(Resolved::Qualified(q)) => {
            q == "functools.wraps" || q.ends_with(".wraps") || q == "wraps"
        }
        _ => last_segment(callee) == Some("wraps"),
    }
}

/// `functools.update_wrapper(wrapper, fn)`, `wraps(fn)(wrapper)`, a helper
/// given both (`_wrap(wrapper, fn)`), or `wrapper.__wrapped__ = fn` (or
/// another metadata attribute) in the decorator's body.
fn copies_metadata(body: &[Stmt], wrapper: &str, param: &str) -> bool {
    let sets_metadata = |stmt: &Stmt| {
        matches!(stmt, Stmt::Assign(a) if a.targets.iter().any(|t| {
            matches!(t, Expr::Attribute(attr)
                if METADATA.contains(&attr.attr.id.as_str())
                    && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == wrapper))
        }))
    };
    let copies = |call: &ast::ExprCall| {
        let callee = match &*call.func {
            Expr::Call(inner) => &*inner.func,
            other => other,
        };
        let mentions = |name: &str| {
            let args = call.arguments.args.iter();
            let outer = match &*call.func {
                Expr::Call(inner) => inner.arguments.args.iter(),
                _ => [].iter(),
            };
            args.chain(outer)
                .any(|a| matches!(a, Expr::Name(n) if n.id.as_str() == name))
        };
        matches!(last_segment(callee), Some("update_wrapper" | "wraps"))
            || mentions(wrapper) && mentions(param)
    };
    any_in_body(body, false, sets_metadata, copies)
}
