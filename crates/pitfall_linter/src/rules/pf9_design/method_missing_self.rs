//! PF904 `method-missing-self`: a method without its instance parameter, or
//! `self` given to a class or static method.

use pitfall_semantic::{Lookup, PathSegment, ScopeId, ScopeKind, SemanticIndex};
use ruff_python_ast::{Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::inherits;

pub struct MethodMissingSelf;

static META: RuleMeta = rule_meta(
    "PF904",
    "method-missing-self",
    Family::Design,
    Tier::Core,
    FixAvailability::Sometimes,
    &["E0211", "E0213", "C0202", "N805", "N804"],
    "Methods without `self`, or `self`/`cls` confusion on class and static methods.",
);

/// How a method is called, from its decorators.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Binding {
    Instance,
    Class,
    Static,
}

impl Rule for MethodMissingSelf {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        let semantic = checker.semantic();
        let class = checker.scope();
        if semantic.scope(class).kind != ScopeKind::Class
            || matches!(
                def.name.as_str(),
                "__new__" | "__init_subclass__" | "__class_getitem__"
            )
        {
            return;
        }
        // Resolving the bases is the costly test: asked only of a finding.
        let metaclass = || is_metaclass(semantic, class);
        let Some(scope) = checker.scope_of_node(def.range) else {
            return;
        };
        let Some(kind) = calling_convention(semantic, scope) else {
            return;
        };
        let params = &def.parameters;
        let first = params.posonlyargs.iter().chain(&params.args).next();
        let name = def.name.as_str();
        match (kind, first) {
            (Binding::Static, Some(p)) if p.name().as_str() == "self" && !metaclass() => {
                checker
                    .report(
                        format!("Static method `{name}` takes `self` as its first parameter, but a static method is passed no instance"),
                        p.range(),
                    )
                    .help("drop `@staticmethod` if it needs the instance, or rename the parameter");
            }
            (Binding::Class, Some(p)) if p.name().as_str() == "self" && !metaclass() => {
                checker
                    .report(
                        format!("Class method `{name}` names its first parameter `self`, but it receives the class"),
                        p.range(),
                    )
                    .help("call it `cls`, or drop `@classmethod` if it needs the instance");
            }
            (Binding::Instance | Binding::Class, None)
                if params.vararg.is_none() && !metaclass() =>
            {
                let receives = if kind == Binding::Class {
                    "the class"
                } else {
                    "the instance"
                };
                let parameter = if kind == Binding::Class {
                    "cls"
                } else {
                    "self"
                };
                let insert = params.range.start() + TextSize::new(1);
                let content = if params.is_empty() {
                    parameter.to_string()
                } else {
                    format!("{parameter}, ")
                };
                checker
                    .report(
                        format!("Method `{name}` has no positional parameter, but Python passes it {receives}: calling it raises `TypeError`"),
                        def.name.range,
                    )
                    .help(format!("add `{parameter}` as the first parameter (or mark it `@staticmethod`)"))
                    .fix(Fix {
                        message: format!("Insert `{parameter}` as the first parameter"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            range: TextRange::empty(insert),
                            content,
                        }],
                    });
            }
            _ => {
                if kind == Binding::Instance
                    && !has_parameter_named(def, "self")
                    && reads_unbound_self(semantic, scope)
                    && !metaclass()
                {
                    checker
                        .report(
                            format!("Method `{name}` reads `self`, but none of its parameters is called `self`: the read raises `NameError`"),
                            def.name.range,
                        )
                        .help("name the first parameter `self`");
                }
            }
        }
    }
}

/// The calling convention the decorators give; `None` when a decorator
/// other than the well-known ones may change it.
fn calling_convention(semantic: &SemanticIndex, function: ScopeId) -> Option<Binding> {
    let mut kind = Binding::Instance;
    let scope = semantic.scope(function);
    for d in &scope.decorators {
        let callee = d.callee();
        // `@name.setter`, `@name.getter`, `@name.deleter` of a property.
        if let [PathSegment::Attr(attr)] = &callee.segments[..] {
            if matches!(attr.as_str(), "setter" | "getter" | "deleter")
                && !matches!(
                    semantic.lookup(callee.scope, &callee.root, callee.offset),
                    Lookup::Unbound
                )
            {
                continue;
            }
        }
        let resolved = semantic.resolve_path(&callee, 0)?;
        match resolved.qualified()? {
            "builtins.staticmethod" | "abc.abstractstaticmethod" => kind = Binding::Static,
            "builtins.classmethod" | "abc.abstractclassmethod" => kind = Binding::Class,
            "builtins.property"
            | "abc.abstractmethod"
            | "abc.abstractproperty"
            | "functools.cached_property"
            | "typing.override"
            | "typing_extensions.override" => {}
            _ => return None,
        }
    }
    Some(kind)
}

/// A class deriving from `type` (directly, through `abc.ABCMeta` or
/// `enum.EnumMeta`, or through a metaclass of this file).
fn is_metaclass(semantic: &SemanticIndex, class: ScopeId) -> bool {
    let metaclass_base = |q: &str| {
        matches!(
            q,
            "builtins.type" | "abc.ABCMeta" | "enum.EnumMeta" | "enum.EnumType"
        )
    };
    inherits(semantic, class, &metaclass_base, &|_| false)
}

fn has_parameter_named(def: &StmtFunctionDef, name: &str) -> bool {
    def.parameters.iter().any(|p| p.name().as_str() == name)
}

/// The function (or a lambda, comprehension or function inside it) reads
/// `self`, which no enclosing scope binds.
fn reads_unbound_self(semantic: &SemanticIndex, function: ScopeId) -> bool {
    let mut stack = vec![function];
    while let Some(scope) = stack.pop() {
        if let Some(symbol) = semantic.symbol_in(scope, "self") {
            if let Some(&first) = semantic.uses_of(symbol).first() {
                let at = semantic.use_(first).range.start();
                if semantic.lookup(scope, "self", at) == Lookup::Unbound {
                    return true;
                }
                // Bound here or outside: nested scopes see the same `self`.
                continue;
            }
        }
        stack.extend(semantic.children(scope).iter().copied());
    }
    false
}
