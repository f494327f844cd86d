//! PF906 `missing-public-docstring`: public classes, functions and methods
//! without a docstring. A project policy, so off by default.

use pitfall_semantic::{ScopeId, SemanticIndex};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::DocCoverage;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::docstring;
use crate::settings::directories;

pub struct MissingPublicDocstring;

static META: RuleMeta = RuleMeta {
    default_enabled: false,
    options: &[
        OptionSpec {
            name: "check-modules",
            kind: OptionKind::Bool,
            doc: "Also report modules and packages without a docstring.",
        },
        OptionSpec {
            name: "min-coverage",
            kind: OptionKind::Percent,
            doc: "With `--statistics`, report the project's docstring coverage and fail below this percentage.",
        },
    ],
    ..rule_meta(
        "PF906",
        "missing-public-docstring",
        Family::Design,
        Tier::Core,
        FixAvailability::None,
        &["D101", "D102", "D103", "D106", "C0115", "C0116"],
        "Public classes, functions and methods without a docstring.",
    )
};

impl Rule for MissingPublicDocstring {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Only the module's top level and class bodies are looked at, so the
    /// rule reads them at the end instead of being handed every definition.
    fn interests(&self) -> Interests {
        Interests::NONE.module_end()
    }

    fn check_module_end(&self, checker: &mut Checker) {
        if checker.is_stub() || is_private_or_test_module(checker) {
            return;
        }
        let module = checker.module();
        let mut found = Found::default();
        if checker.option_bool("check-modules") {
            found.public += 1;
            if docstring(&module.body).is_none() {
                let what = if checker.file_role().is_package_init {
                    "Package"
                } else {
                    "Module"
                };
                found
                    .missing
                    .push((module_start(module), format!("{what} has no docstring")));
            }
        }
        let exported = dunder_all(&module.body);
        collect(
            checker.semantic(),
            &module.body,
            SemanticIndex::MODULE,
            exported.as_deref(),
            None,
            &mut found,
        );
        if let Some(min) = checker.option_integer("min-coverage") {
            let public = u32::try_from(found.public).unwrap_or(u32::MAX);
            let missing = u32::try_from(found.missing.len()).unwrap_or(u32::MAX);
            checker.record_doc_coverage(DocCoverage {
                public,
                documented: public - missing,
                min_coverage: u8::try_from(min.min(100)).unwrap_or(100),
            });
        }
        for (range, message) in found.missing {
            // Only the module's entry has an empty range (a name never does).
            let help = if range.is_empty() {
                "start the file with a string that says what the module is for"
            } else {
                "say in one line what it does or represents; the first line shows up in editors and generated documentation"
            };
            checker.report(message, range).help(help);
        }
    }
}

/// At the first statement: line 1 is often a comment or a shebang.
fn module_start(module: &ast::ModModule) -> TextRange {
    TextRange::empty(module.body.first().map_or(TextSize::new(0), |s| s.start()))
}

/// The public objects of a module and those among them without a docstring.
#[derive(Default)]
struct Found {
    public: usize,
    missing: Vec<(TextRange, String)>,
}

fn is_private_or_test_module(checker: &Checker) -> bool {
    let role = checker.file_role();
    role.is_private
        || role.is_test
        || directories(checker.project_path())
            .any(|d| d.starts_with('_') && !d.starts_with("__") && d != "_")
}

/// Public definitions without a docstring in one body (module level, or a
/// public class's body when `class` is given).
fn collect(
    semantic: &SemanticIndex,
    body: &[Stmt],
    scope: ScopeId,
    exported: Option<&[String]>,
    class: Option<&str>,
    found: &mut Found,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(def) => {
                if !is_public(&def.name, exported, class) || exempt_function(semantic, scope, def) {
                    continue;
                }
                found.public += 1;
                if docstring(&def.body).is_some() {
                    continue;
                }
                let what = match class {
                    Some(c) => format!("Public method `{c}.{}`", def.name),
                    None => format!("Public function `{}`", def.name),
                };
                found
                    .missing
                    .push((def.name.range, format!("{what} has no docstring")));
            }
            Stmt::ClassDef(c) => {
                if !is_public(&c.name, exported, class) {
                    continue;
                }
                found.public += 1;
                if docstring(&c.body).is_none() {
                    let what = match class {
                        Some(outer) => format!("Public nested class `{outer}.{}`", c.name),
                        None => format!("Public class `{}`", c.name),
                    };
                    found
                        .missing
                        .push((c.name.range, format!("{what} has no docstring")));
                }
                if let Some(class_scope) = semantic.scope_of_node(c.range) {
                    collect(
                        semantic,
                        &c.body,
                        class_scope,
                        None,
                        Some(c.name.as_str()),
                        found,
                    );
                }
            }
            // Definitions under a module-level `if` or `try` are still module level.
            Stmt::If(i) if class.is_none() => {
                collect(semantic, &i.body, scope, exported, class, found);
                for clause in &i.elif_else_clauses {
                    collect(semantic, &clause.body, scope, exported, class, found);
                }
            }
            Stmt::Try(t) if class.is_none() => {
                for b in [&t.body, &t.orelse, &t.finalbody] {
                    collect(semantic, b, scope, exported, class, found);
                }
                for h in &t.handlers {
                    let ExceptHandler::ExceptHandler(h) = h;
                    collect(semantic, &h.body, scope, exported, class, found);
                }
            }
            _ => {}
        }
    }
}

/// No leading underscore (so no dunders either); at module level, listed
/// in `__all__` when the module defines one.
fn is_public(name: &ast::Identifier, exported: Option<&[String]>, class: Option<&str>) -> bool {
    if name.as_str().starts_with('_') {
        return false;
    }
    match (class, exported) {
        (None, Some(all)) => all.iter().any(|n| n == name.as_str()),
        _ => true,
    }
}

/// `@overload` signatures, `@override` methods (documented where they are
/// declared) and property setters and deleters.
fn exempt_function(semantic: &SemanticIndex, scope: ScopeId, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        if let Expr::Attribute(a) = &d.expression {
            if matches!(a.attr.as_str(), "setter" | "deleter") {
                return true;
            }
        }
        semantic
            .qualified_name(&d.expression, scope)
            .is_some_and(|q| {
                matches!(
                    q.as_str(),
                    "typing.overload"
                        | "typing_extensions.overload"
                        | "typing.override"
                        | "typing_extensions.override"
                        | "overrides.override"
                        | "overrides.overrides"
                )
            })
    })
}

/// The names of a literal `__all__` (assigned, or extended with `+=`) at
/// module level; `None` when there is none or it is computed.
fn dunder_all(body: &[Stmt]) -> Option<Vec<String>> {
    let mut names: Option<Vec<String>> = None;
    for stmt in body {
        let (target, value, extend) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value, false),
            Stmt::AnnAssign(a) => match &a.value {
                Some(v) => (&*a.target, &**v, false),
                None => continue,
            },
            Stmt::AugAssign(a) => (&*a.target, &*a.value, true),
            _ => continue,
        };
        if !matches!(target, Expr::Name(n) if n.id.as_str() == "__all__") {
            continue;
        }
        let elts = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            _ => return None,
        };
        let mut listed = Vec::with_capacity(elts.len());
        for e in elts {
            match e {
                Expr::StringLiteral(s) => listed.push(s.value.to_str().to_string()),
                _ => return None,
            }
        }
        match (&mut names, extend) {
            (Some(existing), true) => existing.extend(listed),
            _ => names = Some(listed),
        }
    }
    names
}
