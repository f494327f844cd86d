//! PF908 `self-recursive-attribute-access`: `self.x` inside the hook that
//! handles `self.x` calls the hook again, until `RecursionError`.

use pitfall_semantic::{PathSegment, Resolved, ScopeId, ScopeKind, SemanticIndex};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule};
use crate::rules::common::{enclosing_function, mentions_name};

pub struct SelfRecursiveAttributeAccess;

static META: RuleMeta = rule_meta(
    "PF908",
    "self-recursive-attribute-access",
    Family::Design,
    Tier::Core,
    FixAvailability::None,
    &[],
    "`self.x` inside `__getattribute__`/`__setattr__` or a property of the same name.",
);

/// The hook a method is, as far as this rule cares.
enum Hook<'a> {
    GetAttribute,
    SetAttr,
    PropertyGetter(&'a str),
    PropertySetter(&'a str),
}

impl Rule for SelfRecursiveAttributeAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Attribute)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Attribute(attr) = expr else { return };
        let Expr::Name(receiver) = &*attr.value else {
            return;
        };
        let semantic = checker.semantic();
        let Some(method) = enclosing_method(semantic, checker.scope()) else {
            return;
        };
        let scope = semantic.scope(method);
        let Some((self_name, _)) = &scope.receiver else {
            return;
        };
        if receiver.id != *self_name {
            return;
        }
        // Every hook but `__getattribute__`/`__setattr__` is a property that
        // recurses only through its own name: spare the decorators' resolution.
        let method_name = scope.name.as_ref().map(|n| n.as_str());
        if !matches!(method_name, Some("__getattribute__" | "__setattr__"))
            && method_name != Some(attr.attr.as_str())
        {
            return;
        }
        let Some(hook) = hook_of(semantic, method) else {
            return;
        };
        let name = attr.attr.as_str();
        let guarded = match hook {
            Hook::GetAttribute | Hook::SetAttr => {
                guarded_by_name_test(checker, attr.range)
                    || class_swapped_before(checker, attr.range)
            }
            Hook::PropertyGetter(_) => getter_caches_before(checker, attr.range),
            Hook::PropertySetter(_) => false,
        };
        if guarded {
            return;
        }
        let message = match (&hook, attr.ctx) {
            (Hook::GetAttribute, ExprContext::Load) => format!(
                "`{self_name}.{name}` inside `__getattribute__` calls `__getattribute__` again: infinite recursion"
            ),
            (Hook::SetAttr, ExprContext::Store) => format!(
                "Assigning `{self_name}.{name}` inside `__setattr__` calls `__setattr__` again: infinite recursion"
            ),
            (Hook::PropertyGetter(p), ExprContext::Load) if *p == name => format!(
                "`{self_name}.{name}` inside the `{name}` property calls the property again: infinite recursion"
            ),
            (Hook::PropertySetter(p), ExprContext::Store) if *p == name => format!(
                "Assigning `{self_name}.{name}` inside the `{name}` setter calls the setter again: infinite recursion"
            ),
            _ => return,
        };
        let help = match hook {
            Hook::GetAttribute => {
                "use `object.__getattribute__(self, name)` or `super().__getattribute__(name)`"
            }
            Hook::SetAttr => {
                "use `object.__setattr__(self, name, value)` or `super().__setattr__(name, value)`"
            }
            Hook::PropertyGetter(_) | Hook::PropertySetter(_) => {
                "store the value under another name, e.g. `self._name`"
            }
        };
        checker.report(message, attr.range).help(help);
    }
}

