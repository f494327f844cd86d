//! PF406 `mutation-during-iteration`: a collection grows or shrinks inside a loop over it.

use pitfall_semantic::Resolved;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{is_builtin, known_container, next_statement, Container, MUTABLE_CALLS};

pub struct MutationDuringIteration;

static META: RuleMeta = rule_meta(
    "PF406",
    "mutation-during-iteration",
    Family::Functions,
    Tier::Core,
    FixAvailability::None,
    &["B909", "PLE4703", "W4701", "E4702"],
    "A collection grows or shrinks inside a loop over it.",
);

/// Methods that change the size of a list, dict, set or deque.
const SIZE_CHANGING: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "add",
    "discard",
    "update",
    "popitem",
    "setdefault",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "appendleft",
    "extendleft",
    "popleft",
];

impl Rule for MutationDuringIteration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .call_names(&[SIZE_CHANGING])
            .stmt(StmtKind::Delete)
            .stmt(StmtKind::Assign)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Expr::Attribute(method) = &*call.func else {
            return;
        };
        let name = method.attr.id.as_str();
        if !SIZE_CHANGING.contains(&name) || !is_path(&method.value) {
            return;
        }
        let Some(stmt_index) = checker
            .parents()
            .iter()
            .rposition(|n| matches!(n, Node::Stmt(_)))
        else {
            return;
        };
        let Node::Stmt(stmt) = checker.parents()[stmt_index] else {
            return;
        };
        check_site(
            checker,
            &method.value,
            stmt,
            stmt_index,
            call.range(),
            &format!("`.{name}()`"),
            None,
        );
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let depth = checker.parents().len();
        match stmt {
            Stmt::Delete(del) => {
                for target in &del.targets {
                    if let Expr::Subscript(sub) = target {
                        if is_path(&sub.value) {
                            check_site(
                                checker,
                                &sub.value,
                                stmt,
                                depth,
                                del.range,
                                "`del ...[...]`",
                                None,
                            );
                        }
                    }
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    let Expr::Subscript(sub) = target else {
                        continue;
                    };
                    if !is_path(&sub.value) {
                        continue;
                    }
                    if matches!(&*sub.slice, Expr::Slice(_)) {
                        if same_length_replacement(sub, &assign.value) {
                            continue;
                        }
                        check_site(
                            checker,
                            &sub.value,
                            stmt,
                            depth,
                            assign.range,
                            "slice assignment",
                            None,
                        );
                    } else {
                        // Whether it is a dict is asked once a loop over it is found.
                        check_site(
                            checker,
                            &sub.value,
                            stmt,
                            depth,
                            assign.range,
                            "a new key",
                            Some(&sub.slice),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// A name or an attribute chain of names: `items`, `self.items`, `a.b.c`.
fn is_path(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) => true,
        Expr::Attribute(a) => is_path(&a.value),
        _ => false,
    }
}

fn same_path(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Name(x), Expr::Name(y)) => x.id == y.id,
        (Expr::Attribute(x), Expr::Attribute(y)) => {
            x.attr.id == y.attr.id && same_path(&x.value, &y.value)
        }
        _ => false,
    }
}

fn root_name(expr: &Expr) -> Option<&ast::ExprName> {
    match expr {
        Expr::Name(n) => Some(n),
        Expr::Attribute(a) => root_name(&a.value),
        _ => None,
    }
}

/// What a `for` loop walks: `X`, `X.keys()`, `X.values()`, `X.items()`,
/// `enumerate(X)`, `reversed(X)`, `zip(X, ...)`; with which key is current.
fn iterated<'a>(checker: &Checker, for_: &'a ast::StmtFor, receiver: &Expr) -> Option<Walk<'a>> {
    let iter = &*for_.iter;
    if same_path(iter, receiver) {
        return Some(Walk {
            key: simple_target(&for_.target),
            values_only: false,
        });
    }
    let Expr::Call(call) = iter else { return None };
    let args = &call.arguments.args;
    match &*call.func {
        Expr::Attribute(a) if call.arguments.is_empty() && same_path(&a.value, receiver) => {
            match a.attr.id.as_str() {
                "keys" => Some(Walk {
                    key: simple_target(&for_.target),
                    values_only: false,
                }),
                "items" => Some(Walk {
                    key: match &*for_.target {
                        Expr::Tuple(t) => t.elts.first().and_then(simple_name),
                        _ => None,
                    },
                    values_only: false,
                }),
                "values" => Some(Walk {
                    key: None,
                    values_only: true,
                }),
                _ => None,
            }
        }
        func @ Expr::Name(n) => {
            let hit = match n.id.as_str() {
                "enumerate" | "reversed" => args.first().is_some_and(|a| same_path(a, receiver)),
                "zip" => args.iter().any(|a| same_path(a, receiver)),
                _ => false,
            };
            (hit && is_builtin(checker, func, n.id.as_str())).then_some(Walk {
                key: None,
                values_only: false,
            })
        }
        _ => None,
    }
}

