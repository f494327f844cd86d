//! PF701 `eval-or-exec`: `eval`/`exec`/`compile` of a string that is not a literal.

use pitfall_semantic::Lookup;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    argument, enclosing_function, is_bound_to_literal, is_literal_string, is_parameter,
    last_segment, name_value,
};

pub struct EvalOrExec;

static META: RuleMeta = rule_meta(
    "PF701",
    "eval-or-exec",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S307", "S102", "W0123", "W0122"],
    "`eval`/`exec`/`compile` on non-literal input.",
);

impl Rule for EvalOrExec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["eval", "exec", "compile"]])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Expr::Name(func) = &*call.func else {
            return;
        };
        let name = func.id.as_str();
        if !matches!(name, "eval" | "exec" | "compile") {
            return;
        }
        // Only the builtin: a local `eval` or `from x import compile` is another function.
        if checker
            .semantic()
            .lookup(checker.scope(), name, func.start())
            != Lookup::Builtin
        {
            return;
        }
        let Some(source) = argument(call, Some(0), &["source"]) else {
            return;
        };
        if is_literal_string(source)
            || source.is_starred_expr()
            || is_bound_to_literal(checker, source)
        {
            return;
        }
        let mut message = match untrusted_origin(checker, source) {
            Some(origin) => format!(
                "`{name}` runs code built from {origin}: whoever controls it runs arbitrary Python"
            ),
            None if in_exposed_function(checker) => {
                format!("`{name}` in a route handler or LLM tool runs whatever text it is given")
            }
            None => format!("`{name}` of a non-literal string runs arbitrary Python"),
        };
        if call
            .arguments
            .args
            .get(1)
            .is_some_and(|g| dict_has_key(g, "__builtins__"))
        {
            message.push_str("; replacing `__builtins__` in the globals is not a sandbox");
        }
        let help = if name == "compile" {
            "compile only source you wrote; parse data with `ast.literal_eval`, `json.loads` or an explicit parser"
        } else {
            "parse data with `ast.literal_eval` or `json.loads`, or dispatch on an allow-list of operations"
        };
        checker.report(message, call.range()).help(help);
    }
}

/// Where a value visibly comes from outside the program, within the function.
fn untrusted_origin(checker: &Checker, expr: &Expr) -> Option<String> {
    untrusted_origin_at(checker, expr, 0)
}

fn untrusted_origin_at(checker: &Checker, expr: &Expr, depth: u32) -> Option<String> {
    if depth > 3 {
        return None;
    }
    match expr {
        Expr::Name(name) if matches!(name.id.as_str(), "self" | "cls") => None,
        Expr::Name(name) if is_parameter(checker, name) => Some(format!("parameter `{}`", name.id)),
        Expr::Name(name) => {
            let value = name_value(checker, name)?;
            untrusted_origin_at(checker, value, depth + 1)
        }
        Expr::Call(call) => {
            let q = checker.qualified_name(&call.func);
            match q.as_deref() {
                Some("builtins.input") => Some("`input()`".to_string()),
                _ if matches!(last_segment(&call.func), Some("read" | "readline" | "recv")) => {
                    Some("a file or network read".to_string())
                }
                _ => match &*call.func {
                    // `line.strip()`: the receiver carries the origin.
                    Expr::Attribute(attr) => untrusted_origin_at(checker, &attr.value, depth + 1),
                    _ => None,
                },
            }
        }
        Expr::Subscript(sub) => {
            if checker.qualified_name(&sub.value).as_deref() == Some("sys.argv") {
                return Some("`sys.argv`".to_string());
            }
            untrusted_origin_at(checker, &sub.value, depth + 1)
        }
        Expr::Attribute(attr) => {
            if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "request") {
                return Some("request data".to_string());
            }
            untrusted_origin_at(checker, &attr.value, depth + 1)
        }
        Expr::FString(_) | Expr::BinOp(_) => {
            let mut found = None;
            visit_operands(expr, &mut |e| {
                if found.is_none() {
                    found = untrusted_origin_at(checker, e, depth + 1);
                }
            });
            found
        }
        _ => None,
    }
}

fn visit_operands<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    match expr {
        Expr::BinOp(b) => {
            visit_operands(&b.left, f);
            visit_operands(&b.right, f);
        }
        Expr::FString(s) => {
            for part in s.value.iter() {
                if let ast::FStringPart::FString(fs) = part {
                    for e in fs.elements.iter() {
                        if let ast::InterpolatedStringElement::Interpolation(i) = e {
                            f(&i.expression);
                        }
                    }
                }
            }
        }
        other => f(other),
    }
}

/// A function registered as a web route or an agent tool (`@tool`, `@app.post(...)`).
fn in_exposed_function(checker: &Checker) -> bool {
    enclosing_function(checker).is_some_and(|def| {
        def.decorator_list.iter().any(|d| {
            let callee = match &d.expression {
                Expr::Call(c) => &*c.func,
                other => other,
            };
            matches!(
                last_segment(callee),
                Some("tool" | "route" | "get" | "post" | "put" | "patch" | "delete" | "websocket")
            )
        })
    })
}

fn dict_has_key(expr: &Expr, key: &str) -> bool {
    let Expr::Dict(dict) = expr else { return false };
    dict.items.iter().any(|item| {
        item.key
            .as_ref()
            .is_some_and(|k| matches!(k, Expr::StringLiteral(s) if s.value.to_str() == key))
    })
}
