//! What a rule sees in the cross-module phase: this module's summary and
//! facts, and (through [`ProjectView`]) the other modules' — no AST.

use std::sync::Arc;

use ruff_text_size::TextRange;

use super::facts::{FactKey, FunctionRef, LockKey, ModuleFacts, Witness};
use crate::diagnostic::{Diagnostic, Related};
use crate::registry::RuleId;
use crate::settings::LinterSettings;
use crate::summary::{Effect, FunctionFacts, FunctionLocations, ModuleSummary};

/// Access to the other modules of the project. The database implements it
/// with queries, so a file's cross-module findings depend exactly on the
/// modules they read.
pub trait ProjectView {
    fn summary(&self, module: u32) -> Option<Arc<ModuleSummary>>;
    fn facts(&self, module: u32) -> Option<Arc<ModuleFacts>>;
    /// The path shown to the user.
    fn display_path(&self, module: u32) -> Option<String>;
    /// The dotted module name, if the file has one.
    fn module_name(&self, module: u32) -> Option<String>;
    /// Hands the module's deferred local findings (all rules) to `read`:
    /// some are facts other modules read (`Condition::ConsumesParameterTwice`).
    fn read_deferred(&self, _module: u32, _read: &mut dyn FnMut(&[Diagnostic])) {}
    /// The 1-based line of each function's `def` in the module (see
    /// [`def_lines`]). Asked only to write a message that names a `def`,
    /// so the summaries do not count the lines of every file.
    fn def_lines(&self, module: u32) -> Option<Arc<[u32]>>;
}

/// The 1-based line of each function's `def` (`def_range`'s start), in the
/// order of `summary`'s functions, counted in one pass over `source`.
pub fn def_lines(summary: &ModuleSummary, source: &str) -> Arc<[u32]> {
    let bytes = source.as_bytes();
    let newlines = |r: &[u8]| memchr::memchr_iter(b'\n', r).count() as u32;
    let (mut line, mut counted) = (1u32, 0usize);
    summary
        .locations
        .functions
        .iter()
        .map(|f| {
            // Nearly in source order (a lambda in a default comes first).
            let start = f.def_range.start().to_usize().min(bytes.len());
            if start >= counted {
                line += newlines(&bytes[counted..start]);
            } else {
                line -= newlines(&bytes[start..counted]);
            }
            counted = start;
            line
        })
        .collect()
}

/// Longer chains are cut in messages (the related locations keep them all
/// up to this many steps).
const MAX_CHAIN: usize = 16;
/// A bound on following witnesses (they cannot cycle; this is a guard).
const MAX_WALK: usize = 1 << 20;

/// One step of a witness chain: a call (or, last, the effect itself) in a function.
#[derive(Clone, Debug)]
pub struct ChainStep {
    pub function: FunctionRef,
    pub qualname: String,
    pub def_line: u32,
    pub display_path: String,
    /// The call to the next step, or the effect at the end.
    pub range: TextRange,
}

/// The end of a chain: the effect that makes the fact true.
#[derive(Clone, Debug)]
pub struct Chain {
    pub steps: Vec<ChainStep>,
    pub effect: Option<Effect>,
    /// Steps were left out (the chain is longer than [`MAX_CHAIN`]).
    pub truncated: bool,
}

