//! PF403 `mutable-class-attribute`: a mutable class attribute mutated through `self` is shared by all instances.

use pitfall_semantic::{
    stack, PathSegment, Resolved, ScopeId, ScopeKind, SemanticIndex, ValuePath,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Operator, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::Related;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{
    container_of, inherits, is_classvar_annotation, is_dataclass_like, mutable_value, stmt_at,
    Container,
};

pub struct MutableClassAttribute;

static META: RuleMeta = rule_meta(
    "PF403",
    "mutable-class-attribute",
    Family::Functions,
    Tier::Core,
    FixAvailability::None,
    &["RUF012"],
    "A mutable class attribute mutated through `self` is shared by all instances.",
);

/// Methods of lists, dicts, sets and deques that change the object in place.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "add",
    "discard",
    "update",
    "setdefault",
    "popitem",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "appendleft",
    "extendleft",
    "popleft",
    "rotate",
];

/// Base classes whose class-body attributes are per-instance fields or constants.
const FIELD_CLASS_BASES: &[&str] = &[
    "typing.NamedTuple",
    "typing_extensions.NamedTuple",
    "typing.TypedDict",
    "typing_extensions.TypedDict",
    "typing.Protocol",
    "typing_extensions.Protocol",
];

/// Libraries whose model classes copy class-level defaults per instance.
const MODEL_LIBRARIES: &[&str] = &["pydantic", "enum", "django", "msgspec", "attrs", "attr"];

impl Rule for MutableClassAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::ClassDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::ClassDef(class) = stmt else { return };
        let candidates = candidates(checker, class);
        if candidates.is_empty() {
            return;
        }
        let semantic = checker.semantic();
        let Some(scope) = checker.scope_of_node(class.range) else {
            return;
        };
        if is_dataclass_like(semantic, scope) || is_field_class(semantic, scope) {
            return;
        }
        // The class and its subclasses in this file: their methods see the attribute through `self`.
        let mut classes: Vec<&ast::StmtClassDef> = vec![class];
        for sub in subclasses(semantic, scope) {
            if let Some(Stmt::ClassDef(def)) =
                stmt_at(checker.module(), semantic.scope(sub).node_range)
            {
                classes.push(def);
            }
        }
        for candidate in candidates {
            if init_assigns(class, candidate.name) {
                continue;
            }
            let mutation = classes.iter().find_map(|c| {
                if c.range != class.range && init_assigns(c, candidate.name) {
                    return None;
                }
                find_mutation(checker.source(), c, candidate.name, candidate.container)
                    .map(|(method, range)| (c.name.id.as_str(), method, range))
            });
            let Some((owner, method, range)) = mutation else {
                continue;
            };
            let name = candidate.name;
            let class_name = &class.name.id;
            checker
                .report(
                    format!("Class attribute `{name}` ({}) is one object shared by every instance of `{class_name}`, and `{owner}.{method}` mutates it through `self`", candidate.what),
                    candidate.range,
                )
                .help(format!("create it per instance in `__init__` (`self.{name} = ...`), or annotate it `ClassVar` and mutate it through the class if sharing is intended"))
                .related(vec![Related {
                    path: None,
                    range,
                    message: format!("`self.{name}` is mutated here"),
                }]);
        }
    }
}

struct Candidate<'a> {
    name: &'a str,
    range: TextRange,
    what: &'static str,
    container: Option<Container>,
}

/// Class-body bindings to a mutable value (not `ClassVar`).
fn candidates<'a>(checker: &Checker, class: &'a ast::StmtClassDef) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    for stmt in &class.body {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
            Stmt::AnnAssign(a) => match &a.value {
                Some(v) if !is_classvar_annotation(checker, &a.annotation) => (&*a.target, &**v),
                _ => continue,
            },
            _ => continue,
        };
        let Expr::Name(name) = target else { continue };
        if !matches!(
            value,
            Expr::List(_)
                | Expr::Dict(_)
                | Expr::Set(_)
                | Expr::ListComp(_)
                | Expr::DictComp(_)
                | Expr::SetComp(_)
                | Expr::Call(_)
        ) {
            continue;
        }
        let Some(what) = mutable_value(checker, value, &[]) else {
            continue;
        };
        let container = container_of(checker, value);
        let what = match container {
            Some(Container::List) => "a list",
            Some(Container::Dict) => "a dict",
            Some(Container::Set) => "a set",
            None if what == "instance of a project class" => "an instance of a project class",
            None => "a mutable object",
        };
        out.push(Candidate {
            name: name.id.as_str(),
            range: name.range,
            what,
            container,
        });
    }
    out
}

