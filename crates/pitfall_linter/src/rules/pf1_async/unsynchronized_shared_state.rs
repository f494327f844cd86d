//! PF104 `unsynchronized-shared-state`: read-modify-write of shared state in
//! code that threads (or processes) run concurrently, without a lock.
//!
//! Works at the end of the module: entry points come from the call sites in
//! the semantic index, what they reach from the module summary's call
//! graph; only the functions reached are read again, and only when the
//! module starts threads or processes at all.

use pitfall_semantic::{BindingKind, Lookup, PathSegment, Resolved, ScopeId, SemanticIndex};
use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

use pitfall_semantic::runs_callable;

use crate::checker::Checker;
use crate::checker::Node;
use crate::diagnostic::{Condition, Diagnostic, Related};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{FactKey, FunctionRef, ProjectChecker, ProjectNeeds, Witness};
use crate::registry::rule_meta;
use crate::rule::StmtKind;
use crate::rule::{Interests, Rule};
use crate::rules::common::{ancestors_of, argument, child_bodies, stmt_at};
use crate::rules::pf3_scopes::stdlib_module_shadowing::is_stdlib_module;
use crate::summary::{
    lock_like_name, spawn_api as target_argument, SummaryNeeds, GUARD_LOCKS as LOCKS,
};

pub struct UnsynchronizedSharedState;

static META: RuleMeta = rule_meta(
    "PF104",
    "unsynchronized-shared-state",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &[],
    "Read-modify-write of globals, shared containers or `Value` in thread/process entry points without a lock.",
);

const SHARED_VALUES: &[&str] = &[
    "multiprocessing.Value()",
    "multiprocessing.Array()",
    "multiprocessing.get_context().Value()",
    "multiprocessing.get_context().Array()",
    "multiprocessing.sharedctypes.Value()",
];

/// A concurrent entry point: a function handed to a thread, pool or process.
struct Entry {
    function: ScopeId,
    /// How it is started, for the message (`threading.Thread`).
    api: String,
    /// Started from a loop or comprehension, or submitted to a pool.
    concurrent: bool,
    /// Threads share globals; processes share only `Value`/`Array`.
    threads: bool,
    /// Parameters that receive a `multiprocessing.Value`/`Array` (`args=(v,)`).
    value_params: Vec<Name>,
    /// `run` of a class whose `Thread` base only the project can confirm:
    /// the class's qualified name (its findings are deferred).
    thread_class: Option<String>,
}

/// What a statement updates.
#[derive(Clone, PartialEq, Eq)]
enum State {
    Global(Name),
    Container(Name),
    SharedValue(Name),
}

