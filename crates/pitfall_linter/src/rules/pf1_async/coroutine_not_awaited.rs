//! PF102 `coroutine-not-awaited`: calling a coroutine function without
//! awaiting or scheduling the coroutine, so its body never runs.

use pitfall_semantic::{BindingKind, Lookup, Resolved};
use ruff_python_ast::{Expr, ExprName, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Condition, Diagnostic, Edit, Fix, Related};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{enclosing_loop, in_async_function, read_later, LazyLookup};
use crate::rules::pf3_scopes::stdlib_module_shadowing::is_stdlib_module;
use crate::summary::{is_coroutine_def, BaseRef, CallRef, Callee, SummaryNeeds};

pub struct CoroutineNotAwaited;

static META: RuleMeta = rule_meta(
    "PF102",
    "coroutine-not-awaited",
    Family::Async,
    Tier::Core,
    FixAvailability::Sometimes,
    &[],
    "A coroutine function is called but its coroutine is never awaited or scheduled, so its body never runs.",
);

/// Library coroutine functions, and the methods of async clients (by receiver).
const LIBRARY_COROUTINES: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.to_thread",
];
/// The last names of [`LIBRARY_COROUTINES`], for the pre-filter.
const LIBRARY_COROUTINE_NAMES: &[&str] = &[
    "sleep",
    "wait_for",
    "open_connection",
    "open_unix_connection",
    "start_server",
    "to_thread",
];
const ASYNC_CLIENTS: &[&str] = &["httpx.AsyncClient()", "aiohttp.ClientSession()"];
const CLIENT_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
];

/// How the coroutine object is misused.
#[derive(Copy, Clone)]
enum Misuse {
    Dropped,
    UnusedLocal,
    /// Used as if it were the result: `what` names the use.
    AsValue(&'static str),
}

impl Rule for CoroutineNotAwaited {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Call)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(misuse) = misuse(checker, expr) else {
            return;
        };
        // Not decided here: a call that may reach a coroutine function of
        // another module (or of a base class there) is deferred to the
        // cross-module phase.
        let root = LazyLookup::new(access_root(&call.func));
        let (callee, deferred) = match coroutine_function(checker, &call.func, &root) {
            Some(callee) => (callee, None),
            None => match cross_module_candidate(checker, &call.func, &root, call.range()) {
                Some(at) => (checker.slice(call.func.range()).to_string(), Some(at)),
                None => return,
            },
        };
        if matches!(misuse, Misuse::UnusedLocal) && local_read_later(checker) {
            return;
        }
        let fixable = in_async_function(checker);
        match deferred {
            // Kept small (the callee's text only): most are not confirmed.
            Some(at) => {
                checker
                    .report(callee, call.range())
                    .on_condition(Condition::CallsCoroutine {
                        call: at,
                        misuse: misuse.code(),
                        fixable,
                    });
            }
            None => {
                let d = checker.report(message(&callee, misuse), call.range());
                finish(d, misuse, fixable);
            }
        }
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::CALLS.with(ProjectNeeds::MODULE_CALLS)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS
            .with(SummaryNeeds::MODULE_CALLS)
            .with(SummaryNeeds::COROUTINES)
    }

    /// Deferred calls whose target, resolved across modules, is a coroutine function.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let deferred: Vec<_> = cx.deferred().collect();
        for d in deferred {
            let Some(Condition::CallsCoroutine {
                call,
                misuse,
                fixable,
            }) = d.condition
            else {
                continue;
            };
            let misuse = Misuse::from_code(misuse);
            let Some(target) = cx.facts.target(call) else {
                continue;
            };
            let Some(Some(def_range)) =
                cx.with_function(target, |f, at| f.is_coroutine.then_some(at.def_range))
            else {
                continue;
            };
            let qualname = cx.qualname(target).unwrap_or_default();
            let def_line = cx.def_line(target);
            let path = cx.view.display_path(target.module).unwrap_or_default();
            let here = cx.view.display_path(cx.module).unwrap_or_default();
            let related = vec![Related {
                path: (path != here).then(|| path.clone()),
                range: def_range,
                message: format!("`{qualname}` is an `async def` here"),
            }];
            let message = format!(
                "{} (`{qualname}`, {path}:{def_line})",
                message(&d.message, misuse)
            );
            let confirmed = cx.confirm(d);
            confirmed.message = message;
            confirmed.related(related);
            finish(confirmed, misuse, fixable);
        }
    }
}

/// The call may reach a project function this module cannot see: through
/// an import (not of the standard library), a method of a base class
/// defined elsewhere, or `super()`.
fn cross_module_candidate(
    checker: &Checker,
    func: &Expr,
    root: &LazyLookup,
    call: TextRange,
) -> Option<CallRef> {
    // Attribute calls on `self`/`cls` skip the root lookup; other roots
    // are asked whether they may lead to the project.
    if !matches!(func, Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if matches!(n.id.as_str(), "self" | "cls")))
        && !may_reach_project(checker, root)
    {
        return None;
    }
    let (at, out) = checker.summary_call(call)?;
    let possible = match &out.callee {
        Callee::Qualified(q) => {
            let top = q.split(['.', '(']).next().unwrap_or("");
            q.starts_with('.')
                || !is_stdlib_module(top, checker.settings().target_version)
                    && !LIBRARY_COROUTINES.contains(&&**q)
        }
        // The module's own classes were searched for `m` already; `super().m()`
        // is looked up from the bases, this module's included, by the project.
        Callee::Method { class, .. } => !inherits_only_from_stdlib(checker, *class),
        Callee::Super { .. } => true,
        Callee::Function(_) | Callee::Class(_) => false,
    };
    possible.then_some(at)
}