/// Dataclass-like models, enums, `NamedTuple`, `TypedDict`, `Protocol`
/// (also through bases in this file).
fn is_field_class(semantic: &SemanticIndex, class: ScopeId) -> bool {
    let field_base = |q: &str| {
        let top = q.split('.').next().unwrap_or("");
        FIELD_CLASS_BASES.contains(&q) || MODEL_LIBRARIES.contains(&top)
    };
    inherits(semantic, class, &field_base, &|base| {
        is_dataclass_like(semantic, base)
    })
}

/// Classes of this file deriving from `class`, directly or not. A base is
/// resolved only when its last name is the name of a class already found.
fn subclasses(semantic: &SemanticIndex, class: ScopeId) -> Vec<ScopeId> {
    let last_name = |base: &ValuePath| match base.segments.last() {
        Some(PathSegment::Attr(a)) => Some(a.clone()),
        Some(PathSegment::Call) => None,
        None => Some(base.root.clone()),
    };
    let mut found: Vec<ScopeId> = Vec::new();
    let mut frontier = vec![class];
    for _ in 0..8 {
        let names: Vec<_> = frontier
            .iter()
            .filter_map(|f| semantic.scope(*f).name.clone())
            .collect();
        let next: Vec<ScopeId> = semantic
            .scope_ids()
            .filter(|s| {
                let scope = semantic.scope(*s);
                scope.kind == ScopeKind::Class
                    && *s != class
                    && !found.contains(s)
                    && scope.bases.iter().any(|base| {
                        last_name(base).is_some_and(|n| names.contains(&n))
                            && matches!(semantic.resolve_path(base, 0),
                                Some(Resolved::Class(b)) if frontier.contains(&b))
                    })
            })
            .collect();
        if next.is_empty() {
            break;
        }
        found.extend(&next);
        frontier = next;
    }
    found
}

/// `__init__` assigns `self.<name> = ...` unconditionally (at its top level),
/// so the instance attribute hides the class one.
fn init_assigns(class: &ast::StmtClassDef, name: &str) -> bool {
    class.body.iter().any(|s| match s {
        Stmt::FunctionDef(init) if init.name.id.as_str() == "__init__" => {
            let Some(receiver) = receiver(init) else {
                return false;
            };
            init.body.iter().any(|s| {
                let targets: Vec<&Expr> = match s {
                    Stmt::Assign(a) => a.targets.iter().collect(),
                    Stmt::AnnAssign(a) => vec![&*a.target],
                    _ => return false,
                };
                targets.iter().any(|t| is_self_attr(t, receiver, name))
            })
        }
        _ => false,
    })
}

/// The instance receiver of a plain method.
fn receiver(def: &ast::StmtFunctionDef) -> Option<&str> {
    let plain = def.decorator_list.iter().all(|d| {
        let callee = match &d.expression {
            Expr::Call(c) => &*c.func,
            e => e,
        };
        !matches!(
            crate::rules::common::last_segment(callee),
            Some("staticmethod" | "classmethod")
        )
    });
    if !plain
        || matches!(
            def.name.id.as_str(),
            "__new__" | "__init_subclass__" | "__class_getitem__"
        )
    {
        return None;
    }
    let params = &def.parameters;
    params
        .posonlyargs
        .first()
        .or_else(|| params.args.first())
        .map(|p| p.parameter.name.id.as_str())
}

fn is_self_attr(expr: &Expr, receiver: &str, name: &str) -> bool {
    matches!(expr, Expr::Attribute(a)
        if a.attr.id.as_str() == name
            && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == receiver))
}

