//! PF905 `unresolved-project-import`: `from M import N` where project module
//! `M` defines no `N` and has no submodule `N`; `import M.N` where project
//! package `M` has no submodule `N`.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::Rule;

pub struct UnresolvedProjectImport;

static META: RuleMeta = rule_meta(
    "PF905",
    "unresolved-project-import",
    Family::Design,
    Tier::Core,
    FixAvailability::Sometimes,
    &["E0611", "E0401"],
    "`from project.module import name` where the name doesn't exist.",
);

impl Rule for UnresolvedProjectImport {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::IMPORTS
    }

    fn check_project(&self, cx: &mut ProjectChecker) {
        let this = cx.view.module_name(cx.module);
        for (i, import) in cx.summary.interface.imports.iter().enumerate() {
            // A guarded import expects to fail sometimes.
            if import.guarded {
                continue;
            }
            let (Some(resolution), Some(at)) =
                (cx.facts.imports.get(i), cx.summary.locations.imports.get(i))
            else {
                continue;
            };
            if let Some(missing) = &resolution.missing_submodule {
                let (package, sub) = missing.rsplit_once('.').unwrap_or(("", missing));
                cx.report(
                    format!("Project package `{package}` has no submodule `{sub}`"),
                    at.range,
                )
                .help("check the module path: the module may have been moved or renamed");
                continue;
            }
            let Some(names) = &import.names else { continue };
            let module = match (&this, resolution.module) {
                (Some(_), Some(m)) => cx.view.module_name(m).unwrap_or_default(),
                _ => continue,
            };
            for (index, suggestion) in &resolution.missing_names {
                let (Some(name), Some(range)) =
                    (names.get(*index as usize), at.names.get(*index as usize))
                else {
                    continue;
                };
                let mut message = format!("`{name}` is not defined in project module `{module}`");
                if let Some(s) = suggestion {
                    message.push_str(&format!("; did you mean `{s}`?"));
                }
                let diagnostic = cx.report(message, *range);
                diagnostic.help(
                    "import a name the module defines: it raises `ImportError` when this line runs",
                );
                if let Some(s) = suggestion {
                    // `x as y` keeps its alias; a plain `x` becomes `s as x`,
                    // so the code that uses `x` still finds it.
                    let aliased = at.aliased.get(*index as usize).copied().unwrap_or(true);
                    let content = if aliased {
                        s.clone()
                    } else {
                        format!("{s} as {name}")
                    };
                    diagnostic.fix(Fix {
                        message: format!("Import `{s}` instead"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            range: *range,
                            content,
                        }],
                    });
                }
            }
        }
    }
}
