//! Every fix on every fixture, end to end: with all rules enabled, applying
//! all fixes (safe and unsafe) to each `tests/fixtures` file must converge
//! and give code that parses with no more syntax errors than the original,
//! and a rule whose fixes were applied must report fewer findings after.
//! This catches a broken fix in any rule, present or future, that has a fixture.

mod common;

use common::fixture_paths;
use pitfall_linter::pipeline::{lint_source, parse};
use pitfall_linter::{fix_until_stable, LinterSettings, RuleSet, UnsafeFixes};

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
