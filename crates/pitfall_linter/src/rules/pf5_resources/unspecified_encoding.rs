//! PF507 `unspecified-encoding`: text I/O decoded with the locale's encoding,
//! and csv files opened without `newline=""`.

use pitfall_semantic::{BindingKind, Lookup};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    add_argument_edit, argument, callee_in, has_args_splat, has_kwargs_splat, is_last_name_of,
    name_value, qualified_callee, stmt_at, string_value,
};

pub struct UnspecifiedEncoding;

static META: RuleMeta = rule_meta(
    "PF507",
    "unspecified-encoding",
    Family::Resources,
    Tier::Core,
    FixAvailability::Unsafe,
    &["PLW1514", "W1514"],
    "Text I/O without `encoding=` (and csv files without `newline=\"\"`).",
);

/// How a text-I/O call takes its mode and encoding.
struct Signature {
    target: &'static str,
    /// Position of `mode`, or `None` when always text.
    mode: Option<usize>,
    /// The mode when none is given: `None` when the default is binary.
    text_by_default: bool,
    encoding: usize,
    /// Position of `newline` (for the csv check), if the call takes one.
    newline: Option<usize>,
}

const SIGNATURES: &[Signature] = &[
    Signature {
        target: "builtins.open",
        mode: Some(1),
        text_by_default: true,
        encoding: 3,
        newline: Some(5),
    },
    Signature {
        target: "io.open",
        mode: Some(1),
        text_by_default: true,
        encoding: 3,
        newline: Some(5),
    },
    Signature {
        target: "pathlib.Path().open",
        mode: Some(0),
        text_by_default: true,
        encoding: 2,
        newline: Some(4),
    },
    Signature {
        target: "pathlib.Path().read_text",
        mode: None,
        text_by_default: true,
        encoding: 0,
        newline: None,
    },
    Signature {
        target: "pathlib.Path().write_text",
        mode: None,
        text_by_default: true,
        encoding: 1,
        newline: None,
    },
    Signature {
        target: "io.TextIOWrapper",
        mode: None,
        text_by_default: true,
        encoding: 1,
        newline: Some(3),
    },
    Signature {
        target: "tempfile.NamedTemporaryFile",
        mode: Some(0),
        text_by_default: false,
        encoding: 2,
        newline: Some(3),
    },
    Signature {
        target: "tempfile.TemporaryFile",
        mode: Some(0),
        text_by_default: false,
        encoding: 2,
        newline: Some(3),
    },
    Signature {
        target: "tempfile.SpooledTemporaryFile",
        mode: Some(1),
        text_by_default: false,
        encoding: 3,
        newline: Some(4),
    },
];

const TARGETS: &[&str] = &[
    "builtins.open",
    "io.open",
    "pathlib.Path().open",
    "pathlib.Path().read_text",
    "pathlib.Path().write_text",
    "io.TextIOWrapper",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "tempfile.SpooledTemporaryFile",
];

const CSV: &[&str] = &[
    "csv.reader",
    "csv.writer",
    "csv.DictReader",
    "csv.DictWriter",
];

impl Rule for UnspecifiedEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[TARGETS, CSV])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        if let Some(target) = text_io_target(checker, &call.func) {
            check_encoding(checker, call, target);
        } else if callee_in(checker, &call.func, CSV).is_some() {
            check_csv_newline(checker, call);
        }
    }
}

/// The text-I/O function a callee is, seeing through path-returning
/// methods: `Path(p).with_suffix(".json").write_text` is `Path().write_text`.
fn text_io_target(checker: &Checker, func: &Expr) -> Option<&'static str> {
    let q = qualified_callee(checker, func, |name| is_last_name_of(name, TARGETS))?;
    let mut normalized = q.as_str().to_string();
    if normalized.starts_with("pathlib.") {
        for method in PATH_METHODS {
            let pattern = format!(".{method}()");
            while let Some(i) = normalized.find(&pattern) {
                normalized.replace_range(i..i + pattern.len(), "");
            }
        }
        normalized = normalized.replace(".parent", "");
        for class in ["PosixPath", "WindowsPath", "PurePath"] {
            normalized = normalized.replace(class, "Path");
        }
    }
    TARGETS.iter().copied().find(|t| *t == normalized)
}

