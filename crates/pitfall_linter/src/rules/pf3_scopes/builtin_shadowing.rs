//! PF301 `builtin-shadowing`: a binding hides a builtin such as `list`, `id`, `type` or `open`.

use pitfall_semantic::builtins::is_builtin;
use pitfall_semantic::{
    Binding, BindingId, BindingKind, Lookup, Resolved, ScopeId, ScopeKind, SemanticIndex,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule, Parameters, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::settings::PythonVersion;

pub struct BuiltinShadowing;

static META: RuleMeta = RuleMeta {
    options: &[
        OptionSpec {
            name: "ignore-names",
            kind: OptionKind::StringList,
            doc: "Builtin names that may be rebound without a finding (e.g. `id`, `input`).",
        },
        OptionSpec {
            name: "check-class-attributes",
            kind: OptionKind::Bool,
            doc: "Also report class-body attributes and methods named like a builtin.",
        },
    ],
    ..rule_meta(
        "PF301",
        "builtin-shadowing",
        Family::Scopes,
        Tier::Core,
        FixAvailability::None,
        &["A001", "A002", "A004", "A006", "W0622"],
        "A binding hides a builtin such as `list`, `id`, `type` or `open`.",
    )
};

/// Names the `site` module adds to `builtins` for the interactive prompt
/// (absent under `python -S`) that are not reported. Decided on the CPython
/// 3.11 standard library: `help` gave 25 findings, nearly all argparse help
/// texts (`help = action.help`, `def __init__(..., help=None)`) plus pydoc's
/// and pdb's deliberate definitions, and not one program calls `help()`;
/// `copyright`, `credits` and `license` gave none there but are everyday
/// metadata names (Sphinx `conf.py`, `setup.py`). `exit` and `quit` (12
/// findings) stay reported: scripts do call `exit()`, and hiding it breaks them.
const SITE_NAMES: &[&str] = &["copyright", "credits", "license", "help"];

/// Builtins that only exist from some Python version on.
const ADDED_IN: &[(&str, u8)] = &[
    ("aiter", 10),
    ("anext", 10),
    ("EncodingWarning", 10),
    ("BaseExceptionGroup", 11),
    ("ExceptionGroup", 11),
    ("PythonFinalizationError", 13),
];

impl Rule for BuiltinShadowing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.module_end()
    }

    fn check_module_end(&self, checker: &mut Checker) {
        if checker.is_stub() {
            return;
        }
        let semantic = checker.semantic();
        let target = checker.settings().target_version;
        let ignore = checker.option_strings("ignore-names");
        let check_class = checker.option_bool("check-class-attributes");
        let is_candidate =
            |name: &str| is_shadowable_builtin(name, target) && !ignore.iter().any(|i| i == name);
        let same_defaults = same_name_defaults(checker.module());

        // The first reportable binding per (scope, name). `global x` in a
        // function makes its bindings module bindings, so they are counted there.
        let mut first: FxHashMap<(ScopeId, &str), BindingId> = FxHashMap::default();
        for scope_id in semantic.scope_ids() {
            let scope = semantic.scope(scope_id);
            for (name, sym) in &scope.symbols {
                if !is_candidate(name.as_str()) {
                    continue;
                }
                let sym = semantic.symbol(*sym);
                let owner = if sym.declared_global.is_some() && scope_id != SemanticIndex::MODULE {
                    SemanticIndex::MODULE
                } else if sym.declared_nonlocal.is_some() {
                    // The enclosing function binds (and is reported for) it.
                    continue;
                } else {
                    scope_id
                };
                for &b in &sym.bindings {
                    let binding = semantic.binding(b);
                    if !reportable(semantic, binding, semantic.scope(owner).kind, check_class)
                        || is_builtin_default(semantic, binding, &same_defaults)
                    {
                        continue;
                    }
                    let entry = first.entry((owner, name.as_str())).or_insert(b);
                    if semantic.binding(*entry).range.start() > binding.range.start() {
                        *entry = b;
                    }
                }
            }
        }

        let mut found: Vec<(ScopeId, BindingId)> =
            first.into_iter().map(|((s, _), b)| (s, b)).collect();
        found.sort_by_key(|(_, b)| semantic.binding(*b).range.start());
        for (scope, b) in found {
            let binding = semantic.binding(b);
            let name = binding.name.as_str();
            let what = describe_binding(&binding.kind);
            let place = describe_scope(semantic, scope);
            checker
                .report(
                    format!("{what} `{name}` shadows the builtin `{name}` {place}"),
                    binding.range,
                )
                .help(format!(
                    "rename it (e.g. `{name}_` or a name that says what it holds); the builtin `{name}` is hidden for the rest of the scope"
                ));
        }
    }
}