impl Rule for UnsynchronizedSharedState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::SPAWNS
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS
            .with(SummaryNeeds::LOCKS)
            .with(SummaryNeeds::GUARDS)
            .with(SummaryNeeds::SPAWNS)
    }

    /// `run` of classes that derive from `threading.Thread` through project
    /// classes (in any module): kept when the project confirms the base.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let deferred: Vec<&Diagnostic> = cx.deferred().collect();
        for d in deferred {
            if let Some(Condition::SharedStateUpdate {
                function,
                shared_value,
                other_writers,
            }) = &d.condition
            {
                confirm_update(cx, d, *function, *shared_value, other_writers);
                continue;
            }
            let Some(Condition::ThreadSubclass { class }) = &d.condition else {
                continue;
            };
            let confirmed = cx.facts.thread_classes.iter().any(|c| {
                cx.summary
                    .interface
                    .class_qualname(*c)
                    .is_some_and(|q| q == *class)
            });
            if confirmed {
                cx.confirm(d);
            }
        }
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .module_end()
            .stmt(StmtKind::AugAssign)
            .stmt(StmtKind::Assign)
    }

    /// Every read-modify-write of this module's shared state outside a lock
    /// in its function is a candidate for the project: a thread started in
    /// another module may reach it. Deferred; the module's own entry points
    /// decide at the module's end.
    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let (target, value) = match stmt {
            Stmt::AugAssign(a) => (&*a.target, None),
            // `x = x <op> ...`, `d[k] = d.get(k, 0) + 1`: an operation on the old value.
            Stmt::Assign(a) if a.targets.len() == 1 && a.value.is_bin_op_expr() => {
                (&a.targets[0], Some(&*a.value))
            }
            _ => return,
        };
        // Syntax first: `x = x op ...`, `d[k] op= ...`, `v.value op= ...`.
        let base = match target {
            Expr::Name(n) => &n.id,
            Expr::Subscript(ast::ExprSubscript { value: base, .. }) => match &**base {
                Expr::Name(n) => &n.id,
                _ => return,
            },
            Expr::Attribute(a) if a.attr.as_str() == "value" => match &*a.value {
                Expr::Name(n) => &n.id,
                _ => return,
            },
            _ => return,
        };
        // The value's text names the base before its tree is searched.
        if value.is_some_and(|v| {
            !mentions(checker.slice(v.range()).as_bytes(), base.as_bytes()) || !reads_name(v, base)
        }) {
            return;
        }
        let scope = checker.scope();
        let semantic = checker.semantic();
        if !matches!(
            semantic.scope(scope).kind,
            pitfall_semantic::ScopeKind::Function { .. }
        ) {
            return;
        }
        let Some(state) = updated_state(checker, scope, target, value, &[]) else {
            return;
        };
        // A `nonlocal` is shared with the enclosing function only.
        if matches!(&state, State::Global(n)
            if semantic.symbol_in(scope, n).is_some_and(|s| s.declared_global.is_none()))
        {
            return;
        }
        let guarded = checker.parents().iter().rev().any(|n| match n {
            Node::Stmt(s) => holds_lock(checker, scope, s, stmt.range()),
            _ => false,
        });
        if guarded {
            return;
        }
        let summary = checker.summary();
        let slot = |s: ScopeId| {
            summary
                .locations
                .functions
                .binary_search_by_key(&s, |f| f.scope)
                .ok()
                .map(|i| i as u32)
        };
        let Some(function) = slot(scope) else { return };
        let other_writers = match &state {
            State::Global(n) => semantic
                .scope_ids()
                .filter(|s| {
                    *s != scope
                        && semantic
                            .symbol_in(*s, n)
                            .is_some_and(|sym| sym.declared_global.is_some() && sym.is_bound())
                })
                .filter_map(slot)
                .collect(),
            _ => Vec::new(),
        };
        let what = describe(&state);
        checker
            .report(what, stmt.range())
            .on_condition(Condition::SharedStateUpdate {
                function,
                shared_value: matches!(state, State::SharedValue(_)),
                other_writers,
            });
    }

    fn check_module_end(&self, checker: &mut Checker) {
        let entries = entry_points(checker);
        if entries.is_empty() {
            return;
        }
        let mut starts: FxHashMap<ScopeId, usize> = FxHashMap::default();
        for e in &entries {
            *starts.entry(e.function).or_default() += 1;
        }
        let mut reported: FxHashSet<TextRange> = FxHashSet::default();
        for entry in &entries {
            let reached = reach(checker, entry.function);
            let reached_set: FxHashSet<ScopeId> = reached.keys().copied().collect();
            for (&function, _) in reached.iter() {
                let Some(def) = function_def(checker, function) else {
                    continue;
                };
                let value_params: &[Name] = if function == entry.function {
                    &entry.value_params
                } else {
                    &[]
                };
                let mut updates = Vec::new();
                collect_updates(
                    checker,
                    function,
                    &def.body,
                    false,
                    value_params,
                    &mut updates,
                );
                for (range, state) in updates {
                    if reported.contains(&range) {
                        continue;
                    }
                    if !entry.threads && !matches!(state, State::SharedValue(_)) {
                        continue;
                    }
                    let concurrent = entry.concurrent
                        || starts[&entry.function] > 1
                        || matches!(&state, State::Global(n) if written_elsewhere(checker.semantic(), n, &reached_set));
                    if !concurrent {
                        continue;
                    }
                    let chain = chain_to(&reached, function);
                    if chain
                        .iter()
                        .any(|(caller, site)| locked_at(checker, *caller, *site))
                    {
                        continue;
                    }
                    reported.insert(range);
                    checker.withdraw_deferred(range);
                    report(checker, entry, &chain, function, range, &state);
                }
            }
        }
    }
}

