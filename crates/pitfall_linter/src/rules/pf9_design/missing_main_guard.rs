//! PF902 `missing-main-guard`: script work at module level in a module of a package.

use pitfall_semantic::{Resolved, ScopeId, SemanticIndex};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Condition, Diagnostic, Edit, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::under_main_guard;

pub struct MissingMainGuard;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "allowed-calls",
        kind: OptionKind::StringList,
        doc: "Calls allowed at module level: qualified names, or names of functions of the module itself.",
    }],
    ..rule_meta(
        "PF902",
        "missing-main-guard",
        Family::Design,
        Tier::Core,
        FixAvailability::Sometimes,
        &[],
        "Script work at module level in a module that is imported or lives in a package.",
    )
};

/// Calls that do a script's work when they run at import time.
const IMPORT_TIME_WORK: &[&str] = &[
    "builtins.print",
    "builtins.input",
    "builtins.open",
    "builtins.exit",
    "builtins.quit",
    "sys.exit",
    "asyncio.run",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "os.system",
    "os.popen",
    "urllib.request.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.delete",
    "requests.head",
    "requests.request",
    "httpx.get",
    "httpx.post",
    "httpx.request",
    "socket.create_connection",
    "uvicorn.run",
    "aiohttp.web.run_app",
    "flask.Flask().run",
    "quart.Quart().run",
    "sanic.Sanic().run",
    "bottle.run",
    "unittest.main",
    "pytest.main",
    "doctest.testmod",
];

impl Rule for MissingMainGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Expr)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Expr(expr_stmt) = stmt else { return };
        let Expr::Call(call) = &*expr_stmt.value else {
            return;
        };
        if checker.scope() != SemanticIndex::MODULE {
            return;
        }
        let role = checker.file_role();
        if role.is_main_module || role.is_test || checker.is_stub() {
            return;
        }
        let Some(what) = script_work(checker, call) else {
            return;
        };
        if under_main_guard(checker, stmt.range()) {
            return;
        }
        let fix = wrap_trailing_calls(checker, stmt.range());
        let in_package = checker.file().in_package;
        let message = if in_package {
            format!("{what} runs at module level, so every import of this package module does the script's work")
        } else {
            format!("{what} runs at module level, so every import of this module does the script's work")
        };
        let diagnostic = checker
            .report(message, stmt.range())
            .help("move it under `if __name__ == \"__main__\":` (or into an entry-point function)");
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
        // Outside a package, a module is a script unless another module imports it.
        if !in_package {
            diagnostic.on_condition(Condition::ImportedByProject);
        }
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::IMPORT_GRAPH
    }

    /// Modules outside packages: reported when a project module imports them.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let Some(importer) = cx.facts.importer else {
            return;
        };
        let deferred: Vec<&Diagnostic> = cx.deferred().collect();
        if deferred.is_empty() {
            return;
        }
        let name = cx
            .view
            .module_name(importer)
            .or_else(|| cx.view.display_path(importer))
            .unwrap_or_default();
        for d in deferred {
            let confirmed = cx.confirm(d);
            confirmed.message = format!("{} (`{name}` imports it)", confirmed.message);
        }
    }
}

/// What makes a module-level call statement a script's work, for the message.
fn script_work(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    let allowed = checker.option_strings("allowed-calls");
    let what = match checker.resolve(&call.func) {
        // A plain call of a function of this module (not `Class.method()`)
        // that is the script's entry point or does a script's work itself;
        // helpers called to register or set things up are not.
        Some(Resolved::Function(scope)) if matches!(&*call.func, Expr::Name(_)) => {
            let semantic = checker.semantic();
            let name = semantic.scope(scope).name.clone().unwrap_or_default();
            if allowed.iter().any(|a| a == name.as_str()) {
                return None;
            }
            if name.as_str() == "main" {
                format!("a call to `{name}()`, defined in this module,")
            } else {
                let work = script_work_in(semantic, scope)?;
                format!("a call to `{name}()`, defined in this module and calling `{work}()`,")
            }
        }
        Some(Resolved::Qualified(q)) if IMPORT_TIME_WORK.contains(&q.as_str()) => {
            if allowed.contains(&q) {
                return None;
            }
            let shown = q.strip_prefix("builtins.").unwrap_or(&q);
            format!("`{shown}()`")
        }
        _ => return None,
    };
    Some(what)
}

/// The first call in `function` (or in functions nested in it) that does a
/// script's work, from the index's call sites.
fn script_work_in(semantic: &SemanticIndex, function: ScopeId) -> Option<String> {
    semantic
        .calls
        .iter()
        .filter(|c| semantic.is_within(c.scope, function))
        .find_map(|c| {
            let q = semantic
                .resolve_path(c.callee.as_ref()?, 0)?
                .qualified()?
                .to_string();
            IMPORT_TIME_WORK
                .contains(&q.as_str())
                .then(|| q.strip_prefix("builtins.").unwrap_or(&q).to_string())
        })
}

/// Wraps the run of one-line call statements that ends the module, when
/// `stmt` is among them, in `if __name__ == "__main__":`.
fn wrap_trailing_calls(checker: &Checker, stmt: TextRange) -> Option<Fix> {
    let body = &checker.module().body;
    let run_start = body
        .iter()
        .rposition(|s| !is_one_line_call(checker, s))
        .map_or(0, |i| i + 1);
    let run = &body[run_start..];
    // One fix for the run, on its first finding.
    let first_flagged = run.iter().find(|s| {
        matches!(s, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(c) if script_work(checker, c).is_some()))
    })?;
    if first_flagged.range() != stmt {
        return None;
    }
    let range = TextRange::new(run.first()?.start(), run.last()?.end());
    let mut content = String::from("if __name__ == \"__main__\":");
    for line in checker.slice(range).lines() {
        content.push('\n');
        if !line.trim().is_empty() {
            content.push_str("    ");
        }
        content.push_str(line);
    }
    Some(Fix {
        message: "Move the trailing calls under `if __name__ == \"__main__\":`".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit { range, content }],
    })
}

fn is_one_line_call(checker: &Checker, stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(_)))
        && !checker.slice(stmt.range()).contains('\n')
}
