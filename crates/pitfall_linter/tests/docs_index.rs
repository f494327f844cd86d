//! `docs/rules.md` is the rule index, generated from the registry and
//! `rules/*.md`. This test fails when it is stale; regenerate it with
//! `UPDATE_DOCS=1 cargo test -p pitfall_linter --test docs_index`.

use std::fmt::Write;
use std::path::Path;

use pitfall_linter::{Family, RuleId};

fn expected_index() -> String {
    let mut out = String::from(
        "# Rule index\n\n<!-- Generated from the registry and rules/*.md by crates/pitfall_linter/tests/docs_index.rs; do not edit. -->\n\n\
         Every rule pitfall knows, by family. `pitfall rule CODE` prints a rule's full documentation.\n",
    );
    for family in Family::ALL {
        let rules: Vec<RuleId> = RuleId::iter()
            .filter(|id| id.meta().family == family)
            .collect();
        if rules.is_empty() {
            continue;
        }
        write!(
            out,
            "\n## {} — {} (`{}`)\n\n| code | name | tier | default | fix | summary | peers |\n|---|---|---|---|---|---|---|\n",
            family.prefix(),
            family.title(),
            family.name()
        )
        .unwrap();
        for id in rules {
            let m = id.meta();
            let peers = if m.peers.is_empty() {
                "—".to_string()
            } else {
                m.peers.join(", ")
            };
            writeln!(
                out,
                "| [{}](../rules/{}-{}.md) | `{}` | {} | {} | {} | {} | {} |",
                m.code,
                m.code,
                m.name,
                m.name,
                m.tier.name(),
                if m.default_enabled { "on" } else { "off" },
                m.fix.name(),
                m.summary.replace('|', "\\|"),
                peers
            )
            .unwrap();
        }
    }
    out
}

#[test]
fn rule_index_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = expected_index();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p pitfall_linter --test docs_index`"
    );
}