struct Walk<'a> {
    /// The loop variable that holds the current key, if any.
    key: Option<&'a str>,
    /// `for v in d.values()`: no key to compare with.
    values_only: bool,
}

fn simple_target(target: &Expr) -> Option<&str> {
    simple_name(target)
}

fn simple_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

/// Reports a size-changing operation on `receiver` (in statement `stmt`,
/// whose ancestors are `parents()[..depth]`) when a loop around it walks the
/// same collection.
fn check_site(
    checker: &mut Checker,
    receiver: &Expr,
    stmt: &Stmt,
    depth: usize,
    range: TextRange,
    what: &str,
    new_key: Option<&Expr>,
) {
    let parents = &checker.parents()[..depth];
    let mut loops_between = 0;
    let mut found = None;
    for (i, node) in parents.iter().enumerate().rev() {
        match node {
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                break
            }
            Node::Stmt(Stmt::For(for_)) => {
                let in_body = for_
                    .body
                    .first()
                    .is_some_and(|s| s.start() <= range.start())
                    && for_.body.last().is_some_and(|s| s.end() >= range.end());
                if in_body {
                    if let Some(walk) = iterated(checker, for_, receiver) {
                        found = Some((i, for_, walk));
                        break;
                    }
                }
                loops_between += 1;
            }
            Node::Stmt(Stmt::While(_)) => loops_between += 1,
            _ => {}
        }
    }
    let Some((loop_index, for_, walk)) = found else {
        return;
    };
    if !is_builtin_collection(checker, receiver) {
        return;
    }
    // Appending to a list while walking it is the worklist idiom (the loop
    // sees the new items); it is a bug on a deque (which raises
    // `RuntimeError`), and an unconditional `append` never lets the loop end.
    if !is_deque(checker, receiver) {
        let unconditional = parents.len() == loop_index + 1;
        match what {
            "`.extend()`" => return,
            "`.append()`" if !unconditional => return,
            _ => {}
        }
    }
    if let Some(key) = new_key {
        if guarded_by_membership(&parents[loop_index..], key, receiver) {
            return;
        }
    }
    if let Some(key) = new_key {
        if known_container(checker, receiver) != Some(Container::Dict) {
            return;
        }
        // `d[k] = v` for the current key replaces a value; after `.values()` there is no key to tell.
        if walk.values_only
            || matches!((key, walk.key), (Expr::Name(k), Some(current)) if k.id.as_str() == current)
        {
            return;
        }
    }
    // Rebound since the loop started: another collection.
    let semantic = checker.semantic();
    if let Some(root) = root_name(receiver) {
        let at_loop = semantic.lookup(checker.scope(), &root.id, for_.start());
        let here = semantic.lookup(checker.scope(), &root.id, range.start());
        if at_loop != here {
            return;
        }
    }
    if leaves_loop(parents, stmt, checker.module(), loop_index, loops_between) {
        return;
    }
    let collection = checker.slice(receiver.range());
    checker
        .report(
            format!("{what} changes the size of `{collection}` while a `for` loop iterates over it: items are skipped or seen twice (a dict or set raises `RuntimeError`)"),
            range,
        )
        .help(format!("iterate over a copy (`for ... in list({collection})`), or build a new collection"));
}

