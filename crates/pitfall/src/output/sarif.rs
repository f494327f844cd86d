//! SARIF 2.1.0: one run whose driver describes every rule, and one result
//! per finding with its physical location; what GitHub code scanning reads.

use std::io::{self, Write};
use std::path::Path;

use pitfall_linter::{RuleId, RuleMeta};
use serde_json::{json, Value};

use super::{Location, Message};
use crate::rule_cmd::{rule_doc, rule_url};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/pitfall-lint/pitfall";

/// A `file://` URI for an absolute path; every byte outside RFC 3986's
/// unreserved set (and `/`) is percent-encoded, so `%`, `:`, `,`, spaces,
/// line breaks and non-ASCII names all survive.
pub fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Raw bytes on Unix, so a name that is not UTF-8 keeps its identity.
    let bytes = absolute.as_os_str().as_encoded_bytes();
    let mut uri = String::from("file://");
    if !bytes.starts_with(b"/") {
        uri.push('/');
    }
    for &byte in bytes {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(byte));
            }
            b'\\' => uri.push('/'),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// The text of a rule doc's `## What it does` section.
fn what_it_does(doc: &str) -> Option<String> {
    let start = doc.find("## What it does")?;
    let body = &doc[start..];
    let body = &body[body.find('\n')? + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    Some(body[..end].trim().to_string())
}

fn rule(meta: &'static RuleMeta) -> Value {
    let doc = rule_doc(meta);
    let full = doc
        .and_then(what_it_does)
        .unwrap_or_else(|| meta.summary.to_string());
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": full},
        "helpUri": rule_url(meta),
        "help": {"text": meta.summary, "markdown": doc.unwrap_or(meta.summary)},
        "defaultConfiguration": {"level": "error", "enabled": meta.default_enabled},
        "properties": {"tags": [meta.family.name()], "peers": meta.peers},
    })
}

fn region(start: Location, end: Location) -> Value {
    json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    })
}

fn physical(uri: &str, start: Location, end: Location) -> Value {
    json!({"artifactLocation": {"uri": uri}, "region": region(start, end)})
}

fn result(m: &Message, rule_index: usize) -> Value {
    let uri = file_uri(&m.path);
    let mut text = m.message.clone();
    if let Some(help) = &m.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = m
        .related
        .iter()
        .enumerate()
        .map(|(id, r)| {
            let uri = if r.path == m.display_path {
                uri.clone()
            } else {
                file_uri(Path::new(&r.path))
            };
            json!({
                "id": id,
                "message": {"text": r.message},
                "physicalLocation": physical(&uri, r.start, r.end),
            })
        })
        .collect();
    let mut value = json!({
        "ruleId": m.rule.meta().code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": physical(&uri, m.start, m.end)}],
    });
    if !related.is_empty() {
        value["relatedLocations"] = Value::Array(related);
    }
    if let Some(fix) = &m.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": region(e.start, e.end),
                    "insertedContent": {"text": e.content},
                })
            })
            .collect();
        value["fixes"] = json!([{
            "description": {"text": fix.message},
            "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
        }]);
    }
    value
}

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    let rules: Vec<RuleId> = RuleId::iter().collect();
    let results: Vec<Value> = messages
        .iter()
        .map(|m| {
            let index = rules.iter().position(|r| *r == m.rule).unwrap_or(0);
            result(m, index)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pitfall",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules.iter().map(|r| rule(r.meta())).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_percent_encode_reserved_bytes() {
        assert_eq!(
            file_uri(Path::new("/a b/c,d:e%f\ng.py")),
            "file:///a%20b/c%2Cd%3Ae%25f%0Ag.py"
        );
    }
}