fn report(
    checker: &mut Checker,
    entry: &Entry,
    chain: &[(ScopeId, TextRange)],
    function: ScopeId,
    range: TextRange,
    state: &State,
) {
    let semantic = checker.semantic();
    let name = |s: ScopeId| semantic.scope(s).name.as_deref().unwrap_or("?").to_string();
    let what = describe(state);
    let mut path: Vec<String> = chain.iter().map(|(s, _)| name(*s)).collect();
    path.push(name(function));
    let related = chain
        .iter()
        .map(|(s, site)| Related {
            path: None,
            range: *site,
            message: format!("`{}` calls this", name(*s)),
        })
        .collect();
    let api = entry.api.replace("()", "(...)");
    let d = checker
        .report(
            format!(
                "Read-modify-write of {what} without a lock in code run concurrently by `{api}` ({}): updates can be lost",
                path.join(" → ")
            ),
            range,
        )
        .help("hold a lock around it (`with lock:`; `with v.get_lock():` for a `Value`), or pass results back through a queue")
        .related(related);
    if let Some(class) = &entry.thread_class {
        d.on_condition(Condition::ThreadSubclass {
            class: class.clone(),
        });
    }
}

/// What a statement updates, for the message.
fn describe(state: &State) -> String {
    match state {
        State::Global(n) => format!("shared variable `{n}`"),
        State::Container(n) => format!("an element of module-level `{n}`"),
        State::SharedValue(n) => format!("`{n}.value`"),
    }
}

/// How a spawned function reaches another: the entry point first.
struct Trail {
    /// `(caller, call index)`, from the entry point down.
    steps: Vec<(FunctionRef, u32)>,
    /// The entry point.
    entry: FunctionRef,
    origin: Witness,
}

/// Follows `key`'s witnesses from `function` up to the spawn that starts it.
fn trail(cx: &ProjectChecker, function: FunctionRef, key: &FactKey) -> Option<Trail> {
    let mut steps = Vec::new();
    let mut at = function;
    for _ in 0..256 {
        let witness = if at.module == cx.module {
            cx.facts.fact(at.function, key)
        } else {
            cx.view.facts(at.module)?.fact(at.function, key)
        }?;
        match witness {
            Witness::CalledBy { caller, call } => {
                steps.push((caller, call));
                at = caller;
            }
            Witness::Spawned { .. } | Witness::ThreadRun { .. } => {
                steps.reverse();
                return Some(Trail {
                    steps,
                    entry: at,
                    origin: witness,
                });
            }
            _ => return None,
        }
    }
    None
}

/// A deferred read-modify-write: reported when a spawn whose way to it
/// passes through another module reaches its function (same-module ways
/// are the module's own analysis, at its end).
fn confirm_update(
    cx: &mut ProjectChecker,
    d: &Diagnostic,
    function: u32,
    shared_value: bool,
    other_writers: &[u32],
) {
    let here = FunctionRef {
        module: cx.module,
        function,
    };
    for (concurrent, threads) in [(true, true), (true, false), (false, true), (false, false)] {
        // Processes share only `Value`/`Array`.
        if !threads && !shared_value {
            continue;
        }
        let key = FactKey::Spawned {
            concurrent,
            threads,
        };
        let Some(trail) = trail(cx, here, &key) else {
            continue;
        };
        let origin = match trail.origin {
            Witness::Spawned { module, .. } | Witness::ThreadRun { module, .. } => module,
            _ => continue,
        };
        let crosses = origin != cx.module
            || trail.entry.module != cx.module
            || trail.steps.iter().any(|(f, _)| f.module != cx.module);
        if !crosses {
            continue;
        }
        // Started once: only another writer of the same global (not on
        // the way from the same spawn) makes it concurrent.
        let concurrent = concurrent
            || other_writers.iter().any(|g| {
                let g = FunctionRef {
                    module: cx.module,
                    function: *g,
                };
                trail_of_any(cx, g).is_none_or(|origin| origin != trail.origin)
            });
        if !concurrent {
            continue;
        }
        report_confirmed(cx, d, &trail);
        return;
    }
}

