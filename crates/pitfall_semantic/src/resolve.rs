//! Name lookup (LEGB, with Python's real scoping rules) and resolution of
//! expressions to qualified names, project definitions and tracked receivers.

use std::borrow::Cow;

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextSize};

use crate::builder::{available_from, path_parts};
use crate::builtins::is_builtin;
use crate::index::*;

/// What a name refers to at a given point.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Binding(BindingId),
    Builtin,
    Unbound,
}

/// What an expression evaluates to, as far as static resolution can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// A dotted path: `time.sleep`, `builtins.open`, or a receiver such as
    /// `requests.Session().get` (each `()` is a call along the way).
    /// Relative imports keep their leading dots (`.utils.fetch`).
    Qualified(String),
    /// A `def` in this file.
    Function(ScopeId),
    /// A `class` in this file.
    Class(ScopeId),
    /// An instance of a class in this file (`self`, `Foo()`).
    Instance(ScopeId),
}

impl Resolved {
    pub fn qualified(&self) -> Option<&str> {
        match self {
            Resolved::Qualified(q) => Some(q),
            _ => None,
        }
    }
}

/// Aliases and receivers may refer to each other; stop rather than loop.
const MAX_DEPTH: u32 = 12;

impl SemanticIndex {
    /// Looks `name` up as Python would from `scope` at offset `at`.
    pub fn lookup(&self, scope: ScopeId, name: &str, at: TextSize) -> Lookup {
        // A name that occurs nowhere in the file can only be a builtin.
        let Some(name_id) = self.name_id(name) else {
            return if is_builtin(name) {
                Lookup::Builtin
            } else {
                Lookup::Unbound
            };
        };
        self.lookup_from(
            scope,
            name_id,
            || name,
            at,
            self.symbol_with_id(scope, name_id),
        )
    }

    /// The read of a call's callee root, as the index recorded it (none for
    /// a parenthesized root, which is looked up by name).
    pub fn callee_root_read(&self, call: &CallSite) -> Option<UseId> {
        let path = call.callee.as_ref()?;
        let read = self.uses.get(call.root_use as usize)?;
        // The read of the root: the name at the callee's start.
        (read.scope == path.scope && read.range.start() == path.offset)
            .then_some(UseId(call.root_use))
    }

    /// The id of a symbol's name, shared by the symbols of that name in
    /// every scope.
    pub fn name_id_of(&self, symbol: SymbolId) -> NameId {
        self.symbol_ids.name_of(symbol)
    }

    /// What the name a read reads refers to at offset `at`, as
    /// [`lookup`](Self::lookup) finds it from the read's scope, starting
    /// from the read's symbol (no hashing of the name).
    pub fn lookup_read(&self, read: UseId, at: TextSize) -> Lookup {
        let read = self.use_(read);
        let symbol = self.symbol(read.symbol);
        self.lookup_from(
            read.scope,
            self.symbol_ids.name_of(read.symbol),
            || symbol.name.as_str(),
            at,
            Some(symbol),
        )
    }

