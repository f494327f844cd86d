//! PF704 `unsafe-deserialization`: loading pickle-like formats, which can run code.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{callee_in, has_kwargs_splat, is_true, keyword};

pub struct UnsafeDeserialization;

static META: RuleMeta = rule_meta(
    "PF704",
    "unsafe-deserialization",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S301", "S302", "S403"],
    "`pickle`, `marshal`, `shelve`, `dill`, `joblib`, `torch.load` on data.",
);

const LOADERS: &[&str] = &[
    "pickle.load",
    "pickle.loads",
    "pickle.Unpickler",
    "_pickle.load",
    "_pickle.loads",
    "_pickle.Unpickler",
    "dill.load",
    "dill.loads",
    "shelve.open",
    "marshal.load",
    "marshal.loads",
    "jsonpickle.decode",
    "pandas.read_pickle",
    "joblib.load",
    "numpy.load",
    "torch.load",
];

impl Rule for UnsafeDeserialization {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[LOADERS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(target) = callee_in(checker, &call.func, LOADERS) else {
            return;
        };
        let note = match target {
            // `numpy.load` refuses pickles unless asked to.
            "numpy.load" => {
                if !keyword(call, "allow_pickle").is_some_and(is_true) {
                    return;
                }
                ", and `allow_pickle=True` lets the file do it"
            }
            "torch.load" => {
                if keyword(call, "weights_only").is_some_and(is_true) || has_kwargs_splat(call) {
                    return;
                }
                " unless `weights_only=True` (the default only from PyTorch 2.6)"
            }
            _ => "",
        };
        let shown = target.strip_prefix('_').unwrap_or(target);
        checker
            .report(
                format!("`{shown}` can construct arbitrary objects and run code from the data{note}"),
                call.range(),
            )
            .help("load only data you produced yourself; at trust boundaries use JSON, msgpack or a validated schema");
    }
}
