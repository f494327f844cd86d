//! PF407 `iterator-reused`: a one-shot iterator (generator, `map`, file, ...) is consumed twice.

use pitfall_semantic::{BindingKind, Lookup, Resolved};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::Related;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{
    ancestors_of, is_builtin, last_segment, position_in, position_in_handler,
};

pub struct IteratorReused;

static META: RuleMeta = rule_meta(
    "PF407",
    "iterator-reused",
    Family::Functions,
    Tier::Core,
    FixAvailability::None,
    &["B031"],
    "A one-shot iterator (generator, `map`, file, ...) is consumed twice.",
);

/// Last names of calls that may return a one-shot iterator (resolved before use).
const ONE_SHOT_NAMES: &[&str] = &[
    "iter",
    "map",
    "filter",
    "zip",
    "enumerate",
    "reversed",
    "open",
    "chain",
    "from_iterable",
    "islice",
    "groupby",
    "product",
    "permutations",
    "combinations",
    "combinations_with_replacement",
    "accumulate",
    "compress",
    "dropwhile",
    "takewhile",
    "filterfalse",
    "starmap",
    "zip_longest",
    "pairwise",
    "batched",
    "reader",
    "DictReader",
    "finditer",
    "scandir",
];

const ONE_SHOT_CALLS: &[&str] = &[
    "builtins.iter",
    "builtins.map",
    "builtins.filter",
    "builtins.zip",
    "builtins.enumerate",
    "builtins.reversed",
    "builtins.open",
    "io.open",
    "itertools.chain",
    "itertools.chain.from_iterable",
    "itertools.islice",
    "itertools.groupby",
    "itertools.product",
    "itertools.permutations",
    "itertools.combinations",
    "itertools.combinations_with_replacement",
    "itertools.accumulate",
    "itertools.compress",
    "itertools.dropwhile",
    "itertools.takewhile",
    "itertools.filterfalse",
    "itertools.starmap",
    "itertools.zip_longest",
    "itertools.pairwise",
    "itertools.batched",
    "csv.reader",
    "csv.DictReader",
    "re.finditer",
    "os.scandir",
];

/// Builtins that read an iterable to its end.
const FULL_CONSUMERS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sorted",
    "sum",
    "min",
    "max",
];

impl Rule for IteratorReused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Assign).stmt(StmtKind::With)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        if !checker
            .semantic()
            .scope(checker.scope())
            .kind
            .is_function_like()
        {
            return;
        }
        match stmt {
            Stmt::Assign(assign) => {
                let [Expr::Name(name)] = &assign.targets[..] else {
                    return;
                };
                if let Some(what) = one_shot(checker, &assign.value) {
                    check_binding(checker, name, what, stmt.range());
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    let Some(Expr::Name(name)) = item.optional_vars.as_deref() else {
                        continue;
                    };
                    if let Some(what @ "file object") = one_shot(checker, &item.context_expr) {
                        check_binding(checker, name, what, item.range());
                    }
                }
            }
            _ => {}
        }
    }
}

