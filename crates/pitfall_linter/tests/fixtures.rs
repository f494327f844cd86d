//! The fixture harness: `tests/fixtures/<CODE>*.py` hold plain Python whose
//! expected findings are written inline (`x = f()  # error: PF401`). A missing
//! finding and an unexpected one both fail. Lines marked `# ok` are the
//! false-positive traps; each rule needs at least as many traps as findings.
//!
//! A directory `tests/fixtures/<CODE>_<case>/` is a project of several files
//! (packages, imports between them), linted together with the directory as
//! the import root; each file carries its own inline expectations.
//!
//! A fixture can set rule options in its first lines:
//! `# fixture-option: ignore-names = input, id` or `# fixture-option: check-class-attributes = true`,
//! where the file sits below an import root: `# file: json/__init__.py`,
//! and the path it is linted under (for rules that look at it):
//! `# fixture-path: mysite/settings.py` (a path with a directory is also
//! taken to be a package module, see `FileContext::assumed`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pitfall_linter::pipeline::lint_source;
use pitfall_linter::project::{lint_project, SourceInput};
use pitfall_linter::{
    Diagnostic, FileContext, LinterSettings, OptionKind, OptionValue, RuleId, RuleOptions, RuleSet,
    Tier,
};

/// The path a fixture is linted as: its `# fixture-path:` or its own name.
fn fixture_path(source: &str, name: &str) -> String {
    source
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# fixture-path:"))
        .map_or_else(|| name.to_string(), |p| p.trim().to_string())
}

fn settings_for(rule: RuleId, source: &str, path: &str) -> LinterSettings {
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    let mut options = RuleOptions::default();
    for line in source.lines().take_while(|l| l.starts_with('#')) {
        let Some(spec) = line.strip_prefix("# fixture-option:") else {
            continue;
        };
        let (name, value) = spec.split_once('=').expect("fixture-option: name = value");
        let name = name.trim();
        let opt = rule
            .meta()
            .options
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{} has no option {name}", rule.meta().code));
        let value = match opt.kind {
            OptionKind::Bool => OptionValue::Bool(value.trim() == "true"),
            OptionKind::Integer | OptionKind::Percent => {
                OptionValue::Integer(value.trim().parse().expect("fixture-option: an integer"))
            }
            OptionKind::StringList => OptionValue::StringList(
                value
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect(),
            ),
        };
        options.set(rule, opt.name, value);
    }
    LinterSettings {
        rules,
        options: Arc::new(options),
        file: FileContext::assumed(path),
        ..LinterSettings::default()
    }
}

/// Where a first-line `# file: pkg/mod.py` comment places the source,
/// below an import root.
fn declared_file(source: &str) -> Option<&str> {
    let path = source.lines().next()?.strip_prefix("# file:")?;
    path.split_whitespace().next()
}

/// A single-file fixture: linted alone, or, with `# file:`, as the one
/// file of a project whose import root holds it at that path.
fn lint_fixture(source: &str, settings: &LinterSettings, lint_path: &str) -> Vec<Diagnostic> {
    let Some(file) = declared_file(source) else {
        return lint_source(source, settings, lint_path);
    };
    let root = PathBuf::from("/fixture-root");
    let path = root.join(file);
    let input = SourceInput {
        path: &path,
        display_path: lint_path,
        source,
        settings,
    };
    lint_project(&[input], &[root]).pop().unwrap_or_default()
}

/// `(line, code)` pairs written as `# error: PF401, PF301`.
fn expectations(source: &str) -> (BTreeMap<(usize, String), usize>, usize) {
    let mut expected = BTreeMap::new();
    let mut traps = 0;
    for (i, line) in source.lines().enumerate() {
        if let Some(pos) = line.find("# error:") {
            for code in line[pos + 8..].split([',', ' ']).map(str::trim) {
                if code.starts_with("PF") {
                    *expected.entry((i + 1, code.to_string())).or_insert(0) += 1;
                }
            }
        }
        if line.contains("# ok") {
            traps += 1;
        }
    }
    (expected, traps)
}

fn rule_of_fixture(path: &Path) -> RuleId {
    let stem = path.file_stem().unwrap().to_string_lossy();
    let code = &stem[..5];
    RuleId::from_code(code).unwrap_or_else(|| panic!("fixture {stem}: no rule {code}"))
}

fn check_expectations(
    name: &str,
    source: &str,
    rule: RuleId,
    diagnostics: &[pitfall_linter::Diagnostic],
    per_rule: &mut BTreeMap<&'static str, (usize, usize)>,
    failures: &mut Vec<String>,
) {
    let (mut expected, traps) = expectations(source);
    let counts = per_rule.entry(rule.meta().code).or_default();
    counts.0 += expected.values().sum::<usize>();
    counts.1 += traps;
    let lines = ruff_source_file::LineIndex::from_source_text(source);
    for d in diagnostics {
        let line = lines.line_index(d.range.start()).get();
        let key = (line, d.rule.meta().code.to_string());
        match expected.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => failures.push(format!("{name}:{line}: unexpected {} {}", key.1, d.message)),
        }
    }
    for ((line, code), n) in expected {
        if n > 0 {
            failures.push(format!("{name}:{line}: missing {code}"));
        }
    }
}

#[test]
fn fixtures() {
    let dir = common::fixtures_dir();
    let paths = common::fixture_paths();
    assert!(!paths.is_empty(), "no fixtures found in {}", dir.display());

    let mut failures = Vec::new();
    let mut per_rule: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for path in &paths {
        let rule = rule_of_fixture(path);
        let source = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let lint_path = fixture_path(&source, &name);
        let settings = settings_for(rule, &source, &lint_path);
        let diagnostics = lint_fixture(&source, &settings, &lint_path);
        check_expectations(
            &name,
            &source,
            rule,
            &diagnostics,
            &mut per_rule,
            &mut failures,
        );
    }
    for project in &common::project_fixture_dirs() {
        let rule = rule_of_fixture(project);
        let files = common::python_files(project);
        let sources: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        // Real files: package membership is read from the project's directories.
        let settings: Vec<LinterSettings> = sources
            .iter()
            .zip(&files)
            .zip(&names)
            .map(|((s, f), name)| {
                let mut settings = settings_for(rule, s, name);
                settings.file.in_package = f.with_file_name("__init__.py").is_file();
                settings
            })
            .collect();
        let inputs: Vec<SourceInput> = files
            .iter()
            .enumerate()
            .map(|(i, f)| SourceInput {
                path: f,
                display_path: &names[i],
                source: &sources[i],
                settings: &settings[i],
            })
            .collect();
        let results = lint_project(&inputs, std::slice::from_ref(project));
        for (i, diagnostics) in results.iter().enumerate() {
            check_expectations(
                &names[i],
                &sources[i],
                rule,
                diagnostics,
                &mut per_rule,
                &mut failures,
            );
        }
    }
    for id in RuleId::iter() {
        let meta = id.meta();
        if meta.tier == Tier::Tool {
            continue;
        }
        match per_rule.get(meta.code) {
            None => failures.push(format!("{}: no fixture file", meta.code)),
            Some((flagged, traps)) => {
                if flagged == &0 {
                    failures.push(format!("{}: fixtures flag nothing", meta.code));
                }
                if traps < flagged {
                    failures.push(format!(
                        "{}: {traps} `# ok` traps for {flagged} flagged cases; need at least as many traps",
                        meta.code
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}
