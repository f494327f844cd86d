//! PF801 `print-instead-of-logging`: `print`/`pprint` in a library module.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{argument, in_script_context, last_segment};
use crate::settings::directories;

pub struct PrintInsteadOfLogging;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "script-dirs",
        kind: OptionKind::StringList,
        doc: "Directory names whose files are scripts, in addition to scripts, bin, tools, examples, docs and the test directories.",
    }],
    ..rule_meta(
        "PF801",
        "print-instead-of-logging",
        Family::Logging,
        Tier::Core,
        FixAvailability::None,
        &["T201", "T203"],
        "`print`/`pprint` in library modules instead of `logging`.",
    )
};

/// Directories whose files are run, not imported.
pub const SCRIPT_DIRS: &[&str] = &[
    "scripts", "script", "bin", "tools", "examples", "example", "docs", "doc",
];

impl Rule for PrintInsteadOfLogging {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[&["print", "pprint", "pp"]])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if !matches!(last_segment(&call.func), Some("print" | "pprint" | "pp"))
            || !is_library_module(checker)
        {
            return;
        }
        let what = match checker.qualified_name(&call.func).as_deref() {
            Some("builtins.print") => "print",
            Some("pprint.pprint") => "pprint.pprint",
            Some("pprint.pp") => "pprint.pp",
            _ => return,
        };
        // `print(..., file=log)`, `pprint(obj, stream)`: written where the caller chose.
        let stream = if what == "print" {
            argument(call, None, &["file"])
        } else {
            argument(call, None, &["stream"]).or(call.arguments.args.get(1))
        };
        if let Some(file) = stream {
            let to_console = checker
                .qualified_name(file)
                .is_some_and(|q| matches!(q.as_str(), "sys.stdout" | "sys.stderr"));
            if !to_console {
                return;
            }
        }
        if in_script_context(checker, call.range()) {
            return;
        }
        checker
            .report(
                format!("`{what}` in a library module writes unstructured text to standard output, with no level, logger name or way to filter it"),
                call.func.range(),
            )
            .help("use a module logger: `logger = logging.getLogger(__name__)`, then `logger.info(...)` or `logger.debug(...)`");
    }
}

/// A module of a package that is neither `__main__.py`, a test, nor under a script directory.
fn is_library_module(checker: &Checker) -> bool {
    if !checker.file().in_package || checker.file().is_script_target {
        return false;
    }
    let role = checker.file_role();
    if role.is_main_module || role.is_test {
        return false;
    }
    let extra = checker.option_strings("script-dirs");
    !directories(checker.project_path())
        .any(|d| SCRIPT_DIRS.contains(&d) || extra.iter().any(|e| e == d))
}
