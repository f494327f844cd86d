//! PF201 `bare-except`: `except:` catches interrupts, exits and cancellation.

use ruff_python_ast::{ExceptHandler, Stmt};
use ruff_text_size::{TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};

pub struct BareExcept;

static META: RuleMeta = rule_meta(
    "PF201",
    "bare-except",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::Unsafe,
    &["E722", "B001", "W0702"],
    "`except:` catches interrupts, exits and cancellation along with real errors.",
);

impl Rule for BareExcept {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.except_handler()
    }

    fn check_except_handler(&self, checker: &mut Checker, handler: &ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if h.type_.is_some() || always_reraises(&h.body) {
            return;
        }
        let in_coroutine = checker
            .semantic()
            .enclosing_function(checker.scope())
            .is_some_and(|f| {
                matches!(
                    checker.semantic().scope(f).kind,
                    pitfall_semantic::ScopeKind::Function { is_async: true }
                )
            });
        let message = if in_coroutine {
            "Bare `except:` catches `KeyboardInterrupt`, `SystemExit` and task cancellation (`asyncio.CancelledError`) too"
        } else {
            "Bare `except:` catches `KeyboardInterrupt` and `SystemExit` too"
        };
        // `except` keyword: the first six bytes of the handler.
        let keyword = TextRange::at(h.range.start(), TextSize::new(6));
        checker
            .report(message, keyword)
            .help("catch the exceptions you can handle, e.g. `except ValueError:` (at most `except Exception:`)")
            .fix(Fix {
            message: "Replace with `except Exception:`".to_string(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: keyword,
                content: "except Exception".to_string(),
            }],
        });
    }
}

/// Every path through the handler body ends in a bare `raise`: a statement
/// that always re-raises is reached without an earlier jump out.
fn always_reraises(body: &[Stmt]) -> bool {
    for stmt in body {
        if stmt_always_reraises(stmt) {
            return true;
        }
        if may_leave(stmt, false) {
            return false;
        }
    }
    false
}

fn stmt_always_reraises(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Raise(r) => r.exc.is_none(),
        Stmt::If(i) => {
            always_reraises(&i.body)
                && i.elif_else_clauses.iter().any(|c| c.test.is_none())
                && i.elif_else_clauses.iter().all(|c| always_reraises(&c.body))
        }
        Stmt::With(w) => always_reraises(&w.body),
        Stmt::Try(t) => {
            always_reraises(&t.finalbody) || t.handlers.is_empty() && always_reraises(&t.body)
        }
        _ => false,
    }
}

/// Could leave the handler early: a `return`, or a `break`/`continue` that is
/// not inside a loop of the handler's own (a loop's `else` is outside it).
/// Nested functions and classes are excluded.
fn may_leave(stmt: &Stmt, in_loop: bool) -> bool {
    let any = |body: &[Stmt], in_loop: bool| body.iter().any(|s| may_leave(s, in_loop));
    match stmt {
        Stmt::Return(_) => true,
        Stmt::Break(_) | Stmt::Continue(_) => !in_loop,
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(i) => {
            any(&i.body, in_loop) || i.elif_else_clauses.iter().any(|c| any(&c.body, in_loop))
        }
        Stmt::With(w) => any(&w.body, in_loop),
        Stmt::For(f) => any(&f.body, true) || any(&f.orelse, in_loop),
        Stmt::While(w) => any(&w.body, true) || any(&w.orelse, in_loop),
        Stmt::Try(t) => {
            any(&t.body, in_loop)
                || any(&t.orelse, in_loop)
                || any(&t.finalbody, in_loop)
                || t.handlers.iter().any(|h| {
                    let ExceptHandler::ExceptHandler(h) = h;
                    any(&h.body, in_loop)
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| any(&c.body, in_loop)),
        _ => false,
    }
}
