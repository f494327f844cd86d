//! Helpers more than one rule needs: finding the AST node behind a binding
//! or a use (a targeted descent, not a walk), what a value is known to be
//! (mutable, a dict, a set), builtins that are not shadowed, and the shape of
//! a decorator. Rules of any family add theirs here instead of writing twins.

use std::borrow::Cow;

use pitfall_semantic::{
    stack, Binding, BindingKind, Lookup, Resolved, ScopeId, ScopeKind, SemanticIndex,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, ModModule, Operator, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{CalleeFilter, Checker, Node};
use crate::diagnostic::Edit;

// ---------------------------------------------------------------------------
// Finding nodes by range
// ---------------------------------------------------------------------------

/// The nodes that contain `range`, outermost first, ending with the node
/// whose range it is (when there is one). Descends only into the nodes that
/// contain the target, so the cost is the depth, not the size, of the module.
pub fn ancestors_of(module: &ModModule, range: TextRange) -> Vec<Node<'_>> {
    struct Find<'a> {
        range: TextRange,
        path: Vec<Node<'a>>,
        done: bool,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_body(&mut self, body: &'a [Stmt]) {
            // Statements are in source order: only the last one starting at
            // or before the target can hold it.
            let i = body.partition_point(|s| s.start() <= self.range.start());
            if let Some(stmt) = i.checked_sub(1).and_then(|i| body.get(i)) {
                self.visit_stmt(stmt);
            }
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.done || !stmt.range().contains_range(self.range) {
                return;
            }
            self.path.push(Node::Stmt(stmt));
            if stmt.range() == self.range {
                self.done = true;
                return;
            }
            stack::guarded(|| visitor::walk_stmt(self, stmt));
            if !self.done {
                self.path.pop();
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.done || !expr.range().contains_range(self.range) {
                return;
            }
            self.path.push(Node::Expr(expr));
            if expr.range() == self.range {
                self.done = true;
                return;
            }
            stack::guarded(|| visitor::walk_expr(self, expr));
            if !self.done {
                self.path.pop();
            }
        }
        fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
            if self.done || !handler.range().contains_range(self.range) {
                return;
            }
            self.path.push(Node::ExceptHandler(handler));
            visitor::walk_except_handler(self, handler);
            if !self.done {
                self.path.pop();
            }
        }
    }
    let mut find = Find {
        range,
        path: Vec::new(),
        done: false,
    };
    find.visit_body(&module.body);
    if !find.done {
        find.path.clear();
    }
    find.path
}

/// The statement whose range is exactly `range`.
pub fn stmt_at(module: &ModModule, range: TextRange) -> Option<&Stmt> {
    match ancestors_of(module, range).last() {
        Some(Node::Stmt(stmt)) if stmt.range() == range => Some(stmt),
        _ => None,
    }
}

/// The value a simple binding was assigned: `name = value`, `a = b = value`,
/// `name: T = value`. `None` for unpacking, loops, imports and the like.
pub fn binding_value<'a>(module: &'a ModModule, binding: &Binding) -> Option<&'a Expr> {
    if !matches!(
        binding.kind,
        BindingKind::Assignment | BindingKind::AnnotatedAssignment { has_value: true }
    ) {
        return None;
    }
    match stmt_at(module, binding.stmt_range)? {
        Stmt::Assign(assign)
            if assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.range == binding.range)) =>
        {
            Some(&assign.value)
        }
        Stmt::AnnAssign(ann) if matches!(&*ann.target, Expr::Name(n) if n.range == binding.range) => {
            ann.value.as_deref()
        }
        _ => None,
    }
}

/// The value of the binding a name refers to at its position, if that
/// binding is a simple assignment.
pub fn name_value<'a>(checker: &Checker<'a>, name: &ast::ExprName) -> Option<&'a Expr> {
    let semantic = checker.semantic();
    match semantic.lookup(checker.scope(), &name.id, name.start()) {
        Lookup::Binding(b) => binding_value(checker.module(), semantic.binding(b)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// What a value is
// ---------------------------------------------------------------------------

/// `[...]`, `{...}`, `{1, 2}` and their comprehensions.
pub fn mutable_display(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::List(_) => Some("list"),
        Expr::Dict(_) => Some("dict"),
        Expr::Set(_) => Some("set"),
        Expr::ListComp(_) => Some("list comprehension"),
        Expr::DictComp(_) => Some("dict comprehension"),
        Expr::SetComp(_) => Some("set comprehension"),
        _ => None,
    }
}

/// Constructors whose result is a fresh mutable container.
pub const MUTABLE_CALLS: &[&str] = &[
    "builtins.list",
    "builtins.dict",
    "builtins.set",
    "builtins.bytearray",
    "collections.deque",
    "collections.defaultdict",
    "collections.OrderedDict",
    "collections.Counter",
    "collections.ChainMap",
];

/// A description of `expr` if it creates a mutable object: a display, a
/// comprehension, a call to a mutable constructor or to a project class not
/// known to be immutable. `immutable_calls` are qualified names (or the
/// callee's source text for project classes) never reported.
pub fn mutable_value(
    checker: &Checker,
    expr: &Expr,
    immutable_calls: &[String],
) -> Option<&'static str> {
    if let Some(kind) = mutable_display(expr) {
        return Some(kind);
    }
    let Expr::Call(call) = expr else { return None };
    if !may_create_mutable(checker, &call.func) {
        return None;
    }
    match checker.resolve(&call.func)? {
        Resolved::Qualified(q) => {
            if immutable_calls.contains(&q) {
                return None;
            }
            MUTABLE_CALLS.contains(&q.as_str()).then_some("object")
        }
        Resolved::Class(class) => {
            let name = checker.slice(call.func.range());
            if immutable_calls.iter().any(|c| c == name)
                || is_known_immutable_class(checker.semantic(), class)
            {
                return None;
            }
            Some("instance of a project class")
        }
        _ => None,
    }
}

/// A cheap test before resolving a callee for [`mutable_value`]: a builtin
/// container, an import of a mutable constructor, a class of this file, or
/// an attribute named like a mutable constructor.
fn may_create_mutable(checker: &Checker, func: &Expr) -> bool {
    match func {
        Expr::Name(n) => match checker.semantic().lookup(checker.scope(), &n.id, n.start()) {
            Lookup::Builtin => matches!(n.id.as_str(), "list" | "dict" | "set" | "bytearray"),
            Lookup::Binding(b) => match &checker.semantic().binding(b).kind {
                BindingKind::ClassDef { .. } => true,
                BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                    MUTABLE_CALLS.contains(&qualified.as_str())
                }
                _ => false,
            },
            Lookup::Unbound => false,
        },
        Expr::Attribute(a) => MUTABLE_CALLS
            .iter()
            .any(|q| q.rsplit('.').next() == Some(a.attr.id.as_str())),
        _ => false,
    }
}

