//! Builds a [`SemanticIndex`] in one walk over a module's AST.

use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, Comprehension, ExceptHandler, Expr, ExprContext, Parameters, Pattern, Stmt,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::index::*;
use crate::tables::{NameTable, Recent, SymbolTable};

pub fn build_index(module: &ast::ModModule) -> SemanticIndex {
    let len = module.range.len().to_usize();
    let mut builder = Builder {
        index: with_capacity_for(len),
        current: SemanticIndex::MODULE,
        type_checking: 0,
        import_guard: 0,
        depth: 0,
        loop_depth: 0,
    };
    builder.push_scope(ScopeKind::Module, None, module.range, None);
    builder.visit_body(&module.body);
    let mut index = builder.index;
    index.base_cache = BaseCache::new(index.scopes.len());
    group_by_scope(&mut index);
    group_by_symbol(&mut index);
    let mut names: Vec<Name> = index
        .scopes
        .iter()
        .filter(|s| s.kind == ScopeKind::Function { is_async: true })
        .filter_map(|s| s.name.clone())
        .collect();
    names.sort_unstable();
    names.dedup();
    index.async_def_names = names;
    index
}

/// Fills `symbols_by_scope` and `children_by_scope`, and each scope's
/// slices of them: one table each instead of a growing list per scope.
fn group_by_scope(index: &mut SemanticIndex) {
    let scopes = index.scopes.len();
    let (slices, grouped) = group(scopes, index.symbols.iter().map(|s| s.scope.index()));
    for (scope, slice) in index.scopes.iter_mut().zip(slices) {
        scope.symbols = slice;
    }
    index.symbols_by_scope = grouped.into_iter().map(SymbolId).collect();
    let parents = index
        .scopes
        .iter()
        .filter_map(|s| s.parent.map(|p| p.index()));
    let (slices, grouped) = group(scopes, parents);
    for (scope, slice) in index.scopes.iter_mut().zip(slices) {
        scope.children = slice;
    }
    // Child ids count from 1: the module scope is nobody's child.
    index.children_by_scope = grouped.into_iter().map(|i| ScopeId(i + 1)).collect();
}

/// Fills `bindings_by_symbol` and `uses_by_symbol`, and each symbol's
/// slices of them, from the symbol of each binding and use: no list per
/// symbol grows (and spills) during the walk. A counting sort that keeps
/// its counts and cursors in the symbols' own slices (all `(0, 0)` so far).
fn group_by_symbol(index: &mut SemanticIndex) {
    let symbols = &mut index.symbols;
    for b in &index.bindings {
        symbols[b.symbol.index()].bindings.1 += 1;
    }
    for u in &index.uses {
        symbols[u.symbol.index()].uses.1 += 1;
    }
    // Each slice becomes `(start, start)`; its end then grows back as the
    // items are placed.
    let (mut bindings, mut uses) = (0, 0);
    for symbol in symbols.iter_mut() {
        let (b, u) = (symbol.bindings.1, symbol.uses.1);
        symbol.bindings = (bindings, bindings);
        symbol.uses = (uses, uses);
        bindings += b;
        uses += u;
    }
    let mut grouped = vec![BindingId(0); index.bindings.len()];
    for (id, b) in index.bindings.iter().enumerate() {
        let end = &mut symbols[b.symbol.index()].bindings.1;
        grouped[*end as usize] = BindingId(id as u32);
        *end += 1;
    }
    index.bindings_by_symbol = grouped;
    let mut grouped = vec![UseId(0); index.uses.len()];
    for (id, u) in index.uses.iter().enumerate() {
        let end = &mut symbols[u.symbol.index()].uses.1;
        grouped[*end as usize] = UseId(id as u32);
        *end += 1;
    }
    index.uses_by_symbol = grouped;
}

