//! PF105 `multiprocessing-without-main-guard`: processes or pools created at
//! module level run again in every spawned child.

use pitfall_semantic::{PathSegment, Resolved, SemanticIndex, ValuePath};
use ruff_text_size::TextRange;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{FactKey, ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::summary::{may_start_processes_by_name, Callee, Effect, SummaryNeeds, PROCESS_APIS};

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

/// The last names of [`PROCESS_APIS`] calls: nothing else is resolved.
fn last_name_may_start(callee: &ValuePath) -> bool {
    let last = match callee.segments.last() {
        Some(PathSegment::Attr(a)) => a.as_str(),
        Some(PathSegment::Call) => return false,
        None => callee.root.as_str(),
    };
    may_start_processes_by_name(last)
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
        let guarded = &semantic.main_guard_bodies;
        for call in &semantic.calls {
            if !semantic.runs_at_import(call.scope)
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
            }
        }
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::INHERITED
            .with(ProjectNeeds::MODULE_CALLS)
            .with(ProjectNeeds::STARTS_PROCESSES)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS.with(SummaryNeeds::MODULE_CALLS)
    }

    /// Module-level calls of project functions (this module's or any
    /// other's) that start processes through the call graph, with the chain.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let summary = cx.summary;
        let guarded = |site: TextRange| {
            summary
                .locations
                .main_guard_bodies
                .iter()
                .any(|g| g.contains_range(site))
        };
        // `Worker().start()` of a `multiprocessing.Process` subclass (its
        // class or a base in any module).
        for inherited in cx.facts.inherited.iter() {
            let (None, Effect::StartsProcesses { api }) =
                (inherited.at.function, &inherited.effect)
            else {
                continue;
            };
            let c = inherited.at.call as usize;
            let (Some(site), Some(call)) = (
                summary.locations.module_calls.get(c).copied(),
                summary.interface.module_calls.get(c),
            ) else {
                continue;
            };
            if guarded(site) {
                continue;
            }
            let base = api.strip_suffix("().start").unwrap_or(api);
            let qualname;
            let class = match &call.callee {
                Callee::Method { class, .. } => {
                    qualname = summary.interface.class_qualname(*class);
                    qualname.as_deref().unwrap_or("?")
                }
                Callee::Qualified(q) => q
                    .rsplit_once('.')
                    .map_or(q.as_ref(), |(receiver, _)| receiver)
                    .trim_end_matches("()")
                    .rsplit('.')
                    .next()
                    .unwrap_or_default(),
                _ => "?",
            };
            let base = base.replace("()", "(...)");
            cx.report(
                format!("`{class}.start()` at module level starts a process (`{class}` derives from `{base}`): it runs again in every child process started with `spawn` or `forkserver`"),
                site,
            )
            .help("move it under `if __name__ == \"__main__\":` (or into a function called from there)");
        }
        for (c, target) in cx.facts.module_targets.iter().enumerate() {
            let Some(target) = *target else { continue };
            let site = summary.locations.module_calls[c];
            if guarded(site)
                || cx.is_async(target)
                || !cx.has_fact(target, &FactKey::StartsProcesses)
            {
                continue;
            }
            let chain = cx.chain(target, &FactKey::StartsProcesses);
            let Some(Effect::StartsProcesses { api }) = &chain.effect else {
                continue;
            };
            let api = api.replace("()", "(...)");
            let (path, related) = cx.render_chain("<module>", &chain, &api);
            cx.report(
                format!("Module-level call starts processes ({path}): it runs again in every child process started with `spawn` or `forkserver`"),
                site,
            )
            .help("call it under `if __name__ == \"__main__\":`")
            .related(related);
        }
    }
}