/// Which container a value is known to be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Container {
    List,
    Dict,
    Set,
}

/// The container an expression builds: a display, a comprehension, or a
/// call to `list`/`dict`/`set` or a `collections` mapping.
pub fn container_of(checker: &Checker, expr: &Expr) -> Option<Container> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some(Container::List),
        Expr::Dict(_) | Expr::DictComp(_) => Some(Container::Dict),
        Expr::Set(_) | Expr::SetComp(_) => Some(Container::Set),
        Expr::Call(call) => {
            let last = last_segment(&call.func)?;
            if !matches!(
                last,
                "list" | "dict" | "set" | "defaultdict" | "OrderedDict" | "Counter"
            ) {
                return None;
            }
            match checker.qualified_name(&call.func)?.as_str() {
                "builtins.list" => Some(Container::List),
                "builtins.set" => Some(Container::Set),
                "builtins.dict"
                | "collections.defaultdict"
                | "collections.OrderedDict"
                | "collections.Counter" => Some(Container::Dict),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The container a name was bound to (constructor tracking in the same scope).
pub fn known_container(checker: &Checker, expr: &Expr) -> Option<Container> {
    let Expr::Name(name) = expr else { return None };
    container_of(checker, name_value(checker, name)?)
}

/// A name (the callee, or the root of its access path) looked up in the
/// current scope at its own position once, however many tests ask.
pub struct LazyLookup<'a> {
    pub name: Option<&'a ast::ExprName>,
    found: std::cell::Cell<Option<Lookup>>,
}

impl<'a> LazyLookup<'a> {
    pub fn new(name: Option<&'a ast::ExprName>) -> Self {
        LazyLookup {
            name,
            found: std::cell::Cell::new(None),
        }
    }

    /// What the name refers to; `None` when there is no name.
    pub fn get(&self, checker: &Checker) -> Option<Lookup> {
        let n = self.name?;
        if let Some(found) = self.found.get() {
            return Some(found);
        }
        let found = checker.semantic().lookup(checker.scope(), &n.id, n.start());
        self.found.set(Some(found));
        Some(found)
    }
}

/// The last name of a callee: `get` for `a.b.get`, `sum` for `sum`.
pub fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.id.as_str()),
        _ => None,
    }
}

/// `expr` is the bare name of the builtin `name`, not shadowed here.
pub fn is_builtin(checker: &Checker, expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Name(n) if n.id.as_str() == name => {
            checker.semantic().lookup(checker.scope(), name, n.start()) == Lookup::Builtin
        }
        _ => false,
    }
}

/// Frozen dataclasses and attrs classes, `NamedTuple`s and `Enum`s (and
/// their subclasses in this file).
pub fn is_known_immutable_class(semantic: &SemanticIndex, class: ScopeId) -> bool {
    let frozen = |class: ScopeId| {
        class_decorators(semantic, class)
            .into_iter()
            .any(|(q, frozen)| {
                frozen && DATACLASS_DECORATORS.contains(&q.as_str())
                    || matches!(q.as_str(), "attrs.frozen" | "attr.frozen")
            })
    };
    let immutable_base = |q: &str| {
        matches!(
            q,
            "typing.NamedTuple"
                | "typing_extensions.NamedTuple"
                | "enum.Enum"
                | "enum.IntEnum"
                | "enum.StrEnum"
                | "enum.Flag"
                | "enum.IntFlag"
                | "builtins.tuple"
                | "builtins.frozenset"
                | "builtins.str"
                | "builtins.int"
        )
    };
    frozen(class) || inherits(semantic, class, &immutable_base, &frozen)
}

/// Whether a base of `class`, followed through the bases that are classes
/// of this file (up to 8 levels), resolves to a qualified name for which
/// `qualified` holds, or is a class of this file for which `local` holds.
pub fn inherits(
    semantic: &SemanticIndex,
    class: ScopeId,
    qualified: &dyn Fn(&str) -> bool,
    local: &dyn Fn(ScopeId) -> bool,
) -> bool {
    fn walk(
        semantic: &SemanticIndex,
        class: ScopeId,
        qualified: &dyn Fn(&str) -> bool,
        local: &dyn Fn(ScopeId) -> bool,
        depth: u32,
    ) -> bool {
        depth <= 8
            && semantic
                .scope(class)
                .bases
                .iter()
                .any(|base| match semantic.resolve_path(base, 0) {
                    Some(Resolved::Qualified(q)) => qualified(&q),
                    Some(Resolved::Class(base)) => {
                        local(base) || walk(semantic, base, qualified, local, depth + 1)
                    }
                    _ => false,
                })
    }
    walk(semantic, class, qualified, local, 0)
}

/// Decorators that make a class a dataclass or an attrs class.
pub const DATACLASS_DECORATORS: &[&str] = &[
    "dataclasses.dataclass",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.mutable",
    "attr.frozen",
    "attr.dataclass",
    "attrs.define",
    "attrs.mutable",
    "attrs.frozen",
];

/// `(qualified decorator, frozen=True given)` for each decorator of a class.
pub fn class_decorators(semantic: &SemanticIndex, class: ScopeId) -> Vec<(String, bool)> {
    semantic
        .scope(class)
        .decorators
        .iter()
        .filter_map(|d| {
            let q = semantic
                .resolve_path(&d.callee(), 0)?
                .qualified()?
                .to_string();
            Some((q, d.true_keywords.iter().any(|k| k.as_str() == "frozen")))
        })
        .collect()
}

/// Whether a class is decorated as a dataclass or attrs class.
pub fn is_dataclass_like(semantic: &SemanticIndex, class: ScopeId) -> bool {
    class_decorators(semantic, class)
        .iter()
        .any(|(q, _)| DATACLASS_DECORATORS.contains(&q.as_str()))
}

/// An annotation that is `ClassVar` or `ClassVar[...]` (also as a string).
pub fn is_classvar_annotation(checker: &Checker, annotation: &Expr) -> bool {
    let base = match annotation {
        Expr::Subscript(s) => &*s.value,
        Expr::StringLiteral(s) => {
            let text = s.value.to_str().trim_start();
            return text.starts_with("ClassVar") || text.contains(".ClassVar");
        }
        other => other,
    };
    last_segment(base) == Some("ClassVar")
        && checker
            .qualified_name(base)
            .is_none_or(|q| matches!(q.as_str(), "typing.ClassVar" | "typing_extensions.ClassVar"))
}

// ---------------------------------------------------------------------------
// Control flow within a block
// ---------------------------------------------------------------------------

/// A statement after which the rest of its block does not run.
pub fn is_jump(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
    )
}

