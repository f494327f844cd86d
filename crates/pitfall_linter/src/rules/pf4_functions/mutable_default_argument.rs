//! PF401 `mutable-default-argument`: a mutable default is shared by every call.

use pitfall_semantic::{Resolved, ScopeId, SemanticIndex};
use ruff_python_ast::{self as ast, Expr, Parameters, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};

pub struct MutableDefaultArgument;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "immutable-calls",
        kind: OptionKind::StringList,
        doc: "Qualified names of calls whose result is immutable (never reported).",
    }],
    ..rule_meta(
        "PF401",
        "mutable-default-argument",
        Family::Functions,
        Tier::Core,
        FixAvailability::Unsafe,
        &["B006", "B008", "W0102"],
        "A list/dict/set (or mutable object) default is shared across calls.",
    )
};

const MUTABLE_CALLS: &[&str] = &[
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

impl Rule for MutableDefaultArgument {
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
        if checker.is_stub() || is_overload(checker, def) {
            return;
        }
        check_parameters(checker, &def.parameters);
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        if let Expr::Lambda(lambda) = expr {
            if let Some(params) = &lambda.parameters {
                check_parameters(checker, params);
            }
        }
    }
}

fn is_overload(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        checker
            .qualified_name(&d.expression)
            .is_some_and(|q| matches!(q.as_str(), "typing.overload" | "typing_extensions.overload"))
    })
}

fn check_parameters(checker: &mut Checker, parameters: &Parameters) {
    for p in parameters.iter() {
        let Some(default) = p.default() else { continue };
        let Some(what) = mutable_kind(checker, default) else {
            continue;
        };
        let name = p.name().id.clone();
        checker
            .report(
                format!("Mutable default {what} for parameter `{name}` is created once and shared by every call"),
                default.range(),
            )
            .help(format!(
                "default to `None` and create the value inside the function: `if {name} is None: {name} = ...`"
            ));
    }
}

/// A description of the default if it is mutable.
fn mutable_kind(checker: &Checker, expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::List(_) => Some("list"),
        Expr::Dict(_) => Some("dict"),
        Expr::Set(_) => Some("set"),
        Expr::ListComp(_) => Some("list comprehension"),
        Expr::DictComp(_) => Some("dict comprehension"),
        Expr::SetComp(_) => Some("set comprehension"),
        Expr::Call(call) => {
            let resolved = checker.resolve(&call.func)?;
            match resolved {
                Resolved::Qualified(q) => {
                    if checker.option_strings("immutable-calls").contains(&q) {
                        return None;
                    }
                    MUTABLE_CALLS.contains(&q.as_str()).then_some("object")
                }
                Resolved::Class(class) => {
                    let name = checker.slice(call.func.range()).to_string();
                    if checker.option_strings("immutable-calls").contains(&name)
                        || is_known_immutable_class(checker, class)
                    {
                        return None;
                    }
                    Some("instance of a project class")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Frozen dataclasses and attrs classes, `NamedTuple`s and `Enum`s (and their subclasses here).
fn is_known_immutable_class(checker: &Checker, class: ScopeId) -> bool {
    let semantic = checker.semantic();
    is_immutable(semantic, class, 0)
}

fn is_immutable(semantic: &SemanticIndex, class: ScopeId, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let scope = semantic.scope(class);
    // Decorators were recorded on the class's binding statement: look at the class def.
    let frozen_decorator = class_decorators(semantic, class)
        .into_iter()
        .any(|(q, frozen)| {
            frozen
                && matches!(
                    q.as_str(),
                    "dataclasses.dataclass"
                        | "attr.s"
                        | "attr.attrs"
                        | "attrs.define"
                        | "attrs.frozen"
                        | "attr.frozen"
                        | "attr.define"
                )
                || matches!(q.as_str(), "attrs.frozen" | "attr.frozen")
        });
    if frozen_decorator {
        return true;
    }
    scope
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

/// `(qualified decorator, frozen=True given)` for each decorator of a class.
fn class_decorators(semantic: &SemanticIndex, class: ScopeId) -> Vec<(String, bool)> {
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
