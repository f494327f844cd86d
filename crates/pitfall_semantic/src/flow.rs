//! Definite-assignment analysis of one function body: at each read of a
//! local name, is the name bound on every path that reaches it, on some, or
//! on none?
//!
//! The analysis interprets the AST directly (no CFG). The state is two bit
//! sets over the function's local names — `must` (bound on every path that
//! reaches this point) and `maybe` (bound on at least one) — and branches
//! join them. Loops iterate to a fixpoint: the loop head joins the state
//! before the loop with the end of the body and every `continue`. `try`
//! handlers start from the join of every state the `try` body passes through;
//! `finally` is checked from the join of everything that reaches it (normal
//! exit, exceptions, `break`/`continue`/`return`), while the code after the
//! `try` continues from the normal exit only. Conditions split the state into
//! a true and a false branch, so `if m and (g := m.group()):` binds `g` in the
//! body and `while True:` leaves only through `break`.
//!
//! Nested functions, lambdas and class bodies are not entered: their reads run
//! later or in their own scope (only decorators, defaults, bases and the bound
//! name count here). Comprehensions run inline; their own targets are local to
//! them, a walrus in them binds in the function (maybe: the comprehension may
//! not iterate). Generator expressions run later: their bodies are not checked.
//!
//! To stay precise where paths are correlated (the analysis is otherwise
//! path-insensitive), a few facts are tracked besides the bit sets:
//! - a read leaves the name bound on the paths that continue (it would have
//!   raised otherwise), so one mistake is reported once;
//! - a "possibly unbound" read guarded by the same test as an earlier `if`
//!   chain that binds the name in some branch is not reported
//!   (`if waitall: ... else: name = ...` then `x if waitall else name`);
//! - `for x in items:` runs at least once over a non-empty literal, or where
//!   `items` was just tested truthy (`if items:`, or `if not items: return`);
//! - `sys.exit()`, `os._exit()`, `pytest.fail()`, `self.fail()` end a path;
//!   `with suppress(...)` / `assertRaises(...)` may skip the rest of its body;
//! - reads in a `try` that catches `NameError` are probes, never reported;
//! - names a nested function rebinds through `nonlocal` are not tracked.
//!
//! Cost: most functions never get here. A cheap pass over the semantic index
//! and the function's statements first finds the names whose every read is
//! plainly preceded by a binding (a parameter; `x = ...` earlier in the same
//! block; the body of the `for`/`with`/`except` that binds it; an
//! `if`/`else` or `try` binding it on every path — with no `del x` or
//! `except ... as x` in between): the analysis would find all their reads
//! bound, so only the other names are tracked, and only when there are any.
//! A name's result does not depend on which other names are tracked, so the
//! state holds one bit per tracked name (64 names per pass, which makes it a
//! copyable pair of words), and expressions holding no read or binding of a
//! tracked name are skipped.

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, BoolOp, Comprehension, ExceptHandler, Expr, ExprContext, Pattern, Stmt, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::{Hash, Hasher};

use crate::builtins::is_builtin;
use crate::index::*;
use crate::resolve::Lookup;

/// How unbound a read is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Boundness {
    /// No binding reaches the read on any path.
    Unbound,
    /// Some paths bind the name before the read, others do not.
    PossiblyUnbound,
}

/// A read (load, the implicit load of `x += ...`, or `del x`) of a local name
/// that is not bound on every path reaching it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnboundRead {
    pub name: Name,
    pub range: TextRange,
    pub kind: UseKind,
    pub boundness: Boundness,
}

/// Reads of local names of `function` that may run before the name is bound,
/// in source order. Empty when the function manipulates its namespace
/// dynamically (`exec`, `locals()`, `globals()`, `vars()`). A name counts as
/// local when the function binds it without a `global`/`nonlocal`
/// declaration (parameters are bound at entry).
/// `scope` is the function's own scope.
pub fn unbound_reads(
    index: &SemanticIndex,
    scope: ScopeId,
    function: &ast::StmtFunctionDef,
) -> Vec<UnboundRead> {
    // Most functions only read names that are plainly bound before: only
    // the others go through the flow analysis (each name's result is
    // independent of which other names are tracked).
    let mut locals = maybe_unbound_locals(index, scope, function);
    if locals.is_empty() {
        return Vec::new();
    }
    // A nested function's `nonlocal x` can bind `x` whenever it is called.
    if !index.children(scope).is_empty() {
        let rebound_by_nested = nonlocal_in_nested(index, scope);
        if !rebound_by_nested.is_empty() {
            locals.retain(|s| !rebound_by_nested.contains(s.name.as_str()));
        }
    }
    // `(x): int` annotates without making `x` local.
    let mut not_local = FxHashSet::default();
    parenthesized_annotations(&function.body, &mut not_local);
    if !not_local.is_empty() {
        locals.retain(|s| {
            index
                .bindings_of(s)
                .iter()
                .any(|b| !not_local.contains(&index.binding(*b).range))
        });
    }
    if locals.is_empty() || uses_dynamic_namespace(index, scope) {
        return Vec::new();
    }
    locals.sort_by(|a, b| a.name.cmp(&b.name));
    let mut findings = Vec::new();
    // The state holds one bit per name: 64 names per pass.
    for chunk in locals.chunks(64) {
        findings.extend(analyse(index, scope, function, chunk));
    }
    findings.sort_by_key(|f| f.range.start());
    findings
}

/// Runs the analysis of `function` for the local names `locals` (at most 64).
fn analyse<'a>(
    index: &'a SemanticIndex,
    scope: ScopeId,
    function: &'a ast::StmtFunctionDef,
    locals: &[&'a Symbol],
) -> Vec<UnboundRead> {
    debug_assert!(locals.len() <= 64);
    let names: FxHashMap<&'a str, usize> = locals
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    // Where the tracked names are read or bound: an expression that contains
    // none of these offsets cannot change their state, and is skipped.
    let comprehensions = comprehension_scopes(index, scope);
    let mut offsets: Vec<TextSize> = Vec::new();
    for sym in locals {
        offsets.extend(
            index
                .uses_of(sym)
                .iter()
                .map(|u| index.use_(*u).range.start()),
        );
        offsets.extend(
            index
                .bindings_of(sym)
                .iter()
                .map(|b| index.binding(*b).range.start()),
        );
        for c in &comprehensions {
            if let Some(inner) = index.symbol_in(*c, &sym.name) {
                offsets.extend(
                    index
                        .uses_of(inner)
                        .iter()
                        .map(|u| index.use_(*u).range.start()),
                );
            }
        }
    }
    offsets.sort_unstable();
    offsets.dedup();
    let mut flow = Flow {
        index,
        scope,
        names,
        offsets,
        state: State::START,
        silent: 0,
        guarded: 0,
        loops: Vec::new(),
        returns: Vec::new(),
        catchers: Vec::new(),
        comprehensions: Vec::new(),
        findings: Vec::new(),
        reported: FxHashSet::default(),
        guards: Vec::new(),
        pending_guard: None,
        branch_bindings: FxHashMap::default(),
        noreturn: FxHashMap::default(),
    };
    for (i, sym) in locals.iter().enumerate() {
        let is_parameter = index.bindings_of(sym).iter().any(|b| {
            matches!(
                index.binding(*b).kind,
                BindingKind::Parameter | BindingKind::TypeParam
            )
        });
        if is_parameter {
            flow.state.bind(i);
            flow.record();
        }
    }
    flow.body(&function.body);
    flow.findings
}

/// The comprehension scopes that run inline in `scope` (nested at any depth
/// in comprehensions only).
fn comprehension_scopes(index: &SemanticIndex, scope: ScopeId) -> Vec<ScopeId> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut parent = scope;
    loop {
        for child in index.children(parent) {
            if index.scope(*child).kind == ScopeKind::Comprehension {
                out.push(*child);
            }
        }
        let Some(next) = out.get(i) else {
            return out;
        };
        parent = *next;
        i += 1;
    }
}

