//! PF907 `docstring-param-mismatch`: the docstring's parameter section
//! disagrees with the signature (names, and documented types).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule, StmtKind};
use crate::rules::common::{docstring, is_overload};

pub struct DocstringParamMismatch;

static META: RuleMeta = rule_meta(
    "PF907",
    "docstring-param-mismatch",
    Family::Design,
    Tier::Core,
    FixAvailability::None,
    &["D417", "DOC102", "W9015", "W9017"],
    "Docstring parameter sections (and types) that disagree with the signature.",
);

impl Rule for DocstringParamMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.stmt(StmtKind::FunctionDef)
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        let Stmt::FunctionDef(def) = stmt else { return };
        let Some(doc) = docstring(&def.body) else {
            return;
        };
        let text = doc.value.to_str();
        // Cheap pre-filter before parsing: no section marker, nothing to check.
        if !(text.contains("Args")
            || text.contains("Arguments")
            || text.contains("Parameters")
            || text.contains(":param"))
        {
            return;
        }
        let Some(documented) = documented_parameters(text) else {
            return;
        };
        if is_overload(checker, def) {
            return;
        }
        let params: Vec<&ast::Parameter> = def
            .parameters
            .iter()
            .map(|p| p.as_parameter())
            .filter(|p| !matches!(p.name.as_str(), "self" | "cls"))
            .collect();
        let accepts_kwargs = def.parameters.kwarg.is_some();
        let is_param = |name: &str| params.iter().any(|p| p.name.as_str() == name);
        let unknown: Vec<&str> = documented
            .iter()
            .map(|d| d.name.as_str())
            .filter(|n| !matches!(*n, "self" | "cls") && !is_param(n))
            .collect();
        let missing: Vec<&str> = params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| !documented.iter().any(|d| d.name == *n))
            .collect();
        let mut problems = Vec::new();
        if !unknown.is_empty() && !accepts_kwargs {
            problems.push(format!(
                "documents {}, which {} not a parameter",
                list(&unknown),
                if unknown.len() == 1 { "is" } else { "are" }
            ));
        }
        if !missing.is_empty() {
            problems.push(format!("does not document {}", list(&missing)));
        }
        for d in &documented {
            let (Some(doc_type), Some(param)) = (
                &d.annotation,
                params.iter().find(|p| p.name.as_str() == d.name),
            ) else {
                continue;
            };
            let Some(annotation) = &param.annotation else {
                continue;
            };
            let default_none = def
                .parameters
                .iter()
                .find(|p| p.name().as_str() == d.name)
                .and_then(|p| p.default())
                .is_some_and(Expr::is_none_literal_expr);
            let written = annotation_text(checker, annotation);
            if let (Some(a), Some(b)) = (
                normalize_type(doc_type, default_none),
                normalize_type(&written, default_none),
            ) {
                if a != b {
                    problems.push(format!(
                        "documents `{}` as `{doc_type}` but annotates it `{written}`",
                        d.name
                    ));
                }
            }
        }
        if problems.is_empty() {
            return;
        }
        checker
            .report(
                format!("The docstring of `{}` {}", def.name, problems.join("; ")),
                doc.range(),
            )
            .help("update the parameter section to match the signature");
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn annotation_text(checker: &Checker, annotation: &Expr) -> String {
    match annotation {
        Expr::StringLiteral(s) => s.value.to_str().to_string(),
        other => checker.slice(other.range()).to_string(),
    }
}

/// One documented parameter: its name without stars, and its type if written.
#[derive(Debug, PartialEq, Eq)]
pub struct DocumentedParam {
    pub name: String,
    pub annotation: Option<String>,
}

