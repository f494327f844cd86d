//! What the enabled rules read of the cross-module phase, so that the rest
//! of it is not computed: each rule with a `check_project` declares its
//! [`ProjectNeeds`] (`Rule::project_needs`), and resolution, the fixpoint
//! and the import graph compute only the union. With PF101 alone no import
//! is resolved, no module-level call, lock, spawn or inherited method, and
//! only `Blocks` is propagated.

use std::ops::BitOr;

use super::facts::FactKey;
use crate::selector::RuleSet;

/// A set of the parts of the project phase a rule reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ProjectNeeds(u16);

impl ProjectNeeds {
    pub const NONE: ProjectNeeds = ProjectNeeds(0);
    /// The targets of calls made in functions (`call_targets`, `target`).
    pub const CALLS: ProjectNeeds = ProjectNeeds(1);
    /// The targets of calls made in coroutines, and the facts of the
    /// functions they reach (PF101, PF107): only the modules with an
    /// `async def` and those their calls reach are resolved, when no
    /// enabled rule reads more (see [`ProjectNeeds::from_coroutines`]).
    pub const COROUTINE_CALLS: ProjectNeeds = ProjectNeeds(1 << 10);
    /// The targets of module-level calls (`module_targets`, `target`).
    pub const MODULE_CALLS: ProjectNeeds = ProjectNeeds(1 << 1);
    /// [`FactKey::Blocks`], read at the functions coroutines call.
    pub const BLOCKS: ProjectNeeds = ProjectNeeds(1 << 2);
    /// [`FactKey::RunsEventLoop`], read at the functions coroutines call.
    pub const EVENT_LOOP: ProjectNeeds = ProjectNeeds(1 << 3);
    /// [`FactKey::StartsProcesses`].
    pub const STARTS_PROCESSES: ProjectNeeds = ProjectNeeds(1 << 4);
    /// The lock each `Acquires` effect takes (`locks`), and [`FactKey::Acquires`].
    pub const LOCKS: ProjectNeeds = ProjectNeeds(1 << 5);
    /// [`FactKey::Spawned`] and `thread_classes`.
    pub const SPAWNS: ProjectNeeds = ProjectNeeds(1 << 6);
    /// Calls of inherited library methods with an effect (`inherited`).
    pub const INHERITED: ProjectNeeds = ProjectNeeds(1 << 7);
    /// Each import statement resolved (`imports`).
    pub const IMPORTS: ProjectNeeds = ProjectNeeds(1 << 8);
    /// The import graph: `cycle`, `importer`, `top_level`.
    pub const IMPORT_GRAPH: ProjectNeeds = ProjectNeeds(1 << 9);
    pub const ALL: ProjectNeeds = ProjectNeeds((1 << 11) - 1);

    /// The facts that travel along call edges.
    const FACTS: ProjectNeeds = ProjectNeeds(
        Self::BLOCKS.0
            | Self::EVENT_LOOP.0
            | Self::STARTS_PROCESSES.0
            | Self::LOCKS.0
            | Self::SPAWNS.0,
    );
    /// The facts an inherited library method can give its caller (see
    /// `summary::inherited_effect`: `Process().start()`).
    const INHERITED_FACTS: ProjectNeeds = Self::STARTS_PROCESSES;

    pub const fn with(self, other: ProjectNeeds) -> ProjectNeeds {
        ProjectNeeds(self.0 | other.0)
    }

    pub const fn contains(self, other: ProjectNeeds) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn intersects(self, other: ProjectNeeds) -> bool {
        self.0 & other.0 != 0
    }

    /// What the rules of `rules` read.
    pub fn of_rules(rules: &RuleSet) -> ProjectNeeds {
        rules.iter().fold(ProjectNeeds::NONE, |needs, id| {
            needs | id.rule().project_needs()
        })
    }

    /// Whether the fixpoint computes this fact.
    pub fn has_fact(self, key: &FactKey) -> bool {
        self.contains(match key {
            FactKey::Blocks => Self::BLOCKS,
            FactKey::RunsEventLoop => Self::EVENT_LOOP,
            FactKey::StartsProcesses => Self::STARTS_PROCESSES,
            FactKey::Acquires(_) => Self::LOCKS,
            FactKey::Spawned { .. } => Self::SPAWNS,
        })
    }