/// The spawn that reaches `function` first (any key), if one does.
fn trail_of_any(cx: &ProjectChecker, function: FunctionRef) -> Option<Witness> {
    [(true, true), (true, false), (false, true), (false, false)]
        .into_iter()
        .find_map(|(concurrent, threads)| {
            trail(
                cx,
                function,
                &FactKey::Spawned {
                    concurrent,
                    threads,
                },
            )
        })
        .map(|t| t.origin)
}

fn report_confirmed(cx: &mut ProjectChecker, d: &Diagnostic, trail: &Trail) {
    let here = cx.view.display_path(cx.module).unwrap_or_default();
    let module_name = |m: u32| cx.view.module_name(m).unwrap_or_default();
    let qualname = |f: FunctionRef| {
        cx.qualname(f)
            .map(|qualname| (qualname, cx.def_line(f)))
            .unwrap_or_default()
    };
    let mut related = Vec::new();
    let (api, origin_path, origin_range) = match trail.origin {
        Witness::Spawned { module, spawn } => {
            let summary = if module == cx.module {
                None
            } else {
                cx.view.summary(module)
            };
            let summary = summary.as_deref().unwrap_or(cx.summary);
            let api = summary
                .interface
                .spawns
                .get(spawn as usize)
                .map(|s| s.api.replace("()", "(...)"))
                .unwrap_or_default();
            let range = summary
                .locations
                .spawns
                .get(spawn as usize)
                .copied()
                .unwrap_or_default();
            (api, module, Some(range))
        }
        Witness::ThreadRun { module, .. } => (qualname(trail.entry).0, module, None),
        _ => return,
    };
    let path_of = |m: u32| {
        let p = cx.view.display_path(m).unwrap_or_default();
        (p != here).then_some(p)
    };
    if let Some(range) = origin_range {
        related.push(Related {
            path: path_of(origin_path),
            range,
            message: format!("started by `{api}` here"),
        });
    }
    let (entry_name, _) = qualname(trail.entry);
    let mut names = vec![format!("{}:{entry_name}", module_name(trail.entry.module))];
    for (caller, call) in &trail.steps {
        let (caller_name, _) = qualname(*caller);
        let range = cx
            .with_function(*caller, |_, at| at.calls.get(*call as usize).copied())
            .flatten()
            .unwrap_or_default();
        related.push(Related {
            path: path_of(caller.module),
            range,
            message: format!("`{caller_name}` calls this"),
        });
    }
    // The callees after the entry point: the next step's caller, then this function.
    let mut callees: Vec<FunctionRef> = trail.steps.iter().skip(1).map(|(f, _)| *f).collect();
    if !trail.steps.is_empty() {
        callees.push(FunctionRef {
            module: cx.module,
            function: match &d.condition {
                Some(Condition::SharedStateUpdate { function, .. }) => *function,
                _ => return,
            },
        });
    }
    for f in callees {
        let (name, line) = qualname(f);
        names.push(if f.module == cx.module {
            name
        } else {
            format!(
                "{}:{name} ({}:{line})",
                module_name(f.module),
                cx.view.display_path(f.module).unwrap_or_default()
            )
        });
    }
    let message = format!(
        "Read-modify-write of {} without a lock in code run concurrently by `{api}` ({}): updates can be lost",
        d.message,
        names.join(" → ")
    );
    let finding = cx.confirm(d);
    finding.message = message;
    finding.related = related;
    finding.help = Some(
        "hold a lock around it (`with lock:`; `with v.get_lock():` for a `Value`), or pass results back through a queue"
            .to_string(),
    );
}

/// `Outer.Inner`: the class's name as the module summary spells it.
fn class_qualname(semantic: &SemanticIndex, scope: ScopeId) -> String {
    let mut parts = Vec::new();
    let mut s = Some(scope);
    while let Some(id) = s {
        if let Some(name) = &semantic.scope(id).name {
            parts.push(name.as_str());
        }
        s = semantic.scope(id).parent;
    }
    parts.reverse();
    parts.join(".")
}

