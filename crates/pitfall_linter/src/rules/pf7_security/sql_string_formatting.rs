//! PF702 `sql-string-formatting`: SQL built by string formatting and executed.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    argument, formatted_string, last_segment, name_value, qualified_callee,
};

pub struct SqlStringFormatting;

static META: RuleMeta = rule_meta(
    "PF702",
    "sql-string-formatting",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S608"],
    "SQL built by string formatting and executed (injection).",
);

/// Methods that take a query as their first argument, on any receiver
/// (cursors, connections and sessions are usually parameters).
const QUERY_METHODS: &[&str] = &[
    "execute",
    "executemany",
    "executescript",
    "mogrify",
    "raw",
    "fetch",
    "fetchrow",
    "fetchval",
    "query",
];

/// Functions that take a query, matched by qualified name.
const QUERY_FUNCTIONS: &[&str] = &[
    "sqlalchemy.text",
    "sqlalchemy.sql.text",
    "sqlalchemy.sql.expression.text",
    "pandas.read_sql",
    "pandas.read_sql_query",
];

const STATEMENT_KEYWORDS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "replace", "merge", "create", "drop", "alter",
    "truncate",
];

/// Clauses that start a fragment appended to a query under construction.
const CLAUSE_KEYWORDS: &[&str] = &[
    "where", "and", "or", "order by", "group by", "having", "limit", "offset", "set", "values",
];

const HELP: &str = "pass values as driver parameters (`?`, `%s`, `:name`) or bound parameters of `sqlalchemy.text()`";

impl Rule for SqlStringFormatting {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[
            // Fragments, query methods, and the last names of QUERY_FUNCTIONS.
            &["append"],
            QUERY_METHODS,
            &["text", "read_sql", "read_sql_query"],
        ])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(name) = last_segment(&call.func) else {
            return;
        };
        if name == "append" {
            check_fragment(checker, call);
            return;
        }
        let is_sink = match &*call.func {
            Expr::Attribute(_) if QUERY_METHODS.contains(&name) => true,
            _ if matches!(name, "text" | "read_sql" | "read_sql_query") => {
                qualified_callee(checker, &call.func, |_| true)
                    .is_some_and(|q| QUERY_FUNCTIONS.contains(&q.as_str()))
            }
            _ => false,
        };
        if !is_sink {
            return;
        }
        let Some(query) = argument(call, Some(0), &["sql", "query", "statement", "operation"])
        else {
            return;
        };
        let Some((built, keyword)) = interpolated_sql(checker, query, 0) else {
            return;
        };
        let via = if built.range() == query.range() {
            String::new()
        } else {
            format!(" (through `{}`)", checker.slice(query.range()))
        };
        checker
            .report(
                format!("{} query built by string formatting is passed to `{name}`{via}: interpolated values can change the statement (SQL injection)", keyword.to_ascii_uppercase()),
                built.range(),
            )
            .help(HELP);
    }
}

/// The formatted SQL string `expr` is (or a local bound to it holds), with its statement keyword.
fn interpolated_sql<'a>(
    checker: &Checker<'a>,
    expr: &'a Expr,
    depth: u32,
) -> Option<(&'a Expr, &'static str)> {
    if let Expr::Name(name) = expr {
        if depth > 2 {
            return None;
        }
        let value = name_value(checker, name)?;
        return interpolated_sql(checker, value, depth + 1);
    }
    let formatted = formatted_string(expr)?;
    let keyword = leading_keyword(&formatted.prefix, STATEMENT_KEYWORDS)?;
    if formatted.values.iter().all(|v| is_constant_name(v)) {
        return None;
    }
    Some((expr, keyword))
}

/// `parts.append(f"WHERE {x}")` in a module that joins `parts` into a query.
fn check_fragment(checker: &mut Checker, call: &ast::ExprCall) {
    let [fragment] = &*call.arguments.args else {
        return;
    };
    let Some(formatted) = formatted_string(fragment) else {
        return;
    };
    // Fragments are told from prose by SQL's upper-case convention.
    let Some(keyword) = leading_keyword(&formatted.prefix, CLAUSE_KEYWORDS) else {
        return;
    };
    let written = formatted
        .prefix
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    if !written[..keyword.len()]
        .chars()
        .all(|c| !c.is_ascii_lowercase())
    {
        return;
    }
    if formatted.values.iter().all(|v| is_constant_name(v)) {
        return;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    let list = match &*attr.value {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return,
    };
    if !joined_somewhere(checker, list) {
        return;
    }
    checker
        .report(
            format!("SQL fragment `{} ...` built by string formatting is appended to `{list}`, which is joined into a query: interpolated values can change the statement (SQL injection)", keyword.to_ascii_uppercase()),
            fragment.range(),
        )
        .help(HELP);
}

/// Whether some `sep.join(...)` call in the module mentions `list`.
fn joined_somewhere(checker: &Checker, list: &str) -> bool {
    // `" ".join(...)` has a literal receiver, so look at the callee's text.
    checker.semantic().calls.iter().any(|site| {
        checker.slice(site.func_range).ends_with(".join") && {
            let args = &checker.source()
                [ruff_text_size::TextRange::new(site.func_range.end(), site.range.end())];
            args.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == list)
        }
    })
}

/// The keyword `text` starts with (after whitespace and `(`), case-insensitive.
fn leading_keyword(text: &str, keywords: &[&'static str]) -> Option<&'static str> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    keywords.iter().copied().find(|k| {
        trimmed.len() >= k.len()
            && trimmed.is_char_boundary(k.len())
            && trimmed[..k.len()].eq_ignore_ascii_case(k)
            && trimmed[k.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '(')
    })
}

/// `TABLE`, `self.COLUMNS`: an upper-case name, by convention a constant.
fn is_constant_name(expr: &Expr) -> bool {
    let name = match expr {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod call_name_tests {
    use super::*;

    #[test]
    fn call_names_cover_the_query_methods_and_functions() {
        let names = SqlStringFormatting.interests().call_names.concat();
        assert!(QUERY_METHODS.iter().all(|m| names.contains(m)));
        assert!(QUERY_FUNCTIONS
            .iter()
            .all(|f| names.contains(&f.rsplit('.').next().unwrap_or(f))));
    }
}
