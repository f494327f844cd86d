//! The per-file semantic index: scopes, symbols, bindings and uses.
//!
//! It owns no AST references (only names and ranges), so it is `Eq` and can be
//! a salsa query result that backdates when an edit leaves it unchanged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use ruff_python_ast::name::Name;
use ruff_text_size::{TextRange, TextSize};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::tables::{NameTable, SymbolTable};

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(ScopeId);
id_type!(SymbolId);
id_type!(BindingId);
id_type!(UseId);
id_type!(NameId);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    Module,
    Class,
    Function { is_async: bool },
    Lambda,
    Comprehension,
}

impl ScopeKind {
    /// Function-like scopes have fast locals: a binding anywhere makes the
    /// name local for the whole scope.
    pub fn is_function_like(self) -> bool {
        matches!(
            self,
            ScopeKind::Function { .. } | ScopeKind::Lambda | ScopeKind::Comprehension
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    /// The range of the node that creates the scope (the whole `def`, class,
    /// lambda or comprehension; the module for the module scope).
    pub node_range: TextRange,
    /// The name of a `def` or `class`.
    pub name: Option<Name>,
    /// Where the scope's symbols are in `SemanticIndex::symbols_by_scope`
    /// (one table for the file, filled once the walk is done).
    pub(crate) symbols: (u32, u32),
    /// For a method: the name of its first parameter and how it is bound.
    pub receiver: Option<(Name, ReceiverKind)>,
    /// Decorators of a `def` or `class`, resolved later.
    pub decorators: Vec<Decorator>,
    /// For classes: base class expressions as paths.
    pub bases: Vec<ValuePath>,
    /// For classes: `self.<attr> = <value>` in `__init__`.
    pub instance_attrs: Vec<(Name, ValuePath, ScopeId, TextSize)>,
    /// Where the scope's children are in `SemanticIndex::children_by_scope`.
    pub(crate) children: (u32, u32),
    /// A function or lambda whose body yields: a generator (async or not).
    pub is_generator: bool,
}

/// How a method's first parameter is bound.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReceiverKind {
    /// `self` in a plain method.
    Instance,
    /// `cls` in a `@classmethod`.
    Class,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: Name,
    pub scope: ScopeId,
    pub declared_global: Option<TextRange>,
    pub declared_nonlocal: Option<TextRange>,
    /// Where the symbol's bindings are in `SemanticIndex::bindings_by_symbol`
    /// ([`SemanticIndex::bindings_of`]); its uses likewise.
    pub(crate) bindings: (u32, u32),
    pub(crate) uses: (u32, u32),
}

impl Symbol {
    /// Bound in its own scope (not merely declared global/nonlocal).
    pub fn is_local(&self) -> bool {
        self.declared_global.is_none() && self.declared_nonlocal.is_none() && self.is_bound()
    }

    /// Has at least one binding in its scope.
    pub fn is_bound(&self) -> bool {
        self.bindings.0 != self.bindings.1
    }

    /// How many bindings it has in its scope.
    pub fn binding_count(&self) -> usize {
        (self.bindings.1 - self.bindings.0) as usize
    }

    /// Is read in its scope.
    pub fn is_used(&self) -> bool {
        self.uses.0 != self.uses.1
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    Assignment,
    AugmentedAssignment,
    AnnotatedAssignment {
        has_value: bool,
    },
    /// Target of `a, b = ...` or `[a, *b] = ...`.
    Unpacking,
    ForTarget,
    WithTarget,
    ExceptHandler,
    NamedExpr,
    ComprehensionTarget,
    /// `import a.b.c` binds `a` to module `a`; `import a.b as x` binds `x` to `a.b`.
    Import {
        qualified: String,
    },
    /// `from m import n as y`; relative modules keep their leading dots.
    FromImport {
        qualified: String,
    },
    Parameter,
    FunctionDef {
        scope: ScopeId,
    },
    ClassDef {
        scope: ScopeId,
    },
    MatchCapture,
    TypeParam,
    /// `del x` unbinds.
    Deletion,
}

impl BindingKind {
    pub fn is_import(&self) -> bool {
        matches!(
            self,
            BindingKind::Import { .. } | BindingKind::FromImport { .. }
        )
    }
}

/// A binding of a name. Its name is its symbol's
/// (`index.symbol(b.symbol).name`): a binding holds no string of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The symbol bound: the name in the binding's scope.
    pub symbol: SymbolId,
    pub scope: ScopeId,
    pub kind: BindingKind,
    /// The name's own range.
    pub range: TextRange,
    /// The range of the statement (or expression) that binds it.
    pub stmt_range: TextRange,
    /// For simple `name = <expr>` style bindings: the bound value as a path
    /// ([`SemanticIndex::binding_value`]), an index into
    /// `SemanticIndex::binding_values` ([`NO_VALUE`] for none). Most
    /// bindings have none: the paths are kept apart, and a binding is
    /// half the size.
    pub(crate) value: u32,
}

/// `Binding::value` of a binding without a path value.
pub(crate) const NO_VALUE: u32 = u32::MAX;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum UseKind {
    Load,
    /// The implicit read of `x += 1`.
    AugmentedLoad,
    /// `del x` reads x first.
    Delete,
}

/// A read of a name. Its name is its symbol's (`index.symbol(u.symbol).name`):
/// a use holds no string, so uses cost nothing to copy or drop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The symbol read: the name in the scope of the read.
    pub symbol: SymbolId,
    pub scope: ScopeId,
    pub range: TextRange,
    pub kind: UseKind,
}

