//! Every fix on every fixture, end to end: with all rules enabled, applying
//! all fixes (safe and unsafe) to each `tests/fixtures` file must converge
//! and give code that parses with no more syntax errors than the original,
//! and a rule whose fixes were applied must report fewer findings after.
//! This catches a broken fix in any rule, present or future, that has a fixture.

mod common;

use common::fixture_paths;
use pitfall_linter::fix::MAX_FIX_PASSES;
use pitfall_linter::pipeline::{lint_source, parse};
use pitfall_linter::project::{lint_project, SourceInput};
use pitfall_linter::{fix_until_stable, FileContext, LinterSettings, RuleSet, UnsafeFixes};

#[test]
fn all_fixes_on_every_fixture_give_code_that_parses() {
    let settings = LinterSettings {
        rules: RuleSet::all(),
        ..LinterSettings::default()
    };
    let mut failures = Vec::new();
    let mut fixed_total = 0;
    for path in fixture_paths() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let is_stub = name.ends_with(".pyi");
        let lint = |text: &str| lint_source(text, &settings, &name);
        let before = lint(&source);
        let outcome = fix_until_stable(&source, before.clone(), UnsafeFixes::Enabled, lint);
        if let Some(failure) = &outcome.failure {
            failures.push(format!("{name}: {failure}"));
            continue;
        }
        let Some(text) = &outcome.text else { continue };
        fixed_total += outcome.fixed_count();
        let errors_before = parse(&source, is_stub).errors().len();
        let parsed = parse(text, is_stub);
        if parsed.errors().len() > errors_before {
            failures.push(format!(
                "{name}: fixed code does not parse: {}\n{text}",
                parsed.errors()[0].error
            ));
        }
        for (rule, _) in &outcome.fixed {
            let count =
                |ds: &[pitfall_linter::Diagnostic]| ds.iter().filter(|d| d.rule == *rule).count();
            if count(&outcome.diagnostics) >= count(&before) {
                failures.push(format!(
                    "{name}: {} fixes applied but its findings did not go down",
                    rule.meta().code
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "broken fixes:\n{}",
        failures.join("\n")
    );
    assert!(fixed_total > 0, "no fixture had a fix to apply");
}

/// Every fix on every multi-file fixture, as `check --fix --unsafe-fixes`
/// applies them: the project is linted (local and cross-module rules), each
/// file's fixes go through the fix loop, and the project is linted again
/// until no file changes. Every result must parse (no more syntax errors
/// than before) and the passes must settle.
#[test]
fn all_fixes_on_every_project_fixture_give_code_that_parses() {
    let dir = common::fixtures_dir();
    let mut failures = Vec::new();
    let mut cross_fixes = 0;
    for project in common::project_fixture_dirs() {
        let files = common::python_files(&project);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        let settings: Vec<LinterSettings> = files
            .iter()
            .zip(&names)
            .map(|(f, name)| {
                let mut file = FileContext::assumed(name);
                file.in_package = f.with_file_name("__init__.py").is_file();
                LinterSettings {
                    rules: RuleSet::all(),
                    file,
                    ..LinterSettings::default()
                }
            })
            .collect();
        let originals: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        let mut sources = originals.clone();
        let mut settled = false;
        for _ in 0..MAX_FIX_PASSES {
            let inputs: Vec<SourceInput> = (0..files.len())
                .map(|i| SourceInput {
                    path: &files[i],
                    display_path: &names[i],
                    source: &sources[i],
                    settings: &settings[i],
                })
                .collect();
            let results = lint_project(&inputs, std::slice::from_ref(&project));
            let mut changed = Vec::new();
            for (i, found) in results.into_iter().enumerate() {
                let lint = |text: &str| lint_source(text, &settings[i], &names[i]);
                let local = lint(&sources[i]);
                cross_fixes += found
                    .iter()
                    .filter(|d| d.fix.is_some() && !local.contains(d))
                    .count();
                let outcome = fix_until_stable(&sources[i], found, UnsafeFixes::Enabled, lint);
                if let Some(failure) = &outcome.failure {
                    failures.push(format!("{}: {failure}", names[i]));
                    continue;
                }
                let Some(text) = outcome.text else { continue };
                let is_stub = names[i].ends_with(".pyi");
                let errors_before = parse(&originals[i], is_stub).errors().len();
                let parsed = parse(&text, is_stub);
                if parsed.errors().len() > errors_before {
                    failures.push(format!(
                        "{}: fixed code does not parse: {}\n{text}",
                        names[i],
                        parsed.errors()[0].error
                    ));
                    continue;
                }
                changed.push((i, text));
            }
            if changed.is_empty() {
                settled = true;
                break;
            }
            for (i, text) in changed {
                sources[i] = text;
            }
        }
        if !settled {
            failures.push(format!("{}: fixes did not settle", project.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "broken fixes:\n{}",
        failures.join("\n")
    );
    assert!(
        cross_fixes > 0,
        "no project fixture had a cross-module fix to apply"
    );
}

/// The rule fixes that exist, end to end: the exact text they give, and
/// that it no longer triggers the rule.
#[test]
fn bare_except_and_sleep_fixes() {
    let mut rules = RuleSet::EMPTY;
    for code in ["PF101", "PF201"] {
        rules.insert(pitfall_linter::RuleId::from_code(code).unwrap());
    }
    let settings = LinterSettings {
        rules,
        ..LinterSettings::default()
    };
    let lint = |text: &str| lint_source(text, &settings, "app.py");
    let source = "\
import time


async def poll():
    try:
        time.sleep(1)
    except:
        pass
    time.sleep(2)
";
    let outcome = fix_until_stable(source, lint(source), UnsafeFixes::Enabled, lint);
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    assert_eq!(
        outcome.text.as_deref(),
        Some(
            "\
import asyncio
import time


async def poll():
    try:
        await asyncio.sleep(1)
    except Exception:
        pass
    await asyncio.sleep(2)
"
        )
    );
    assert_eq!(outcome.fixed_count(), 3);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    // Both fixes are unsafe: nothing applies without `--unsafe-fixes`.
    let safe_only = fix_until_stable(source, lint(source), UnsafeFixes::Disabled, lint);
    assert!(safe_only.text.is_none());
}
