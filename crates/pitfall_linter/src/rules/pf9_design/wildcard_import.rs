//! PF903 `wildcard-import`: `from module import *` outside a package's `__init__.py`.

use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};

pub struct WildcardImport;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "allow-in-init",
        kind: OptionKind::Bool,
        doc: "Allow star imports in `__init__.py`, where they re-export a package's API (default true).",
    }],
    ..rule_meta(
        "PF903",
        "wildcard-import",
        Family::Design,
        Tier::Core,
        FixAvailability::None,
        &["F403", "F405", "W0401"],
        "`from module import *` outside `__init__.py`.",
    )
};

impl Rule for WildcardImport {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::ImportFrom)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::ImportFrom(import) = stmt else {
            return;
        };
        let Some(star) = import.names.iter().find(|a| a.name.as_str() == "*") else {
            return;
        };
        if checker.is_stub()
            || (checker.file_role().is_package_init
                && checker.option_bool_or("allow-in-init", true))
        {
            return;
        }
        let dots = ".".repeat(import.level as usize);
        let module = import.module.as_ref().map_or("", |m| m.as_str());
        checker
            .report(
                format!("`from {dots}{module} import *` pulls an unknown set of names into this module: readers and tools cannot tell where a name comes from, and later imports silently override earlier ones"),
                star.range(),
            )
            .help("import the names you use: `from module import name, other`");
    }
}
