//! PF802 `exception-logged-without-traceback`: an error logged in a handler
//! that neither records the traceback nor re-raises.

use pitfall_semantic::stack;
use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    add_argument_edit, argument, in_script_context, last_segment, logger_method, mentions_name,
};

pub struct ExceptionLoggedWithoutTraceback;

static META: RuleMeta = rule_meta(
    "PF802",
    "exception-logged-without-traceback",
    Family::Logging,
    Tier::Core,
    FixAvailability::Sometimes,
    &["TRY400"],
    "`logger.error` in a handler that neither re-raises nor records the traceback.",
);

impl Rule for ExceptionLoggedWithoutTraceback {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["error", "critical", "print"]])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(name @ ("error" | "critical" | "print")) = last_segment(&call.func) else {
            return;
        };
        let Some(handler) = enclosing_handler(checker) else {
            return;
        };
        if may_reraise(&handler.body) {
            return;
        }
        if name == "print" {
            let Some(bound) = &handler.name else { return };
            // A command's message to its user: a traceback is not wanted there.
            if in_script_context(checker, call.range()) {
                return;
            }
            if checker.qualified_name(&call.func).as_deref() != Some("builtins.print")
                || !mentions_name(&call.arguments.args, bound.as_str())
            {
                return;
            }
            checker
                .report(
                    format!("The caught exception `{bound}` is printed without its traceback, and the handler does not re-raise"),
                    call.func.range(),
                )
                .help("log it with `logger.exception(...)`, which records the traceback, or re-raise");
            return;
        }
        let Some(qualified) = checker.qualified_name(&call.func) else {
            return;
        };
        if logger_method(&qualified).is_none() || has_truthy_exc_info(call) {
            return;
        }
        let Expr::Attribute(attr) = &*call.func else {
            return;
        };
        let fix = if name == "error" {
            Fix {
                message: "Use `exception(...)`, which logs at ERROR level with the traceback"
                    .to_string(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range: attr.attr.range,
                    content: "exception".to_string(),
                }],
            }
        } else {
            Fix {
                message: "Add `exc_info=True`".to_string(),
                applicability: Applicability::Safe,
                edits: vec![add_argument_edit(checker, call, "exc_info=True")],
            }
        };
        checker
            .report(
                format!("`{name}()` in an exception handler that does not re-raise logs the message but not the traceback"),
                call.func.range(),
            )
            .help(if name == "error" {
                "use `logger.exception(...)` (or pass `exc_info=True`) so the log says where it failed"
            } else {
                "pass `exc_info=True` so the log says where it failed"
            })
            .fix(fix);
    }
}

/// The handler the call runs in, unless a function, lambda or class lies in between.
fn enclosing_handler<'a>(checker: &Checker<'a>) -> Option<&'a ast::ExceptHandlerExceptHandler> {
    for node in checker.parents().iter().rev() {
        match node {
            Node::ExceptHandler(ExceptHandler::ExceptHandler(h)) => return Some(h),
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                return None
            }
            _ => {}
        }
    }
    None
}

/// Any `raise` in the handler (outside nested functions and classes): the
/// error, or one chained to it, goes on with its traceback. Exiting the
/// program (`sys.exit(2)` after a usage message) ends it as deliberately.
pub fn may_reraise(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Raise(_) => true,
        Stmt::Expr(e) => matches!(
            &*e.value,
            Expr::Call(c) if matches!(last_segment(&c.func), Some("exit" | "_exit" | "quit"))
        ),
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::Try(t) => {
            may_reraise(&t.body)
                || may_reraise(&t.orelse)
                || may_reraise(&t.finalbody)
                || t.handlers.iter().any(|h| {
                    let ExceptHandler::ExceptHandler(h) = h;
                    may_reraise(&h.body)
                })
        }
        other => stack::guarded(|| {
            crate::rules::common::child_bodies(other)
                .into_iter()
                .any(may_reraise)
        }),
    })
}

/// `exc_info=` given and not a falsy literal (`False`, `None`, `0`).
fn has_truthy_exc_info(call: &ast::ExprCall) -> bool {
    argument(call, None, &["exc_info"]).is_some_and(|v| match v {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NoneLiteral(_) => false,
        Expr::NumberLiteral(n) => !matches!(&n.value, ast::Number::Int(i) if *i == ast::Int::ZERO),
        _ => true,
    }) || call.arguments.keywords.iter().any(|k| k.arg.is_none())
}