/// What makes the value single-pass, if it is.
fn one_shot(checker: &Checker, value: &Expr) -> Option<&'static str> {
    match value {
        Expr::Generator(_) => Some("generator expression"),
        Expr::Call(call) => {
            let last = last_segment(&call.func)?;
            let known = ONE_SHOT_NAMES.contains(&last);
            if !known && !is_local_function(checker, &call.func) {
                return None;
            }
            match checker.resolve(&call.func)? {
                Resolved::Qualified(q) if known && ONE_SHOT_CALLS.contains(&q.as_str()) => {
                    Some(if last == "open" {
                        "file object"
                    } else {
                        "one-shot iterator"
                    })
                }
                Resolved::Function(f) if checker.semantic().scope(f).is_generator => {
                    Some("generator")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A bare name bound by a `def` (a generator function is one of those).
fn is_local_function(checker: &Checker, func: &Expr) -> bool {
    let Expr::Name(n) = func else { return false };
    let semantic = checker.semantic();
    matches!(semantic.lookup(checker.scope(), &n.id, n.start()),
        Lookup::Binding(b) if matches!(semantic.binding(b).kind, BindingKind::FunctionDef { .. }))
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Consumption {
    Full,
    Partial,
    Other,
}

fn check_binding(checker: &mut Checker, name: &ast::ExprName, what: &str, binding_stmt: TextRange) {
    let semantic = checker.semantic();
    let scope = checker.scope();
    let Some(symbol) = semantic.symbol_in(scope, &name.id) else {
        return;
    };
    if symbol.bindings.len() != 1 || !symbol.is_local() {
        return;
    }
    let module = checker.module();
    let mut first: Option<(TextRange, Vec<Node>)> = None;
    for u in &symbol.uses {
        let u = semantic.use_(*u);
        if u.scope != scope || u.range.start() < binding_stmt.end() {
            continue;
        }
        let path = ancestors_of(module, u.range);
        if consumption(checker, &path, u.range) != Consumption::Full {
            continue;
        }
        // Inside a loop over the same iterator: deliberate stepping (an
        // inner loop that takes the rest, as a tokenizer does).
        if path
            .iter()
            .rev()
            .skip(2)
            .any(|n| matches!(n, Node::Stmt(Stmt::For(f)) if iterates_name(&f.iter, &name.id)))
        {
            continue;
        }
        if let Some(repeat) = enclosing_loop(&path, binding_stmt) {
            report(checker, name, what, u.range, None, Some(repeat));
            return;
        }
        match &first {
            None => first = Some((u.range, path)),
            Some((earlier, earlier_path)) => {
                if same_path(earlier_path, &path) {
                    let earlier = *earlier;
                    report(checker, name, what, u.range, Some(earlier), None);
                    return;
                }
            }
        }
    }
}

fn report(
    checker: &mut Checker,
    name: &ast::ExprName,
    what: &str,
    range: TextRange,
    earlier: Option<TextRange>,
    in_loop: Option<TextRange>,
) {
    let id = &name.id;
    let (message, related) = match (earlier, in_loop) {
        (Some(earlier), _) => (
            format!("`{id}` is a {what}, already consumed on line {}: this second pass sees nothing", checker.line_of(earlier.start())),
            Related { path: None, range: earlier, message: format!("`{id}` is consumed here first") },
        ),
        (None, Some(loop_range)) => (
            format!("`{id}` is a {what} consumed inside a loop: only the first iteration sees its items"),
            Related { path: None, range: loop_range, message: "the loop that repeats the consumption".to_string() },
        ),
        (None, None) => return,
    };
    checker
        .report(message, range)
        .help(format!(
            "materialise it once (`{id} = list(...)`) or create a new iterator for each pass"
        ))
        .related(vec![related]);
}

/// How the use at the end of `path` consumes the iterator.
fn consumption(checker: &Checker, path: &[Node], use_range: TextRange) -> Consumption {
    let n = path.len();
    if n < 2 {
        return Consumption::Other;
    }
    match path[n - 2] {
        Node::Stmt(Stmt::For(for_)) if for_.iter.range() == use_range => {
            if breaks(&for_.body) {
                Consumption::Partial
            } else {
                Consumption::Full
            }
        }
        Node::Stmt(Stmt::Assign(a))
            if a.value.range() == use_range
                && a.targets
                    .iter()
                    .any(|t| matches!(t, Expr::Tuple(_) | Expr::List(_))) =>
        {
            Consumption::Full
        }
        Node::Expr(Expr::Starred(_)) | Node::Expr(Expr::YieldFrom(_)) => Consumption::Full,
        Node::Expr(Expr::ListComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::SetComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::DictComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::Generator(g)) if g.generators[0].iter.range() == use_range => {
            // A generator over it consumes it as far as its own consumer does.
            match n.checked_sub(3).map(|i| path[i]) {
                Some(Node::Expr(Expr::Call(call))) => call_consumption(checker, call, g.range),
                _ => Consumption::Other,
            }
        }
        Node::Expr(Expr::Call(call)) => call_consumption(checker, call, use_range),
        _ => Consumption::Other,
    }
}

fn call_consumption(checker: &Checker, call: &ast::ExprCall, arg: TextRange) -> Consumption {
    if !call.arguments.args.iter().any(|a| a.range() == arg) {
        return Consumption::Other;
    }
    match &*call.func {
        Expr::Name(n) => {
            let name = n.id.as_str();
            if FULL_CONSUMERS.contains(&name) && is_builtin(checker, &call.func, name) {
                Consumption::Full
            } else if matches!(name, "next" | "any" | "all") {
                Consumption::Partial
            } else if name == "Counter"
                && checker.qualified_name(&call.func).as_deref() == Some("collections.Counter")
            {
                Consumption::Full
            } else {
                Consumption::Other
            }
        }
        Expr::Attribute(a) if a.attr.id.as_str() == "join" => Consumption::Full,
        Expr::Attribute(a) if a.attr.id.as_str() == "Counter" => {
            if checker.qualified_name(&call.func).as_deref() == Some("collections.Counter") {
                Consumption::Full
            } else {
                Consumption::Other
            }
        }
        _ => Consumption::Other,
    }
}

/// A `break` of this loop (not of a nested one, not in a nested function).
fn breaks(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Break(_) => true,
        Stmt::If(i) => breaks(&i.body) || i.elif_else_clauses.iter().any(|c| breaks(&c.body)),
        Stmt::With(w) => breaks(&w.body),
        Stmt::Try(t) => {
            breaks(&t.body)
                || breaks(&t.orelse)
                || breaks(&t.finalbody)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    breaks(&h.body)
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| breaks(&c.body)),
        _ => false,
    })
}

/// `for x in it`, `for i, x in enumerate(it)`, `for a, b in zip(it, ...)`.
fn iterates_name(iter: &Expr, name: &str) -> bool {
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == name);
    match iter {
        Expr::Call(call) => call.arguments.args.iter().any(is_name),
        other => is_name(other),
    }
}

/// A loop of the function around the use that does not also hold the
/// binding, and that the use does not leave (`yield list(it); return`).
fn enclosing_loop(path: &[Node], binding: TextRange) -> Option<TextRange> {
    for (i, node) in path.iter().enumerate().rev().skip(1) {
        match node {
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                return None
            }
            Node::Stmt(s @ (Stmt::For(_) | Stmt::While(_))) => {
                if s.range().contains_range(binding) {
                    return None;
                }
                // The loop's own iterable is evaluated once.
                if let Stmt::For(f) = s {
                    if f.iter.range().contains_range(path[path.len() - 1].range()) {
                        continue;
                    }
                }
                if leaves_after(&path[i..]) {
                    return None;
                }
                return Some(s.range());
            }
            _ => {}
        }
    }
    None
}

/// Whether the second use runs after the first on some path: they are not in
/// different branches of one `if`/`try`/`match`, and the first's block does
/// not leave (return, raise, break, continue) right after it.
fn same_path<'a>(first: &[Node<'a>], second: &[Node<'a>]) -> bool {
    // The deepest statement containing both.
    let common = first
        .iter()
        .zip(second.iter())
        .take_while(|(a, b)| a.range() == b.range())
        .count();
    if common == 0 {
        return true;
    }
    // The statements right below the common ancestor, on each side.
    let below = |path: &[Node<'a>]| -> Option<&'a Stmt> {
        path[common..].iter().find_map(|n| match n {
            Node::Stmt(s) => Some(*s),
            _ => None,
        })
    };
    let (Some(a), Some(b)) = (below(first), below(second)) else {
        return true;
    };
    let container = first[..common]
        .iter()
        .rev()
        .find(|n| !matches!(n, Node::Expr(_)));
    let block_of = |s: &Stmt| match container {
        Some(Node::Stmt(parent)) => position_in(parent, s).map(|(body, _)| body.as_ptr()),
        Some(Node::ExceptHandler(h)) => position_in_handler(h, s).map(|(body, _)| body.as_ptr()),
        _ => None,
    };
    if let (Some(Node::Stmt(Stmt::If(_) | Stmt::Try(_) | Stmt::Match(_))), Some(x), Some(y)) =
        (container, block_of(a), block_of(b))
    {
        if x != y {
            return false;
        }
    }
    // After the first use, does its branch leave before reaching the second?
    !leaves_after(&first[common..])
}

/// Some statement on the way down from the common ancestor to the first use
/// is, or is followed in its block by, a jump.
fn leaves_after(below: &[Node]) -> bool {
    let stmts: Vec<&Stmt> = below
        .iter()
        .filter_map(|n| match n {
            Node::Stmt(s) => Some(*s),
            _ => None,
        })
        .collect();
    for pair in stmts.windows(2) {
        let (parent, child) = (pair[0], pair[1]);
        if let Some((body, i)) = position_in(parent, child) {
            if body[i..].iter().any(|s| {
                matches!(
                    s,
                    Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
                )
            }) {
                return true;
            }
        }
    }
    stmts
        .last()
        .is_some_and(|s| matches!(s, Stmt::Return(_) | Stmt::Raise(_)))
}