/// The statement list that holds `child` directly inside `parent`, and its
/// index there.
pub fn position_in<'a>(parent: &'a Stmt, child: &Stmt) -> Option<(&'a [Stmt], usize)> {
    let find = |body: &'a [Stmt]| {
        body.iter()
            .position(|s| s.range() == child.range())
            .map(|i| (body, i))
    };
    let bodies: Vec<&'a [Stmt]> = match parent {
        Stmt::FunctionDef(d) => vec![&d.body],
        Stmt::ClassDef(c) => vec![&c.body],
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::If(i) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Stmt::With(w) => vec![&w.body],
        Stmt::Try(t) => vec![&t.body, &t.orelse, &t.finalbody],
        Stmt::Match(m) => m.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    };
    bodies.into_iter().find_map(find)
}

/// The body of an except handler that holds `child`, and its index there.
pub fn position_in_handler<'a>(
    handler: &'a ExceptHandler,
    child: &Stmt,
) -> Option<(&'a [Stmt], usize)> {
    let ExceptHandler::ExceptHandler(h) = handler;
    h.body
        .iter()
        .position(|s| s.range() == child.range())
        .map(|i| (&h.body[..], i))
}

/// The statement that follows `stmt` in its block, given the ancestors of
/// `stmt` (outermost first, `stmt` not included); `None` at the end of a
/// block or at module level.
pub fn next_statement<'a>(
    ancestors: &[Node<'a>],
    stmt: &Stmt,
    module: &'a ModModule,
) -> Option<&'a Stmt> {
    let found = match ancestors.iter().rev().find(|n| !matches!(n, Node::Expr(_))) {
        Some(Node::Stmt(parent)) => position_in(parent, stmt),
        Some(Node::ExceptHandler(h)) => position_in_handler(h, stmt),
        _ => module
            .body
            .iter()
            .position(|s| s.range() == stmt.range())
            .map(|i| (&module.body[..], i)),
    };
    let (body, i) = found?;
    body.get(i + 1)
}

// ---------------------------------------------------------------------------
// Decorators
// ---------------------------------------------------------------------------

/// A decorator's inner function: `def deco(fn): def wrapper(...): ... fn(...) ...; return wrapper`.
pub struct WrapperShape<'a> {
    pub wrapper: &'a ast::StmtFunctionDef,
    /// The decorator's parameter the wrapper calls.
    pub param: &'a str,
}

/// The nested function a decorator returns: `def_` takes the function as
/// its first parameter (after `self`/`cls`), defines `W`, returns it (a
/// direct `return W`), and `W` calls that parameter passing on its own
/// arguments (or has none). Closure factories that merely call a helper with
/// captured values (`callback(*args)`) are not decorators.
pub fn decorator_wrapper(def: &ast::StmtFunctionDef) -> Option<WrapperShape<'_>> {
    let returned = def.body.iter().find_map(|s| match s {
        Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }) => match &**value {
            Expr::Name(n) => Some(n.id.as_str()),
            _ => None,
        },
        _ => None,
    })?;
    let wrapper = def.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(w) if w.name.id.as_str() == returned => Some(w),
        _ => None,
    })?;
    let params = &def.parameters;
    let param = params
        .posonlyargs
        .iter()
        .chain(params.args.iter())
        .map(|p| p.parameter.name.id.as_str())
        .find(|p| !matches!(*p, "self" | "cls"))?;
    if wrapper.parameters.includes(param) || !forwards_to(&wrapper.body, param, &wrapper.parameters)
    {
        return None;
    }
    Some(WrapperShape { wrapper, param })
}

/// Whether `body` calls `name(...)` with one of `params` among the arguments
/// (any call of `name` when there are no parameters), outside nested classes.
fn forwards_to(body: &[Stmt], name: &str, params: &ast::Parameters) -> bool {
    let is_param = |e: &Expr| {
        let e = match e {
            Expr::Starred(s) => &*s.value,
            other => other,
        };
        matches!(e, Expr::Name(n) if params.includes(&n.id))
    };
    any_call_in_body(body, true, |call| {
        matches!(&*call.func, Expr::Name(n) if n.id.as_str() == name)
            && (params.is_empty()
                || call.arguments.args.iter().any(is_param)
                || call.arguments.keywords.iter().any(|k| is_param(&k.value)))
    })
}

/// Whether a call anywhere in `body` satisfies `found`, outside nested
/// classes (and outside nested functions unless `into_functions`).
pub fn any_call_in_body(
    body: &[Stmt],
    into_functions: bool,
    found: impl FnMut(&ast::ExprCall) -> bool,
) -> bool {
    any_in_body(body, into_functions, |_| false, found)
}

/// [`any_call_in_body`], with a test of each statement too.
pub fn any_in_body(
    body: &[Stmt],
    into_functions: bool,
    stmt_found: impl FnMut(&Stmt) -> bool,
    call_found: impl FnMut(&ast::ExprCall) -> bool,
) -> bool {
    struct Search<S, C> {
        into_functions: bool,
        stmt_found: S,
        call_found: C,
        found: bool,
    }
    impl<'a, S: FnMut(&Stmt) -> bool, C: FnMut(&ast::ExprCall) -> bool> Visitor<'a> for Search<S, C> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            let nested = match stmt {
                Stmt::ClassDef(_) => true,
                Stmt::FunctionDef(_) => !self.into_functions,
                _ => false,
            };
            if self.found || nested {
                return;
            }
            if (self.stmt_found)(stmt) {
                self.found = true;
                return;
            }
            stack::guarded(|| visitor::walk_stmt(self, stmt));
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr {
                if (self.call_found)(call) {
                    self.found = true;
                    return;
                }
            }
            stack::guarded(|| visitor::walk_expr(self, expr));
        }
    }
    let mut search = Search {
        into_functions,
        stmt_found,
        call_found,
        found: false,
    };
    search.visit_body(body);
    search.found
}

// ---------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------

/// The range of the operator between two operands of a comparison when the
/// text between them is only that operator (with whitespace and closing or
/// opening parentheses around it); `None` when a comment or line
/// continuation sits there, so that a fix never edits more than the operator.
pub fn operator_range(source: &str, left: &Expr, right: &Expr, op: &str) -> Option<TextRange> {
    let between = TextRange::new(left.end(), right.start());
    let text = source.get(between.start().to_usize()..between.end().to_usize())?;
    let skip = |c: char| c.is_whitespace() || c == '(' || c == ')';
    let start = text.find(|c: char| !skip(c))?;
    let end = text.rfind(|c: char| !skip(c))? + 1;
    let core = &text[start..end];
    if core.split_whitespace().collect::<Vec<_>>().join(" ") != op {
        return None;
    }
    let base = between.start();
    Some(TextRange::new(
        base + ruff_text_size::TextSize::try_from(start).ok()?,
        base + ruff_text_size::TextSize::try_from(end).ok()?,
    ))
}

