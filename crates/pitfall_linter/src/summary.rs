//! Per-module summaries for the call-graph analysis (PF101, PF107, PF108,
//! PF901, PF905).
//!
//! A summary has two halves. The [`ModuleInterface`] holds no positions: per
//! function, whether it is async, its direct effects (blocking calls, event
//! loops started, locks taken) and its calls out; the module's top-level
//! names and imports. The project-wide fixpoint depends on interfaces only, so
//! an edit that moves code without changing what it calls stops there. The
//! [`ModuleLocations`] half holds the matching ranges and lines, read only
//! when a finding is drawn.

use std::sync::Arc;

use pitfall_semantic::{
    BindingId, BindingKind, CallSite, Lookup, PathSegment, Resolved, ScopeId, ScopeKind,
    SemanticIndex, Symbol, ValuePath,
};
use ruff_python_ast::name::Name;
use ruff_text_size::{TextRange, TextSize};

use crate::blocking::{classify, may_block_by_name, BlockingCategory};
use crate::project::ProjectNeeds;
use crate::selector::RuleSet;
use crate::sized::{exact, take_exact};

/// Options that change what counts as blocking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BlockingOptions {
    pub extra_blocking_calls: Vec<String>,
    pub allowed_calls: Vec<String>,
}

/// The parts of a summary that only some rules read. A part is recorded
/// when a rule that reads it (`Rule::summary_needs`) is enabled: for a
/// project, in any of its files, since a rule follows calls into the other
/// modules' summaries. Part of the summary's inputs, like [`BlockingOptions`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SummaryNeeds(u8);

impl SummaryNeeds {
    pub const NONE: SummaryNeeds = SummaryNeeds(0);
    pub const ALL: SummaryNeeds = SummaryNeeds(u8::MAX);
    /// Calls out (`FunctionFacts::calls`) and the effects found resolving them.
    pub const CALLS: SummaryNeeds = SummaryNeeds(1);
    /// Calls made at import time (`module_calls`).
    pub const MODULE_CALLS: SummaryNeeds = SummaryNeeds(1 << 1);
    /// Locks held: `Acquires` effects, `held_calls`.
    pub const LOCKS: SummaryNeeds = SummaryNeeds(1 << 2);
    /// Calls made under any lock (`guarded_calls`).
    pub const GUARDS: SummaryNeeds = SummaryNeeds(1 << 3);
    /// Callables handed to threads, pools and processes (`spawns`).
    pub const SPAWNS: SummaryNeeds = SummaryNeeds(1 << 4);
    /// `FunctionFacts::is_coroutine`.
    pub const COROUTINES: SummaryNeeds = SummaryNeeds(1 << 5);
    /// `FunctionFacts::is_generator`.
    pub const GENERATORS: SummaryNeeds = SummaryNeeds(1 << 6);
    /// The definitions, names and imports every other part and the project
    /// phase build on. Needed when any enabled rule reads a summary part or
    /// the project phase (which resolves against them); without it the
    /// summary is empty.
    pub const DEFINITIONS: SummaryNeeds = SummaryNeeds(1 << 7);

    pub const fn with(self, other: SummaryNeeds) -> SummaryNeeds {
        SummaryNeeds(self.0 | other.0)
    }

    /// The parts the rules of `rules` read: each rule declares its own
    /// (`Rule::summary_needs`, next to its `project_needs`); a rule that
    /// reads either reads the definitions.
    pub fn of_rules(rules: &RuleSet) -> SummaryNeeds {
        rules.iter().fold(SummaryNeeds::NONE, |needs, id| {
            let rule = id.rule();
            let parts = rule.summary_needs();
            if parts == SummaryNeeds::NONE && rule.project_needs() == ProjectNeeds::NONE {
                needs
            } else {
                needs | parts | SummaryNeeds::DEFINITIONS
            }
        })
    }

    pub fn contains(self, part: SummaryNeeds) -> bool {
        self.0 & part.0 == part.0
    }
}