/// A syntactic access path: `requests.Session()` is
/// `[Name("requests"), Attr("Session"), Call]`. Resolved lazily, so that
/// receivers and aliases work whatever order the definitions come in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValuePath {
    pub root: Name,
    pub segments: Segments,
    /// Where the root name is looked up.
    pub scope: ScopeId,
    pub offset: TextSize,
}

/// The segments after a path's root; most paths have one or two (inline).
pub type Segments = SmallVec<[PathSegment; 2]>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Attr(Name),
    Call,
}

/// A decorator as a path (`dataclasses.dataclass`), with the keywords it was
/// called with as literal `True` (`frozen=True`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decorator {
    pub path: ValuePath,
    pub true_keywords: Vec<Name>,
}

impl Decorator {
    /// The decorator itself, without the call: `dataclass` for `@dataclass(frozen=True)`.
    pub fn callee(&self) -> ValuePath {
        let mut p = self.path.clone();
        if p.segments.last() == Some(&PathSegment::Call) {
            p.segments.pop();
        }
        p
    }
}

/// Whether a callee's last name is one of the calls that may run a
/// callable argument in another thread or process (`Thread(target=f)`,
/// `pool.submit(f)`, `loop.run_in_executor(None, f)`): their path arguments
/// are recorded ([`CallableArgument`]). A `match`: every call of the file asks.
pub fn runs_callable(last: &str) -> bool {
    matches!(
        last,
        "Thread"
            | "Timer"
            | "Process"
            | "submit"
            | "map"
            | "imap"
            | "imap_unordered"
            | "starmap"
            | "apply"
            | "apply_async"
            | "map_async"
            | "starmap_async"
            | "to_thread"
            | "run_in_executor"
    )
}

/// A path argument of a call that [`runs_callable`] accepts: one of the first two
/// positional arguments, or a `target`/`function`/`func`/`fn` keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallableArgument {
    /// The call (index into `calls`).
    pub call: u32,
    /// Its position among the positional arguments, or `None` for a keyword.
    pub position: Option<u32>,
    pub keyword: Option<Name>,
    pub path: ValuePath,
    /// The call is inside a `for`/`while` of its function (or module).
    pub in_loop: bool,
}

/// The whole index of one file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SemanticIndex {
    pub scopes: Vec<Scope>,
    pub symbols: Vec<Symbol>,
    pub bindings: Vec<Binding>,
    pub uses: Vec<Use>,
    /// Scope-creating node range → scope.
    pub(crate) scope_by_range: FxHashMap<TextRange, ScopeId>,
    /// Every distinct name of the file: a lookup hashes its string once,
    /// then probes `symbol_ids` per scope with two integers.
    pub(crate) name_ids: NameTable,
    /// (scope, name) → the scope's symbol of that name.
    pub(crate) symbol_ids: SymbolTable,
    /// Every scope's symbols, scope after scope, each scope's in the order
    /// they first occur (`Scope::symbols` is a scope's slice).
    pub(crate) symbols_by_scope: Vec<SymbolId>,
    /// Every scope's child scopes, scope after scope, each in source order.
    pub(crate) children_by_scope: Vec<ScopeId>,
    /// Every symbol's bindings, symbol after symbol, each symbol's in
    /// source order (`Symbol::bindings` is a symbol's slice); filled once
    /// the walk is done, like `uses_by_symbol`.
    pub(crate) bindings_by_symbol: Vec<BindingId>,
    pub(crate) uses_by_symbol: Vec<UseId>,
    /// The path values of bindings (`Binding::value`), in binding order.
    pub(crate) binding_values: Vec<ValuePath>,
    /// Every call, in source order (outer calls before the calls in their arguments).
    pub calls: Vec<CallSite>,
    /// Whether the file has `from x import *` (names may come from anywhere).
    pub has_star_import: bool,
    /// The bodies of module-level `if __name__ == "__main__":` blocks, in
    /// source order: code that runs only when the file is a script.
    pub main_guard_bodies: Vec<TextRange>,
    /// Every `with` / `async with` item, in source order.
    pub with_items: Vec<WithItem>,
    /// Every import statement, in source order.
    pub imports: Vec<ImportStmt>,
    /// Names of the `async def`s of the module, sorted: a cheap test before
    /// resolving a call that might reach one.
    pub async_def_names: Vec<Name>,
    /// Paths handed to calls that may run them elsewhere (see
    /// [`runs_callable`]), in source order.
    pub callable_arguments: Vec<CallableArgument>,
    /// Per class: its bases that are classes of this file (see `local_bases`).
    pub(crate) base_cache: BaseCache,
}

