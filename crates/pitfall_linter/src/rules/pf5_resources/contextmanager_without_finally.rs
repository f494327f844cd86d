//! PF506 `contextmanager-without-finally`: in a `@contextmanager` generator,
//! cleanup after `yield` that an exception in the `with` body skips.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{ends_line, may_leave, own_line_indent};

pub struct ContextmanagerWithoutFinally;

static META: RuleMeta = rule_meta(
    "PF506",
    "contextmanager-without-finally",
    Family::Resources,
    Tier::Core,
    FixAvailability::Sometimes,
    &["RUF075", "W0135"],
    "`@contextmanager` cleanup after `yield` not in `finally`.",
);

const DECORATORS: &[&str] = &[
    "contextlib.contextmanager",
    "contextlib.asynccontextmanager",
];

impl Rule for ContextmanagerWithoutFinally {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        let decorated = def.decorator_list.iter().any(|d| {
            let callee = match &d.expression {
                Expr::Call(c) => &*c.func,
                other => other,
            };
            matches!(
                crate::rules::common::last_segment(callee),
                Some("contextmanager" | "asynccontextmanager")
            ) && checker
                .qualified_name(callee)
                .is_some_and(|q| DECORATORS.contains(&q.as_str()))
        });
        if !decorated {
            return;
        }
        let mut unprotected = Vec::new();
        scan(&def.body, false, &mut unprotected);
        for (yield_stmt, cleanup) in unprotected {
            let fix = cleanup.and_then(|c| try_finally_fix(checker, yield_stmt, c));
            let diagnostic = checker
                .report(
                    format!("Cleanup after this `yield` in context manager `{}` does not run when the `with` body raises: the exception is thrown in at the `yield`", def.name),
                    yield_stmt.range(),
                )
                .help("wrap the `yield` in `try:` and move the cleanup into `finally:`");
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

/// `try:` around the `yield`, the cleanup after it in `finally:`. Only when
/// the cleanup is the rest of the yield's block and all of the exit step
/// (nothing after the enclosing statements), has no `return`, `break` or
/// `continue` that a `finally` would turn into swallowing the exception,
/// and can be re-indented without touching a string's text.
fn try_finally_fix(checker: &Checker, yield_stmt: &Stmt, cleanup: &[Stmt]) -> Option<Fix> {
    let last = cleanup.last()?;
    if cleanup.iter().any(|s| may_leave(s, false)) {
        return None;
    }
    let indent = own_line_indent(checker, yield_stmt.range())?;
    if !ends_line(checker, last.range()) {
        return None;
    }
    let source = checker.source();
    let region = TextRange::new(yield_stmt.start(), last.end());
    let text = &source[region];
    let multiline_string = ["\"\"\"", "'''", "\\\n", "\\\r"];
    if multiline_string.iter().any(|m| text.contains(m)) {
        return None;
    }
    // What follows the yield on its own line (a comment) stays with it.
    let (yield_line, following) = text.split_once('\n')?;
    let yield_line = yield_line.strip_suffix('\r').unwrap_or(yield_line);
    let unit = if indent.contains('\t') { "\t" } else { "    " };
    let mut content = format!("try:\n{indent}{unit}{yield_line}\n{indent}finally:");
    // Blank lines between the yield and the cleanup would open the `finally` block.
    let lines = following.split('\n').skip_while(|l| l.trim().is_empty());
    for line in lines {
        content.push('\n');
        if !line.trim().is_empty() {
            content.push_str(unit);
        }
        content.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    Some(Fix {
        message: "Wrap the `yield` in `try:` and move the cleanup into `finally:`".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: region,
            content,
        }],
    })
}

/// Collects the yield statements in `body` followed (in their block, or
/// after the enclosing statements) by work that no `finally` protects.
/// `trailing`: whether such work follows the block itself. With each yield
/// comes the cleanup a fix can move into `finally` (the rest of its block),
/// when that is all of it.
fn scan<'a>(body: &'a [Stmt], trailing: bool, out: &mut Vec<(&'a Stmt, Option<&'a [Stmt]>)>) {
    for (i, stmt) in body.iter().enumerate() {
        // A `return` or `raise` later in the block ends the exit step there.
        let rest = &body[i + 1..];
        let jump = rest.iter().position(crate::rules::common::is_jump);
        let until_jump = &rest[..jump.unwrap_or(rest.len())];
        let after = until_jump.iter().any(is_work)
            || jump.is_some_and(|j| is_work(&rest[j]))
            || (trailing && jump.is_none());
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If(s) => {
                scan(&s.body, after, out);
                for clause in &s.elif_else_clauses {
                    scan(&clause.body, after, out);
                }
            }
            Stmt::For(s) => {
                scan(&s.body, after, out);
                scan(&s.orelse, after, out);
            }
            Stmt::While(s) => {
                scan(&s.body, after, out);
                scan(&s.orelse, after, out);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    scan(&case.body, after, out);
                }
            }
            // A `yield` inside a `with`: its context manager's exit does the cleanup.
            Stmt::With(_) => {}
            Stmt::Try(s) => {
                // A `finally`, or handlers (the commit/rollback pattern), see the exception.
                // What follows a `yield` in its body is then the success step.
                let protected = !s.finalbody.is_empty() || !s.handlers.is_empty();
                if !protected {
                    scan(&s.body, after, out);
                }
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    scan(&h.body, after, out);
                }
                scan(&s.orelse, after, out);
                scan(&s.finalbody, after, out);
            }
            _ if after && yields(stmt) => {
                let whole = !trailing && jump.is_none();
                out.push((stmt, whole.then_some(rest)));
            }
            _ => {}
        }
    }
}

/// A statement that does something (not `pass`, `...` or a bare `return`).
fn is_work(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => false,
        Stmt::Return(r) => r.value.is_some(),
        Stmt::Expr(e) => !matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        _ => true,
    }
}

/// `yield`, `x = yield v`, `await`-free forms of a yield statement.
fn yields(stmt: &Stmt) -> bool {
    let value = match stmt {
        Stmt::Expr(e) => &*e.value,
        Stmt::Assign(a) => &*a.value,
        Stmt::AnnAssign(a) => match &a.value {
            Some(v) => v,
            None => return false,
        },
        _ => return false,
    };
    matches!(value, Expr::Yield(_) | Expr::YieldFrom(_))
}
