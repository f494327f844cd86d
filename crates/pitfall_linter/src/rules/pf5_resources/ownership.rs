//! The "owned resource" analysis PF501 and PF505 share: is the object a
//! call creates closed (or handed to something that closes it) on every path?
//!
//! A value is *managed* when it is a `with`/`async with` item, is returned
//! or yielded, is passed to `contextlib.closing(...)`/`enter_context(...)` or
//! to a constructor that takes ownership, is stored on `self` in a class
//! that defines `close`/`__exit__`/`__aexit__`, or — bound to a local — is
//! closed in a `finally`, used as a `with` item, returned, yielded or handed
//! on. Only the call's ancestors are inspected, plus (for a local) one walk
//! of the enclosing function's body.

use pitfall_semantic::{BindingKind, ScopeId, SemanticIndex};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::rules::common::{
    enclosing_class, enclosing_function, inherits, next_statement, qualified_callee,
};

/// How a resource leaks, for the message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Leak {
    /// `open(p).read()`, `for line in open(p)`, `json.load(open(p))`.
    Temporary,
    /// `f = open(p)` closed by hand (or never), not in a `finally`.
    Local,
    /// `self.f = open(p)` in a class with no `close`/`__exit__`.
    Attribute,
    /// `with sqlite3.connect(p) as conn:` only ends the transaction.
    TransactionWith,
}

/// Calls that use a file object and drop it: the argument is not kept.
const CONSUMERS: &[&str] = &[
    "json.load",
    "json.dump",
    "pickle.load",
    "pickle.dump",
    "marshal.load",
    "marshal.dump",
    "tomllib.load",
    "plistlib.load",
    "csv.reader",
    "csv.writer",
    "csv.DictReader",
    "csv.DictWriter",
    "shutil.copyfileobj",
    "builtins.list",
    "builtins.len",
    "builtins.sorted",
    "builtins.enumerate",
    "builtins.next",
    "builtins.print",
    "builtins.sum",
    "builtins.set",
    "builtins.tuple",
    "yaml.safe_load",
    "yaml.load",
];

const CLOSERS: &[&str] = &["close", "aclose", "cleanup", "shutdown", "quit", "dispose"];

/// Whether the resource created by `call` leaks, and how.
/// `with_closes`: whether a plain `with` on the object closes it.
pub fn leak_of(checker: &Checker, call: &ast::ExprCall, with_closes: bool) -> Option<Leak> {
    let mut current = call.range();
    let parents = checker.parents();
    for (depth, parent) in parents.iter().enumerate().rev() {
        match parent {
            Node::Expr(Expr::Await(_) | Expr::If(_) | Expr::BoolOp(_)) => {}
            // `open(p, "a").close()`: the touch idiom closes at once.
            Node::Expr(Expr::Attribute(attr)) => {
                return (!CLOSERS.contains(&attr.attr.as_str())).then_some(Leak::Temporary)
            }
            Node::Expr(Expr::Call(outer)) => {
                if outer.func.range().contains_range(current) {
                    // `open(p)()` or `x.method(open(p))` receiver position.
                    return Some(Leak::Temporary);
                }
                return is_consumer(checker, outer).then_some(Leak::Temporary);
            }
            Node::Expr(
                Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_),
            ) => {
                return iterated_by(parent, current).then_some(Leak::Temporary);
            }
            Node::Expr(Expr::Lambda(_) | Expr::Yield(_) | Expr::YieldFrom(_)) => return None,
            // Stored in a container or passed on some other way: escapes.
            Node::Expr(_) => return None,
            Node::Stmt(stmt) => {
                let next = next_statement(&parents[..depth], stmt, checker.module());
                return leak_at_statement(checker, stmt, next, current, with_closes);
            }
            Node::ExceptHandler(_) => return None,
        }
        current = parent.range();
    }
    None
}

/// A comprehension whose iterable is (or contains) `range`.
fn iterated_by(node: &Node, range: TextRange) -> bool {
    let generators: &[ast::Comprehension] = match node {
        Node::Expr(Expr::ListComp(c)) => &c.generators,
        Node::Expr(Expr::SetComp(c)) => &c.generators,
        Node::Expr(Expr::DictComp(c)) => &c.generators,
        Node::Expr(Expr::Generator(c)) => &c.generators,
        _ => return false,
    };
    generators
        .iter()
        .any(|g| g.iter.range().contains_range(range))
}

