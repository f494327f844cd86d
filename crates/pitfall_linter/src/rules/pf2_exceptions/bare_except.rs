//! PF201 `bare-except`: `except:` catches interrupts, exits and cancellation.

use ruff_python_ast::ExceptHandler;
use ruff_text_size::{TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{always_raises, in_async_function, is_bare_raise};

pub struct BareExcept;

static META: RuleMeta = rule_meta(
    "PF201",
    "bare-except",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::Unsafe,
    &["E722", "B001", "W0702"],
    "`except:` catches interrupts, exits and cancellation along with real errors.",
);

impl Rule for BareExcept {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.except_handler()
    }

    fn check_except_handler(&self, checker: &mut Checker, handler: &ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if h.type_.is_some() || always_raises(&h.body, is_bare_raise) {
            return;
        }
        let in_coroutine = in_async_function(checker);
        let message = if in_coroutine {
            "Bare `except:` catches `KeyboardInterrupt`, `SystemExit` and task cancellation (`asyncio.CancelledError`) too"
        } else {
            "Bare `except:` catches `KeyboardInterrupt` and `SystemExit` too"
        };
        // `except` keyword: the first six bytes of the handler.
        let keyword = TextRange::at(h.range.start(), TextSize::new(6));
        checker
            .report(message, keyword)
            .help("catch the exceptions you can handle, e.g. `except ValueError:` (at most `except Exception:`)")
            .fix(Fix {
            message: "Replace with `except Exception:`".to_string(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: keyword,
                content: "except Exception".to_string(),
            }],
        });
    }
}
