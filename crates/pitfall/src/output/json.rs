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
    let fix = m.diagnostic.fix.as_ref().map(|fix| {
        json!({
            "applicability": match fix.applicability {
                pitfall_linter::Applicability::Safe => "safe",
                pitfall_linter::Applicability::Unsafe => "unsafe",
            },
            "message": fix.message,
            "edits": fix.edits.iter().map(|e| json!({
                "content": e.content,
                "location": loc(m.location_of(e.range.start())),
                "end_location": loc(m.location_of(e.range.end())),
            })).collect::<Vec<_>>(),
        })
    });
    let related: Vec<Value> = m
        .diagnostic
        .related
        .iter()
        .map(|r| {
            json!({
                "filename": r.path.clone().unwrap_or_else(|| m.path.display().to_string()),
                "location": loc(m.location_of(r.range.start())),
                "end_location": loc(m.location_of(r.range.end())),
                "message": r.message,
            })
        })
        .collect();
    json!({
        "cell": null,
        "code": meta.code,
        "name": meta.name,
        "message": m.diagnostic.message,
        "help": m.diagnostic.help,
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
