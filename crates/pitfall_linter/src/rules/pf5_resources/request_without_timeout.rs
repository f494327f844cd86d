//! PF504 `request-without-timeout`: outbound HTTP calls that can wait forever.

use pitfall_semantic::Resolved;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Fix};
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    add_argument_edit, argument, has_args_splat, has_kwargs_splat, keyword,
};

pub struct RequestWithoutTimeout;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "default-timeout",
        kind: OptionKind::Integer,
        doc: "Seconds the fix passes as `timeout=` (default 10).",
    }],
    ..rule_meta(
        "PF504",
        "request-without-timeout",
        Family::Resources,
        Tier::Core,
        FixAvailability::Unsafe,
        &["S113", "W3101"],
        "`requests`/`urlopen` calls without a timeout.",
    )
};

const VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// With [`VERBS`], the callee names worth resolving: the rest of
/// [`policy`]'s methods.
const OTHER_NAMES: &[&str] = &[
    "urlopen",
    "create_connection",
    "Client",
    "AsyncClient",
    "stream",
    "send",
];

fn may_match(name: &str) -> bool {
    VERBS.contains(&name) || OTHER_NAMES.contains(&name)
}

enum Policy {
    /// Waits forever unless given a timeout.
    Required,
    /// Has a default; only an explicit `timeout=None` removes it.
    ExplicitNone,
}

fn policy(q: &str) -> Option<(Policy, Option<usize>)> {
    let (receiver, method) = q.rsplit_once('.')?;
    if (receiver == "requests"
        || receiver == "requests.Session()"
        || receiver == "requests.session()")
        && VERBS.contains(&method)
    {
        return Some((Policy::Required, None));
    }
    match q {
        "urllib.request.urlopen" => return Some((Policy::Required, Some(2))),
        "socket.create_connection" => return Some((Policy::Required, Some(1))),
        "httpx.Client" | "httpx.AsyncClient" => return Some((Policy::ExplicitNone, None)),
        _ => {}
    }
    let httpx_call = receiver == "httpx" && (VERBS.contains(&method) || method == "stream")
        || matches!(receiver, "httpx.Client()" | "httpx.AsyncClient()")
            && (VERBS.contains(&method) || matches!(method, "stream" | "send"));
    httpx_call.then_some((Policy::ExplicitNone, None))
}

impl Rule for RequestWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[VERBS, OTHER_NAMES])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(name) = crate::rules::common::last_segment(&call.func) else {
            return;
        };
        if !may_match(name) {
            return;
        }
        // Sessions of project subclasses resolve to a project class: they may set a default.
        let Some(Resolved::Qualified(q)) = checker.resolve(&call.func) else {
            return;
        };
        let Some((policy, position)) = policy(&q) else {
            return;
        };
        if has_kwargs_splat(call) {
            return;
        }
        let timeout = match position {
            Some(p) if !has_args_splat(call) => argument(call, Some(p), &["timeout"]),
            Some(_) => return,
            None => keyword(call, "timeout"),
        };
        let shown = crate::blocking::display_name(&q);
        match (policy, timeout) {
            (Policy::Required, None) => {
                let seconds = checker.option_integer("default-timeout").unwrap_or(10);
                let fix = Fix {
                    message: format!("Add `timeout={seconds}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![add_argument_edit(
                        checker,
                        call,
                        &format!("timeout={seconds}"),
                    )],
                };
                report(
                    checker,
                    call,
                    &format!("`{shown}` without a timeout waits forever on an unresponsive server"),
                )
                .fix(fix);
            }
            (_, Some(Expr::NoneLiteral(_))) => {
                report(
                    checker,
                    call,
                    &format!(
                        "`{shown}` with `timeout=None` waits forever on an unresponsive server"
                    ),
                );
            }
            _ => {}
        }
    }
}

fn report<'c>(
    checker: &'c mut Checker,
    call: &ast::ExprCall,
    message: &str,
) -> &'c mut crate::diagnostic::Diagnostic {
    checker
        .report(
            format!("{message}, hanging the worker, request handler or job that made it"),
            call.range(),
        )
        .help("pass `timeout=` (seconds, or a `(connect, read)` pair) to every outbound call")
}
