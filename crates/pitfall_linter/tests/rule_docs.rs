//! Every rule has `rules/<CODE>-<name>.md`; its Example block must trigger
//! the rule and its Use instead block must not. A block whose first line is
//! a path comment (`# myapp/billing.py`) is linted as that file.

use std::path::{Path, PathBuf};

use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{FileContext, LinterSettings, ModulePath, RuleId, RuleSet};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

/// The first ```python block after `heading`.
fn code_block<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(heading)?;
    let rest = &doc[start..];
    let open = rest.find("```python\n")? + "```python\n".len();
    let close = rest[open..].find("```")?;
    Some(&rest[open..open + close])
}

fn lint_with(rule: RuleId, source: &str) -> usize {
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    // `# file: random.py (at an import root)` places the example in a module.
    let module = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# file:"))
        .and_then(|p| p.split_whitespace().next())
        .and_then(|p| ModulePath::from_relative(Path::new(p)));
    let path = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .filter(|p| p.ends_with(".py") && !p.contains(' '))
        .unwrap_or("example.py");
    let settings = LinterSettings {
        rules,
        module,
        file: FileContext::assumed(path),
        ..LinterSettings::default()
    };
    lint_source(source, &settings, path)
        .iter()
        .filter(|d| d.rule == rule)
        .count()
}

#[test]
fn every_rule_is_documented_and_its_examples_hold() {
    let mut failures = Vec::new();
    for id in RuleId::iter() {
        let meta = id.meta();
        let path = rules_dir().join(format!("{}-{}.md", meta.code, meta.name));
        let Ok(doc) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: missing {}", meta.code, path.display()));
            continue;
        };
        let title = format!("# {} `{}`", meta.code, meta.name);
        if !doc.starts_with(&title) {
            failures.push(format!("{}: doc must start with {title}", meta.code));
        }
        if let Some(example) = code_block(&doc, "## Example") {
            if lint_with(id, example) == 0 {
                failures.push(format!("{}: Example block is not flagged", meta.code));
            }
        } else if meta.tier != pitfall_linter::Tier::Tool {
            failures.push(format!("{}: no Example block", meta.code));
        }
        if let Some(good) = code_block(&doc, "## Use instead") {
            let n = lint_with(id, good);
            if n != 0 {
                failures.push(format!(
                    "{}: Use instead block is flagged {n} times",
                    meta.code
                ));
            }
        } else if meta.tier != pitfall_linter::Tier::Tool {
            failures.push(format!("{}: no Use instead block", meta.code));
        }
    }
    assert!(
        failures.is_empty(),
        "rule doc failures:\n{}",
        failures.join("\n")
    );
}