impl std::ops::BitOr for SummaryNeeds {
    type Output = SummaryNeeds;
    fn bitor(self, other: SummaryNeeds) -> SummaryNeeds {
        SummaryNeeds(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for SummaryNeeds {
    fn bitor_assign(&mut self, other: SummaryNeeds) {
        self.0 |= other.0;
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleSummary {
    /// Shared with the `module_interface` query (no copy).
    pub interface: Arc<ModuleInterface>,
    pub locations: ModuleLocations,
}

/// What other modules' facts depend on: no positions.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleInterface {
    /// Every `def` of the module (nested ones too), in source order.
    pub functions: Vec<FunctionFacts>,
    /// Shared with the module's exports (no copy).
    pub classes: std::sync::Arc<Vec<ClassFacts>>,
    /// Module-level names, sorted by name.
    pub names: std::sync::Arc<Vec<(Name, Export)>>,
    /// Import statements, in source order (function-level ones too).
    pub imports: Vec<ImportFacts>,
    /// Names may exist at run time that the source does not bind: a
    /// module-level `__getattr__` (PEP 562) or a call to `globals()`.
    pub dynamic_names: bool,
    /// The module adds a finder to `sys.meta_path` (`sys.meta_path.append(
    /// finder)`): its package may provide submodules and names that no file
    /// defines, as a vendoring importer does (setuptools' `extern`).
    pub import_hook: bool,
    /// The module has an `if __name__ == "__main__":` block (a script).
    pub has_main_guard: bool,
    /// Calls made at module level (not in a function or class body), in
    /// source order: what importing the module runs (PF105, PF102).
    pub module_calls: Vec<CallOut>,
    /// Callables handed to threads, pools or processes (PF104), in source order.
    pub spawns: Vec<Spawn>,
}

/// A callable handed to `threading.Thread(target=...)`, a pool's `submit`
/// or `map`, `asyncio.to_thread`, `multiprocessing.Process`, ... (PF104).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spawn {
    pub callee: Callee,
    /// The API that starts it (`threading.Thread`).
    pub api: Box<str>,
    /// Started from a loop or comprehension, or submitted to a pool.
    pub concurrent: bool,
    /// Runs in a thread (shares globals), not in a process.
    pub threads: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionFacts {
    /// The `def`'s own name; [`ModuleInterface::function_qualname`] gives
    /// `Class.method`, `outer.inner` (only messages need it, and most
    /// qualified names are too long to be kept inline: built on demand).
    pub name: Name,
    /// The `def` or class it is defined in.
    pub parent: Parent,
    pub is_async: bool,
    /// Calling it returns a coroutine (PF102): an `async def` that is no
    /// async generator, decorated (if at all) only by decorators that keep
    /// it one.
    pub is_coroutine: bool,
    /// A `def` containing `yield`: calling it returns a one-shot
    /// generator (PF407).
    pub is_generator: bool,
    /// Known effects of the body itself, in source order.
    pub effects: Box<[Effect]>,
    /// Calls to functions that may be the project's, in source order.
    pub calls: Box<[CallOut]>,
    /// The calls made under locks; `None` for the many functions with none.
    /// (Summaries live as long as the run: a function's record is kept small.)
    pub locked: Option<Box<LockedCalls>>,
}

/// Where a `def` or class is defined: the start of its qualified name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Parent {
    Module,
    /// A `def` of this module (index into `functions`).
    Function(u32),
    /// A class of this module (index into `classes`).
    Class(u32),
}

/// The calls of a function made while it holds locks.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LockedCalls {
    /// `(call index, effect indices)`: the calls made while non-reentrant
    /// locks are held (the `Acquires` effects that took them).
    pub held: Vec<(u32, Vec<u32>)>,
    /// The calls made inside `with L:` (or `L.acquire()` ... `L.release()`)
    /// where `L` is any lock ([`GUARD_LOCKS`], [`lock_like_name`]), sorted (PF104).
    pub guarded: Vec<u32>,
}

impl FunctionFacts {
    /// `(call index, effect indices)`: the calls made while non-reentrant
    /// locks are held (the `Acquires` effects that took them). Sparse.
    pub fn held_calls(&self) -> &[(u32, Vec<u32>)] {
        self.locked.as_deref().map_or(&[], |l| &l.held)
    }

    /// The calls made under any lock, sorted (PF104).
    pub fn guarded_calls(&self) -> &[u32] {
        self.locked.as_deref().map_or(&[], |l| &l.guarded)
    }
}

/// Something a function does that a rule cares about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A known blocking API (PF101), with its resolved name.
    Blocking {
        category: BlockingCategory,
        api: String,
    },
    /// `asyncio.run`, `run_until_complete`, ... (PF107).
    RunsEventLoop { api: String },
    /// A process pool or process started, or the start method set (PF105).
    StartsProcesses { api: String },
    /// A non-reentrant lock acquired (PF108); `held` lists the effects (by
    /// index) of locks already held at this point.
    Acquires { lock: LockRef, held: Vec<u32> },
}

/// A non-reentrant lock, by identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockRef {
    /// A module-level name of this module.
    Global(Name),
    /// A name imported from another module (`from app.locks import LOCK`).
    Imported(String),
    /// `self.<attr>` of a class of this module (assigned in `__init__`).
    Attr { class: u32, attr: Name },
    /// A local of the function.
    Local(Name),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOut {
    pub callee: Callee,
    /// `await f()`: a coroutine's body runs (matters for locks).
    pub awaited: bool,
    /// Called on `self`/`cls` (the same instance's locks).
    pub on_self: bool,
}

/// The target of a call, as far as this module can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Callee {
    /// A `def` of this module (index into `functions`).
    Function(u32),
    /// A class of this module: its `__init__` runs.
    Class(u32),
    /// `self.m()` / `cls.m()` / `Local().m()` where `m` is not defined in
    /// this module's part of the class hierarchy.
    Method { class: u32, name: Name },
    /// `super().m()` in a method of this class: `m` from its bases.
    Super { class: u32, name: Name },
    /// A qualified name to resolve against the project (`app.users.load`,
    /// relative ones keep their dots: `.users.load`).
    Qualified(Box<str>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassFacts {
    /// The class's own name; [`ModuleInterface::class_qualname`] gives the
    /// qualified one.
    pub name: Name,
    pub parent: Parent,
    pub bases: Vec<BaseRef>,
    /// Methods defined in the class body, sorted by name.
    pub methods: Vec<(Name, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BaseRef {
    Local(u32),
    Qualified(String),
}

/// What a module-level name is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Export {
    Function(u32),
    Class(u32),
    /// Bound by an import: the qualified name it refers to.
    Import(String),
    /// A non-reentrant lock (`LOCK = threading.Lock()`).
    Lock,
    /// Anything else (an assignment, ...).
    Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportFacts {
    /// `a.b.c`, or `..pkg` for relative imports.
    pub module: String,
    /// `from m import a, b`: the names; `None` for `import m`.
    pub names: Option<Vec<Name>>,
    pub star: bool,
    /// Runs when the module is imported (not in a function, not under
    /// `TYPE_CHECKING`).
    pub at_import_time: bool,
    /// In a `try` that handles `ImportError`.
    pub guarded: bool,
    pub type_checking: bool,
}

/// Positions matching the interface, index for index.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleLocations {
    pub functions: Vec<FunctionLocations>,
    pub imports: Vec<ImportLocations>,
    /// Per module-level call: the call's range.
    pub module_calls: Vec<TextRange>,
    /// Per spawn: the call that starts it.
    pub spawns: Vec<TextRange>,
    /// The bodies of module-level `if __name__ == "__main__":` blocks.
    pub main_guard_bodies: Vec<TextRange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionLocations {
    /// The function's scope in this file's semantic index.
    pub scope: ScopeId,
    pub def_range: TextRange,
    /// Per effect: the call (or `with` statement) and the callee expression.
    pub effects: Box<[(TextRange, TextRange)]>,
    pub calls: Box<[TextRange]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLocations {
    pub range: TextRange,
    /// Per imported name (for `from` imports): the name's range.
    pub names: Vec<TextRange>,
    /// Per imported name: bound under another name (`x as y`).
    pub aliased: Vec<bool>,
}

/// One call of the summary: in a function (its index), or at module level.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallRef {
    pub function: Option<u32>,
    pub call: u32,
}

impl ModuleSummary {
    /// The summary's call at `range`, made in function `scope` (`None`:
    /// at module level). Functions are in scope order: a binary search,
    /// then a scan of that function's calls.
    pub fn call_at(&self, scope: Option<ScopeId>, range: TextRange) -> Option<CallRef> {
        match scope {
            Some(scope) => {
                let f = self
                    .locations
                    .functions
                    .binary_search_by_key(&scope, |f| f.scope)
                    .ok()?;
                let call = self.locations.functions[f]
                    .calls
                    .iter()
                    .position(|r| *r == range)?;
                Some(CallRef {
                    function: Some(f as u32),
                    call: call as u32,
                })
            }
            None => {
                let call = self
                    .locations
                    .module_calls
                    .iter()
                    .position(|r| *r == range)?;
                Some(CallRef {
                    function: None,
                    call: call as u32,
                })
            }
        }
    }

    pub fn call_out(&self, at: CallRef) -> Option<&CallOut> {
        match at.function {
            Some(f) => self
                .interface
                .functions
                .get(f as usize)?
                .calls
                .get(at.call as usize),
            None => self.interface.module_calls.get(at.call as usize),
        }
    }

    pub fn call_range(&self, at: CallRef) -> Option<TextRange> {
        match at.function {
            Some(f) => self
                .locations
                .functions
                .get(f as usize)?
                .calls
                .get(at.call as usize)
                .copied(),
            None => self.locations.module_calls.get(at.call as usize).copied(),
        }
    }

    pub fn function(&self, index: u32) -> Option<(&FunctionFacts, &FunctionLocations)> {
        let i = index as usize;
        Some((
            self.interface.functions.get(i)?,
            self.locations.functions.get(i)?,
        ))
    }
}

impl ModuleSummary {
    /// Functions of this module by scope, with their calls to other
    /// functions of this module: `(caller, [(callee, call range)])`.
    pub fn local_call_graph(
        &self,
    ) -> impl Iterator<Item = (ScopeId, Vec<(ScopeId, TextRange)>)> + '_ {
        self.interface
            .functions
            .iter()
            .zip(&self.locations.functions)
            .map(move |(f, at)| {
                let calls = f
                    .calls
                    .iter()
                    .zip(&at.calls)
                    .filter_map(|(c, range)| match c.callee {
                        Callee::Function(j) => {
                            Some((self.locations.functions.get(j as usize)?.scope, *range))
                        }
                        _ => None,
                    })
                    .collect();
                (at.scope, calls)
            })
    }
}

impl ModuleInterface {
    /// `name`, `Class.method`, `outer.inner`: the qualified name of a `def`
    /// of this module (`None` for an index it does not have).
    pub fn function_qualname(&self, function: u32) -> Option<String> {
        let f = self.functions.get(function as usize)?;
        Some(self.qualname(f.parent, &f.name))
    }

    /// The qualified name of a class of this module.
    pub fn class_qualname(&self, class: u32) -> Option<String> {
        let c = self.classes.get(class as usize)?;
        Some(self.qualname(c.parent, &c.name))
    }

    /// `name` under `parent`, and the parents' names before it.
    fn qualname(&self, mut parent: Parent, name: &str) -> String {
        let mut parts = vec![name];
        // Parents come before their children: the walk ends.
        loop {
            let (next, part) = match parent {
                Parent::Module => break,
                Parent::Function(f) => match self.functions.get(f as usize) {
                    Some(f) => (f.parent, f.name.as_str()),
                    None => break,
                },
                Parent::Class(c) => match self.classes.get(c as usize) {
                    Some(c) => (c.parent, c.name.as_str()),
                    None => break,
                },
            };
            parts.push(part);
            parent = next;
        }
        let mut qualname = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for part in parts.iter().rev().filter(|p| !p.is_empty()) {
            if !qualname.is_empty() {
                qualname.push('.');
            }
            qualname.push_str(part);
        }
        qualname
    }

    /// A module-level name.
    pub fn name(&self, name: &str) -> Option<&Export> {
        self.names
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| &self.names[i].1)
    }
}

impl ClassFacts {
    pub fn method(&self, name: &str) -> Option<u32> {
        self.methods
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.methods[i].1)
    }
}

/// Locks whose re-acquisition deadlocks.
const NON_REENTRANT_LOCKS: &[&str] = &[
    "threading.Lock()",
    "asyncio.Lock()",
    "multiprocessing.Lock()",
    "_thread.allocate_lock()",
];

/// Semaphores, non-reentrant locks too when their initial value is 1 (the default).
const SEMAPHORES: &[&str] = &[
    "threading.Semaphore()",
    "threading.BoundedSemaphore()",
    "asyncio.Semaphore()",
    "asyncio.BoundedSemaphore()",
    "multiprocessing.Semaphore()",
    "multiprocessing.BoundedSemaphore()",
];

/// The arguments of the call that starts at `at` in `source` say an initial
/// value of 1: `()`, `(1)` or `(value=1)`. Read from the text: the index
/// keeps no AST, and only semaphore constructors get here.
fn unit_semaphore_at(source: &str, at: TextSize) -> bool {
    let Some(rest) = source.get(at.to_usize()..) else {
        return false;
    };
    let Some(open) = rest.find('(') else {
        return false;
    };
    let Some(close) = rest[open..].find(')') else {
        return false;
    };
    let args: String = rest[open + 1..open + close]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    matches!(args.as_str(), "" | "1" | "value=1" | "1," | "value=1,")
}

/// Calls that start worker processes, or pick how they start (PF105).
pub const PROCESS_APIS: &[&str] = &[
    "multiprocessing.Pool",
    "multiprocessing.pool.Pool",
    "multiprocessing.get_context().Pool",
    "multiprocessing.Process().start",
    "multiprocessing.get_context().Process().start",
    "multiprocessing.context.Process().start",
    "multiprocessing.context.SpawnProcess().start",
    "multiprocessing.context.ForkProcess().start",
    "multiprocessing.context.ForkServerProcess().start",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
    "multiprocessing.set_start_method",
];

/// Library classes whose `start()` starts a process, also when a project
/// subclass inherits it (PF105).
pub const PROCESS_CLASSES: &[&str] = &[
    "multiprocessing.Process",
    "multiprocessing.context.Process",
    "multiprocessing.get_context().Process",
    "multiprocessing.context.SpawnProcess",
    "multiprocessing.context.ForkProcess",
    "multiprocessing.context.ForkServerProcess",
];

/// Whether a method of this name, inherited from a library class, may have
/// an effect (compared before the class hierarchy is walked).
pub fn may_have_inherited_effect(method: &str) -> bool {
    method == "start"
}

/// What calling `method` inherited from library class `base` does, if a
/// rule cares: `Worker().start()` for a `multiprocessing.Process` subclass.
pub fn inherited_effect(base: &str, instance: bool, method: &str) -> Option<Effect> {
    (instance && method == "start" && PROCESS_CLASSES.contains(&base)).then(|| {
        Effect::StartsProcesses {
            api: format!("{base}().start"),
        }
    })
}

/// Whether a call by this last name may be one of [`PROCESS_APIS`].
pub fn may_start_processes_by_name(last: &str) -> bool {
    matches!(
        last,
        "Pool" | "start" | "ProcessPoolExecutor" | "set_start_method"
    )
}

/// APIs that start an event loop (PF107).
pub fn runs_event_loop(qualified: &str) -> bool {
    if matches!(qualified, "asyncio.run" | "asyncio.Runner().run") {
        return true;
    }
    match qualified.rsplit_once('.') {
        Some((receiver, "run_until_complete" | "run_forever")) => receiver.starts_with("asyncio."),
        _ => false,
    }
}

/// Locks that guard shared state (PF104), reentrant or not.
pub const GUARD_LOCKS: &[&str] = &[
    "threading.Lock()",
    "threading.RLock()",
    "threading.Semaphore()",
    "threading.BoundedSemaphore()",
    "threading.Condition()",
    "multiprocessing.Lock()",
    "multiprocessing.RLock()",
];

/// A name that reads like a lock (`lock`, `_mutex`, `sem`, `get_lock`):
/// locks are often passed in, so the name is trusted (PF104).
pub fn lock_like_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let rest_is = |i: usize, word: &[u8]| {
        bytes
            .get(i + 1..i + 1 + word.len())
            .is_some_and(|r| r.eq_ignore_ascii_case(word))
    };
    (0..bytes.len()).any(|i| match bytes[i].to_ascii_lowercase() {
        b'l' => rest_is(i, b"ock"),
        b'm' => rest_is(i, b"utex"),
        b's' => rest_is(i, b"em"),
        _ => false,
    })
}