/// Every base of `class` from another module (through its bases in this
/// module) is a standard-library class, so a method that the module's
/// classes do not define (a `Callee::Method`) comes from the standard
/// library, whose calls are not followed (as for qualified callees above).
/// `self.assertEqual(...)` in a `unittest.TestCase` is the common case.
/// Also true without such a base: the project then has nowhere to find the
/// method either.
fn inherits_only_from_stdlib(checker: &Checker, class: u32) -> bool {
    let classes = &checker.summary().interface.classes;
    let target = checker.settings().target_version;
    let mut todo = vec![class];
    let mut seen = vec![class];
    while let Some(c) = todo.pop() {
        let Some(facts) = classes.get(c as usize) else {
            return false;
        };
        for base in &facts.bases {
            match base {
                BaseRef::Local(local) => {
                    if !seen.contains(local) {
                        seen.push(*local);
                        todo.push(*local);
                    }
                }
                BaseRef::Qualified(q) => {
                    let top = q.split(['.', '(']).next().unwrap_or("");
                    if q.starts_with('.') || !is_stdlib_module(top, target) {
                        return false;
                    }
                }
            }
        }
    }
    true
}

impl Misuse {
    /// A static name, for a deferred finding's condition.
    fn code(self) -> &'static str {
        match self {
            Misuse::Dropped => "dropped",
            Misuse::UnusedLocal => "unused",
            Misuse::AsValue(use_) => use_,
        }
    }

    fn from_code(code: &'static str) -> Misuse {
        match code {
            "dropped" => Misuse::Dropped,
            "unused" => Misuse::UnusedLocal,
            use_ => Misuse::AsValue(use_),
        }
    }
}

fn message(callee: &str, misuse: Misuse) -> String {
    let what = match misuse {
        Misuse::Dropped => "its coroutine is dropped".to_string(),
        Misuse::UnusedLocal => "its coroutine is bound to a local that is never used".to_string(),
        Misuse::AsValue(use_) => format!("its coroutine is {use_} as if it were the result"),
    };
    format!(
        "`{callee}` is a coroutine function called without `await`: {what}, so its body never runs"
    )
}

/// The help, and inside a coroutine the fix.
fn finish(d: &mut Diagnostic, misuse: Misuse, fixable: bool) {
    d.help("`await` it, or schedule it with `asyncio.create_task(...)` and keep the task");
    if fixable {
        let fix = await_fix(d.range, &misuse);
        d.fix(fix);
    }
}

/// A cheap test before looking the call up in the summary: the callee's
/// root is `super()`, a name bound in this module (a receiver, a class, a
/// parameter), or an import of a module outside the standard library.
fn may_reach_project(checker: &Checker, root: &LazyLookup) -> bool {
    let Some(lookup) = root.get(checker) else {
        return false;
    };
    let semantic = checker.semantic();
    match lookup {
        Lookup::Builtin => root.name.is_some_and(|n| n.id.as_str() == "super"),
        Lookup::Unbound => false,
        Lookup::Binding(b) => match &semantic.binding(b).kind {
            BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                let top = qualified.split('.').next().unwrap_or("");
                qualified.starts_with('.')
                    || !is_stdlib_module(top, checker.settings().target_version)
            }
            _ => true,
        },
    }
}

/// The name an access path starts from (`a` in `a.b().c`), if it is one.
fn access_root(mut expr: &Expr) -> Option<&ExprName> {
    loop {
        match expr {
            Expr::Attribute(a) => expr = &a.value,
            Expr::Call(c) => expr = &c.func,
            Expr::Name(n) => return Some(n),
            _ => return None,
        }
    }
}

