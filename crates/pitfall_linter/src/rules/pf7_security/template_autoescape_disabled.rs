//! PF712 `template-autoescape-disabled`: HTML rendered without escaping.

use pitfall_semantic::SemanticIndex;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    add_argument_edit, argument, callee_in, has_kwargs_splat, import_insertion_point,
    is_falsy_constant, is_literal_string, keyword,
};
use crate::settings::directories;

pub struct TemplateAutoescapeDisabled;

static META: RuleMeta = rule_meta(
    "PF712",
    "template-autoescape-disabled",
    Family::Security,
    Tier::Core,
    FixAvailability::Sometimes,
    &["S701", "S704", "S308"],
    "Jinja2 without autoescape; `Markup`/`mark_safe` on dynamic data.",
);

const TARGETS: &[&str] = &[
    "jinja2.Environment",
    "jinja2.environment.Environment",
    "jinja2.Template",
    "markupsafe.Markup",
    "jinja2.Markup",
    "flask.Markup",
    "django.utils.safestring.mark_safe",
    "flask.render_template_string",
];

/// The packages that provide those APIs. Their own modules implement the
/// escaping contract — jinja2 wraps in `Markup` the output it has just
/// escaped, Flask re-creates a `Markup` it serialized, Django's `format_html`
/// marks what it escaped — so their calls are not the users' the rule is for.
const PROVIDERS: &[&str] = &["jinja2", "markupsafe", "flask", "django"];

/// The file is a module of one of the [`PROVIDERS`]: by its module name
/// under the import roots, or else by a package directory on its path.
fn in_provider_package(checker: &Checker) -> bool {
    match &checker.settings().module {
        Some(m) => PROVIDERS.contains(&m.name.split('.').next().unwrap_or_default()),
        None => {
            checker.file().in_package
                && directories(checker.project_path()).any(|d| PROVIDERS.contains(&d))
        }
    }
}

impl Rule for TemplateAutoescapeDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[TARGETS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(target) = callee_in(checker, &call.func, TARGETS) else {
            return;
        };
        let short = target.rsplit('.').next().unwrap_or(target);
        match short {
            "Environment" => match keyword(call, "autoescape") {
                None if has_kwargs_splat(call) => {}
                None => {
                    let fix = autoescape_fix(checker, call);
                    checker
                        .report(
                            "`jinja2.Environment` without `autoescape=` renders values into HTML unescaped (cross-site scripting)",
                            call.range(),
                        )
                        .help("pass `autoescape=select_autoescape()`")
                        .fix(fix);
                }
                Some(value) if is_falsy_constant(value) => {
                    report_disabled(checker, value.range(), "jinja2.Environment");
                }
                Some(_) => {}
            },
            "Template" => {
                if let Some(value) = keyword(call, "autoescape").filter(|v| is_falsy_constant(v)) {
                    report_disabled(checker, value.range(), "jinja2.Template");
                }
            }
            _ => {
                if in_provider_package(checker) {
                    return;
                }
                let name = if short == "render_template_string" {
                    "source"
                } else {
                    "base"
                };
                let Some(value) = argument(call, Some(0), &[name]) else {
                    return;
                };
                if is_literal_string(value) || value.is_starred_expr() {
                    return;
                }
                let message = if short == "render_template_string" {
                    "`render_template_string` of a non-literal template lets its author run template code and inject HTML".to_string()
                } else {
                    format!("`{short}` marks a non-literal value as safe HTML: if users can influence it, they can inject script")
                };
                checker
                    .report(message, call.range())
                    .help("escape the dynamic parts (`markupsafe.escape`, `format_html`) and mark only literal markup as safe");
            }
        }
    }
}

fn report_disabled(checker: &mut Checker, range: TextRange, what: &str) {
    checker
        .report(
            format!("`{what}(autoescape=False)` renders values into HTML unescaped (cross-site scripting)"),
            range,
        )
        .help("use `autoescape=True` or `autoescape=select_autoescape()`");
}

/// Adds `autoescape=select_autoescape()`, qualified like the `Environment`
/// callee, importing it if needed. Unsafe: templates relying on raw output change.
fn autoescape_fix(checker: &Checker, call: &ast::ExprCall) -> Fix {
    let mut edits = Vec::new();
    let function = match &*call.func {
        Expr::Attribute(attr) => format!("{}.select_autoescape", checker.slice(attr.value.range())),
        _ => {
            let imported = checker
                .semantic()
                .last_binding(SemanticIndex::MODULE, "select_autoescape")
                .and_then(|b| checker.semantic().resolve_binding(b, 0))
                .is_some_and(|r| r.qualified() == Some("jinja2.select_autoescape"));
            if !imported {
                edits.push(Edit {
                    range: TextRange::empty(import_insertion_point(checker)),
                    content: "from jinja2 import select_autoescape\n".to_string(),
                });
            }
            "select_autoescape".to_string()
        }
    };
    edits.push(add_argument_edit(
        checker,
        call,
        &format!("autoescape={function}()"),
    ));
    Fix {
        message: "Add `autoescape=select_autoescape()`".to_string(),
        applicability: Applicability::Unsafe,
        edits,
    }
}
