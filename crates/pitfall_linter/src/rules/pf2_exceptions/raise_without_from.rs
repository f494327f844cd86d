//! PF204 `raise-without-from`: a new exception raised in a handler without `from`.

use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::any_nested_stmt;

pub struct RaiseWithoutFrom;

static META: RuleMeta = rule_meta(
    "PF204",
    "raise-without-from",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::Unsafe,
    &["B904", "W0707"],
    "A new exception raised inside `except` without `from` obscures the cause.",
);

impl Rule for RaiseWithoutFrom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Raise)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Raise(raise) = stmt else { return };
        let Some(exc) = &raise.exc else { return };
        if raise.cause.is_some() {
            return;
        }
        // The handlers around the raise, innermost first, up to the function.
        let mut handlers = Vec::new();
        for node in checker.parents().iter().rev() {
            match node {
                Node::ExceptHandler(ExceptHandler::ExceptHandler(h)) => handlers.push(h),
                Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_))
                | Node::Expr(Expr::Lambda(_)) => break,
                _ => {}
            }
        }
        let Some(innermost) = handlers.first() else {
            return;
        };
        // `raise err` / `raise err.with_traceback(tb)` re-raise a handled exception.
        let raised_name = match &**exc {
            Expr::Name(n) => Some(n.id.as_str()),
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "with_traceback" => match &*a.value {
                    Expr::Name(n) => Some(n.id.as_str()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if raised_name.is_some_and(|raised| {
            handlers
                .iter()
                .any(|h| h.name.as_ref().is_some_and(|n| n.id.as_str() == raised))
        }) {
            return;
        }
        let fix = from_fix(checker, raise, innermost);
        let d = checker
            .report(
                format!(
                    "`raise {}` inside `except` without `from`: the traceback reads as a second error during handling",
                    short(checker.slice(exc.range()))
                ),
                raise.range,
            )
            .help("chain it explicitly: `raise ... from err` (or `from None` to hide the cause on purpose)");
        if let Some(fix) = fix {
            d.fix(fix);
        }
    }
}

fn short(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.len() > 40 || first.len() < text.len() {
        let cut: String = first.chars().take(37).collect();
        format!("{cut}...")
    } else {
        first.to_string()
    }
}

/// ` from err`, binding `as err` when the handler has no name and `err` is free.
fn from_fix(
    checker: &Checker,
    raise: &ruff_python_ast::StmtRaise,
    handler: &ruff_python_ast::ExceptHandlerExceptHandler,
) -> Option<Fix> {
    let mut edits = Vec::new();
    let name = match &handler.name {
        Some(n) => n.id.to_string(),
        None => {
            let type_ = handler.type_.as_ref()?;
            if matches!(&**type_, Expr::Tuple(t) if !t.parenthesized) {
                return None;
            }
            // Two fixes binding the same name would clash: only for a lone raise.
            let mut raises = 0;
            any_nested_stmt(&handler.body, &mut |s| {
                raises += usize::from(
                    matches!(s, Stmt::Raise(r) if r.exc.is_some() && r.cause.is_none()),
                );
                false
            });
            if raises != 1 {
                return None;
            }
            let taken = |n: &str| checker.semantic().symbol_in(checker.scope(), n).is_some();
            let name = ["err", "exc", "error"].into_iter().find(|n| !taken(n))?;
            edits.push(Edit {
                range: TextRange::empty(end_of_type(checker.source(), type_.end())),
                content: format!(" as {name}"),
            });
            name.to_string()
        }
    };
    edits.push(Edit {
        range: TextRange::empty(raise.end()),
        content: format!(" from {name}"),
    });
    Some(Fix {
        message: format!("Chain with `from {name}`"),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// Where `as name` goes: after the parentheses that may wrap the handler's
/// type (`except (ImportError):`), whose range the parser leaves out.
fn end_of_type(source: &str, type_end: TextSize) -> TextSize {
    let bytes = source.as_bytes();
    let mut end = type_end.to_usize();
    let mut i = end;
    loop {
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\n' | b'\r' | b'\\' => i += 1,
                // A comment inside the parentheses runs to the end of its line.
                b'#' => i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n),
                _ => break,
            }
        }
        if i < bytes.len() && bytes[i] == b')' {
            i += 1;
            end = i;
        } else {
            return TextSize::try_from(end).unwrap_or(type_end);
        }
    }
}
