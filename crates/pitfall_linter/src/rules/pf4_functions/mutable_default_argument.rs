//! PF401 `mutable-default-argument`: a mutable default is shared by every call.

use pitfall_semantic::ScopeKind;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Parameters, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{docstring, ends_line, is_overload, mutable_value, own_line_indent};

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
        FixAvailability::Sometimes,
        &["B006", "B008", "W0102"],
        "A list/dict/set (or mutable object) default is shared across calls.",
    )
};

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
        if checker.is_stub() {
            return;
        }
        check_parameters(checker, &def.parameters, Some(def));
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        if let Expr::Lambda(lambda) = expr {
            if let Some(params) = &lambda.parameters {
                check_parameters(checker, params, None);
            }
        }
    }
}

fn check_parameters(
    checker: &mut Checker,
    parameters: &Parameters,
    def: Option<&ast::StmtFunctionDef>,
) {
    // Most functions have no default at all (`*args` and `**kwargs` never do).
    let has_default = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .any(|p| p.default.is_some());
    if !has_default {
        return;
    }
    let immutable = checker.option_strings("immutable-calls");
    let found: Vec<(&str, &Expr, &str)> = parameters
        .iter()
        .filter_map(|p| {
            let default = p.default()?;
            let what = mutable_value(checker, default, immutable)?;
            Some((p.name().id.as_str(), default, what))
        })
        .collect();
    // Resolving the decorators costs more than the defaults: only for a finding.
    if found.is_empty() || def.is_some_and(|def| is_overload(checker, def)) {
        return;
    }
    // One fix for all of the def's movable defaults, on each of their
    // findings (identical edits are applied once): the checks keep the
    // parameters' order.
    let fix = def.and_then(|def| {
        let movable: Vec<(&str, &Expr)> = found
            .iter()
            .filter(|(_, default, _)| movable_into_body(checker, def, default))
            .map(|(name, default, _)| (*name, *default))
            .collect();
        none_default_fix(checker, def, &movable)
    });
    for (name, default, what) in &found {
        let diagnostic = checker
            .report(
                format!("Mutable default {what} for parameter `{name}` is created once and shared by every call"),
                default.range(),
            )
            .help(format!(
                "default to `None` and create the value inside the function: `if {name} is None: {name} = ...`"
            ));
        if let Some(fix) = fix
            .as_ref()
            .filter(|f| f.edits.iter().any(|e| e.range == default.range()))
        {
            diagnostic.fix(fix.clone());
        }
    }
}

/// The defaults become `None`, and `if name is None: name = <default>`
/// opens the body (after the docstring), one per parameter. A one-line
/// `def` is split so the checks get their own lines.
fn none_default_fix(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    defaults: &[(&str, &Expr)],
) -> Option<Fix> {
    if defaults.is_empty() {
        return None;
    }
    let def_indent = own_line_indent(checker, def.range())?;
    let source = checker.source();
    let checks = |indent: &str, unit: &str| {
        let mut text = String::new();
        for (name, default) in defaults {
            let value = &source[default.range()];
            text.push_str(&format!(
                "{indent}if {name} is None:\n{indent}{unit}{name} = {value}\n"
            ));
        }
        text
    };
    let first = def.body.first()?;
    let insertion = match own_line_indent(checker, first.range()) {
        Some(indent) => {
            let check = checks(indent, indent_unit(indent));
            match docstring(&def.body).and(def.body.first()) {
                // After the docstring's line.
                Some(doc) => {
                    if !ends_line(checker, doc.range()) {
                        return None;
                    }
                    let end = doc.end().to_usize();
                    match source[end..].find('\n') {
                        Some(i) => Edit {
                            range: TextRange::empty(TextSize::try_from(end + i + 1).ok()?),
                            content: check,
                        },
                        None => Edit {
                            range: TextRange::empty(TextSize::try_from(source.len()).ok()?),
                            content: format!("\n{}", check.trim_end_matches('\n')),
                        },
                    }
                }
                None => {
                    let line_start = first.start() - TextSize::try_from(indent.len()).ok()?;
                    Edit {
                        range: TextRange::empty(line_start),
                        content: check,
                    }
                }
            }
        }
        // `def f(x=[]): return x`: the body moves to its own lines.
        None => {
            if docstring(&def.body).is_some() {
                return None;
            }
            let unit = indent_unit(def_indent);
            let indent = format!("{def_indent}{unit}");
            let before = source[..first.start().to_usize()].trim_end_matches([' ', '\t']);
            let gap = TextRange::new(TextSize::try_from(before.len()).ok()?, first.start());
            Edit {
                range: gap,
                content: format!("\n{}{indent}", checks(&indent, unit)),
            }
        }
    };
    let mut edits: Vec<Edit> = defaults
        .iter()
        .map(|(_, default)| Edit {
            range: default.range(),
            content: "None".to_string(),
        })
        .collect();
    edits.push(insertion);
    let names: Vec<String> = defaults.iter().map(|(n, _)| format!("`{n}`")).collect();
    Some(Fix {
        message: format!(
            "Default {} to `None` and create the value in the body",
            names.join(", ")
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

fn indent_unit(indent: &str) -> &'static str {
    if indent.contains('\t') {
        "\t"
    } else {
        "    "
    }
}

/// Whether `default` evaluates the same in the function's body as in the
/// scope of the `def`.
fn movable_into_body(checker: &Checker, def: &ast::StmtFunctionDef, default: &Expr) -> bool {
    let mut names = NamesIn::default();
    names.visit_expr(default);
    if names.unmovable {
        return false;
    }
    let semantic = checker.semantic();
    let in_class = matches!(semantic.scope(checker.scope()).kind, ScopeKind::Class);
    !names.names.iter().any(|n| {
        def.parameters.iter().any(|p| p.name().id.as_str() == *n)
            || (in_class && semantic.symbol_in(checker.scope(), n).is_some())
    })
}

#[derive(Default)]
struct NamesIn<'a> {
    names: Vec<&'a str>,
    unmovable: bool,
}

impl<'a> Visitor<'a> for NamesIn<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => self.names.push(n.id.as_str()),
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Named(_) => {
                self.unmovable = true;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
