//! PF501 `open-without-context-manager`: files, archives and sockets opened
//! without `with` (or another owner that closes them).

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::callee_in;
use crate::rules::pf5_resources::ownership::{leak_of, Leak};

pub struct OpenWithoutContextManager;

static META: RuleMeta = rule_meta(
    "PF501",
    "open-without-context-manager",
    Family::Resources,
    Tier::Core,
    FixAvailability::None,
    &["SIM115", "R1732"],
    "Files, temp files, archives and sockets opened without `with`.",
);

const OPENERS: &[&str] = &[
    "builtins.open",
    "io.open",
    "codecs.open",
    "os.fdopen",
    "pathlib.Path().open",
    "pathlib.PosixPath().open",
    "pathlib.WindowsPath().open",
    "tempfile.TemporaryFile",
    "tempfile.NamedTemporaryFile",
    "tempfile.SpooledTemporaryFile",
    "tempfile.TemporaryDirectory",
    "zipfile.ZipFile",
    "tarfile.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "socket.socket",
    "socket.create_connection",
    "urllib.request.urlopen",
    "aiofiles.open",
];

impl Rule for OpenWithoutContextManager {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[OPENERS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(target) = callee_in(checker, &call.func, OPENERS) else {
            return;
        };
        let Some(leak) = leak_of(checker, call, true) else {
            return;
        };
        let what = crate::blocking::display_name(target);
        let how = match leak {
            Leak::Temporary => "is used without being closed",
            Leak::Local => {
                "is bound to a local that is not closed in a `finally`, a `with` or by returning it"
            }
            Leak::Attribute => "is stored on `self` in a class with no `close`/`__exit__`",
            Leak::TransactionWith => "is not closed by its `with`",
        };
        checker
            .report(
                format!("The object `{what}(...)` returns {how}: it stays open until the garbage collector gets to it, and an exception skips a manual `close()`"),
                call.range(),
            )
            .help("open it in a `with` statement (`with open(...) as f:`), or hand it to `contextlib.ExitStack`");
    }
}