/// A counting sort of items `0..` by their group (`groups` of them): each
/// group's slice, and the items group after group, in order within each.
fn group(
    groups: usize,
    group_of: impl Iterator<Item = usize> + Clone,
) -> (Vec<(u32, u32)>, Vec<u32>) {
    let mut next = vec![0u32; groups];
    for g in group_of.clone() {
        next[g] += 1;
    }
    let mut slices = Vec::with_capacity(groups);
    let mut start = 0;
    for slot in next.iter_mut() {
        let len = *slot;
        slices.push((start, start + len));
        *slot = start;
        start += len;
    }
    // `next` now holds each group's next free place.
    let mut grouped = vec![0u32; start as usize];
    for (item, g) in group_of.enumerate() {
        grouped[next[g] as usize] = item as u32;
        next[g] += 1;
    }
    (slices, grouped)
}

/// An empty index with room for what a module of `len` bytes usually
/// holds, so the tables are not copied over and over while they grow. The
/// CPython standard library averages 43 bytes a read, 78 a symbol, 102 a
/// binding, 96 a call, 208 a distinct name and 400 a scope, but small
/// modules hold more per byte: these sizes make growing rare (a few files
/// in a hundred). Capacity beyond what is written is never touched, but the
/// name table's slots are zeroed: its size is the closest.
fn with_capacity_for(len: usize) -> SemanticIndex {
    let mut index = SemanticIndex::default();
    index.uses.reserve(len / 18 + 16);
    index.symbols.reserve(len / 40 + 16);
    index.bindings.reserve(len / 48 + 16);
    index.binding_values.reserve(len / 128 + 8);
    index.calls.reserve(len / 36 + 8);
    index.scopes.reserve(len / 200 + 8);
    index.symbol_ids = SymbolTable::with_capacity(len / 64 + 16);
    index.name_ids = NameTable::with_capacity(len / 120 + 16);
    index.scope_by_range.reserve(len / 300 + 4);
    index
}

struct Builder {
    index: SemanticIndex,
    current: ScopeId,
    /// Depth of `if TYPE_CHECKING:` bodies around the current statement.
    type_checking: u32,
    /// Depth of `try` bodies whose handlers catch `ImportError`.
    import_guard: u32,
    /// Statements and expressions being visited: the stack is checked
    /// every few levels only.
    depth: u32,
    /// Depth of `for`/`while` statements around the current node, in the
    /// current function.
    loop_depth: u32,
}

