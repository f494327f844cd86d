//! PF106 `cancelled-error-not-reraised`: a coroutine catches
//! `asyncio.CancelledError` and carries on.

use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    always_raises, any_nested_stmt, handler_report, handler_types, in_async_function, is_any_raise,
    may_leave, own_line_indent, try_of_handler,
};

pub struct CancelledErrorNotReraised;

static META: RuleMeta = rule_meta(
    "PF106",
    "cancelled-error-not-reraised",
    Family::Async,
    Tier::Core,
    FixAvailability::Sometimes,
    &["ASYNC103", "ASYNC104"],
    "`except asyncio.CancelledError` that doesn't re-raise swallows cancellation.",
);

impl Rule for CancelledErrorNotReraised {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.except_handler()
    }

    fn check_except_handler(&self, checker: &mut Checker, handler: &ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        let Some(type_) = &h.type_ else { return };
        let names_cancelled = handler_types(type_).iter().any(|t| {
            matches!(t, Expr::Name(n) if n.id.as_str() == "CancelledError")
                || matches!(t, Expr::Attribute(a) if a.attr.as_str() == "CancelledError")
        });
        if !names_cancelled || !in_async_function(checker) {
            return;
        }
        let catches_cancelled = handler_types(type_).iter().any(|t| {
            matches!(
                checker.qualified_name(t).as_deref(),
                Some("asyncio.CancelledError" | "asyncio.exceptions.CancelledError")
            )
        });
        if !catches_cancelled || always_raises(&h.body, is_any_raise) {
            return;
        }
        if hands_cancellation_on(checker, h) {
            return;
        }
        if let Some(try_) = try_of_handler(checker) {
            if awaits_task_it_cancelled(checker, try_) {
                return;
            }
        }
        let fix = reraise_fix(checker, h);
        let keyword = TextRange::at(h.range.start(), TextSize::of("except"));
        let d = checker
            .report(
                "`asyncio.CancelledError` is caught and not re-raised: the task no longer stops when cancelled",
                keyword,
            )
            .help("re-raise it after cleaning up (`raise`), or do the cleanup in `finally:`");
        if let Some(fix) = fix {
            d.fix(fix);
        }
    }
}

/// The caller side: `task.cancel()` just before, then `await task` in the
/// `try` body. Catching the cancellation there is how one waits for it.
fn awaits_task_it_cancelled(checker: &Checker, try_: &ast::StmtTry) -> bool {
    let mut awaited = Vec::new();
    for stmt in &try_.body {
        if let Stmt::Expr(e) = stmt {
            if let Expr::Await(a) = &*e.value {
                awaited.push(checker.slice(a.value.range()));
            }
        }
        if let Stmt::Assign(a) = stmt {
            if let Expr::Await(a) = &*a.value {
                awaited.push(checker.slice(a.value.range()));
            }
        }
    }
    if awaited.is_empty() {
        return false;
    }
    // `task.cancel()`, or `task.cancel` handed on (`loop.call_soon(task.cancel)`).
    let cancels = |stmt: &Stmt| {
        let text = checker.slice(stmt.range());
        awaited
            .iter()
            .any(|a| text.contains(&format!("{a}.cancel")))
    };
    let before = sibling_statements_before(checker, try_.range);
    before.iter().any(cancels) || try_.body.iter().any(cancels)
}

/// The statements before `range` in the body that holds it.
fn sibling_statements_before<'a>(checker: &Checker<'a>, range: TextRange) -> &'a [Stmt] {
    let parents = checker.parents();
    // The try is the handler's parent; the body holding it is one level up.
    let Some(holder) = parents.iter().rev().nth(1) else {
        return &checker.module().body[..position(&checker.module().body, range)];
    };
    let bodies: Vec<&'a [Stmt]> = match holder {
        Node::Stmt(Stmt::FunctionDef(f)) => vec![&f.body],
        Node::Stmt(Stmt::For(f)) => vec![&f.body, &f.orelse],
        Node::Stmt(Stmt::While(w)) => vec![&w.body, &w.orelse],
        Node::Stmt(Stmt::With(w)) => vec![&w.body],
        Node::Stmt(Stmt::If(i)) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Node::Stmt(Stmt::Try(t)) => vec![&t.body, &t.orelse, &t.finalbody],
        Node::ExceptHandler(ExceptHandler::ExceptHandler(h)) => vec![&h.body],
        _ => Vec::new(),
    };
    bodies
        .into_iter()
        .find(|b| b.iter().any(|s| s.range() == range))
        .map_or(&[], |b| &b[..position(b, range)])
}

fn position(body: &[Stmt], range: TextRange) -> usize {
    body.iter().position(|s| s.range() == range).unwrap_or(0)
}

/// Append `raise` when the handler simply falls through at its end.
fn reraise_fix(checker: &Checker, h: &ast::ExceptHandlerExceptHandler) -> Option<Fix> {
    if h.body.iter().any(|s| may_leave(s, false)) {
        return None;
    }
    let last = h.body.last()?;
    let indent = own_line_indent(checker, last.range())?;
    Some(Fix {
        message: "Re-raise at the end of the handler".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::empty(last.end()),
            content: format!("\n{indent}raise"),
        }],
    })
}

/// The handler deliberately passes the cancellation on: it hands the bound
/// exception to a call, keeps it in a variable or returns it, or calls `uncancel()` (the API for
/// suppressing a cancellation on purpose).
fn hands_cancellation_on(checker: &Checker, h: &ast::ExceptHandlerExceptHandler) -> bool {
    let bound = h.name.as_ref().map(|n| n.id.as_str());
    if bound.is_some() && handler_report(checker, &h.body, bound).hands_on_exception {
        return true;
    }
    let is_bound = |e: &Expr| matches!((e, bound), (Expr::Name(n), Some(b)) if n.id.as_str() == b);
    any_nested_stmt(&h.body, &mut |s| match s {
        // Kept to be re-raised later: `cancellation = err`.
        Stmt::Assign(a) => is_bound(&a.value),
        Stmt::Return(r) => matches!((r.value.as_deref(), bound),
            (Some(Expr::Name(n)), Some(b)) if n.id.as_str() == b),
        Stmt::Expr(e) => matches!(&*e.value, Expr::Call(c)
            if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "uncancel")),
        _ => false,
    })
}
