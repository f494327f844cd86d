//! PF706 `hardcoded-secret`: credentials written into source code.

use ruff_python_ast::{self as ast, CmpOp, Expr, Parameters, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{callee_in, identifier_words, keyword, name_has_word, string_value};

pub struct HardcodedSecret;

static META: RuleMeta = RuleMeta {
    options: &[
        OptionSpec {
            name: "secret-names",
            kind: OptionKind::StringList,
            doc: "More words that mark a name as holding a secret (matched as whole words, like `password`).",
        },
        OptionSpec {
            name: "include-tests",
            kind: OptionKind::Bool,
            doc: "Also check test files (`test_*.py`, `*_test.py`, `conftest.py`, `tests/`).",
        },
    ],
    ..rule_meta(
        "PF706",
        "hardcoded-secret",
        Family::Security,
        Tier::Core,
        FixAvailability::None,
        &["S105", "S106", "S107"],
        "Secrets in literals, env-var defaults, URLs or docstrings.",
    )
};

/// Words that mark a secret whatever the value looks like.
const STRONG_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "api_key",
    "access_key",
    "private_key",
    "credential",
];

/// Words that also have harmless meanings (a lexer token, an auth scheme):
/// the value must look like a key.
const WEAK_WORDS: &[&str] = &["token", "auth"];

/// A last word that says the name holds something about a secret, not the secret.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "url",
    "uri",
    "field",
    "name",
    "path",
    "type",
    "header",
    "env",
    "file",
    "dir",
    "mode",
    "kind",
    "prefix",
    "suffix",
    "format",
    "pattern",
    "regex",
    "re",
    "prompt",
    "label",
    "message",
    "msg",
    "help",
    "text",
    "title",
    "hint",
    "attr",
    "attribute",
    "param",
    "parameter",
    "column",
    "table",
    "scheme",
    "method",
    "policy",
    "endpoint",
    "id",
    "len",
    "length",
    "min",
    "max",
    "count",
    "option",
    "setting",
    "var",
    "variable",
    "style",
    "class",
    "template",
    "id",
    "char",
    "chars",
    "separator",
    "sep",
    "delimiter",
    "placeholder",
    "description",
    "error",
    "location",
    "cmd",
    "command",
    "arg",
    "flag",
    "version",
    "uuid",
    "lifetime",
    "expiry",
    "expires",
    "ttl",
    "timeout",
    "algorithm",
    "backend",
    "provider",
    "handler",
    "validator",
    "tag",
    "tags",
    "reset",
    "arn",
    "enabled",
    "active",
    "missing",
    "status",
    "state",
    "used",
    "source",
    "required",
    "policy",
];

/// Secret words that, inside a value, show the value is a label.
const LABEL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "auth",
    "credential",
    "credentials",
    "apikey",
];

/// Words of well-known weak defaults (`changeme`, `dev-secret`): reported,
/// with a softer message.
const WEAK_DEFAULT_WORDS: &[&str] = &[
    "changeme",
    "change",
    "me",
    "password",
    "admin",
    "secret",
    "default",
    "test",
    "dev",
    "development",
    "root",
    "letmein",
    "123456",
    "qwerty",
    "insecure",
    "key",
    "local",
];

const HELP: &str =
    "load it from the environment or a secret manager (`os.environ[\"NAME\"]`), with no literal fallback";

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::Assign)
            .stmt(StmtKind::AnnAssign)
            .stmt(StmtKind::FunctionDef)
            .expr(ExprKind::Lambda)
            .expr(ExprKind::Call)
            .expr(ExprKind::Dict)
            .expr(ExprKind::Compare)
            .expr(ExprKind::StringLiteral)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        if skipped(checker) {
            return;
        }
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    check_pair(checker, target_name(target), &assign.value);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    check_pair(checker, target_name(&assign.target), value);
                }
            }
            Stmt::FunctionDef(def) => check_defaults(checker, &def.parameters),
            _ => {}
        }
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        if skipped(checker) {
            return;
        }
        match expr {
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    check_defaults(checker, parameters);
                }
            }
            Expr::Call(call) => {
                for kw in call.arguments.keywords.iter() {
                    if let Some(arg) = &kw.arg {
                        check_pair(checker, Some(arg.as_str()), &kw.value);
                    }
                }
                check_env_default(checker, call);
            }
            Expr::Dict(dict) => {
                for item in &dict.items {
                    if let Some(key) = item.key.as_ref().and_then(string_value) {
                        check_pair(checker, Some(key), &item.value);
                    }
                }
            }
            Expr::Compare(compare) => {
                let [op] = &*compare.ops else { return };
                if !matches!(op, CmpOp::Eq | CmpOp::NotEq) {
                    return;
                }
                let right = &compare.comparators[0];
                check_pair(checker, target_name(&compare.left), right);
                check_pair(checker, target_name(right), &compare.left);
            }
            Expr::StringLiteral(literal) => check_embedded(checker, literal),
            _ => {}
        }
    }
}