/// `__name__ == "__main__"` (either way round): the body runs only as a script.
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    let [right] = &*cmp.comparators else {
        return false;
    };
    cmp.ops.len() == 1
        && matches!(cmp.ops[0], ast::CmpOp::Eq)
        && (is_name(&cmp.left) && is_main(right) || is_main(&cmp.left) && is_name(right))
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING` (any module's attribute of that name).
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// Whether a handler list catches `ImportError` (bare, `Exception`, a tuple with it, ...).
fn catches_import_error(handlers: &[ExceptHandler]) -> bool {
    fn names_it(expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => matches!(
                n.id.as_str(),
                "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"
            ),
            Expr::Attribute(a) => {
                matches!(a.attr.id.as_str(), "ImportError" | "ModuleNotFoundError")
            }
            Expr::Tuple(t) => t.elts.iter().any(names_it),
            _ => false,
        }
    }
    handlers.iter().any(|h| {
        let ExceptHandler::ExceptHandler(h) = h;
        h.type_.as_deref().is_none_or(names_it)
    })
}

/// Longer access paths are not tracked: resolution never needs them, and
/// recording every prefix of a long chain (`f()()()...`) would be quadratic.
const MAX_PATH_SEGMENTS: usize = 16;

/// `requests.Session()` → root `requests`, `[Attr(Session), Call]`.
pub fn path_parts(expr: &Expr) -> Option<(Name, Segments)> {
    // The chain's segments first, outermost first, as references: no name
    // is cloned for the many expressions that turn out to be no path, and
    // the segments are then pushed in order.
    let mut chain: [Option<&ast::Identifier>; MAX_PATH_SEGMENTS] = [None; MAX_PATH_SEGMENTS];
    let mut count = 0;
    let mut current = expr;
    let root = loop {
        let segment = match current {
            Expr::Name(n) => break &n.id,
            Expr::Attribute(a) => {
                current = &a.value;
                Some(&a.attr)
            }
            Expr::Call(c) => {
                current = &c.func;
                None
            }
            Expr::Await(a) => {
                current = &a.value;
                continue;
            }
            _ => return None,
        };
        *chain.get_mut(count)? = segment;
        count += 1;
    };
    let segment = |at: usize| match chain[at] {
        Some(attr) => PathSegment::Attr(attr.id.clone()),
        None => PathSegment::Call,
    };
    // Most paths have one or two segments: built inline, without a push.
    let segments = match count {
        0 => Segments::new(),
        1 => Segments::from_buf_and_len([segment(0), PathSegment::Call], 1),
        2 => Segments::from_buf([segment(1), segment(0)]),
        _ => (0..count).rev().map(segment).collect(),
    };
    Some((root.clone(), segments))
}

impl Builder {
    fn push_scope(
        &mut self,
        kind: ScopeKind,
        name: Option<Name>,
        node_range: TextRange,
        receiver: Option<(Name, ReceiverKind)>,
    ) -> ScopeId {
        let id = ScopeId(self.index.scopes.len() as u32);
        let parent = (!self.index.scopes.is_empty()).then_some(self.current);
        self.index.scopes.push(Scope {
            kind,
            parent,
            node_range,
            name,
            symbols: (0, 0),
            receiver,
            decorators: Vec::new(),
            bases: Vec::new(),
            instance_attrs: Vec::new(),
            children: (0, 0),
            is_generator: false,
        });
        self.index.scope_by_range.insert(node_range, id);
        id
    }

    /// The symbol of `name` in `scope`, created on first sight. Most reads
    /// and bindings of a name are in the scope of its previous one: the
    /// name table's entry remembers that symbol, and then the `(scope,
    /// name)` table is not probed.
    #[inline]
    fn symbol(&mut self, scope: ScopeId, name: &Name) -> SymbolId {
        let index = &mut self.index;
        let (name_id, recent) = index.name_ids.intern(name);
        if recent.scope == scope {
            return recent.symbol;
        }
        let (id, new) = index.symbol_ids.get_or_insert(scope, name_id);
        if new {
            debug_assert_eq!(id.index(), index.symbols.len());
            index.symbols.push(Symbol {
                name: name.clone(),
                scope,
                declared_global: None,
                declared_nonlocal: None,
                bindings: (0, 0),
                uses: (0, 0),
            });
        }
        *recent = Recent { scope, symbol: id };
        id
    }

    /// The path arguments of a call that may run one of them elsewhere
    /// ([`crate::runs_callable`]); the callee's last name is compared first.
    fn record_callable_arguments(&mut self, call: &ast::ExprCall) {
        let last = match &*call.func {
            // Bare `map(...)`, `apply(...)`: builtins or plain functions, no pool.
            Expr::Name(n) => match n.id.as_str() {
                name @ ("Thread" | "Timer" | "Process" | "to_thread") => name,
                _ => return,
            },
            Expr::Attribute(a) => a.attr.id.as_str(),
            _ => return,
        };
        if !crate::runs_callable(last) {
            return;
        }
        let call_index = self.index.calls.len() as u32;
        let in_loop = self.loop_depth > 0;
        for (i, arg) in call.arguments.args.iter().take(2).enumerate() {
            if let Some(path) = self.path(arg) {
                self.index.callable_arguments.push(crate::CallableArgument {
                    call: call_index,
                    position: Some(i as u32),
                    keyword: None,
                    path,
                    in_loop,
                });
            }
        }
        for kw in &call.arguments.keywords {
            let Some(name) = &kw.arg else { continue };
            if !matches!(name.id.as_str(), "target" | "function" | "func" | "fn") {
                continue;
            }
            if let Some(path) = self.path(&kw.value) {
                self.index.callable_arguments.push(crate::CallableArgument {
                    call: call_index,
                    position: None,
                    keyword: Some(name.id.clone()),
                    path,
                    in_loop,
                });
            }
        }
    }

    fn path(&self, expr: &Expr) -> Option<ValuePath> {
        let (root, segments) = match expr {
            // Most paths are a bare name, and most other values no path at
            // all: neither walks a chain.
            Expr::Name(n) => (n.id.clone(), Segments::new()),
            Expr::Attribute(_) | Expr::Call(_) | Expr::Await(_) => path_parts(expr)?,
            _ => return None,
        };
        Some(ValuePath {
            root,
            segments,
            scope: self.current,
            offset: expr.start(),
        })
    }

    fn bind_in(
        &mut self,
        scope: ScopeId,
        name: &Name,
        kind: BindingKind,
        range: TextRange,
        stmt_range: TextRange,
        value: Option<ValuePath>,
    ) -> BindingId {
        let sym = self.symbol(scope, name);
        let id = BindingId(self.index.bindings.len() as u32);
        let value = match value {
            Some(path) => {
                self.index.binding_values.push(path);
                self.index.binding_values.len() as u32 - 1
            }
            None => NO_VALUE,
        };
        self.index.bindings.push(Binding {
            symbol: sym,
            scope,
            kind,
            range,
            stmt_range,
            value,
        });
        id
    }

    fn bind(
        &mut self,
        name: &Name,
        kind: BindingKind,
        range: TextRange,
        stmt_range: TextRange,
        value: Option<ValuePath>,
    ) -> BindingId {
        self.bind_in(self.current, name, kind, range, stmt_range, value)
    }

    fn add_use(&mut self, name: &Name, range: TextRange, kind: UseKind) {
        let sym = self.symbol(self.current, name);
        self.index.uses.push(Use {
            symbol: sym,
            scope: self.current,
            range,
            kind,
        });
    }

    /// Binds every name in an assignment target; attribute and subscript
    /// targets are reads of their base.
    fn bind_target(
        &mut self,
        target: &Expr,
        kind: &BindingKind,
        stmt: TextRange,
        value: Option<&Expr>,
    ) {
        match target {
            Expr::Name(n) => {
                let value = value.and_then(|v| self.path(v));
                self.bind(&n.id, kind.clone(), n.range, stmt, value);
            }
            Expr::Tuple(t) => {
                for elt in &t.elts {
                    self.bind_target(elt, &unpack_kind(kind), stmt, None);
                }
            }
            Expr::List(l) => {
                for elt in &l.elts {
                    self.bind_target(elt, &unpack_kind(kind), stmt, None);
                }
            }
            Expr::Starred(s) => self.bind_target(&s.value, kind, stmt, None),
            Expr::Attribute(a) => {
                self.record_instance_attr(a, value);
                self.visit_expr(&a.value);
            }
            _ => self.visit_expr(target),
        }
    }

    /// `self.x = value` inside `__init__` records `x` on the class.
    fn record_instance_attr(&mut self, attr: &ast::ExprAttribute, value: Option<&Expr>) {
        let (Expr::Name(base), Some(value)) = (&*attr.value, value) else {
            return;
        };
        let scope = &self.index.scopes[self.current.index()];
        let Some((recv, ReceiverKind::Instance)) = &scope.receiver else {
            return;
        };
        if recv != &base.id || scope.name.as_deref() != Some("__init__") {
            return;
        }
        let Some(class) = scope.parent else { return };
        if let Some(path) = self.path(value) {
            let entry = (attr.attr.id.clone(), path, self.current, value.start());
            self.index.scopes[class.index()].instance_attrs.push(entry);
        }
    }

    fn visit_parameter_defaults(&mut self, parameters: &Parameters) {
        for p in parameters.iter() {
            if let Some(default) = p.default() {
                self.visit_expr(default);
            }
            if let Some(ann) = p.annotation() {
                self.visit_annotation(ann);
            }
        }
    }

    fn bind_parameters(&mut self, parameters: &Parameters, stmt: TextRange) {
        for p in parameters.iter() {
            let ident = p.name();
            self.bind(&ident.id, BindingKind::Parameter, ident.range, stmt, None);
        }
    }

    fn visit_with(&mut self, with: &ast::StmtWith) {
        for item in &with.items {
            self.index.with_items.push(WithItem {
                scope: self.current,
                context: self.path(&item.context_expr),
                stmt_range: with.range,
                is_async: with.is_async,
            });
            self.visit_expr(&item.context_expr);
            if let Some(vars) = &item.optional_vars {
                self.bind_target(
                    vars,
                    &BindingKind::WithTarget,
                    with.range,
                    Some(&item.context_expr),
                );
            }
        }
        self.visit_body(&with.body);
    }

    fn record_import(
        &mut self,
        range: TextRange,
        module: String,
        names: Option<Vec<(Name, TextRange)>>,
        star: bool,
    ) {
        self.index.imports.push(ImportStmt {
            scope: self.current,
            range,
            module,
            names,
            star,
            type_checking: self.type_checking > 0,
            guarded: self.import_guard > 0,
        });
    }

    fn visit_function(&mut self, def: &ast::StmtFunctionDef) {
        let decorator_paths = self.visit_decorators(&def.decorator_list);
        self.visit_parameter_defaults(&def.parameters);
        if let Some(ret) = &def.returns {
            self.visit_annotation(ret);
        }
        let receiver = self.method_receiver(def);
        let parent = self.current;
        let scope = self.push_scope(
            ScopeKind::Function {
                is_async: def.is_async,
            },
            Some(def.name.id.clone()),
            def.range,
            receiver,
        );
        self.index.scopes[scope.index()].decorators = decorator_paths;
        self.current = scope;
        self.bind_type_params(def.type_params.as_deref(), def.range);
        self.bind_parameters(&def.parameters, def.range);
        let loop_depth = std::mem::take(&mut self.loop_depth);
        self.visit_body(&def.body);
        self.loop_depth = loop_depth;
        self.current = parent;
        self.bind(
            &def.name.id,
            BindingKind::FunctionDef { scope },
            def.name.range,
            def.range,
            None,
        );
    }

    fn method_receiver(&self, def: &ast::StmtFunctionDef) -> Option<(Name, ReceiverKind)> {
        if self.index.scopes[self.current.index()].kind != ScopeKind::Class {
            return None;
        }
        let first = def
            .parameters
            .posonlyargs
            .first()
            .or_else(|| def.parameters.args.first())?;
        let decorated = |name: &str| {
            def.decorator_list.iter().any(|d| match &d.expression {
                Expr::Name(n) => n.id.as_str() == name,
                Expr::Attribute(a) => a.attr.id.as_str() == name,
                _ => false,
            })
        };
        if decorated("staticmethod") {
            return None;
        }
        let kind = if decorated("classmethod")
            || matches!(
                def.name.id.as_str(),
                "__new__" | "__init_subclass__" | "__class_getitem__"
            ) {
            ReceiverKind::Class
        } else {
            ReceiverKind::Instance
        };
        Some((first.parameter.name.id.clone(), kind))
    }

    fn visit_decorators(&mut self, list: &[ast::Decorator]) -> Vec<Decorator> {
        let mut out = Vec::new();
        for d in list {
            self.visit_expr(&d.expression);
            if let Some(path) = self.path(&d.expression) {
                let true_keywords = match &d.expression {
                    Expr::Call(call) => call
                        .arguments
                        .keywords
                        .iter()
                        .filter(|k| matches!(&k.value, Expr::BooleanLiteral(b) if b.value))
                        .filter_map(|k| k.arg.as_ref().map(|a| a.id.clone()))
                        .collect(),
                    _ => Vec::new(),
                };
                out.push(Decorator {
                    path,
                    true_keywords,
                });
            }
        }
        out
    }

    /// PEP 695 type parameters, bound in the scope of the `def` or `class`.
    fn bind_type_params(&mut self, params: Option<&ast::TypeParams>, stmt: TextRange) {
        for t in params.into_iter().flat_map(|tp| tp.iter()) {
            let name = t.name();
            self.bind(&name.id, BindingKind::TypeParam, name.range, stmt, None);
        }
    }

    fn visit_class(&mut self, class: &ast::StmtClassDef) {
        let decorators = self.visit_decorators(&class.decorator_list);
        let mut bases = Vec::new();
        if let Some(args) = &class.arguments {
            for base in args.args.iter() {
                self.visit_expr(base);
                if let Some(p) = self.path(base) {
                    bases.push(p);
                }
            }
            for kw in args.keywords.iter() {
                self.visit_expr(&kw.value);
            }
        }
        let parent = self.current;
        let scope = self.push_scope(
            ScopeKind::Class,
            Some(class.name.id.clone()),
            class.range,
            None,
        );
        self.index.scopes[scope.index()].bases = bases;
        self.index.scopes[scope.index()].decorators = decorators;
        self.current = scope;
        self.bind_type_params(class.type_params.as_deref(), class.range);
        self.visit_body(&class.body);
        self.current = parent;
        self.bind(
            &class.name.id,
            BindingKind::ClassDef { scope },
            class.name.range,
            class.range,
            None,
        );
    }

    fn visit_comprehension_scope(
        &mut self,
        range: TextRange,
        generators: &[Comprehension],
        elements: &[&Expr],
    ) {
        let Some((first, _)) = generators.split_first() else {
            return;
        };
        // The first iterable is evaluated in the enclosing scope.
        self.visit_expr(&first.iter);
        let parent = self.current;
        let scope = self.push_scope(ScopeKind::Comprehension, None, range, None);
        self.current = scope;
        for (i, generator) in generators.iter().enumerate() {
            if i > 0 {
                self.visit_expr(&generator.iter);
            }
            self.bind_target(
                &generator.target,
                &BindingKind::ComprehensionTarget,
                generator.range,
                None,
            );
            for cond in &generator.ifs {
                self.visit_expr(cond);
            }
        }
        for elt in elements {
            self.visit_expr(elt);
        }
        self.current = parent;
    }

    fn bind_pattern_name(&mut self, name: &ast::Identifier, pattern_range: TextRange) {
        self.bind(
            &name.id,
            BindingKind::MatchCapture,
            name.range,
            pattern_range,
            None,
        );
    }
}

