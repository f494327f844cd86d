//! PF602 `unbounded-module-cache`: module-level memo dicts or history lists that only grow.

use pitfall_semantic::{BindingKind, Lookup, ScopeId, SemanticIndex};
use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{ancestors_of, decorator_wrapper, last_segment, stmt_at};

pub struct UnboundedModuleCache;

static META: RuleMeta = rule_meta(
    "PF602",
    "unbounded-module-cache",
    Family::Performance,
    Tier::Core,
    FixAvailability::None,
    &[],
    "Module-level memo dicts or history lists that only grow.",
);

/// Name parts that mark a list as an accumulating cache.
const CACHE_WORDS: &[&str] = &["cache", "history", "buffer", "seen"];

impl Rule for UnboundedModuleCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::Assign)
            .stmt(StmtKind::AnnAssign)
            .stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => check_decorator_closure(checker, def),
            _ if checker.scope() == SemanticIndex::MODULE => check_module_binding(checker, stmt),
            _ => {}
        }
    }
}

/// The kind of empty container a binding starts as.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Start {
    Dict,
    List,
}

/// `name = {}` / `dict()` / `defaultdict(...)` / `OrderedDict()`, or `[]` / `list()`.
fn simple_empty_binding<'a>(
    checker: &Checker,
    stmt: &'a Stmt,
) -> Option<(&'a ast::ExprName, Start)> {
    let (target, value) = match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
        Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()?),
        _ => return None,
    };
    let Expr::Name(name) = target else {
        return None;
    };
    let start = match value {
        Expr::Dict(d) if d.items.is_empty() => Start::Dict,
        Expr::List(l) if l.elts.is_empty() => Start::List,
        Expr::Call(call) => {
            let last = last_segment(&call.func)?;
            if !matches!(last, "dict" | "defaultdict" | "OrderedDict" | "list") {
                return None;
            }
            let empty = call.arguments.is_empty();
            match checker.qualified_name(&call.func)?.as_str() {
                "builtins.dict" | "collections.OrderedDict" if empty => Start::Dict,
                "collections.defaultdict" => Start::Dict,
                "builtins.list" if empty => Start::List,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((name, start))
}

fn check_module_binding(checker: &mut Checker, stmt: &Stmt) {
    let Some((name, start)) = simple_empty_binding(checker, stmt) else {
        return;
    };
    let id = name.id.as_str();
    if start == Start::List && !is_cache_name(id) {
        return;
    }
    let semantic = checker.semantic();
    let Some(symbol) = semantic.symbol_in(SemanticIndex::MODULE, id) else {
        return;
    };
    // Rebinding anywhere (a second module-level assignment, or `global` in a function) resets it.
    if symbol.binding_count() != 1
        || semantic.symbols.iter().any(|s| {
            s.name == name.id
                && s.scope != SemanticIndex::MODULE
                && s.declared_global.is_some()
                && s.is_bound()
        })
    {
        return;
    }
    let binding = semantic.bindings_of(symbol)[0];
    // Every read of this binding, in any scope.
    let mut uses: Vec<(ScopeId, TextRange)> = Vec::new();
    for s in semantic.scope_ids() {
        let Some(sym) = semantic.symbol_in(s, id) else {
            continue;
        };
        for u in semantic.uses_of(sym) {
            let u = semantic.use_(*u);
            if semantic.lookup(u.scope, id, u.range.start()) == Lookup::Binding(binding) {
                uses.push((u.scope, u.range));
            }
        }
    }
    let Some(finding) = classify(checker, &uses, start, None) else {
        return;
    };
    report(checker, name, start, &finding, "Module-level");
}

/// `def memoize(fn): cache = {}; def wrapper(*args): ... cache[args] = fn(*args) ...; return wrapper`.
fn check_decorator_closure(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let Some(shape) = decorator_wrapper(def) else {
        return;
    };
    let semantic = checker.semantic();
    let (Some(outer), Some(inner)) = (
        semantic.scope_of_node(def.range),
        semantic.scope_of_node(shape.wrapper.range),
    ) else {
        return;
    };
    for stmt in &def.body {
        let Some((name, Start::Dict)) = simple_empty_binding(checker, stmt) else {
            continue;
        };
        let id = name.id.as_str();
        let Some(symbol) = semantic.symbol_in(outer, id) else {
            continue;
        };
        if symbol.binding_count() != 1 {
            continue;
        }
        let mut uses: Vec<(ScopeId, TextRange)> = Vec::new();
        for s in [outer, inner] {
            if let Some(sym) = semantic.symbol_in(s, id) {
                if s == inner && (sym.is_bound() && sym.declared_nonlocal.is_none()) {
                    continue;
                }
                uses.extend(semantic.uses_of(sym).iter().map(|u| {
                    let u = semantic.use_(*u);
                    (u.scope, u.range)
                }));
            }
        }
        let Some(finding) = classify(checker, &uses, Start::Dict, Some(inner)) else {
            continue;
        };
        report(checker, name, Start::Dict, &finding, "Closure");
    }
}

fn report(
    checker: &mut Checker,
    name: &ast::ExprName,
    start: Start,
    finding: &Finding,
    place: &str,
) {
    let id = &name.id;
    let function = finding.function.as_deref().unwrap_or("a function");
    let (message, help) = match start {
        Start::Dict => (
            format!("{place} dict `{id}` is a memo cache filled by `{function}` and never evicted: every key ever seen stays alive for the life of the process"),
            "bound it: `functools.lru_cache(maxsize=...)`, an explicit eviction, or a `weakref.WeakValueDictionary`",
        ),
        Start::List => (
            format!("{place} list `{id}` is appended to by `{function}` and never trimmed: it grows for the life of the process"),
            "bound it: `collections.deque(maxlen=...)`, or trim it where it grows",
        ),
    };
    checker.report(message, name.range).help(help);
}

struct Finding {
    function: Option<String>,
}

/// How each read of the container is used; `Some` when it grows in memo
/// (or append) shape and nothing removes entries or lets it escape.
fn classify(
    checker: &Checker,
    uses: &[(ScopeId, TextRange)],
    start: Start,
    only_in: Option<ScopeId>,
) -> Option<Finding> {
    let semantic = checker.semantic();
    let module = checker.module();
    // Per function: (has a lookup keyed by a local, has a computed store keyed by a local).
    let mut memo: Vec<(ScopeId, bool, bool)> = Vec::new();
    let mut appended_in: Option<ScopeId> = None;
    for &(scope, range) in uses {
        let path = ancestors_of(module, range);
        let n = path.len();
        if n < 2 {
            return None;
        }
        let function = semantic.enclosing_function(scope);
        let parent = path[n - 2];
        let grandparent = n.checked_sub(3).map(|i| path[i]);
        match use_shape(parent, grandparent, range) {
            Shape::Evicts | Shape::Escapes => return None,
            Shape::Reads => {}
            Shape::Appends => {
                if let Some(f) = function {
                    appended_in.get_or_insert(f);
                }
            }
            Shape::Lookup(key) | Shape::Store(key, _) if function.is_none() => {
                // Filled at import time (a table, not a cache).
                let _ = key;
                return None;
            }
            Shape::Lookup(key) => {
                let f = function.expect("checked above");
                if keyed_by_local(semantic, scope, key) {
                    entry(&mut memo, f).1 = true;
                }
            }
            Shape::Store(key, value) => {
                let f = function.expect("checked above");
                if keyed_by_local(semantic, scope, key) && !is_parameter(semantic, scope, value) {
                    entry(&mut memo, f).2 = true;
                }
            }
        }
    }
    let grows_in = match start {
        Start::Dict => memo
            .iter()
            .find(|(f, lookup, store)| *lookup && *store && only_in.is_none_or(|s| s == *f))
            .map(|(f, ..)| *f)?,
        Start::List => appended_in?,
    };
    if start == Start::Dict && returns_parameter(checker, grows_in) {
        // A registration decorator: filled once per decorated definition.
        return None;
    }
    Some(Finding {
        function: semantic
            .scope(grows_in)
            .name
            .as_ref()
            .map(|n| n.to_string()),
    })
}

fn entry(memo: &mut Vec<(ScopeId, bool, bool)>, f: ScopeId) -> &mut (ScopeId, bool, bool) {
    let i = match memo.iter().position(|(s, ..)| *s == f) {
        Some(i) => i,
        None => {
            memo.push((f, false, false));
            memo.len() - 1
        }
    };
    &mut memo[i]
}

enum Shape<'a> {
    /// `pop`, `popitem`, `clear`, `del NAME[k]`, `remove`, `NAME[:] = ...`.
    Evicts,
    /// Passed, returned or aliased: it may be trimmed elsewhere.
    Escapes,
    /// Any harmless read (`NAME[k]`, `len(NAME)`, `NAME.items()`).
    Reads,
    /// `append`, `extend`, `insert`.
    Appends,
    /// `k in NAME`, `NAME.get(k)`, `NAME.setdefault(k, ...)`.
    Lookup(&'a Expr),
    /// `NAME[k] = value`.
    Store(&'a Expr, &'a Expr),
}

fn use_shape<'a>(parent: Node<'a>, grandparent: Option<Node<'a>>, name: TextRange) -> Shape<'a> {
    match parent {
        Node::Expr(Expr::Attribute(attr)) => {
            let called = matches!(grandparent, Some(Node::Expr(Expr::Call(c))) if c.func.range() == attr.range);
            match attr.attr.id.as_str() {
                "pop" | "popitem" | "clear" | "remove" | "popleft" => Shape::Evicts,
                "append" | "extend" | "insert" if called => Shape::Appends,
                "get" | "setdefault" if called => match grandparent {
                    Some(Node::Expr(Expr::Call(c))) => match c.arguments.args.first() {
                        Some(key) => Shape::Lookup(key),
                        None => Shape::Reads,
                    },
                    _ => Shape::Reads,
                },
                _ => Shape::Reads,
            }
        }
        Node::Expr(Expr::Subscript(sub)) if sub.value.range() == name => match sub.ctx {
            ExprContext::Del => Shape::Evicts,
            ExprContext::Store => {
                if matches!(&*sub.slice, Expr::Slice(_)) {
                    return Shape::Evicts;
                }
                match grandparent {
                    Some(Node::Stmt(Stmt::Assign(a))) => Shape::Store(&sub.slice, &a.value),
                    Some(Node::Stmt(Stmt::AnnAssign(a))) => match &a.value {
                        Some(v) => Shape::Store(&sub.slice, v),
                        None => Shape::Reads,
                    },
                    _ => Shape::Reads,
                }
            }
            _ => Shape::Reads,
        },
        Node::Expr(Expr::Compare(cmp)) => {
            let is_container = cmp
                .comparators
                .iter()
                .zip(cmp.ops.iter())
                .any(|(c, op)| c.range() == name && matches!(op, CmpOp::In | CmpOp::NotIn));
            if is_container && cmp.ops.len() == 1 {
                Shape::Lookup(&cmp.left)
            } else {
                Shape::Reads
            }
        }
        Node::Expr(Expr::Call(call)) if call.func.range() != name => {
            // `len(NAME)` and friends only read; anything else may keep or trim it.
            match last_segment(&call.func) {
                Some("len" | "bool" | "list" | "sorted" | "iter" | "repr" | "str" | "print") => {
                    Shape::Reads
                }
                _ => Shape::Escapes,
            }
        }
        Node::Stmt(Stmt::Return(_))
        | Node::Stmt(Stmt::Assign(_))
        | Node::Stmt(Stmt::AnnAssign(_))
        | Node::Expr(Expr::Named(_))
        | Node::Expr(Expr::Lambda(_))
        | Node::Expr(Expr::Tuple(_))
        | Node::Expr(Expr::List(_))
        | Node::Expr(Expr::Dict(_))
        | Node::Expr(Expr::Starred(_))
        | Node::Stmt(Stmt::Delete(_))
        | Node::Stmt(Stmt::AugAssign(_)) => Shape::Escapes,
        _ => Shape::Reads,
    }
}

/// The key mentions a parameter or local of the function it is used in.
fn keyed_by_local(semantic: &SemanticIndex, scope: ScopeId, key: &Expr) -> bool {
    let mut found = false;
    walk_names(key, &mut |n| {
        if let Lookup::Binding(b) = semantic.lookup(scope, &n.id, n.start()) {
            let owner = semantic.binding(b).scope;
            found |=
                owner != SemanticIndex::MODULE && semantic.scope(owner).kind.is_function_like();
        }
    });
    found
}

fn walk_names<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a ast::ExprName)) {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    struct Names<'f, F>(&'f mut F);
    impl<'a, F: FnMut(&'a ast::ExprName)> Visitor<'a> for Names<'_, F> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                (self.0)(n);
            }
            pitfall_semantic::stack::guarded(|| walk_expr(self, expr));
        }
    }
    Names(f).visit_expr(expr);
}

/// The stored value is one of the function's parameters (a registry entry, not a computed value).
fn is_parameter(semantic: &SemanticIndex, scope: ScopeId, value: &Expr) -> bool {
    let Expr::Name(n) = value else { return false };
    matches!(semantic.lookup(scope, &n.id, n.start()),
        Lookup::Binding(b) if semantic.binding(b).kind == BindingKind::Parameter)
}

/// The function returns one of its parameters (`def register(cls): ...; return cls`).
fn returns_parameter(checker: &Checker, function: ScopeId) -> bool {
    let semantic = checker.semantic();
    let Some(Stmt::FunctionDef(def)) =
        stmt_at(checker.module(), semantic.scope(function).node_range)
    else {
        return false;
    };
    def.body.iter().any(|s| {
        matches!(s,
        Stmt::Return(ast::StmtReturn { value: Some(v), .. })
            if matches!(&**v, Expr::Name(n) if def.parameters.includes(&n.id)))
    })
}

fn is_cache_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    CACHE_WORDS.iter().any(|w| lower.contains(w))
}