/// The methods of `multiprocessing` pools that run a callable in the
/// workers (PF104, PF109).
pub const POOL_METHODS: &[&str] = &[
    "map",
    "imap",
    "imap_unordered",
    "starmap",
    "apply",
    "apply_async",
    "map_async",
    "starmap_async",
];

/// For an API that runs a callable in a thread or process: where the
/// callable is (position, keywords), whether it submits to a pool, and
/// whether it runs threads (not processes) (PF104).
pub fn spawn_api(api: &str) -> Option<(Option<usize>, &'static [&'static str], bool, bool)> {
    Some(match api {
        "threading.Thread" => (None, &["target"], false, true),
        "threading.Timer" => (Some(1), &["function"], false, true),
        "multiprocessing.Process" | "multiprocessing.get_context().Process" => {
            (None, &["target"], false, false)
        }
        "asyncio.to_thread" => (Some(0), &["func"], true, true),
        "asyncio.get_running_loop().run_in_executor"
        | "asyncio.get_event_loop().run_in_executor" => (Some(1), &[], true, true),
        _ => {
            let (receiver, method) = api.rsplit_once('.')?;
            match receiver {
                "concurrent.futures.ThreadPoolExecutor()" if matches!(method, "submit" | "map") => {
                    (Some(0), &["fn"], true, true)
                }
                "concurrent.futures.ProcessPoolExecutor()"
                    if matches!(method, "submit" | "map") =>
                {
                    (Some(0), &["fn"], true, false)
                }
                "multiprocessing.pool.ThreadPool()" if POOL_METHODS.contains(&method) => {
                    (Some(0), &["func"], true, true)
                }
                "multiprocessing.Pool()" | "multiprocessing.pool.Pool()"
                    if POOL_METHODS.contains(&method) =>
                {
                    (Some(0), &["func"], true, false)
                }
                _ => return None,
            }
        }
    })
}

/// The summary of one file, with the parts `needs` names (empty without
/// [`SummaryNeeds::DEFINITIONS`]: no enabled rule reads it).
pub fn summarize(
    index: &SemanticIndex,
    source: &str,
    options: &BlockingOptions,
    needs: SummaryNeeds,
) -> ModuleSummary {
    if !needs.contains(SummaryNeeds::DEFINITIONS) {
        return ModuleSummary::default();
    }
    Summarizer::new(index, options, needs, source).run()
}

struct Summarizer<'a> {
    index: &'a SemanticIndex,
    options: &'a BlockingOptions,
    needs: SummaryNeeds,
    /// For the arguments of a semaphore's constructor.
    source: &'a str,
    /// Function scope → index in `functions`.
    function_slot: Slots,
    class_slot: Slots,
    interface: ModuleInterface,
    locations: ModuleLocations,
    /// An attribute of a class or an instance of this module, resolved:
    /// `self.assertEqual` in every method of a test class is looked up once.
    /// Keyed by (instance?, class, name).
    members: MemberMemo<'a>,
    /// What the binding a callee's root names holds: a module's `os` or
    /// `self` is resolved once, not once per call.
    roots: BindingMemo,
    /// Callee roots looked up, by the symbol read where the answer cannot
    /// depend on the offset.
    lookups: RootLookups,
    /// The calls of functions, in source order, until each function's
    /// lists are allocated at their final size.
    pending: Vec<PendingCall>,
    /// The effects of functions, in the order found, likewise.
    pending_effects: Vec<PendingEffect>,
    /// Per function: how many effects it has so far (the next one's index).
    effect_counts: Vec<u32>,
}

/// An effect of a function, before it is filed under its function.
struct PendingEffect {
    function: u32,
    effect: Effect,
    /// The call (or `with` statement) and the callee expression.
    at: (TextRange, TextRange),
}

/// An attribute of a class (`false`) or of its instances (`true`).
type MemberKey<'a> = (bool, ScopeId, &'a str);

/// A call of a function, before it is filed under its function.
struct PendingCall {
    function: u32,
    call: CallOut,
    range: TextRange,
    held: Vec<u32>,
    /// Under a guard region (see `guarded_calls`).
    guarded: bool,
}

/// Scope → its position in `functions` (or `classes`): a flat table, since
/// every call asks for the function it runs in.
struct Slots(Vec<u32>);

impl Slots {
    const NONE: u32 = u32::MAX;

    fn new(scopes: usize) -> Slots {
        Slots(vec![Slots::NONE; scopes])
    }

    fn insert(&mut self, scope: ScopeId, slot: u32) {
        self.0[scope.index()] = slot;
    }

    fn get(&self, scope: &ScopeId) -> Option<&u32> {
        self.0.get(scope.index()).filter(|s| **s != Slots::NONE)
    }

    fn iter(&self) -> impl Iterator<Item = (ScopeId, u32)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != Slots::NONE)
            .map(|(i, s)| (ScopeId(i as u32), *s))
    }
}

/// What each binding resolves to, computed on first use: a flat table by
/// binding id (every resolved call asks), the values apart.
struct BindingMemo {
    /// Per binding: 1 + its value's position in `values`, 0 before the first use.
    slots: Vec<u32>,
    values: Vec<Option<Resolved>>,
}

impl BindingMemo {
    fn new(bindings: usize) -> BindingMemo {
        BindingMemo {
            slots: vec![0; bindings],
            values: Vec::with_capacity(bindings / 8),
        }
    }

    fn get_or_insert_with(
        &mut self,
        binding: BindingId,
        resolve: impl FnOnce() -> Option<Resolved>,
    ) -> &Option<Resolved> {
        let slot = self.slots[binding.index()];
        if slot != 0 {
            return &self.values[slot as usize - 1];
        }
        self.values.push(resolve());
        self.slots[binding.index()] = self.values.len() as u32;
        &self.values[self.values.len() - 1]
    }
}

/// Where a call is made: in a function (its index), or at module level.
#[derive(Copy, Clone)]
enum Caller {
    Function(u32),
    Module,
}

/// A held lock: the effect that took it and the range it is held for.
struct Region {
    function: u32,
    /// The effect's index in its function.
    effect: u32,
    /// The effect's position in `pending_effects`.
    pending: usize,
    range: TextRange,
}

impl<'a> Summarizer<'a> {
    fn new(
        index: &'a SemanticIndex,
        options: &'a BlockingOptions,
        needs: SummaryNeeds,
        source: &'a str,
    ) -> Self {
        Summarizer {
            index,
            options,
            needs,
            source,
            function_slot: Slots::new(index.scopes.len()),
            class_slot: Slots::new(index.scopes.len()),
            interface: ModuleInterface::default(),
            locations: ModuleLocations::default(),
            // Sized for a typical file: growing them is a large part of their cost.
            members: MemberMemo::with_capacity(index.calls.len() / 4),
            roots: BindingMemo::new(index.bindings.len()),
            lookups: RootLookups::new(index.symbols.len()),
            pending: Vec::with_capacity(index.calls.len()),
            pending_effects: Vec::new(),
            effect_counts: Vec::new(),
        }
    }