/// Stubs hold no real values; test files only with `include-tests`.
fn skipped(checker: &Checker) -> bool {
    // The path test is worked out once per file; the option is a lookup.
    checker.is_stub() || checker.is_test_display_path() && !checker.option_bool("include-tests")
}

fn target_name(target: &Expr) -> Option<&str> {
    match target {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        Expr::Subscript(s) => string_value(&s.slice),
        _ => None,
    }
}

fn check_defaults(checker: &mut Checker, parameters: &Parameters) {
    for p in parameters.iter() {
        if let Some(default) = p.default() {
            check_pair(checker, Some(p.name().id.as_str()), default);
        }
    }
}

/// `name = "literal"` and the like.
fn check_pair(checker: &mut Checker, name: Option<&str>, value: &Expr) {
    let (Some(name), Some(text)) = (name, string_value(value)) else {
        return;
    };
    let Some(strength) = secret_name(checker, name) else {
        return;
    };
    let Some(weak_default) = secret_value(name, text, strength, false) else {
        return;
    };
    report(checker, value.range(), &format!("`{name}`"), weak_default);
}

/// `os.getenv("SECRET_KEY", "dev-secret")`: the fallback is a secret in the source.
fn check_env_default(checker: &mut Checker, call: &ast::ExprCall) {
    let Some(last) = crate::rules::common::last_segment(&call.func) else {
        return;
    };
    if !matches!(last, "getenv" | "get" | "config") {
        return;
    }
    let Some(target) = callee_in(
        checker,
        &call.func,
        &["os.getenv", "os.environ.get", "decouple.config"],
    ) else {
        return;
    };
    let Some(key) = call.arguments.args.first().and_then(string_value) else {
        return;
    };
    let default = if target == "decouple.config" {
        keyword(call, "default")
    } else {
        call.arguments.find_argument_value("default", 1)
    };
    let Some(default) = default else { return };
    let Some(text) = string_value(default) else {
        return;
    };
    let Some(strength) = secret_name(checker, key) else {
        return;
    };
    if let Some(weak_default) = secret_value(key, text, strength, true) {
        report(
            checker,
            default.range(),
            &format!("the fallback for `{key}`"),
            weak_default,
        );
    }
}