/// The `(left, op, right)` pairs of a (possibly chained) comparison.
pub fn comparison_pairs(
    compare: &ast::ExprCompare,
) -> impl Iterator<Item = (&Expr, ast::CmpOp, &Expr)> {
    let lefts = std::iter::once(&*compare.left).chain(compare.comparators.iter());
    lefts
        .zip(compare.ops.iter())
        .zip(compare.comparators.iter())
        .map(|((l, op), r)| (l, *op, r))
}

// ---------------------------------------------------------------------------
// Handlers, async context, fixes
// ---------------------------------------------------------------------------

/// The code being checked runs in an `async def` (comprehensions count as
/// the function around them; a nested `def` or `lambda` does not).
pub fn in_async_function(checker: &Checker) -> bool {
    let semantic = checker.semantic();
    semantic
        .enclosing_function(checker.scope())
        .is_some_and(|f| is_async_scope(semantic, f))
}

pub fn is_async_scope(semantic: &SemanticIndex, scope: ScopeId) -> bool {
    matches!(
        semantic.scope(scope).kind,
        ScopeKind::Function { is_async: true }
    )
}

/// The exception classes a handler names: the elements of a tuple, or the one expression.
pub fn handler_types(type_: &Expr) -> &[Expr] {
    match type_ {
        Expr::Tuple(t) => &t.elts,
        other => std::slice::from_ref(other),
    }
}

/// Every path through `body` ends in a `raise` that `accept` admits,
/// reached without an earlier jump out of the body.
pub fn always_raises(body: &[Stmt], accept: fn(&ast::StmtRaise) -> bool) -> bool {
    for stmt in body {
        if stmt_always_raises(stmt, accept) {
            return true;
        }
        if may_leave(stmt, false) {
            return false;
        }
    }
    false
}

fn stmt_always_raises(stmt: &Stmt, accept: fn(&ast::StmtRaise) -> bool) -> bool {
    match stmt {
        Stmt::Raise(r) => accept(r),
        Stmt::If(i) => {
            always_raises(&i.body, accept)
                && i.elif_else_clauses.iter().any(|c| c.test.is_none())
                && i.elif_else_clauses
                    .iter()
                    .all(|c| always_raises(&c.body, accept))
        }
        Stmt::With(w) => always_raises(&w.body, accept),
        Stmt::Try(t) => {
            always_raises(&t.finalbody, accept)
                || t.handlers.is_empty() && always_raises(&t.body, accept)
        }
        _ => false,
    }
}

/// A bare `raise`: re-raises the exception being handled.
pub fn is_bare_raise(r: &ast::StmtRaise) -> bool {
    r.exc.is_none()
}

pub fn is_any_raise(_: &ast::StmtRaise) -> bool {
    true
}

/// Could leave the enclosing body early: a `return`, or a `break`/`continue`
/// that is not inside a loop of the body's own (a loop's `else` is outside
/// it). Nested functions and classes are excluded.
pub fn may_leave(stmt: &Stmt, in_loop: bool) -> bool {
    let any = |body: &[Stmt], in_loop: bool| body.iter().any(|s| may_leave(s, in_loop));
    match stmt {
        Stmt::Return(_) => true,
        Stmt::Break(_) | Stmt::Continue(_) => !in_loop,
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(i) => {
            any(&i.body, in_loop) || i.elif_else_clauses.iter().any(|c| any(&c.body, in_loop))
        }
        Stmt::With(w) => any(&w.body, in_loop),
        Stmt::For(f) => any(&f.body, true) || any(&f.orelse, in_loop),
        Stmt::While(w) => any(&w.body, true) || any(&w.orelse, in_loop),
        Stmt::Try(t) => {
            any(&t.body, in_loop)
                || any(&t.orelse, in_loop)
                || any(&t.finalbody, in_loop)
                || t.handlers.iter().any(|h| {
                    let ExceptHandler::ExceptHandler(h) = h;
                    any(&h.body, in_loop)
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| any(&c.body, in_loop)),
        _ => false,
    }
}

/// Statements of `body` and of the blocks nested in it, not entering nested
/// functions or classes, until `f` returns true.
pub fn any_nested_stmt(body: &[Stmt], f: &mut dyn FnMut(&Stmt) -> bool) -> bool {
    body.iter().any(|stmt| {
        if f(stmt) {
            return true;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
            Stmt::If(i) => {
                any_nested_stmt(&i.body, f)
                    || i.elif_else_clauses
                        .iter()
                        .any(|c| any_nested_stmt(&c.body, f))
            }
            Stmt::With(w) => any_nested_stmt(&w.body, f),
            Stmt::For(l) => any_nested_stmt(&l.body, f) || any_nested_stmt(&l.orelse, f),
            Stmt::While(l) => any_nested_stmt(&l.body, f) || any_nested_stmt(&l.orelse, f),
            Stmt::Try(t) => {
                any_nested_stmt(&t.body, f)
                    || any_nested_stmt(&t.orelse, f)
                    || any_nested_stmt(&t.finalbody, f)
                    || t.handlers.iter().any(|h| {
                        let ExceptHandler::ExceptHandler(h) = h;
                        any_nested_stmt(&h.body, f)
                    })
            }
            Stmt::Match(m) => m.cases.iter().any(|c| any_nested_stmt(&c.body, f)),
            _ => false,
        }
    })
}

/// Some `raise` (of any form) in `body`, outside nested functions and classes.
pub fn contains_raise(body: &[Stmt]) -> bool {
    any_nested_stmt(body, &mut |s| matches!(s, Stmt::Raise(_)))
}

/// A handler body that does nothing: only `pass`, `...`, strings and `continue`.
pub fn is_empty_handler_body(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Continue(_) => true,
        Stmt::Expr(e) => matches!(
            &*e.value,
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_) | Expr::FString(_)
        ),
        _ => false,
    })
}

/// The `try` statement a handler belongs to: the handler's parent.
pub fn try_of_handler<'a>(checker: &Checker<'a>) -> Option<&'a ast::StmtTry> {
    match checker.parent()? {
        Node::Stmt(Stmt::Try(t)) => Some(t),
        _ => None,
    }
}

/// Calls in a handler body (outside nested functions and classes).
fn for_each_call(body: &[Stmt], f: &mut dyn FnMut(&ast::ExprCall)) {
    struct Calls<'f> {
        f: &'f mut dyn FnMut(&ast::ExprCall),
    }
    impl<'a> Visitor<'a> for Calls<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                pitfall_semantic::stack::guarded(|| visitor::walk_stmt(self, stmt));
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                (self.f)(call);
            }
            if !matches!(expr, Expr::Lambda(_)) {
                pitfall_semantic::stack::guarded(|| visitor::walk_expr(self, expr));
            }
        }
    }
    let mut calls = Calls { f };
    for stmt in body {
        calls.visit_stmt(stmt);
    }
}