/// The access runs only for some attribute names: it sits in a branch whose
/// test reads the hook's `name` parameter (`if name == "__class__": ...`,
/// `name not in (...) and name in self.__dict__`), so the nested call for
/// this attribute takes another path.
fn guarded_by_name_test(checker: &Checker, access: TextRange) -> bool {
    let parents = checker.parents();
    let Some(def_at) = parents
        .iter()
        .rposition(|n| matches!(n, Node::Stmt(Stmt::FunctionDef(_))))
    else {
        return false;
    };
    let Node::Stmt(Stmt::FunctionDef(def)) = parents[def_at] else {
        return false;
    };
    let Some(param) = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .nth(1)
    else {
        return false;
    };
    let name = param.name().as_str();
    let tests_name = |e: &Expr| mentions_name(std::slice::from_ref(e), name);
    // `if name in (...): return object.__getattribute__(self, name)` before
    // the access: the nested call for a handled name leaves early.
    let early_exit = def
        .body
        .iter()
        .take_while(|s| s.end() <= access.start())
        .any(|s| matches!(s, Stmt::If(i) if tests_name(&i.test) && ends_in_exit(&i.body)));
    early_exit
        || parents[def_at + 1..].iter().any(|node| match node {
            // In an `if`/`elif` chain that dispatches on the name: the
            // access is in a clause at or after one whose test reads it.
            Node::Stmt(Stmt::If(i)) => {
                let mut seen = tests_name(&i.test);
                if i.test.range().contains_range(access)
                    || i.body.iter().any(|s| s.range().contains_range(access))
                {
                    return seen;
                }
                for c in &i.elif_else_clauses {
                    let in_test = c
                        .test
                        .as_ref()
                        .is_some_and(|t| t.range().contains_range(access));
                    if in_test {
                        return seen;
                    }
                    seen = seen || c.test.as_ref().is_some_and(tests_name);
                    if c.body.iter().any(|s| s.range().contains_range(access)) {
                        return seen;
                    }
                }
                false
            }
            Node::Expr(Expr::BoolOp(b)) => {
                let holder = b
                    .values
                    .iter()
                    .position(|v| v.range().contains_range(access));
                holder.is_some_and(|h| mentions_name(&b.values[..h], name))
            }
            Node::Expr(Expr::If(i)) => {
                !i.test.range().contains_range(access) && tests_name(&i.test)
            }
            _ => false,
        })
}

/// The block's last statement leaves the function.
fn ends_in_exit(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

/// A property getter that caches: before the access it stores some
/// `self.<attr>` (`self._client = make()`), so the nested call can return
/// the cached value instead of recursing.
fn getter_caches_before(checker: &Checker, access: TextRange) -> bool {
    let Some(def) = enclosing_function(checker) else {
        return false;
    };
    caches_before(&def.body, access)
}

fn caches_before(body: &[Stmt], access: TextRange) -> bool {
    for stmt in body {
        if stmt.start() >= access.start() {
            return false;
        }
        let stores_attr =
            |targets: &[Expr]| targets.iter().any(|t| matches!(t, Expr::Attribute(_)));
        let before = stmt.end() <= access.start();
        match stmt {
            Stmt::Assign(a) if before && stores_attr(&a.targets) => return true,
            Stmt::AugAssign(a) if before && stores_attr(std::slice::from_ref(&*a.target)) => {
                return true
            }
            Stmt::AnnAssign(a) if before && stores_attr(std::slice::from_ref(&*a.target)) => {
                return true
            }
            _ if !before => {
                // The statement holding the access: look inside it.
                return crate::rules::common::child_bodies(stmt)
                    .into_iter()
                    .any(|b| caches_before(b, access));
            }
            _ => {}
        }
    }
    false
}

/// `self.__class__ = ModuleType` earlier in the method: from then on the
/// hook is no longer the class's (the lazy-module pattern of `importlib.util`).
fn class_swapped_before(checker: &Checker, access: TextRange) -> bool {
    let Some(def) = enclosing_function(checker) else {
        return false;
    };
    def.body
        .iter()
        .take_while(|s| s.end() <= access.start())
        .any(|s| {
            matches!(s, Stmt::Assign(a) if a.targets.iter().any(|t| matches!(
                t,
                Expr::Attribute(at) if at.attr.as_str() == "__class__"
            )))
        })
}

/// The method the code runs in, through lambdas and comprehensions.
fn enclosing_method(semantic: &SemanticIndex, mut scope: ScopeId) -> Option<ScopeId> {
    loop {
        let s = semantic.scope(scope);
        match s.kind {
            ScopeKind::Function { .. } => {
                let parent = s.parent?;
                return (semantic.scope(parent).kind == ScopeKind::Class).then_some(scope);
            }
            ScopeKind::Lambda | ScopeKind::Comprehension => scope = s.parent?,
            _ => return None,
        }
    }
}

fn hook_of(semantic: &SemanticIndex, method: ScopeId) -> Option<Hook<'_>> {
    let scope = semantic.scope(method);
    let name = scope.name.as_ref()?.as_str();
    match name {
        "__getattribute__" => return Some(Hook::GetAttribute),
        "__setattr__" => return Some(Hook::SetAttr),
        _ => {}
    }
    for d in &scope.decorators {
        let callee = d.callee();
        if let [PathSegment::Attr(a)] = &callee.segments[..] {
            if a.as_str() == "setter" && callee.root.as_str() == name {
                return Some(Hook::PropertySetter(name));
            }
        }
        if let Some(Resolved::Qualified(q)) = semantic.resolve_path(&callee, 0) {
            if matches!(
                q.as_str(),
                "builtins.property" | "functools.cached_property"
            ) {
                return Some(Hook::PropertyGetter(name));
            }
        }
    }
    None
}