fn report(checker: &mut Checker, range: TextRange, what: &str, weak_default: bool) {
    let message = if weak_default {
        format!("{what} is a well-known default secret written in the source: anyone can guess it, and it ships if configuration is missing")
    } else {
        format!("Hard-coded secret in {what}: it ends up in version control, images and every clone, and cannot be rotated without a deploy")
    };
    checker.report(message, range).help(HELP);
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Strength {
    Strong,
    Weak,
}

/// Whether a name says it holds a secret.
fn secret_name(checker: &Checker, name: &str) -> Option<Strength> {
    // Dict keys and subscripts can be any text: only identifiers (and
    // header-style `X-Api-Key`) name a value.
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let extra = checker.option_strings("secret-names");
    // A name has a secret word only if it holds the word's first part, in
    // any case: a test without the allocations of the word split below.
    let may_have = |w: &str| contains_ignore_ascii_case(name, w.split('_').next().unwrap_or(""));
    if !STRONG_WORDS.iter().chain(WEAK_WORDS).copied().any(may_have)
        && !extra.iter().any(|w| may_have(w))
    {
        return None;
    }
    let last = identifier_words(name).last()?;
    if NOT_SECRET_SUFFIXES.contains(&last.as_str())
        || name.to_ascii_lowercase().ends_with("key_name")
    {
        return None;
    }
    if name_has_word(name, STRONG_WORDS) || extra.iter().any(|w| name_has_word(name, &[w.as_str()]))
    {
        return Some(Strength::Strong);
    }
    name_has_word(name, WEAK_WORDS).then_some(Strength::Weak)
}

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// `Some(is_weak_default)` when the text looks like a real secret value.
/// `fallback` is an environment lookup's default, a secret whatever its shape.
fn secret_value(name: &str, text: &str, strength: Strength, fallback: bool) -> Option<bool> {
    if text.chars().count() < 4 || text.chars().any(char::is_whitespace) || is_placeholder(text) {
        return None;
    }
    // A path, a URL (checked for embedded credentials separately), or a
    // value naming the field itself (`PASSWORD = "password"`).
    // Key formats are reported on the literal itself.
    if text.starts_with(['/', '.', '~'])
        || text.contains("://")
        || same_word(name, text)
        || key_format(text).is_some()
    {
        return None;
    }
    let weak_default = identifier_words(text).all(|w| WEAK_DEFAULT_WORDS.contains(&w.as_str()));
    if strength == Strength::Weak && !looks_like_key(text) {
        return None;
    }
    if weak_default {
        return Some(true);
    }
    // `"AWS::S3::DisableS3ExpressSessionAuth"`: a label that names a secret.
    if identifier_words(text).any(|w| LABEL_WORDS.contains(&w.as_str())) {
        return None;
    }
    // `"not_supported"`, `"apiKeySource"`, `"Access-Control-Allow-Credentials"`,
    // `"AWS_SECRET_ACCESS_KEY"`: identifiers, labels and variable names.
    if !fallback && is_word_like(text) {
        return None;
    }
    Some(false)
}

/// Letters joined by `_`, `-`, `.` or `:`, without digits or other symbols.
fn is_word_like(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphabetic() || matches!(c, '_' | '-' | '.' | ':'))
}

fn same_word(name: &str, text: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let text = norm(text);
    text == norm(name) || identifier_words(name).any(|w| w == text)
}

/// Letters and digits mixed, at least 8 characters: a key, not a word.
fn looks_like_key(text: &str) -> bool {
    text.len() >= 8
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().any(|c| c.is_ascii_alphabetic())
}

fn is_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (text.starts_with('<') && text.ends_with('>'))
        || !text.chars().any(char::is_alphanumeric)
        || (text.len() >= 3 && text.chars().all(|c| c == 'x' || c == 'X'))
        || text.contains('{')
        || text.starts_with('$')
        || text.contains("%s")
        || text.contains("%(")
        || text.contains("...")
        || lower.starts_with("your")
        || [
            "example",
            "dummy",
            "fake",
            "sample",
            "placeholder",
            "redacted",
            "mock",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// (c) Credentials inside any literal: `scheme://user:password@host`, or a
/// well-known key format.
fn check_embedded(checker: &mut Checker, literal: &ast::ExprStringLiteral) {
    let text = literal.value.to_str();
    if text.len() < 16 {
        return;
    }
    let found = if text.contains("://") {
        url_password(text).map(|_| "a URL with an embedded password")
    } else {
        None
    }
    .or_else(|| key_format(text));
    if let Some(what) = found {
        checker
            .report(
                format!("String literal contains {what}: secrets in source end up in version control and published documentation"),
                literal.range(),
            )
            .help(HELP);
    }
}

/// The password of the first `scheme://user:password@host` in the text.
fn url_password(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_ok = rest[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some((userinfo, host)) = authority.rsplit_once('@') {
            if let Some((user, password)) = userinfo.split_once(':') {
                let user_ok = !user.is_empty()
                    && user
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%'));
                if scheme_ok
                    && user_ok
                    && !password.is_empty()
                    && !host.is_empty()
                    && !is_placeholder(password)
                    && !password.starts_with('%')
                    && !is_documentation_url(password, host)
                {
                    return Some(password);
                }
            }
        }
        rest = after;
    }
    None
}

/// `user:password@host:port`, `user:pass@example.com`: the shape of a URL
/// in documentation, not a credential.
fn is_documentation_url(password: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let (hostname, port) = host.split_once(':').unwrap_or((&host, ""));
    matches!(
        password.to_ascii_lowercase().as_str(),
        "password" | "foo" | "bar" | "baz"
    ) || matches!(hostname, "host" | "hostname" | "server" | "domain")
        || matches!(port, "port" | "xxxx")
        || hostname.ends_with("example.com")
        || hostname.ends_with("example.org")
        || hostname.ends_with(".example")
}

/// Texts every key format contains (`xox` for `xoxb-`, ..., `k_live_` for
/// `sk_live_` and `rk_live_`; GitHub's `ghp_`, ... in [`github_anchor`]): a
/// text holding none of them (nearly every docstring) needs no closer look.
/// Few anchors, few passes.
const KEY_ANCHORS: [&str; 5] = ["-----BEGIN ", "AKIA", "github_pat_", "xox", "k_live_"];

fn may_hold_key(text: &str) -> bool {
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            KEY_ANCHORS
                .iter()
                .map(|a| memchr::memmem::Finder::new(a.as_bytes()))
                .collect()
        });
    let bytes = text.as_bytes();
    FINDERS.iter().any(|f| f.find(bytes).is_some()) || github_anchor(bytes)
}

