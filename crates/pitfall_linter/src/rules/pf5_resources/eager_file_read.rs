//! PF503 `eager-file-read`: a whole file read into memory where one pass
//! over its lines would do.

use pitfall_semantic::Resolved;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{ancestors_of, string_value};

pub struct EagerFileRead;

static META: RuleMeta = rule_meta(
    "PF503",
    "eager-file-read",
    Family::Resources,
    Tier::Core,
    FixAvailability::Sometimes,
    &["FURB129"],
    "`readlines()`/`read().splitlines()` where iterating the file would do.",
);

/// What `open(...)`-like calls resolve to once called.
const FILE_OBJECTS: &[&str] = &[
    "builtins.open()",
    "io.open()",
    "codecs.open()",
    "pathlib.Path().open()",
];

const HELP: &str = "iterate the file object itself (`for line in f:`), and yield results instead of building a list";

impl Rule for EagerFileRead {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::For)
            .stmt(StmtKind::Return)
            .stmt(StmtKind::Assign)
            .expr(ExprKind::ListComp)
            .expr(ExprKind::SetComp)
            .expr(ExprKind::DictComp)
            .expr(ExprKind::Generator)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        match stmt {
            Stmt::For(f) => check_iterable(checker, &f.iter),
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    check_returned(checker, value);
                }
            }
            Stmt::Assign(a) => check_single_loop_binding(checker, a),
            _ => {}
        }
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let generators = match expr {
            Expr::ListComp(c) => &c.generators,
            Expr::SetComp(c) => &c.generators,
            Expr::DictComp(c) => &c.generators,
            Expr::Generator(c) => &c.generators,
            _ => return,
        };
        for g in generators {
            check_iterable(checker, &g.iter);
        }
    }
}

fn is_file_object(checker: &Checker, expr: &Expr) -> bool {
    matches!(checker.resolve(expr), Some(Resolved::Qualified(q)) if FILE_OBJECTS.contains(&q.as_str()))
}

/// `F.readlines()`: the receiver `F`.
fn readlines_receiver<'a>(checker: &Checker, expr: &'a Expr) -> Option<&'a Expr> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    (attr.attr.as_str() == "readlines"
        && call.arguments.is_empty()
        && is_file_object(checker, &attr.value))
    .then_some(&*attr.value)
}

/// `F.read().splitlines()`, `F.read().split("\n")`, `P.read_text().splitlines()`.
fn is_whole_text_split(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    let splits = match attr.attr.as_str() {
        "splitlines" => call.arguments.is_empty(),
        "split" => {
            call.arguments.keywords.is_empty()
                && matches!(&*call.arguments.args, [sep] if string_value(sep) == Some("\n"))
        }
        _ => false,
    };
    if !splits {
        return false;
    }
    let Expr::Call(read) = &*attr.value else {
        return false;
    };
    let Expr::Attribute(read_attr) = &*read.func else {
        return false;
    };
    match read_attr.attr.as_str() {
        "read" => read.arguments.is_empty() && is_file_object(checker, &read_attr.value),
        "read_text" => {
            checker.qualified_name(&read.func).as_deref() == Some("pathlib.Path().read_text")
        }
        _ => false,
    }
}

fn check_iterable(checker: &mut Checker, iter: &Expr) {
    if let Some(receiver) = readlines_receiver(checker, iter) {
        let fix = matches!(receiver, Expr::Name(_)).then(|| Fix {
            message: "Iterate the file object".to_string(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                range: iter.range(),
                content: checker.slice(receiver.range()).to_string(),
            }],
        });
        let diagnostic = checker.report(
            "`readlines()` reads the whole file into a list only to loop over it: memory grows with the file",
            iter.range(),
        );
        diagnostic.help(HELP);
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
    } else if is_whole_text_split(checker, iter) {
        report(
            checker,
            iter.range(),
            "The whole file is read and split into lines only to loop over them: memory grows with the file",
        );
    }
}

/// `return f.readlines()`, `return list(f)`, `return [line for line in f]`.
fn check_returned(checker: &mut Checker, value: &Expr) {
    let eager = match value {
        Expr::Call(call) => {
            readlines_receiver(checker, value).is_some()
                || matches!(&*call.arguments.args, [file] if call.arguments.keywords.is_empty()
                    && crate::rules::common::is_builtin(checker, &call.func, "list")
                    && is_file_object(checker, file))
        }
        Expr::ListComp(c) => {
            matches!(&*c.generators, [g] if is_file_object(checker, &g.iter))
        }
        _ => false,
    };
    if eager {
        report(
            checker,
            value.range(),
            "Every line of the file is collected into a list to be returned: memory grows with the file",
        );
    }
}

/// `lines = f.readlines()` whose only use is the iterable of one loop.
fn check_single_loop_binding(checker: &mut Checker, assign: &ast::StmtAssign) {
    let [Expr::Name(target)] = &*assign.targets else {
        return;
    };
    if readlines_receiver(checker, &assign.value).is_none() {
        return;
    }
    let semantic = checker.semantic();
    let Some(symbol) = semantic.symbol_in(checker.scope(), target.id.as_str()) else {
        return;
    };
    let ([_], [only_use]) = (semantic.bindings_of(symbol), semantic.uses_of(symbol)) else {
        return;
    };
    let use_range = semantic.use_(*only_use).range;
    let ancestors = ancestors_of(checker.module(), use_range);
    let is_loop_iterable = match ancestors.iter().rev().nth(1) {
        Some(Node::Stmt(Stmt::For(f))) => f.iter.range() == use_range,
        _ => false,
    };
    if is_loop_iterable {
        report(
            checker,
            assign.value.range(),
            &format!("`{}` holds every line of the file but is only looped over once: memory grows with the file", target.id),
        );
    }
}

fn report(checker: &mut Checker, range: TextRange, message: &str) {
    checker.report(message, range).help(HELP);
}