/// The local names of `function` that a read might find unbound: those with
/// a read that no binding plainly precedes. A read is plainly preceded when
/// the name is a parameter, or the read runs after a statement of the same
/// block that binds the name on every path through it (`x = ...`, `import x`,
/// `def x`, `with ... as x`, an `if`/`else` or a `try` binding it in every
/// branch), or inside the body of the `for`/`with`/`except` that binds it —
/// and no `del x` or `except ... as x` (which unbind the name) can run in
/// between. The analysis finds every such read bound, so it need not run for
/// these names.
fn maybe_unbound_locals<'i>(
    index: &'i SemanticIndex,
    scope: ScopeId,
    function: &ast::StmtFunctionDef,
) -> Vec<&'i Symbol> {
    let inner = comprehension_reads(index, scope);
    // Names whose reads the binding statements alone do not cover, whether
    // the name is ever unbound, and the covers of its bindings.
    let mut uncovered: Vec<(&Symbol, bool, Covers)> = Vec::new();
    let mut last = LastCover::default();
    for id in index.scope_symbol_ids(scope) {
        let sym = index.symbol(*id);
        if !sym.is_local() {
            continue;
        }
        if !sym.is_used() && !inner.iter().any(|s| s.name == sym.name) {
            continue;
        }
        let (first, parameter, unbinds) = binding_summary(index, sym);
        // A parameter never unbound is bound everywhere: no cover needed.
        if parameter && !unbinds {
            continue;
        }
        // Most names are read only after their first binding's statement:
        // its cover alone then settles them (more covers only cover more).
        if !unbinds && first_binding_covers(index, sym, first, function, &inner, &mut last) {
            continue;
        }
        let mut covers = Covers::new();
        binding_covers(index, sym, function, unbinds, &mut covers, &mut last);
        if !reads_covered(index, sym, &inner, &covers) {
            uncovered.push((sym, unbinds, covers));
        }
    }
    if uncovered.is_empty() {
        return Vec::new();
    }
    // Second chance for names never unbound: compound statements that bind
    // them on every path.
    let wanted: Vec<&str> = uncovered
        .iter()
        .filter(|(_, unbinds, _)| !unbinds)
        .map(|(sym, _, _)| sym.name.as_str())
        .collect();
    let mut compound: Vec<(&str, TextRange)> = Vec::new();
    if !wanted.is_empty() {
        let mut cx = Binds {
            wanted: &wanted,
            covers: Vec::new(),
        };
        block_binds(&function.body, &mut cx, &mut Vec::new());
        compound = cx.covers;
        compound.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    let mut out = Vec::new();
    for (sym, unbinds, mut covers) in uncovered {
        if !unbinds {
            let name = sym.name.as_str();
            let from = compound.partition_point(|(n, _)| *n < name);
            let more = compound[from..].iter().take_while(|(n, _)| *n == name);
            if more.clone().next().is_some() {
                covers.extend(more.map(|(_, cover)| (*cover, None)));
                if reads_covered(index, sym, &inner, &covers) {
                    continue;
                }
            }
        }
        out.push(sym);
    }
    out
}

/// The symbols of the comprehensions `scope` runs that read a variable of
/// `scope` (they do not bind the name themselves): each local name's
/// reads there count as the function's.
type InnerReads<'i> = smallvec::SmallVec<[&'i Symbol; 4]>;

fn comprehension_reads(index: &SemanticIndex, scope: ScopeId) -> InnerReads<'_> {
    let mut reads = InnerReads::new();
    if index.children(scope).is_empty() {
        return reads;
    }
    for c in comprehension_scopes(index, scope) {
        reads.extend(
            index
                .scope_symbols(c)
                .filter(|s| !s.is_bound() && s.is_used()),
        );
    }
    reads
}

/// One pass over a symbol's bindings: the first one, whether one is a
/// parameter (or type parameter), and whether one unbinds the name (`del`,
/// `except ... as`).
fn binding_summary<'i>(
    index: &'i SemanticIndex,
    sym: &Symbol,
) -> (Option<&'i Binding>, bool, bool) {
    let mut first = None;
    let mut parameter = false;
    let mut unbinds = false;
    for b in index.bindings_of(sym) {
        let binding = index.binding(*b);
        first.get_or_insert(binding);
        match binding.kind {
            BindingKind::Parameter | BindingKind::TypeParam => parameter = true,
            BindingKind::Deletion | BindingKind::ExceptHandler => unbinds = true,
            _ => {}
        }
    }
    (first, parameter, unbinds)
}

/// A binding made by its statement having run (an assignment, a `for`
/// target, an import, a `def` or `class`): it covers what the statement's
/// cover holds.
fn binds_by_statement(kind: &BindingKind) -> bool {
    matches!(
        kind,
        BindingKind::Assignment
            | BindingKind::AugmentedAssignment
            | BindingKind::AnnotatedAssignment { has_value: true }
            | BindingKind::Unpacking
            | BindingKind::ForTarget
            | BindingKind::Import { .. }
            | BindingKind::FromImport { .. }
            | BindingKind::FunctionDef { .. }
            | BindingKind::ClassDef { .. }
    )
}

/// Whether the cover of `sym`'s first binding holds every read, for a name
/// that nothing unbinds (`first` is its first binding): [`binding_covers`]
/// with that binding alone, when it is a plain statement.
fn first_binding_covers(
    index: &SemanticIndex,
    sym: &Symbol,
    first: Option<&Binding>,
    function: &ast::StmtFunctionDef,
    inner: &[&Symbol],
    last: &mut LastCover,
) -> bool {
    let Some(binding) = first else {
        return false;
    };
    if !binds_by_statement(&binding.kind) {
        return false;
    }
    // The reads' extent: one cover holds them all when it holds both ends.
    let (mut start, mut end) = (TextSize::new(u32::MAX), TextSize::new(0));
    for u in index.uses_of(sym) {
        let range = index.use_(*u).range;
        start = start.min(range.start());
        end = end.max(range.end());
    }
    // Outside a `for` (whose body is its cover), every read must come after
    // the statement: a cheap test before the descent.
    if binding.kind != BindingKind::ForTarget && start < binding.stmt_range.end() {
        return false;
    }
    let Some(cover) = last.of(&function.body, binding.stmt_range) else {
        return false;
    };
    cover.start() <= start
        && end <= cover.end()
        && inner.iter().filter(|s| s.name == sym.name).all(|s| {
            index
                .uses_of(s)
                .iter()
                .all(|u| cover.contains_range(index.use_(*u).range))
        })
}

/// The code that runs after a binding of one name (with the `except` clause
/// a cover comes from): a few per name, kept off the heap.
type Covers = smallvec::SmallVec<[(TextRange, Option<TextRange>); 8]>;

/// Whether every read of `sym` (in the function and in the comprehensions it
/// runs, `inner`) lies in one of `covers`.
fn reads_covered(
    index: &SemanticIndex,
    sym: &Symbol,
    inner: &[&Symbol],
    covers: &[(TextRange, Option<TextRange>)],
) -> bool {
    let covered = |u: &UseId| {
        let range = index.use_(*u).range;
        covers.iter().any(|(c, _)| c.contains_range(range))
    };
    index.uses_of(sym).iter().all(covered)
        && inner
            .iter()
            .filter(|s| s.name == sym.name)
            .all(|s| index.uses_of(s).iter().all(covered))
}