/// A lazily filled slot per scope. Not part of the index's value: equal
/// indexes compare equal whatever their caches hold.
#[derive(Default)]
pub(crate) struct BaseCache {
    slots: Box<[OnceLock<Box<[ScopeId]>>]>,
    /// Set while a slot is being computed: a lookup that comes back to the
    /// same class (a cycle) computes without the cache instead of waiting.
    busy: Box<[AtomicBool]>,
}

impl BaseCache {
    pub(crate) fn new(scopes: usize) -> BaseCache {
        BaseCache {
            slots: (0..scopes).map(|_| OnceLock::new()).collect(),
            busy: (0..scopes).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// The cached value, computed on first use; `Err(compute)` when the slot
    /// is being computed already (or does not exist).
    pub(crate) fn get_or_compute<F: FnOnce() -> Vec<ScopeId>>(
        &self,
        scope: ScopeId,
        compute: F,
    ) -> Result<&[ScopeId], F> {
        let (Some(slot), Some(busy)) =
            (self.slots.get(scope.index()), self.busy.get(scope.index()))
        else {
            return Err(compute);
        };
        if let Some(value) = slot.get() {
            return Ok(value);
        }
        if busy.swap(true, Ordering::Acquire) {
            return Err(compute);
        }
        let value = compute().into_boxed_slice();
        let value = slot.get_or_init(|| value);
        busy.store(false, Ordering::Release);
        Ok(value)
    }
}

impl Clone for BaseCache {
    fn clone(&self) -> Self {
        BaseCache::new(self.slots.len())
    }
}

impl PartialEq for BaseCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for BaseCache {}

impl std::fmt::Debug for BaseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BaseCache")
    }
}

/// One item of a `with` statement: what is entered, for the statement's extent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithItem {
    pub scope: ScopeId,
    /// The context expression as a path (`self._lock`), when it is one.
    pub context: Option<ValuePath>,
    /// The whole `with` statement.
    pub stmt_range: TextRange,
    pub is_async: bool,
}

/// An import statement (one per alias for `import a, b`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportStmt {
    pub scope: ScopeId,
    pub range: TextRange,
    /// The module: `a.b.c` for `import a.b.c`; `..pkg` (leading dots kept) for relative imports.
    pub module: String,
    /// `from m import a, b as c`: the imported names and the ranges of their
    /// aliases (`a`, `b as c`: the name starts each); `None` for `import m`.
    pub names: Option<Vec<(Name, TextRange)>>,
    /// `from m import *`.
    pub star: bool,
    /// Under `if TYPE_CHECKING:` or `if __name__ == "__main__":` (not run on import).
    pub type_checking: bool,
    /// In the body of a `try` whose handlers catch `ImportError`.
    pub guarded: bool,
}

/// A call expression and what it calls, as a path to resolve lazily.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// The scope the call runs in.
    pub scope: ScopeId,
    pub range: TextRange,
    /// The callee expression's range (`requests.get` in `requests.get(url)`).
    pub func_range: TextRange,
    pub callee: Option<ValuePath>,
    /// Directly awaited: `await f()`.
    pub awaited: bool,
    /// Called with at least one argument.
    pub has_arguments: bool,
    /// The read of the callee's root name (the first name the callee
    /// expression reads, [`NO_USE`] without a path): resolving the call
    /// starts from that read's symbol instead of looking the name up.
    pub root_use: u32,
}

/// `CallSite::root_use` of a call without a callee path.
pub const NO_USE: u32 = u32::MAX;

