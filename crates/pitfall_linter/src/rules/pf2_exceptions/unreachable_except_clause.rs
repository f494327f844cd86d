//! PF207 `unreachable-except-clause`: a handler after one for its base class.

use pitfall_semantic::{Resolved, ScopeId, SemanticIndex};
use ruff_python_ast::{ExceptHandler, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::hierarchy::{canonical, derives_from};
use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::handler_types;

pub struct UnreachableExceptClause;

static META: RuleMeta = rule_meta(
    "PF207",
    "unreachable-except-clause",
    Family::Exceptions,
    Tier::Core,
    FixAvailability::None,
    &["E0701", "F707"],
    "A handler after one for its base class can never run.",
);

/// An exception class as far as it can be told statically.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Class {
    /// A qualified name (canonical: aliases folded).
    Named(String),
    /// A class defined in this module.
    Project(ScopeId),
}

/// One earlier handler: its classes (`None`: bare `except:`), its range.
struct Earlier {
    classes: Option<Vec<Class>>,
    range: TextRange,
    text: String,
}

impl Rule for UnreachableExceptClause {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::Try)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Try(t) = stmt else { return };
        if t.handlers.len() < 2 {
            return;
        }
        let mut earlier: Vec<Earlier> = Vec::with_capacity(t.handlers.len());
        for handler in &t.handlers {
            let ExceptHandler::ExceptHandler(h) = handler;
            let classes = h.type_.as_ref().map(|type_| {
                handler_types(type_)
                    .iter()
                    .map(|e| resolve_class(checker, e))
                    .collect::<Option<Vec<Class>>>()
            });
            let keyword = TextRange::at(h.range.start(), TextSize::of("except"));
            let text = h.type_.as_ref().map_or("except:".to_string(), |e| {
                format!("except {}", checker.slice(e.range()))
            });
            // A handler whose classes are not all known is never reported,
            // but a bare or `BaseException` one still shadows the rest.
            let classes = match classes {
                None => None,
                Some(Some(cs)) => Some(cs),
                Some(None) => {
                    if let Some(first) = earlier.iter().find(|e| catches_all(e)) {
                        report(checker, keyword, &text, first);
                    }
                    earlier.push(Earlier {
                        classes: Some(Vec::new()),
                        range: keyword,
                        text,
                    });
                    continue;
                }
            };
            let shadow = classes.as_ref().map_or_else(
                || earlier.iter().find(|e| catches_all(e)),
                |cs| {
                    earlier.iter().find(|e| {
                        catches_all(e)
                            || !cs.is_empty()
                                && cs.iter().all(|c| {
                                    e.classes.as_ref().is_some_and(|ecs| {
                                        ecs.iter()
                                            .any(|ec| is_subclass(checker.semantic(), c, ec, 0))
                                    })
                                })
                    })
                },
            );
            if let Some(first) = shadow {
                report(checker, keyword, &text, first);
            }
            earlier.push(Earlier {
                classes,
                range: keyword,
                text,
            });
        }
    }
}

fn report(checker: &mut Checker, keyword: TextRange, text: &str, first: &Earlier) {
    let line = checker.line_of(first.range.start());
    let message = format!(
        "`{text}` can never run: `{}` on line {line} already catches everything it would",
        first.text
    );
    checker
        .report(message, keyword)
        .help("put the more specific handler first, or remove the dead one");
}

/// A bare `except:` or `except BaseException`.
fn catches_all(e: &Earlier) -> bool {
    match &e.classes {
        None => true,
        Some(cs) => cs
            .iter()
            .any(|c| matches!(c, Class::Named(n) if n == "builtins.BaseException")),
    }
}

fn resolve_class(checker: &Checker, expr: &ruff_python_ast::Expr) -> Option<Class> {
    match checker.resolve(expr)? {
        Resolved::Qualified(q) => Some(Class::Named(canonical(&q).to_string())),
        Resolved::Class(c) => Some(Class::Project(c)),
        _ => None,
    }
}

/// `class` is `ancestor` or derives from it, as far as is known.
fn is_subclass(semantic: &SemanticIndex, class: &Class, ancestor: &Class, depth: u32) -> bool {
    if class == ancestor {
        return true;
    }
    if depth > 16 {
        return false;
    }
    match (class, ancestor) {
        (Class::Named(c), Class::Named(a)) => derives_from(c, a),
        (Class::Named(_), Class::Project(_)) => false,
        (Class::Project(scope), _) => semantic.scope(*scope).bases.iter().any(|base| {
            let base = match semantic.resolve_path(base, 0) {
                Some(Resolved::Qualified(q)) => Class::Named(canonical(&q).to_string()),
                Some(Resolved::Class(c)) => Class::Project(c),
                _ => return false,
            };
            is_subclass(semantic, &base, ancestor, depth + 1)
        }),
    }
}
