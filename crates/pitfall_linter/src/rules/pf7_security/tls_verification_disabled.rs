//! PF708 `tls-verification-disabled`: certificate or hostname checks turned off.

use pitfall_semantic::{PathSegment, Resolved};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{is_false, qualified_callee};

pub struct TlsVerificationDisabled;

static META: RuleMeta = rule_meta(
    "PF708",
    "tls-verification-disabled",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S501", "S502", "S503", "S504", "S323"],
    "`verify=False`, `CERT_NONE`, unverified SSL contexts.",
);

const HELP: &str = "keep verification on; for a private CA pass its bundle (`verify=\"/path/ca.pem\"`, `ssl.create_default_context(cafile=...)`)";

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.expr(ExprKind::Call).stmt(StmtKind::Assign)
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        for kw in call.arguments.keywords.iter() {
            let Some(arg) = &kw.arg else { continue };
            match arg.as_str() {
                "verify" | "ssl" | "verify_ssl" if is_false(&kw.value) => {
                    let Some(q) = qualified_callee(checker, &call.func, |_| true) else {
                        continue;
                    };
                    let library = q.split('.').next().unwrap_or("");
                    let applies = match arg.as_str() {
                        "verify" => matches!(library, "requests" | "httpx"),
                        _ => library == "aiohttp",
                    };
                    if applies {
                        report(
                            checker,
                            kw.range(),
                            &format!("`{arg}=False` turns off certificate verification"),
                        );
                    }
                }
                "cert_reqs" if is_cert_none(checker, &kw.value) => {
                    report(
                        checker,
                        kw.range(),
                        "`cert_reqs=CERT_NONE` accepts any certificate",
                    );
                }
                _ => {}
            }
        }
        if let Expr::Attribute(attr) = &*call.func {
            if attr.attr.as_str() == "_create_unverified_context"
                && checker.qualified_name(&call.func).as_deref()
                    == Some("ssl._create_unverified_context")
            {
                report(checker, call.range(), "`ssl._create_unverified_context()` checks neither the certificate nor the host name");
            }
        }
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::Assign(assign) = stmt else { return };
        for target in &assign.targets {
            let Expr::Attribute(attr) = target else {
                continue;
            };
            match attr.attr.as_str() {
                "verify_mode" if is_cert_none(checker, &assign.value) => {
                    report(
                        checker,
                        assign.range(),
                        "`verify_mode = CERT_NONE` accepts any certificate",
                    );
                }
                "check_hostname" if is_false(&assign.value) => {
                    report(
                        checker,
                        assign.range(),
                        "`check_hostname = False` accepts a valid certificate for any host",
                    );
                }
                "verify"
                    if is_false(&assign.value) && is_requests_session(checker, &attr.value) =>
                {
                    report(checker, assign.range(), "`session.verify = False` turns off certificate verification for every request");
                }
                "_create_default_https_context"
                    if checker.qualified_name(target).as_deref()
                        == Some("ssl._create_default_https_context")
                        && checker.qualified_name(&assign.value).as_deref()
                            == Some("ssl._create_unverified_context") =>
                {
                    report(checker, assign.range(), "replacing `ssl._create_default_https_context` turns off verification for every HTTPS client in the process");
                }
                _ => {}
            }
        }
    }
}

fn report(checker: &mut Checker, range: TextRange, what: &str) {
    let evidence = if warnings_silenced(checker) {
        " (and `urllib3.disable_warnings()` hides the warning)"
    } else {
        ""
    };
    checker
        .report(
            format!("{what}{evidence}: anyone on the network path can impersonate the server"),
            range,
        )
        .help(HELP);
}

fn is_cert_none(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::StringLiteral(s) => s.value.to_str() == "CERT_NONE",
        Expr::Name(_) | Expr::Attribute(_) => {
            checker.qualified_name(expr).as_deref() == Some("ssl.CERT_NONE")
        }
        _ => false,
    }
}

fn is_requests_session(checker: &Checker, expr: &Expr) -> bool {
    matches!(checker.resolve(expr), Some(Resolved::Qualified(q)) if q == "requests.Session()" || q == "requests.session()")
}

/// Whether the module calls `urllib3.disable_warnings` anywhere (supporting evidence).
fn warnings_silenced(checker: &Checker) -> bool {
    let semantic = checker.semantic();
    semantic.calls.iter().any(|site| {
        site.callee.as_ref().is_some_and(|path| {
            matches!(path.segments.last(), Some(PathSegment::Attr(a)) if a.as_str() == "disable_warnings")
                && semantic
                    .resolve_path(path, 0)
                    .and_then(|r| r.qualified().map(|q| q.ends_with("urllib3.disable_warnings")))
                    .unwrap_or(false)
        })
    })
}