fn is_consumer(checker: &Checker, outer: &ast::ExprCall) -> bool {
    qualified_callee(checker, &outer.func, |name| {
        CONSUMERS.iter().any(|c| c.rsplit('.').next() == Some(name))
    })
    .is_some_and(|q| CONSUMERS.contains(&q.as_str()))
}

/// `name.close()` (or `await name.aclose()`, another closer) as a statement.
fn closes(stmt: &Stmt, name: &str) -> bool {
    let Stmt::Expr(e) = stmt else { return false };
    let call = match &*e.value {
        Expr::Await(a) => &*a.value,
        other => other,
    };
    let Expr::Call(call) = call else { return false };
    matches!(&*call.func, Expr::Attribute(attr)
        if CLOSERS.contains(&attr.attr.as_str())
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == name))
}

fn leak_at_statement(
    checker: &Checker,
    stmt: &Stmt,
    next: Option<&Stmt>,
    value: TextRange,
    with_closes: bool,
) -> Option<Leak> {
    match stmt {
        Stmt::With(with) => {
            let is_item = with.items.iter().any(|i| i.context_expr.range() == value);
            (is_item && !with_closes).then_some(Leak::TransactionWith)
        }
        Stmt::For(f) => f
            .iter
            .range()
            .contains_range(value)
            .then_some(Leak::Temporary),
        Stmt::Expr(_) => Some(Leak::Temporary),
        Stmt::Assign(assign) => {
            let [target] = &*assign.targets else {
                return None;
            };
            leak_of_binding(checker, target, next, with_closes)
        }
        Stmt::AnnAssign(assign) => leak_of_binding(checker, &assign.target, next, with_closes),
        _ => None,
    }
}

fn leak_of_binding(
    checker: &Checker,
    target: &Expr,
    next: Option<&Stmt>,
    with_closes: bool,
) -> Option<Leak> {
    match target {
        // `f = open(p)` then `f.close()` at once (creating or truncating a
        // file): nothing in between can raise and skip the close.
        Expr::Name(name) if next.is_some_and(|n| closes(n, name.id.as_str())) => None,
        Expr::Name(name) => {
            let function = enclosing_function(checker)?;
            // Only a local of the function itself (not of a class body in it).
            if checker.semantic().scope_of_node(function.range) != Some(checker.scope()) {
                return None;
            }
            let mut uses = LocalUses {
                name: name.id.as_str(),
                after: name.end(),
                with_closes,
                managed: false,
                in_finally: 0,
            };
            uses.visit_body(&function.body);
            (!uses.managed).then_some(Leak::Local)
        }
        Expr::Attribute(attr) => {
            let on_self = matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "self");
            if !on_self {
                return None;
            }
            let class = enclosing_class(checker)?;
            let scope = checker.semantic().scope_of_node(class.range)?;
            (!has_teardown(checker.semantic(), scope)).then_some(Leak::Attribute)
        }
        _ => None,
    }
}

/// Words of method names that release what an object holds: `close`,
/// `tearDown`, `shutdown`, `__exit__`, `disconnect`, ...
const TEARDOWN_WORDS: &[&str] = &[
    "close",
    "teardown",
    "shutdown",
    "stop",
    "quit",
    "disconnect",
    "cleanup",
    "release",
    "terminate",
    "dispose",
    "finish",
    "__del__",
    "__exit__",
    "__aexit__",
];

/// Whether a class (or a base class in this file) has a teardown method.
fn has_teardown(semantic: &SemanticIndex, class: ScopeId) -> bool {
    let own = |class: ScopeId| {
        semantic.scope_symbols(class).any(|symbol| {
            let name = &symbol.name;
            let lower = name.to_ascii_lowercase();
            TEARDOWN_WORDS.iter().any(|w| lower.contains(w))
                && semantic.last_binding(class, name).is_some_and(|b| {
                    matches!(semantic.binding(b).kind, BindingKind::FunctionDef { .. })
                })
        })
    };
    own(class) || inherits(semantic, class, &|_| false, &own)
}