    fn run(mut self) -> ModuleSummary {
        if self.index.scopes.is_empty() {
            return ModuleSummary::default();
        }
        self.collect_definitions();
        self.interface.has_main_guard = !self.index.main_guard_bodies.is_empty();
        self.locations.main_guard_bodies = self.index.main_guard_bodies.clone();
        self.collect_names();
        let needs = self.needs;
        let regions = if needs.contains(SummaryNeeds::LOCKS) {
            self.collect_lock_regions()
        } else {
            Vec::new()
        };
        let guards = if needs.contains(SummaryNeeds::GUARDS) {
            self.collect_guard_regions(&regions)
        } else {
            Vec::new()
        };
        self.collect_calls(&regions, &guards);
        self.file_calls();
        self.file_effects();
        if needs.contains(SummaryNeeds::SPAWNS) {
            self.collect_spawns();
        }
        self.collect_imports();
        self.shrink();
        ModuleSummary {
            interface: Arc::new(self.interface),
            locations: self.locations,
        }
    }

    /// Summaries live as long as the run: no large spare capacity (a
    /// vector that would shrink by less than half stays in place, which
    /// costs less than the copy `sized::exact` makes).
    fn shrink(&mut self) {
        for locked in self
            .interface
            .functions
            .iter_mut()
            .filter_map(|f| f.locked.as_deref_mut())
        {
            locked.held.shrink_to_fit();
            locked.guarded.shrink_to_fit();
        }
        self.interface.functions.shrink_to_fit();
        self.interface.imports.shrink_to_fit();
        self.interface.module_calls.shrink_to_fit();
        self.interface.spawns.shrink_to_fit();
        self.locations.spawns.shrink_to_fit();
        self.locations.module_calls.shrink_to_fit();
        self.locations.imports.shrink_to_fit();
    }

    fn collect_definitions(&mut self) {
        let index = self.index;
        // Allocated once at their final size (their records are large).
        let (functions, classes) =
            index
                .scopes
                .iter()
                .fold((0, 0), |(f, c), scope| match scope.kind {
                    ScopeKind::Function { .. } => (f + 1, c),
                    ScopeKind::Class => (f, c + 1),
                    _ => (f, c),
                });
        self.interface.functions.reserve_exact(functions);
        self.locations.functions.reserve_exact(functions);
        std::sync::Arc::make_mut(&mut self.interface.classes).reserve_exact(classes);
        for scope_id in index.scope_ids() {
            let scope = index.scope(scope_id);
            match scope.kind {
                ScopeKind::Function { is_async } => {
                    let slot = self.interface.functions.len() as u32;
                    self.function_slot.insert(scope_id, slot);
                    self.interface.functions.push(FunctionFacts {
                        name: scope.name.clone().unwrap_or_default(),
                        parent: self.parent_of(scope_id),
                        is_async,
                        is_coroutine: is_async
                            && self.needs.contains(SummaryNeeds::COROUTINES)
                            && is_coroutine_def(index, scope_id),
                        is_generator: self.needs.contains(SummaryNeeds::GENERATORS)
                            && is_generator_def(index, scope_id),
                        effects: Box::default(),
                        calls: Box::default(),
                        locked: None,
                    });
                    self.locations.functions.push(FunctionLocations {
                        scope: scope_id,
                        def_range: scope.node_range,
                        effects: Box::default(),
                        calls: Box::default(),
                    });
                }
                ScopeKind::Class => {
                    let slot = self.interface.classes.len() as u32;
                    self.class_slot.insert(scope_id, slot);
                    let parent = self.parent_of(scope_id);
                    std::sync::Arc::make_mut(&mut self.interface.classes).push(ClassFacts {
                        name: scope.name.clone().unwrap_or_default(),
                        parent,
                        bases: Vec::new(),
                        methods: Vec::new(),
                    });
                }
                _ => {}
            }
        }
        // Bases and methods, once every class has its slot; gathered in
        // two reused buffers, each class's lists allocated at their size.
        let (mut bases, mut methods) = (Vec::new(), Vec::new());
        for (scope_id, slot) in self.class_slot.iter() {
            let scope = index.scope(scope_id);
            for base in &scope.bases {
                match index.resolve_path(base, 0) {
                    Some(Resolved::Class(c)) => {
                        if let Some(s) = self.class_slot.get(&c) {
                            bases.push(BaseRef::Local(*s));
                        }
                    }
                    Some(Resolved::Qualified(q)) if !q.starts_with("builtins.") => {
                        bases.push(BaseRef::Qualified(q));
                    }
                    _ => {}
                }
            }
            for symbol in index.scope_symbols(scope_id) {
                let Some(b) = last_binding(index, symbol) else {
                    continue;
                };
                if let BindingKind::FunctionDef { scope } = index.binding(b).kind {
                    if let Some(slot) = self.function_slot.get(&scope) {
                        methods.push((symbol.name.clone(), *slot));
                    }
                }
            }
            let class = &mut std::sync::Arc::make_mut(&mut self.interface.classes)[slot as usize];
            class.bases = take_exact(&mut bases);
            // A scope's symbols have distinct names.
            class.methods = sorted_by_name(&mut methods, |(name, _)| name);
        }
    }

