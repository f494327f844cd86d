//! Every rule has `rules/<CODE>-<name>.md`; its Example block must trigger
//! the rule and its Use instead block must not. A block whose first line is
//! a path comment (`# myapp/billing.py`) is linted as that file.

use std::path::{Path, PathBuf};

use pitfall_linter::pipeline::lint_source;
use pitfall_linter::project::{lint_project, SourceInput};
use pitfall_linter::{FileContext, LinterSettings, RuleId, RuleSet};

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

/// Every ```python block of the section under `heading`.
fn code_blocks<'a>(doc: &'a str, heading: &str) -> Vec<&'a str> {
    let Some(start) = doc.find(heading) else {
        return Vec::new();
    };
    let body = &doc[start + heading.len()..];
    let section = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```python\n") {
        let open = open + "```python\n".len();
        let Some(close) = rest[open..].find("```") else {
            break;
        };
        blocks.push(&rest[open..open + close]);
        rest = &rest[open + close + 3..];
    }
    blocks
}

/// Several blocks, each starting `# file: pkg/mod.py`: one project.
fn lint_project_with(rule: RuleId, blocks: &[&str]) -> usize {
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    let settings = LinterSettings {
        rules,
        ..LinterSettings::default()
    };
    let root = PathBuf::from("/doc");
    let paths: Vec<(PathBuf, String)> = blocks
        .iter()
        .map(|b| {
            let name = b
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# file:"))
                .and_then(|p| p.split_whitespace().next())
                .unwrap_or("example.py")
                .to_string();
            (root.join(&name), name)
        })
        .collect();
    let inputs: Vec<SourceInput> = blocks
        .iter()
        .zip(&paths)
        .map(|(source, (path, name))| SourceInput {
            path,
            display_path: name,
            source,
            settings: &settings,
        })
        .collect();
    lint_project(&inputs, &[root])
        .iter()
        .flatten()
        .filter(|d| d.rule == rule)
        .count()
}

/// The findings of a section's blocks: one file, or a project of several.
fn lint_section(rule: RuleId, doc: &str, heading: &str) -> Option<usize> {
    let blocks = code_blocks(doc, heading);
    match blocks.len() {
        0 => None,
        1 => Some(lint_with(rule, code_block(doc, heading)?)),
        _ => Some(lint_project_with(rule, &blocks)),
    }
}

fn lint_with(rule: RuleId, source: &str) -> usize {
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    // `# file: random.py (at an import root)` places the example in a module.
    let declared = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# file:"))
        .and_then(|p| p.split_whitespace().next());
    let path = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .filter(|p| p.ends_with(".py") && !p.contains(' '))
        .unwrap_or("example.py");
    let settings = LinterSettings {
        rules,
        file: FileContext::assumed(path),
        ..LinterSettings::default()
    };
    let diagnostics = match declared {
        Some(file) => {
            let root = PathBuf::from("/doc");
            let full = root.join(file);
            let input = SourceInput {
                path: &full,
                display_path: file,
                source,
                settings: &settings,
            };
            lint_project(&[input], &[root]).pop().unwrap_or_default()
        }
        None => lint_source(source, &settings, path),
    };
    diagnostics.iter().filter(|d| d.rule == rule).count()
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
        if let Some(found) = lint_section(id, &doc, "## Example") {
            if found == 0 {
                failures.push(format!("{}: Example block is not flagged", meta.code));
            }
        } else if meta.tier != pitfall_linter::Tier::Tool {
            failures.push(format!("{}: no Example block", meta.code));
        }
        if let Some(n) = lint_section(id, &doc, "## Use instead") {
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