/// `pathlib.Path` methods that return another path.
const PATH_METHODS: &[&str] = &[
    "with_suffix",
    "with_name",
    "with_stem",
    "joinpath",
    "resolve",
    "absolute",
    "expanduser",
];

fn signature(target: &str) -> Option<&'static Signature> {
    SIGNATURES.iter().find(|s| s.target == target)
}

/// Whether the call opens in text mode, if that can be told.
fn is_text_mode(call: &ast::ExprCall, sig: &Signature) -> Option<bool> {
    let Some(position) = sig.mode else {
        return Some(true);
    };
    match argument(call, Some(position), &["mode"]) {
        None => Some(sig.text_by_default),
        Some(mode) => string_value(mode).map(|m| !m.contains('b')),
    }
}

fn check_encoding(checker: &mut Checker, call: &ast::ExprCall, target: &str) {
    // UTF-8 is the default from Python 3.15 (PEP 686).
    let version = checker.settings().target_version;
    if (version.major, version.minor) >= (3, 15) {
        return;
    }
    let Some(sig) = signature(target) else { return };
    if has_kwargs_splat(call) || has_args_splat(call) || is_text_mode(call, sig) != Some(true) {
        return;
    }
    if argument(call, Some(sig.encoding), &["encoding"]).is_some() {
        return;
    }
    let shown = crate::blocking::display_name(target);
    let fix = Fix {
        message: "Add `encoding=\"utf-8\"`".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![add_argument_edit(checker, call, "encoding=\"utf-8\"")],
    };
    checker
        .report(
            format!("`{shown}` in text mode without `encoding=` decodes with the locale's encoding, which differs between machines"),
            call.range(),
        )
        .help("pass `encoding=\"utf-8\"` (or the file's real encoding)")
        .fix(fix);
}

/// `csv.reader(f)` where `f` was opened without `newline=""`.
fn check_csv_newline(checker: &mut Checker, call: &ast::ExprCall) {
    let Some(file) = argument(call, Some(0), &["f", "csvfile"]) else {
        return;
    };
    let Some(open_call) = opening_call(checker, file) else {
        return;
    };
    let Some(target) = text_io_target(checker, &open_call.func) else {
        return;
    };
    let Some(sig) = signature(target) else { return };
    let Some(newline_position) = sig.newline else {
        return;
    };
    if has_kwargs_splat(open_call)
        || has_args_splat(open_call)
        || is_text_mode(open_call, sig) != Some(true)
        || argument(open_call, Some(newline_position), &["newline"]).is_some()
    {
        return;
    }
    let fix = Fix {
        message: "Add `newline=\"\"` where the file is opened".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![add_argument_edit(checker, open_call, "newline=\"\"")],
    };
    checker
        .report(
            "A file handed to the `csv` module was opened without `newline=\"\"`: quoted newlines break and rows gain blank lines on Windows",
            file.range(),
        )
        .help("open csv files with `newline=\"\"`")
        .fix(fix);
}

/// The call that created a file object: `open(...)` itself, `f = open(...)`
/// or `with open(...) as f`.
fn opening_call<'a>(checker: &Checker<'a>, file: &'a Expr) -> Option<&'a ast::ExprCall> {
    let name = match file {
        Expr::Call(call) => return Some(call),
        Expr::Name(name) => name,
        _ => return None,
    };
    let semantic = checker.semantic();
    let Lookup::Binding(b) = semantic.lookup(checker.scope(), name.id.as_str(), name.start())
    else {
        return None;
    };
    let binding = semantic.binding(b);
    let value = match binding.kind {
        BindingKind::WithTarget => {
            let Some(Stmt::With(with)) = stmt_at(checker.module(), binding.stmt_range) else {
                return None;
            };
            with.items
                .iter()
                .find_map(|item| match &item.optional_vars {
                    Some(vars) if vars.range() == binding.range => Some(&item.context_expr),
                    _ => None,
                })?
        }
        _ => name_value(checker, name)?,
    };
    match value {
        Expr::Call(call) => Some(call),
        _ => None,
    }
}