/// Fills `covers` with the code that runs only after a binding of `sym` and
/// before anything unbinds it (with the `except` clause a cover comes from).
/// `unbinds`: the name is ever unbound (`del`, `except ... as`).
fn binding_covers(
    index: &SemanticIndex,
    sym: &Symbol,
    function: &ast::StmtFunctionDef,
    unbinds: bool,
    covers: &mut Covers,
    last: &mut LastCover,
) {
    for b in index.bindings_of(sym) {
        let binding = index.binding(*b);
        match binding.kind {
            BindingKind::Parameter | BindingKind::TypeParam => {
                covers.push((function.range, None));
            }
            ref kind if binds_by_statement(kind) => {
                if let Some(cover) = last.of(&function.body, binding.stmt_range) {
                    covers.push((cover, None));
                }
            }
            // Later `with` items and the body run after the target is bound.
            BindingKind::WithTarget => {
                if let Some(cover) = last.of(&function.body, binding.stmt_range) {
                    covers.push((TextRange::new(binding.range.end(), cover.end()), None));
                }
            }
            BindingKind::ExceptHandler => {
                if let Some(cover) = last.of(&function.body, binding.stmt_range) {
                    covers.push((cover, Some(binding.stmt_range)));
                }
            }
            _ => {}
        }
    }
    if unbinds {
        // A cover is only good if nothing in it unbinds the name (a loop in
        // it may run the unbinding before a read placed earlier).
        for b in index.bindings_of(sym) {
            let binding = index.binding(*b);
            let (unbound, handler) = match binding.kind {
                BindingKind::Deletion => (binding.range, None),
                BindingKind::ExceptHandler => (binding.stmt_range, Some(binding.stmt_range)),
                _ => continue,
            };
            covers.retain(|(cover, from)| {
                (handler.is_some() && *from == handler)
                    || unbound.end() < cover.start()
                    || cover.end() < unbound.start()
            });
        }
    }
}

/// Appends to `out` the names a block binds on every path that completes
/// it, and returns whether some path does (it may always return, raise,
/// break or continue). Names bound by a compound statement of it (or of a
/// nested block) are pushed to `cx.covers` with the rest of their block. A
/// sound under-approximation of the analysis for names that are never
/// unbound. Only the names `cx` asks about are collected (each name's
/// result is independent of the others').
fn block_binds<'a>(body: &'a [Stmt], cx: &mut Binds<'a, '_>, out: &mut Vec<&'a str>) -> bool {
    let block_end = body.last().map_or(TextSize::default(), Ranged::end);
    for stmt in body {
        let start = out.len();
        if !stmt_binds(stmt, cx, out) {
            return false;
        }
        if out.len() > start && matches!(stmt, Stmt::If(_) | Stmt::Try(_) | Stmt::With(_)) {
            let rest = TextRange::new(stmt.end(), block_end);
            cx.covers.extend(out[start..].iter().map(|n| (*n, rest)));
        }
    }
    true
}

/// What [`block_binds`] says of one statement.
fn stmt_binds<'a>(stmt: &'a Stmt, cx: &mut Binds<'a, '_>, out: &mut Vec<&'a str>) -> bool {
    match stmt {
        Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_) => return false,
        Stmt::Expr(e) if is_self_fail(&e.value) => return false,
        Stmt::FunctionDef(def) => cx.push(out, def.name.id.as_str()),
        Stmt::ClassDef(class) => cx.push(out, class.name.id.as_str()),
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                target_names(target, cx, out);
            }
        }
        Stmt::AugAssign(aug) => {
            if let Expr::Name(n) = &*aug.target {
                cx.push(out, n.id.as_str());
            }
        }
        Stmt::AnnAssign(ann) => {
            if let (Expr::Name(n), Some(_)) = (&*ann.target, &ann.value) {
                cx.push(out, n.id.as_str());
            }
        }
        Stmt::Import(import) => {
            for alias in &import.names {
                cx.push(
                    out,
                    match &alias.asname {
                        Some(asname) => asname.id.as_str(),
                        None => alias.name.id.split('.').next().unwrap_or_default(),
                    },
                );
            }
        }
        Stmt::ImportFrom(import) => {
            for alias in &import.names {
                let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                if bound.id.as_str() != "*" {
                    cx.push(out, bound.id.as_str());
                }
            }
        }
        Stmt::If(if_) => {
            let start = out.len();
            let mut branches = Branches::new(start);
            branches.add(block_binds(&if_.body, cx, out), out);
            for clause in &if_.elif_else_clauses {
                let into = branches.target(out);
                let completes = block_binds(&clause.body, cx, into);
                branches.add(completes, out);
            }
            let has_else = if_
                .elif_else_clauses
                .last()
                .is_some_and(|c| c.test.is_none());
            if !has_else {
                // No branch may run.
                out.truncate(start);
                return true;
            }
            return branches.completes;
        }
        Stmt::Try(try_) => {
            let start = out.len();
            let mut branches = Branches::new(start);
            let body = block_binds(&try_.body, cx, out);
            // The `else` block runs after the body completed.
            if let (true, Some(orelse)) = (body, body_range(&try_.orelse)) {
                cx.covers.extend(out[start..].iter().map(|n| (*n, orelse)));
            }
            let into = if body { &mut *out } else { branches.scratch() };
            let normal = block_binds(&try_.orelse, cx, into) && body;
            branches.add(normal, out);
            for handler in &try_.handlers {
                let ExceptHandler::ExceptHandler(h) = handler;
                let into = branches.target(out);
                let completes = block_binds(&h.body, cx, into);
                branches.add(completes, out);
            }
            if !branches.completes {
                block_binds(&try_.finalbody, cx, branches.scratch());
                return false;
            }
            return block_binds(&try_.finalbody, cx, out);
        }
        Stmt::With(with) => {
            for item in &with.items {
                if let Some(vars) = &item.optional_vars {
                    target_names(vars, cx, out);
                }
            }
            // A suppressed exception may skip the rest of the body.
            if with
                .items
                .iter()
                .any(|i| suppresses_exceptions(&i.context_expr))
            {
                block_binds(&with.body, cx, &mut Vec::new());
            } else {
                return block_binds(&with.body, cx, out);
            }
        }
        Stmt::For(for_) => {
            let mut scratch = Vec::new();
            block_binds(&for_.body, cx, &mut scratch);
            scratch.clear();
            block_binds(&for_.orelse, cx, &mut scratch);
        }
        Stmt::While(while_) => {
            let mut scratch = Vec::new();
            block_binds(&while_.body, cx, &mut scratch);
            scratch.clear();
            block_binds(&while_.orelse, cx, &mut scratch);
        }
        Stmt::Match(match_) => {
            let mut scratch = Vec::new();
            for case in &match_.cases {
                scratch.clear();
                block_binds(&case.body, cx, &mut scratch);
            }
        }
        _ => {}
    }
    true
}

/// The names bound on every completing branch of a statement, kept in
/// `out[start..]` while the branches come in.
struct Branches<'a> {
    start: usize,
    /// Some branch so far completes (`out[start..]` holds what all of those bind).
    completes: bool,
    scratch: Vec<&'a str>,
}

impl<'a> Branches<'a> {
    fn new(start: usize) -> Self {
        Branches {
            start,
            completes: false,
            scratch: Vec::new(),
        }
    }

    fn scratch(&mut self) -> &mut Vec<&'a str> {
        self.scratch.clear();
        &mut self.scratch
    }

    /// Where the next branch's names go.
    fn target<'s>(&'s mut self, out: &'s mut Vec<&'a str>) -> &'s mut Vec<&'a str> {
        if self.completes {
            self.scratch()
        } else {
            out
        }
    }

    /// Takes in a branch whose names went to [`Self::target`].
    fn add(&mut self, completes: bool, out: &mut Vec<&'a str>) {
        if !completes {
            if !self.completes {
                out.truncate(self.start);
            }
            return;
        }
        if self.completes {
            let scratch = &self.scratch;
            let mut kept = self.start;
            for i in self.start..out.len() {
                if scratch.contains(&out[i]) {
                    out[kept] = out[i];
                    kept += 1;
                }
            }
            out.truncate(kept);
        }
        self.completes = true;
    }
}

