//! PF804 `env-var-truthiness`: environment strings tested for truth, where
//! `"0"` and `"false"` are true.

use pitfall_semantic::{stack, BindingKind, Lookup};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, CmpOp, ExceptHandler, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{argument, child_bodies, last_segment, stmt_at, string_value};

pub struct EnvVarTruthiness;

static META: RuleMeta = rule_meta(
    "PF804",
    "env-var-truthiness",
    Family::Logging,
    Tier::Core,
    FixAvailability::None,
    &[],
    "Env-var strings tested for truth (`\"0\"` and `\"false\"` are true).",
);

impl Rule for EnvVarTruthiness {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .call_names(&[&["getenv", "get", "bool"]])
            .expr(ExprKind::Compare)
            .expr(ExprKind::UnaryOp)
            .expr(ExprKind::BoolOp)
            .expr(ExprKind::If)
            .stmt(StmtKind::If)
            .stmt(StmtKind::While)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        match expr {
            Expr::Call(call) => {
                if let Some(read) = env_read(checker, expr) {
                    if read.bool_default && bool_default_matters(checker, read.key) {
                        report_bool_default(checker, expr.range(), read.key);
                    }
                    return;
                }
                // `bool(os.getenv("DEBUG"))`
                if last_segment(&call.func) != Some("bool")
                    || call.arguments.args.len() != 1
                    || checker.qualified_name(&call.func).as_deref() != Some("builtins.bool")
                {
                    return;
                }
                if let Some(read) = env_read(checker, &call.arguments.args[0]) {
                    if !read.bool_default && !read.key.is_some_and(has_presence_semantics) {
                        report(checker, expr.range(), "`bool()` of", read.key);
                    }
                }
            }
            Expr::Compare(cmp) => {
                let ([op], [right]) = (&*cmp.ops, &*cmp.comparators) else {
                    return;
                };
                if !matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot) {
                    return;
                }
                let read = match (&*cmp.left, right) {
                    (Expr::BooleanLiteral(_), other) | (other, Expr::BooleanLiteral(_)) => {
                        env_read(checker, other)
                    }
                    _ => None,
                };
                if let Some(read) = read.filter(|r| !r.bool_default) {
                    report(
                        checker,
                        expr.range(),
                        "A comparison with a boolean of",
                        read.key,
                    );
                }
            }
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => truth_test(checker, &u.operand, None),
            // `os.getenv("X") or "default"` in a value position supplies a
            // default; only an `and`/`or` that is itself tested is a truth test.
            Expr::BoolOp(b) if truth_tested_context(checker) => {
                for v in &b.values {
                    truth_test(checker, v, Some(b));
                }
            }
            Expr::If(i) => truth_test(checker, &i.test, None),
            _ => {}
        }
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        match stmt {
            Stmt::If(i) => {
                truth_test(checker, &i.test, None);
                for clause in &i.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        truth_test(checker, test, None);
                    }
                }
            }
            Stmt::While(w) => truth_test(checker, &w.test, None),
            _ => {}
        }
    }
}

/// An environment read: `os.getenv(key[, default])`, `os.environ.get(...)`, `os.environ[key]`.
struct EnvRead<'a> {
    key: Option<&'a str>,
    bool_default: bool,
}

fn env_read<'a>(checker: &Checker, expr: &'a Expr) -> Option<EnvRead<'a>> {
    match expr {
        Expr::Call(call) => {
            if !matches!(last_segment(&call.func), Some("getenv" | "get")) {
                return None;
            }
            let q = checker.qualified_name(&call.func)?;
            if !matches!(q.as_str(), "os.getenv" | "os.environ.get") {
                return None;
            }
            let key = call
                .arguments
                .args
                .first()
                .or_else(|| argument(call, None, &["key"]));
            let default = call
                .arguments
                .args
                .get(1)
                .or_else(|| argument(call, None, &["default"]));
            Some(EnvRead {
                key: key.and_then(string_value),
                bool_default: matches!(default, Some(Expr::BooleanLiteral(_))),
            })
        }
        Expr::Subscript(sub) => {
            if last_segment(&sub.value) != Some("environ")
                || checker.qualified_name(&sub.value).as_deref() != Some("os.environ")
            {
                return None;
            }
            Some(EnvRead {
                key: string_value(&sub.slice),
                bool_default: false,
            })
        }
        _ => None,
    }
}

/// Keys that name an on/off switch, alone or after a project prefix
/// (`MOTO_ENABLE_RECORDING`).
pub fn looks_like_flag(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let is_flag = |k: &str| {
        matches!(k, "DEBUG" | "VERBOSE" | "TESTING" | "DRY_RUN")
            || ["ENABLE_", "DISABLE_", "USE_", "FEATURE_", "NO_"]
                .iter()
                .any(|p| k.starts_with(p))
            || ["_ENABLED", "_DISABLED", "_FLAG"]
                .iter()
                .any(|s| k.ends_with(s))
    };
    is_flag(&k) || k.match_indices('_').any(|(i, _)| is_flag(&k[i + 1..]))
}

