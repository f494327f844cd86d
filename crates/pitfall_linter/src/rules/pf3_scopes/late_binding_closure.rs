//! PF303 `late-binding-closure`: closures created in a loop all see the loop variable's last value.
//!
//! A `lambda` or nested `def` created in a loop (a `for`/`while` body or a
//! comprehension) is reported when it reads, as a free variable, a name the
//! loop rebinds, and the function object outlives the iteration that made it.

use pitfall_semantic::{
    BindingKind, Lookup, Resolved, ScopeId, ScopeKind, SemanticIndex, Use, UseKind,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Comprehension, ExceptHandler, Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};

pub struct LateBindingClosure;

static META: RuleMeta = rule_meta(
    "PF303",
    "late-binding-closure",
    Family::Scopes,
    Tier::Core,
    FixAvailability::Unsafe,
    &["B023", "W0640"],
    "Closures created in a loop all see the loop variable's last value.",
);

/// How deep the search follows a function object through names and project
/// functions (`cbs.append(f)` after `f = lambda: ...`, `self.add(cb)`).
const MAX_DEPTH: u32 = 3;

/// Methods that put their argument into a container.
const CONTAINER_METHODS: &[&str] = &[
    "append",
    "appendleft",
    "add",
    "insert",
    "setdefault",
    "update",
    "put",
    "put_nowait",
];

/// Methods that keep a callable to run it later: executors, event loops,
/// futures, signals and GUI/event hooks (`on_*` and `register_*` too).
const KEEPING_METHODS: &[&str] = &[
    "submit",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "run_in_executor",
    "add_done_callback",
    "add_callback",
    "add_reader",
    "add_writer",
    "add_signal_handler",
    "connect",
    "register",
];

/// Calls, by qualified name, that keep a callable argument.
const KEEPING_CALLS: &[&str] = &[
    "threading.Thread",
    "threading.Timer",
    "multiprocessing.Process",
    "signal.signal",
    "atexit.register",
    "codecs.register",
    "codecs.register_error",
    "sys.settrace",
    "sys.setprofile",
    "threading.settrace",
    "weakref.finalize",
    "builtins.setattr",
];

/// Keyword arguments that hand a callable over for later: `Thread(target=...)`,
/// GUI widgets' `command=`.
const KEEPING_KEYWORDS: &[&str] = &["target", "command"];

/// Calls whose result carries the function along (it is called later, when
/// the result is): the escape is decided by what happens to the result.
const WRAPPERS: &[&str] = &[
    "functools.partial",
    "builtins.map",
    "builtins.filter",
    "builtins.property",
    "builtins.staticmethod",
    "builtins.classmethod",
    "types.MethodType",
];

impl Rule for LateBindingClosure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::FunctionDef)
            .expr(ExprKind::Lambda)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        let func = Func {
            range: def.range,
            report: def.name.range,
            def: Some(def),
        };
        check_function(checker, &func);
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Lambda(lambda) = expr else { return };
        let func = Func {
            range: lambda.range,
            report: lambda.range,
            def: None,
        };
        check_function(checker, &func);
    }
}

/// The function being checked.
struct Func<'f> {
    /// The whole `def` (decorators included) or lambda: the node of its scope.
    range: TextRange,
    /// Where the finding goes.
    report: TextRange,
    def: Option<&'f ast::StmtFunctionDef>,
}

/// A loop that may rebind what a closure reads.
struct Loop<'a> {
    node: Node<'a>,
    /// The scope whose bindings the loop rebinds each iteration.
    scope: ScopeId,
    /// Where those rebinding happen: the `for` target and body, the `while`
    /// test and body, the comprehension's generators and element.
    region: Vec<TextRange>,
    /// The end of the body: a use from here on is after the loop.
    body_end: TextSize,
}

impl Loop<'_> {
    fn is_comprehension(&self) -> bool {
        matches!(self.node, Node::Expr(_))
    }
}

/// What the escape search needs besides the node chain.
struct Cx<'a> {
    semantic: &'a SemanticIndex,
    module: &'a ModModule,
}