/// What the function does with a local resource after binding it.
struct LocalUses<'n> {
    name: &'n str,
    after: ruff_text_size::TextSize,
    with_closes: bool,
    managed: bool,
    in_finally: u32,
}

impl LocalUses<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name)
    }

    /// `name` appears as a value (not as the receiver of an attribute).
    fn mentions_as_value(&self, expr: &Expr) -> bool {
        let mut finder = Mention {
            name: self.name,
            found: false,
        };
        finder.visit_expr(expr);
        finder.found
    }
}

struct Mention<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for Mention<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Name(n) if n.id.as_str() == self.name => self.found = true,
            // `f.read()`: a use through the object, not the object itself.
            Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == self.name) =>
                {}
            Expr::Lambda(_) => {}
            _ => pitfall_semantic::stack::guarded(|| visitor::walk_expr(self, expr)),
        }
    }
}

impl<'a> Visitor<'a> for LocalUses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.managed {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Return(r) if r.value.as_ref().is_some_and(|v| self.mentions_as_value(v)) => {
                self.managed = true;
                return;
            }
            Stmt::With(with) => {
                for item in &with.items {
                    let e = &item.context_expr;
                    if (self.is_name(e) && self.with_closes)
                        || (!self.is_name(e) && self.mentions_as_value(e))
                    {
                        self.managed = true;
                        return;
                    }
                }
            }
            // Handed to another name, attribute or container.
            Stmt::Assign(assign)
                if stmt.start() >= self.after
                    && self.mentions_as_value(&assign.value)
                    && !matches!(&*assign.value, Expr::Call(_)) =>
            {
                self.managed = true;
                return;
            }
            Stmt::Try(t) => {
                for s in &t.body {
                    self.visit_stmt(s);
                }
                for h in &t.handlers {
                    self.visit_except_handler(h);
                }
                for s in &t.orelse {
                    self.visit_stmt(s);
                }
                self.in_finally += 1;
                for s in &t.finalbody {
                    self.visit_stmt(s);
                }
                self.in_finally -= 1;
                return;
            }
            _ => {}
        }
        pitfall_semantic::stack::guarded(|| visitor::walk_stmt(self, stmt));
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.managed {
            return;
        }
        match expr {
            Expr::Lambda(_) => return,
            Expr::Yield(y) if y.value.as_ref().is_some_and(|v| self.mentions_as_value(v)) => {
                self.managed = true;
                return;
            }
            Expr::YieldFrom(_) => {}
            Expr::Call(call) if expr.start() >= self.after => {
                if let Expr::Attribute(attr) = &*call.func {
                    // `f.close()` in a `finally`.
                    if self.in_finally > 0
                        && self.is_name(&attr.value)
                        && CLOSERS.contains(&attr.attr.as_str())
                    {
                        self.managed = true;
                        return;
                    }
                }
                // Passed on: `closing(f)`, `stack.enter_context(f)`,
                // `stack.callback(f.close)`, `register(f)`, `Wrapper(f)` —
                // anything but a known consumer may take ownership.
                let passed = call
                    .arguments
                    .args
                    .iter()
                    .chain(call.arguments.keywords.iter().map(|k| &k.value))
                    .any(|a| {
                        self.is_name(a)
                            || matches!(a, Expr::Attribute(at) if self.is_name(&at.value)
                                && CLOSERS.contains(&at.attr.as_str()))
                    });
                if passed && !is_consumer_name(&call.func) {
                    self.managed = true;
                    return;
                }
            }
            _ => {}
        }
        pitfall_semantic::stack::guarded(|| visitor::walk_expr(self, expr));
    }
}

/// A consumer by its final name only (inside the body walk there is no
/// checker scope to resolve in; the names are specific enough).
fn is_consumer_name(func: &Expr) -> bool {
    let name = match func {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    matches!(
        name,
        "load"
            | "dump"
            | "reader"
            | "writer"
            | "DictReader"
            | "DictWriter"
            | "copyfileobj"
            | "list"
            | "len"
            | "sorted"
            | "enumerate"
            | "next"
            | "print"
            | "safe_load"
            | "write"
            | "read"
            | "iter"
    )
}