    /// Whether inherited library method calls are looked for.
    pub(crate) fn inherited_calls(self) -> bool {
        self.intersects(Self::INHERITED.with(Self::INHERITED_FACTS))
    }

    /// Whether the calls made in functions are resolved: for their
    /// targets, for the facts that travel along them, and to tell the
    /// calls no project function answers (inherited methods).
    pub(crate) fn function_calls(self) -> bool {
        self.intersects(Self::CALLS.with(Self::COROUTINE_CALLS).with(Self::FACTS))
            || self.inherited_calls()
    }

    /// Whether every call the enabled rules read is reached from a
    /// coroutine: then a module's calls are resolved only when it has an
    /// `async def` or a resolved call reaches it. The facts of the
    /// functions reached are the same as over the whole graph (they flow
    /// from callee to caller, and every callee of a function reached is
    /// reached).
    pub fn from_coroutines(self) -> bool {
        let reads_from_coroutines = Self::COROUTINE_CALLS
            .with(Self::BLOCKS)
            .with(Self::EVENT_LOOP)
            .with(Self::IMPORTS)
            .with(Self::IMPORT_GRAPH);
        self.contains(Self::COROUTINE_CALLS) && reads_from_coroutines.contains(self)
    }

    /// Whether every enabled rule of the project phase reports at calls
    /// that coroutines make (PF101, PF107: no import rule, nothing
    /// deferred): then a file without an `async def` has no finding of
    /// that phase.
    pub fn findings_in_coroutines_only(self) -> bool {
        let in_coroutines = Self::COROUTINE_CALLS
            .with(Self::BLOCKS)
            .with(Self::EVENT_LOOP);
        self.contains(Self::COROUTINE_CALLS) && in_coroutines.contains(self)
    }

    /// Whether module-level calls are resolved.
    pub(crate) fn module_calls(self) -> bool {
        self.contains(Self::MODULE_CALLS) || self.inherited_calls()
    }

    /// Whether import statements are resolved.
    pub fn imports(self) -> bool {
        self.intersects(Self::IMPORTS.with(Self::IMPORT_GRAPH))
    }
}

impl BitOr for ProjectNeeds {
    type Output = ProjectNeeds;

    fn bitor(self, other: ProjectNeeds) -> ProjectNeeds {
        self.with(other)
    }
}

#[cfg(test)]
mod tests {
    use super::ProjectNeeds;
    use crate::RuleId;

    fn needs_of(codes: &[&str]) -> ProjectNeeds {
        codes.iter().fold(ProjectNeeds::NONE, |needs, code| {
            needs
                | RuleId::from_code(code)
                    .expect("a rule")
                    .rule()
                    .project_needs()
        })
    }

    /// `cross_module_diagnostics` skips the files without an `async def`
    /// when this holds: only rules that report at calls coroutines make
    /// may satisfy it (a rule added to them must report only there and
    /// defer nothing), and any other project rule turns it off.
    #[test]
    fn findings_in_coroutines_only_is_pf101_and_pf107() {
        let only: Vec<&str> = RuleId::iter()
            .filter(|id| {
                let needs = id.rule().project_needs();
                needs != ProjectNeeds::NONE && needs.findings_in_coroutines_only()
            })
            .map(|id| id.meta().code)
            .collect();
        assert_eq!(only, ["PF101", "PF107"]);
        assert!(needs_of(&["PF101", "PF107"]).findings_in_coroutines_only());
        for other in ["PF102", "PF901", "PF902", "PF905", "PF305", "PF108"] {
            let needs = needs_of(&["PF101", other]);
            assert!(!needs.findings_in_coroutines_only(), "PF101 with {other}");
        }
        // Reading calls from coroutines is not enough: PF901 reads imports.
        assert!(needs_of(&["PF101", "PF901"]).from_coroutines());
    }

    /// The cross-module phase is skipped when the enabled rules need
    /// nothing of it, so a rule with a `check_project` must declare what it
    /// reads (one rule per file under `rules/`).
    #[test]
    fn every_rule_with_a_project_check_declares_its_needs() {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut pending = vec![rules];
        let mut checked = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("rules directory") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text.contains("fn check_project(") {
                    checked += 1;
                    assert!(
                        text.contains("fn project_needs(") && !text.contains("ProjectNeeds::NONE"),
                        "{} has a check_project but declares no project needs",
                        path.display()
                    );
                }
            }
        }
        assert!(checked > 0);
    }
}