    fn collect_names(&mut self) {
        let index = self.index;
        let module = index.scope_symbols(SemanticIndex::MODULE);
        let mut names: Vec<(Name, Export)> = Vec::with_capacity(module.len());
        let mut global_enums = Vec::new();
        for symbol in module {
            let name = &symbol.name;
            let Some(b) = last_binding(index, symbol) else {
                continue;
            };
            let export = match &index.binding(b).kind {
                BindingKind::FunctionDef { scope } => match self.function_slot.get(scope) {
                    Some(slot) => Export::Function(*slot),
                    None => Export::Value,
                },
                BindingKind::ClassDef { scope } => {
                    if is_global_enum(index, *scope) {
                        global_enums.push(*scope);
                    }
                    match self.class_slot.get(scope) {
                        Some(slot) => Export::Class(*slot),
                        None => Export::Value,
                    }
                }
                BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                    Export::Import(qualified.clone())
                }
                BindingKind::Assignment | BindingKind::AnnotatedAssignment { .. } => {
                    match index.resolve_binding(b, 0) {
                        Some(Resolved::Qualified(q))
                            if self.is_lock(&q, index.binding_value(index.binding(b))) =>
                        {
                            Export::Lock
                        }
                        _ => Export::Value,
                    }
                }
                _ => Export::Value,
            };
            if name.as_str() == "__getattr__" {
                self.interface.dynamic_names = true;
            }
            names.push((name.clone(), export));
        }
        // `global x; x = ...` in a function binds a module name too.
        for symbol in &index.symbols {
            if symbol.declared_global.is_some()
                && symbol.is_bound()
                && index
                    .symbol_in(SemanticIndex::MODULE, &symbol.name)
                    .is_none_or(|module_symbol| !module_symbol.is_bound())
                && !names.iter().any(|(n, _)| *n == symbol.name)
            {
                names.push((symbol.name.clone(), Export::Value));
            }
        }
        // `@enum.global_enum` copies an enum's members into the module's
        // namespace (`re.IGNORECASE`): its class-level names are module names.
        let module_names = names.len();
        for class in global_enums {
            for member in index.scope_symbols(class).map(|s| &s.name) {
                if !names[..module_names].iter().any(|(n, _)| n == member) {
                    names.push((member.clone(), Export::Value));
                }
            }
        }
        // Equal names are all `Value`s (members of two global enums): any
        // one of them may stay.
        let mut names = sorted_by_name(&mut names, |(name, _)| name);
        names.dedup_by(|a, b| a.0 == b.0);
        self.interface.names = std::sync::Arc::new(exact(names));
    }

    /// The lock a path denotes, if it resolves to a non-reentrant lock.
    /// A non-reentrant lock, given what it resolves to and the value it was
    /// bound from (for a semaphore's initial value).
    fn is_lock(&self, qualified: &str, value: Option<&ValuePath>) -> bool {
        NON_REENTRANT_LOCKS.contains(&qualified)
            || (SEMAPHORES.contains(&qualified)
                && value.is_some_and(|v| unit_semaphore_at(self.source, v.offset)))
    }

    fn lock_of(&self, path: &ValuePath) -> Option<LockRef> {
        let index = self.index;
        let resolved = index.resolve_path(path, 0)?;
        let binding = match index.lookup(path.scope, &path.root, path.offset) {
            Lookup::Binding(b) => index.binding(b),
            _ => return None,
        };
        // The value the lock was bound from: the name's, or `self.<attr>`'s in `__init__`.
        let value = match path.segments.as_slice() {
            [] => index.binding_value(binding),
            [PathSegment::Attr(attr)] => index
                .scope(binding.scope)
                .parent
                .and_then(|class| {
                    index
                        .scope(class)
                        .instance_attrs
                        .iter()
                        .rev()
                        .find(|(n, ..)| n == attr)
                })
                .map(|(_, v, ..)| v),
            _ => None,
        };
        let is_lock = match &resolved {
            Resolved::Qualified(q) => self.is_lock(q, value),
            _ => false,
        };
        match path.segments.as_slice() {
            [] => {
                let in_module = binding.scope == SemanticIndex::MODULE;
                match &binding.kind {
                    BindingKind::FromImport { qualified } | BindingKind::Import { qualified } => {
                        Some(LockRef::Imported(qualified.clone()))
                    }
                    _ if !is_lock => None,
                    _ if in_module => Some(LockRef::Global(path.root.clone())),
                    _ => Some(LockRef::Local(path.root.clone())),
                }
            }
            [PathSegment::Attr(attr)] if is_lock => {
                // `self._lock`: the receiver of a method of a class of this module.
                let owner = index.scope(binding.scope);
                owner.receiver.as_ref().filter(|(n, _)| *n == path.root)?;
                let class = owner.parent?;
                Some(LockRef::Attr {
                    class: *self.class_slot.get(&class)?,
                    attr: attr.clone(),
                })
            }
            // `app.locks.LOCK` through `import app.locks`.
            segments if matches!(binding.kind, BindingKind::Import { .. }) => {
                let q = resolved.qualified()?;
                segments
                    .iter()
                    .all(|s| matches!(s, PathSegment::Attr(_)))
                    .then(|| LockRef::Imported(q.to_string()))
            }
            _ => None,
        }
    }

    /// `with L:` and `L.acquire()` ... `L.release()` regions, per function.
    fn collect_lock_regions(&mut self) -> Vec<Region> {
        let index = self.index;
        let mut regions = Vec::new();
        for item in &index.with_items {
            let Some(path) = &item.context else { continue };
            let Some(function) = self.enclosing_slot(item.scope) else {
                continue;
            };
            let Some(lock) = self.lock_of(path) else {
                continue;
            };
            let pending = self.pending_effects.len();
            let effect = self.add_effect(
                function,
                Effect::Acquires {
                    lock,
                    held: Vec::new(),
                },
                (item.stmt_range, item.stmt_range),
            );
            regions.push(Region {
                function,
                effect,
                pending,
                range: item.stmt_range,
            });
        }
        // Explicit `acquire()` (no arguments: `blocking=False` or a timeout
        // cannot deadlock) until the next `release()` of the same path.
        for (i, call) in index.calls.iter().enumerate() {
            let Some(callee) = &call.callee else { continue };
            if call.has_arguments
                || !matches!(callee.segments.last(), Some(PathSegment::Attr(a)) if a.as_str() == "acquire")
            {
                continue;
            }
            let Some(function) = self.enclosing_slot(call.scope) else {
                continue;
            };
            let mut receiver = callee.clone();
            receiver.segments.pop();
            let Some(lock) = self.lock_of(&receiver) else {
                continue;
            };
            let function_end = self.locations.functions[function as usize].def_range.end();
            let release_at = index.calls[i + 1..]
                .iter()
                .find(|later| {
                    later.callee.as_ref().is_some_and(|p| {
                        p.root == receiver.root
                            && p.segments.len() == receiver.segments.len() + 1
                            && p.segments.starts_with(&receiver.segments)
                            && matches!(p.segments.last(), Some(PathSegment::Attr(a)) if a.as_str() == "release")
                    }) && later.range.start() < function_end
                })
                .map_or(function_end, |later| later.range.start());
            let pending = self.pending_effects.len();
            let effect = self.add_effect(
                function,
                Effect::Acquires {
                    lock,
                    held: Vec::new(),
                },
                (call.range, call.func_range),
            );
            regions.push(Region {
                function,
                effect,
                pending,
                range: TextRange::new(call.range.end(), release_at.max(call.range.end())),
            });
        }
        // Which locks each acquisition happens under.
        for r in &regions {
            let acquired = &mut self.pending_effects[r.pending];
            let held = held_at(&regions, r.function, acquired.at.0, Some(r.effect));
            if let Effect::Acquires { held: h, .. } = &mut acquired.effect {
                *h = held;
            }
        }
        regions
    }

    /// The nearest enclosing `def` or class (already summarized: parents
    /// come first); comprehension and lambda scopes in between have no name.
    fn parent_of(&self, scope: ScopeId) -> Parent {
        let index = self.index;
        let mut parent = index.scope(scope).parent;
        while let Some(p) = parent {
            match index.scope(p).kind {
                ScopeKind::Function { .. } => {
                    if let Some(slot) = self.function_slot.get(&p) {
                        return Parent::Function(*slot);
                    }
                }
                ScopeKind::Class => {
                    if let Some(slot) = self.class_slot.get(&p) {
                        return Parent::Class(*slot);
                    }
                }
                _ => {}
            }
            parent = index.scope(p).parent;
        }
        Parent::Module
    }

    /// The summary slot of the function that code in `scope` runs in.
    fn enclosing_slot(&self, scope: ScopeId) -> Option<u32> {
        let function = self.index.enclosing_function(scope)?;
        self.function_slot.get(&function).copied()
    }

    /// Records an effect of `function`; returns its index there.
    fn add_effect(&mut self, function: u32, effect: Effect, at: (TextRange, TextRange)) -> u32 {
        if self.effect_counts.is_empty() {
            self.effect_counts = vec![0; self.interface.functions.len()];
        }
        let count = &mut self.effect_counts[function as usize];
        *count += 1;
        self.pending_effects.push(PendingEffect {
            function,
            effect,
            at,
        });
        *count - 1
    }

    /// Files the effects under their functions, in the order found.
    fn file_effects(&mut self) {
        if self.pending_effects.is_empty() {
            return;
        }
        let mut effects: Vec<(Vec<_>, Vec<_>)> = self
            .effect_counts
            .iter()
            .map(|&n| {
                (
                    Vec::with_capacity(n as usize),
                    Vec::with_capacity(n as usize),
                )
            })
            .collect();
        for p in std::mem::take(&mut self.pending_effects) {
            let (facts, at) = &mut effects[p.function as usize];
            facts.push(p.effect);
            at.push(p.at);
        }
        for (f, (facts, at)) in effects.into_iter().enumerate() {
            if !facts.is_empty() {
                self.interface.functions[f].effects = facts.into_boxed_slice();
                self.locations.functions[f].effects = at.into_boxed_slice();
            }
        }
    }

    /// Where any lock is held, per function (PF104): the non-reentrant
    /// regions, and `with L:` where `L` resolves to a lock or reads like one.
    fn collect_guard_regions(&self, regions: &[Region]) -> Vec<(u32, TextRange)> {
        let index = self.index;
        let mut guards: Vec<(u32, TextRange)> =
            regions.iter().map(|r| (r.function, r.range)).collect();
        if index.with_items.is_empty() {
            return guards;
        }
        for item in &index.with_items {
            let Some(path) = &item.context else { continue };
            let Some(function) = self.enclosing_slot(item.scope) else {
                continue;
            };
            let last = path
                .segments
                .iter()
                .rev()
                .find_map(|s| match s {
                    PathSegment::Attr(a) => Some(a.as_str()),
                    PathSegment::Call => None,
                })
                .unwrap_or(path.root.as_str());
            // A lock made in the `with` itself guards nothing: no resolution.
            let is_lock = lock_like_name(last)
                || path.segments.last() != Some(&PathSegment::Call)
                    && matches!(index.resolve_path(path, 0),
                        Some(Resolved::Qualified(q)) if GUARD_LOCKS.contains(&q.as_str()));
            if is_lock {
                guards.push((function, item.stmt_range));
            }
        }
        // By function: a call looks at its own function's only.
        guards.sort_unstable_by_key(|(f, range)| (*f, range.start()));
        guards
    }

    /// The callables handed to threads, pools and processes.
    fn collect_spawns(&mut self) {
        let index = self.index;
        let mut resolved: Option<(u32, Option<String>)> = None;
        for arg in &index.callable_arguments {
            let Some(call) = index.calls.get(arg.call as usize) else {
                continue;
            };
            let Some(callee) = &call.callee else { continue };
            // Bare `map(...)`, `apply(...)`: builtins or plain functions, no pool.
            if callee.segments.is_empty()
                && !matches!(
                    callee.root.as_str(),
                    "Thread" | "Timer" | "Process" | "to_thread"
                )
            {
                continue;
            }
            // The callee once per call, whatever its arguments.
            if resolved.as_ref().is_none_or(|(c, _)| *c != arg.call) {
                let api = match index.resolve_path(callee, 0) {
                    Some(Resolved::Qualified(q)) => Some(q),
                    _ => None,
                };
                resolved = Some((arg.call, api));
            }
            let Some(api) = resolved.as_ref().and_then(|(_, api)| api.as_deref()) else {
                continue;
            };
            let Some((position, keywords, pool, threads)) = spawn_api(api) else {
                continue;
            };
            let matches = match (&arg.position, &arg.keyword) {
                (Some(p), _) => position == Some(*p as usize),
                (None, Some(k)) => keywords.contains(&k.as_str()),
                (None, None) => false,
            };
            if !matches {
                continue;
            }
            let target = match index.resolve_path(&arg.path, 0) {
                Some(Resolved::Function(f)) => match self.function_slot.get(&f) {
                    Some(slot) => Callee::Function(*slot),
                    None => continue,
                },
                Some(Resolved::Qualified(q)) if !q.starts_with("builtins.") => {
                    Callee::Qualified(q.into())
                }
                _ => continue,
            };
            let concurrent =
                pool || arg.in_loop || index.scope(call.scope).kind == ScopeKind::Comprehension;
            self.interface.spawns.push(Spawn {
                callee: target,
                api: api.into(),
                concurrent,
                threads,
            });
            self.locations.spawns.push(call.range);
        }
    }

    fn collect_calls(&mut self, regions: &[Region], guards: &[(u32, TextRange)]) {
        let index = self.index;
        let extra_names: Vec<&str> = self
            .options
            .extra_blocking_calls
            .iter()
            .map(|q| q.rsplit('.').next().unwrap_or(q))
            .collect();
        let function_calls = self.needs.contains(SummaryNeeds::CALLS);
        let module_calls = self.needs.contains(SummaryNeeds::MODULE_CALLS);
        let mut latest: Option<(ScopeId, Option<Caller>)> = None;
        for call in &index.calls {
            let Some(callee) = &call.callee else {
                continue;
            };
            if callee.segments.is_empty() && callee.root.as_str() == "globals" {
                self.interface.dynamic_names = true;
            }
            if adds_import_finder(callee) {
                self.interface.import_hook = true;
            }
            // Consecutive calls are mostly made in the same scope.
            let caller = match latest {
                Some((scope, caller)) if scope == call.scope => caller,
                _ => {
                    let caller = match index.enclosing_function(call.scope) {
                        Some(_) if !function_calls => None,
                        Some(f) => self
                            .function_slot
                            .get(&f)
                            .map(|slot| Caller::Function(*slot)),
                        None if module_calls && index.runs_at_import(call.scope) => {
                            Some(Caller::Module)
                        }
                        None => None,
                    };
                    latest = Some((call.scope, caller));
                    caller
                }
            };
            let Some(function) = caller else {
                continue;
            };
            if let Some(target) = self.super_call(callee, call.scope) {
                self.add_call(function, target, call, callee, regions, guards);
                continue;
            }
            let lookups = &mut self.lookups;
            let Some(root) =
                worth_resolving(callee, &extra_names, || lookups.lookup(index, call, callee))
            else {
                continue;
            };
            let Some(resolved) = self.resolve_callee(callee, root) else {
                continue;
            };
            let resolved = match resolved {
                Ok(resolved) => resolved,
                Err(method) => {
                    self.add_call(function, method, call, callee, regions, guards);
                    continue;
                }
            };
            match resolved {
                Resolved::Qualified(q) => {
                    if self.options.allowed_calls.contains(&q) {
                        continue;
                    }
                    // The catalogs are asked only about names they may hold.
                    let last =
                        memchr::memrchr(b'.', q.as_bytes()).map_or(q.as_str(), |dot| &q[dot + 1..]);
                    let category = may_block_by_name(last)
                        .then(|| classify(&q))
                        .flatten()
                        .or_else(|| {
                            self.options
                                .extra_blocking_calls
                                .contains(&q)
                                .then_some(BlockingCategory::Other)
                        });
                    let starts_processes =
                        may_start_processes_by_name(last) && PROCESS_APIS.contains(&q.as_str());
                    let runs_loop = matches!(last, "run" | "run_until_complete" | "run_forever")
                        && runs_event_loop(&q);
                    let at = (call.range, call.func_range);
                    if let (Caller::Function(function), true) = (function, starts_processes) {
                        self.add_effect(function, Effect::StartsProcesses { api: q }, at);
                        continue;
                    }
                    // Awaited calls are async APIs (or project coroutines, followed below).
                    if let (Caller::Function(function), false, Some(category)) =
                        (function, call.awaited, category)
                    {
                        self.add_effect(function, Effect::Blocking { category, api: q }, at);
                    } else if let (Caller::Function(function), false, true) =
                        (function, call.awaited, runs_loop)
                    {
                        self.add_effect(function, Effect::RunsEventLoop { api: q }, at);
                    } else if !q.starts_with("builtins.") {
                        self.add_call(
                            function,
                            Callee::Qualified(q.into()),
                            call,
                            callee,
                            regions,
                            guards,
                        );
                    }
                }
                Resolved::Function(f) => {
                    if let Some(&slot) = self.function_slot.get(&f) {
                        self.add_call(
                            function,
                            Callee::Function(slot),
                            call,
                            callee,
                            regions,
                            guards,
                        );
                    }
                }
                Resolved::Class(c) => {
                    let target = match index.class_member(c, "__init__", 0) {
                        Some(Resolved::Function(init)) => {
                            self.function_slot.get(&init).map(|s| Callee::Function(*s))
                        }
                        _ => self.class_slot.get(&c).map(|s| Callee::Class(*s)),
                    };
                    if let Some(target) = target {
                        self.add_call(function, target, call, callee, regions, guards);
                    }
                }
                Resolved::Instance(_) => {}
            }
        }
    }

    /// What the callee resolves to, or for `self.m()` where `m` is not
    /// found in this module's classes, the method the project resolves
    /// through the class's other bases (`Err`). The receiver is resolved
    /// once for both. `root` is the callee's root, already looked up.
    /// Resolves as `resolve_prefix` then `apply_segment` do, with the
    /// root's binding resolved once per file and a qualified name built
    /// once at its final length.
    fn resolve_callee(
        &mut self,
        callee: &'a ValuePath,
        root: Lookup,
    ) -> Option<Result<Resolved, Callee>> {
        let segments = callee.segments.as_slice();
        let index = self.index;
        let root = match root {
            Lookup::Binding(b) => match &index.binding(b).kind {
                // What `resolve_binding` gives an import, without its copy.
                BindingKind::Import { qualified } | BindingKind::FromImport { qualified } => {
                    return Some(Ok(Resolved::Qualified(joined(&[qualified], segments))));
                }
                _ => self
                    .roots
                    .get_or_insert_with(b, || index.resolve_binding(b, 1))
                    .as_ref()?,
            },
            Lookup::Builtin => {
                return Some(Ok(Resolved::Qualified(joined(
                    &["builtins.", callee.root.as_str()],
                    segments,
                ))))
            }
            Lookup::Unbound => return None,
        };
        // A definition of this file (copied out), until a segment reaches
        // a qualified name: that name and the rest are joined at once.
        let mut current = match root {
            Resolved::Qualified(q) => return Some(Ok(Resolved::Qualified(joined(&[q], segments)))),
            other => other.clone(),
        };
        for (i, segment) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            let instance = matches!(current, Resolved::Instance(_));
            current = match (current, segment) {
                (Resolved::Class(c), PathSegment::Call) => Resolved::Instance(c),
                (Resolved::Instance(c) | Resolved::Class(c), PathSegment::Attr(name)) => {
                    match member(
                        &mut self.members,
                        index,
                        (instance, c, name.as_str()),
                        segment,
                    ) {
                        Some(Resolved::Qualified(q)) => {
                            let q = if last {
                                q.clone()
                            } else {
                                joined(&[q], &segments[i + 1..])
                            };
                            return Some(Ok(Resolved::Qualified(q)));
                        }
                        Some(found) => found.clone(),
                        // `self.m()` with `m` not found here: the project
                        // looks through the class's other bases.
                        None if last => {
                            return Some(Err(Callee::Method {
                                class: *self.class_slot.get(&c)?,
                                name: name.clone(),
                            }))
                        }
                        None => return None,
                    }
                }
                _ => return None,
            };
        }
        Some(Ok(current))
    }

    /// `super().m()` in a method of a class of this module.
    fn super_call(&self, callee: &ValuePath, scope: ScopeId) -> Option<Callee> {
        let [PathSegment::Call, PathSegment::Attr(name)] = callee.segments.as_slice() else {
            return None;
        };
        if callee.root.as_str() != "super"
            || !matches!(
                self.index.lookup(callee.scope, &callee.root, callee.offset),
                Lookup::Builtin
            )
        {
            return None;
        }
        let method = self.index.enclosing_function(scope)?;
        let class = self.index.scope(method).parent?;
        Some(Callee::Super {
            class: *self.class_slot.get(&class)?,
            name: name.clone(),
        })
    }

    fn add_call(
        &mut self,
        function: Caller,
        target: Callee,
        call: &pitfall_semantic::CallSite,
        callee: &ValuePath,
        regions: &[Region],
        guards: &[(u32, TextRange)],
    ) {
        let function = match function {
            Caller::Function(f) => f,
            Caller::Module => {
                self.interface.module_calls.push(CallOut {
                    callee: target,
                    awaited: call.awaited,
                    on_self: false,
                });
                self.locations.module_calls.push(call.range);
                return;
            }
        };
        // `super().m()` runs on the same instance.
        let on_self = matches!(target, Callee::Super { .. })
            || callee.segments.len() == 1
                && self
                    .index
                    .scope(self.locations.functions[function as usize].scope)
                    .receiver
                    .as_ref()
                    .is_some_and(|(n, _)| *n == callee.root);
        let first = guards.partition_point(|(f, _)| *f < function);
        let guarded = guards[first..]
            .iter()
            .take_while(|(f, _)| *f == function)
            .any(|(_, range)| range.contains_range(call.range) && *range != call.range);
        self.pending.push(PendingCall {
            function,
            call: CallOut {
                callee: target,
                awaited: call.awaited,
                on_self,
            },
            range: call.range,
            held: if regions.is_empty() {
                Vec::new()
            } else {
                held_at(regions, function, call.range, None)
            },
            guarded,
        });
    }

    /// Files the pending calls under their functions, each list allocated
    /// once at its final size (summaries live as long as the run).
    fn file_calls(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut counts = vec![0u32; self.interface.functions.len()];
        for p in &self.pending {
            counts[p.function as usize] += 1;
        }
        let mut calls: Vec<(Vec<CallOut>, Vec<TextRange>)> = counts
            .iter()
            .map(|&n| {
                (
                    Vec::with_capacity(n as usize),
                    Vec::with_capacity(n as usize),
                )
            })
            .collect();
        for p in std::mem::take(&mut self.pending) {
            let f = p.function as usize;
            let (out, ranges) = &mut calls[f];
            let call = out.len() as u32;
            if p.guarded || !p.held.is_empty() {
                let locked = self.interface.functions[f]
                    .locked
                    .get_or_insert_with(Box::default);
                if p.guarded {
                    locked.guarded.push(call);
                }
                if !p.held.is_empty() {
                    locked.held.push((call, p.held));
                }
            }
            out.push(p.call);
            ranges.push(p.range);
        }
        for (f, (out, ranges)) in calls.into_iter().enumerate() {
            if !out.is_empty() {
                self.interface.functions[f].calls = out.into_boxed_slice();
                self.locations.functions[f].calls = ranges.into_boxed_slice();
            }
        }
    }

    fn collect_imports(&mut self) {
        self.interface
            .imports
            .reserve_exact(self.index.imports.len());
        self.locations
            .imports
            .reserve_exact(self.index.imports.len());
        for import in &self.index.imports {
            if import.module == "__future__" {
                continue;
            }
            let at_module = matches!(
                self.index.scope(import.scope).kind,
                ScopeKind::Module | ScopeKind::Class
            ) && self.index.enclosing_function(import.scope).is_none();
            self.interface.imports.push(ImportFacts {
                module: import.module.clone(),
                names: import
                    .names
                    .as_ref()
                    .map(|names| names.iter().map(|(n, _)| n.clone()).collect()),
                star: import.star,
                at_import_time: at_module && !import.type_checking,
                guarded: import.guarded,
                type_checking: import.type_checking,
            });
            let names = import.names.as_deref().unwrap_or_default();
            self.locations.imports.push(ImportLocations {
                range: import.range,
                // The alias starts with the name.
                names: names
                    .iter()
                    .map(|(n, alias)| TextRange::at(alias.start(), TextSize::of(n.as_str())))
                    .collect(),
                aliased: names
                    .iter()
                    .map(|(n, alias)| alias.len() > TextSize::of(n.as_str()))
                    .collect(),
            });
        }
    }
}

