//! PF709 `insecure-tempfile`: `tempfile.mktemp()` only invents a name (a race).

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::callee_in;

pub struct InsecureTempfile;

static META: RuleMeta = rule_meta(
    "PF709",
    "insecure-tempfile",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S306"],
    "`tempfile.mktemp()` race.",
);

const MKTEMP: &[&str] = &["tempfile.mktemp"];

impl Rule for InsecureTempfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[MKTEMP])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if callee_in(checker, &call.func, MKTEMP).is_none() {
            return;
        }
        checker
            .report(
                "`tempfile.mktemp()` returns a name that another process can create or symlink before you open it",
                call.range(),
            )
            .help("create the file atomically with `tempfile.mkstemp()`, `NamedTemporaryFile()` or `TemporaryDirectory()`");
    }
}
