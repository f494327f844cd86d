//! Helpers more than one rule needs: finding the AST node behind a binding
//! or a use (a targeted descent, not a walk), what a value is known to be
//! (mutable, a dict, a set), builtins that are not shadowed, and the shape of
//! a decorator. Rules of any family add theirs here instead of writing twins.

use pitfall_semantic::{stack, Binding, BindingKind, Lookup, Resolved, ScopeId, SemanticIndex};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};

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
    is_immutable(semantic, class, 0)
}

fn is_immutable(semantic: &SemanticIndex, class: ScopeId, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let frozen_decorator = class_decorators(semantic, class)
        .into_iter()
        .any(|(q, frozen)| {
            frozen && DATACLASS_DECORATORS.contains(&q.as_str())
                || matches!(q.as_str(), "attrs.frozen" | "attr.frozen")
        });
    if frozen_decorator {
        return true;
    }
    semantic
        .scope(class)
        .bases
        .iter()
        .any(|base| match semantic.resolve_path(base, 0) {
            Some(Resolved::Qualified(q)) => matches!(
                q.as_str(),
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
            ),
            Some(Resolved::Class(base)) => is_immutable(semantic, base, depth + 1),
            _ => false,
        })
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

/// The nested function `def_` returns (a direct `return W` in its body) when
/// that function calls (or awaits) one of `def_`'s parameters.
pub fn decorator_wrapper(def: &ast::StmtFunctionDef) -> Option<WrapperShape<'_>> {
    if def.parameters.is_empty() {
        return None;
    }
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
    let param = def
        .parameters
        .iter()
        .map(|p| p.name().id.as_str())
        .find(|p| !wrapper.parameters.includes(p) && calls_name(&wrapper.body, p))?;
    Some(WrapperShape { wrapper, param })
}

/// Whether `body` calls `name(...)` (outside nested classes).
pub fn calls_name(body: &[Stmt], name: &str) -> bool {
    struct Calls<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Calls<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found || matches!(stmt, Stmt::ClassDef(_)) {
                return;
            }
            stack::guarded(|| visitor::walk_stmt(self, stmt));
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr {
                if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == self.name) {
                    self.found = true;
                    return;
                }
            }
            stack::guarded(|| visitor::walk_expr(self, expr));
        }
    }
    let mut calls = Calls { name, found: false };
    calls.visit_body(body);
    calls.found
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
