//! PF901 `circular-import`: modules that import each other at import time.
//! The cycles are strongly connected components of the project import
//! graph, found by the cross-module fixpoint (see `project::facts`).

use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::Rule;

pub struct CircularImport;

static META: RuleMeta = rule_meta(
    "PF901",
    "circular-import",
    Family::Design,
    Tier::Core,
    FixAvailability::None,
    &["R0401"],
    "Modules that import each other at top level (project-wide cycles).",
);

impl Rule for CircularImport {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::IMPORT_GRAPH
    }

    fn check_project(&self, cx: &mut ProjectChecker) {
        let Some(cycle) = &cx.facts.cycle else {
            return;
        };
        let Some(at) = cx.summary.locations.imports.get(cycle.import as usize) else {
            return;
        };
        let name = |m: u32| cx.view.module_name(m).unwrap_or_else(|| "?".to_string());
        let spelled = if cycle.path.is_empty() {
            format!(
                "`{}` is part of an import cycle of {} modules",
                name(cx.module),
                cycle.size
            )
        } else if cycle.path.len() == 2 {
            format!("`{}` imports itself", name(cx.module))
        } else {
            let names: Vec<String> = cycle.path.iter().map(|m| name(*m)).collect();
            format!("Import cycle: {}", names.join(" → "))
        };
        let consequence = if cycle.uses_from {
            "a `from ... import` in it fails with `ImportError` depending on which module is imported first"
        } else {
            "it works only while the modules' attributes are used lazily, after both have loaded"
        };
        cx.report(format!("{spelled}: {consequence}"), at.range).help(
            "move the shared code to a third module, invert the dependency, or import under `if TYPE_CHECKING:` (or inside the function that needs it)",
        );
    }
}