/// The parameters a docstring documents, from the first section found:
/// Google (`Args:`), NumPy (`Parameters` + underline) or Sphinx (`:param x:`).
/// `None` when there is no such section, or it does not parse as one.
pub fn documented_parameters(doc: &str) -> Option<Vec<DocumentedParam>> {
    let lines: Vec<&str> = doc.lines().collect();
    google(&lines)
        .or_else(|| numpy(&lines))
        .or_else(|| sphinx(&lines))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `*args`, `**kwargs`, `name` → the bare name.
fn param_name(s: &str) -> Option<&str> {
    let bare = s.trim().trim_start_matches('*');
    is_identifier(bare).then_some(bare)
}

fn google(lines: &[&str]) -> Option<Vec<DocumentedParam>> {
    let header = lines
        .iter()
        .position(|l| matches!(l.trim(), "Args:" | "Arguments:" | "Parameters:" | "Params:"))?;
    let header_indent = indent(lines[header]);
    let mut entry_indent = None;
    let mut out = Vec::new();
    for line in &lines[header + 1..] {
        if line.trim().is_empty() {
            continue;
        }
        let ind = indent(line);
        if ind <= header_indent {
            break;
        }
        let entry = *entry_indent.get_or_insert(ind);
        if ind > entry {
            continue; // a description's continuation
        }
        if ind < entry {
            return None;
        }
        // `name (type): text`, `name: text`, `*args: text`.
        let (head, _) = line.trim().split_once(':')?;
        let (name, ty) = match head.split_once('(') {
            Some((name, rest)) => (name, Some(rest.trim_end().strip_suffix(')')?.trim())),
            None => (head, None),
        };
        let name = param_name(name)?;
        out.push(DocumentedParam {
            name: name.to_string(),
            annotation: ty.map(str::to_string),
        });
    }
    (!out.is_empty()).then_some(out)
}

fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == '-')
}

fn numpy(lines: &[&str]) -> Option<Vec<DocumentedParam>> {
    let mut out = Vec::new();
    let mut found = false;
    let mut i = 0;
    while i + 1 < lines.len() {
        let title = lines[i].trim();
        if !(matches!(title, "Parameters" | "Other Parameters") && is_underline(lines[i + 1])) {
            i += 1;
            continue;
        }
        found = true;
        let header_indent = indent(lines[i]);
        let mut j = i + 2;
        while j < lines.len() {
            let line = lines[j];
            if line.trim().is_empty() {
                j += 1;
                continue;
            }
            let ind = indent(line);
            if ind < header_indent
                || (ind == header_indent && lines.get(j + 1).is_some_and(|n| is_underline(n)))
            {
                break;
            }
            if ind == header_indent {
                // `name : type`, `name`, `x, y : int`.
                let (names, ty) = match line.split_once(" :") {
                    Some((n, t)) => (n, Some(t.trim())),
                    None => match line.trim_end().strip_suffix(':') {
                        Some(n) => (n, None),
                        None => (line, None),
                    },
                };
                for n in names.split(',') {
                    out.push(DocumentedParam {
                        name: param_name(n)?.to_string(),
                        annotation: ty.filter(|t| !t.is_empty()).map(str::to_string),
                    });
                }
            }
            j += 1;
        }
        i = j;
    }
    (found && !out.is_empty()).then_some(out)
}