/// The entry points of this module, from its call sites and its
/// `threading.Thread` subclasses.
fn entry_points(checker: &Checker) -> Vec<Entry> {
    let semantic = checker.semantic();
    let module = checker.module();
    let mut entries = Vec::new();
    for call in &semantic.calls {
        let Some(callee) = &call.callee else { continue };
        let last = match callee.segments.last() {
            Some(PathSegment::Attr(a)) => a.as_str(),
            Some(PathSegment::Call) => continue,
            None => callee.root.as_str(),
        };
        if !runs_callable(last) {
            continue;
        }
        let Some(Resolved::Qualified(api)) = semantic.resolve_path(callee, 0) else {
            continue;
        };
        let Some((position, keywords, pool, threads)) = target_argument(&api) else {
            continue;
        };
        let path = ancestors_of(module, call.range);
        // An expression statement has the range of its call: the descent stops there.
        let call_node = match path.last() {
            Some(Node::Expr(Expr::Call(c))) => c,
            Some(Node::Stmt(Stmt::Expr(e))) => match &*e.value {
                Expr::Call(c) => c,
                _ => continue,
            },
            _ => continue,
        };
        let Some(target) = argument(call_node, position, keywords) else {
            continue;
        };
        let Some(Resolved::Function(function)) = semantic.resolve_expr(target, call.scope) else {
            continue;
        };
        let in_loop = semantic.scope(call.scope).kind == pitfall_semantic::ScopeKind::Comprehension
            || path
                .iter()
                .rev()
                .take_while(|n| !matches!(n, Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_))))
                .any(|n| matches!(n, Node::Stmt(Stmt::For(_) | Stmt::While(_))));
        let value_params = value_parameters(checker, call_node, call.scope, function);
        entries.push(Entry {
            function,
            api,
            concurrent: pool || in_loop,
            threads,
            value_params,
            thread_class: None,
        });
    }
    // `run` of a `threading.Thread` subclass.
    for scope in semantic.scope_ids() {
        let s = semantic.scope(scope);
        if s.kind != pitfall_semantic::ScopeKind::Class {
            continue;
        }
        let is_thread = s.bases.iter().any(|b| {
            b.segments.last() == Some(&PathSegment::Attr(Name::new_static("Thread")))
                || b.root.as_str() == "Thread"
        }) && s.bases.iter().any(|b| {
            semantic
                .resolve_path(b, 0)
                .is_some_and(|r| r.qualified() == Some("threading.Thread"))
        });
        // Bases of the project (here or in other modules) may derive from
        // `Thread`: the project decides (`ModuleFacts::thread_classes`).
        let maybe_thread = !is_thread
            && s.bases.iter().any(|b| match semantic.resolve_path(b, 0) {
                Some(Resolved::Class(_)) => true,
                Some(Resolved::Qualified(q)) => !is_stdlib_module(
                    q.split('.').next().unwrap_or(""),
                    checker.settings().target_version,
                ),
                _ => false,
            });
        if !is_thread && !maybe_thread {
            continue;
        }
        if let Some(Resolved::Function(run)) = semantic.class_member(scope, "run", 0) {
            // Only a `run` of the class itself (not inherited from elsewhere).
            if maybe_thread && semantic.scope(run).parent != Some(scope) {
                continue;
            }
            entries.push(Entry {
                function: run,
                api: format!("{}.run", s.name.as_deref().unwrap_or("?")),
                concurrent: false,
                threads: true,
                value_params: Vec::new(),
                thread_class: maybe_thread.then(|| class_qualname(semantic, scope)),
            });
        }
    }
    entries
}

/// Parameters of `function` that receive a `Value`/`Array` through `args=(...)`.
fn value_parameters(
    checker: &Checker,
    call: &ast::ExprCall,
    scope: ScopeId,
    function: ScopeId,
) -> Vec<Name> {
    let Some(Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. })) =
        argument(call, None, &["args"])
    else {
        return Vec::new();
    };
    let Some(def) = function_def(checker, function) else {
        return Vec::new();
    };
    let params: Vec<&Name> = def
        .parameters
        .posonlyargs
        .iter()
        .chain(def.parameters.args.iter())
        .map(|p| &p.parameter.name.id)
        .collect();
    elts.iter()
        .enumerate()
        .filter(|(_, e)| is_shared_value(checker.semantic(), e, scope))
        .filter_map(|(i, _)| params.get(i).map(|n| (*n).clone()))
        .collect()
}