/// What happens to the call's value, if it is one of the misuses.
fn misuse(checker: &Checker, call: &Expr) -> Option<Misuse> {
    let range = call.range();
    let is = |e: &Expr| e.range() == range;
    Some(match checker.parent()? {
        Node::Stmt(Stmt::Expr(_)) => Misuse::Dropped,
        Node::Stmt(Stmt::Assign(assign)) if assign.targets.len() == 1 && is(&assign.value) => {
            if !assign.targets[0].is_name_expr() {
                return None;
            }
            // Whether the local is read later is asked only of coroutine calls.
            Misuse::UnusedLocal
        }
        Node::Expr(Expr::Subscript(s)) if is(&s.value) => Misuse::AsValue("subscripted"),
        // `coro.send(None)`, `coro.__await__()`, `coro.cr_frame`: driving or
        // inspecting the coroutine object itself.
        Node::Expr(Expr::Attribute(a)) if is(&a.value) && !is_coroutine_protocol(&a.attr) => {
            Misuse::AsValue("accessed for an attribute")
        }
        Node::Stmt(Stmt::For(f)) if !f.is_async && is(&f.iter) => Misuse::AsValue("iterated"),
        Node::Stmt(Stmt::If(i)) if is(&i.test) => Misuse::AsValue("truth-tested"),
        Node::Stmt(Stmt::While(w)) if is(&w.test) => Misuse::AsValue("truth-tested"),
        Node::Stmt(Stmt::Assert(a)) if is(&a.test) => Misuse::AsValue("truth-tested"),
        Node::Expr(Expr::If(i)) if is(&i.test) => Misuse::AsValue("truth-tested"),
        // The last operand of `and`/`or` is the value, not a test.
        Node::Expr(Expr::BoolOp(b)) if b.values.last().is_some_and(|v| !is(v)) => {
            Misuse::AsValue("truth-tested")
        }
        Node::Expr(Expr::UnaryOp(u)) if u.op.is_not() => Misuse::AsValue("truth-tested"),
        Node::Expr(Expr::Compare(_)) => Misuse::AsValue("compared"),
        _ => return None,
    })
}

/// The call is `name = f()`: whether `name` is read afterwards in the function.
fn local_read_later(checker: &Checker) -> bool {
    let Some(Node::Stmt(Stmt::Assign(assign))) = checker.parent() else {
        return true;
    };
    let Some(Expr::Name(target)) = assign.targets.first() else {
        return true;
    };
    let semantic = checker.semantic();
    // Module-level names are state that others may read.
    let Some(function) = semantic.enclosing_function(checker.scope()) else {
        return true;
    };
    let loop_range = enclosing_loop(checker).map(|l| l.range());
    read_later(semantic, function, &target.id, assign.end(), loop_range)
}

/// The display name of the coroutine function the callee resolves to.
fn coroutine_function(checker: &Checker, func: &Expr, root: &LazyLookup) -> Option<String> {
    let semantic = checker.semantic();
    // Cheap pre-filter before resolving: a plain name bound by a `def` or
    // an import, or an attribute whose name some coroutine API has, or
    // whose root is a project binding (a receiver, a class).
    match func {
        // The root of a bare name is the name itself.
        Expr::Name(n) => match root.get(checker)? {
            Lookup::Binding(b) => match &semantic.binding(b).kind {
                BindingKind::FunctionDef { scope } => {
                    return (semantic.defines_async_def(&n.id)
                        && is_coroutine_def(semantic, *scope))
                    .then(|| n.id.to_string());
                }
                BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                    return LIBRARY_COROUTINES
                        .contains(&qualified.as_str())
                        .then(|| qualified.clone());
                }
                // An alias (`run = save`) is resolved below.
                BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. } => {}
                _ => return None,
            },
            _ => return None,
        },
        Expr::Attribute(attr) => {
            // Imported modules and builtins resolve to library names: only
            // the known coroutine names are worth building them for.
            let known_name = CLIENT_METHODS.contains(&attr.attr.as_str())
                || LIBRARY_COROUTINE_NAMES.contains(&attr.attr.as_str());
            let project_coroutine =
                semantic.defines_async_def(&attr.attr) && root_is_project_value(checker, root);
            if !known_name && !project_coroutine {
                return None;
            }
        }
        _ => return None,
    }
    match checker.resolve(func)? {
        Resolved::Function(scope) => {
            is_coroutine_def(semantic, scope).then(|| checker.slice(func.range()).to_string())
        }
        Resolved::Qualified(q) => {
            if LIBRARY_COROUTINES.contains(&q.as_str()) {
                return Some(q);
            }
            let (receiver, method) = q.rsplit_once('.')?;
            (ASYNC_CLIENTS.contains(&receiver) && CLIENT_METHODS.contains(&method))
                .then(|| checker.slice(func.range()).to_string())
        }
        _ => None,
    }
}

/// The root of an access path is bound in this module by something other
/// than an import (a receiver, a local, a class): it may lead to a project
/// coroutine function.
fn root_is_project_value(checker: &Checker, root: &LazyLookup) -> bool {
    let semantic = checker.semantic();
    match root.get(checker) {
        Some(Lookup::Binding(b)) => !semantic.binding(b).kind.is_import(),
        _ => false,
    }
}

/// Insert `await` (parenthesised where the call is the base of an access).
fn await_fix(call: TextRange, misuse: &Misuse) -> Fix {
    let needs_parens = matches!(
        misuse,
        Misuse::AsValue("subscripted" | "accessed for an attribute")
    );
    let mut edits = vec![Edit {
        range: TextRange::empty(call.start()),
        content: if needs_parens { "(await " } else { "await " }.to_string(),
    }];
    if needs_parens {
        edits.push(Edit {
            range: TextRange::empty(call.end()),
            content: ")".to_string(),
        });
    }
    Fix {
        message: "Insert `await`".to_string(),
        applicability: Applicability::Unsafe,
        edits,
    }
}

fn is_coroutine_protocol(attr: &str) -> bool {
    matches!(attr, "send" | "throw" | "close" | "__await__") || attr.starts_with("cr_")
}