/// A builtin name whose rebinding is reported for this target version.
fn is_shadowable_builtin(name: &str, target: PythonVersion) -> bool {
    if name == "_" || (name.starts_with("__") && name.ends_with("__")) {
        return false;
    }
    if !is_builtin(name) || SITE_NAMES.contains(&name) {
        return false;
    }
    match ADDED_IN.iter().find(|(n, _)| *n == name) {
        Some((_, minor)) => {
            target
                >= PythonVersion {
                    major: 3,
                    minor: *minor,
                }
        }
        None => true,
    }
}

/// Whether a binding in a scope of `kind` hides the builtin.
fn reportable(
    semantic: &SemanticIndex,
    binding: &Binding,
    kind: ScopeKind,
    check_class: bool,
) -> bool {
    match &binding.kind {
        BindingKind::Deletion => return false,
        // `from builtins import open` re-binds the builtin itself.
        BindingKind::FromImport { qualified } | BindingKind::Import { qualified }
            if is_builtins_member(qualified, &binding.name) =>
        {
            return false
        }
        // `open = builtins.open`, `input = input` at module level: same object.
        BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. }
            if is_builtin_value(semantic, binding) =>
        {
            return false
        }
        // Class type parameters are visible to the methods too.
        BindingKind::TypeParam => return true,
        _ => {}
    }
    kind != ScopeKind::Class || check_class
}

/// The name ranges of parameters whose default is a name equal to their own
/// (`def f(x, len=len)`), with the default's start.
fn same_name_defaults(module: &ModModule) -> FxHashMap<TextRange, TextSize> {
    struct Collect(FxHashMap<TextRange, TextSize>);
    impl Collect {
        fn parameters(&mut self, parameters: &Parameters) {
            for p in parameters.iter() {
                if let Some(Expr::Name(default)) = p.default() {
                    if default.id == p.name().id {
                        self.0.insert(p.name().range, default.start());
                    }
                }
            }
        }
    }
    impl<'a> Visitor<'a> for Collect {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::FunctionDef(def) = stmt {
                self.parameters(&def.parameters);
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Lambda(lambda) = expr {
                if let Some(parameters) = &lambda.parameters {
                    self.parameters(parameters);
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut collect = Collect(FxHashMap::default());
    collect.visit_body(&module.body);
    collect.0
}

/// `def f(x, len=len)`: the parameter holds the builtin itself (a local
/// alias for speed, as in `json.encoder`), unless a caller passes another.
fn is_builtin_default(
    semantic: &SemanticIndex,
    binding: &Binding,
    same_defaults: &FxHashMap<TextRange, TextSize>,
) -> bool {
    if binding.kind != BindingKind::Parameter {
        return false;
    }
    let Some(default_at) = same_defaults.get(&binding.range) else {
        return false;
    };
    // Defaults are evaluated where the function is defined.
    let Some(outer) = semantic.scope(binding.scope).parent else {
        return false;
    };
    semantic.lookup(outer, &binding.name, *default_at) == Lookup::Builtin
}

/// The binding's value is the builtin of the same name (`open = builtins.open`).
fn is_builtin_value(semantic: &SemanticIndex, binding: &Binding) -> bool {
    let Some(value) = &binding.value else {
        return false;
    };
    value.segments.len() <= 1
        && matches!(
            semantic.resolve_path(value, 0),
            Some(Resolved::Qualified(q)) if is_builtins_member(&q, &binding.name)
        )
}

fn is_builtins_member(qualified: &str, name: &str) -> bool {
    ["builtins.", "__builtin__."].iter().any(|prefix| {
        qualified
            .strip_prefix(prefix)
            .is_some_and(|rest| rest == name)
    })
}

fn describe_binding(kind: &BindingKind) -> &'static str {
    match kind {
        BindingKind::Parameter => "Parameter",
        BindingKind::FunctionDef { .. } => "Function",
        BindingKind::ClassDef { .. } => "Class",
        BindingKind::Import { .. } | BindingKind::FromImport { .. } => "Import",
        BindingKind::ForTarget | BindingKind::ComprehensionTarget => "Loop variable",
        BindingKind::ExceptHandler => "Exception variable",
        BindingKind::TypeParam => "Type parameter",
        BindingKind::MatchCapture => "Match capture",
        _ => "Variable",
    }
}

fn describe_scope(semantic: &SemanticIndex, scope: ScopeId) -> String {
    let s = semantic.scope(scope);
    match (s.kind, &s.name) {
        (ScopeKind::Module, _) => "at module level".to_string(),
        (ScopeKind::Function { .. }, Some(name)) => format!("in function `{name}`"),
        (ScopeKind::Class, Some(name)) => format!("in class `{name}`"),
        (ScopeKind::Lambda, _) => "in a lambda".to_string(),
        (ScopeKind::Comprehension, _) => "in a comprehension".to_string(),
        _ => "in this scope".to_string(),
    }
}