fn unpack_kind(kind: &BindingKind) -> BindingKind {
    match kind {
        BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. } => BindingKind::Unpacking,
        other => other.clone(),
    }
}

fn import_prefix(module: Option<&ast::Identifier>, level: u32) -> String {
    let mut prefix = ".".repeat(level as usize);
    if let Some(m) = module {
        prefix.push_str(m.id.as_str());
    }
    prefix
}

impl<'a> Visitor<'a> for Builder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let depth = self.depth;
        self.depth += 1;
        crate::stack::guarded_at(depth, || self.visit_stmt_inner(stmt));
        self.depth = depth;
    }

    /// Inlined where a child is visited (here and in `walk_expr`): a leaf,
    /// most of the nodes, costs no call of its own beyond reading a name.
    #[inline(always)]
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => self.visit_name(n),
            _ if is_literal(expr) => {}
            _ => self.visit_compound_expr(expr),
        }
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind_pattern_name(name, p.range);
                }
            }
            Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind_pattern_name(name, p.range);
                }
            }
            Pattern::MatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind_pattern_name(name, p.range);
                }
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

/// A literal without parts to visit (an f-string has some): a leaf of the
/// walk, like a name.
#[inline(always)]
fn is_literal(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
    )
}

impl<'a> Builder {
    /// An expression that is not a leaf (see `visit_expr`).
    #[inline(never)]
    fn visit_compound_expr(&mut self, expr: &'a Expr) {
        // An attribute chain (`a.b.c`) only reads its innermost value: walked
        // down in a loop, without a level per attribute.
        let mut expr = expr;
        while let Expr::Attribute(attr) = expr {
            expr = &attr.value;
        }
        match expr {
            Expr::Name(n) => return self.visit_name(n),
            _ if is_literal(expr) => return,
            _ => {}
        }
        let depth = self.depth;
        self.depth += 1;
        crate::stack::guarded_at(depth, || self.visit_expr_inner(expr));
        self.depth = depth;
    }

    #[inline(never)]
    fn visit_name(&mut self, n: &ast::ExprName) {
        match n.ctx {
            ExprContext::Load => self.add_use(&n.id, n.range, UseKind::Load),
            ExprContext::Store => {
                self.bind(&n.id, BindingKind::Assignment, n.range, n.range, None);
            }
            ExprContext::Del => {
                self.add_use(&n.id, n.range, UseKind::Delete);
                self.bind(&n.id, BindingKind::Deletion, n.range, n.range, None);
            }
            ExprContext::Invalid => {}
        }
    }

    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.visit_function(def),
            Stmt::ClassDef(class) => self.visit_class(class),
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    self.bind_target(
                        target,
                        &BindingKind::Assignment,
                        assign.range,
                        Some(&assign.value),
                    );
                }
            }
            Stmt::AugAssign(aug) => {
                self.visit_expr(&aug.value);
                match &*aug.target {
                    Expr::Name(n) => {
                        self.add_use(&n.id, n.range, UseKind::AugmentedLoad);
                        self.bind(
                            &n.id,
                            BindingKind::AugmentedAssignment,
                            n.range,
                            aug.range,
                            None,
                        );
                    }
                    other => self.visit_expr(other),
                }
            }
            Stmt::AnnAssign(ann) => {
                self.visit_annotation(&ann.annotation);
                if let Some(value) = &ann.value {
                    self.visit_expr(value);
                }
                let kind = BindingKind::AnnotatedAssignment {
                    has_value: ann.value.is_some(),
                };
                self.bind_target(&ann.target, &kind, ann.range, ann.value.as_deref());
            }
            Stmt::TypeAlias(alias) => {
                self.visit_expr(&alias.value);
                if let Expr::Name(n) = &*alias.name {
                    self.bind(&n.id, BindingKind::Assignment, n.range, alias.range, None);
                }
            }
            Stmt::For(for_) => {
                self.visit_expr(&for_.iter);
                self.bind_target(&for_.target, &BindingKind::ForTarget, for_.range, None);
                self.loop_depth += 1;
                self.visit_body(&for_.body);
                self.loop_depth -= 1;
                self.visit_body(&for_.orelse);
            }
            Stmt::Delete(del) => {
                for target in &del.targets {
                    match target {
                        Expr::Name(n) => {
                            self.add_use(&n.id, n.range, UseKind::Delete);
                            self.bind(&n.id, BindingKind::Deletion, n.range, del.range, None);
                        }
                        other => self.visit_expr(other),
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.record_import(import.range, alias.name.id.as_str().into(), None, false);
                    let full = alias.name.id.as_str();
                    let (bound, qualified) = match &alias.asname {
                        Some(asname) => (asname, full.to_string()),
                        None => (
                            &alias.name,
                            full.split('.').next().unwrap_or(full).to_string(),
                        ),
                    };
                    let name = Name::new(bound.id.as_str().split('.').next().unwrap_or(""));
                    self.bind(
                        &name,
                        BindingKind::Import { qualified },
                        bound.range,
                        import.range,
                        None,
                    );
                }
            }
            Stmt::ImportFrom(import) => {
                let prefix = import_prefix(import.module.as_ref(), import.level);
                let star = import.names.iter().any(|a| a.name.id.as_str() == "*");
                let names = import
                    .names
                    .iter()
                    .filter(|a| a.name.id.as_str() != "*")
                    .map(|a| (a.name.id.clone(), a.range))
                    .collect();
                self.record_import(import.range, prefix.clone(), Some(names), star);
                for alias in &import.names {
                    if alias.name.id.as_str() == "*" {
                        self.index.has_star_import = true;
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    let name = alias.name.id.as_str();
                    let mut qualified = String::with_capacity(prefix.len() + 1 + name.len());
                    qualified.push_str(&prefix);
                    if !(prefix.is_empty() || prefix.ends_with('.')) {
                        qualified.push('.');
                    }
                    qualified.push_str(name);
                    self.bind(
                        &bound.id,
                        BindingKind::FromImport { qualified },
                        bound.range,
                        import.range,
                        None,
                    );
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    let sym = self.symbol(self.current, &name.id);
                    self.index.symbols[sym.index()].declared_global = Some(name.range);
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &nonlocal.names {
                    let sym = self.symbol(self.current, &name.id);
                    self.index.symbols[sym.index()].declared_nonlocal = Some(name.range);
                }
            }
            Stmt::If(if_) if is_type_checking(&if_.test) || is_main_guard(&if_.test) => {
                self.visit_expr(&if_.test);
                if self.current == SemanticIndex::MODULE && is_main_guard(&if_.test) {
                    if let (Some(first), Some(last)) = (if_.body.first(), if_.body.last()) {
                        self.index
                            .main_guard_bodies
                            .push(TextRange::new(first.start(), last.end()));
                    }
                }
                // Imports there never run when the module is imported.
                self.type_checking += 1;
                self.visit_body(&if_.body);
                self.type_checking -= 1;
                for clause in &if_.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
            }
            Stmt::With(with) => self.visit_with(with),
            Stmt::Try(try_) => {
                let guarded = catches_import_error(&try_.handlers);
                self.import_guard += u32::from(guarded);
                self.visit_body(&try_.body);
                self.import_guard -= u32::from(guarded);
                for handler in &try_.handlers {
                    let ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(type_) = &h.type_ {
                        self.visit_expr(type_);
                    }
                    if let Some(name) = &h.name {
                        self.bind(
                            &name.id,
                            BindingKind::ExceptHandler,
                            name.range,
                            h.range,
                            None,
                        );
                    }
                    self.visit_body(&h.body);
                }
                self.visit_body(&try_.orelse);
                self.visit_body(&try_.finalbody);
            }
            Stmt::While(while_) => {
                self.visit_expr(&while_.test);
                self.loop_depth += 1;
                self.visit_body(&while_.body);
                self.loop_depth -= 1;
                self.visit_body(&while_.orelse);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr_inner(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => self.visit_name(n),
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                // PEP 572: the target binds in the nearest non-comprehension scope.
                let mut scope = self.current;
                while self.index.scope(scope).kind == ScopeKind::Comprehension {
                    match self.index.scope(scope).parent {
                        Some(p) => scope = p,
                        None => break,
                    }
                }
                if let Expr::Name(n) = &*named.target {
                    let value = self.path(&named.value);
                    self.bind_in(
                        scope,
                        &n.id,
                        BindingKind::NamedExpr,
                        n.range,
                        named.range,
                        value,
                    );
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(params) = &lambda.parameters {
                    self.visit_parameter_defaults(params);
                }
                let parent = self.current;
                self.current = self.push_scope(ScopeKind::Lambda, None, lambda.range, None);
                if let Some(params) = &lambda.parameters {
                    self.bind_parameters(params, lambda.range);
                }
                self.visit_expr(&lambda.body);
                self.current = parent;
            }
            Expr::ListComp(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::Generator(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => {
                let mut elts: Vec<&Expr> = Vec::with_capacity(2);
                if let Some(k) = &c.key {
                    elts.push(k);
                }
                elts.push(&c.value);
                self.visit_comprehension_scope(c.range, &c.generators, &elts)
            }
            Expr::Call(call) => {
                self.record_callable_arguments(call);
                let callee = self.path(&call.func);
                // Visiting the callee reads its root first.
                let root_use = match callee {
                    Some(_) => self.index.uses.len() as u32,
                    None => NO_USE,
                };
                self.index.calls.push(CallSite {
                    scope: self.current,
                    range: call.range(),
                    func_range: call.func.range(),
                    callee,
                    awaited: false,
                    has_arguments: !call.arguments.is_empty(),
                    root_use,
                });
                // `walk_expr`'s order, without its dispatch.
                self.visit_expr(&call.func);
                for arg in &call.arguments.args {
                    self.visit_expr(arg);
                }
                for keyword in &call.arguments.keywords {
                    self.visit_expr(&keyword.value);
                }
            }
            Expr::Await(await_) => {
                let first = self.index.calls.len();
                self.visit_expr(&await_.value);
                if let Some(site) = self.index.calls.get_mut(first) {
                    if site.range == await_.value.range() {
                        site.awaited = true;
                    }
                }
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                // A generator (or async generator): the nearest function-like scope.
                self.index.scopes[self.current.index()].is_generator = true;
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Where a binding starts to hold a value, for "the binding before this use".
pub(crate) fn available_from(binding: &Binding) -> TextSize {
    match binding.kind {
        BindingKind::ForTarget
        | BindingKind::WithTarget
        | BindingKind::ExceptHandler
        | BindingKind::ComprehensionTarget
        | BindingKind::MatchCapture
        | BindingKind::Parameter
        | BindingKind::TypeParam => binding.range.end(),
        _ => binding.stmt_range.end(),
    }
}
