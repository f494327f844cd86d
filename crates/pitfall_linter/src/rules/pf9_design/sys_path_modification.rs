//! PF909 `sys-path-modification`: `sys.path` edited so that imports work.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{last_segment, path_matches_any};
use crate::settings::directories;

pub struct SysPathModification;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "allowed-files",
        kind: OptionKind::StringList,
        doc: "Glob patterns of files that may edit `sys.path` (besides conftest.py, docs/conf.py, setup.py, noxfile.py).",
    }],
    ..rule_meta(
        "PF909",
        "sys-path-modification",
        Family::Design,
        Tier::Core,
        FixAvailability::None,
        &[],
        "`sys.path` edited to make imports work.",
    )
};

impl Rule for SysPathModification {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .call_names(&[&["append", "insert", "extend", "addsitedir"]])
            .stmt(StmtKind::Assign)
            .stmt(StmtKind::AugAssign)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if !matches!(
            last_segment(&call.func),
            Some("append" | "insert" | "extend" | "addsitedir")
        ) {
            return;
        }
        let Some(q) = checker.qualified_name(&call.func) else {
            return;
        };
        let what = match q.as_str() {
            "sys.path.append" | "sys.path.insert" | "sys.path.extend" => &q[..],
            "site.addsitedir" => "site.addsitedir",
            _ => return,
        };
        report(checker, call.range(), &format!("`{what}()`"));
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let (targets, augmented): (&[Expr], bool) = match stmt {
            Stmt::Assign(a) => (&a.targets, false),
            Stmt::AugAssign(a) => (std::slice::from_ref(&*a.target), true),
            _ => return,
        };
        for target in targets {
            // `sys.path = [...]`, `sys.path += [...]`, `sys.path[:0] = [...]`.
            let (path_expr, slice) = match target {
                Expr::Subscript(s) => (&*s.value, true),
                other => (other, false),
            };
            if last_segment(path_expr) != Some("path")
                || checker.qualified_name(path_expr).as_deref() != Some("sys.path")
            {
                continue;
            }
            let what = match (augmented, slice) {
                (true, _) => "Extending `sys.path` with `+=`",
                (false, true) => "Assigning into `sys.path`",
                (false, false) => "Replacing `sys.path`",
            };
            report(checker, target.range(), what);
        }
    }
}

fn report(checker: &mut Checker, range: TextRange, what: &str) {
    if is_allowed_file(checker) {
        return;
    }
    checker
        .report(
            format!("{what} makes imports depend on one directory layout and working directory, and can import the same file under two module names"),
            range,
        )
        .help("make the code an installable package (`pip install -e .`) and run it with `python -m package.module`");
}

/// Files whose job is to set up paths: test and build configuration.
fn is_allowed_file(checker: &Checker) -> bool {
    let path = checker.project_path();
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match file {
        "conftest.py" | "setup.py" | "noxfile.py" => return true,
        "conf.py"
            if directories(path)
                .next()
                .is_some_and(|d| d == "docs" || d == "doc") =>
        {
            return true
        }
        _ => {}
    }
    path_matches_any(path, checker.option_strings("allowed-files"))
}