/// An attribute of a class or of its instances (`segment`, named in
/// `key`), resolved as `apply_segment` does at the top level (depth 1),
/// once per file: `self.assertEqual` in every method of a test class is
/// looked up once.
fn member<'m, 'a>(
    members: &'m mut MemberMemo<'a>,
    index: &SemanticIndex,
    key: MemberKey<'a>,
    segment: &PathSegment,
) -> &'m Option<Resolved> {
    members.get_or_insert_with(key, || {
        let (instance, class, _) = key;
        let base = if instance {
            Resolved::Instance(class)
        } else {
            Resolved::Class(class)
        };
        index.apply_segment(base, segment, 1)
    })
}

/// The members resolved so far: open addressing over a flat table, keyed
/// by the name's first and last eight bytes, its length and the class (a
/// probe compares integers; names longer than 16 bytes compare their text).
struct MemberMemo<'a> {
    /// 1 + the entry's position in `entries`, 0 for an empty slot.
    slots: Vec<u32>,
    entries: Vec<(MemberWords, &'a str, Option<Resolved>)>,
}

/// A member key folded into integers: equal words mean equal keys for
/// names of at most 16 bytes.
#[derive(Copy, Clone, PartialEq, Eq)]
struct MemberWords {
    first: u64,
    last: u64,
    /// The length, the class and whether it is an instance's member.
    rest: u64,
}

