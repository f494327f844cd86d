//! PF101 `blocking-call-in-async`: a blocking call inside a coroutine,
//! directly or through synchronous helpers (the chain is reported).

use ruff_text_size::TextRange;

use crate::blocking::display_name;
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::project::{FactKey, ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::import_insertion_point;
use crate::summary::{Effect, SummaryNeeds};

pub struct BlockingCallInAsync;

static META: RuleMeta = RuleMeta {
    options: &[
        OptionSpec {
            name: "extra-blocking-calls",
            kind: OptionKind::StringList,
            doc: "Qualified names of more calls to treat as blocking (category `other`).",
        },
        OptionSpec {
            name: "allowed-calls",
            kind: OptionKind::StringList,
            doc: "Qualified names of calls never reported.",
        },
    ],
    ..rule_meta(
        "PF101",
        "blocking-call-in-async",
        Family::Async,
        Tier::Core,
        FixAvailability::Sometimes,
        &[
            "ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC240",
            "ASYNC250", "ASYNC251",
        ],
        "A sync sleep, HTTP, file, subprocess or DB call inside `async def`, directly or through project helpers, freezes the event loop.",
    )
};

impl Rule for BlockingCallInAsync {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.module_end()
    }

    /// Direct calls, from the module summary (the fix needs the AST).
    fn check_module_end(&self, checker: &mut Checker) {
        let summary = checker.summary();
        for (i, coroutine) in summary.interface.functions.iter().enumerate() {
            if !coroutine.is_async {
                continue;
            }
            let locations = &summary.locations.functions[i];
            for (effect, &(range, func_range)) in coroutine.effects.iter().zip(&locations.effects) {
                let Effect::Blocking { category, api } = effect else {
                    continue;
                };
                let shown = display_name(api);
                let message = format!(
                    "`{shown}` is {} inside coroutine `{}`: it stalls the event loop",
                    category.describe(),
                    summary
                        .interface
                        .function_qualname(i as u32)
                        .unwrap_or_default(),
                );
                let fix = (api == "time.sleep").then(|| sleep_fix(checker, range, func_range));
                let diagnostic = checker.report(message, range);
                diagnostic.help(category.advice());
                if let Some(fix) = fix {
                    diagnostic.fix(fix);
                }
            }
        }
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::COROUTINE_CALLS.with(ProjectNeeds::BLOCKS)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS
    }

    /// Calls from a coroutine to sync project functions that may block, in
    /// this module or any other, reported with the chain.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let summary = cx.summary;
        for (i, coroutine) in summary.interface.functions.iter().enumerate() {
            if !coroutine.is_async {
                continue;
            }
            let facts = cx.facts;
            for (c, target) in facts.call_targets(i as u32) {
                let c = c as usize;
                if cx.is_async(target) || !cx.has_fact(target, &FactKey::Blocks) {
                    continue;
                }
                let chain = cx.chain(target, &FactKey::Blocks);
                let Some(Effect::Blocking { category, api }) = &chain.effect else {
                    continue;
                };
                let api = display_name(api);
                let qualname = summary
                    .interface
                    .function_qualname(i as u32)
                    .unwrap_or_default();
                let (path, related) = cx.render_chain(&qualname, &chain, &api);
                let message = format!(
                    "Coroutine `{qualname}` calls a sync helper that reaches `{api}`, {}: {path}",
                    category.describe(),
                );
                let help = format!(
                    "run the helper with `await asyncio.to_thread(...)`, or {}",
                    category.advice()
                );
                let site = summary.locations.functions[i].calls[c];
                cx.report(message, site).help(help).related(related);
            }
        }
    }
}

/// `time.sleep(x)` → `await asyncio.sleep(x)`, importing asyncio if needed.
/// Unsafe: other tasks now run during the pause.
fn sleep_fix(checker: &Checker, call: TextRange, func: TextRange) -> Fix {
    let mut edits = vec![
        Edit {
            range: TextRange::empty(call.start()),
            content: "await ".to_string(),
        },
        Edit {
            range: func,
            content: "asyncio.sleep".to_string(),
        },
    ];
    let has_asyncio = checker
        .semantic()
        .symbol_in(pitfall_semantic::SemanticIndex::MODULE, "asyncio")
        .is_some_and(|s| {
            checker.semantic().bindings_of(s).iter().any(|b| {
                matches!(&checker.semantic().binding(*b).kind,
                    pitfall_semantic::BindingKind::Import { qualified } if qualified == "asyncio")
            })
        });
    if !has_asyncio {
        edits.insert(
            0,
            Edit {
                range: TextRange::empty(import_insertion_point(checker)),
                content: "import asyncio\n".to_string(),
            },
        );
    }
    Fix {
        message: "Replace with `await asyncio.sleep(...)`".to_string(),
        applicability: Applicability::Unsafe,
        edits,
    }
}
