//! PF105 `multiprocessing-without-main-guard`: processes or pools created at
//! module level run again in every spawned child.

use pitfall_semantic::{PathSegment, Resolved, ScopeId, ScopeKind, SemanticIndex, ValuePath};
use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use crate::checker::Checker;
use crate::diagnostic::Related;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::is_main_guard_test;

pub struct MultiprocessingWithoutMainGuard;

static META: RuleMeta = rule_meta(
    "PF105",
    "multiprocessing-without-main-guard",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &[],
    "Processes or pools created at module level re-run in every spawned child.",
);

/// Functions that start processes: `(api, call site, next function on the way)`.
type Starters = FxHashMap<ScopeId, (String, TextRange, Option<ScopeId>)>;

/// Calls that start worker processes (or pick how they start).
const PROCESS_APIS: &[&str] = &[
    "multiprocessing.Pool",
    "multiprocessing.pool.Pool",
    "multiprocessing.get_context().Pool",
    "multiprocessing.Process().start",
    "multiprocessing.get_context().Process().start",
    "multiprocessing.context.Process().start",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
    "multiprocessing.set_start_method",
];

/// The last names of those calls: nothing else is resolved.
fn last_name_may_start(callee: &ValuePath) -> bool {
    let last = match callee.segments.last() {
        Some(PathSegment::Attr(a)) => a.as_str(),
        Some(PathSegment::Call) => return false,
        None => callee.root.as_str(),
    };
    matches!(
        last,
        "Pool" | "start" | "ProcessPoolExecutor" | "set_start_method"
    )
}

fn process_api(semantic: &SemanticIndex, callee: &ValuePath) -> Option<String> {
    if !last_name_may_start(callee) {
        return None;
    }
    match semantic.resolve_path(callee, 0)? {
        Resolved::Qualified(q) if PROCESS_APIS.contains(&q.as_str()) => Some(q),
        _ => None,
    }
}

/// Runs when the module is imported: module level, or a comprehension there.
fn runs_at_import(semantic: &SemanticIndex, mut scope: ScopeId) -> bool {
    loop {
        match semantic.scope(scope).kind {
            ScopeKind::Module => return true,
            ScopeKind::Comprehension => match semantic.scope(scope).parent {
                Some(p) => scope = p,
                None => return false,
            },
            _ => return false,
        }
    }
}

impl Rule for MultiprocessingWithoutMainGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.module_end()
    }

    /// One pass over the module's call sites: those that run at import time
    /// and are not under the `__main__` guard.
    fn check_module_end(&self, checker: &mut Checker) {
        let semantic = checker.semantic();
        let guarded: Vec<TextRange> = checker
            .module()
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::If(i) if is_main_guard_test(&i.test) => Some(TextRange::new(
                    i.body.first()?.start(),
                    i.body.last()?.end(),
                )),
                _ => None,
            })
            .collect();
        let mut starters: Option<Starters> = None;
        for call in &semantic.calls {
            if !runs_at_import(semantic, call.scope)
                || guarded.iter().any(|g| g.contains_range(call.range))
            {
                continue;
            }
            let Some(callee) = &call.callee else { continue };
            if let Some(api) = process_api(semantic, callee) {
                let shown = api.replace("()", "(...)");
                checker
                    .report(
                        format!("`{shown}` at module level runs again in every child process started with `spawn` or `forkserver`"),
                        call.range,
                    )
                    .help("move it under `if __name__ == \"__main__\":` (or into a function called from there)");
                continue;
            }
            if !callee.segments.is_empty() {
                continue;
            }
            let Some(Resolved::Function(f)) = semantic.resolve_path(callee, 0) else {
                continue;
            };
            let starters = starters.get_or_insert_with(|| process_starters(checker));
            if starters.contains_key(&f) {
                report_chain(checker, starters, f, call.range);
            }
        }
    }
}

/// Functions of this module that start processes, directly or through the
/// functions they call: `(api, call site, next function)` for each.
fn process_starters(checker: &Checker) -> Starters {
    let semantic = checker.semantic();
    let mut starters = FxHashMap::default();
    for call in &semantic.calls {
        let Some(callee) = &call.callee else { continue };
        let Some(owner) = semantic.enclosing_function(call.scope) else {
            continue;
        };
        if starters.contains_key(&owner) {
            continue;
        }
        if let Some(api) = process_api(semantic, callee) {
            starters.insert(owner, (api, call.range, None));
        }
    }
    if starters.is_empty() {
        return starters;
    }
    // Grow backwards along the call graph until nothing changes.
    loop {
        let mut added = Vec::new();
        for (scope, calls) in checker.summary().local_call_graph() {
            if starters.contains_key(&scope) {
                continue;
            }
            if let Some((callee, range)) = calls.iter().find(|(c, _)| starters.contains_key(c)) {
                let api = starters[callee].0.clone();
                added.push((scope, (api, *range, Some(*callee))));
            }
        }
        if added.is_empty() {
            return starters;
        }
        starters.extend(added);
    }
}

fn report_chain(checker: &mut Checker, starters: &Starters, first: ScopeId, site: TextRange) {
    let semantic = checker.semantic();
    let name = |s: ScopeId| semantic.scope(s).name.as_deref().unwrap_or("?").to_string();
    let mut names = Vec::new();
    let mut related = Vec::new();
    let mut current = Some(first);
    let mut api = String::new();
    while let Some(f) = current {
        if names.len() > 16 {
            break;
        }
        let (a, range, next) = &starters[&f];
        names.push(format!("`{}`", name(f)));
        related.push(Related {
            path: None,
            range: *range,
            message: format!("`{}` calls this", name(f)),
        });
        api = a.replace("()", "(...)");
        current = *next;
    }
    checker
        .report(
            format!(
                "Module-level call starts processes ({} → `{api}`): it runs again in every child process started with `spawn` or `forkserver`",
                names.join(" → ")
            ),
            site,
        )
        .help("call it under `if __name__ == \"__main__\":`")
        .related(related);
}
