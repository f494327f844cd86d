//! PF202 `exception-swallowed`: a typed handler that does nothing.

use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    handler_types, import_insertion_point, is_empty_handler_body, module_import_state,
    own_line_indent, try_of_handler,
};

pub struct ExceptionSwallowed;

static META: RuleMeta = rule_meta(
    "PF202",
    "exception-swallowed",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::Sometimes,
    &["S110", "S112", "SIM105"],
    "A handler whose body is only `pass`/`...`/`continue` silently hides failures.",
);

impl Rule for ExceptionSwallowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.except_handler()
    }

    fn check_except_handler(&self, checker: &mut Checker, handler: &ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        let Some(type_) = &h.type_ else { return };
        if !is_empty_handler_body(&h.body) {
            return;
        }
        let Some(try_) = try_of_handler(checker) else {
            return;
        };
        let types = handler_types(type_);
        let names: Vec<Option<String>> = types.iter().map(|t| checker.qualified_name(t)).collect();
        let named = |wanted: &[&str]| {
            names
                .iter()
                .any(|n| n.as_deref().is_some_and(|n| wanted.contains(&n)))
        };
        // An optional dependency: `try: import x` / `except ImportError: pass`.
        let only_imports = try_
            .body
            .iter()
            .all(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Pass(_)));
        if only_imports
            && names.iter().all(|n| {
                matches!(
                    n.as_deref(),
                    Some("builtins.ImportError" | "builtins.ModuleNotFoundError")
                )
            })
        {
            return;
        }
        // The "expect an exception" idiom: `try: f(); self.fail(...)`.
        if try_.body.last().is_some_and(is_fail_call) {
            return;
        }
        // Generator cleanup is PF213's business.
        if named(&["builtins.GeneratorExit"]) {
            return;
        }
        let what = if h.body.iter().any(|s| matches!(s, Stmt::Continue(_))) {
            "skips to the next iteration"
        } else {
            "does nothing"
        };
        let message = format!(
            "`except {}` {what}: every such failure of the `try` block passes silently",
            checker.slice(type_.range())
        );
        let keyword = TextRange::at(h.range.start(), TextSize::of("except"));
        let fix = suppress_fix(checker, try_, h, types);
        let d = checker.report(message, keyword).help(
            "log the error, re-raise it, handle it, or use `contextlib.suppress(...)` if ignoring it is intended",
        );
        if let Some(fix) = fix {
            d.fix(fix);
        }
    }
}

/// `try: <one statement>` / `except T: pass` → `with contextlib.suppress(T):`.
/// Only for a lone handler without name, `else` or `finally`, and when no
/// comment would be lost.
fn suppress_fix(
    checker: &Checker,
    try_: &ruff_python_ast::StmtTry,
    handler: &ruff_python_ast::ExceptHandlerExceptHandler,
    types: &[Expr],
) -> Option<Fix> {
    if try_.is_star
        || try_.handlers.len() != 1
        || !try_.orelse.is_empty()
        || !try_.finalbody.is_empty()
        || try_.body.len() != 1
        || handler.name.is_some()
        || !matches!(handler.body.as_slice(), [Stmt::Pass(_)])
    {
        return None;
    }
    let stmt = &try_.body[0];
    if matches!(stmt, Stmt::Break(_) | Stmt::Continue(_)) {
        return None;
    }
    let whole = TextRange::new(try_.start(), try_.end());
    if checker.slice(whole).contains('#') {
        return None;
    }
    own_line_indent(checker, try_.range)?;
    own_line_indent(checker, stmt.range())?;
    let import_state = module_import_state(checker.semantic(), "contextlib")?;
    let types_text: Vec<&str> = types.iter().map(|t| checker.slice(t.range())).collect();
    let body_start = checker.source()[..stmt.start().to_usize()]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let body_text = &checker.source()[body_start..stmt.end().to_usize()];
    let mut edits = vec![Edit {
        range: whole,
        content: format!(
            "with contextlib.suppress({}):\n{body_text}",
            types_text.join(", ")
        ),
    }];
    if !import_state {
        edits.insert(
            0,
            Edit {
                range: TextRange::empty(import_insertion_point(checker)),
                content: "import contextlib\n".to_string(),
            },
        );
    }
    Some(Fix {
        message: "Replace with `contextlib.suppress(...)`".to_string(),
        applicability: Applicability::Safe,
        edits,
    })
}

/// `self.fail(...)`, `pytest.fail(...)`, `fail(...)`: the `try` body is
/// expected to raise, so the empty handler is the success path.
fn is_fail_call(stmt: &Stmt) -> bool {
    let Stmt::Expr(e) = stmt else { return false };
    let Expr::Call(call) = &*e.value else {
        return false;
    };
    crate::rules::common::last_segment(&call.func) == Some("fail")
}
