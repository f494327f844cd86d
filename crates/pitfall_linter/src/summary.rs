//! Per-module summaries for the call-graph analysis (PF101 and friends).
//!
//! A summary is small and `Eq`: an edit that leaves it unchanged (a comment,
//! a renamed local) stops propagating to the files that depend on it.

use pitfall_semantic::{
    BindingKind, Lookup, PathSegment, Resolved, ScopeId, ScopeKind, SemanticIndex, ValuePath,
};
use ruff_text_size::TextRange;
use rustc_hash::FxHashMap;

use crate::blocking::{classify, may_block_by_name, BlockingCategory};

/// Options that change what counts as blocking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BlockingOptions {
    pub extra_blocking_calls: Vec<String>,
    pub allowed_calls: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleSummary {
    pub functions: Vec<FunctionSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSummary {
    pub scope: ScopeId,
    /// `name` or `Class.method`.
    pub qualname: String,
    /// The range of the `def` statement.
    pub def_range: TextRange,
    pub is_async: bool,
    /// Known blocking APIs called directly (not awaited), in source order.
    pub blocking: Vec<BlockingCall>,
    /// Calls to other functions, in source order.
    pub calls: Vec<CallOut>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockingCall {
    pub category: BlockingCategory,
    /// The resolved qualified name (`requests.Session().get`).
    pub api: String,
    pub range: TextRange,
    pub func_range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOut {
    /// A function (or a class's `__init__`) defined in this module.
    pub callee: ScopeId,
    pub range: TextRange,
}

pub fn summarize(index: &SemanticIndex, options: &BlockingOptions) -> ModuleSummary {
    let mut functions: Vec<FunctionSummary> = Vec::new();
    let mut slot: FxHashMap<ScopeId, usize> = FxHashMap::default();
    for scope_id in index.scope_ids() {
        let scope = index.scope(scope_id);
        if let ScopeKind::Function { is_async } = scope.kind {
            slot.insert(scope_id, functions.len());
            functions.push(FunctionSummary {
                scope: scope_id,
                qualname: qualname(index, scope_id),
                def_range: scope.node_range,
                is_async,
                blocking: Vec::new(),
                calls: Vec::new(),
            });
        }
    }
    let extra_names: Vec<&str> = options
        .extra_blocking_calls
        .iter()
        .map(|q| q.rsplit('.').next().unwrap_or(q))
        .collect();
    for call in &index.calls {
        let Some(owner) = index.enclosing_function(call.scope) else {
            continue;
        };
        let Some(&i) = slot.get(&owner) else { continue };
        let Some(callee) = &call.callee else { continue };
        let Some(root) = worth_resolving(index, callee, &extra_names) else {
            continue;
        };
        let Some(resolved) = index.resolve_path_from(callee, root, 0) else {
            continue;
        };
        let summary = &mut functions[i];
        match resolved {
            Resolved::Qualified(q) => {
                if call.awaited || options.allowed_calls.contains(&q) {
                    continue;
                }
                let category = classify(&q).or_else(|| {
                    options
                        .extra_blocking_calls
                        .contains(&q)
                        .then_some(BlockingCategory::Other)
                });
                if let Some(category) = category {
                    summary.blocking.push(BlockingCall {
                        category,
                        api: q,
                        range: call.range,
                        func_range: call.func_range,
                    });
                }
            }
            Resolved::Function(f) => summary.calls.push(CallOut {
                callee: f,
                range: call.range,
            }),
            Resolved::Class(c) => {
                if let Some(Resolved::Function(init)) = index.class_member(c, "__init__", 0) {
                    summary.calls.push(CallOut {
                        callee: init,
                        range: call.range,
                    });
                }
            }
            Resolved::Instance(_) => {}
        }
    }
    ModuleSummary { functions }
}

/// Resolution builds qualified-name strings, so it is skipped for the calls
/// that can matter neither way: a callee whose final name no blocking API
/// has, and whose root is an import or a builtin (so it is not a function of
/// this module either). Returns the root's lookup when the call is worth it.
fn worth_resolving(
    index: &SemanticIndex,
    callee: &ValuePath,
    extra_names: &[&str],
) -> Option<Lookup> {
    let interesting = |name: &str| may_block_by_name(name) || extra_names.contains(&name);
    if callee.segments.last() == Some(&PathSegment::Call) {
        return None;
    }
    let root = index.lookup(callee.scope, &callee.root, callee.offset);
    if let Some(PathSegment::Attr(name)) = callee.segments.last() {
        if interesting(name) {
            return Some(root);
        }
    }
    let worth = match root {
        Lookup::Binding(b) => match &index.binding(b).kind {
            // `from time import sleep as nap; nap()`: the imported name counts.
            BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                callee.segments.is_empty()
                    && interesting(qualified.rsplit('.').next().unwrap_or(qualified))
            }
            _ => true,
        },
        Lookup::Builtin => callee.segments.is_empty() && interesting(&callee.root),
        Lookup::Unbound => false,
    };
    worth.then_some(root)
}

fn qualname(index: &SemanticIndex, scope: ScopeId) -> String {
    let mut parts = Vec::new();
    let mut s = Some(scope);
    while let Some(id) = s {
        let sc = index.scope(id);
        if let Some(name) = &sc.name {
            parts.push(name.to_string());
        }
        s = sc.parent;
    }
    parts.reverse();
    parts.join(".")
}

/// Why a function may block: the category, the API finally reached, and the
/// call sites from the function down to it (each in the function named).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockingWitness {
    pub category: BlockingCategory,
    pub api: String,
    /// `(function, call range)`: the first step is in the function itself.
    pub steps: Vec<(ScopeId, TextRange)>,
}

/// For every synchronous function of the module: whether it may block.
/// A fixpoint over the call graph, so cycles are fine.
pub fn blocking_facts(summary: &ModuleSummary) -> FxHashMap<ScopeId, BlockingWitness> {
    let by_scope: FxHashMap<ScopeId, &FunctionSummary> =
        summary.functions.iter().map(|f| (f.scope, f)).collect();
    let mut facts: FxHashMap<ScopeId, BlockingWitness> = FxHashMap::default();
    for f in &summary.functions {
        if f.is_async {
            continue;
        }
        if let Some(first) = f.blocking.first() {
            facts.insert(
                f.scope,
                BlockingWitness {
                    category: first.category,
                    api: first.api.clone(),
                    steps: vec![(f.scope, first.range)],
                },
            );
        }
    }
    // Breadth-first growth: each round extends chains by one call, so the
    // first witness found is a shortest one.
    loop {
        let mut added = Vec::new();
        for f in &summary.functions {
            if f.is_async || facts.contains_key(&f.scope) {
                continue;
            }
            for call in &f.calls {
                let target = &call.callee;
                let sync_target = by_scope.get(target).is_some_and(|t| !t.is_async);
                if let (true, Some(w)) = (sync_target, facts.get(target)) {
                    let mut steps = vec![(f.scope, call.range)];
                    steps.extend(w.steps.iter().cloned());
                    added.push((
                        f.scope,
                        BlockingWitness {
                            category: w.category,
                            api: w.api.clone(),
                            steps,
                        },
                    ));
                    break;
                }
            }
        }
        if added.is_empty() {
            break;
        }
        facts.extend(added);
    }
    facts
}