/// `self.fail(...)`, `self.skipTest(...)`: the path ends.
fn is_self_fail(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "self")
        && matches!(attr.attr.id.as_str(), "fail" | "skipTest")
}

/// The names an assignment target binds (those `cx` asks about).
fn target_names<'a>(target: &'a Expr, cx: &Binds<'a, '_>, names: &mut Vec<&'a str>) {
    match target {
        Expr::Name(n) => cx.push(names, n.id.as_str()),
        Expr::Tuple(t) => t.elts.iter().for_each(|e| target_names(e, cx, names)),
        Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, cx, names)),
        Expr::Starred(s) => target_names(&s.value, cx, names),
        _ => {}
    }
}

/// What [`block_binds`] collects: the names asked about, and the covers
/// compound statements give them.
struct Binds<'a, 'w> {
    wanted: &'w [&'w str],
    covers: Vec<(&'a str, TextRange)>,
}

impl<'a> Binds<'a, '_> {
    fn push(&self, out: &mut Vec<&'a str>, name: &'a str) {
        if self.wanted.contains(&name) {
            out.push(name);
        }
    }
}

/// The last [`cover_of`] of one function body, by key: the names one
/// statement binds (`a, b = ...`, `for i, x in ...`, `import a, b`) come one
/// after another among the function's symbols, and ask for the same cover.
#[derive(Default)]
struct LastCover(Option<(TextRange, Option<TextRange>)>);

impl LastCover {
    fn of(&mut self, body: &[Stmt], key: TextRange) -> Option<TextRange> {
        match self.0 {
            Some((last, cover)) if last == key => cover,
            _ => {
                let cover = cover_of(body, key);
                self.0 = Some((key, cover));
                cover
            }
        }
    }
}

/// The code that runs only after the statement (or `except` clause) at
/// `key` of the function body `body` bound its names, found by descending
/// through the blocks that contain it: the rest of its block (`x = ...`,
/// `import x`, `def x`, `with ... as x` from its body on), or its body (`for
/// x in`, `except ... as x`). `None` for other statements, and in nested
/// scopes.
fn cover_of(body: &[Stmt], key: TextRange) -> Option<TextRange> {
    let mut block = body;
    loop {
        let i = block.partition_point(|s| s.start() <= key.start());
        let stmt = block.get(i.checked_sub(1)?)?;
        let range = stmt.range();
        if !range.contains_range(key) {
            return None;
        }
        if range == key {
            let block_end = || block.last().map(Ranged::end);
            return match stmt {
                Stmt::Assign(_)
                | Stmt::AugAssign(_)
                | Stmt::AnnAssign(_)
                | Stmt::Import(_)
                | Stmt::ImportFrom(_)
                | Stmt::FunctionDef(_)
                | Stmt::ClassDef(_) => Some(TextRange::new(range.end(), block_end()?)),
                Stmt::For(s) => body_range(&s.body),
                // The targets stay bound after the body.
                Stmt::With(s) => Some(TextRange::new(body_range(&s.body)?.start(), block_end()?)),
                _ => None,
            };
        }
        // Inside the statement, not the statement: in one of its blocks
        // (the only one, when there is one).
        let inner = |b: &[Stmt]| body_range(b).is_some_and(|r| r.contains(key.start()));
        block = match stmt {
            Stmt::For(s) if s.orelse.is_empty() || inner(&s.body) => &s.body,
            Stmt::For(s) => &s.orelse,
            Stmt::While(s) if s.orelse.is_empty() || inner(&s.body) => &s.body,
            Stmt::While(s) => &s.orelse,
            Stmt::If(s) if s.elif_else_clauses.is_empty() || inner(&s.body) => &s.body,
            Stmt::If(s) => &s.elif_else_clauses.iter().find(|c| inner(&c.body))?.body,
            Stmt::With(s) => &s.body,
            Stmt::Try(s) => {
                if inner(&s.body) {
                    &s.body
                } else if inner(&s.orelse) {
                    &s.orelse
                } else if inner(&s.finalbody) {
                    &s.finalbody
                } else {
                    let ExceptHandler::ExceptHandler(h) =
                        s.handlers.iter().find(|h| h.range().contains_range(key))?;
                    if h.range == key {
                        return body_range(&h.body);
                    }
                    &h.body
                }
            }
            Stmt::Match(s) => &s.cases.iter().find(|c| inner(&c.body))?.body,
            _ => return None,
        };
    }
}

fn body_range(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

/// The targets of `(x): int` (a non-simple annotation without a value) in a
/// function body, outside nested scopes.
fn parenthesized_annotations(body: &[Stmt], out: &mut FxHashSet<TextRange>) {
    for stmt in body {
        match stmt {
            Stmt::AnnAssign(ann) if !ann.simple && ann.value.is_none() => {
                if let Expr::Name(n) = &*ann.target {
                    out.insert(n.range);
                }
            }
            Stmt::If(s) => {
                parenthesized_annotations(&s.body, out);
                for clause in &s.elif_else_clauses {
                    parenthesized_annotations(&clause.body, out);
                }
            }
            Stmt::For(s) => {
                parenthesized_annotations(&s.body, out);
                parenthesized_annotations(&s.orelse, out);
            }
            Stmt::While(s) => {
                parenthesized_annotations(&s.body, out);
                parenthesized_annotations(&s.orelse, out);
            }
            Stmt::With(s) => parenthesized_annotations(&s.body, out),
            Stmt::Try(s) => {
                parenthesized_annotations(&s.body, out);
                for handler in &s.handlers {
                    let ExceptHandler::ExceptHandler(h) = handler;
                    parenthesized_annotations(&h.body, out);
                }
                parenthesized_annotations(&s.orelse, out);
                parenthesized_annotations(&s.finalbody, out);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    parenthesized_annotations(&case.body, out);
                }
            }
            _ => {}
        }
    }
}

/// Names declared `nonlocal` in functions nested (at any depth) in `scope`.
fn nonlocal_in_nested(index: &SemanticIndex, scope: ScopeId) -> FxHashSet<&str> {
    let mut names = FxHashSet::default();
    let mut stack: Vec<ScopeId> = index.children(scope).to_vec();
    while let Some(s) = stack.pop() {
        for id in index.scope_symbol_ids(s) {
            let sym = index.symbol(*id);
            if sym.declared_nonlocal.is_some() {
                names.insert(sym.name.as_str());
            }
        }
        stack.extend(index.children(s).iter().copied());
    }
    names
}

/// Calls that read or write the namespace by name: the analysis cannot see
/// what they do, so the function is not analysed.
fn uses_dynamic_namespace(index: &SemanticIndex, scope: ScopeId) -> bool {
    // Such a call reads its callee's name in the function or in one of the
    // comprehensions it runs: without such a read, there is none.
    const DYNAMIC: [&str; 4] = ["exec", "locals", "globals", "vars"];
    let reads = |s: ScopeId| {
        DYNAMIC
            .iter()
            .any(|name| index.symbol_in(s, name).is_some_and(|sym| sym.is_used()))
    };
    if !reads(scope) && !comprehension_scopes(index, scope).into_iter().any(reads) {
        return false;
    }
    index.calls.iter().any(|call| {
        let Some(callee) = &call.callee else {
            return false;
        };
        callee.segments.is_empty()
            && matches!(callee.root.as_str(), "exec" | "locals" | "globals" | "vars")
            && index.enclosing_function(call.scope) == Some(scope)
            && is_builtin(&callee.root)
            && index.lookup(call.scope, &callee.root, call.range.start()) == Lookup::Builtin
    })
}

const MAX_ROUNDS: usize = 32;