pub struct ProjectChecker<'a> {
    pub module: u32,
    pub summary: &'a ModuleSummary,
    pub facts: &'a ModuleFacts,
    pub view: &'a dyn ProjectView,
    pub settings: &'a LinterSettings,
    /// The local walk's deferred findings (see [`Diagnostic::condition`]).
    deferred: &'a [Diagnostic],
    pub(crate) current_rule: Option<RuleId>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> ProjectChecker<'a> {
    pub fn new(
        module: u32,
        summary: &'a ModuleSummary,
        facts: &'a ModuleFacts,
        view: &'a dyn ProjectView,
        settings: &'a LinterSettings,
    ) -> Self {
        ProjectChecker {
            module,
            summary,
            facts,
            view,
            settings,
            deferred: &[],
            current_rule: None,
            diagnostics: Vec::new(),
        }
    }

    /// The findings the local walk deferred to this phase.
    pub fn with_deferred(mut self, deferred: &'a [Diagnostic]) -> Self {
        self.deferred = deferred;
        self
    }

    /// The current rule's deferred findings: the rule reports those the
    /// project confirms ([`ProjectChecker::confirm`]).
    pub fn deferred(&self) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        let rule = self.current_rule;
        self.deferred.iter().filter(move |d| Some(d.rule) == rule)
    }

    /// Hands any module's deferred local findings to `read` (this one's too).
    pub fn read_deferred(&self, module: u32, read: &mut dyn FnMut(&[Diagnostic])) {
        if module == self.module {
            read(self.deferred);
        } else {
            self.view.read_deferred(module, read);
        }
    }

    /// Reports a deferred finding, its condition met.
    pub fn confirm(&mut self, deferred: &Diagnostic) -> &mut Diagnostic {
        let mut d = deferred.clone();
        d.condition = None;
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn report(&mut self, message: impl Into<String>, range: TextRange) -> &mut Diagnostic {
        let rule = self.current_rule.expect("reporting outside a rule");
        self.diagnostics.push(Diagnostic::new(rule, message, range));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Hands `read` the summary of any project module (this one's
    /// without asking the view).
    fn with_summary<R>(&self, module: u32, read: impl FnOnce(&ModuleSummary) -> R) -> Option<R> {
        if module == self.module {
            return Some(read(self.summary));
        }
        Some(read(&*self.view.summary(module)?))
    }

    /// Reads a project function's facts and locations, in any module.
    pub fn with_function<R>(
        &self,
        f: FunctionRef,
        read: impl FnOnce(&FunctionFacts, &FunctionLocations) -> R,
    ) -> Option<R> {
        self.with_summary(f.module, |summary| {
            let (facts, at) = summary.function(f.function)?;
            Some(read(facts, at))
        })?
    }

    /// A project function's qualified name (`Class.method`), in any module.
    pub fn qualname(&self, f: FunctionRef) -> Option<String> {
        self.with_summary(f.module, |summary| {
            summary.interface.function_qualname(f.function)
        })?
    }

    /// The 1-based line of a project function's `def` (1 for a function
    /// the project does not know, as a message needs some line).
    pub fn def_line(&self, f: FunctionRef) -> u32 {
        self.view
            .def_lines(f.module)
            .and_then(|lines| lines.get(f.function as usize).copied())
            .unwrap_or(1)
    }

    /// Whether a project function is `async def`.
    pub fn is_async(&self, f: FunctionRef) -> bool {
        self.with_function(f, |facts, _| facts.is_async)
            .unwrap_or(false)
    }

    /// Whether `f` has the fact.
    pub fn has_fact(&self, f: FunctionRef, key: &FactKey) -> bool {
        if f.module == self.module {
            return self.facts.fact(f.function, key).is_some();
        }
        self.view
            .facts(f.module)
            .is_some_and(|facts| facts.fact(f.function, key).is_some())
    }

    /// The witness chain of a fact, from `start` to the effect.
    pub fn chain(&self, start: FunctionRef, key: &FactKey) -> Chain {
        let mut steps = Vec::new();
        let mut at = start;
        let mut effect = None;
        let mut truncated = false;
        // Witnesses point to functions that had the fact first, so the walk
        // ends; past MAX_CHAIN steps it only looks for the effect.
        for _ in 0..MAX_WALK {
            if steps.len() >= MAX_CHAIN {
                truncated = true;
            }
            let (owned_summary, owned_facts);
            let (summary, facts): (&ModuleSummary, &ModuleFacts) = if at.module == self.module {
                (self.summary, self.facts)
            } else {
                match (self.view.summary(at.module), self.view.facts(at.module)) {
                    (Some(s), Some(f)) => {
                        owned_summary = s;
                        owned_facts = f;
                        (&owned_summary, &owned_facts)
                    }
                    _ => break,
                }
            };
            let Some((function, locations)) = summary.function(at.function) else {
                break;
            };
            let Some(witness) = facts.fact(at.function, key) else {
                break;
            };
            let (range, next) = match witness {
                Witness::Direct { effect: e } => {
                    effect = function.effects.get(e as usize).cloned();
                    (locations.effects.get(e as usize).map(|r| r.0), None)
                }
                Witness::Call { call, target } => {
                    (locations.calls.get(call as usize).copied(), Some(target))
                }
                Witness::Inherited { call } => {
                    let at = crate::summary::CallRef {
                        function: Some(at.function),
                        call,
                    };
                    effect = facts.inherited_effect(at).cloned();
                    (locations.calls.get(call as usize).copied(), None)
                }
                // Spawn facts flow downwards: no chain to an effect.
                Witness::Spawned { .. } | Witness::ThreadRun { .. } | Witness::CalledBy { .. } => {
                    break
                }
            };
            if !truncated {
                steps.push(ChainStep {
                    function: at,
                    qualname: summary
                        .interface
                        .function_qualname(at.function)
                        .unwrap_or_default(),
                    def_line: self.def_line(at),
                    display_path: self.view.display_path(at.module).unwrap_or_default(),
                    range: range.unwrap_or_default(),
                });
            }
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        Chain {
            steps,
            effect,
            truncated,
        }
    }

    /// `caller → helper (path:line) → ... → api`, and the related locations.
    pub fn render_chain(&self, caller: &str, chain: &Chain, end: &str) -> (String, Vec<Related>) {
        let mut names = vec![caller.to_string()];
        let mut related = Vec::new();
        let here = self.view.display_path(self.module).unwrap_or_default();
        for step in &chain.steps {
            names.push(format!(
                "{} ({}:{})",
                step.qualname, step.display_path, step.def_line
            ));
            related.push(Related {
                path: (step.display_path != here).then(|| step.display_path.clone()),
                range: step.range,
                message: format!("`{}` calls this", step.qualname),
            });
        }
        if chain.truncated {
            names.push("…".to_string());
        }
        names.push(end.to_string());
        (names.join(" → "), related)
    }

    /// A lock as the user wrote it, near enough: `_lock`, `self._lock`, `app.locks.LOCK`.
    pub fn lock_name(&self, lock: &LockKey) -> String {
        match lock {
            LockKey::Global { module, name } if *module == self.module => name.to_string(),
            LockKey::Global { module, name } => match self.view.module_name(*module) {
                Some(m) => format!("{m}.{name}"),
                None => name.to_string(),
            },
            LockKey::Attr { attr, .. } => format!("self.{attr}"),
            LockKey::Local(_, name) => name.to_string(),
        }
    }
}

/// Runs every enabled rule's cross-module check on one module.
pub fn check_project(cx: &mut ProjectChecker) -> Vec<Diagnostic> {
    for id in cx.settings.rules.iter() {
        cx.current_rule = Some(id);
        id.rule().check_project(cx);
    }
    let mut diagnostics = std::mem::take(&mut cx.diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
    diagnostics
}