fn check_function(checker: &mut Checker, func: &Func) {
    if !in_loop(checker.parents()) {
        return;
    }
    let semantic = checker.semantic();
    let Some(func_scope) = checker.scope_of_node(func.range) else {
        return;
    };
    let cx = Cx {
        semantic,
        module: checker.module(),
    };
    let parents = checker.parents().to_vec();
    let own_name = func.def.map(|d| d.name.id.as_str());
    let mut scope = checker.scope();
    for idx in (0..parents.len()).rev() {
        let Some(lp) = loop_at(semantic, parents[idx], func.range, scope) else {
            match parents[idx] {
                Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_))
                | Node::Expr(Expr::Lambda(_)) => return,
                _ => continue,
            }
        };
        if let Some(name) = captured_variable(semantic, func_scope, &lp, own_name) {
            if function_escapes(&cx, func, &parents[idx..], &lp) {
                let help = match func.def {
                    None => format!("bind the current value: `lambda {name}={name}: ...` or `functools.partial`"),
                    Some(def) => format!(
                        "bind the current value: `def {}(..., {name}={name}): ...` or `functools.partial`",
                        def.name.id
                    ),
                };
                checker
                    .report(
                        format!(
                            "Closure captures loop variable `{name}` by reference; every closure created by this loop sees its last value"
                        ),
                        func.report,
                    )
                    .help(help);
                return;
            }
        }
        if lp.is_comprehension() {
            // Outside the comprehension, loops run in the scope that holds it.
            match semantic.scope(lp.scope).parent {
                Some(parent) => scope = parent,
                None => return,
            }
        }
    }
}

/// Whether a loop (a `for`/`while` statement or a comprehension) encloses the
/// function before the scope that holds it ends: only then can it be created
/// in a loop. Most functions are not, and are done with here.
fn in_loop(parents: &[Node]) -> bool {
    for parent in parents.iter().rev() {
        match parent {
            Node::Stmt(Stmt::For(_) | Stmt::While(_))
            | Node::Expr(
                Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_),
            ) => return true,
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                return false
            }
            _ => {}
        }
    }
    false
}

/// The loop `node` runs the function's creation in, if it does.
fn loop_at<'a>(
    semantic: &SemanticIndex,
    node: Node<'a>,
    func: TextRange,
    scope: ScopeId,
) -> Option<Loop<'a>> {
    match node {
        Node::Stmt(Stmt::For(f)) => {
            let body = body_range(&f.body)?;
            body.contains_range(func).then(|| Loop {
                node,
                scope,
                region: vec![f.target.range(), body],
                body_end: body.end(),
            })
        }
        Node::Stmt(Stmt::While(w)) => {
            let body = body_range(&w.body)?;
            body.contains_range(func).then(|| Loop {
                node,
                scope,
                region: vec![w.test.range(), body],
                body_end: body.end(),
            })
        }
        Node::Expr(expr) => {
            let (generators, _) = comprehension_parts(expr)?;
            // The first iterable is evaluated once, outside the comprehension.
            if generators.first()?.iter.range().contains_range(func) {
                return None;
            }
            let comp_scope = semantic.scope_of_node(expr.range())?;
            (semantic.scope(comp_scope).kind == ScopeKind::Comprehension).then(|| Loop {
                node,
                scope: comp_scope,
                region: vec![expr.range()],
                body_end: expr.end(),
            })
        }
        _ => None,
    }
}