/// The bound-ness of every tracked name (one bit each) at one point.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct State {
    /// Some path reaches this point.
    reachable: bool,
    /// Bound on every path reaching here (or every path that did not raise).
    must: u64,
    /// Some binding reaches here on at least one path.
    maybe: u64,
}

impl State {
    const START: State = State {
        reachable: true,
        must: 0,
        maybe: 0,
    };

    const UNREACHABLE: State = State {
        reachable: false,
        must: 0,
        maybe: 0,
    };

    fn join(&mut self, other: &State) {
        if !other.reachable {
            return;
        }
        if !self.reachable {
            *self = *other;
            return;
        }
        self.must &= other.must;
        self.maybe |= other.maybe;
    }

    fn bind(&mut self, i: usize) {
        if self.reachable {
            self.must |= 1 << i;
            self.maybe |= 1 << i;
        }
    }

    /// Every path continuing here has the name bound, though no binding
    /// reaches here (a read that would have raised otherwise).
    fn assume_bound(&mut self, i: usize) {
        if self.reachable {
            self.must |= 1 << i;
        }
    }

    fn maybe_bind(&mut self, i: usize) {
        if self.reachable {
            self.maybe |= 1 << i;
        }
    }

    fn unbind(&mut self, i: usize) {
        self.must &= !(1 << i);
        self.maybe &= !(1 << i);
    }

    fn is_must(&self, i: usize) -> bool {
        self.must & (1 << i) != 0
    }

    fn is_maybe(&self, i: usize) -> bool {
        self.maybe & (1 << i) != 0
    }
}

#[derive(Copy, Clone)]
enum Jump {
    Break,
    Continue,
}

/// What the last round of a loop saw.
struct LoopRun<R> {
    head: State,
    /// The end of the body joined with every `continue`.
    back: State,
    breaks: Vec<State>,
    result: R,
}

#[derive(Default)]
struct LoopFrame {
    breaks: Vec<State>,
    continues: Vec<State>,
}

struct Flow<'a> {
    index: &'a SemanticIndex,
    scope: ScopeId,
    /// The tracked local names, each a bit in the state.
    names: FxHashMap<&'a str, usize>,
    /// Sorted offsets of the reads and bindings of the tracked names.
    offsets: Vec<TextSize>,
    state: State,
    /// Above zero: a pass whose reads are not reported (a loop converging, a
    /// `finally` re-run, a generator body).
    silent: u32,
    /// Above zero: inside a `try` that catches `NameError`.
    guarded: u32,
    loops: Vec<LoopFrame>,
    /// States at each `return` (they run enclosing `finally` blocks).
    returns: Vec<State>,
    /// For each enclosing `try` (and suppressing `with`): the join of every
    /// state its body passed through, where an exception may leave it.
    catchers: Vec<State>,
    /// Comprehension scopes being evaluated, innermost last.
    comprehensions: Vec<ScopeId>,
    findings: Vec<UnboundRead>,
    reported: FxHashSet<TextRange>,
    /// Tests known to hold or fail here: those of the `if`/`elif`/conditional
    /// expressions whose branches enclose the current point, and of earlier
    /// `if`s in the block whose body always jumps away.
    guards: Vec<Guard<'a>>,
    /// Set by an `if` whose body always jumps away: its test fails for the
    /// rest of the block.
    pending_guard: Option<Guard<'a>>,
    /// For each `if`/`elif` test seen: the names some branch of its chain
    /// binds. A read guarded by the same test again is likely correlated
    /// (`if waitall: ... else: name = ...` then `x if waitall else name`).
    branch_bindings: FxHashMap<u64, u64>,
    /// Expression statements already found to end the path or not (loops
    /// run their body several times).
    noreturn: FxHashMap<TextSize, bool>,
}

impl<'a> Flow<'a> {
    fn unreachable(&self) -> State {
        State::UNREACHABLE
    }

    /// The current state, leaving the path unreachable.
    fn take_state(&mut self) -> State {
        std::mem::replace(&mut self.state, State::UNREACHABLE)
    }

    /// Whether `range` holds a read or a binding of a tracked name.
    fn touches(&self, range: TextRange) -> bool {
        let i = self.offsets.partition_point(|o| *o < range.start());
        self.offsets.get(i).is_some_and(|o| *o < range.end())
    }

    fn end_path(&mut self) {
        self.state = self.unreachable();
    }

    /// Where an exception raised now would go.
    fn record(&mut self) {
        if !self.state.reachable {
            return;
        }
        for catcher in &mut self.catchers {
            catcher.join(&self.state);
        }
    }

    fn bind_name(&mut self, name: &str) {
        if let Some(&i) = self.names.get(name) {
            self.state.bind(i);
            self.record();
        }
    }

    fn unbind_name(&mut self, name: &str) {
        if let Some(&i) = self.names.get(name) {
            self.state.unbind(i);
            self.record();
        }
    }

    /// A read of `name`. Past it the name is bound on every path that gets
    /// there: had it not been, the read would have raised.
    fn read(&mut self, name: &Name, range: TextRange, kind: UseKind) {
        if !self.state.reachable {
            return;
        }
        let Some(&i) = self.names.get(name.as_str()) else {
            return;
        };
        if self.state.is_must(i) {
            return;
        }
        let comprehension_local = self
            .comprehensions
            .iter()
            .any(|c| self.index.symbol_in(*c, name).is_some_and(|s| s.is_bound()));
        if comprehension_local {
            return;
        }
        let before = self.state.is_maybe(i);
        // Only `must`: no binding reaches here, so a read later in a loop
        // whose first iteration raised here is still definitely unbound.
        self.state.assume_bound(i);
        if self.silent > 0 || self.guarded > 0 || !self.reported.insert(range) {
            return;
        }
        let boundness = if before {
            Boundness::PossiblyUnbound
        } else {
            Boundness::Unbound
        };
        if boundness == Boundness::PossiblyUnbound && self.correlated(i) {
            return;
        }
        self.findings.push(UnboundRead {
            name: name.clone(),
            range,
            kind,
            boundness,
        });
    }

    /// A guard of the current point repeats the test of an `if` chain that
    /// binds name `i` in some branch.
    fn correlated(&self, i: usize) -> bool {
        self.guards.iter().any(|g| {
            self.branch_bindings
                .get(&g.key())
                .is_some_and(|bits| bits & (1 << i) != 0)
        })
    }

