//! PF203 `broad-exception-caught`: `except Exception`/`BaseException` that
//! neither re-raises nor records the traceback.

use ruff_python_ast::ExceptHandler;
use ruff_text_size::{TextRange, TextSize};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    always_raises, contains_raise, handler_report, handler_types, in_async_function, is_any_raise,
    is_empty_handler_body, try_of_handler,
};

pub struct BroadExceptionCaught;

static META: RuleMeta = rule_meta(
    "PF203",
    "broad-exception-caught",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::None,
    &["BLE001", "B036", "W0718"],
    "`except Exception`/`BaseException` that neither re-raises nor logs the traceback.",
);

#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Broad {
    Exception,
    BaseException,
}

impl Rule for BroadExceptionCaught {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.except_handler()
    }

    fn check_except_handler(&self, checker: &mut Checker, handler: &ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        let Some(type_) = &h.type_ else { return };
        let mut broadest = None;
        for t in handler_types(type_) {
            // Cheap pre-filter: only these two names can resolve to the builtins.
            let name = match t {
                ruff_python_ast::Expr::Name(n) => n.id.as_str(),
                ruff_python_ast::Expr::Attribute(a) => a.attr.as_str(),
                _ => continue,
            };
            if !matches!(name, "Exception" | "BaseException") {
                continue;
            }
            let broad = match checker.qualified_name(t).as_deref() {
                Some("builtins.Exception") => Broad::Exception,
                Some("builtins.BaseException") => Broad::BaseException,
                _ => continue,
            };
            broadest = broadest.max(Some(broad));
        }
        let Some(broad) = broadest else { return };
        if is_empty_handler_body(&h.body) || contains_raise(&h.body) {
            return;
        }
        // `except (SystemExit, KeyboardInterrupt): raise` before it leaves
        // `BaseException` catching what `Exception` does, plus cancellation.
        let broad = if broad == Broad::BaseException && interrupts_reraised_before(checker, handler)
        {
            Broad::Exception
        } else {
            broad
        };
        if broad == Broad::Exception {
            let report = handler_report(checker, &h.body, h.name.as_ref().map(|n| n.id.as_str()));
            if report.logs_traceback || report.hands_on_exception {
                return;
            }
        }
        let caught = match broad {
            Broad::Exception => "Exception",
            Broad::BaseException => "BaseException",
        };
        let message = match (broad, in_async_function(checker)) {
            (Broad::BaseException, true) => format!(
                "`except {caught}` swallows every error, interrupts and task cancellation (`asyncio.CancelledError`) without re-raising"
            ),
            (Broad::BaseException, false) => format!(
                "`except {caught}` swallows every error and `KeyboardInterrupt`/`SystemExit` without re-raising"
            ),
            (Broad::Exception, _) => format!(
                "`except {caught}` handles every error, bugs included, and neither re-raises nor logs the traceback"
            ),
        };
        let help = match broad {
            Broad::Exception => "catch the exceptions this code can handle, or log with `logger.exception(...)` / re-raise at a boundary",
            Broad::BaseException => "catch `Exception` or narrower, or re-raise with `raise` after cleaning up",
        };
        let keyword = TextRange::at(h.range.start(), TextSize::of("except"));
        checker.report(message, keyword).help(help);
    }
}

/// An earlier handler of the same `try` catches `SystemExit` and
/// `KeyboardInterrupt` and always re-raises.
fn interrupts_reraised_before(checker: &Checker, handler: &ExceptHandler) -> bool {
    let Some(try_) = try_of_handler(checker) else {
        return false;
    };
    try_.handlers
        .iter()
        .take_while(|h| !std::ptr::eq(*h, handler))
        .any(|h| {
            let ExceptHandler::ExceptHandler(h) = h;
            let Some(type_) = &h.type_ else { return false };
            let names: Vec<String> = handler_types(type_)
                .iter()
                .filter_map(|t| checker.qualified_name(t))
                .collect();
            let has = |n: &str| names.iter().any(|q| q == n);
            has("builtins.SystemExit")
                && has("builtins.KeyboardInterrupt")
                && always_raises(&h.body, is_any_raise)
        })
}
