//! PF208 `jump-in-finally`: `return`/`break`/`continue` leaving a `finally`
//! block discards the exception in flight.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};

pub struct JumpInFinally;

static META: RuleMeta = rule_meta(
    "PF208",
    "jump-in-finally",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::None,
    &["B012", "W0150"],
    "`return`/`break`/`continue` in `finally` discards the in-flight exception.",
);

impl Rule for JumpInFinally {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::Return)
            .stmt(StmtKind::Break)
            .stmt(StmtKind::Continue)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let (keyword, is_return) = match stmt {
            Stmt::Return(_) => ("return", true),
            Stmt::Break(_) => ("break", false),
            Stmt::Continue(_) => ("continue", false),
            _ => return,
        };
        let range = stmt.range();
        for node in checker.parents().iter().rev() {
            match node {
                Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_))
                | Node::Expr(Expr::Lambda(_)) => return,
                // The loop a `break`/`continue` targets, unless the jump is in its `else`.
                Node::Stmt(Stmt::For(l)) if !is_return && !in_body(&l.orelse, range) => return,
                Node::Stmt(Stmt::While(l)) if !is_return && !in_body(&l.orelse, range) => return,
                Node::Stmt(Stmt::Try(t)) if in_body(&t.finalbody, range) => {
                    checker
                        .report(
                            format!("`{keyword}` in `finally` discards any exception raised in the `try` block"),
                            TextRange::at(range.start(), ruff_text_size::TextSize::of(keyword)),
                        )
                        .help("move it after the `try` statement, or let the `finally` block end normally");
                    return;
                }
                _ => {}
            }
        }
    }
}

fn in_body(body: &[Stmt], range: TextRange) -> bool {
    match (body.first(), body.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(range)
        }
        _ => false,
    }
}
