//! PF205 `assert-for-validation`: checking a public function's arguments with
//! `assert`, which `python -O` removes.

use pitfall_semantic::{BindingKind, Lookup, ScopeKind};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{ends_line, own_line_indent};

pub struct AssertForValidation;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "test-file-patterns",
        kind: OptionKind::StringList,
        doc: "More path patterns (`*` wildcards) of test files, where asserts are the norm.",
    }],
    ..rule_meta(
        "PF205",
        "assert-for-validation",
        Family::Exceptions,
        Tier::Core,
        FixAvailability::Sometimes,
        &["S101"],
        "Input validation with `assert`, which `-O` removes.",
    )
};

/// Test files by default: matched against the file name and every directory of the path.
const TEST_FILE_NAMES: &[&str] = &["test_*.py", "*_test.py", "conftest.py", "tests.py"];
const TEST_DIRECTORIES: &[&str] = &["tests", "test", "testing"];

impl Rule for AssertForValidation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Assert)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Assert(assert) = stmt else { return };
        let semantic = checker.semantic();
        let Some(function) = semantic.enclosing_function(checker.scope()) else {
            return;
        };
        let scope = semantic.scope(function);
        if !matches!(scope.kind, ScopeKind::Function { .. })
            || scope.name.as_ref().is_none_or(|n| n.starts_with('_'))
        {
            return;
        }
        if under_type_checking(checker) || is_test_file(checker) {
            return;
        }
        // Parameters read by the test, other than the method receiver.
        let receiver = scope.receiver.as_ref().map(|(n, _)| n.as_str());
        let mut names = ParameterReads {
            checker,
            function,
            receiver,
            found: None,
        };
        names.visit_expr(&assert.test);
        let Some(parameter) = names.found else { return };
        let fix = raise_fix(checker, assert);
        let d = checker
            .report(
                format!(
                    "`assert` validates parameter `{parameter}`: it is removed under `python -O`, and bad input then passes"
                ),
                assert.range,
            )
            .help("raise an exception instead: `if not <condition>: raise ValueError(...)`");
        if let Some(fix) = fix {
            d.fix(fix);
        }
    }
}

struct ParameterReads<'c, 'a> {
    checker: &'c Checker<'a>,
    function: pitfall_semantic::ScopeId,
    receiver: Option<&'c str>,
    found: Option<String>,
}

impl<'e> Visitor<'e> for ParameterReads<'_, '_> {
    fn visit_expr(&mut self, expr: &'e Expr) {
        if self.found.is_some() {
            return;
        }
        if let Expr::Name(n) = expr {
            if n.ctx == ExprContext::Load && Some(n.id.as_str()) != self.receiver {
                let semantic = self.checker.semantic();
                if let Lookup::Binding(b) = semantic.lookup(self.checker.scope(), &n.id, n.start())
                {
                    let binding = semantic.binding(b);
                    if binding.kind == BindingKind::Parameter && binding.scope == self.function {
                        self.found = Some(n.id.to_string());
                    }
                }
            }
            return;
        }
        // Names inside a lambda or comprehension belong to its own scope.
        if matches!(
            expr,
            Expr::Lambda(_)
                | Expr::ListComp(_)
                | Expr::SetComp(_)
                | Expr::DictComp(_)
                | Expr::Generator(_)
        ) {
            return;
        }
        pitfall_semantic::stack::guarded(|| visitor::walk_expr(self, expr));
    }
}

/// Inside `if TYPE_CHECKING:`.
fn under_type_checking(checker: &Checker) -> bool {
    checker.parents().iter().any(|node| {
        matches!(node, Node::Stmt(Stmt::If(i)) if match &*i.test {
            Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
            Expr::Attribute(a) => a.attr.as_str() == "TYPE_CHECKING",
            _ => false,
        })
    })
}

fn is_test_file(checker: &Checker) -> bool {
    let path = checker.display_path().replace('\\', "/");
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or("");
    if TEST_FILE_NAMES.iter().any(|p| glob_match(p, file))
        || parts.any(|dir| TEST_DIRECTORIES.contains(&dir))
    {
        return true;
    }
    checker
        .option_strings("test-file-patterns")
        .iter()
        .any(|p| glob_match(p, &path) || glob_match(p, file))
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(text) = text.strip_prefix(head) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    (0..=text.len())
        .filter(|i| text.is_char_boundary(*i))
        .any(|i| glob_match(rest, &text[i..]))
}

/// `assert cond, msg` → `if not cond:` / `raise ValueError(msg)`, when the
/// assert has its own line.
fn raise_fix(checker: &Checker, assert: &ruff_python_ast::StmtAssert) -> Option<Fix> {
    let indent = own_line_indent(checker, assert.range)?;
    if !ends_line(checker, assert.range) {
        return None;
    }
    let test = checker.slice(assert.test.range());
    let negated = match &*assert.test {
        Expr::Name(_)
        | Expr::Attribute(_)
        | Expr::Call(_)
        | Expr::Subscript(_)
        | Expr::Compare(_) => {
            format!("not {test}")
        }
        _ => format!("not ({test})"),
    };
    let message = assert
        .msg
        .as_ref()
        .map_or(String::new(), |m| checker.slice(m.range()).to_string());
    let step = if indent.contains('\t') { "\t" } else { "    " };
    Some(Fix {
        message: "Replace with `if not ...: raise ValueError(...)`".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::new(assert.start(), assert.end()),
            content: format!("if {negated}:\n{indent}{step}raise ValueError({message})"),
        }],
    })
}
