//! PF710 `insecure-random-for-secrets`: tokens or passwords built with `random`.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Node};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    enclosing_function, last_segment, name_has_word, name_value, qualified_callee,
};

pub struct InsecureRandomForSecrets;

static META: RuleMeta = rule_meta(
    "PF710",
    "insecure-random-for-secrets",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S311"],
    "Tokens or passwords generated with `random`.",
);

const FUNCTIONS: &[&str] = &[
    "random",
    "randint",
    "randrange",
    "choice",
    "choices",
    "sample",
    "getrandbits",
    "randbytes",
    "uniform",
    "shuffle",
];

/// Names that say a value is a secret.
/// `key` alone is too common (sort keys, dict keys): only compound keys count.
const SECRET_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "secret_key",
    "private_key",
    "access_key",
    "signing_key",
    "encryption_key",
    "nonce",
    "salt",
    "otp",
    "session",
    "csrf",
    "reset",
];

/// Destinations that say a random string is an identifier, not a secret.
const HARMLESS_WORDS: &[&str] = &[
    "id",
    "name",
    "suffix",
    "prefix",
    "ext",
    "extension",
    "file",
    "filename",
    "dir",
    "path",
    "label",
    "tag",
    "str",
    "string",
    "title",
    "word",
    "text",
    "slug",
    "host",
    "hostname",
    "bucket",
    "table",
    "queue",
    "user",
    "username",
    "email",
    "color",
    "colour",
    "boundary",
];

/// For function names, only words that cannot mean something else
/// (`reset()` of a simulation, `key()` of a sort).
const SECRET_FUNCTION_WORDS: &[&str] = &[
    "token", "password", "passwd", "secret", "nonce", "salt", "otp", "csrf", "api_key",
];

impl Rule for InsecureRandomForSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.call_names(&[FUNCTIONS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if !last_segment(&call.func).is_some_and(|n| FUNCTIONS.contains(&n)) {
            return;
        }
        let Some(q) = qualified_callee(checker, &call.func, |n| FUNCTIONS.contains(&n)) else {
            return;
        };
        let Some((receiver, function)) = q.rsplit_once('.') else {
            return;
        };
        if !(receiver == "random" || receiver == "random.Random()") {
            return;
        }
        if checker.is_test_display_path() {
            return;
        }
        let Some(why) = secret_context(checker, call) else {
            return;
        };
        checker
            .report(
                format!("`random.{function}` is predictable, but its result {why}"),
                call.range(),
            )
            .help("generate secrets with the `secrets` module (`secrets.token_urlsafe()`, `secrets.choice()`)");
    }
}

/// Why the value looks like a secret, if it does.
fn secret_context(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    let destination = destination_name(checker, call);
    let function = enclosing_function(checker).map(|f| f.name.as_str());
    // `token = ...` inside `_make_boundary()`: the function says what it is.
    let harmless_function = function.is_some_and(|f| name_has_word(f, HARMLESS_WORDS));
    if let Some((name, how)) = &destination {
        if name_has_word(name, SECRET_WORDS) && !harmless_function {
            return Some(format!("is {how} `{name}`"));
        }
    }
    if let Some(function) = function {
        if name_has_word(function, SECRET_FUNCTION_WORDS) {
            return Some(format!("is used by `{function}`"));
        }
    }
    // A string of random letters is a password or token, unless its
    // destination says it is an identifier (`random_id`, `suffix`, ...).
    let named_harmless = destination
        .as_ref()
        .map(|(name, _)| name.as_str())
        .into_iter()
        .chain(function)
        .any(|name| name_has_word(name, HARMLESS_WORDS));
    if !named_harmless
        && call
            .arguments
            .args
            .iter()
            .any(|a| uses_character_set(checker, a, 0))
    {
        return Some(
            "is drawn from a `string` character set, as passwords and tokens are".to_string(),
        );
    }
    None
}

/// The name the value ends up in: an assignment target or a keyword
/// argument, through `join`, f-strings, lists and arithmetic.
fn destination_name(checker: &Checker, call: &ast::ExprCall) -> Option<(String, &'static str)> {
    let mut current = call.range();
    for parent in checker.parents().iter().rev() {
        match parent {
            Node::Expr(Expr::Call(outer)) => {
                if let Some(kw) = outer
                    .arguments
                    .keywords
                    .iter()
                    .find(|k| k.value.range().contains_range(current))
                {
                    return kw.arg.as_ref().map(|a| (a.to_string(), "passed as"));
                }
            }
            Node::Expr(
                Expr::FString(_)
                | Expr::List(_)
                | Expr::Tuple(_)
                | Expr::BinOp(_)
                | Expr::ListComp(_)
                | Expr::Generator(_)
                | Expr::Attribute(_),
            ) => {}
            Node::Stmt(Stmt::Assign(assign)) => {
                return assign
                    .targets
                    .iter()
                    .find_map(target_name)
                    .map(|n| (n, "stored in"));
            }
            Node::Stmt(Stmt::AnnAssign(assign)) => {
                return target_name(&assign.target).map(|n| (n, "stored in"));
            }
            _ => return None,
        }
        current = parent.range();
    }
    None
}

fn target_name(target: &Expr) -> Option<String> {
    let name = match target {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Subscript(s) => match &*s.slice {
            Expr::StringLiteral(k) => k.value.to_str(),
            _ => return None,
        },
        _ => return None,
    };
    Some(name.to_string())
}

/// `string.ascii_letters + string.digits`, directly or through a local.
fn uses_character_set(checker: &Checker, expr: &Expr, depth: u32) -> bool {
    if depth > 3 {
        return false;
    }
    match expr {
        Expr::BinOp(b) => {
            uses_character_set(checker, &b.left, depth + 1)
                || uses_character_set(checker, &b.right, depth + 1)
        }
        Expr::Attribute(a) => {
            is_character_set_name(a.attr.as_str())
                && checker
                    .qualified_name(expr)
                    .is_some_and(|q| q.strip_prefix("string.").is_some_and(is_character_set_name))
        }
        Expr::Name(n) => {
            if is_character_set_name(n.id.as_str()) {
                return checker
                    .qualified_name(expr)
                    .is_some_and(|q| q.strip_prefix("string.").is_some_and(is_character_set_name));
            }
            name_value(checker, n).is_some_and(|v| uses_character_set(checker, v, depth + 1))
        }
        _ => false,
    }
}

fn is_character_set_name(name: &str) -> bool {
    name.starts_with("ascii_")
        || matches!(
            name,
            "digits" | "hexdigits" | "punctuation" | "printable" | "octdigits"
        )
}