/// What a handler does with the exception, read from its calls.
#[derive(Default, Debug, Clone, Copy)]
pub struct HandlerReport {
    /// `logger.exception(...)`, `exc_info=` truthy, `traceback.print_exc()` and kin.
    pub logs_traceback: bool,
    /// The bound exception object is passed to a call that may keep or
    /// report it (`future.set_exception(err)`), not merely formatted.
    pub hands_on_exception: bool,
}

/// Reads the calls of a handler body once for both facts.
pub fn handler_report(checker: &Checker, body: &[Stmt], bound: Option<&str>) -> HandlerReport {
    let mut report = HandlerReport::default();
    for_each_call(body, &mut |call| {
        if !report.logs_traceback && call_logs_traceback(checker, call) {
            report.logs_traceback = true;
        }
        if !report.hands_on_exception {
            if let Some(name) = bound {
                report.hands_on_exception = call_hands_on(checker, call, name);
            }
        }
    });
    report
}

const LOG_METHODS: &[&str] = &[
    "debug", "info", "warning", "warn", "error", "critical", "fatal", "log",
];

fn call_logs_traceback(checker: &Checker, call: &ast::ExprCall) -> bool {
    let last = match &*call.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return false,
    };
    if last == "exception" {
        return true;
    }
    if call.arguments.keywords.iter().any(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "exc_info") && !is_falsy_literal(&k.value)
    }) {
        return true;
    }
    matches!(
        last,
        "print_exc" | "print_exception" | "format_exc" | "format_exception" | "print_tb"
    ) && checker
        .qualified_name(&call.func)
        .is_some_and(|q| q.starts_with("traceback."))
}

fn is_falsy_literal(expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(b) => !b.value,
        Expr::NoneLiteral(_) => true,
        Expr::NumberLiteral(n) => matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0)),
        _ => false,
    }
}

/// `name` itself is an argument of a call that is neither a builtin
/// (`str(err)`, `print(err)`) nor a log call at some level (those only format it).
fn call_hands_on(checker: &Checker, call: &ast::ExprCall, name: &str) -> bool {
    let passes = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|k| &k.value))
        .any(|a| matches!(a, Expr::Name(n) if n.id.as_str() == name));
    if !passes {
        return false;
    }
    match &*call.func {
        Expr::Attribute(a) if LOG_METHODS.contains(&a.attr.as_str()) => false,
        Expr::Attribute(a) if a.attr.as_str() == "format" => false,
        func => !checker
            .qualified_name(func)
            .is_some_and(|q| q.starts_with("builtins.")),
    }
}

/// The innermost loop (`for`/`while`) among the ancestors, within the current
/// function; `None` at a function or class boundary.
pub fn enclosing_loop<'a>(checker: &Checker<'a>) -> Option<&'a Stmt> {
    for node in checker.parents().iter().rev() {
        match node {
            Node::Stmt(s @ (Stmt::For(_) | Stmt::While(_))) => return Some(s),
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                return None
            }
            _ => {}
        }
    }
    None
}

/// Whether `name` is read in `function` (or the scopes nested in it) after
/// `after`, or anywhere inside `loop` (a read may come round again), or is
/// declared `global`/`nonlocal` there.
pub fn read_later(
    semantic: &SemanticIndex,
    function: ScopeId,
    name: &str,
    after: TextSize,
    loop_range: Option<TextRange>,
) -> bool {
    // A `global` or `nonlocal` name is state that code elsewhere reads.
    if semantic
        .symbol_in(function, name)
        .is_some_and(|s| s.declared_global.is_some() || s.declared_nonlocal.is_some())
    {
        return true;
    }
    // Uses are recorded on the symbol of the scope they occur in: look at
    // the function and the scopes nested in it, not at every use of the file.
    let mut pending = vec![function];
    while let Some(scope) = pending.pop() {
        if let Some(symbol) = semantic.symbol_in(scope, name) {
            let later = semantic.uses_of(symbol).iter().any(|u| {
                let range = semantic.use_(*u).range;
                range.start() >= after || loop_range.is_some_and(|l| l.contains_range(range))
            });
            if later {
                return true;
            }
        }
        pending.extend(semantic.children(scope).iter().copied());
    }
    false
}

/// Whether `module` is bound at module level by `import module`, and whether
/// the name is free to be added: `Some(true)` imported, `Some(false)` free,
/// `None` taken by something else.
pub fn module_import_state(semantic: &SemanticIndex, module: &str) -> Option<bool> {
    let Some(symbol) = semantic.symbol_in(SemanticIndex::MODULE, module) else {
        return Some(false);
    };
    let imported = semantic.bindings_of(symbol).iter().all(|b| {
        matches!(&semantic.binding(*b).kind,
            BindingKind::Import { qualified } if qualified == module)
    });
    imported.then_some(true)
}

/// Where to add an import: after the module docstring and `from __future__` imports.
pub fn import_insertion_point(checker: &Checker) -> TextSize {
    let mut offset = TextSize::new(0);
    for (i, stmt) in checker.module().body.iter().enumerate() {
        let is_docstring =
            i == 0 && matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr());
        let is_future = matches!(stmt, Stmt::ImportFrom(f)
            if f.module.as_ref().is_some_and(|m| m.id.as_str() == "__future__"));
        if is_docstring || is_future {
            let line = checker.line_index().line_index(stmt.end());
            offset = checker
                .line_index()
                .line_start(line.saturating_add(1), checker.source());
        } else {
            break;
        }
    }
    offset
}

/// The indentation of a statement that starts its own line (only
/// whitespace before it on the line); `None` when it follows other code
/// (`try: x()` or `a; b`).
pub fn own_line_indent<'a>(checker: &Checker<'a>, node: TextRange) -> Option<&'a str> {
    let source = checker.source();
    let start = node.start().to_usize();
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &source[line_start..start];
    indent
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(indent)
}

/// Nothing but whitespace or a comment follows `node` on its last line.
pub fn ends_line(checker: &Checker, node: TextRange) -> bool {
    let source = checker.source();
    let rest = &source[node.end().to_usize()..];
    let line = rest.split('\n').next().unwrap_or("");
    let line = line.trim_start();
    line.is_empty() || line.starts_with('#') || line == "\r"
}

