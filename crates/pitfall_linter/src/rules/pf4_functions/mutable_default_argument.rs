//! PF401 `mutable-default-argument`: a mutable default is shared by every call.

use ruff_python_ast::{self as ast, Expr, Parameters, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::mutable_value;

pub struct MutableDefaultArgument;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "immutable-calls",
        kind: OptionKind::StringList,
        doc: "Qualified names of calls whose result is immutable (never reported).",
    }],
    ..rule_meta(
        "PF401",
        "mutable-default-argument",
        Family::Functions,
        Tier::Core,
        FixAvailability::Unsafe,
        &["B006", "B008", "W0102"],
        "A list/dict/set (or mutable object) default is shared across calls.",
    )
};

impl Rule for MutableDefaultArgument {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::FunctionDef)
            .expr(ExprKind::Lambda)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        if checker.is_stub() || is_overload(checker, def) {
            return;
        }
        check_parameters(checker, &def.parameters);
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        if let Expr::Lambda(lambda) = expr {
            if let Some(params) = &lambda.parameters {
                check_parameters(checker, params);
            }
        }
    }
}

fn is_overload(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        checker
            .qualified_name(&d.expression)
            .is_some_and(|q| matches!(q.as_str(), "typing.overload" | "typing_extensions.overload"))
    })
}

fn check_parameters(checker: &mut Checker, parameters: &Parameters) {
    for p in parameters.iter() {
        let Some(default) = p.default() else { continue };
        let immutable = checker.option_strings("immutable-calls");
        let Some(what) = mutable_value(checker, default, immutable) else {
            continue;
        };
        let name = p.name().id.clone();
        checker
            .report(
                format!("Mutable default {what} for parameter `{name}` is created once and shared by every call"),
                default.range(),
            )
            .help(format!(
                "default to `None` and create the value inside the function: `if {name} is None: {name} = ...`"
            ));
    }
}
