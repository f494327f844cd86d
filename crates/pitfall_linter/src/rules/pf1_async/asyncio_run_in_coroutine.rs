//! PF107 `asyncio-run-in-coroutine`: `asyncio.run()` or
//! `run_until_complete()` inside a coroutine, directly or through sync
//! project functions (the chain is reported).

use crate::blocking::display_name;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{FactKey, ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::Rule;
use crate::summary::{Effect, SummaryNeeds};

pub struct AsyncioRunInCoroutine;

static META: RuleMeta = rule_meta(
    "PF107",
    "asyncio-run-in-coroutine",
    Family::Async,
    Tier::Core,
    FixAvailability::None,
    &[],
    "`asyncio.run`/`run_until_complete` called from a coroutine (directly or via helpers) raises `RuntimeError`.",
);

const HELP: &str = "`await` the coroutine instead: a running event loop cannot start another one in the same thread";

impl Rule for AsyncioRunInCoroutine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::COROUTINE_CALLS.with(ProjectNeeds::EVENT_LOOP)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS
    }

    fn check_project(&self, cx: &mut ProjectChecker) {
        let summary = cx.summary;
        for (i, coroutine) in summary.interface.functions.iter().enumerate() {
            if !coroutine.is_async {
                continue;
            }
            let locations = &summary.locations.functions[i];
            // Built only for a finding (most coroutines have none).
            let qualname = || {
                summary
                    .interface
                    .function_qualname(i as u32)
                    .unwrap_or_default()
            };
            for (effect, (range, _)) in coroutine.effects.iter().zip(&locations.effects) {
                if let Effect::RunsEventLoop { api } = effect {
                    let message = format!(
                        "`{}` inside coroutine `{}` raises `RuntimeError`: an event loop is already running",
                        display_name(api),
                        qualname(),
                    );
                    cx.report(message, *range).help(HELP);
                }
            }
            let facts = cx.facts;
            for (c, target) in facts.call_targets(i as u32) {
                let c = c as usize;
                if cx.is_async(target) || !cx.has_fact(target, &FactKey::RunsEventLoop) {
                    continue;
                }
                let chain = cx.chain(target, &FactKey::RunsEventLoop);
                let Some(Effect::RunsEventLoop { api }) = &chain.effect else {
                    continue;
                };
                let api = display_name(api);
                let qualname = qualname();
                let (path, related) = cx.render_chain(&qualname, &chain, &api);
                let message = format!(
                    "Coroutine `{qualname}` calls a sync helper that starts an event loop with `{api}`, which raises `RuntimeError` here: {path}",
                );
                cx.report(message, locations.calls[c])
                    .help(HELP)
                    .related(related);
            }
        }
    }
}