/// After the mutation the iteration does not go on: the statements that run
/// next (in its block, then after the enclosing `if`/`with`/`try`, up to the
/// loop) reach `return`/`raise` (or a `break` of the loop itself) with no
/// `continue` on the way.
fn leaves_loop(
    parents: &[Node],
    stmt: &Stmt,
    module: &ast::ModModule,
    loop_index: usize,
    loops_between: usize,
) -> bool {
    let mut current = stmt;
    let mut level = parents.len();
    loop {
        match current {
            Stmt::Return(_) | Stmt::Raise(_) => return true,
            Stmt::Break(_) => return loops_between == 0,
            Stmt::Continue(_) => return false,
            _ => {}
        }
        if let Some(next) = next_statement(&parents[..level], current, module) {
            current = next;
            continue;
        }
        // End of a block: carry on after the compound statement that holds it.
        let Some(i) = parents[..level]
            .iter()
            .rposition(|n| matches!(n, Node::Stmt(_)))
        else {
            return false;
        };
        let Node::Stmt(parent) = parents[i] else {
            return false;
        };
        if i <= loop_index || matches!(parent, Stmt::For(_) | Stmt::While(_)) {
            // Back at a loop header: the next iteration runs.
            return false;
        }
        current = parent;
        level = i;
    }
}

/// Not known to be something other than a builtin collection: instances of
/// project classes (`self` in a container class) and values built by other
/// calls have their own iteration rules.
fn is_builtin_collection(checker: &Checker, receiver: &Expr) -> bool {
    match checker.resolve(receiver) {
        Some(Resolved::Instance(_) | Resolved::Class(_) | Resolved::Function(_)) => false,
        Some(Resolved::Qualified(q)) => match q.strip_suffix("()") {
            Some(constructor) => MUTABLE_CALLS.contains(&constructor),
            None => true,
        },
        None => true,
    }
}

/// `d[k] = v` under `if k in d:`: the key exists, the size does not change.
fn guarded_by_membership(parents: &[Node], key: &Expr, receiver: &Expr) -> bool {
    parents.iter().any(|n| {
        let Node::Stmt(Stmt::If(i)) = n else {
            return false;
        };
        let mut found = false;
        let mut check = |e: &Expr| {
            if let Expr::Compare(c) = e {
                found |= c.ops.len() == 1
                    && c.ops[0] == ast::CmpOp::In
                    && ast::comparable::ComparableExpr::from(&*c.left)
                        == ast::comparable::ComparableExpr::from(key)
                    && same_path(&c.comparators[0], receiver);
            }
        };
        match &*i.test {
            Expr::BoolOp(b) if b.op == ast::BoolOp::And => b.values.iter().for_each(&mut check),
            other => check(other),
        }
        found
    })
}

/// `xs[i:] = [f(x) for x in xs[i:]]`: a slice replaced by as many items.
fn same_length_replacement(target: &ast::ExprSubscript, value: &Expr) -> bool {
    let Expr::ListComp(comp) = value else {
        return false;
    };
    comp.generators.len() == 1
        && comp.generators[0].ifs.is_empty()
        && ast::comparable::ComparableExpr::from(&comp.generators[0].iter)
            == ast::comparable::ComparableExpr::from(&Expr::Subscript(target.clone()))
}

fn is_deque(checker: &Checker, receiver: &Expr) -> bool {
    matches!(checker.resolve(receiver), Some(Resolved::Qualified(q)) if q == "collections.deque()")
}
