//! GitLab Code Quality report: a JSON list of issues, each with a
//! fingerprint that stays the same while the finding does.

use std::io::{self, Write};

use rustc_hash::FxHashSet;
use serde_json::{json, Value};

use super::Message;

/// 64-bit FNV-1a: tiny, and fixed by its definition (a std hasher may change
/// between Rust releases, which would make every finding look new).
fn fnv1a(parts: &[&str], seed: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for part in parts {
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Built from the rule, the path, the message and the flagged source line
/// (not its number), so findings keep their fingerprint when code above
/// them moves; identical findings get the next free seed.
fn fingerprint(m: &Message, seen: &mut FxHashSet<u64>) -> String {
    let line = m.lines.text.lines().next().unwrap_or_default().trim();
    let parts = [
        m.rule.meta().code,
        m.display_path.as_str(),
        &m.message,
        line,
    ];
    let mut seed = 0;
    loop {
        let hash = fnv1a(&parts, seed);
        if seen.insert(hash) {
            return format!("{hash:016x}");
        }
        seed += 1;
    }
}

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    let mut seen = FxHashSet::default();
    let issues: Vec<Value> = messages
        .iter()
        .map(|m| {
            let meta = m.rule.meta();
            json!({
                "type": "issue",
                "check_name": meta.code,
                "description": format!("{}: {}", meta.code, m.message),
                "categories": ["Bug Risk"],
                "severity": "major",
                "fingerprint": fingerprint(m, &mut seen),
                "location": {
                    "path": m.display_path,
                    "lines": {"begin": m.start.row, "end": m.end.row},
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
