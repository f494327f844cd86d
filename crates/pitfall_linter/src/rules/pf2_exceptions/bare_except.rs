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
        if may_jump(stmt) {
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

/// Could leave the handler early (`return`, `break`, `continue`) — nested
/// functions and classes excluded.
fn may_jump(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => true,
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(i) => {
            i.body.iter().any(may_jump)
                || i.elif_else_clauses
                    .iter()
                    .any(|c| c.body.iter().any(may_jump))
        }
        Stmt::With(w) => w.body.iter().any(may_jump),
        Stmt::For(f) => f
            .body
            .iter()
            .chain(&f.orelse)
            .any(|s| matches!(s, Stmt::Return(_)) || may_jump_return(s)),
        Stmt::While(w) => w.body.iter().chain(&w.orelse).any(may_jump_return),
        Stmt::Try(t) => t
            .body
            .iter()
            .chain(&t.orelse)
            .chain(&t.finalbody)
            .chain(t.handlers.iter().flat_map(|h| {
                let ExceptHandler::ExceptHandler(h) = h;
                h.body.iter()
            }))
            .any(may_jump),
        Stmt::Match(m) => m.cases.iter().any(|c| c.body.iter().any(may_jump)),
        _ => false,
    }
}

/// Inside a loop only `return` leaves the handler (`break`/`continue` stay in the loop).
fn may_jump_return(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_) => true,
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(i) => {
            i.body.iter().any(may_jump_return)
                || i.elif_else_clauses
                    .iter()
                    .any(|c| c.body.iter().any(may_jump_return))
        }
        Stmt::With(w) => w.body.iter().any(may_jump_return),
        Stmt::For(f) => f.body.iter().chain(&f.orelse).any(may_jump_return),
        Stmt::While(w) => w.body.iter().chain(&w.orelse).any(may_jump_return),
        Stmt::Try(t) => t
            .body
            .iter()
            .chain(&t.orelse)
            .chain(&t.finalbody)
            .any(may_jump_return),
        _ => false,
    }
}
