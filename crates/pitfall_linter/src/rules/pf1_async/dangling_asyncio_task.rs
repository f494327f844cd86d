//! PF103 `dangling-asyncio-task`: a task that nobody keeps can be collected
//! mid-flight, and its exception is lost.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{enclosing_loop, last_segment, read_later};

pub struct DanglingAsyncioTask;

static META: RuleMeta = rule_meta(
    "PF103",
    "dangling-asyncio-task",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &["RUF006"],
    "A task from `create_task`/`ensure_future` is not kept, so it can be collected mid-flight and its errors are lost.",
);

const TASK_FACTORIES: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.tasks.create_task",
    "asyncio.tasks.ensure_future",
    "asyncio.get_running_loop().create_task",
    "asyncio.get_event_loop().create_task",
    "asyncio.get_running_loop().ensure_future",
];

impl Rule for DanglingAsyncioTask {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["create_task", "ensure_future"]])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if !matches!(
            last_segment(&call.func),
            Some("create_task" | "ensure_future")
        ) {
            return;
        }
        let Some(parent) = checker.parent() else {
            return;
        };
        let how = match parent {
            Node::Stmt(Stmt::Expr(_)) => "is never kept",
            Node::Stmt(Stmt::Assign(assign)) if assign.targets.len() == 1 => {
                let Expr::Name(target) = &assign.targets[0] else {
                    return;
                };
                if target.id.as_str() == "_" {
                    "is assigned to `_` only"
                } else {
                    let semantic = checker.semantic();
                    // Module-level names are state others may read.
                    let Some(function) = semantic.enclosing_function(checker.scope()) else {
                        return;
                    };
                    let loop_range = enclosing_loop(checker).map(|l| l.range());
                    if read_later(semantic, function, &target.id, assign.end(), loop_range) {
                        return;
                    }
                    "is bound to a local that is never read"
                }
            }
            _ => return,
        };
        let Some(api) = checker.qualified_name(&call.func) else {
            return;
        };
        if !TASK_FACTORIES.contains(&api.as_str()) {
            return;
        }
        let shown = api.replace("()", "(...)");
        checker
            .report(
                format!("The task from `{shown}` {how}: it can be garbage-collected before it finishes, and its exception is lost"),
                call.range(),
            )
            .help("keep a reference and await it (or add it to a set with a done callback), or use `asyncio.TaskGroup`");
    }
}
