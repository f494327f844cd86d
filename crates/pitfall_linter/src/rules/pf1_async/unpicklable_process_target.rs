//! PF109 `unpicklable-process-target`: a lambda or nested function sent to a
//! process pool or `Process` cannot be pickled.

use pitfall_semantic::{BindingKind, Lookup};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{argument, last_segment};
use crate::summary::POOL_METHODS;

pub struct UnpicklableProcessTarget;

static META: RuleMeta = rule_meta(
    "PF109",
    "unpicklable-process-target",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &[],
    "A lambda or nested function sent to a process pool or `Process` can't be pickled.",
);

const POOLS: &[&str] = &[
    "multiprocessing.Pool()",
    "multiprocessing.pool.Pool()",
    "multiprocessing.get_context().Pool()",
];
const EXECUTORS: &[&str] = &[
    "concurrent.futures.ProcessPoolExecutor()",
    "concurrent.futures.process.ProcessPoolExecutor()",
];
const PROCESSES: &[&str] = &[
    "multiprocessing.Process",
    "multiprocessing.context.Process",
    "multiprocessing.get_context().Process",
];

impl Rule for UnpicklableProcessTarget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["Process", "submit"], POOL_METHODS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(name) = last_segment(&call.func) else {
            return;
        };
        let is_process = name == "Process";
        if !is_process && name != "submit" && !POOL_METHODS.contains(&name) {
            return;
        }
        let Some(api) = checker.qualified_name(&call.func) else {
            return;
        };
        let target = if is_process {
            if !PROCESSES.contains(&api.as_str()) {
                return;
            }
            argument(call, None, &["target"])
        } else {
            let (receiver, method) = api.rsplit_once('.').unwrap_or(("", ""));
            let pool = POOLS.contains(&receiver) && POOL_METHODS.contains(&method);
            let executor = EXECUTORS.contains(&receiver) && matches!(method, "submit" | "map");
            if !pool && !executor {
                return;
            }
            argument(call, Some(0), &["fn", "func"])
        };
        let Some(target) = target else { return };
        let Some(what) = unpicklable(checker, target, 0) else {
            return;
        };
        let shown = api.replace("()", "(...)");
        checker
            .report(
                format!("{what} sent to `{shown}` cannot be pickled for the worker process"),
                target.range(),
            )
            .help("define the function at module level (a `functools.partial` of it can carry arguments)");
    }
}

/// Why the callable can't be pickled: a lambda, a function nested in a
/// function, or a `functools.partial` of one.
fn unpicklable(checker: &Checker, target: &Expr, depth: u32) -> Option<String> {
    match target {
        Expr::Lambda(_) => Some("A lambda".to_string()),
        Expr::Name(n) => {
            let semantic = checker.semantic();
            let Lookup::Binding(b) = semantic.lookup(checker.scope(), &n.id, n.start()) else {
                return None;
            };
            let BindingKind::FunctionDef { scope } = semantic.binding(b).kind else {
                return None;
            };
            let parent = semantic.scope(scope).parent?;
            semantic
                .scope(parent)
                .kind
                .is_function_like()
                .then(|| format!("Nested function `{}`", n.id))
        }
        Expr::Call(ast::ExprCall {
            func, arguments, ..
        }) if depth == 0 && last_segment(func) == Some("partial") => {
            let inner = arguments.args.first()?;
            if checker.qualified_name(func).as_deref() != Some("functools.partial") {
                return None;
            }
            unpicklable(checker, inner, depth + 1)
                .map(|w| format!("`functools.partial` of {}", lower_first(&w)))
        }
        _ => None,
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod call_name_tests {
    use super::*;

    #[test]
    fn call_names_cover_the_pool_methods() {
        let names = UnpicklableProcessTarget.interests().call_names.concat();
        assert!(POOL_METHODS.iter().all(|m| names.contains(m)));
        assert!(names.contains(&"Process") && names.contains(&"submit"));
    }
}
