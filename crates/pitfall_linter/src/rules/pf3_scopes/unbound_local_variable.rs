//! PF302 `unbound-local-variable`: a local read before any assignment reaches
//! it raises `UnboundLocalError`, even when an outer name of that name exists.

use pitfall_semantic::builtins::is_builtin;
use pitfall_semantic::flow::{unbound_reads, Boundness, UnboundRead};
use pitfall_semantic::{BindingKind, ScopeId, ScopeKind, SemanticIndex, UseKind};
use ruff_python_ast::Stmt;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};

pub struct UnboundLocalVariable;

static META: RuleMeta = rule_meta(
    "PF302",
    "unbound-local-variable",
    Family::Scopes,
    Tier::Core,
    FixAvailability::None,
    &["F823", "E0601", "E0606"],
    "A local read before assignment while an outer name exists raises `UnboundLocalError`.",
);

impl Rule for UnboundLocalVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        if checker.is_stub() {
            return;
        }
        let semantic = checker.semantic();
        let Some(scope) = checker.scope_of_node(def.range) else {
            return;
        };
        // Nearly always empty.
        let reads = unbound_reads(semantic, scope, def);
        if reads.is_empty() {
            return;
        }
        for read in reads {
            let outer = outer_binding(semantic, scope, &read.name);
            if read.boundness == Boundness::PossiblyUnbound && outer.is_none() {
                continue;
            }
            report(checker, scope, &read, outer);
        }
    }
}

/// The name the local hides.
#[derive(Copy, Clone)]
enum Outer {
    Function(ScopeId),
    Module,
    Builtin,
}

/// What the name would refer to if the function did not bind it (an
/// enclosing function's name only when bound before this function's `def`).
fn outer_binding(semantic: &SemanticIndex, scope: ScopeId, name: &str) -> Option<Outer> {
    let mut parent = semantic.lookup_parent(scope);
    while let Some(p) = parent {
        if let Some(sym) = semantic.symbol_in(p, name) {
            if p == SemanticIndex::MODULE || sym.declared_global.is_some() {
                let bound = semantic
                    .symbol_in(SemanticIndex::MODULE, name)
                    .is_some_and(|s| s.is_bound());
                if bound {
                    return Some(Outer::Module);
                }
                break;
            }
            if sym.declared_nonlocal.is_none()
                && sym.is_bound()
                && semantic.scope(p).kind.is_function_like()
            {
                // Only a value bound before the nested `def` could look like
                // a fallback (`x = f()` after it is an independent name).
                let def_start = semantic.scope(scope).node_range.start();
                let before = semantic.bindings_of(sym).iter().any(|b| {
                    let b = semantic.binding(*b);
                    b.kind != BindingKind::Deletion && b.range.start() < def_start
                });
                return before.then_some(Outer::Function(p));
            }
        }
        parent = semantic.lookup_parent(p);
    }
    is_builtin(name).then_some(Outer::Builtin)
}

fn report(checker: &mut Checker, scope: ScopeId, read: &UnboundRead, outer: Option<Outer>) {
    let semantic = checker.semantic();
    let name = read.name.as_str();
    let function = semantic
        .scope(scope)
        .name
        .as_deref()
        .unwrap_or("<function>");
    let first = semantic.symbol_in(scope, name).and_then(|sym| {
        let bindings = || {
            semantic
                .bindings_of(sym)
                .iter()
                .map(|b| semantic.binding(*b))
        };
        bindings()
            .filter(|b| b.kind != BindingKind::Deletion)
            .min_by_key(|b| b.range.start())
            .or_else(|| bindings().min_by_key(|b| b.range.start()))
    });
    let (verb, line) = match first {
        Some(b) if b.kind == BindingKind::Deletion => ("deleted", checker.line_of(b.range.start())),
        Some(b) if b.kind == (BindingKind::AnnotatedAssignment { has_value: false }) => {
            ("annotated", checker.line_of(b.range.start()))
        }
        Some(b) => ("assigned", checker.line_of(b.range.start())),
        None => ("assigned", checker.line_of(read.range.start())),
    };
    let action = match read.kind {
        UseKind::Delete => "deleted",
        UseKind::Load | UseKind::AugmentedLoad => "read",
    };
    let when = match read.boundness {
        Boundness::Unbound => format!("{action} before assignment"),
        Boundness::PossiblyUnbound => {
            format!("{action} where it may be unbound (not assigned on every path here)")
        }
    };
    let head = format!("`{name}` is local to `{function}` ({verb} at line {line}) but {when}");
    let (message, help) = match outer {
        Some(Outer::Module) => (
            format!(
                "{head}; the module-level `{name}` is not used — declare `global {name}`, pass it as a parameter, or return the new value"
            ),
            format!("a binding anywhere in `{function}` makes `{name}` local for the whole function"),
        ),
        Some(Outer::Function(enclosing)) => {
            let enclosing = semantic.scope(enclosing);
            let owner = match enclosing.kind {
                ScopeKind::Function { .. } => enclosing
                    .name
                    .as_deref()
                    .map_or("the enclosing function".to_string(), |n| format!("the enclosing `{n}`")),
                _ => "the enclosing function".to_string(),
            };
            (
                format!(
                    "{head}; {owner}'s `{name}` is not used — declare `nonlocal {name}`, pass it as a parameter, or return the new value"
                ),
                format!("a binding anywhere in `{function}` makes `{name}` local for the whole function"),
            )
        }
        Some(Outer::Builtin) => (
            format!("{head}; the builtin `{name}` is not used — rename the local variable"),
            format!("a binding anywhere in `{function}` makes `{name}` local for the whole function"),
        ),
        None => (
            format!("{head}; this raises `UnboundLocalError`"),
            format!("assign `{name}` before this point on every path"),
        ),
    };
    checker.report(message, read.range).help(help);
}