/// The test of an `if` is `__name__ == "__main__"` (either operand order).
pub fn is_main_guard_test(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    if cmp.ops.len() != 1 || !matches!(cmp.ops[0], ast::CmpOp::Eq) {
        return false;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    let (l, Some(r)) = (&*cmp.left, cmp.comparators.first()) else {
        return false;
    };
    is_name(l) && is_main(r) || is_main(l) && is_name(r)
}

/// The node is in the body of an `if __name__ == "__main__":` block.
pub fn under_main_guard(checker: &Checker, range: TextRange) -> bool {
    checker.parents().iter().any(|node| {
        matches!(node, Node::Stmt(Stmt::If(i))
        if is_main_guard_test(&i.test)
            && i.body.first().is_some_and(|first| {
                TextRange::new(first.start(), i.body.last().map_or(first.end(), |s| s.end()))
                    .contains_range(range)
            }))
    })
}

/// A positional argument or a keyword argument by name.
pub fn argument<'a>(
    call: &'a ast::ExprCall,
    position: Option<usize>,
    keywords: &[&str],
) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| {
            k.arg
                .as_ref()
                .is_some_and(|a| keywords.contains(&a.as_str()))
        })
        .map(|k| &k.value)
        .or_else(|| {
            let p = position?;
            let args = &call.arguments.args;
            // After a `*args` the positions are unknown.
            args.iter()
                .take(p + 1)
                .all(|a| !a.is_starred_expr())
                .then(|| args.get(p))
                .flatten()
        })
}

/// The blocks directly inside a statement (bodies, branches, handlers).
pub fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(f) => vec![&f.body],
        Stmt::ClassDef(c) => vec![&c.body],
        Stmt::If(i) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::With(w) => vec![&w.body],
        Stmt::Try(t) => {
            let mut bodies = vec![&t.body[..]];
            bodies.extend(t.handlers.iter().map(|h| {
                let ExceptHandler::ExceptHandler(h) = h;
                &h.body[..]
            }));
            bodies.push(&t.orelse);
            bodies.push(&t.finalbody);
            bodies
        }
        Stmt::Match(m) => m.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// Calls by qualified name, arguments, literals, identifiers, paths
// ---------------------------------------------------------------------------

pub fn last_name(qualified: &str) -> &str {
    let trimmed = without_calls(qualified);
    // Byte search: `.` is ASCII, and this runs for every target of every call.
    match trimmed.bytes().rposition(|b| b == b'.') {
        Some(dot) => &trimmed[dot + 1..],
        None => trimmed,
    }
}

/// `a.b()()` → `a.b`.
fn without_calls(qualified: &str) -> &str {
    let mut trimmed = qualified;
    while let Some(t) = trimmed.strip_suffix("()") {
        trimmed = t;
    }
    trimmed
}

/// The pre-filter of every qualified-callee rule, run on every call against
/// every target: the byte where `name` would start must match before the
/// whole suffix is compared (most targets fail there, without a `memcmp`).
pub fn is_last_name_of(name: &str, targets: &[&str]) -> bool {
    let name = name.as_bytes();
    // A last name never holds a `.`; an empty one only matches a target ending in `.`.
    let Some(&first) = name.first() else {
        return targets.iter().any(|t| last_name(t).is_empty());
    };
    targets.iter().any(|t| {
        let t = without_calls(t).as_bytes();
        let Some(start) = t.len().checked_sub(name.len()) else {
            return false;
        };
        t[start] == first
            && (start == 0 || t[start - 1] == b'.')
            && &t[start..] == name
            && !name.contains(&b'.')
    })
}

/// The qualified name a callee resolves to, when `may_match` accepts the
/// name it goes by (its last name, or what an import stands for) — the
/// cheap test that spares most calls the resolution. Both steps are
/// memoized per call, since many rules ask about the same call in a row.
pub fn qualified_callee(
    checker: &Checker,
    func: &Expr,
    may_match: impl Fn(&str) -> bool,
) -> Option<String> {
    let filter = checker.callee_filter(func, || callee_filter(checker, func));
    let passes = match filter {
        CalleeFilter::Alias => true,
        _ => filter_name(checker, func, filter).is_some_and(may_match),
    };
    if !passes {
        return None;
    }
    checker.callee_qualified(func)
}

/// The name a callee's [`CalleeFilter`] compares: its own last name, or the
/// last name of what an imported name stands for; `None` for aliases
/// (resolve them) and for callees that cannot match.
pub(crate) fn filter_name<'x>(
    checker: &Checker<'x>,
    func: &'x Expr,
    filter: CalleeFilter,
) -> Option<&'x str> {
    match filter {
        CalleeFilter::Own => match func {
            Expr::Attribute(attr) => Some(attr.attr.as_str()),
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        },
        CalleeFilter::Imported(b) => match &checker.semantic().binding(b).kind {
            BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                Some(last_name(qualified))
            }
            _ => None,
        },
        CalleeFilter::Alias | CalleeFilter::Reject => None,
    }
}

/// Works out a callee's [`CalleeFilter`] (memoized by [`Checker::callee_filter`]).
pub(crate) fn callee_filter(checker: &Checker, func: &Expr) -> CalleeFilter {
    match func {
        Expr::Attribute(_) => CalleeFilter::Own,
        Expr::Name(name) => {
            let semantic = checker.semantic();
            match semantic.lookup(checker.scope(), name.id.as_str(), name.start()) {
                Lookup::Binding(b) => match &semantic.binding(b).kind {
                    BindingKind::Import { .. } | BindingKind::FromImport { .. } => {
                        CalleeFilter::Imported(b)
                    }
                    // `load = pickle.loads`: an alias, resolve it.
                    BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. } => {
                        CalleeFilter::Alias
                    }
                    _ => CalleeFilter::Reject,
                },
                Lookup::Builtin => CalleeFilter::Own,
                Lookup::Unbound => CalleeFilter::Reject,
            }
        }
        _ => CalleeFilter::Reject,
    }
}

pub fn callee_in(checker: &Checker, func: &Expr, targets: &[&'static str]) -> Option<&'static str> {
    let q = qualified_callee(checker, func, |name| is_last_name_of(name, targets))?;
    targets.iter().copied().find(|t| *t == q)
}

pub fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments.find_keyword(name).map(|k| &k.value)
}

pub fn has_kwargs_splat(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| k.arg.is_none())
}

pub fn has_args_splat(call: &ast::ExprCall) -> bool {
    call.arguments.args.iter().any(Expr::is_starred_expr)
}

pub fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
        || matches!(expr, Expr::NumberLiteral(n) if matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(1)))
}

pub fn is_false(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if !b.value)
}

pub fn is_falsy_constant(expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(b) => !b.value,
        Expr::NoneLiteral(_) => true,
        Expr::NumberLiteral(n) => matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0)),
        Expr::StringLiteral(s) => s.value.is_empty(),
        _ => false,
    }
}

