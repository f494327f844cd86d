//! PF304 `missing-nonlocal`: a nested function assigns a name of its enclosing
//! function without `nonlocal`; the assignment makes a new local and the
//! enclosing function keeps reading its old value.
//!
//! Reported when the nested function's first binding of the name is a plain
//! assignment that the nested function itself never reads (a store whose only
//! purpose can be the enclosing variable), the nearest enclosing function
//! binds the name before the `def` (or in a loop around it), and reads it
//! after the `def` (or anywhere in a loop around it).

use pitfall_semantic::{Binding, BindingKind, ScopeId, ScopeKind, SemanticIndex, Use, UseKind};
use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};

pub struct MissingNonlocal;

static META: RuleMeta = rule_meta(
    "PF304",
    "missing-nonlocal",
    Family::Scopes,
    Tier::Core,
    FixAvailability::None,
    &["W0621"],
    "A nested function assigns an enclosing variable without `nonlocal`; the outer value never changes.",
);

impl Rule for MissingNonlocal {
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
        let Some(inner) = checker.scope_of_node(def.range) else {
            return;
        };
        // Only a function nested in a function can have an enclosing
        // function's variable to miss.
        let nested = semantic
            .lookup_parent(inner)
            .is_some_and(|p| matches!(semantic.scope(p).kind, ScopeKind::Function { .. }));
        if !nested {
            return;
        }
        // Loops of the enclosing functions that contain this `def`: a read
        // anywhere in them may run after the nested function was defined.
        let loops: Vec<TextRange> = checker
            .parents()
            .iter()
            .filter_map(|p| match p {
                Node::Stmt(s @ (Stmt::For(_) | Stmt::While(_))) => Some(s.range()),
                _ => None,
            })
            .collect();

        let mut candidates: Vec<&Binding> = semantic
            .scope_symbols(inner)
            .filter(|sym| sym.is_local() && sym.name.as_str() != "_")
            .filter(|sym| {
                !semantic.bindings_of(sym).iter().any(|b| {
                    matches!(
                        semantic.binding(*b).kind,
                        BindingKind::Parameter | BindingKind::TypeParam
                    )
                })
            })
            .filter_map(|sym| {
                semantic
                    .bindings_of(sym)
                    .iter()
                    .map(|b| semantic.binding(*b))
                    .min_by_key(|b| b.range.start())
            })
            .filter(|b| is_plain_assignment(&b.kind))
            .collect();
        candidates.sort_by_key(|b| b.range.start());

        for binding in candidates {
            let name = semantic.symbol(binding.symbol).name.as_str();
            // A read before the assignment is PF302's case; a read after it
            // uses the name as the nested function's own working variable.
            // Only a store the nested function never reads looks like an
            // attempt to update the enclosing variable.
            if reads_in_nested(semantic, inner, name) {
                continue;
            }
            let Some(outer) = enclosing_binding(semantic, inner, name) else {
                continue;
            };
            let outer_range = semantic.scope(outer).node_range;
            let in_loop_with_def = |range: TextRange| {
                loops
                    .iter()
                    .any(|l| outer_range.contains_range(*l) && l.contains_range(range))
            };
            // The enclosing value must exist when the nested function runs:
            // bound before the `def` (or in a loop around it).
            let bound_before = semantic.symbol_in(outer, name).is_some_and(|sym| {
                semantic
                    .bindings_of(sym)
                    .iter()
                    .map(|b| semantic.binding(*b))
                    .any(|b| {
                        b.kind != BindingKind::Deletion
                            && (b.range.start() < def.range.start() || in_loop_with_def(b.range))
                    })
            });
            if !bound_before {
                continue;
            }
            let later_read = function_reads(semantic, outer, name)
                .filter(|u| matches!(u.kind, UseKind::Load | UseKind::AugmentedLoad))
                .filter(|u| u.range.start() >= def.range.end() || in_loop_with_def(u.range))
                .min_by_key(|u| u.range.start());
            let Some(read) = later_read else {
                continue;
            };
            let read_line = checker.line_of(read.range.start());
            let inner_name = def.name.id.as_str();
            let outer_name = semantic
                .scope(outer)
                .name
                .as_deref()
                .unwrap_or("<function>");
            checker
                .report(
                    format!(
                        "Assignment to `{name}` in `{inner_name}` creates a new local; the enclosing `{outer_name}`'s `{name}` (read at line {read_line}) is not changed"
                    ),
                    binding.range,
                )
                .help(format!(
                    "declare `nonlocal {name}` in `{inner_name}`, or use a different name if a new local was intended"
                ));
        }
    }
}

/// `x = ...`, `a, x = ...`, `x: T = ...`, `(x := ...)`.
fn is_plain_assignment(kind: &BindingKind) -> bool {
    matches!(
        kind,
        BindingKind::Assignment
            | BindingKind::Unpacking
            | BindingKind::AnnotatedAssignment { has_value: true }
            | BindingKind::NamedExpr
    )
}

/// The nearest enclosing function that binds `name` itself (class bodies are
/// skipped, as Python does); `None` when the name is global, nonlocal there,
/// or only bound at module level.
fn enclosing_binding(semantic: &SemanticIndex, inner: ScopeId, name: &str) -> Option<ScopeId> {
    let mut parent = semantic.lookup_parent(inner);
    while let Some(p) = parent {
        if !matches!(semantic.scope(p).kind, ScopeKind::Function { .. }) {
            return None;
        }
        if let Some(sym) = semantic.symbol_in(p, name) {
            if sym.declared_global.is_some() || sym.declared_nonlocal.is_some() {
                return None;
            }
            if sym.is_bound() {
                return Some(p);
            }
        }
        parent = semantic.lookup_parent(p);
    }
    None
}

/// Whether `function` or a scope nested in it reads its own `name` (nested
/// scopes that bind `name` themselves have their own variable).
fn reads_in_nested(semantic: &SemanticIndex, function: ScopeId, name: &str) -> bool {
    let mut stack = vec![function];
    while let Some(s) = stack.pop() {
        let sym = semantic.symbol_in(s, name);
        let own = s != function
            && sym.is_some_and(|sym| {
                sym.declared_nonlocal.is_none() && (sym.is_bound() || sym.declared_global.is_some())
            });
        if !own && sym.is_some_and(|sym| sym.is_used()) {
            return true;
        }
        let kind = semantic.scope(s).kind;
        if !own || kind == ScopeKind::Class {
            stack.extend(semantic.children(s).iter().copied());
        }
    }
    false
}

/// Uses of `name` that run in `function` itself: in its own scope and in the
/// comprehensions it runs inline (that do not bind the name themselves).
fn function_reads<'s>(
    semantic: &'s SemanticIndex,
    function: ScopeId,
    name: &'s str,
) -> impl Iterator<Item = &'s Use> + 's {
    let mut scopes = vec![function];
    let mut i = 0;
    while i < scopes.len() {
        for child in semantic.children(scopes[i]) {
            let comprehension = semantic.scope(*child).kind == ScopeKind::Comprehension;
            let binds = semantic
                .symbol_in(*child, name)
                .is_some_and(|s| s.is_bound());
            if comprehension && !binds {
                scopes.push(*child);
            }
        }
        i += 1;
    }
    scopes
        .into_iter()
        .filter_map(move |s| semantic.symbol_in(s, name))
        .flat_map(move |sym| semantic.uses_of(sym).iter().map(move |u| semantic.use_(*u)))
}