    fn body(&mut self, body: &'a [Stmt]) {
        let guards = self.guards.len();
        for stmt in body {
            if !self.state.reachable {
                break;
            }
            self.stmt(stmt);
            if let Some(guard) = self.pending_guard.take() {
                self.guards.push(guard);
            }
        }
        self.guards.truncate(guards);
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        self.record();
        match stmt {
            Stmt::FunctionDef(def) => {
                for d in &def.decorator_list {
                    self.expr(&d.expression);
                }
                self.parameter_defaults(&def.parameters);
                self.bind_name(&def.name.id);
            }
            Stmt::ClassDef(class) => {
                for d in &class.decorator_list {
                    self.expr(&d.expression);
                }
                if let Some(args) = &class.arguments {
                    for arg in args.args.iter() {
                        self.expr(arg);
                    }
                    for kw in args.keywords.iter() {
                        self.expr(&kw.value);
                    }
                }
                self.bind_name(&class.name.id);
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.expr(value);
                }
                if self.state.reachable {
                    self.returns.push(self.state);
                }
                self.end_path();
            }
            Stmt::Delete(d) => {
                for target in &d.targets {
                    self.expr(target);
                }
            }
            Stmt::TypeAlias(alias) => {
                // The value is evaluated lazily.
                if let Expr::Name(n) = &*alias.name {
                    self.bind_name(&n.id);
                }
            }
            Stmt::Assign(assign) => {
                self.expr(&assign.value);
                for target in &assign.targets {
                    self.expr(target);
                }
            }
            Stmt::AugAssign(aug) => match &*aug.target {
                Expr::Name(n) => {
                    self.read(&n.id, n.range, UseKind::AugmentedLoad);
                    self.expr(&aug.value);
                    self.bind_name(&n.id);
                }
                target => {
                    self.expr(target);
                    self.expr(&aug.value);
                }
            },
            Stmt::AnnAssign(ann) => {
                // Annotations of local variables are never evaluated.
                if let Some(value) = &ann.value {
                    self.expr(value);
                    self.expr(&ann.target);
                }
            }
            Stmt::For(for_) => self.for_loop(for_),
            Stmt::While(while_) => self.while_loop(while_),
            Stmt::If(if_) => self.if_stmt(if_),
            Stmt::With(with) => self.with_stmt(with),
            Stmt::Match(match_) => self.match_stmt(match_),
            Stmt::Raise(raise) => {
                if let Some(exc) = &raise.exc {
                    self.expr(exc);
                }
                if let Some(cause) = &raise.cause {
                    self.expr(cause);
                }
                self.end_path();
            }
            Stmt::Try(try_) => self.try_stmt(try_),
            Stmt::Assert(assert) => {
                let (if_true, if_false) = self.cond(&assert.test);
                if let Some(msg) = &assert.msg {
                    self.state = if_false;
                    self.expr(msg);
                }
                self.state = if_true;
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = match &alias.asname {
                        Some(asname) => asname.id.as_str(),
                        None => alias.name.id.split('.').next().unwrap_or_default(),
                    };
                    self.bind_name(bound);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    if bound.id.as_str() != "*" {
                        self.bind_name(&bound.id);
                    }
                }
            }
            Stmt::Expr(e) => {
                self.expr(&e.value);
                if self.state.reachable && self.is_noreturn_stmt(&e.value) {
                    self.end_path();
                }
            }
            Stmt::Break(_) => {
                if let Some(frame) = self.loops.last_mut() {
                    frame.breaks.push(self.state);
                }
                self.end_path();
            }
            Stmt::Continue(_) => {
                if let Some(frame) = self.loops.last_mut() {
                    frame.continues.push(self.state);
                }
                self.end_path();
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) | Stmt::Pass(_) | Stmt::IpyEscapeCommand(_) => {}
        }
    }

    fn parameter_defaults(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters.iter() {
            if let Some(default) = p.default() {
                self.expr(default);
            }
        }
    }

    /// Runs a loop body from the loop head until the head stops changing; the
    /// last round (from the fixpoint) reports. Returns what the last round
    /// saw: the head, the states that go back to it, the `break`s, and what
    /// `iteration` returned.
    fn fixpoint<R>(
        &mut self,
        pre: &State,
        mut iteration: impl FnMut(&mut Self) -> R,
    ) -> LoopRun<R> {
        let mut head = *pre;
        let outer_silent = self.silent > 0;
        self.silent += 1;
        let mut rounds = 0;
        let mut last = loop {
            let (back, breaks, r) = self.loop_round(&head, &mut iteration);
            let mut next = *pre;
            next.join(&back);
            rounds += 1;
            if next == head || rounds >= MAX_ROUNDS {
                break (back, breaks, r);
            }
            head = next;
        };
        self.silent -= 1;
        if !outer_silent {
            last = self.loop_round(&head, &mut iteration);
        }
        LoopRun {
            head,
            back: last.0,
            breaks: last.1,
            result: last.2,
        }
    }

    fn loop_round<R>(
        &mut self,
        head: &State,
        iteration: &mut impl FnMut(&mut Self) -> R,
    ) -> (State, Vec<State>, R) {
        self.state = *head;
        self.loops.push(LoopFrame::default());
        let r = iteration(self);
        let frame = self.loops.pop().unwrap_or_default();
        let mut back = self.take_state();
        for c in &frame.continues {
            back.join(c);
        }
        (back, frame.breaks, r)
    }

    fn for_loop(&mut self, for_: &'a ast::StmtFor) {
        self.expr(&for_.iter);
        let pre = self.state;
        let run = self.fixpoint(&pre, |this| {
            this.record();
            this.expr(&for_.target);
            this.body(&for_.body);
        });
        // The iterator is exhausted at the loop head; a non-empty literal
        // (or a collection just tested truthy) is not exhausted before the
        // first iteration.
        let runs = is_non_empty_literal(&for_.iter) || self.guard_holds(&for_.iter);
        self.state = if runs { run.back } else { run.head };
        self.body(&for_.orelse);
        for b in &run.breaks {
            self.state.join(b);
        }
    }

    fn while_loop(&mut self, while_: &'a ast::StmtWhile) {
        let pre = self.state;
        let run = self.fixpoint(&pre, |this| {
            this.record();
            let (if_true, if_false) = this.cond(&while_.test);
            this.state = if_true;
            this.body(&while_.body);
            if_false
        });
        self.state = run.result;
        self.body(&while_.orelse);
        for b in &run.breaks {
            self.state.join(b);
        }
    }

    fn if_stmt(&mut self, if_: &'a ast::StmtIf) {
        let pre = self.state;
        let guards = self.guards.len();
        let (if_true, mut rest) = self.cond(&if_.test);
        self.guards.push(Guard::of(&if_.test));
        self.state = if_true;
        self.body(&if_.body);
        let body_jumps = !self.state.reachable;
        // Names some branch binds on all its paths.
        let mut bound = 0u64;
        self.note_branch_bindings(&pre, &mut bound);
        let mut done = self.take_state();
        for clause in &if_.elif_else_clauses {
            // The earlier tests failed.
            if let Some(last) = self.guards.last_mut() {
                last.holds = !last.holds;
            }
            self.state = std::mem::replace(&mut rest, self.unreachable());
            if let Some(test) = &clause.test {
                let (if_true, if_false) = self.cond(test);
                self.state = if_true;
                rest = if_false;
                self.guards.push(Guard::of(test));
            }
            self.body(&clause.body);
            self.note_branch_bindings(&pre, &mut bound);
            done.join(&self.state);
        }
        self.guards.truncate(guards);
        if if_.elif_else_clauses.is_empty() && body_jumps && rest.reachable {
            let mut guard = Guard::of(&if_.test);
            guard.holds = !guard.holds;
            self.pending_guard = Some(guard);
        }
        done.join(&rest);
        if bound != 0 {
            let mut keys = Vec::new();
            correlation_keys(&if_.test, &mut keys);
            for clause in &if_.elif_else_clauses {
                if let Some(test) = &clause.test {
                    correlation_keys(test, &mut keys);
                }
            }
            for key in keys {
                *self.branch_bindings.entry(key).or_insert(0) |= bound;
            }
        }
        self.state = done;
    }

    fn note_branch_bindings(&self, pre: &State, bound: &mut u64) {
        if self.state.reachable && pre.reachable {
            *bound |= self.state.must & !pre.must;
        }
    }

    fn with_stmt(&mut self, with: &'a ast::StmtWith) {
        for item in &with.items {
            self.expr(&item.context_expr);
            if let Some(vars) = &item.optional_vars {
                self.expr(vars);
            }
        }
        let suppresses = with
            .items
            .iter()
            .any(|i| suppresses_exceptions(&i.context_expr));
        if suppresses {
            self.catchers.push(self.state);
            self.body(&with.body);
            let raised = self.catchers.pop().unwrap_or_else(|| self.unreachable());
            self.state.join(&raised);
        } else {
            self.body(&with.body);
        }
    }

    fn match_stmt(&mut self, match_: &'a ast::StmtMatch) {
        self.expr(&match_.subject);
        let mut fall = self.state;
        let mut done = self.unreachable();
        for case in &match_.cases {
            self.state = std::mem::replace(&mut fall, self.unreachable());
            let mut captures = Vec::new();
            self.pattern(&case.pattern, &mut captures);
            let mut failed = self.state;
            for name in &captures {
                self.bind_name(name);
            }
            let guard_failed = match &case.guard {
                Some(guard) => {
                    let (if_true, if_false) = self.cond(guard);
                    self.state = if_true;
                    if_false
                }
                None => self.unreachable(),
            };
            self.body(&case.body);
            done.join(&self.state);
            if case.guard.is_none() && irrefutable(&case.pattern) {
                fall = self.unreachable();
                break;
            }
            // A failed match may have bound some captures.
            for name in &captures {
                if let Some(&i) = self.names.get(name.as_str()) {
                    failed.maybe_bind(i);
                }
            }
            failed.join(&guard_failed);
            fall = failed;
        }
        done.join(&fall);
        self.state = done;
    }

    fn pattern(&mut self, pattern: &'a Pattern, captures: &mut Vec<&'a Name>) {
        match pattern {
            Pattern::MatchValue(p) => self.expr(&p.value),
            Pattern::MatchSingleton(_) => {}
            Pattern::MatchSequence(p) => {
                for p in &p.patterns {
                    self.pattern(p, captures);
                }
            }
            Pattern::MatchMapping(p) => {
                for key in p.keys.iter() {
                    self.expr(key);
                }
                for p in p.patterns.iter() {
                    self.pattern(p, captures);
                }
                if let Some(rest) = &p.rest {
                    captures.push(&rest.id);
                }
            }
            Pattern::MatchClass(p) => {
                self.expr(&p.cls);
                for p in p.arguments.patterns.iter() {
                    self.pattern(p, captures);
                }
                for kw in &p.arguments.keywords {
                    self.pattern(&kw.pattern, captures);
                }
            }
            Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    captures.push(&name.id);
                }
            }
            Pattern::MatchAs(p) => {
                if let Some(inner) = &p.pattern {
                    self.pattern(inner, captures);
                }
                if let Some(name) = &p.name {
                    captures.push(&name.id);
                }
            }
            Pattern::MatchOr(p) => {
                for p in &p.patterns {
                    self.pattern(p, captures);
                }
            }
        }
    }

    fn try_stmt(&mut self, try_: &'a ast::StmtTry) {
        let has_finally = !try_.finalbody.is_empty();
        let break_mark = self
            .loops
            .last()
            .map(|l| (l.breaks.len(), l.continues.len()));
        let return_mark = self.returns.len();
        if has_finally {
            self.catchers.push(self.state);
        }
        self.catchers.push(self.state);
        let guard = catches_name_error(try_);
        if guard {
            self.guarded += 1;
        }
        self.body(&try_.body);
        if guard {
            self.guarded -= 1;
        }
        let raised = self.catchers.pop().unwrap_or_else(|| self.unreachable());
        self.body(&try_.orelse);
        let mut normal = self.take_state();
        for handler in &try_.handlers {
            let ExceptHandler::ExceptHandler(h) = handler;
            self.state = raised;
            if let Some(type_) = &h.type_ {
                self.expr(type_);
            }
            if let Some(name) = &h.name {
                self.bind_name(&name.id);
            }
            self.body(&h.body);
            // `except E as e:` ends with an implicit `del e`.
            if let Some(name) = &h.name {
                if self.state.reachable {
                    self.unbind_name(&name.id);
                }
            }
            normal.join(&self.state);
        }
        if !has_finally {
            self.state = normal;
            return;
        }
        let escaping = self.catchers.pop().unwrap_or_else(|| self.unreachable());

        // Check the `finally` block from everything that reaches it.
        let mut entry = normal;
        entry.join(&escaping);
        if let (Some((b, c)), Some(frame)) = (break_mark, self.loops.last()) {
            for s in frame
                .breaks
                .iter()
                .skip(b)
                .chain(frame.continues.iter().skip(c))
            {
                entry.join(s);
            }
        }
        for s in self.returns.iter().skip(return_mark) {
            entry.join(s);
        }
        self.state = entry;
        self.body(&try_.finalbody);

        // Continue (silently) from each kind of exit on its own.
        self.silent += 1;
        self.state = normal;
        if self.state.reachable {
            self.body(&try_.finalbody);
        }
        let after = self.take_state();
        if let Some((b, c)) = break_mark {
            let breaks = self.through_finally(&try_.finalbody, Jump::Break, b);
            let continues = self.through_finally(&try_.finalbody, Jump::Continue, c);
            if let Some(frame) = self.loops.last_mut() {
                frame.breaks.extend(breaks);
                frame.continues.extend(continues);
            }
        }
        let returns: Vec<State> = self.returns.drain(return_mark..).collect();
        let joined = self.join_all(&returns);
        if joined.reachable {
            self.state = joined;
            self.body(&try_.finalbody);
            if self.state.reachable {
                self.returns.push(self.state);
            }
        }
        self.silent -= 1;
        self.state = after;
    }

    /// The jumps recorded since `mark` (removed), joined and run through a
    /// `finally` block.
    fn through_finally(&mut self, finalbody: &'a [Stmt], jump: Jump, mark: usize) -> Option<State> {
        let frame = self.loops.last_mut()?;
        let list = match jump {
            Jump::Break => &mut frame.breaks,
            Jump::Continue => &mut frame.continues,
        };
        let taken: Vec<State> = list.drain(mark.min(list.len())..).collect();
        let joined = self.join_all(&taken);
        if !joined.reachable {
            return None;
        }
        self.state = joined;
        self.body(finalbody);
        let out = self.take_state();
        out.reachable.then_some(out)
    }

    fn join_all(&self, states: &[State]) -> State {
        let mut joined = self.unreachable();
        for s in states {
            joined.join(s);
        }
        joined
    }

    /// Evaluates a condition; returns the states where it is true and false.
    fn cond(&mut self, expr: &'a Expr) -> (State, State) {
        if !self.state.reachable {
            return (self.unreachable(), self.unreachable());
        }
        match expr {
            Expr::BoolOp(b) => {
                let mut short = self.unreachable();
                for value in &b.values {
                    let (if_true, if_false) = self.cond(value);
                    match b.op {
                        BoolOp::And => {
                            short.join(&if_false);
                            self.state = if_true;
                        }
                        BoolOp::Or => {
                            short.join(&if_true);
                            self.state = if_false;
                        }
                    }
                }
                let rest = self.take_state();
                match b.op {
                    BoolOp::And => (rest, short),
                    BoolOp::Or => (short, rest),
                }
            }
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => {
                let (if_true, if_false) = self.cond(&u.operand);
                (if_false, if_true)
            }
            _ => {
                let truth = constant_truth(expr);
                self.expr(expr);
                let state = self.take_state();
                match truth {
                    Some(true) => (state, self.unreachable()),
                    Some(false) => (self.unreachable(), state),
                    None => (state, state),
                }
            }
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        // An expression without reads or bindings of the tracked names
        // leaves their state as it is.
        if !self.state.reachable || !self.touches(expr.range()) {
            return;
        }
        match expr {
            Expr::Name(n) => match n.ctx {
                ExprContext::Load => self.read(&n.id, n.range, UseKind::Load),
                ExprContext::Store => {
                    // In a comprehension, stores are its own targets.
                    if self.comprehensions.is_empty() {
                        self.bind_name(&n.id);
                    }
                }
                ExprContext::Del => {
                    self.read(&n.id, n.range, UseKind::Delete);
                    if self.comprehensions.is_empty() {
                        self.unbind_name(&n.id);
                    }
                }
                ExprContext::Invalid => {}
            },
            Expr::Named(named) => {
                self.expr(&named.value);
                // PEP 572: binds in the function even inside a comprehension.
                if let Expr::Name(n) = &*named.target {
                    self.bind_name(&n.id);
                }
            }
            Expr::BoolOp(_) => {
                let (if_true, if_false) = self.cond(expr);
                self.state = if_true;
                self.state.join(&if_false);
            }
            Expr::If(e) => {
                let (if_true, if_false) = self.cond(&e.test);
                let mut guard = Guard::of(&e.test);
                self.guards.push(guard);
                self.state = if_true;
                self.expr(&e.body);
                self.guards.pop();
                guard.holds = !guard.holds;
                self.guards.push(guard);
                let after_body = std::mem::replace(&mut self.state, if_false);
                self.expr(&e.orelse);
                self.state.join(&after_body);
                self.guards.pop();
            }
            Expr::Lambda(lambda) => {
                if let Some(params) = &lambda.parameters {
                    self.parameter_defaults(params);
                }
            }
            Expr::ListComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt], false),
            Expr::SetComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt], false),
            Expr::Generator(c) => self.comprehension(c.range, &c.generators, &[&c.elt], true),
            Expr::DictComp(c) => match &c.key {
                Some(key) => self.comprehension(c.range, &c.generators, &[key, &c.value], false),
                None => self.comprehension(c.range, &c.generators, &[&c.value], false),
            },
            _ => visitor::walk_expr(self, expr),
        }
    }

    /// A comprehension is a loop run inline (a generator expression's body runs
    /// later: it is evaluated silently, for the walrus bindings it may make).
    fn comprehension(
        &mut self,
        range: TextRange,
        generators: &'a [Comprehension],
        elements: &[&'a Expr],
        lazy: bool,
    ) {
        let Some((first, _)) = generators.split_first() else {
            return;
        };
        self.expr(&first.iter);
        let Some(scope) = self.index.scope_of_node(range) else {
            return;
        };
        if lazy {
            self.silent += 1;
        }
        let pre = self.state;
        // A silent round finds what one iteration binds; the loop head joins it.
        self.silent += 1;
        let end = self.comprehension_round(scope, generators, elements);
        self.silent -= 1;
        let mut head = pre;
        head.join(&end);
        self.state = head;
        let end = self.comprehension_round(scope, generators, elements);
        head.join(&end);
        self.state = head;
        if lazy {
            self.silent -= 1;
        }
    }

    fn comprehension_round(
        &mut self,
        scope: ScopeId,
        generators: &'a [Comprehension],
        elements: &[&'a Expr],
    ) -> State {
        self.comprehensions.push(scope);
        let mut skipped = self.unreachable();
        for (i, generator) in generators.iter().enumerate() {
            if i > 0 {
                self.expr(&generator.iter);
            }
            self.expr(&generator.target);
            for cond in &generator.ifs {
                let (if_true, if_false) = self.cond(cond);
                skipped.join(&if_false);
                self.state = if_true;
            }
        }
        for e in elements {
            self.expr(e);
        }
        self.comprehensions.pop();
        let mut end = self.take_state();
        end.join(&skipped);
        end
    }

    /// Whether the test of a guard that holds here is `test`.
    fn guard_holds(&self, test: &Expr) -> bool {
        if !self.guards.iter().any(|g| g.holds) {
            return false;
        }
        let key = expr_key(test);
        self.guards.iter().any(|g| g.holds && g.key() == key)
    }

    /// [`Self::is_noreturn_call`] for an expression statement, remembered
    /// across the rounds of a loop.
    fn is_noreturn_stmt(&mut self, expr: &Expr) -> bool {
        if !matches!(expr, Expr::Call(_)) {
            return false;
        }
        if let Some(known) = self.noreturn.get(&expr.start()) {
            return *known;
        }
        let noreturn = self.is_noreturn_call(expr);
        self.noreturn.insert(expr.start(), noreturn);
        noreturn
    }

    /// `sys.exit()`, `os._exit()`, `pytest.fail()`, `self.fail()`…: the path ends.
    fn is_noreturn_call(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        if is_self_fail(expr) {
            return true;
        }
        self.index
            .qualified_name(&call.func, self.scope)
            .is_some_and(|q| {
                matches!(
                    q.as_str(),
                    "sys.exit"
                        | "os._exit"
                        | "os.abort"
                        | "builtins.exit"
                        | "builtins.quit"
                        | "pytest.fail"
                        | "pytest.skip"
                        | "pytest.exit"
                        | "pytest.xfail"
                )
            })
    }
}

impl<'a> Visitor<'a> for Flow<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        self.expr(expr);
    }

    fn visit_stmt(&mut self, _stmt: &'a Stmt) {}

    fn visit_annotation(&mut self, _expr: &'a Expr) {}
}

/// `True`, `1`, `None`… as conditions.
fn constant_truth(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(b) => Some(b.value),
        Expr::NoneLiteral(_) => Some(false),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => Some(*i != ast::Int::ZERO),
            _ => None,
        },
        _ => None,
    }
}