impl MemberWords {
    fn of((instance, class, name): MemberKey<'_>) -> MemberWords {
        let bytes = name.as_bytes();
        let head = bytes.len().min(8);
        let tail = bytes.len().saturating_sub(8);
        MemberWords {
            first: word(bytes),
            last: word(&bytes[tail.max(head).min(bytes.len())..]),
            rest: (bytes.len() as u64) << 33 | u64::from(class.0) << 1 | u64::from(instance),
        }
    }

    fn hash(&self) -> usize {
        let product = u128::from(self.first ^ self.rest.rotate_left(17) ^ 0x243f_6a88_85a3_08d3)
            * u128::from(self.last ^ 0x1319_8a2e_0370_7344);
        ((product as u64) ^ ((product >> 64) as u64)) as usize
    }
}

impl<'a> MemberMemo<'a> {
    fn with_capacity(entries: usize) -> MemberMemo<'a> {
        MemberMemo {
            slots: vec![0; (entries.max(8) * 2).next_power_of_two()],
            entries: Vec::with_capacity(entries),
        }
    }

    fn get_or_insert_with(
        &mut self,
        key: MemberKey<'a>,
        resolve: impl FnOnce() -> Option<Resolved>,
    ) -> &Option<Resolved> {
        let words = MemberWords::of(key);
        let name = key.2;
        let mut mask = self.slots.len() - 1;
        let mut at = words.hash() & mask;
        loop {
            match self.slots[at] {
                0 => break,
                slot => {
                    let (w, n, _) = &self.entries[slot as usize - 1];
                    if *w == words && (name.len() <= 16 || *n == name) {
                        return &self.entries[slot as usize - 1].2;
                    }
                    at = (at + 1) & mask;
                }
            }
        }
        if self.slots.len() < (self.entries.len() + 1) * 2 {
            let mut slots = vec![0u32; self.slots.len() * 2];
            mask = slots.len() - 1;
            for (i, (w, ..)) in self.entries.iter().enumerate() {
                let mut j = w.hash() & mask;
                while slots[j] != 0 {
                    j = (j + 1) & mask;
                }
                slots[j] = i as u32 + 1;
            }
            self.slots = slots;
            at = words.hash() & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
        }
        self.entries.push((words, name, resolve()));
        self.slots[at] = self.entries.len() as u32;
        &self.entries[self.entries.len() - 1].2
    }
}

/// The first eight bytes of `bytes` (fewer: zero-padded) as a
/// little-endian integer, loaded without a call to copy them.
fn word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if let Some(w) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*w);
    }
    if let (Some(lo), Some(hi)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // Two overlapping loads: the bytes they share are the same.
        return u64::from(u32::from_le_bytes(*lo))
            | u64::from(u32::from_le_bytes(*hi)) << (8 * (n - 4));
    }
    bytes
        .iter()
        .enumerate()
        .fold(0, |w, (i, b)| w | u64::from(*b) << (8 * i))
}

/// The items of a buffer sorted by name (`sort_unstable`), moved into an
/// allocation of their size. Long lists sort keys instead: the name's first
/// eight bytes as one integer settle most comparisons without reading the
/// strings (a module's names, a large class's methods).
fn sorted_by_name<T>(items: &mut Vec<T>, name: impl Fn(&T) -> &Name) -> Vec<T> {
    const SHORT: usize = 16;
    // The first eight bytes in string order (zero-padded).
    let prefix = |name: &str| word(name.as_bytes()).swap_bytes();
    if items.len() <= SHORT {
        items.sort_unstable_by(|a, b| {
            let (a, b) = (name(a).as_str(), name(b).as_str());
            prefix(a).cmp(&prefix(b)).then_with(|| a.cmp(b))
        });
        return take_exact(items);
    }
    let mut keys: Vec<(u64, u32)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (prefix(name(item).as_str()), i as u32))
        .collect();
    // Equal prefixes: the names are compared whole.
    keys.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            name(&items[a.1 as usize])
                .as_str()
                .cmp(name(&items[b.1 as usize]).as_str())
        })
    });
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    keys.iter()
        .map(|&(_, i)| slots[i as usize].take().expect("each item once"))
        .collect()
}

/// A qualified name followed by path segments (`os.path` + `.join`,
/// `()`), as `apply_segment` spells it, allocated once at its final length.
fn joined(prefix: &[&str], segments: &[PathSegment]) -> String {
    let len = prefix.iter().map(|p| p.len()).sum::<usize>()
        + segments
            .iter()
            .map(|s| match s {
                PathSegment::Attr(a) => a.len() + 1,
                PathSegment::Call => 2,
            })
            .sum::<usize>();
    let mut q = String::with_capacity(len);
    for p in prefix {
        q.push_str(p);
    }
    for segment in segments {
        match segment {
            PathSegment::Attr(a) => {
                q.push('.');
                q.push_str(a);
            }
            PathSegment::Call => q.push_str("()"),
        }
    }
    q
}

/// A class decorated with `enum.global_enum` (last name compared first).
fn is_global_enum(index: &SemanticIndex, class: ScopeId) -> bool {
    index.scope(class).decorators.iter().any(|d| {
        let callee = d.callee();
        let last = match callee.segments.last() {
            Some(PathSegment::Attr(name)) => name,
            Some(PathSegment::Call) => return false,
            None => &callee.root,
        };
        last.as_str() == "global_enum"
            && matches!(index.resolve_path(&callee, 0),
                Some(Resolved::Qualified(q)) if q.as_str() == "enum.global_enum")
    })
}

/// The last binding of a symbol that gives it a value, as
/// `SemanticIndex::last_binding` finds it, without looking the name up.
fn last_binding(index: &SemanticIndex, symbol: &Symbol) -> Option<BindingId> {
    if symbol.declared_global.is_some() || symbol.declared_nonlocal.is_some() {
        return None;
    }
    index
        .bindings_of(symbol)
        .iter()
        .rev()
        .find(|b| index.binding(**b).kind != BindingKind::Deletion)
        .copied()
}

/// The `Acquires` effects of `function` whose region contains `at`.
fn held_at(regions: &[Region], function: u32, at: TextRange, except: Option<u32>) -> Vec<u32> {
    regions
        .iter()
        .filter(|r| {
            r.function == function
                && Some(r.effect) != except
                && r.range.contains_range(at)
                && r.range != at
        })
        .map(|r| r.effect)
        .collect()
}