/// The first method of `class` that mutates `self.<name>` in place.
fn find_mutation<'a>(
    source: &str,
    class: &'a ast::StmtClassDef,
    name: &str,
    container: Option<Container>,
) -> Option<(&'a str, TextRange)> {
    class.body.iter().find_map(|s| {
        let Stmt::FunctionDef(method) = s else {
            return None;
        };
        let receiver = receiver(method)?;
        // `self.<name>` is spelled out in the method's text (or hides behind
        // a non-ASCII spelling that normalizes to it): skip the walks otherwise.
        let text = source.get(method.range.to_std_range()).unwrap_or_default();
        if text.is_ascii() && memchr::memmem::find(text.as_bytes(), name.as_bytes()).is_none() {
            return None;
        }
        // A method that rebinds `self.<name>` may be mutating its own instance attribute.
        if assigns_self_attr(&method.body, receiver, name) {
            return None;
        }
        let mut finder = FindMutation {
            receiver,
            name,
            container,
            found: None,
        };
        finder.visit_body(&method.body);
        finder.found.map(|r| (method.name.id.as_str(), r))
    })
}

/// `self.<name> = ...` anywhere in a method body.
fn assigns_self_attr(body: &[Stmt], receiver: &str, name: &str) -> bool {
    struct Assigns<'n> {
        receiver: &'n str,
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Assigns<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found || matches!(stmt, Stmt::ClassDef(_) | Stmt::FunctionDef(_)) {
                return;
            }
            let targets: &[Expr] = match stmt {
                Stmt::Assign(a) => &a.targets,
                Stmt::AnnAssign(a) => std::slice::from_ref(&*a.target),
                _ => &[],
            };
            if targets
                .iter()
                .any(|t| is_self_attr(t, self.receiver, self.name))
            {
                self.found = true;
                return;
            }
            stack::guarded(|| visitor::walk_stmt(self, stmt));
        }
    }
    let mut assigns = Assigns {
        receiver,
        name,
        found: false,
    };
    assigns.visit_body(body);
    assigns.found
}

struct FindMutation<'n> {
    receiver: &'n str,
    name: &'n str,
    container: Option<Container>,
    found: Option<TextRange>,
}

impl FindMutation<'_> {
    fn is_target(&self, expr: &Expr) -> bool {
        is_self_attr(expr, self.receiver, self.name)
    }

    /// `self.<name>[k]` (also sliced).
    fn is_item_of_target(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Subscript(s) if self.is_target(&s.value))
    }
}

impl<'a> Visitor<'a> for FindMutation<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || matches!(stmt, Stmt::ClassDef(_)) {
            return;
        }
        match stmt {
            Stmt::Assign(a) if a.targets.iter().any(|t| self.is_item_of_target(t)) => {
                self.found = Some(a.range);
                return;
            }
            Stmt::AugAssign(a)
                if self.is_item_of_target(&a.target)
                    || self.is_target(&a.target) && in_place(a.op, self.container) =>
            {
                self.found = Some(a.range);
                return;
            }
            Stmt::Delete(d) if d.targets.iter().any(|t| self.is_item_of_target(t)) => {
                self.found = Some(d.range);
                return;
            }
            _ => {}
        }
        stack::guarded(|| visitor::walk_stmt(self, stmt));
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(method) = &*call.func {
                if MUTATING_METHODS.contains(&method.attr.id.as_str())
                    && self.is_target(&method.value)
                {
                    self.found = Some(call.range());
                    return;
                }
            }
        }
        stack::guarded(|| visitor::walk_expr(self, expr));
    }
}

/// `self.x += ...` changes a list, set or dict in place (it rebinds other values).
fn in_place(op: Operator, container: Option<Container>) -> bool {
    match container {
        Some(Container::List) => matches!(op, Operator::Add | Operator::Mult),
        Some(Container::Set) => matches!(
            op,
            Operator::BitOr | Operator::BitAnd | Operator::BitXor | Operator::Sub
        ),
        Some(Container::Dict) => op == Operator::BitOr,
        None => false,
    }
}
