//! PF410 `naive-datetime`: `utcnow()`, `now()` without `tz` and other naive datetimes.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::last_segment;

pub struct NaiveDatetime;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "check-constructors",
        kind: OptionKind::Bool,
        doc: "Also report `datetime.datetime(...)` without `tzinfo` and `strptime` formats without `%z`.",
    }],
    ..rule_meta(
        "PF410",
        "naive-datetime",
        Family::Functions,
        Tier::Core,
        FixAvailability::None,
        &["DTZ001", "DTZ002", "DTZ003", "DTZ004", "DTZ005", "DTZ006", "DTZ007"],
        "`utcnow()`, `now()`/`fromtimestamp()` without `tz` and similar naive datetimes.",
    )
};

/// Last segments worth resolving.
const CANDIDATES: &[&str] = &[
    "utcnow",
    "utcfromtimestamp",
    "today",
    "now",
    "fromtimestamp",
    "datetime",
    "strptime",
];

impl Rule for NaiveDatetime {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[CANDIDATES])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(last) = last_segment(&call.func) else {
            return;
        };
        if !CANDIDATES.contains(&last)
            || matches!(last, "datetime" | "strptime") && !checker.option_bool("check-constructors")
        {
            return;
        }
        let Some(qualified) = checker.qualified_name(&call.func) else {
            return;
        };
        let Some(method) = qualified.strip_prefix("datetime.datetime") else {
            return;
        };
        let args = &call.arguments;
        let message = match method {
            ".utcnow" => "`datetime.utcnow()` returns a naive datetime (no timezone) that merely holds UTC wall-clock time",
            ".utcfromtimestamp" => "`datetime.utcfromtimestamp()` returns a naive datetime (no timezone) that merely holds UTC wall-clock time",
            ".today" => "`datetime.today()` returns a naive local datetime (no timezone)",
            ".now" if !has_tz(args, 0, "tz") => "`datetime.now()` without `tz` returns a naive local datetime",
            ".fromtimestamp" if !has_tz(args, 1, "tz") => "`datetime.fromtimestamp()` without `tz` returns a naive local datetime",
            "" if checker.option_bool("check-constructors") && !has_tz(args, 7, "tzinfo") => {
                "`datetime(...)` without `tzinfo` creates a naive datetime"
            }
            ".strptime" if checker.option_bool("check-constructors") && naive_format(args) => {
                "`datetime.strptime()` with a format without `%z` returns a naive datetime"
            }
            _ => return,
        };
        if made_aware(checker) {
            return;
        }
        checker
            .report(message, call.range())
            .help("create aware datetimes: `datetime.now(timezone.utc)`, `datetime.fromtimestamp(ts, tz=timezone.utc)` or a `zoneinfo.ZoneInfo`");
    }
}

/// The timezone argument is given (positionally at `position`, or by keyword) and is not `None`.
fn has_tz(args: &ast::Arguments, position: usize, keyword: &str) -> bool {
    if args.args.iter().any(|a| matches!(a, Expr::Starred(_)))
        || args.keywords.iter().any(|k| k.arg.is_none())
    {
        // `*args` / `**kwargs`: cannot tell, assume given.
        return true;
    }
    match args.find_argument_value(keyword, position) {
        Some(Expr::NoneLiteral(_)) | None => false,
        Some(_) => true,
    }
}

/// `strptime(text, "<literal without %z>")`.
fn naive_format(args: &ast::Arguments) -> bool {
    match args.find_argument_value("format", 1) {
        Some(Expr::StringLiteral(s)) => !s.value.to_str().contains("%z"),
        _ => false,
    }
}

/// The call is immediately chained with `.astimezone(...)` or `.replace(tzinfo=...)`.
fn made_aware(checker: &Checker) -> bool {
    let parents = checker.parents();
    let mut up = parents.iter().rev();
    let (Some(Node::Expr(Expr::Attribute(attr))), Some(Node::Expr(Expr::Call(outer)))) =
        (up.next(), up.next())
    else {
        return false;
    };
    if outer.func.range() != attr.range {
        return false;
    }
    match attr.attr.id.as_str() {
        "astimezone" => true,
        "replace" => outer
            .arguments
            .find_keyword("tzinfo")
            .is_some_and(|k| !matches!(k.value, Expr::NoneLiteral(_))),
        _ => false,
    }
}