fn body_range(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

/// The generators and element expressions of a comprehension.
fn comprehension_parts(expr: &Expr) -> Option<(&[Comprehension], Vec<&Expr>)> {
    match expr {
        Expr::ListComp(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::SetComp(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::Generator(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::DictComp(c) => {
            let mut elts: Vec<&Expr> = vec![&c.value];
            if let Some(k) = &c.key {
                elts.push(k);
            }
            Some((&c.generators, elts))
        }
        _ => None,
    }
}

/// The first name the function (or a scope nested in it) reads from the
/// loop's scope that the loop rebinds.
fn captured_variable(
    semantic: &SemanticIndex,
    func_scope: ScopeId,
    lp: &Loop,
    own_name: Option<&str>,
) -> Option<String> {
    // The uses in the function's scope and the scopes nested in it.
    let mut uses: Vec<&Use> = Vec::new();
    let mut scopes = vec![func_scope];
    while let Some(s) = scopes.pop() {
        for sym in semantic.scope_symbols(s) {
            uses.extend(semantic.uses_of(sym).iter().map(|u| semantic.use_(*u)));
        }
        scopes.extend(semantic.children(s).iter().copied());
    }
    uses.sort_by_key(|u| u.range.start());
    // Rebound names, the loop's own targets first.
    let mut found: Option<String> = None;
    for u in uses {
        let name = &semantic.symbol(u.symbol).name;
        if own_name == Some(name.as_str()) {
            continue;
        }
        let Lookup::Binding(b) = semantic.lookup(u.scope, name, u.range.start()) else {
            continue;
        };
        if semantic.binding(b).scope != lp.scope {
            continue;
        }
        let Some(sym) = semantic.symbol_in(lp.scope, name) else {
            continue;
        };
        let mut rebound = semantic
            .bindings_of(sym)
            .iter()
            .map(|b| semantic.binding(*b))
            .filter(|binding| {
                binding.kind != BindingKind::Deletion
                    && lp.region.iter().any(|r| r.contains_range(binding.range))
            });
        let Some(first) = rebound.next() else {
            continue;
        };
        let is_target = std::iter::once(first).chain(rebound).any(|b| {
            matches!(
                b.kind,
                BindingKind::ForTarget | BindingKind::ComprehensionTarget
            )
        });
        if is_target {
            return Some(name.to_string());
        }
        found.get_or_insert_with(|| name.to_string());
    }
    found
}

/// Whether the function object outlives the iteration that created it.
/// `chain` runs from the loop to the function's parent.
fn function_escapes(cx: &Cx, func: &Func, chain: &[Node], lp: &Loop) -> bool {
    let Some(def) = func.def else {
        return escapes(cx, chain, func.range, lp.scope, Some(lp), 0);
    };
    // A decorator that registers the function keeps it.
    let registered = def.decorator_list.iter().any(|d| {
        let callee = match &d.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        is_keeping_callee(cx, callee, lp.scope)
    });
    registered || name_escapes(cx, def.name.id.as_str(), def.name.range, lp, 0)
}

/// Whether the value of the expression at `node` escapes. `chain` holds the
/// ancestors of `node`, starting at the loop (or, for a project function
/// that received the value, at its `def`).
fn escapes(
    cx: &Cx,
    chain: &[Node],
    mut node: TextRange,
    scope: ScopeId,
    lp: Option<&Loop>,
    depth: u32,
) -> bool {
    // Placed in a display or a comprehension's result.
    let mut stored = false;
    for (i, parent) in chain.iter().enumerate().rev() {
        let outermost = i == 0;
        match parent {
            Node::Expr(expr) => {
                if let Some((_, elts)) = comprehension_parts(expr) {
                    let is_element = elts.iter().any(|e| e.range().contains_range(node));
                    if !is_element {
                        // A condition or an iterable: used in the iteration.
                        return false;
                    }
                    if outermost {
                        // Produced as an element of the looping comprehension.
                        return true;
                    }
                    stored = true;
                    node = expr.range();
                    continue;
                }
                if outermost {
                    return false;
                }
                match expr {
                    Expr::Call(call) => {
                        if call.func.range().contains_range(node) {
                            // Called right away (or an attribute of it is).
                            return false;
                        }
                        let keyword = call
                            .arguments
                            .keywords
                            .iter()
                            .find(|k| k.value.range() == node)
                            .map(|k| k.arg.as_ref().map(|a| a.id.as_str()));
                        let position = call.arguments.args.iter().position(|a| a.range() == node);
                        if keyword.is_none() && position.is_none() {
                            return false;
                        }
                        let arg = Arg {
                            position,
                            keyword: keyword.flatten(),
                        };
                        if is_wrapper(cx, call, scope) {
                            node = call.range();
                            continue;
                        }
                        if stored {
                            return true;
                        }
                        return keeps(cx, call, &arg, scope, depth)
                            && !waited_for(&chain[..i], call.range());
                    }
                    Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) => {
                        stored = true;
                        node = expr.range();
                    }
                    Expr::If(ternary) => {
                        if ternary.test.range().contains_range(node) {
                            return false;
                        }
                        node = expr.range();
                    }
                    Expr::BoolOp(_) | Expr::Named(_) | Expr::Starred(_) => node = expr.range(),
                    Expr::Yield(_) | Expr::YieldFrom(_) => return true,
                    _ => return false,
                }
            }
            Node::Stmt(stmt) => {
                if outermost {
                    return false;
                }
                return match stmt {
                    Stmt::Assign(assign) if assign.value.range() == node => assign
                        .targets
                        .iter()
                        .any(|t| target_escapes(cx, t, lp, depth)),
                    Stmt::AnnAssign(ann)
                        if ann.value.as_ref().is_some_and(|v| v.range() == node) =>
                    {
                        target_escapes(cx, &ann.target, lp, depth)
                    }
                    // `handlers += [lambda: ...]` accumulates across iterations.
                    Stmt::AugAssign(aug) => aug.value.range() == node,
                    _ => false,
                };
            }
            Node::ExceptHandler(_) => return false,
        }
    }
    stored
}

/// The call at `call` (whose ancestors are `chain`) is awaited or its
/// `.result()`/`.join()` is taken at once: the callable runs within the iteration.
fn waited_for(chain: &[Node], call: TextRange) -> bool {
    match chain {
        [.., Node::Expr(Expr::Await(_))] => true,
        [.., Node::Expr(Expr::Call(outer)), Node::Expr(Expr::Attribute(attr))] => {
            attr.value.range() == call
                && outer.func.range() == attr.range
                && matches!(attr.attr.id.as_str(), "result" | "join" | "wait")
        }
        _ => false,
    }
}

/// Assigned to `target`: stored on an object, or bound to a name that escapes.
fn target_escapes(cx: &Cx, target: &Expr, lp: Option<&Loop>, depth: u32) -> bool {
    match target {
        Expr::Attribute(_) | Expr::Subscript(_) => true,
        Expr::Name(n) => {
            lp.is_some_and(|lp| name_escapes(cx, n.id.as_str(), n.range, lp, depth + 1))
        }
        _ => false,
    }
}

/// A name bound (at `binding_range`) to the function object in the loop's
/// scope escapes if it is read after the loop or read in the loop in a way
/// that escapes.
fn name_escapes(cx: &Cx, name: &str, binding_range: TextRange, lp: &Loop, depth: u32) -> bool {
    if depth > MAX_DEPTH || lp.is_comprehension() {
        return false;
    }
    let semantic = cx.semantic;
    let Some(sym) = semantic.symbol_in(lp.scope, name) else {
        return false;
    };
    let Some(binding) = semantic
        .bindings_of(sym)
        .iter()
        .copied()
        .find(|b| semantic.binding(*b).range == binding_range)
    else {
        return false;
    };
    let Node::Stmt(loop_stmt) = lp.node else {
        return false;
    };
    for u in semantic.uses_of(sym) {
        let u = semantic.use_(*u);
        if u.kind != UseKind::Load {
            continue;
        }
        if semantic.lookup(lp.scope, name, u.range.start()) != Lookup::Binding(binding) {
            continue;
        }
        let in_loop = lp.region.iter().any(|r| r.contains_range(u.range));
        if !in_loop {
            if u.range.start() >= lp.body_end {
                // Read after the loop: returned, stored or called with the last value.
                return true;
            }
            continue;
        }
        let Some(chain) = chain_to(loop_stmt, u.range, Want::Name) else {
            continue;
        };
        if escapes(cx, &chain, u.range, lp.scope, Some(lp), depth + 1) {
            return true;
        }
    }
    false
}

/// An argument of a call: its position or keyword.
struct Arg<'n> {
    position: Option<usize>,
    keyword: Option<&'n str>,
}

fn is_wrapper(cx: &Cx, call: &ast::ExprCall, scope: ScopeId) -> bool {
    cx.semantic
        .qualified_name(&call.func, scope)
        .is_some_and(|q| WRAPPERS.contains(&q.as_str()))
}

/// A callee that keeps a callable argument, by name.
fn is_keeping_callee(cx: &Cx, callee: &Expr, scope: ScopeId) -> bool {
    if let Expr::Attribute(attr) = callee {
        let method = attr.attr.id.as_str();
        if KEEPING_METHODS.contains(&method)
            || method.starts_with("on_")
            || method.starts_with("register_")
        {
            return true;
        }
    }
    cx.semantic
        .qualified_name(callee, scope)
        .is_some_and(|q| KEEPING_CALLS.contains(&q.as_str()))
}

/// Whether `call` keeps the argument `arg` beyond the call.
fn keeps(cx: &Cx, call: &ast::ExprCall, arg: &Arg, scope: ScopeId, depth: u32) -> bool {
    if arg.keyword.is_some_and(|k| KEEPING_KEYWORDS.contains(&k)) {
        return true;
    }
    if let Expr::Attribute(attr) = &*call.func {
        if CONTAINER_METHODS.contains(&attr.attr.id.as_str()) {
            return true;
        }
    }
    if is_keeping_callee(cx, &call.func, scope) {
        return true;
    }
    // A project function that stores its argument.
    if depth >= MAX_DEPTH {
        return false;
    }
    let Some(Resolved::Function(callee)) = cx.semantic.resolve_expr(&call.func, scope) else {
        return false;
    };
    let bound_method =
        matches!(&*call.func, Expr::Attribute(_)) && cx.semantic.scope(callee).receiver.is_some();
    stores_parameter(cx, callee, arg, bound_method, depth + 1)
}

/// Whether the project function `callee` stores the parameter that `arg` binds.
fn stores_parameter(cx: &Cx, callee: ScopeId, arg: &Arg, bound_method: bool, depth: u32) -> bool {
    let semantic = cx.semantic;
    let Some(chain) = find_def(cx.module, semantic.scope(callee).node_range) else {
        return false;
    };
    let Some(Node::Stmt(def_stmt)) = chain.last().copied() else {
        return false;
    };
    let Stmt::FunctionDef(def) = def_stmt else {
        return false;
    };
    let params = &def.parameters;
    let param = match (arg.keyword, arg.position) {
        (Some(k), _) => params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
            .find(|p| p.parameter.name.id.as_str() == k),
        (None, Some(pos)) => params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .nth(pos + usize::from(bound_method)),
        (None, None) => None,
    };
    let Some(param) = param else { return false };
    let name = param.parameter.name.id.as_str();
    let Some(sym) = semantic.symbol_in(callee, name) else {
        return false;
    };
    semantic.uses_of(sym).iter().any(|u| {
        let u = semantic.use_(*u);
        u.kind == UseKind::Load
            && chain_to(def_stmt, u.range, Want::Name)
                .is_some_and(|chain| escapes(cx, &chain, u.range, callee, None, depth))
    })
}

/// The `def` whose range is `range`, with its ancestors (the def last).
fn find_def(module: &ModModule, range: TextRange) -> Option<Vec<Node<'_>>> {
    let mut finder = ChainFinder {
        target: range,
        want: Want::FunctionDef,
        stack: Vec::new(),
        found: None,
    };
    finder.visit_body(&module.body);
    finder.found
}

/// The ancestors of the node at `target` inside `root`, starting with `root`.
fn chain_to(root: &Stmt, target: TextRange, want: Want) -> Option<Vec<Node<'_>>> {
    let mut finder = ChainFinder {
        target,
        want,
        stack: Vec::new(),
        found: None,
    };
    finder.visit_stmt(root);
    finder.found
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Want {
    Name,
    FunctionDef,
}

struct ChainFinder<'a> {
    target: TextRange,
    want: Want,
    stack: Vec<Node<'a>>,
    found: Option<Vec<Node<'a>>>,
}

impl<'a> Visitor<'a> for ChainFinder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || !stmt.range().contains_range(self.target) {
            return;
        }
        if self.want == Want::FunctionDef
            && stmt.range() == self.target
            && matches!(stmt, Stmt::FunctionDef(_))
        {
            let mut chain = self.stack.clone();
            chain.push(Node::Stmt(stmt));
            self.found = Some(chain);
            return;
        }
        self.stack.push(Node::Stmt(stmt));
        visitor::walk_stmt(self, stmt);
        self.stack.pop();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() || !expr.range().contains_range(self.target) {
            return;
        }
        if self.want == Want::Name && expr.range() == self.target && matches!(expr, Expr::Name(_)) {
            self.found = Some(self.stack.clone());
            return;
        }
        self.stack.push(Node::Expr(expr));
        visitor::walk_expr(self, expr);
        self.stack.pop();
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        if self.found.is_some() || !handler.range().contains_range(self.target) {
            return;
        }
        self.stack.push(Node::ExceptHandler(handler));
        visitor::walk_except_handler(self, handler);
        self.stack.pop();
    }
}
