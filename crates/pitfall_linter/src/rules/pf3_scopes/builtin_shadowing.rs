//! PF301 `builtin-shadowing`: a binding hides a builtin such as `list`, `id`, `type` or `open`.

use std::sync::LazyLock;

use pitfall_semantic::builtins::{is_builtin, BUILTINS};
use pitfall_semantic::stack;
use pitfall_semantic::{
    Binding, BindingId, BindingKind, Lookup, Resolved, ScopeId, ScopeKind, SemanticIndex,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule, Parameters, Stmt};
use ruff_text_size::{Ranged, TextRange};
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

        // The first reportable binding per (scope, name). `global x` in a
        // function makes its bindings module bindings, so they are counted there.
        let mut first: FxHashMap<(ScopeId, &str), BindingId> = FxHashMap::default();
        // Every symbol of every scope (in any order: the earliest binding wins).
        for sym in &semantic.symbols {
            let name = sym.name.as_str();
            if !sym.is_bound() || !is_candidate(name) {
                continue;
            }
            let owner = if sym.declared_global.is_some() && sym.scope != SemanticIndex::MODULE {
                SemanticIndex::MODULE
            } else if sym.declared_nonlocal.is_some() {
                // The enclosing function binds (and is reported for) it.
                continue;
            } else {
                sym.scope
            };
            for &b in semantic.bindings_of(sym) {
                let binding = semantic.binding(b);
                if !reportable(semantic, binding, semantic.scope(owner).kind, check_class)
                    || is_builtin_default(semantic, checker.module(), binding)
                {
                    continue;
                }
                let entry = first.entry((owner, name)).or_insert(b);
                if semantic.binding(*entry).range.start() > binding.range.start() {
                    *entry = b;
                }
            }
        }

        let mut found: Vec<(ScopeId, BindingId)> =
            first.into_iter().map(|((s, _), b)| (s, b)).collect();
        found.sort_by_key(|(_, b)| semantic.binding(*b).range.start());
        for (scope, b) in found {
            let binding = semantic.binding(b);
            let name = semantic.symbol(binding.symbol).name.as_str();
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
    // Nearly every name of a module is looked at: most are rejected here.
    if !may_be_builtin(name) {
        return false;
    }
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

/// A quick filter for [`is_builtin`]: `false` when the name's length, first
/// and last bytes match those of no builtin.
fn may_be_builtin(name: &str) -> bool {
    static FILTER: LazyLock<[u64; FILTER_WORDS]> = LazyLock::new(|| {
        let mut bits = [0u64; FILTER_WORDS];
        for builtin in BUILTINS {
            let slot = filter_slot(builtin.as_bytes());
            bits[slot / 64] |= 1 << (slot % 64);
        }
        bits
    });
    let slot = filter_slot(name.as_bytes());
    FILTER[slot / 64] & (1 << (slot % 64)) != 0
}

const FILTER_WORDS: usize = 64;

fn filter_slot(name: &[u8]) -> usize {
    let (Some(first), Some(last)) = (name.first(), name.last()) else {
        return 0;
    };
    let key = (name.len() << 14) ^ (usize::from(*first) << 7) ^ usize::from(*last);
    (key.wrapping_mul(0x9E37_79B9) >> 7) & (FILTER_WORDS * 64 - 1)
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
            if is_builtins_member(qualified, &semantic.symbol(binding.symbol).name) =>
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

/// The parameters of the `def` or lambda whose whole range is `range`.
fn parameters_at(module: &ModModule, range: TextRange) -> Option<&Parameters> {
    /// Descends only into the nodes that contain the target.
    struct Find<'a> {
        range: TextRange,
        found: Option<&'a Parameters>,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_body(&mut self, body: &'a [Stmt]) {
            // Statements are in source order: only the last one starting
            // before the target can hold it.
            let i = body.partition_point(|s| s.start() <= self.range.start());
            if let Some(stmt) = i.checked_sub(1).and_then(|i| body.get(i)) {
                self.visit_stmt(stmt);
            }
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_some() || !stmt.range().contains_range(self.range) {
                return;
            }
            match stmt {
                Stmt::FunctionDef(def) if def.range == self.range => {
                    self.found = Some(&def.parameters);
                }
                _ => stack::guarded(|| visitor::walk_stmt(self, stmt)),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() || !expr.range().contains_range(self.range) {
                return;
            }
            match expr {
                Expr::Lambda(lambda) if lambda.range == self.range => {
                    self.found = lambda.parameters.as_deref();
                }
                _ => stack::guarded(|| visitor::walk_expr(self, expr)),
            }
        }
    }
    let mut find = Find { range, found: None };
    find.visit_body(&module.body);
    find.found
}

/// `def f(x, len=len)`: the parameter holds the builtin itself (a local
/// alias for speed, as in `json.encoder`), unless a caller passes another.
fn is_builtin_default(semantic: &SemanticIndex, module: &ModModule, binding: &Binding) -> bool {
    if binding.kind != BindingKind::Parameter {
        return false;
    }
    let scope = semantic.scope(binding.scope);
    let Some(parameters) = parameters_at(module, scope.node_range) else {
        return false;
    };
    let default_at = parameters.iter().find_map(|p| match p.default() {
        Some(Expr::Name(default))
            if p.name().range == binding.range && default.id == p.name().id =>
        {
            Some(default.start())
        }
        _ => None,
    });
    let Some(default_at) = default_at else {
        return false;
    };
    // Defaults are evaluated where the function is defined.
    let Some(outer) = scope.parent else {
        return false;
    };
    semantic.lookup(outer, &semantic.symbol(binding.symbol).name, default_at) == Lookup::Builtin
}

/// The binding's value is the builtin of the same name (`open = builtins.open`).
fn is_builtin_value(semantic: &SemanticIndex, binding: &Binding) -> bool {
    let Some(value) = semantic.binding_value(binding) else {
        return false;
    };
    value.segments.len() <= 1
        && matches!(
            semantic.resolve_path(value, 0),
            Some(Resolved::Qualified(q)) if is_builtins_member(&q, &semantic.symbol(binding.symbol).name)
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
