//! PF707 `weak-password-hash`: passwords hashed with a fast general-purpose hash.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{name_has_word, name_value, qualified_callee, string_value};

pub struct WeakPasswordHash;

static META: RuleMeta = rule_meta(
    "PF707",
    "weak-password-hash",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S324", "S303"],
    "Passwords hashed with fast hashes (MD5, SHA-1, SHA-256).",
);

const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pwd", "passphrase"];

/// The calls the rule reads, for the walk's callee index (their last
/// names: the fast hashes of `hashlib`, `new`, and `update` of a hash
/// object): the walk hands the rule only calls going by one of those
/// names, or aliases.
const HASH_CALLS: &[&str] = &[
    "hashlib.md5",
    "hashlib.sha1",
    "hashlib.sha224",
    "hashlib.sha256",
    "hashlib.sha384",
    "hashlib.sha512",
    "hashlib.blake2b",
    "hashlib.blake2s",
    "hashlib.sha3_224",
    "hashlib.sha3_256",
    "hashlib.sha3_384",
    "hashlib.sha3_512",
    "hashlib.new",
    "hashlib.new().update",
];

/// A fast hash of `hashlib` (one of [`HASH_CALLS`] but `new`).
fn is_fast_hash(name: &str) -> bool {
    name != "new"
        && HASH_CALLS
            .iter()
            .any(|q| q.strip_prefix("hashlib.") == Some(name))
}

impl Rule for WeakPasswordHash {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[HASH_CALLS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let may_match = |n: &str| is_fast_hash(n) || n == "new" || n == "update";
        let Some(q) = qualified_callee(checker, &call.func, may_match) else {
            return;
        };
        let (algorithm, data) = match q.strip_prefix("hashlib.") {
            Some("new") => (
                call.arguments
                    .args
                    .first()
                    .and_then(string_value)
                    .unwrap_or("hash")
                    .to_string(),
                call.arguments.find_argument_value("data", 1),
            ),
            Some(name) if is_fast_hash(name) => (name.to_string(), first_data(call)),
            Some(update) => {
                let Some(receiver) = update.strip_suffix("().update") else {
                    return;
                };
                if !(is_fast_hash(receiver) || receiver == "new") {
                    return;
                }
                (receiver.to_string(), first_data(call))
            }
            None => return,
        };
        let Some(data) = data else { return };
        let Some(password) = password_reference(checker, data, 0) else {
            return;
        };
        checker
            .report(
                format!("`{password}` is hashed with `{algorithm}`, a fast hash: a leaked table of such hashes is cracked by brute force"),
                call.range(),
            )
            .help("store passwords with a slow salted hash: `hashlib.scrypt`, `hashlib.pbkdf2_hmac`, argon2 or bcrypt");
    }
}

fn first_data(call: &ast::ExprCall) -> Option<&Expr> {
    call.arguments
        .args
        .first()
        .or_else(|| call.arguments.find_keyword("data").map(|k| &k.value))
        .or_else(|| call.arguments.find_keyword("string").map(|k| &k.value))
}

/// A password-named name or attribute inside the hashed expression.
fn password_reference(checker: &Checker, expr: &Expr, depth: u32) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let recurse = |e: &Expr| password_reference(checker, e, depth + 1);
    match expr {
        Expr::Name(n) => {
            if name_has_word(n.id.as_str(), PASSWORD_WORDS) {
                return Some(n.id.to_string());
            }
            (depth < 4)
                .then(|| name_value(checker, n))
                .flatten()
                .and_then(recurse)
        }
        Expr::Attribute(a) => {
            if name_has_word(a.attr.as_str(), PASSWORD_WORDS) {
                return Some(checker.slice(a.range()).to_string());
            }
            recurse(&a.value)
        }
        Expr::Subscript(s) => {
            if string_value(&s.slice).is_some_and(|k| name_has_word(k, PASSWORD_WORDS)) {
                return Some(checker.slice(s.range()).to_string());
            }
            recurse(&s.value)
        }
        Expr::Call(c) => {
            // `password.encode()`, `(salt + password).encode("utf-8")`, `bytes(password, ...)`.
            let from_receiver = match &*c.func {
                Expr::Attribute(a) => recurse(&a.value),
                _ => None,
            };
            from_receiver.or_else(|| c.arguments.args.iter().find_map(recurse))
        }
        Expr::BinOp(b) => recurse(&b.left).or_else(|| recurse(&b.right)),
        Expr::FString(f) => f.value.iter().find_map(|part| match part {
            ast::FStringPart::FString(fs) => fs.elements.iter().find_map(|e| match e {
                ast::InterpolatedStringElement::Interpolation(i) => recurse(&i.expression),
                _ => None,
            }),
            _ => None,
        }),
        _ => None,
    }
}
