//! PF101 `blocking-call-in-async`: a blocking call inside a coroutine,
//! directly or through synchronous helpers (the chain is reported).

use pitfall_semantic::{ScopeId, ScopeKind};
use ruff_text_size::TextRange;

use crate::blocking::display_name;
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix, Related};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::import_insertion_point;
use crate::summary::FunctionSummary;

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

    /// Works from the module summary: every call of each coroutine is
    /// already resolved there, with the blocking facts of its helpers.
    fn check_module_end(&self, checker: &mut Checker) {
        let summary = checker.summary();
        for coroutine in summary.functions.iter().filter(|f| f.is_async) {
            for call in &coroutine.blocking {
                let api = display_name(&call.api);
                let message = format!(
                    "`{api}` is {} inside coroutine `{}`: it stalls the event loop",
                    call.category.describe(),
                    coroutine.qualname
                );
                let help = call.category.advice();
                let fix = (call.api == "time.sleep")
                    .then(|| sleep_fix(checker, call.range, call.func_range));
                let diagnostic = checker.report(message, call.range);
                diagnostic.help(help);
                if let Some(fix) = fix {
                    diagnostic.fix(fix);
                }
            }
            for call in &coroutine.calls {
                report_chain(checker, coroutine, call.callee, call.range);
            }
        }
    }
}

fn report_chain(
    checker: &mut Checker,
    coroutine: &FunctionSummary,
    callee: ScopeId,
    site: TextRange,
) {
    let semantic = checker.semantic();
    if matches!(
        semantic.scope(callee).kind,
        ScopeKind::Function { is_async: true }
    ) {
        return;
    }
    let Some(witness) = checker.blocking_facts().get(&callee) else {
        return;
    };
    let summary = checker.summary();
    let path = checker.display_path();
    let mut chain = vec![coroutine.qualname.clone()];
    let mut related = Vec::new();
    for (function, call_range) in &witness.steps {
        let Some(f) = summary.functions.iter().find(|f| f.scope == *function) else {
            continue;
        };
        let line = checker.line_of(f.def_range.start());
        chain.push(format!("{} ({path}:{line})", f.qualname));
        related.push(Related {
            path: None,
            range: *call_range,
            message: format!("`{}` calls this", f.qualname),
        });
    }
    let api = display_name(&witness.api);
    chain.push(api.clone());
    let message = format!(
        "Coroutine `{}` calls a sync helper that reaches `{api}`, {}: {}",
        coroutine.qualname,
        witness.category.describe(),
        chain.join(" → ")
    );
    let help = format!(
        "run the helper with `await asyncio.to_thread(...)`, or {}",
        witness.category.advice()
    );
    checker.report(message, site).help(help).related(related);
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
            s.bindings.iter().any(|b| {
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
