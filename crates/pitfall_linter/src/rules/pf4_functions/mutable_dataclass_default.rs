//! PF402 `mutable-dataclass-default`: a mutable dataclass/attrs field default shared by every instance.

use pitfall_semantic::{BindingKind, Lookup, ScopeId, SemanticIndex};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{
    class_decorators, is_classvar_annotation, is_dataclass_like, mutable_display, mutable_value,
};

pub struct MutableDataclassDefault;

static META: RuleMeta = rule_meta(
    "PF402",
    "mutable-dataclass-default",
    Family::Functions,
    Tier::Core,
    FixAvailability::Sometimes,
    &["RUF008", "RUF009"],
    "Dataclass/attrs field defaults that are mutable instead of `default_factory`.",
);

/// `field(...)` calls whose `default=` is the field's default.
const FIELD_CALLS: &[&str] = &[
    "dataclasses.field",
    "attrs.field",
    "attr.ib",
    "attr.attrib",
    "attr.field",
];

/// Calls whose result is immutable (or a fresh value per class, not shared state).
const IMMUTABLE_CALLS: &[&str] = &[
    "builtins.frozenset",
    "builtins.tuple",
    "builtins.str",
    "builtins.bytes",
    "builtins.int",
    "builtins.float",
    "builtins.complex",
    "builtins.bool",
    "builtins.range",
    "builtins.object",
    "decimal.Decimal",
    "fractions.Fraction",
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "re.compile",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "pathlib.PurePosixPath",
    "pathlib.WindowsPath",
    "pathlib.PureWindowsPath",
    "uuid.UUID",
    "ipaddress.ip_address",
    "ipaddress.ip_network",
    "typing.NewType",
    "typing.TypeVar",
    "types.MappingProxyType",
    "operator.attrgetter",
    "operator.itemgetter",
];

impl Rule for MutableDataclassDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::ClassDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::ClassDef(class) = stmt else { return };
        if class.decorator_list.is_empty() {
            return;
        }
        let semantic = checker.semantic();
        let Some(scope) = checker.scope_of_node(class.range) else {
            return;
        };
        if !is_dataclass_like(semantic, scope) {
            return;
        }
        for item in &class.body {
            let (target, value, annotated) = match item {
                Stmt::AnnAssign(ann) => match &ann.value {
                    Some(value) if !is_classvar_annotation(checker, &ann.annotation) => {
                        (&*ann.target, &**value, true)
                    }
                    _ => continue,
                },
                // `x = attr.ib(...)`: a field without an annotation.
                Stmt::Assign(assign) if assign.targets.len() == 1 => {
                    (&assign.targets[0], &*assign.value, false)
                }
                _ => continue,
            };
            let Expr::Name(target) = target else { continue };
            let (default, via_field) = match field_default(checker, value) {
                FieldDefault::Field(Some(default)) => (default, true),
                FieldDefault::Field(None) => continue,
                FieldDefault::Plain if annotated => (value, false),
                FieldDefault::Plain => continue,
            };
            let Some(what) = shared_default(checker, default) else {
                continue;
            };
            let name = &target.id;
            let message = if mutable_display(default).is_some() && !via_field {
                format!("Field `{name}` defaults to a {what} shared by every instance (`@dataclass` rejects it with `ValueError` when the class is created)")
            } else {
                format!(
                    "Field `{name}` defaults to a {what} created once and shared by every instance"
                )
            };
            let fix = (!via_field)
                .then(|| default_factory_fix(checker, scope, default))
                .flatten();
            let diagnostic = checker
                .report(message, default.range())
                .help("use `field(default_factory=...)` so each instance gets its own object");
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

/// `[]`, `{}`, `list()`, `dict()`, `set()` in a `@dataclass` → `field(default_factory=...)`
/// when `dataclasses.field` (or the `dataclasses` module) is already bound.
/// Safe: those defaults make the class fail with `ValueError` today.
fn default_factory_fix(checker: &Checker, class: ScopeId, default: &Expr) -> Option<Fix> {
    let semantic = checker.semantic();
    let is_dataclass = class_decorators(semantic, class)
        .iter()
        .any(|(q, _)| q == "dataclasses.dataclass");
    if !is_dataclass {
        return None;
    }
    let factory = match default {
        Expr::List(l) if l.elts.is_empty() => "list",
        Expr::Dict(d) if d.items.is_empty() => "dict",
        Expr::Call(call) if call.arguments.is_empty() => {
            match checker.qualified_name(&call.func)?.as_str() {
                "builtins.list" => "list",
                "builtins.dict" => "dict",
                "builtins.set" => "set",
                _ => return None,
            }
        }
        _ => return None,
    };
    let at = default.start();
    // The factory name must mean the builtin where the fix puts it.
    if semantic.lookup(class, factory, at) != Lookup::Builtin {
        return None;
    }
    let callee = field_callee(semantic, class, at)?;
    Some(Fix {
        message: format!("Use `{callee}(default_factory={factory})`"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range: default.range(),
            content: format!("{callee}(default_factory={factory})"),
        }],
    })
}

/// A name bound to `dataclasses.field` visible at `at` (preferred), else
/// `<dataclasses module>.field`.
fn field_callee(semantic: &SemanticIndex, class: ScopeId, at: TextSize) -> Option<String> {
    let mut names: Vec<&str> = semantic
        .scope_symbols(SemanticIndex::MODULE)
        .map(|s| s.name.as_str())
        .collect();
    names.sort_unstable();
    let visible = |name: &str| match semantic.lookup(class, name, at) {
        Lookup::Binding(b) => Some(&semantic.binding(b).kind),
        _ => None,
    };
    let direct = names.iter().find(|name| {
        matches!(visible(name), Some(BindingKind::FromImport { qualified }) if qualified == "dataclasses.field")
    });
    if let Some(name) = direct {
        return Some(name.to_string());
    }
    names.iter().find_map(|name| match visible(name) {
        Some(BindingKind::Import { qualified }) if qualified == "dataclasses" => {
            Some(format!("{name}.field"))
        }
        _ => None,
    })
}

enum FieldDefault<'a> {
    /// `field(...)`, with its `default=` if any.
    Field(Option<&'a Expr>),
    /// A value assigned directly.
    Plain,
}

fn field_default<'a>(checker: &Checker, value: &'a Expr) -> FieldDefault<'a> {
    let Expr::Call(call) = value else {
        return FieldDefault::Plain;
    };
    match checker.qualified_name(&call.func) {
        Some(q) if FIELD_CALLS.contains(&q.as_str()) => {
            FieldDefault::Field(call.arguments.find_keyword("default").map(|k| &k.value))
        }
        _ => FieldDefault::Plain,
    }
}

/// What makes the default shared mutable state: a display or comprehension,
/// a mutable container constructor, or an instance of a project class not
/// known to be immutable. Calls whose result is unknown (functions, imported
/// classes) are not reported, as in PF401.
fn shared_default(checker: &Checker, default: &Expr) -> Option<&'static str> {
    if let Expr::Call(call) = default {
        if let Some(q) = checker.qualified_name(&call.func) {
            if IMMUTABLE_CALLS.contains(&q.as_str()) {
                return None;
            }
        }
    }
    mutable_value(checker, default, &[])
}