fn sphinx(lines: &[&str]) -> Option<Vec<DocumentedParam>> {
    let mut out: Vec<DocumentedParam> = Vec::new();
    let mut types: Vec<(String, String)> = Vec::new();
    for line in lines {
        let t = line.trim();
        let Some(rest) = t.strip_prefix(':') else {
            continue;
        };
        let Some((field, text)) = rest.split_once(':') else {
            continue;
        };
        let mut words = field.split_whitespace();
        let Some(kind) = words.next() else { continue };
        let words: Vec<&str> = words.collect();
        match kind {
            "param" | "parameter" | "arg" | "argument" => {
                let (name, ty) = match words.split_last() {
                    Some((name, ty)) => (param_name(name)?, ty.join(" ")),
                    None => return None,
                };
                out.push(DocumentedParam {
                    name: name.to_string(),
                    annotation: (!ty.is_empty()).then_some(ty),
                });
            }
            "type" => {
                if let [name] = &words[..] {
                    types.push((
                        name.trim_start_matches('*').to_string(),
                        text.trim().to_string(),
                    ));
                }
            }
            _ => {}
        }
    }
    for (name, ty) in types {
        if let Some(p) = out
            .iter_mut()
            .find(|p| p.name == name && p.annotation.is_none())
        {
            p.annotation = Some(ty);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A comparable form of a type written in a docstring or an annotation:
/// union members sorted, `Optional[X]` as `X | None`, typing aliases
/// lower-cased (`List` ≡ `list`), and subscripts dropped (a docstring saying
/// `list` agrees with `list[str]`). Only builtin types are compared: `None`
/// for prose (`list of str`, `str or None`) and for project classes, type
/// aliases, `Any` or abstract types, whose relation to the other side is
/// unknown.
pub fn normalize_type(text: &str, default_none: bool) -> Option<Vec<String>> {
    let mut t = text.trim().trim_matches('`').to_string();
    for suffix in [", optional", " optional", ",optional"] {
        if let Some(s) = t.strip_suffix(suffix) {
            t = s.trim().to_string();
        }
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | ',' | '|' | ' '))
    {
        return None;
    }
    let mut members = Vec::new();
    for part in split_top_level(&t, '|') {
        let part = part.trim();
        if part.contains(' ') {
            return None;
        }
        let (base, args) = match part.split_once('[') {
            Some((b, rest)) => (b, Some(rest.strip_suffix(']')?)),
            None => (part, None),
        };
        let base = base.rsplit('.').next().unwrap_or(base).to_ascii_lowercase();
        match (base.as_str(), args) {
            ("optional", Some(inner)) => {
                members.extend(normalize_type(inner, false)?);
                members.push("none".to_string());
            }
            ("union", Some(inner)) => {
                for m in split_top_level(inner, ',') {
                    members.extend(normalize_type(m, false)?);
                }
            }
            (name, _) => members.push(builtin_type(name)?.to_string()),
        }
    }
    if default_none {
        members.push("none".to_string());
    }
    members.sort();
    members.dedup();
    Some(members)
}

/// The builtin scalar and container types (and their `typing` aliases and
/// common docstring spellings) that can be compared without knowing the
/// project's classes and aliases; anything else is not compared.
fn builtin_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "int" | "integer" => "int",
        "float" => "float",
        "complex" => "complex",
        "str" | "string" => "str",
        "bytes" => "bytes",
        "bytearray" => "bytearray",
        "bool" | "boolean" => "bool",
        "list" => "list",
        "dict" | "dictionary" => "dict",
        "set" => "set",
        "frozenset" => "frozenset",
        "tuple" => "tuple",
        "none" | "nonetype" => "none",
        _ => return None,
    })
}

fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles() {
        let google = "Do it.\n\n    Args:\n        a (int): first\n            more\n        *rest: others\n\n    Returns:\n        x\n";
        let g = documented_parameters(google).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].annotation.as_deref(), Some("int"));
        assert_eq!(g[1].name, "rest");
        let numpy = "Do it.\n\n    Parameters\n    ----------\n    a, b : int\n        first\n    c\n\n    Returns\n    -------\n    int\n";
        let n = documented_parameters(numpy).unwrap();
        assert_eq!(
            n.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        let sphinx = "Do it.\n\n:param int a: first\n:param b: second\n:type b: str\n";
        let s = documented_parameters(sphinx).unwrap();
        assert_eq!(s[0].annotation.as_deref(), Some("int"));
        assert_eq!(s[1].annotation.as_deref(), Some("str"));
        assert!(documented_parameters("Args: none here").is_none());
    }

    #[test]
    fn types() {
        assert_eq!(
            normalize_type("Optional[int]", false),
            normalize_type("int | None", false)
        );
        assert_eq!(
            normalize_type("List[str]", false),
            normalize_type("list[str]", false)
        );
        assert_eq!(
            normalize_type("int, optional", true),
            normalize_type("Optional[int]", true)
        );
        assert_ne!(normalize_type("int", false), normalize_type("str", false));
        assert_eq!(normalize_type("list of str", false), None);
        assert_eq!(normalize_type("CfnPath", false), None);
        assert_eq!(
            normalize_type("string", false),
            normalize_type("str", false)
        );
    }
}
