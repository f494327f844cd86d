//! PF803 `debugger-left-in-code`: breakpoints, debug servers and profiler
//! hooks that only make sense in an interactive session.

use pitfall_semantic::Lookup;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{
    containing_body, in_function, last_segment, path_matches_any, under_main_guard,
};

pub struct DebuggerLeftInCode;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "allow-debugger",
        kind: OptionKind::StringList,
        doc: "Glob patterns of files that may call debuggers (debugging utilities).",
    }],
    ..rule_meta(
        "PF803",
        "debugger-left-in-code",
        Family::Logging,
        Tier::Core,
        FixAvailability::Unsafe,
        &["T100"],
        "`breakpoint()`, `pdb.set_trace()`, `debugpy.listen()`, stray `@profile`.",
    )
};

/// Calls that stop the program for a debugger or open a debugging port.
const DEBUGGER_CALLS: &[&str] = &[
    "builtins.breakpoint",
    "pdb.set_trace",
    "pdb.post_mortem",
    "pdb.pm",
    "ipdb.set_trace",
    "ipdb.post_mortem",
    "pudb.set_trace",
    "debugpy.listen",
    "debugpy.wait_for_client",
    "debugpy.breakpoint",
    "IPython.embed",
    "code.interact",
];

/// Profilers run over the whole module when called at import time.
const PROFILER_RUNS: &[&str] = &["cProfile.run", "profile.run"];

impl Rule for DebuggerLeftInCode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .call_names(&[&[
                "breakpoint",
                "set_trace",
                "post_mortem",
                "pm",
                "listen",
                "wait_for_client",
                "embed",
                "interact",
                "run",
            ]])
            .stmt(StmtKind::FunctionDef)
            .stmt(StmtKind::ClassDef)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if !matches!(
            last_segment(&call.func),
            Some(
                "breakpoint"
                    | "set_trace"
                    | "post_mortem"
                    | "pm"
                    | "listen"
                    | "wait_for_client"
                    | "embed"
                    | "interact"
                    | "run"
            )
        ) {
            return;
        }
        let Some(qualified) = checker.qualified_name(&call.func) else {
            return;
        };
        let message = if DEBUGGER_CALLS.contains(&qualified.as_str()) {
            let shown = qualified.strip_prefix("builtins.").unwrap_or(&qualified);
            if shown.starts_with("debugpy.") {
                format!("`{shown}()` left in the code opens a remote-debugging port or waits for a debugger client")
            } else {
                format!("`{shown}()` left in the code stops the program and waits for a terminal that production does not have")
            }
        } else if PROFILER_RUNS.contains(&qualified.as_str())
            && !in_function(checker)
            && !under_main_guard(checker, call.range())
        {
            format!("`{qualified}()` at module level profiles the code every time the module is imported")
        } else {
            return;
        };
        if allowed_file(checker) {
            return;
        }
        let fix = removal(checker, call.range());
        let diagnostic = checker
            .report(message, call.range())
            .help("remove it before committing; use logging, or run the debugger or profiler from the command line (`python -m pdb`, `python -m cProfile`)");
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let decorators = match stmt {
            Stmt::FunctionDef(def) => &def.decorator_list,
            Stmt::ClassDef(class) => &class.decorator_list,
            _ => return,
        };
        for d in decorators {
            let name = match &d.expression {
                Expr::Name(n) => n,
                Expr::Call(c) => match &*c.func {
                    Expr::Name(n) => n,
                    _ => continue,
                },
                _ => continue,
            };
            if name.id.as_str() != "profile"
                || checker
                    .semantic()
                    .lookup(checker.scope(), "profile", name.start())
                    != Lookup::Unbound
            {
                continue;
            }
            if allowed_file(checker) {
                return;
            }
            checker
                .report(
                    "`@profile` resolves to nothing: it only exists under `kernprof` or `memory_profiler`, and importing this module raises `NameError`",
                    d.range,
                )
                .help("remove the decorator before committing, or import it explicitly (`from line_profiler import profile`)");
        }
    }
}

fn allowed_file(checker: &Checker) -> bool {
    path_matches_any(
        checker.project_path(),
        checker.option_strings("allow-debugger"),
    )
}

/// Deletes a call that is a statement of its own: the whole line when it is
/// alone on it, or `pass` when it is the only statement of its block.
fn removal(checker: &Checker, call: TextRange) -> Option<Fix> {
    let parents = checker.parents();
    let (Node::Stmt(stmt @ Stmt::Expr(e)), rest) = parents.split_last()? else {
        return None;
    };
    if e.value.range() != call {
        return None;
    }
    let body = containing_body(checker.module(), rest.last().copied(), stmt)?;
    let source = checker.source();
    let line_start = source[..stmt.start().to_usize()]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let after = &source[stmt.end().to_usize()..];
    let line_end = after
        .find('\n')
        .map_or(source.len(), |i| stmt.end().to_usize() + i + 1);
    let alone = source[line_start..stmt.start().to_usize()]
        .trim()
        .is_empty()
        && after[..line_end - stmt.end().to_usize()].trim().is_empty();
    let edit = if body.len() == 1 {
        Edit {
            range: stmt.range(),
            content: "pass".to_string(),
        }
    } else if alone {
        Edit {
            range: TextRange::new(
                TextSize::try_from(line_start).ok()?,
                TextSize::try_from(line_end).ok()?,
            ),
            content: String::new(),
        }
    } else {
        return None;
    };
    Some(Fix {
        message: "Remove the call".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}