impl SemanticIndex {
    pub const MODULE: ScopeId = ScopeId(0);

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.index()]
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.index()]
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.index()]
    }

    pub fn use_(&self, id: UseId) -> &Use {
        &self.uses[id.index()]
    }

    /// The scope created by the node with this range (a `def`, class, lambda or comprehension).
    pub fn scope_of_node(&self, range: TextRange) -> Option<ScopeId> {
        self.scope_by_range.get(&range).copied()
    }

    /// The symbols of a scope, in the order they first occur. Looking one
    /// up by name is [`symbol_in`](Self::symbol_in).
    pub fn scope_symbols(
        &self,
        scope: ScopeId,
    ) -> impl ExactSizeIterator<Item = &Symbol> + Clone + '_ {
        self.scope_symbol_ids(scope)
            .iter()
            .map(|id| &self.symbols[id.index()])
    }

    /// The ids of [`scope_symbols`](Self::scope_symbols).
    pub fn scope_symbol_ids(&self, scope: ScopeId) -> &[SymbolId] {
        let (start, end) = self.scope(scope).symbols;
        &self.symbols_by_scope[start as usize..end as usize]
    }

    /// For simple `name = <expr>` style bindings: the bound value as a path.
    pub fn binding_value(&self, binding: &Binding) -> Option<&ValuePath> {
        self.binding_values.get(binding.value as usize)
    }

    /// The bindings of a symbol (in its scope), in source order.
    pub fn bindings_of(&self, symbol: &Symbol) -> &[BindingId] {
        let (start, end) = symbol.bindings;
        &self.bindings_by_symbol[start as usize..end as usize]
    }

    /// The reads of a symbol (in its scope), in source order.
    pub fn uses_of(&self, symbol: &Symbol) -> &[UseId] {
        let (start, end) = symbol.uses;
        &self.uses_by_symbol[start as usize..end as usize]
    }

    /// The scopes directly inside `scope`, in source order.
    pub fn children(&self, scope: ScopeId) -> &[ScopeId] {
        let (start, end) = self.scope(scope).children;
        &self.children_by_scope[start as usize..end as usize]
    }

    pub fn symbol_in(&self, scope: ScopeId, name: &str) -> Option<&Symbol> {
        self.symbol_with_id(scope, self.name_id(name)?)
    }

    /// The id of a name that occurs in the file (bound, read or declared).
    #[inline]
    pub(crate) fn name_id(&self, name: &str) -> Option<NameId> {
        self.name_ids.get(name)
    }

    #[inline]
    pub(crate) fn symbol_with_id(&self, scope: ScopeId, name: NameId) -> Option<&Symbol> {
        self.symbol_ids.get(scope, name).map(|id| self.symbol(id))
    }

    pub fn scope_ids(&self) -> impl Iterator<Item = ScopeId> {
        (0..self.scopes.len() as u32).map(ScopeId)
    }

    /// The parent chain used for name lookup: class scopes are skipped for
    /// everything nested in them (a class body does not enclose its methods).
    pub fn lookup_parent(&self, scope: ScopeId) -> Option<ScopeId> {
        let mut parent = self.scope(scope).parent?;
        while self.scope(parent).kind == ScopeKind::Class {
            parent = self.scope(parent).parent?;
        }
        Some(parent)
    }

    /// The nearest enclosing function-like scope that is not a comprehension
    /// (comprehensions run as part of the function that contains them).
    pub fn enclosing_function(&self, mut scope: ScopeId) -> Option<ScopeId> {
        loop {
            match self.scope(scope).kind {
                ScopeKind::Function { .. } | ScopeKind::Lambda => return Some(scope),
                ScopeKind::Comprehension => scope = self.scope(scope).parent?,
                ScopeKind::Module | ScopeKind::Class => return None,
            }
        }
    }

    /// Whether code in this scope runs when the module is imported: module
    /// level, or a comprehension there.
    pub fn runs_at_import(&self, mut scope: ScopeId) -> bool {
        loop {
            match self.scope(scope).kind {
                ScopeKind::Module => return true,
                ScopeKind::Comprehension => match self.scope(scope).parent {
                    Some(p) => scope = p,
                    None => return false,
                },
                _ => return false,
            }
        }
    }

    /// Whether the module defines an `async def` with this name (at any depth).
    pub fn defines_async_def(&self, name: &str) -> bool {
        self.async_def_names
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    /// Whether `inner` is `outer` or nested in it.
    pub fn is_within(&self, mut inner: ScopeId, outer: ScopeId) -> bool {
        loop {
            if inner == outer {
                return true;
            }
            match self.scope(inner).parent {
                Some(p) => inner = p,
                None => return false,
            }
        }
    }
}
