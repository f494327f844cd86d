//! PF206 `retry-swallows-final-error`: a retry loop that never re-raises, so
//! the function returns `None` after the last failed attempt.

use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{any_nested_stmt, contains_raise};

pub struct RetrySwallowsFinalError;

static META: RuleMeta = rule_meta(
    "PF206",
    "retry-swallows-final-error",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::None,
    &[],
    "A retry loop that never re-raises returns `None` after the last failure.",
);

impl Rule for RetrySwallowsFinalError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::For).stmt(StmtKind::While)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let (body, orelse) = match stmt {
            Stmt::For(f) if !f.is_async && is_range_call(checker, &f.iter) => (&f.body, &f.orelse),
            Stmt::While(w) if counter_driven(&w.test, &w.body) => (&w.body, &w.orelse),
            _ => return,
        };
        // The loop is a statement of the function's own body.
        let Some(Node::Stmt(Stmt::FunctionDef(def))) = checker.parent() else {
            return;
        };
        let Some(try_) = body.iter().find_map(|s| match s {
            Stmt::Try(t) if !t.handlers.is_empty() && succeeds_by_leaving(t) => Some(t),
            _ => None,
        }) else {
            return;
        };
        // A raise anywhere in the loop (say `if attempt == last: raise`), or
        // a handler that returns a fallback, gives the last failure an outcome.
        let handler_returns = try_.handlers.iter().any(|h| {
            let ExceptHandler::ExceptHandler(h) = h;
            contains_return(&h.body)
        });
        if handler_returns
            || contains_raise(body)
            || contains_raise(orelse)
            || contains_return(orelse)
        {
            return;
        }
        let Some(position) = def.body.iter().position(|s| s.range() == stmt.range()) else {
            return;
        };
        if !falls_off_end(&def.body[position + 1..]) {
            return;
        }
        let head = TextRange::at(
            stmt.start(),
            ruff_text_size::TextSize::of(if matches!(stmt, Stmt::For(_)) {
                "for"
            } else {
                "while"
            }),
        );
        checker
            .report(
                format!(
                    "Retry loop in `{}` never re-raises: after the last failed attempt the function returns `None`",
                    def.name
                ),
                head,
            )
            .help("re-raise on the final attempt (`if attempt == attempts - 1: raise`), or raise after the loop");
    }
}

fn is_range_call(checker: &Checker, iter: &Expr) -> bool {
    let Expr::Call(call) = iter else { return false };
    matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "range")
        && checker.qualified_name(&call.func).as_deref() == Some("builtins.range")
}

/// `while attempt < n:` where the body steps `attempt` (`attempt += 1`).
fn counter_driven(test: &Expr, body: &[Stmt]) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let names: Vec<&str> = std::iter::once(&*cmp.left)
        .chain(cmp.comparators.iter())
        .filter_map(|e| match e {
            Expr::Name(n) => Some(n.id.as_str()),
            _ => None,
        })
        .collect();
    !names.is_empty()
        && any_nested_stmt(
            body,
            &mut |s| matches!(s, Stmt::AugAssign(a) if matches!(&*a.target, Expr::Name(n) if names.contains(&n.id.as_str()))),
        )
}

/// The `try` (or its `else`) returns or breaks out of the loop on success.
fn succeeds_by_leaving(t: &ast::StmtTry) -> bool {
    let leaves = |body: &[Stmt]| {
        body.iter()
            .any(|s| matches!(s, Stmt::Return(_) | Stmt::Break(_)))
    };
    leaves(&t.body) || leaves(&t.orelse)
}

fn contains_return(body: &[Stmt]) -> bool {
    any_nested_stmt(body, &mut |s| matches!(s, Stmt::Return(_)))
}

/// After the loop, the function ends (or returns bare) through statements
/// that cannot turn the failure into an outcome: assignments, `pass`, and
/// log or print calls (any other call might raise, `self.fail(...)` say).
fn falls_off_end(rest: &[Stmt]) -> bool {
    rest.iter().all(|s| match s {
        Stmt::Return(r) => r.value.is_none(),
        Stmt::Expr(e) => match &*e.value {
            Expr::Call(call) => matches!(
                crate::rules::common::last_segment(&call.func),
                Some("debug" | "info" | "warning" | "warn" | "error" | "print")
            ),
            _ => false,
        },
        Stmt::Assign(_) | Stmt::AugAssign(_) | Stmt::AnnAssign(_) | Stmt::Pass(_) => true,
        _ => false,
    })
}