    /// [`lookup`](Self::lookup) of the name `name_id` (its text `name()`,
    /// read only for builtins and globals), whose symbol in `scope` (if
    /// any) is `first`.
    #[inline(always)]
    fn lookup_from<'n>(
        &self,
        scope: ScopeId,
        name_id: NameId,
        name: impl Fn() -> &'n str,
        at: TextSize,
        first: Option<&Symbol>,
    ) -> Lookup {
        let mut s = scope;
        let mut symbol = first;
        // Position matters in the scope of the use, and in the function that
        // runs a comprehension inline; enclosing scopes are looked up later, at
        // call time, so their last binding counts.
        let mut positional = true;
        loop {
            if let Some(sym) = symbol {
                if sym.declared_global.is_some() && s != SemanticIndex::MODULE {
                    return self.lookup_enclosing_binding(SemanticIndex::MODULE, name());
                }
                if sym.declared_nonlocal.is_some() {
                    let mut p = self.lookup_parent(s);
                    while let Some(parent) = p {
                        if let Some(found) = self.last_binding_with_id(parent, name_id) {
                            return Lookup::Binding(found);
                        }
                        p = self.lookup_parent(parent);
                    }
                    return Lookup::Unbound;
                }
                let kind = self.scope(s).kind;
                if positional {
                    let before = self
                        .bindings_of(sym)
                        .iter()
                        .rev()
                        .find(|b| available_from(self.binding(**b)) <= at);
                    match before {
                        // `del x` before the read: unbound in a function; a
                        // module or class falls back to the enclosing names.
                        Some(b)
                            if self.binding(*b).kind == BindingKind::Deletion
                                && kind.is_function_like() =>
                        {
                            return Lookup::Unbound;
                        }
                        Some(b) if self.binding(*b).kind == BindingKind::Deletion => {}
                        Some(b) => return Lookup::Binding(*b),
                        None if kind.is_function_like() && sym.is_bound() => {
                            // Local for the whole function: the binding may
                            // come around a loop, or the read is unbound.
                            return match last_value_binding(self, sym) {
                                Some(b) => Lookup::Binding(b),
                                None => Lookup::Unbound,
                            };
                        }
                        None => {}
                    }
                } else if let Some(b) = last_value_binding(self, sym) {
                    return Lookup::Binding(b);
                }
            }
            let comprehension = self.scope(s).kind == ScopeKind::Comprehension;
            match self.lookup_parent(s) {
                Some(parent) => {
                    positional = positional && comprehension;
                    s = parent;
                    symbol = self.symbol_with_id(s, name_id);
                }
                None => break,
            }
        }
        if is_builtin(name()) {
            Lookup::Builtin
        } else {
            Lookup::Unbound
        }
    }

    fn lookup_enclosing_binding(&self, scope: ScopeId, name: &str) -> Lookup {
        match self.last_binding(scope, name) {
            Some(b) => Lookup::Binding(b),
            None if is_builtin(name) => Lookup::Builtin,
            None => Lookup::Unbound,
        }
    }

    /// The last binding of `name` in `scope` that gives it a value.
    pub fn last_binding(&self, scope: ScopeId, name: &str) -> Option<BindingId> {
        self.last_binding_with_id(scope, self.name_id(name)?)
    }

    fn last_binding_with_id(&self, scope: ScopeId, name: NameId) -> Option<BindingId> {
        last_value_binding(self, self.symbol_with_id(scope, name)?)
    }

    /// Resolves an expression (a name, an attribute chain, a call) used in `scope`.
    pub fn resolve_expr(&self, expr: &Expr, scope: ScopeId) -> Option<Resolved> {
        let (root, segments) = path_parts(expr)?;
        let path = ValuePath {
            root,
            segments,
            scope,
            offset: expr.start(),
        };
        self.resolve_path(&path, 0)
    }

    /// The qualified name of an expression, if it resolves to one.
    pub fn qualified_name(&self, expr: &Expr, scope: ScopeId) -> Option<String> {
        match self.resolve_expr(expr, scope)? {
            Resolved::Qualified(q) => Some(q),
            _ => None,
        }
    }

    pub fn resolve_path(&self, path: &ValuePath, depth: u32) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let root = self.lookup(path.scope, &path.root, path.offset);
        self.resolve_path_from(path, root, depth)
    }

    /// [`resolve_path`](Self::resolve_path) when the caller already looked
    /// the root up (`root` is `lookup(path.scope, &path.root, path.offset)`).
    pub fn resolve_path_from(
        &self,
        path: &ValuePath,
        root: Lookup,
        depth: u32,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.resolve_prefix(path, root, path.segments.len(), depth)
    }

    /// The path's root and its first `segments` segments resolved (the
    /// receiver of a method call is all but the last), with the root
    /// already looked up as in [`resolve_path_from`](Self::resolve_path_from).
    /// `apply_segment(prefix, last, depth + 1)` then gives the whole path.
    pub fn resolve_prefix(
        &self,
        path: &ValuePath,
        root: Lookup,
        segments: usize,
        depth: u32,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        // A qualified name grows by the path's segments (callers may apply
        // the rest themselves): room for all of them at once instead of a
        // reallocation per segment.
        let room = text_len(&path.segments);
        let segments = &path.segments[..segments];
        let mut current = match root {
            Lookup::Binding(b) => match &self.binding(b).kind {
                // `resolve_binding` without its copy of the name (at the
                // same depth limit).
                BindingKind::Import { qualified } | BindingKind::FromImport { qualified }
                    if depth < MAX_DEPTH =>
                {
                    Resolved::Qualified(with_room(qualified, room))
                }
                _ => {
                    let mut resolved = self.resolve_binding(b, depth + 1)?;
                    if let Resolved::Qualified(q) = &mut resolved {
                        q.reserve(room);
                    }
                    resolved
                }
            },
            Lookup::Builtin => {
                let mut q = with_room("builtins.", path.root.len() + room);
                q.push_str(&path.root);
                Resolved::Qualified(q)
            }
            Lookup::Unbound => return None,
        };
        for segment in segments {
            current = self.apply_segment(current, segment, depth + 1)?;
        }
        Some(current)
    }

    /// What `base` followed by one more segment resolves to.
    pub fn apply_segment(
        &self,
        base: Resolved,
        segment: &PathSegment,
        depth: u32,
    ) -> Option<Resolved> {
        match (base, segment) {
            (Resolved::Qualified(mut q), PathSegment::Attr(a)) => {
                q.push('.');
                q.push_str(a);
                Some(Resolved::Qualified(q))
            }
            (Resolved::Qualified(mut q), PathSegment::Call) => {
                q.push_str("()");
                Some(Resolved::Qualified(q))
            }
            (Resolved::Class(c), PathSegment::Call) => Some(Resolved::Instance(c)),
            (Resolved::Class(c), PathSegment::Attr(a)) => self.class_member(c, a, depth),
            (Resolved::Instance(c), PathSegment::Attr(a)) => self
                .instance_attribute(c, a, depth)
                .or_else(|| self.class_member(c, a, depth)),
            _ => None,
        }
    }

    /// What a binding holds, if it can be told statically.
    pub fn resolve_binding(&self, id: BindingId, depth: u32) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let binding = self.binding(id);
        match &binding.kind {
            BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                Some(Resolved::Qualified(qualified.clone()))
            }
            BindingKind::FunctionDef { scope } => Some(Resolved::Function(*scope)),
            BindingKind::ClassDef { scope } => Some(Resolved::Class(*scope)),
            BindingKind::Parameter => {
                let scope = self.scope(binding.scope);
                let (name, kind) = scope.receiver.as_ref()?;
                if *name != self.symbol(binding.symbol).name {
                    return None;
                }
                let class = scope.parent?;
                Some(match kind {
                    ReceiverKind::Instance => Resolved::Instance(class),
                    ReceiverKind::Class => Resolved::Class(class),
                })
            }
            BindingKind::Assignment
            | BindingKind::AnnotatedAssignment { .. }
            | BindingKind::WithTarget
            | BindingKind::NamedExpr => self.resolve_path(self.binding_value(binding)?, depth + 1),
            _ => None,
        }
    }

    /// A name defined in a class body (method, nested class, attribute), searching bases in this file.
    pub fn class_member(&self, class: ScopeId, name: &str, depth: u32) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(b) = self.last_binding(class, name) {
            return self.resolve_binding(b, depth + 1);
        }
        for &base_class in self.local_bases(class).iter() {
            if let Some(found) = self.class_member(base_class, name, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    /// `self.<name>` bound in `__init__` from a resolvable value (a tracked receiver).
    pub fn instance_attribute(&self, class: ScopeId, name: &str, depth: u32) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let scope = self.scope(class);
        if let Some((_, path, _, _)) = scope.instance_attrs.iter().rev().find(|(n, ..)| n == name) {
            return self.resolve_path(path, depth + 1);
        }
        for &base_class in self.local_bases(class).iter() {
            if let Some(found) = self.instance_attribute(base_class, name, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    /// The bases of `class` that are classes of this file. Every attribute
    /// lookup on a class or instance walks them, so they are resolved once
    /// per class and cached (a base that names another class's attribute
    /// may come back here while it is being resolved: that lookup is not
    /// cached).
    pub fn local_bases(&self, class: ScopeId) -> Cow<'_, [ScopeId]> {
        let compute = || -> Vec<ScopeId> {
            self.scope(class)
                .bases
                .iter()
                .filter_map(|base| match self.resolve_path(base, 1)? {
                    Resolved::Class(c) => Some(c),
                    _ => None,
                })
                .collect()
        };
        if self.scope(class).bases.is_empty() {
            return Cow::Borrowed(&[]);
        }
        match self.base_cache.get_or_compute(class, compute) {
            Ok(cached) => Cow::Borrowed(cached),
            Err(compute) => Cow::Owned(compute()),
        }
    }

    /// The decorators of a function scope, resolved.
    pub fn decorator_names(&self, scope: ScopeId) -> Vec<Option<Resolved>> {
        self.scope(scope)
            .decorators
            .iter()
            .map(|d| self.resolve_path(&d.callee(), 0))
            .collect()
    }
}

/// The last binding of a symbol that gives it a value (none when the name
/// is declared global or nonlocal there).
fn last_value_binding(index: &SemanticIndex, sym: &Symbol) -> Option<BindingId> {
    if sym.declared_global.is_some() || sym.declared_nonlocal.is_some() {
        return None;
    }
    index
        .bindings_of(sym)
        .iter()
        .rev()
        .find(|b| index.binding(**b).kind != BindingKind::Deletion)
        .copied()
}

/// `text` in a string with room for `room` more bytes.
fn with_room(text: &str, room: usize) -> String {
    let mut q = String::with_capacity(text.len() + room);
    q.push_str(text);
    q
}

/// What `segments` add to a qualified name: `.attr` or `()` each.
fn text_len(segments: &[PathSegment]) -> usize {
    segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Attr(a) => a.len() + 1,
            PathSegment::Call => 2,
        })
        .sum()
}