/// A callee's root looked up as `SemanticIndex::lookup` does, from the read
/// the index recorded, remembered per symbol read when the answer cannot
/// depend on the offset: in a `def` or lambda only the function's own
/// bindings are positional, so a builtin, a name of an enclosing scope (the
/// function binds none) or the function's only binding of the name
/// (`self`) is the answer everywhere in it.
///
/// A name that a function of the module (or a method of a class there)
/// neither binds nor declares is what the module holds, the same in every
/// such function: remembered per name as well.
struct RootLookups {
    /// Per symbol: 0 (not remembered), 1 (a builtin) or 2 + a binding id.
    found: Vec<u32>,
    /// Per name id, for the free names of functions of the module: 0 (not
    /// remembered), 1 (a builtin), 2 (unbound) or 3 + a binding id.
    free: Vec<u32>,
}

impl RootLookups {
    fn new(symbols: usize) -> RootLookups {
        RootLookups {
            found: vec![0; symbols],
            free: Vec::new(),
        }
    }

    fn lookup(&mut self, index: &SemanticIndex, call: &CallSite, callee: &ValuePath) -> Lookup {
        let Some(read) = index.callee_root_read(call) else {
            return index.lookup(callee.scope, &callee.root, callee.offset);
        };
        let symbol = index.use_(read).symbol;
        match self.found[symbol.index()] {
            0 => {}
            1 => return Lookup::Builtin,
            n => return Lookup::Binding(BindingId(n - 2)),
        }
        let in_function = matches!(
            index.scope(callee.scope).kind,
            ScopeKind::Function { .. } | ScopeKind::Lambda
        );
        let sym = index.symbol(symbol);
        let free = (in_function
            && !sym.is_bound()
            && sym.declared_global.is_none()
            && sym.declared_nonlocal.is_none()
            && index.lookup_parent(callee.scope) == Some(SemanticIndex::MODULE))
        .then(|| index.name_id_of(symbol).index());
        if let Some(name) = free {
            match self.free.get(name).copied().unwrap_or(0) {
                0 => {}
                1 => return Lookup::Builtin,
                2 => return Lookup::Unbound,
                n => return Lookup::Binding(BindingId(n - 3)),
            }
        }
        let found = index.lookup_read(read, callee.offset);
        if let Some(name) = free {
            if self.free.len() <= name {
                self.free.resize(name + 1, 0);
            }
            self.free[name] = match found {
                Lookup::Builtin => 1,
                Lookup::Unbound => 2,
                Lookup::Binding(b) => b.0 + 3,
            };
        }
        let remembered = match found {
            _ if !in_function => 0,
            Lookup::Builtin => 1,
            // A `del` may be what made it unbound here.
            Lookup::Unbound => 0,
            Lookup::Binding(b) => {
                if index.binding(b).scope != callee.scope || sym.binding_count() == 1 {
                    b.0 + 2
                } else {
                    0
                }
            }
        };
        self.found[symbol.index()] = remembered;
        found
    }
}

/// `sys.meta_path.append(...)`, `.insert(...)` or `.extend(...)`.
fn adds_import_finder(callee: &ValuePath) -> bool {
    matches!(
        callee.segments.as_slice(),
        [PathSegment::Attr(list), PathSegment::Attr(method)]
            if list.as_str() == "meta_path"
                && matches!(method.as_str(), "append" | "insert" | "extend")
    ) && callee.root.as_str() == "sys"
}

/// Resolution builds qualified-name strings, so it is skipped for calls that
/// can matter neither way: builtins that block by no name.
/// Returns the root's lookup when the call is worth resolving.
fn worth_resolving(
    callee: &ValuePath,
    extra_names: &[&str],
    lookup: impl FnOnce() -> Lookup,
) -> Option<Lookup> {
    let interesting = |name: &str| {
        may_block_by_name(name)
            || extra_names.contains(&name)
            || matches!(name, "run_until_complete" | "run_forever")
    };
    if let Some(PathSegment::Call) = callee.segments.last() {
        return None;
    }
    let root = lookup();
    let worth = match root {
        Lookup::Binding(_) => true,
        Lookup::Builtin => callee.segments.is_empty() && interesting(&callee.root),
        Lookup::Unbound => false,
    };
    worth.then_some(root)
}

/// An `async def` that is not an async generator, decorated (if at all)
/// only by decorators that keep it a coroutine function.
pub fn is_coroutine_def(index: &SemanticIndex, scope: ScopeId) -> bool {
    if !matches!(
        index.scope(scope).kind,
        ScopeKind::Function { is_async: true }
    ) || index.scope(scope).is_generator
    {
        return false;
    }
    keeps_what_it_returns(index, scope)
}

/// A `def` (not `async`) containing `yield`, decorated (if at all) only by
/// decorators that keep what a call returns: calling it gives a one-shot
/// generator (`@contextmanager` gives something else).
pub fn is_generator_def(index: &SemanticIndex, scope: ScopeId) -> bool {
    matches!(
        index.scope(scope).kind,
        ScopeKind::Function { is_async: false }
    ) && index.scope(scope).is_generator
        && keeps_what_it_returns(index, scope)
}

/// No decorator, or only those that leave a call's result alone.
fn keeps_what_it_returns(index: &SemanticIndex, scope: ScopeId) -> bool {
    index.scope(scope).decorators.is_empty()
        || index.decorator_names(scope).iter().all(|d| {
            matches!(
                d.as_ref().and_then(Resolved::qualified),
                Some(
                    "builtins.staticmethod"
                        | "builtins.classmethod"
                        | "abc.abstractmethod"
                        | "typing.override"
                        | "typing_extensions.override"
                )
            )
        })
}

#[cfg(test)]
mod qualname_tests {
    use super::{summarize, BlockingOptions, SummaryNeeds};

    #[test]
    fn qualified_names_are_built_from_the_enclosing_defs_and_classes() {
        let source = "\
def top(): pass
class Outer:
    def method(self):
        def inner():
            f = lambda: [x for x in ()]
            def deepest(): pass
    class Nested:
        def leaf(self): pass
";
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let index = pitfall_semantic::build_index(parsed.syntax());
        let summary = summarize(
            &index,
            source,
            &BlockingOptions::default(),
            SummaryNeeds::DEFINITIONS,
        );
        let interface = &summary.interface;
        let functions: Vec<String> = (0..interface.functions.len() as u32)
            .filter_map(|f| interface.function_qualname(f))
            .collect();
        assert_eq!(
            functions,
            [
                "top",
                "Outer.method",
                "Outer.method.inner",
                "Outer.method.inner.deepest",
                "Outer.Nested.leaf",
            ]
        );
        let classes: Vec<String> = (0..interface.classes.len() as u32)
            .filter_map(|c| interface.class_qualname(c))
            .collect();
        assert_eq!(classes, ["Outer", "Outer.Nested"]);
        assert_eq!(interface.function_qualname(99), None);
        assert_eq!(interface.class_qualname(99), None);
    }
}

#[cfg(test)]
mod lock_name_tests {
    use super::lock_like_name;

    #[test]
    fn lock_like_names() {
        for name in [
            "lock",
            "_LOCK",
            "self_lock",
            "get_lock",
            "Mutex",
            "sem",
            "write_semaphore",
        ] {
            assert!(lock_like_name(name), "{name}");
        }
        for name in ["", "l", "loc", "items", "mute", "se"] {
            assert!(!lock_like_name(name), "{name}");
        }
    }
}

#[cfg(test)]
mod needs_tests {
    use super::SummaryNeeds;
    use crate::registry::RuleId;
    use crate::selector::RuleSet;

    fn rules(codes: &[&str]) -> RuleSet {
        let mut set = RuleSet::EMPTY;
        for code in codes {
            set.insert(RuleId::from_code(code).expect(code));
        }
        set
    }

    #[test]
    fn a_part_is_needed_when_one_of_its_readers_is_enabled() {
        assert_eq!(SummaryNeeds::of_rules(&RuleSet::EMPTY), SummaryNeeds::NONE);
        assert_eq!(
            SummaryNeeds::of_rules(&rules(&["PF201"])),
            SummaryNeeds::NONE
        );
        assert_eq!(
            SummaryNeeds::of_rules(&rules(&["PF101", "PF201"])),
            SummaryNeeds::CALLS.with(SummaryNeeds::DEFINITIONS)
        );
        // A project rule reads the definitions its resolution builds on.
        assert_eq!(
            SummaryNeeds::of_rules(&rules(&["PF901"])),
            SummaryNeeds::DEFINITIONS
        );
        let threads = SummaryNeeds::of_rules(&rules(&["PF104"]));
        for part in [
            SummaryNeeds::CALLS,
            SummaryNeeds::LOCKS,
            SummaryNeeds::GUARDS,
            SummaryNeeds::SPAWNS,
        ] {
            assert!(threads.contains(part));
        }
        assert!(!threads.contains(SummaryNeeds::MODULE_CALLS));
        // Every part has a reader: none is recorded for nobody.
        let every_part = [
            SummaryNeeds::CALLS,
            SummaryNeeds::MODULE_CALLS,
            SummaryNeeds::LOCKS,
            SummaryNeeds::GUARDS,
            SummaryNeeds::SPAWNS,
            SummaryNeeds::COROUTINES,
            SummaryNeeds::GENERATORS,
            SummaryNeeds::DEFINITIONS,
        ]
        .into_iter()
        .fold(SummaryNeeds::NONE, SummaryNeeds::with);
        assert_eq!(SummaryNeeds::of_rules(&RuleSet::all()), every_part);
    }
}
