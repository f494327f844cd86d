//! PF705 `unsafe-yaml-load`: `yaml.load` without a safe loader builds arbitrary objects.

use pitfall_semantic::Resolved;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{argument, callee_in, has_kwargs_splat};

pub struct UnsafeYamlLoad;

static META: RuleMeta = rule_meta(
    "PF705",
    "unsafe-yaml-load",
    Family::Security,
    Tier::Core,
    FixAvailability::Unsafe,
    &["S506"],
    "`yaml.load` without a safe loader.",
);

const LOADS: &[&str] = &[
    "yaml.load",
    "yaml.load_all",
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "yaml.full_load",
    "yaml.full_load_all",
];

const SAFE_LOADERS: &[&str] = &[
    "yaml.SafeLoader",
    "yaml.CSafeLoader",
    "yaml.BaseLoader",
    "yaml.CBaseLoader",
    "yaml.loader.SafeLoader",
    "yaml.loader.BaseLoader",
    "yaml.cyaml.CSafeLoader",
    "yaml.cyaml.CBaseLoader",
];

impl Rule for UnsafeYamlLoad {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[LOADS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(target) = callee_in(checker, &call.func, LOADS) else {
            return;
        };
        let function = target.trim_start_matches("yaml.");
        let all = function.ends_with("_all");
        if matches!(function, "load" | "load_all") {
            match argument(call, Some(1), &["Loader"]) {
                Some(loader) if is_safe_loader(checker, loader, 0) => return,
                None if has_kwargs_splat(call) => return,
                _ => {}
            }
        }
        let safe = if all { "safe_load_all" } else { "safe_load" };
        let fix = safe_load_fix(checker, call, safe);
        let diagnostic = checker.report(
            format!("`yaml.{function}` without `SafeLoader` can build arbitrary Python objects from tags in the document"),
            call.range(),
        );
        diagnostic.help(format!("use `yaml.{safe}(...)` and validate the result"));
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
    }
}

fn is_safe_loader(checker: &Checker, loader: &Expr, depth: u32) -> bool {
    match checker.resolve(loader) {
        Some(Resolved::Qualified(q)) => SAFE_LOADERS.contains(&q.as_str()),
        // A project subclass of a safe loader.
        Some(Resolved::Class(class)) if depth < 4 => {
            let semantic = checker.semantic();
            semantic
                .scope(class)
                .bases
                .iter()
                .any(|base| match semantic.resolve_path(base, 0) {
                    Some(Resolved::Qualified(q)) => SAFE_LOADERS.contains(&q.as_str()),
                    _ => false,
                })
        }
        _ => false,
    }
}

/// `yaml.load(x, Loader=...)` → `yaml.safe_load(x)`, when the call has only those arguments.
fn safe_load_fix(checker: &Checker, call: &ast::ExprCall, safe: &str) -> Option<Fix> {
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    let args = &call.arguments;
    let [document, rest @ ..] = &*args.args else {
        return None;
    };
    let only_loader = rest.len() <= 1
        && args
            .keywords
            .iter()
            .all(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "Loader"))
        && (rest.is_empty() || args.keywords.is_empty())
        && !document.is_starred_expr();
    if !only_loader {
        return None;
    }
    let content = format!(
        "{}.{safe}({})",
        checker.slice(attr.value.range()),
        checker.slice(document.range())
    );
    Some(Fix {
        message: format!("Replace with `{safe}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: call.range(),
            content,
        }],
    })
}
