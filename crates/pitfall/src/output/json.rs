use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Location, Message};
use crate::rule_cmd::rule_url;

fn loc(l: Location) -> Value {
    json!({"row": l.row, "column": l.column})
}

/// One record per finding, with ruff's field names (plus `name`, `help` and
/// `related`), so tools written for `ruff --output-format json` read it.
pub fn record(m: &Message) -> Value {
    let meta = m.rule.meta();
    let fix = m.fix.as_ref().map(|fix| {
        json!({
            "applicability": match fix.applicability {
                pitfall_linter::Applicability::Safe => "safe",
                pitfall_linter::Applicability::Unsafe => "unsafe",
            },
            "message": fix.message,
            "edits": fix.edits.iter().map(|e| json!({
                "content": e.content,
                "location": loc(e.start),
                "end_location": loc(e.end),
            })).collect::<Vec<_>>(),
        })
    });
    let related: Vec<Value> = m
        .related
        .iter()
        .map(|r| {
            json!({
                "filename": r.path,
                "location": loc(r.start),
                "end_location": loc(r.end),
                "message": r.message,
            })
        })
        .collect();
    json!({
        "cell": null,
        "code": meta.code,
        "name": meta.name,
        "message": m.message,
        "help": m.help,
        "filename": m.path.display().to_string(),
        "location": loc(m.start),
        "end_location": loc(m.end),
        "fix": fix,
        "url": rule_url(meta),
        "noqa_row": m.noqa_row,
        "related": related,
    })
}

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    let records: Vec<Value> = messages.iter().map(record).collect();
    serde_json::to_writer_pretty(&mut *out, &records)?;
    writeln!(out)
}