pub fn string_value(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

pub fn is_literal_string(expr: &Expr) -> bool {
    match expr {
        Expr::StringLiteral(_) | Expr::BytesLiteral(_) => true,
        Expr::FString(f) => f.value.iter().all(|part| match part {
            ast::FStringPart::Literal(_) => true,
            ast::FStringPart::FString(f) => f
                .elements
                .iter()
                .all(|e| matches!(e, ast::InterpolatedStringElement::Literal(_))),
        }),
        _ => false,
    }
}

pub struct FormattedString<'a> {
    /// The constant text before the first value.
    pub prefix: Cow<'a, str>,
    /// The values interpolated (for `%` with a tuple, its elements).
    pub values: Vec<&'a Expr>,
}

pub fn formatted_string(expr: &Expr) -> Option<FormattedString<'_>> {
    let formatted = match expr {
        Expr::FString(f) => {
            let mut prefix = String::new();
            let mut values = Vec::new();
            for part in f.value.iter() {
                match part {
                    ast::FStringPart::Literal(s) => {
                        if values.is_empty() {
                            prefix.push_str(&s.value);
                        }
                    }
                    ast::FStringPart::FString(f) => {
                        for element in f.elements.iter() {
                            match element {
                                ast::InterpolatedStringElement::Literal(l) => {
                                    if values.is_empty() {
                                        prefix.push_str(&l.value);
                                    }
                                }
                                ast::InterpolatedStringElement::Interpolation(i) => {
                                    values.push(&*i.expression)
                                }
                            }
                        }
                    }
                }
            }
            FormattedString {
                prefix: Cow::Owned(prefix),
                values,
            }
        }
        Expr::BinOp(op) if op.op == Operator::Mod => {
            let prefix = string_value(&op.left)?;
            let values = match &*op.right {
                Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            FormattedString {
                prefix: Cow::Borrowed(prefix),
                values,
            }
        }
        Expr::BinOp(op) if op.op == Operator::Add => {
            // `"a" + x + "b"` nests to the left: the leftmost operand is the prefix.
            let mut operands = Vec::new();
            let mut current = expr;
            while let Expr::BinOp(b) = current {
                if b.op != Operator::Add || operands.len() > 64 {
                    break;
                }
                operands.push(&*b.right);
                current = &b.left;
            }
            let prefix = match current {
                Expr::FString(_) => return formatted_string(current),
                _ => string_value(current)?,
            };
            let values = operands
                .into_iter()
                .rev()
                .filter(|e| !is_literal_string(e))
                .collect();
            FormattedString {
                prefix: Cow::Borrowed(prefix),
                values,
            }
        }
        Expr::Call(call) => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            if attr.attr.as_str() != "format" {
                return None;
            }
            let prefix = string_value(&attr.value)?;
            let values = call
                .arguments
                .args
                .iter()
                .chain(call.arguments.keywords.iter().map(|k| &k.value))
                .collect();
            FormattedString {
                prefix: Cow::Borrowed(prefix),
                values,
            }
        }
        _ => return None,
    };
    (!formatted.values.is_empty()).then_some(formatted)
}

pub fn identifier_words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(['_', '-', '.', ' ', ':', '/'])
        .filter(|w| !w.is_empty())
        .flat_map(split_camel_case)
        .map(|w| w.to_ascii_lowercase())
}

fn split_camel_case(word: &str) -> Vec<&str> {
    let bytes = word.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..bytes.len() {
        let (prev, cur) = (bytes[i - 1], bytes[i]);
        let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if cur.is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
        {
            parts.push(&word[start..i]);
            start = i;
        }
    }
    parts.push(&word[start..]);
    parts
}

pub fn name_has_word(name: &str, words: &[&str]) -> bool {
    let parts: Vec<String> = identifier_words(name).collect();
    words.iter().any(|w| {
        let pattern: Vec<&str> = w.split('_').collect();
        let joined = pattern.concat();
        parts
            .iter()
            .any(|p| p == &joined || p.strip_suffix('s') == Some(&joined))
            || (pattern.len() > 1
                && parts.windows(pattern.len()).any(|window| {
                    window.iter().zip(&pattern).enumerate().all(|(i, (p, q))| {
                        p == q || (i == pattern.len() - 1 && p.strip_suffix('s') == Some(q))
                    })
                }))
    })
}

pub fn is_test_path(path: &str) -> bool {
    let normalized = path.replace('\\', "/");
    let mut components = normalized.split('/').peekable();
    while let Some(c) = components.next() {
        if components.peek().is_none() {
            let stem = c
                .strip_suffix(".py")
                .or_else(|| c.strip_suffix(".pyi"))
                .unwrap_or(c);
            return stem.starts_with("test_")
                || stem.ends_with("_test")
                || stem == "conftest"
                || stem == "tests";
        }
        if matches!(c, "test" | "tests" | "testing") {
            return true;
        }
    }
    false
}

/// A `typing.overload` signature (or `typing_extensions`').
pub fn is_overload(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        checker
            .qualified_name(&d.expression)
            .is_some_and(|q| matches!(q.as_str(), "typing.overload" | "typing_extensions.overload"))
    })
}

pub fn enclosing_function<'a>(checker: &Checker<'a>) -> Option<&'a ast::StmtFunctionDef> {
    checker.parents().iter().rev().find_map(|p| match p {
        Node::Stmt(Stmt::FunctionDef(def)) => Some(def),
        _ => None,
    })
}

pub fn enclosing_class<'a>(checker: &Checker<'a>) -> Option<&'a ast::StmtClassDef> {
    checker.parents().iter().rev().find_map(|p| match p {
        Node::Stmt(Stmt::ClassDef(class)) => Some(class),
        _ => None,
    })
}

pub fn class_defines(class: &ast::StmtClassDef, methods: &[&str]) -> bool {
    class
        .body
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(def) if methods.contains(&def.name.as_str())))
}

pub fn is_parameter(checker: &Checker, name: &ast::ExprName) -> bool {
    let semantic = checker.semantic();
    matches!(
        semantic.lookup(checker.scope(), name.id.as_str(), name.start()),
        Lookup::Binding(b) if semantic.binding(b).kind == BindingKind::Parameter
    )
}

pub fn add_argument_edit(checker: &Checker, call: &ast::ExprCall, argument: &str) -> Edit {
    let args = &call.arguments;
    let last_end = args
        .args
        .iter()
        .map(Ranged::end)
        .chain(args.keywords.iter().map(Ranged::end))
        .max();
    match last_end {
        Some(end) => Edit {
            range: TextRange::empty(end),
            content: format!(", {argument}"),
        },
        None => {
            let close = args.end() - TextSize::new(1);
            debug_assert_eq!(&checker.source()[TextRange::new(close, args.end())], ")");
            Edit {
                range: TextRange::empty(close),
                content: argument.to_string(),
            }
        }
    }
}