/// `ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_`: one pass over the `gh`s.
fn github_anchor(bytes: &[u8]) -> bool {
    static GH: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"gh"));
    GH.find_iter(bytes).any(|i| {
        let rest = &bytes[i + 2..];
        matches!(rest, [b'p' | b'o' | b'u' | b's' | b'r', b'_', ..])
    })
}

fn key_format(text: &str) -> Option<&'static str> {
    if !may_hold_key(text) {
        return None;
    }
    if let Some(i) = text.find("-----BEGIN ") {
        let header_end = text[i..].find("PRIVATE KEY-----")?;
        let body = &text[i + header_end + "PRIVATE KEY-----".len()..];
        let material = body
            .chars()
            .take_while(|c| *c != '-')
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .count();
        return (material >= 64).then_some("a PEM private key");
    }
    let token_after = |prefix: &str, min: usize, allowed: fn(char) -> bool| {
        text.match_indices(prefix).any(|(i, _)| {
            let boundary = text[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            boundary
                && text[i + prefix.len()..]
                    .chars()
                    .take_while(|c| allowed(*c))
                    .count()
                    >= min
        })
    };
    let upper_or_digit = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let slack = |c: char| c.is_ascii_alphanumeric() || c == '-';
    if token_after("AKIA", 16, upper_or_digit) {
        return Some("an AWS access key id");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| token_after(p, 36, alnum))
        || token_after("github_pat_", 22, |c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Some("a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| token_after(p, 10, slack))
    {
        return Some("a Slack token");
    }
    if ["sk_live_", "rk_live_"]
        .iter()
        .any(|p| token_after(p, 16, alnum))
    {
        return Some("a live payment API key");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials() {
        assert_eq!(
            url_password("postgresql://app:hunter2@db/prod"),
            Some("hunter2")
        );
        assert_eq!(
            url_password("postgresql+asyncpg://user:pass@localhost/db"),
            Some("pass")
        );
        assert_eq!(url_password("https://user@host/x"), None);
        assert_eq!(url_password("https://user:<password>@host"), None);
        assert_eq!(url_password("https://user:{pw}@host"), None);
        assert_eq!(url_password("http://host:8080/x@y"), None);
    }

    #[test]
    fn key_formats() {
        assert!(key_format("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(key_format("AKIA").is_none());
        assert!(key_format("-----BEGIN PRIVATE KEY-----").is_none());
    }

    #[test]
    fn key_anchors() {
        for text in [
            "x -----BEGIN RSA",
            "AKIA",
            "ghp_",
            "a ghr_",
            "github_pat_",
            "xoxb-",
            "sk_live_",
            "rk_live_",
        ] {
            assert!(may_hold_key(text), "{text}");
        }
        for text in [
            "thought through the night",
            "gh",
            "ghx_",
            "github_",
            "a docstring",
        ] {
            assert!(!may_hold_key(text), "{text}");
        }
    }
}
