//! Throwaway (PF301/PF303 helper): scans the stdlib. Deleted after use.
use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{LinterSettings, RuleId, RuleSet};

#[test]
#[ignore]
fn scan() {
    let code = std::env::var("SCAN_CODE").unwrap();
    let root = std::env::var("SCAN_ROOT").unwrap();
    let rule = RuleId::from_code(&code).unwrap();
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    let settings = LinterSettings { rules, ..LinterSettings::default() };
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut files = Vec::new();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "site-packages") && files.len() + stack.len() > 0 { continue; }
            for e in std::fs::read_dir(&p).unwrap() { stack.push(e.unwrap().path()); }
        } else if p.extension().is_some_and(|e| e == "py") {
            files.push(p);
        }
    }
    files.sort();
    let mut n = 0;
    for f in files {
        let Ok(src) = std::fs::read_to_string(&f) else { continue };
        let name = f.display().to_string();
        let lines = ruff_source_file::LineIndex::from_source_text(&src);
        for d in lint_source(&src, &settings, &name) {
            if d.rule != rule { continue; }
            n += 1;
            let line = lines.line_index(d.range.start()).get();
            println!("{name}:{line}: {}", d.message);
        }
    }
    println!("TOTAL {n}");
}