fn is_shared_value(semantic: &SemanticIndex, expr: &Expr, scope: ScopeId) -> bool {
    semantic
        .resolve_expr(expr, scope)
        .is_some_and(|r| r.qualified().is_some_and(|q| SHARED_VALUES.contains(&q)))
}

/// The `def` of a function scope, found by descending to its range.
fn function_def<'a>(checker: &Checker<'a>, function: ScopeId) -> Option<&'a ast::StmtFunctionDef> {
    let range = checker.semantic().scope(function).node_range;
    match stmt_at(checker.module(), range) {
        Some(Stmt::FunctionDef(def)) => Some(def),
        _ => None,
    }
}

/// Functions reached from `entry` through this module's call graph, each
/// with the step that reached it first (`(caller, call site)`).
fn reach(checker: &Checker, entry: ScopeId) -> FxHashMap<ScopeId, Option<(ScopeId, TextRange)>> {
    let summary = checker.summary();
    let mut reached = FxHashMap::default();
    reached.insert(entry, None);
    let mut queue = vec![entry];
    while let Some(f) = queue.pop() {
        if reached.len() > 64 {
            break;
        }
        let Some((_, calls)) = summary.local_call_graph().find(|(s, _)| *s == f) else {
            continue;
        };
        for (callee, range) in calls {
            if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(callee) {
                slot.insert(Some((f, range)));
                queue.push(callee);
            }
        }
    }
    reached
}

/// The steps from the entry down to `function`, entry first.
fn chain_to(
    reached: &FxHashMap<ScopeId, Option<(ScopeId, TextRange)>>,
    function: ScopeId,
) -> Vec<(ScopeId, TextRange)> {
    let mut chain = Vec::new();
    let mut current = function;
    while let Some(Some((caller, site))) = reached.get(&current) {
        chain.push((*caller, *site));
        current = *caller;
        if chain.len() > 64 {
            break;
        }
    }
    chain.reverse();
    chain
}

/// The call at `site` in `caller` runs while a lock is held.
fn locked_at(checker: &Checker, caller: ScopeId, site: TextRange) -> bool {
    let def_range = checker.semantic().scope(caller).node_range;
    ancestors_of(checker.module(), site)
        .iter()
        .filter(|n| def_range.contains_range(n.range()) && n.range() != def_range)
        .any(|n| matches!(n, Node::Stmt(s) if holds_lock(checker, caller, s, site)))
}

/// `stmt` holds a lock over `inner`: `with lock:`, or `try:` ... `finally: lock.release()`.
fn holds_lock(checker: &Checker, scope: ScopeId, stmt: &Stmt, inner: TextRange) -> bool {
    match stmt {
        Stmt::With(w) => w
            .items
            .iter()
            .any(|item| is_lock(checker.semantic(), &item.context_expr, scope)),
        Stmt::Try(t) => {
            let in_body = t.body.iter().any(|s| s.range().contains_range(inner));
            in_body
                && t.finalbody.iter().any(|s| {
                    matches!(s, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(c)
                        if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "release")))
                })
        }
        _ => false,
    }
}

/// A lock: resolves to a lock constructor, is `v.get_lock()`, or is named like
/// one (`self._lock`, a `lock` parameter), since locks are often passed in.
fn is_lock(semantic: &SemanticIndex, expr: &Expr, scope: ScopeId) -> bool {
    let last = match expr {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Call(c) => match &*c.func {
            Expr::Attribute(a) => a.attr.as_str(),
            Expr::Name(n) => n.id.as_str(),
            _ => return false,
        },
        _ => return false,
    };
    if lock_like_name(last) {
        return true;
    }
    semantic
        .resolve_expr(expr, scope)
        .is_some_and(|r| r.qualified().is_some_and(|q| LOCKS.contains(&q)))
}

