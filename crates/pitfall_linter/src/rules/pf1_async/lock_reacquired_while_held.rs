//! PF108 `lock-reacquired-while-held`: a non-reentrant lock acquired again
//! while it is held — a nested `with`, or a call (directly or transitively,
//! across modules) to a function that acquires it. Deadlock.

use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{flows, FactKey, FunctionRef, LockKey, ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::Rule;
use crate::summary::SummaryNeeds;

pub struct LockReacquiredWhileHeld;

static META: RuleMeta = rule_meta(
    "PF108",
    "lock-reacquired-while-held",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &[],
    "A non-reentrant lock is acquired again, directly or through a call, while held: deadlock.",
);

const HELP: &str = "move the work that needs the lock into an unlocked helper both callers use, or use `threading.RLock` if re-entry is intended";

impl Rule for LockReacquiredWhileHeld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::CALLS.with(ProjectNeeds::LOCKS)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS.with(SummaryNeeds::LOCKS)
    }

    fn check_project(&self, cx: &mut ProjectChecker) {
        let summary = cx.summary;
        let facts = cx.facts;
        for (i, function) in summary.interface.functions.iter().enumerate() {
            let locks = &facts.locks[i];
            let locations = &summary.locations.functions[i];
            // (a) A second acquisition of a lock already held here.
            for (e, effect) in function.effects.iter().enumerate() {
                let crate::summary::Effect::Acquires { held, .. } = effect else {
                    continue;
                };
                let Some(lock) = &locks[e] else { continue };
                // Re-acquiring after an explicit `acquire()` (no release yet)
                // is the signalling idiom — another thread releases it — so
                // only a lock held by `with` counts here.
                let explicit = |e: usize| locations.effects[e].0 != locations.effects[e].1;
                if held
                    .iter()
                    .any(|h| locks[*h as usize].as_ref() == Some(lock) && !explicit(*h as usize))
                {
                    let message = format!(
                        "`{}` is acquired again while it is already held: a non-reentrant lock deadlocks",
                        cx.lock_name(lock)
                    );
                    cx.report(message, locations.effects[e].0).help(HELP);
                }
            }
            // (b) A call, while holding it, to a function that acquires it.
            for (c, held) in function.held_calls() {
                let Some(target) = facts.target(crate::summary::CallRef {
                    function: Some(i as u32),
                    call: *c,
                }) else {
                    continue;
                };
                let call = &function.calls[*c as usize];
                let target_is_async = cx.is_async(target);
                for h in held {
                    let Some(lock) = &locks[*h as usize] else {
                        continue;
                    };
                    let key = FactKey::Acquires(lock.clone());
                    if !flows(&key, target_is_async, call.awaited, call.on_self) {
                        continue;
                    }
                    if !cx.has_fact(target, &key) {
                        continue;
                    }
                    report_call(cx, i as u32, *c, target, lock, &key);
                    break;
                }
            }
        }
    }
}

fn report_call(
    cx: &mut ProjectChecker,
    function: u32,
    call: u32,
    target: FunctionRef,
    lock: &LockKey,
    key: &FactKey,
) {
    let summary = cx.summary;
    let site = summary.locations.functions[function as usize].calls[call as usize];
    let chain = cx.chain(target, key);
    let name = cx.lock_name(lock);
    let (path, related) = cx.render_chain(
        &summary
            .interface
            .function_qualname(function)
            .unwrap_or_default(),
        &chain,
        &format!("acquires `{name}`"),
    );
    let message = format!(
        "`{name}` is held here and this call acquires it again: a non-reentrant lock deadlocks: {path}"
    );
    cx.report(message, site).help(HELP).related(related);
}