/// A name whose reaching assignment is a string literal (`SQL = "..."; run(SQL)`).
pub fn is_bound_to_literal(checker: &Checker, expr: &Expr) -> bool {
    let mut current = expr;
    for _ in 0..4 {
        let Expr::Name(name) = current else { break };
        let Some(value) = name_value(checker, name) else {
            return false;
        };
        current = value;
    }
    is_literal_string(current)
}

// ---------------------------------------------------------------------------
// Scripts, command-line entry points and loggers
// ---------------------------------------------------------------------------

/// Inside a function decorated as a command-line command: `@click.command()`,
/// `@cli.command()`, `@app.command()` (typer), `@click.group()`.
pub fn in_cli_command(checker: &Checker) -> bool {
    checker.parents().iter().any(|node| {
        let Node::Stmt(Stmt::FunctionDef(def)) = node else {
            return false;
        };
        def.decorator_list.iter().any(|d| {
            let callee = match &d.expression {
                Expr::Call(c) => &*c.func,
                e => e,
            };
            matches!(last_segment(callee), Some("command" | "group"))
        })
    })
}

/// Inside a module-level function that the module's
/// `if __name__ == "__main__":` block calls (`main()`, `sys.exit(main())`):
/// the script's entry point.
pub fn in_main_guard_entry(checker: &Checker) -> bool {
    let Some(Node::Stmt(Stmt::FunctionDef(def))) = checker.parents().first() else {
        return false;
    };
    checker.module().body.iter().any(|stmt| match stmt {
        Stmt::If(i) if is_main_guard_test(&i.test) => {
            let name = def.name.as_str();
            // `main()`, `x = main(argv)`, `sys.exit(main())`, `asyncio.run(main())`,
            // `raise SystemExit(main())`.
            let calls = |e: &Expr| {
                matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == name))
            };
            i.body.iter().any(|s| {
                let value = match s {
                    Stmt::Expr(e) => &*e.value,
                    Stmt::Assign(a) => &*a.value,
                    Stmt::Raise(r) => match r.exc.as_deref() {
                        Some(exc) => exc,
                        None => return false,
                    },
                    _ => return false,
                };
                calls(value)
                    || matches!(value, Expr::Call(outer) if outer.arguments.args.iter().any(calls))
            })
        }
        _ => false,
    })
}

/// Code that talks to a terminal by design: under the main guard, in a
/// command-line command, or in the function the main guard runs.
pub fn in_script_context(checker: &Checker, range: TextRange) -> bool {
    under_main_guard(checker, range) || in_cli_command(checker) || in_main_guard_entry(checker)
}

/// The current node is in a function body (or a lambda), not module or class level code.
pub fn in_function(checker: &Checker) -> bool {
    checker
        .semantic()
        .enclosing_function(checker.scope())
        .is_some()
}

/// Qualified prefixes of logger objects: the `logging` module itself, what
/// `logging.getLogger()` and `structlog.get_logger()` return, and adapters.
const LOGGER_RECEIVERS: &[&str] = &[
    "logging",
    "logging.root",
    "logging.getLogger()",
    "logging.getLogger().getChild()",
    "logging.LoggerAdapter()",
    "logging.Logger()",
    "structlog.get_logger()",
    "structlog.getLogger()",
    "structlog.stdlib.get_logger()",
    "structlog.wrap_logger()",
    "loguru.logger",
];

/// `qualified` is `<logger receiver>.<method>`, e.g. `logging.getLogger().error`.
/// Returns the method name.
pub fn logger_method(qualified: &str) -> Option<&str> {
    let (receiver, method) = qualified.rsplit_once('.')?;
    LOGGER_RECEIVERS.contains(&receiver).then_some(method)
}

/// Whether `path` matches one of the glob patterns (as written in an
/// option: relative to the project root, or a bare file name). Compiled on
/// demand: callers ask only when they are about to report.
pub fn path_matches_any(path: &str, globs: &[String]) -> bool {
    if globs.is_empty() {
        return false;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for g in globs {
        if let Ok(glob) = globset::Glob::new(g) {
            builder.add(glob);
        }
    }
    let Ok(set) = builder.build() else {
        return false;
    };
    let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    set.is_match(path) || set.is_match(file_name)
}

/// The statement list that directly holds `stmt`, given its parent node
/// (`None` for a module-level statement).
pub fn containing_body<'a>(
    module: &'a ModModule,
    parent: Option<Node<'a>>,
    stmt: &Stmt,
) -> Option<&'a [Stmt]> {
    let found = match parent {
        None => module
            .body
            .iter()
            .position(|s| s.range() == stmt.range())
            .map(|i| (&module.body[..], i)),
        Some(Node::Stmt(p)) => position_in(p, stmt),
        Some(Node::ExceptHandler(h)) => position_in_handler(h, stmt),
        Some(Node::Expr(_)) => None,
    };
    found.map(|(body, _)| body)
}

/// The docstring of a body: its first statement, when that is a plain string literal.
pub fn docstring(body: &[Stmt]) -> Option<&ast::ExprStringLiteral> {
    match body.first()? {
        Stmt::Expr(e) => match &*e.value {
            Expr::StringLiteral(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// Whether any of the expressions reads the name.
pub fn mentions_name(exprs: &[Expr], name: &str) -> bool {
    struct Find<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Find<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Name(n) if n.id.as_str() == self.name => self.found = true,
                _ => stack::guarded(|| visitor::walk_expr(self, expr)),
            }
        }
    }
    let mut find = Find { name, found: false };
    for e in exprs {
        find.visit_expr(e);
    }
    find.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_identifiers() {
        let words: Vec<String> = identifier_words("apiKey_SECRET").collect();
        assert_eq!(words, ["api", "key", "secret"]);
        let words: Vec<String> = identifier_words("HTTPToken").collect();
        assert_eq!(words, ["http", "token"]);
    }

    #[test]
    fn whole_words_only() {
        assert!(name_has_word("DB_PASSWORD", &["password"]));
        assert!(name_has_word("apiKey", &["api_key"]));
        assert!(name_has_word("APIKEY", &["api_key"]));
        assert!(name_has_word("auth_tokens", &["token"]));
        assert!(!name_has_word("author", &["auth"]));
        assert!(!name_has_word("tokenize", &["token"]));
        assert!(!name_has_word("monkey", &["key"]));
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("Lib/test/test_ssl.py"));
        assert!(is_test_path("pkg/tests/helpers.py"));
        assert!(is_test_path("test_x.py"));
        assert!(is_test_path("x_test.py"));
        assert!(!is_test_path("pkg/testament.py"));
        assert!(!is_test_path("contest.py"));
    }

    #[test]
    fn last_names() {
        assert_eq!(last_name("requests.Session().get"), "get");
        assert_eq!(last_name("socket.socket"), "socket");
        assert_eq!(last_name("sqlalchemy.orm.sessionmaker()()"), "sessionmaker");
    }
}
