//! PF502 `lock-acquire-without-with`: `lock.acquire()` whose release an
//! exception or early return can skip.

use pitfall_semantic::Resolved;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{
    any_nested_stmt, class_defines, enclosing_class, enclosing_function, next_statement,
};

pub struct LockAcquireWithoutWith;

static META: RuleMeta = rule_meta(
    "PF502",
    "lock-acquire-without-with",
    Family::Resources,
    Tier::Core,
    FixAvailability::None,
    &["R1732"],
    "`lock.acquire()` not released in `finally`/`with`.",
);

const LOCKS: &[&str] = &[
    "threading.Lock()",
    "threading.RLock()",
    "threading.Semaphore()",
    "threading.BoundedSemaphore()",
    "threading.Condition()",
    "multiprocessing.Lock()",
    "multiprocessing.RLock()",
    "multiprocessing.Semaphore()",
    "multiprocessing.BoundedSemaphore()",
    "asyncio.Lock()",
    "asyncio.Semaphore()",
    "asyncio.BoundedSemaphore()",
    "asyncio.Condition()",
];

impl Rule for LockAcquireWithoutWith {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Expr)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Expr(statement) = stmt else { return };
        let call = match &*statement.value {
            Expr::Call(call) => call,
            Expr::Await(a) => match &*a.value {
                Expr::Call(call) => call,
                _ => return,
            },
            _ => return,
        };
        let Expr::Attribute(attr) = &*call.func else {
            return;
        };
        if attr.attr.as_str() != "acquire" {
            return;
        }
        let Some(Resolved::Qualified(lock)) = checker.resolve(&attr.value) else {
            return;
        };
        if !LOCKS.contains(&lock.as_str()) {
            return;
        }
        let receiver = checker.slice(attr.value.range());
        // A lock acquired here and released elsewhere (another method or
        // thread) is a hand-off, not the acquire/release pair this is about.
        let body = enclosing_function(checker).map_or(&checker.module().body[..], |f| &f.body[..]);
        let released_here = any_nested_stmt(body, &mut |s| is_release(checker, s, receiver));
        if !released_here || released_after(checker, stmt, receiver) || in_enter_method(checker) {
            return;
        }
        let kind = crate::blocking::display_name(&lock);
        checker
            .report(
                format!("`{receiver}.acquire()` ({kind}) is not released in a `finally`: an exception or early return before `release()` leaves it held and every later caller waits forever"),
                stmt.range(),
            )
            .help(format!("use `with {receiver}:` (`async with` for asyncio), or follow the acquire with `try:` ... `finally: {receiver}.release()`"));
    }
}

/// The next statement is a `try` whose `finally` releases, or the acquire
/// itself sits in the body of such a `try`.
fn released_after(checker: &Checker, stmt: &Stmt, receiver: &str) -> bool {
    let releases =
        |t: &ast::StmtTry| any_nested_stmt(&t.finalbody, &mut |s| is_release(checker, s, receiver));
    if let Some(Stmt::Try(t)) = next_statement(checker.parents(), stmt, checker.module()) {
        if releases(t) {
            return true;
        }
    }
    checker.parents().iter().rev().any(|p| match p {
        Node::Stmt(Stmt::Try(t)) => {
            t.body
                .iter()
                .any(|s| s.range().contains_range(stmt.range()))
                && releases(t)
        }
        _ => false,
    })
}

fn is_release(checker: &Checker, stmt: &Stmt, receiver: &str) -> bool {
    let Stmt::Expr(e) = stmt else { return false };
    let Expr::Call(call) = &*e.value else {
        return false;
    };
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    attr.attr.as_str() == "release" && checker.slice(attr.value.range()) == receiver
}

/// `__enter__`/`__aenter__` of a class that has the matching exit method.
fn in_enter_method(checker: &Checker) -> bool {
    let Some(function) = enclosing_function(checker) else {
        return false;
    };
    matches!(function.name.as_str(), "__enter__" | "__aenter__")
        && enclosing_class(checker).is_some_and(|c| class_defines(c, &["__exit__", "__aexit__"]))
}
