//! PF601 `lru-cache-on-method`: `lru_cache`/`cache` on a method keeps every instance alive.

use pitfall_semantic::ScopeKind;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};

pub struct LruCacheOnMethod;

static META: RuleMeta = rule_meta(
    "PF601",
    "lru-cache-on-method",
    Family::Performance,
    Tier::Core,
    FixAvailability::None,
    &["B019", "W1518"],
    "`lru_cache`/`cache` on a method keeps every instance alive.",
);

impl Rule for LruCacheOnMethod {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        if def.decorator_list.is_empty()
            || checker.semantic().scope(checker.scope()).kind != ScopeKind::Class
        {
            return;
        }
        // Implicit static and class methods: no instance in the key.
        if matches!(
            def.name.id.as_str(),
            "__new__" | "__init_subclass__" | "__class_getitem__"
        ) {
            return;
        }
        let mut cache = None;
        for d in &def.decorator_list {
            let callee = match &d.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            // Methods have few decorators; aliases (`lru_cache as memo`) are resolved.
            match checker.qualified_name(callee).as_deref() {
                Some("builtins.staticmethod" | "builtins.classmethod") => return,
                Some(q @ ("functools.lru_cache" | "functools.cache")) => {
                    let unbounded = q == "functools.cache"
                        || matches!(&d.expression, Expr::Call(call)
                            if call.arguments.find_argument_value("maxsize", 0)
                                .is_some_and(|v| v.is_none_literal_expr()));
                    cache = Some((d.range(), unbounded));
                }
                _ => {}
            }
        }
        let Some((range, unbounded)) = cache else {
            return;
        };
        let name = &def.name.id;
        let growth = if unbounded {
            " and, unbounded, grows forever"
        } else {
            ""
        };
        checker
            .report(
                format!("Cache on method `{name}` holds a strong reference to every `self` it sees, so instances are never freed{growth}"),
                range,
            )
            .help("cache a module-level function keyed by the values that matter, or use `functools.cached_property` for per-instance results");
    }
}