/// Variables whose documented meaning is "set to a non-empty string":
/// `NO_COLOR` (no-color.org) and CPython's own `PYTHON*` variables. A truth
/// test is exactly right for them.
fn has_presence_semantics(key: &str) -> bool {
    key == "NO_COLOR" || key.starts_with("PYTHON")
}

/// `expr` is tested for truth: an env read of a flag-like key, or a name
/// bound once from one and used only in truth tests.
fn truth_test(checker: &mut Checker, expr: &Expr, bool_op: Option<&ast::ExprBoolOp>) {
    match expr {
        Expr::Call(_) | Expr::Subscript(_) => {
            let Some(read) = env_read(checker, expr) else {
                return;
            };
            let Some(key) = read
                .key
                .filter(|k| looks_like_flag(k) && !has_presence_semantics(k))
            else {
                return;
            };
            if read.bool_default || parsed_alongside(checker, bool_op, expr, key) {
                return;
            }
            report(checker, expr.range(), "A truth test of", Some(key));
        }
        Expr::Name(name) => {
            let Some(key) = flag_variable(checker, name) else {
                return;
            };
            if parsed_alongside(checker, bool_op, expr, name.id.as_str()) {
                return;
            }
            checker
                .report(
                    format!("`{}` holds the string of environment variable `{key}`; testing it for truth treats `\"0\"` and `\"false\"` as true", name.id),
                    expr.range(),
                )
                .help("parse the flag where it is read: `os.getenv(\"...\", \"\").strip().lower() in {\"1\", \"true\", \"yes\"}`");
        }
        _ => {}
    }
}

/// Whether a boolean default is the mistake: the read is converted with
/// `bool()`, or its key names a switch. Passed to another function it is
/// being parsed (`ensure_boolean(os.getenv("X", False))`); with a key that
/// names a path or a URL, `False` is only an "unset" sentinel.
fn bool_default_matters(checker: &Checker, key: Option<&str>) -> bool {
    match checker.parent() {
        Some(crate::checker::Node::Expr(Expr::Call(outer))) => {
            return checker.qualified_name(&outer.func).as_deref() == Some("builtins.bool")
        }
        Some(crate::checker::Node::Expr(Expr::Compare(_))) => return true,
        _ => {}
    }
    key.is_some_and(|k| looks_like_flag(k) && !has_presence_semantics(k))
}

/// `os.getenv("DEBUG") and os.getenv("DEBUG").lower() == "1"`: another
/// operand of the same `and`/`or` parses the value, so this one is a presence check.
fn parsed_alongside(
    checker: &Checker,
    bool_op: Option<&ast::ExprBoolOp>,
    operand: &Expr,
    needle: &str,
) -> bool {
    bool_op.is_some_and(|b| {
        b.values
            .iter()
            .any(|v| v.range() != operand.range() && checker.slice(v.range()).contains(needle))
    })
}

/// The `and`/`or` being checked is itself tested for truth (an `if`, a
/// `while`, `not`, a conditional expression's test, or an outer `and`/`or`).
fn truth_tested_context(checker: &Checker) -> bool {
    let parents = checker.parents();
    let Some(parent) = parents.last() else {
        return false;
    };
    match parent {
        crate::checker::Node::Stmt(Stmt::If(_) | Stmt::While(_)) => true,
        crate::checker::Node::Expr(Expr::UnaryOp(u)) => u.op == UnaryOp::Not,
        crate::checker::Node::Expr(Expr::BoolOp(_)) => true,
        crate::checker::Node::Expr(Expr::If(_)) => true,
        _ => false,
    }
}

/// The flag-like key a name was bound from, when the name is bound exactly
/// once, from an env read, and every use of it is a truth test.
fn flag_variable(checker: &Checker, name: &ast::ExprName) -> Option<String> {
    let semantic = checker.semantic();
    let Lookup::Binding(id) = semantic.lookup(checker.scope(), &name.id, name.start()) else {
        return None;
    };
    let binding = semantic.binding(id);
    if binding.kind != BindingKind::Assignment {
        return None;
    }
    let symbol = semantic.symbol(binding.symbol);
    if symbol.binding_count() != 1 || symbol.declared_global.is_some() {
        return None;
    }
    // Cheap: the bound value must be a call or subscript of `os...`.
    let value = semantic.binding_value(binding)?;
    if value.root.as_str() != "os"
        && value.root.as_str() != "environ"
        && value.root.as_str() != "getenv"
    {
        return None;
    }
    let module = checker.module();
    let Stmt::Assign(assign) = stmt_at(module, binding.stmt_range)? else {
        return None;
    };
    if assign.targets.len() != 1 || assign.targets[0].range() != binding.range {
        return None;
    }
    let read = env_read(checker, &assign.value)?;
    let key = read.key.filter(|k| looks_like_flag(k))?;
    if read.bool_default {
        return None;
    }
    // Every use, in any scope that sees this binding, is a truth test.
    let binding_name = &symbol.name;
    let uses = semantic.uses.iter().filter(|u| {
        let name = &semantic.symbol(u.symbol).name;
        name == binding_name
            && semantic.lookup(u.scope, name, u.range.start()) == Lookup::Binding(id)
    });
    for u in uses {
        if !is_truth_test_use(&module.body, u.range) {
            return None;
        }
    }
    Some(key.to_string())
}

