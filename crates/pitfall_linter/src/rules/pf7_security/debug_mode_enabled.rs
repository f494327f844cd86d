//! PF711 `debug-mode-enabled`: framework debug or reload mode hard-coded on.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{identifier_words, is_true, qualified_callee, string_value};

pub struct DebugModeEnabled;

static META: RuleMeta = rule_meta(
    "PF711",
    "debug-mode-enabled",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S201"],
    "Flask/FastAPI/Django/uvicorn debug or reload mode hard-coded on.",
);

const HELP: &str = "read the flag from configuration or the environment, and serve production traffic with gunicorn/uvicorn workers";

impl Rule for DebugModeEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Call).stmt(StmtKind::Assign)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        for kw in call.arguments.keywords.iter() {
            let Some(arg) = &kw.arg else { continue };
            let arg = arg.as_str();
            if !matches!(arg, "debug" | "reload" | "use_debugger") || !is_true(&kw.value) {
                continue;
            }
            let Some(q) = qualified_callee(checker, &call.func, |_| true) else {
                return;
            };
            let what = match (q.as_str(), arg) {
                ("flask.Flask().run", "debug") => {
                    "the Flask development server with its interactive debugger"
                }
                (
                    "fastapi.FastAPI" | "starlette.applications.Starlette" | "starlette.Starlette",
                    "debug",
                ) => "tracebacks in error responses",
                ("uvicorn.run", "reload" | "debug") => "uvicorn's development mode",
                ("werkzeug.serving.run_simple" | "werkzeug.run_simple", "use_debugger") => {
                    "Werkzeug's interactive debugger, which runs code sent by the browser"
                }
                _ => continue,
            };
            checker
                .report(
                    format!("`{arg}=True` turns on {what} for anyone who can reach it"),
                    kw.range(),
                )
                .help(HELP);
        }
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Assign(assign) = stmt else { return };
        if !is_true(&assign.value) {
            return;
        }
        for target in &assign.targets {
            let flagged = match target {
                Expr::Attribute(a) if a.attr.as_str() == "debug" => {
                    checker.qualified_name(target).as_deref() == Some("flask.Flask().debug")
                }
                Expr::Subscript(s) => {
                    string_value(&s.slice) == Some("DEBUG")
                        && checker.qualified_name(&s.value).as_deref()
                            == Some("flask.Flask().config")
                }
                Expr::Name(n) => {
                    n.id.as_str() == "DEBUG"
                        && checker.scope() == pitfall_semantic::SemanticIndex::MODULE
                        && is_production_settings(checker.display_path())
                }
                _ => false,
            };
            if flagged {
                checker
                    .report(
                        format!(
                            "`{} = True` serves debug pages and full tracebacks to anyone who triggers an error",
                            checker.slice(target.range())
                        ),
                        assign.range(),
                    )
                    .help(HELP);
            }
        }
    }
}

/// `settings.py` or `settings/*.py`, unless the name marks it as local or test.
fn is_production_settings(path: &str) -> bool {
    let normalized = path.replace('\\', "/");
    let mut parts = normalized.rsplit('/');
    let file = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    let Some(stem) = file.strip_suffix(".py") else {
        return false;
    };
    let is_settings = stem == "settings" || parent == "settings";
    let marked_local = identifier_words(stem).any(|w| {
        matches!(
            w.as_str(),
            "dev" | "local" | "test" | "tests" | "development" | "testing"
        )
    });
    is_settings && !marked_local
}
