// Throwaway: scans files/dirs given in PF_SCAN with PF302/PF304 (deleted after use).
use std::sync::Arc;
use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{LinterSettings, RuleId, RuleOptions, RuleSet};

fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        if p.file_name().is_some_and(|n| n == "site-packages") { return; }
        let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries { walk(&e, out); }
    } else if p.extension().is_some_and(|e| e == "py") {
        out.push(p.to_path_buf());
    }
}

#[test]
fn scan() {
    let Ok(spec) = std::env::var("PF_SCAN") else { return };
    let codes = std::env::var("PF_CODES").unwrap_or("PF302,PF304".into());
    let mut rules = RuleSet::EMPTY;
    for c in codes.split(',') { rules.insert(RuleId::from_code(c).unwrap()); }
    let settings = LinterSettings { rules, options: Arc::new(RuleOptions::default()), ..LinterSettings::default() };
    let mut files = Vec::new();
    for p in spec.split(':') { walk(std::path::Path::new(p), &mut files); }
    let mut counts = std::collections::BTreeMap::new();
    let start = std::time::Instant::now();
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else { continue };
        let name = f.display().to_string();
        let lines = ruff_source_file::LineIndex::from_source_text(&src);
        for d in lint_source(&src, &settings, &name) {
            let line = lines.line_index(d.range.start()).get();
            *counts.entry(d.rule.meta().code).or_insert(0) += 1;
            println!("{name}:{line}: {} {}", d.rule.meta().code, d.message);
        }
    }
    println!("files={} counts={counts:?} elapsed={:?}", files.len(), start.elapsed());
}