/// Whether the name at `range` is in a truth-test position of the innermost
/// statement that contains it.
fn is_truth_test_use(body: &[Stmt], range: TextRange) -> bool {
    let Some(stmt) = innermost_stmt(body, range.start()) else {
        return false;
    };
    let mut finder = TruthPosition {
        target: range,
        found: None,
    };
    match stmt {
        Stmt::If(i) => {
            finder.visit(&i.test, true);
            for c in &i.elif_else_clauses {
                if let Some(t) = &c.test {
                    finder.visit(t, true);
                }
            }
        }
        Stmt::While(w) => finder.visit(&w.test, true),
        other => {
            let mut exprs = HeaderExprs(Vec::new());
            exprs.visit_stmt(other);
            for e in exprs.0 {
                finder.visit(e, false);
            }
        }
    }
    finder.found == Some(true)
}

/// The innermost statement containing `offset`.
fn innermost_stmt(body: &[Stmt], offset: TextSize) -> Option<&Stmt> {
    let i = body.partition_point(|s| s.start() <= offset);
    let stmt = body.get(i.checked_sub(1)?)?;
    if !stmt.range().contains(offset) {
        return None;
    }
    let inner = stack::guarded(|| {
        if let Stmt::Try(t) = stmt {
            for h in &t.handlers {
                let ExceptHandler::ExceptHandler(h) = h;
                if let Some(s) = innermost_stmt(&h.body, offset) {
                    return Some(s);
                }
            }
        }
        child_bodies(stmt)
            .into_iter()
            .find_map(|b| innermost_stmt(b, offset))
    });
    inner.or(Some(stmt))
}

/// The expressions of one statement, not of the statements nested in it.
struct HeaderExprs<'a>(Vec<&'a Expr>);

impl<'a> Visitor<'a> for HeaderExprs<'a> {
    fn visit_body(&mut self, _body: &'a [Stmt]) {}
    fn visit_except_handler(&mut self, _handler: &'a ExceptHandler) {}
    fn visit_expr(&mut self, expr: &'a Expr) {
        self.0.push(expr);
    }
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        visitor::walk_stmt(self, stmt);
    }
}

/// Finds a name by range and records whether it sits in a truth-test position.
struct TruthPosition {
    target: TextRange,
    found: Option<bool>,
}

impl TruthPosition {
    fn visit(&mut self, expr: &Expr, in_test: bool) {
        if self.found.is_some() || !expr.range().contains_range(self.target) {
            return;
        }
        if expr.range() == self.target {
            if matches!(expr, Expr::Name(_)) {
                self.found = Some(in_test);
            }
            return;
        }
        stack::guarded(|| match expr {
            Expr::BoolOp(b) => {
                for v in &b.values {
                    self.visit(v, in_test);
                }
            }
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => self.visit(&u.operand, true),
            Expr::If(i) => {
                self.visit(&i.test, true);
                self.visit(&i.body, false);
                self.visit(&i.orelse, false);
            }
            other => {
                let mut children = SubExprs(Vec::new());
                visitor::walk_expr(&mut children, other);
                for c in children.0 {
                    self.visit(c, false);
                }
            }
        });
    }
}

/// The direct sub-expressions of an expression.
struct SubExprs<'a>(Vec<&'a Expr>);

impl<'a> Visitor<'a> for SubExprs<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        self.0.push(expr);
    }
}

fn describe(key: Option<&str>) -> String {
    match key {
        Some(k) => format!("environment variable `{k}`"),
        None => "an environment variable".to_string(),
    }
}

fn report(checker: &mut Checker, range: TextRange, what: &str, key: Option<&str>) {
    checker
        .report(
            format!("{what} {} treats every non-empty string, `\"0\"` and `\"false\"` included, as true", describe(key)),
            range,
        )
        .help("parse the value explicitly: `os.getenv(\"...\", \"\").strip().lower() in {\"1\", \"true\", \"yes\"}`");
}

fn report_bool_default(checker: &mut Checker, range: TextRange, key: Option<&str>) {
    checker
        .report(
            format!("A boolean default for {} is returned only when it is unset; when set, the value is a string, and `\"0\"` or `\"false\"` is true", describe(key)),
            range,
        )
        .help("read a string and parse it: `os.getenv(\"...\", \"false\").strip().lower() in {\"1\", \"true\", \"yes\"}`");
}