/// A test known to hold (or fail) at a point.
#[derive(Copy, Clone, Debug)]
struct Guard<'a> {
    /// The test with any `not` stripped.
    test: &'a Expr,
    holds: bool,
}

impl<'a> Guard<'a> {
    /// The test as an [`expr_key`].
    fn key(&self) -> u64 {
        expr_key(self.test)
    }

    /// The guard a true condition establishes.
    fn of(test: &'a Expr) -> Guard<'a> {
        let mut expr = test;
        let mut holds = true;
        while let Expr::UnaryOp(u) = expr {
            if u.op != UnaryOp::Not {
                break;
            }
            expr = &u.operand;
            holds = !holds;
        }
        Guard { test: expr, holds }
    }
}

/// The keys an `if` test records its branches' bindings under: the test and,
/// for `a or b`, each operand (either one holding implies the test).
fn correlation_keys(test: &Expr, keys: &mut Vec<u64>) {
    keys.push(Guard::of(test).key());
    if let Expr::BoolOp(b) = test {
        if b.op == BoolOp::Or {
            for value in &b.values {
                correlation_keys(value, keys);
            }
        }
    }
}

/// A hash of an expression's structure (ranges aside).
fn expr_key(expr: &Expr) -> u64 {
    let mut hasher = FxHasher::default();
    ComparableExpr::from(expr).hash(&mut hasher);
    hasher.finish()
}

/// `for x in [a, b]:` runs its body at least once.
fn is_non_empty_literal(expr: &Expr) -> bool {
    let elts = match expr {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        Expr::StringLiteral(s) => return !s.value.is_empty(),
        _ => return false,
    };
    elts.iter().any(|e| !matches!(e, Expr::Starred(_)))
}

/// `case _:` and `case x:` (also inside `|`) always match.
fn irrefutable(pattern: &Pattern) -> bool {
    match pattern {
        Pattern::MatchAs(p) => p.pattern.as_deref().is_none_or(irrefutable),
        Pattern::MatchOr(p) => p.patterns.iter().any(irrefutable),
        _ => false,
    }
}

/// A `try` whose handlers name `NameError` or `UnboundLocalError`: its body
/// probes whether names are bound on purpose.
fn catches_name_error(try_: &ast::StmtTry) -> bool {
    fn names_it(expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => matches!(n.id.as_str(), "NameError" | "UnboundLocalError"),
            Expr::Attribute(a) => matches!(a.attr.id.as_str(), "NameError" | "UnboundLocalError"),
            Expr::Tuple(t) => t.elts.iter().any(names_it),
            _ => false,
        }
    }
    try_.handlers.iter().any(|h| {
        let ExceptHandler::ExceptHandler(h) = h;
        h.type_.as_deref().is_some_and(names_it)
    })
}

/// Context managers that swallow exceptions from their body
/// (`contextlib.suppress`, `assertRaises`, `pytest.raises`).
fn suppresses_exceptions(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let name = match &*call.func {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.id.as_str(),
        _ => return false,
    };
    matches!(
        name,
        "suppress" | "assertRaises" | "assertRaisesRegex" | "raises"
    )
}