/// Read-modify-write statements of `body` outside any lock, not entering
/// nested functions and classes.
fn collect_updates(
    checker: &Checker,
    scope: ScopeId,
    body: &[Stmt],
    locked: bool,
    value_params: &[Name],
    out: &mut Vec<(TextRange, State)>,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
            Stmt::AugAssign(a) if !locked => {
                if let Some(state) = updated_state(checker, scope, &a.target, None, value_params) {
                    out.push((a.range, state));
                }
            }
            Stmt::Assign(a) if !locked && a.targets.len() == 1 => {
                if let Some(state) =
                    updated_state(checker, scope, &a.targets[0], Some(&a.value), value_params)
                {
                    out.push((a.range, state));
                }
            }
            _ => {}
        }
        if let Stmt::Try(t) = stmt {
            // A `finally: lock.release()` covers the `try` body only.
            let body_locked = locked
                || t.body
                    .first()
                    .is_some_and(|first| holds_lock(checker, scope, stmt, first.range()));
            collect_updates(checker, scope, &t.body, body_locked, value_params, out);
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                collect_updates(checker, scope, &h.body, locked, value_params, out);
            }
            collect_updates(checker, scope, &t.orelse, locked, value_params, out);
            collect_updates(checker, scope, &t.finalbody, locked, value_params, out);
            continue;
        }
        let inner_locked = locked || holds_lock(checker, scope, stmt, stmt.range());
        for inner in child_bodies(stmt) {
            collect_updates(checker, scope, inner, inner_locked, value_params, out);
        }
    }
}

/// What `target` updates, if the statement is a read-modify-write of shared
/// state: `value` is `None` for an augmented assignment (always a read too).
fn updated_state(
    checker: &Checker,
    scope: ScopeId,
    target: &Expr,
    value: Option<&Expr>,
    value_params: &[Name],
) -> Option<State> {
    let semantic = checker.semantic();
    let reads =
        |name: &str| value.is_none_or(|v| matches!(v, Expr::BinOp(_)) && reads_name(v, name));
    match target {
        Expr::Name(n) => {
            let sym = semantic.symbol_in(scope, &n.id)?;
            let shared = sym.declared_global.is_some() || sym.declared_nonlocal.is_some();
            (shared && reads(&n.id)).then(|| State::Global(n.id.clone()))
        }
        Expr::Subscript(s) => {
            let Expr::Name(base) = &*s.value else {
                return None;
            };
            let Lookup::Binding(b) = semantic.lookup(scope, &base.id, base.start()) else {
                return None;
            };
            let binding = semantic.binding(b);
            let module_container = binding.scope == SemanticIndex::MODULE
                && matches!(
                    binding.kind,
                    BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. }
                );
            (module_container && reads(&base.id)).then(|| State::Container(base.id.clone()))
        }
        Expr::Attribute(a) if a.attr.as_str() == "value" => {
            let Expr::Name(base) = &*a.value else {
                return None;
            };
            let shared =
                value_params.contains(&base.id) || is_shared_value(semantic, &a.value, scope);
            (shared && reads(&base.id)).then(|| State::SharedValue(base.id.clone()))
        }
        _ => None,
    }
}

/// `needle` occurs in `hay` (short needles: no searcher to build).
fn mentions(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    memchr::memchr_iter(first, hay).any(|i| hay[i + 1..].starts_with(rest))
}

/// `expr` loads `name` somewhere.
fn reads_name(expr: &Expr, name: &str) -> bool {
    struct Reads<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> ruff_python_ast::visitor::Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Name(n) = expr {
                if n.ctx == ExprContext::Load && n.id.as_str() == self.name {
                    self.found = true;
                }
                return;
            }
            pitfall_semantic::stack::guarded(|| ruff_python_ast::visitor::walk_expr(self, expr));
        }
    }
    let mut r = Reads { name, found: false };
    ruff_python_ast::visitor::Visitor::visit_expr(&mut r, expr);
    r.found
}

/// Another function, outside the entry's reach, also assigns the global.
fn written_elsewhere(semantic: &SemanticIndex, name: &Name, reached: &FxHashSet<ScopeId>) -> bool {
    semantic.scope_ids().any(|s| {
        !reached.contains(&s)
            && semantic
                .symbol_in(s, name)
                .is_some_and(|sym| sym.declared_global.is_some() && sym.is_bound())
    })
}
