//! The project-wide call graph and its facts, in three steps that the
//! database runs as separate queries (so an edit re-runs only what it
//! changes):
//!
//! 1. per module, [`resolve_calls`] and [`resolve_imports`]: its calls out
//!    and imports resolved against the module map and the other modules'
//!    [`ModuleExports`] (re-exports through `__init__.py`, `self.m()`
//!    through the class hierarchy, `Class(...)` through `__init__`). The
//!    result holds a compact call-graph node per function;
//! 2. [`propagate`]: one breadth-first fixpoint over those nodes spreads each
//!    function's direct effects to its callers, so cycles are fine and each
//!    fact keeps its first (shortest) witness as a pointer to the next hop;
//! 3. [`import_cycles`]: the import graph's cycles (PF901).
//!
//! [`ProjectFacts::compute`] runs all three in memory.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

use ruff_python_ast::name::Name;
use rustc_hash::FxHashMap;

use super::modules::{absolutize, ModuleMap, ModuleName};
use super::needs::ProjectNeeds;
use crate::rules::pf3_scopes::stdlib_module_shadowing::is_stdlib_module_in_any_version;
use crate::sized::exactly;
use crate::summary::{
    inherited_effect, may_have_inherited_effect, BaseRef, CallRef, Callee, ClassFacts, Effect,
    Export, LockRef, ModuleInterface, PROCESS_CLASSES,
};

/// A function of the project: (file, index in its module's functions).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionRef {
    pub module: u32,
    pub function: u32,
}

/// A lock, identified across modules.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockKey {
    Global {
        module: u32,
        name: Name,
    },
    Attr {
        module: u32,
        class: u32,
        attr: Name,
    },
    /// A function's local: never propagated.
    Local(FunctionRef, Name),
}

/// What a function may do, directly or through calls.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactKey {
    /// Blocks the thread (PF101).
    Blocks,
    /// Starts an event loop (PF107).
    RunsEventLoop,
    /// Starts processes (PF105).
    StartsProcesses,
    /// Takes this lock (PF108).
    Acquires(LockKey),
    /// Runs in a thread (or process) a spawn hands it to, itself or through
    /// callers (PF104): facts that flow from caller to callee, not back.
    Spawned { concurrent: bool, threads: bool },
}

/// Why a function has a fact: one of its own effects, or a call to a
/// function that has it (follow `target` for the rest of the chain).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Witness {
    Direct {
        effect: u32,
    },
    Call {
        call: u32,
        target: FunctionRef,
    },
    /// [`FactKey::Spawned`]: handed to spawn `spawn` of `module`'s summary.
    Spawned {
        module: u32,
        spawn: u32,
    },
    /// [`FactKey::Spawned`]: the `run` of a `threading.Thread` subclass.
    ThreadRun {
        module: u32,
        class: u32,
    },
    /// [`FactKey::Spawned`]: called (call `call`) by a function that has it.
    CalledBy {
        caller: FunctionRef,
        call: u32,
    },
    /// A call of a method inherited from a library class, with a known
    /// effect (see [`InheritedCall`]).
    Inherited {
        call: u32,
    },
}

/// A call that no project function answers, of a method a project class
/// inherits from a library class, whose effect is known: `Worker().start()`
/// for a `multiprocessing.Process` subclass, here or in another module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InheritedCall {
    pub at: CallRef,
    pub effect: Effect,
}

/// Everything the project knows about one module. `Eq`, so a query
/// holding it backdates when an edit elsewhere leaves it unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleFacts {
    /// Per function: its call-graph node, whose edges are the calls that
    /// reach a project function (shared with the module's resolution: no
    /// copy per query, and no table of the calls that reach none).
    pub nodes: Arc<Vec<FunctionNode>>,
    /// Per module-level call: the project function it reaches.
    pub module_targets: Arc<Vec<Option<FunctionRef>>>,
    /// Per function: its facts, sorted by key (shared with the fixpoint's).
    pub facts: Arc<FunctionFacts>,
    /// Per function, per effect: the lock an `Acquires` effect takes.
    pub locks: Arc<Vec<Vec<Option<LockKey>>>>,
    /// Per import statement: what it resolved to.
    pub imports: Arc<Vec<ImportResolution>>,
    /// The import cycle this module is part of, if any.
    pub cycle: Option<ImportCycle>,
    /// A project module that imports this one (the first, in file order;
    /// `TYPE_CHECKING` imports aside).
    pub importer: Option<u32>,
    /// The bare name this module is imported by from some directory on
    /// `sys.path`, if it has one (PF305).
    pub top_level: Option<TopLevelName>,
    /// Classes (indices) that subclass `threading.Thread` through a class
    /// of the project (PF104).
    pub thread_classes: Vec<u32>,
    /// Calls of inherited library methods with an effect, in call order.
    pub inherited: Arc<Vec<InheritedCall>>,
}

/// How a module is importable by a bare top-level name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopLevelName {
    pub name: String,
    pub is_package: bool,
    /// `None`: at an import root. `Some(s)`: in the directory of script
    /// `s` (a module outside regular packages with a `__main__` guard and no
    /// relative imports, that no project module imports), which
    /// `python s.py` puts first on `sys.path`.
    pub script: Option<u32>,
}

impl ModuleFacts {
    /// The project function a call of the summary reaches.
    pub fn target(&self, at: crate::summary::CallRef) -> Option<FunctionRef> {
        match at.function {
            Some(f) => {
                let calls = &self.nodes.get(f as usize)?.calls;
                let i = calls.binary_search_by_key(&at.call, |c| c.call).ok()?;
                Some(calls[i].target)
            }
            None => *self.module_targets.get(at.call as usize)?,
        }
    }

    /// The calls of `function` that reach a project function:
    /// (call index, target), in call order.
    pub fn call_targets(&self, function: u32) -> impl Iterator<Item = (u32, FunctionRef)> + '_ {
        self.nodes
            .get(function as usize)
            .into_iter()
            .flat_map(|n| n.calls.iter().map(|c| (c.call, c.target)))
    }

    /// The effect of an inherited library method called at `at`.
    pub fn inherited_effect(&self, at: CallRef) -> Option<&Effect> {
        self.inherited
            .iter()
            .find(|i| i.at == at)
            .map(|i| &i.effect)
    }

    pub fn fact(&self, function: u32, key: &FactKey) -> Option<Witness> {
        let facts = self.facts.get(function as usize)?;
        facts
            .binary_search_by(|(k, _)| k.cmp(key))
            .ok()
            .map(|i| facts[i].1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportResolution {
    /// The project module the statement imports (`from M import ...`: M).
    pub module: Option<u32>,
    /// `import a.b.c`: the longest prefix that is the project's, and the
    /// first missing part, when `a.b` is a project package without `c`.
    pub missing_submodule: Option<String>,
    /// Per imported name: `None` if it exists, else the closest existing name.
    pub missing_names: Vec<(u32, Option<String>)>,
    /// Modules this statement loads (the module and imported submodules).
    pub loads: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportCycle {
    /// The cycle from this module back to it (module indices), when short
    /// enough to spell out.
    pub path: Vec<u32>,
    /// How many modules the strongly connected component has.
    pub size: usize,
    /// The import statement (index) that closes the cycle here.
    pub import: u32,
    /// Whether a `from X import name` takes part (fails depending on order).
    pub uses_from: bool,
}

/// One module as the fixpoint sees it.
pub struct ProjectModule<'a> {
    pub interface: &'a ModuleInterface,
}

/// What resolving another module's names reads of a module: its top-level
/// names and classes. Function bodies are not in it, so adding a blocking
/// call to a helper changes no other module's resolution.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleExports {
    /// Sorted by name, as in the interface.
    /// Shared with the interface (no copy per module).
    pub names: Arc<Vec<(Name, Export)>>,
    pub classes: Arc<Vec<ClassFacts>>,
    /// Names may exist that the source does not bind (`__getattr__`,
    /// `globals()`, a star import, an import finder): none is missing.
    pub open_names: bool,
    /// The module installs an import finder: submodules may exist that no
    /// file defines.
    pub import_hook: bool,
}

impl ModuleExports {
    pub fn of(interface: &ModuleInterface) -> ModuleExports {
        ModuleExports {
            names: interface.names.clone(),
            classes: interface.classes.clone(),
            open_names: interface.dynamic_names
                || interface.import_hook
                || interface.imports.iter().any(|i| i.star && !i.type_checking),
            import_hook: interface.import_hook,
        }
    }

    fn name(&self, name: &str) -> Option<&Export> {
        self.names
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| &self.names[i].1)
    }
}

/// The other modules' exports, by module index (the database answers with
/// a query per module, so a resolution depends on the modules it read).
pub trait ExportsSource {
    fn exports(&self, module: u32) -> Option<Arc<ModuleExports>>;
}

impl ExportsSource for Vec<Arc<ModuleExports>> {
    fn exports(&self, module: u32) -> Option<Arc<ModuleExports>> {
        self.get(module as usize).cloned()
    }
}

/// One function as the propagation sees it: no names, no positions. Kept
/// until the cross-module findings: boxed slices, no spare capacity.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FunctionNode {
    pub is_async: bool,
    /// (effect index, the fact it gives).
    pub effects: Box<[(u32, FactKey)]>,
    /// The calls that reach a project function.
    pub calls: Box<[CallEdge]>,
    /// (call index, the fact it gives): calls of inherited library methods.
    pub inherited: Box<[(u32, FactKey)]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEdge {
    pub call: u32,
    pub target: FunctionRef,
    pub awaited: bool,
    pub on_self: bool,
    /// Made while a lock is held (PF104's facts do not pass it).
    pub guarded: bool,
}

/// Where [`FactKey::Spawned`] starts: a function handed to a thread, pool
/// or process, or the `run` of a `threading.Thread` subclass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnSeed {
    pub target: FunctionRef,
    pub witness: Witness,
    pub concurrent: bool,
    pub threads: bool,
}

/// One module's calls resolved against the project. `Eq`: the propagation
/// re-runs only when some module's resolution changed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleResolution {
    /// Per module-level call: the project function it reaches.
    pub module_targets: Arc<Vec<Option<FunctionRef>>>,
    /// Per function, per effect: the lock an `Acquires` effect takes.
    pub locks: Arc<Vec<Vec<Option<LockKey>>>>,
    /// Per function: its node in the project call graph (its edges are
    /// the calls that reach a project function).
    pub nodes: Arc<Vec<FunctionNode>>,
    /// Classes that derive from `threading.Thread` through project classes.
    pub thread_classes: Vec<u32>,
    /// Calls of inherited library methods with an effect.
    pub inherited: Arc<Vec<InheritedCall>>,
    /// The functions this module hands to threads, pools and processes.
    pub spawns: Vec<SpawnSeed>,
}

/// One module's imports resolved against the project.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleImports {
    /// Per import statement.
    pub resolved: Arc<Vec<ImportResolution>>,
    /// What the project's import graph reads of them.
    pub node: ImportNode,
}

/// One module as the import graph sees it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportNode {
    /// The import-time edges: (module loaded, the first import statement
    /// that loads it, whether that one is a `from` import).
    pub edges: Vec<(u32, u32, bool)>,
    /// The other modules that any import able to run loads (not under
    /// `TYPE_CHECKING`; also inside functions), sorted.
    pub loads: Vec<u32>,
    /// A `__main__` guard and no relative import: it may run as a script.
    pub may_be_script: bool,
}

/// What the import graph says about one module.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleImportFacts {
    pub cycle: Option<ImportCycle>,
    pub importer: Option<u32>,
    pub top_level: Option<TopLevelName>,
}

/// Per function: its facts, sorted by key; the functions after the last
/// with a fact are left out.
pub type FunctionFacts = Vec<Vec<(FactKey, Witness)>>;

/// Facts for every module of the project.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProjectFacts {
    /// Shared with the per-module `module_facts` queries (no copy).
    pub modules: Vec<Arc<ModuleFacts>>,
}

/// Attributes every module has, whatever its source defines.
const MODULE_ATTRIBUTES: &[&str] = &[
    "__doc__",
    "__file__",
    "__name__",
    "__path__",
    "__spec__",
    "__loader__",
    "__package__",
    "__dict__",
    "__builtins__",
    "__cached__",
    "__annotations__",
];

/// Resolution gives up beyond this many re-export or base-class hops.
const MAX_HOPS: u32 = 24;
/// Cycles longer than this are reported by size, not spelled out.
const MAX_CYCLE_SEARCH: usize = 512;

/// What a qualified name denotes in the project.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Module(u32),
    Function(FunctionRef),
    Class(u32, u32),
    Instance(u32, u32),
    Lock(u32, Name),
    Value,
}

/// Name lookups shared by every module's resolution against one module
/// map: `os.path.join` is searched once for the project, not once per file.
/// An entry keeps the exports its search read; a resolver takes it only
/// after reading those exports itself (so its query depends on them, as if
/// it had searched) and finding the very same ones. A cache: all are equal.
#[derive(Default)]
pub struct SharedLookups {
    names: RwLock<FxHashMap<Box<str>, SharedMemo<Option<Item>>>>,
}

/// A memo another resolver made, with the exports its search read.
#[derive(Clone)]
struct SharedMemo<T> {
    value: T,
    span: u32,
    reads: Reads,
}

impl SharedLookups {
    /// Forgets every entry (their memory): once the modules to resolve
    /// are, only a resolution an edit brings could use them.
    pub fn clear(&self) {
        if let Ok(mut names) = self.names.write() {
            *names = FxHashMap::default();
        }
    }
}

impl PartialEq for SharedLookups {
    fn eq(&self, _: &SharedLookups) -> bool {
        true
    }
}

impl Eq for SharedLookups {}

/// The exports a search read: (module, what it read).
type Reads = Arc<[(u32, Option<Arc<ModuleExports>>)]>;

struct Resolver<'a> {
    map: &'a ModuleMap,
    source: &'a dyn ExportsSource,
    /// Lookups shared with the other modules' resolvers, if any.
    shared: Option<&'a SharedLookups>,
    /// While a search runs (with `shared`): the modules whose exports it
    /// read, nested searches' included.
    read_log: std::cell::RefCell<Vec<u32>>,
    searching: std::cell::Cell<u32>,
    /// The modules each memo's search read, memo after memo (see [`Memo::reads`]).
    read_arena: std::cell::RefCell<Vec<u32>>,
    /// The exports read so far (one query per module, not per name).
    exports: std::cell::RefCell<FxHashMap<u32, Option<Arc<ModuleExports>>>>,
    /// Absolute names resolve the same from everywhere: `os.path.join`
    /// is looked up once per resolver (re-exports and bases on the way too).
    names: std::cell::RefCell<FxHashMap<Box<str>, Memo<Option<Item>>>>,
    /// Methods found through class hierarchies: (module, class, name).
    methods: std::cell::RefCell<FxHashMap<MethodKey, Memo<Option<FunctionRef>>>>,
    /// Each distinct callee of a module, resolved: a module calls the same
    /// names again and again (`self.assertEqual`), and a callee's target is
    /// the same wherever it is called (resolution starts at hop 0).
    callees: std::cell::RefCell<FxHashMap<(u32, &'a Callee), Option<FunctionRef>>>,
    /// The deepest hop count the current search reached, and whether it
    /// hit [`MAX_HOPS`] (see [`Memo`]).
    deepest: std::cell::Cell<u32>,
    truncated: std::cell::Cell<bool>,
}

/// A method looked up in a class: (module, class, name).
type MethodKey = (u32, u32, Name);

/// A remembered search result, and how many hops deeper than its start the
/// search went. Searches only count hops relative to their start, so the
/// same search started at `hops` gives the same result while
/// `hops + span <= MAX_HOPS`; one that hit the limit is not remembered.
#[derive(Clone)]
struct Memo<T> {
    value: T,
    span: u32,
    /// What the search read, as a range of the resolver's `read_arena`
    /// (with shared lookups only; empty otherwise).
    reads: (u32, u32),
}

impl<'a> Resolver<'a> {
    fn new(
        map: &'a ModuleMap,
        source: &'a dyn ExportsSource,
        shared: Option<&'a SharedLookups>,
    ) -> Self {
        Resolver {
            map,
            source,
            shared,
            read_log: Default::default(),
            searching: Default::default(),
            read_arena: Default::default(),
            exports: Default::default(),
            names: Default::default(),
            methods: Default::default(),
            callees: Default::default(),
            deepest: Default::default(),
            truncated: Default::default(),
        }
    }

    fn interface(&self, module: u32) -> Arc<ModuleExports> {
        self.exports_of(module).unwrap_or_default()
    }

    /// A module's exports (read once per resolver), noted for the search
    /// that reads them.
    fn exports_of(&self, module: u32) -> Option<Arc<ModuleExports>> {
        if self.shared.is_some() && self.searching.get() > 0 {
            self.read_log.borrow_mut().push(module);
        }
        self.exports
            .borrow_mut()
            .entry(module)
            .or_insert_with(|| self.source.exports(module))
            .clone()
    }

    fn module_name(&self, module: u32) -> Option<&ModuleName> {
        self.map.name(module)
    }

    /// Whether a search `hops` deep has gone too far (and records how deep
    /// it went, for [`Memo`]).
    fn too_deep(&self, hops: u32) -> bool {
        if hops > MAX_HOPS {
            self.truncated.set(true);
            return true;
        }
        self.deepest.set(self.deepest.get().max(hops));
        false
    }

    /// A remembered result, if still valid when the search starts at `hops`.
    fn recall<T: Clone>(&self, memo: Option<&Memo<T>>, hops: u32) -> Option<T> {
        let memo = memo?;
        if hops + memo.span > MAX_HOPS {
            return None;
        }
        self.deepest.set(self.deepest.get().max(hops + memo.span));
        let (start, end) = memo.reads;
        if start < end && self.searching.get() > 0 {
            let arena = self.read_arena.borrow();
            self.read_log
                .borrow_mut()
                .extend_from_slice(&arena[start as usize..end as usize]);
        }
        Some(memo.value.clone())
    }

    /// A shared result as this resolver's memo, if still valid at `hops`
    /// and the exports it read are the ones this resolver reads (reading
    /// them here).
    fn recall_shared<T: Clone>(&self, memo: Option<SharedMemo<T>>, hops: u32) -> Option<Memo<T>> {
        let memo = memo?;
        if hops + memo.span > MAX_HOPS {
            return None;
        }
        let same = memo
            .reads
            .iter()
            .all(|(m, read)| match (self.exports_of(*m), read) {
                (Some(now), Some(then)) => Arc::ptr_eq(&now, then),
                (now, then) => now.is_none() && then.is_none(),
            });
        if !same {
            return None;
        }
        let mut arena = self.read_arena.borrow_mut();
        let start = arena.len() as u32;
        arena.extend(memo.reads.iter().map(|(m, _)| *m));
        let mine = Memo {
            value: memo.value,
            span: memo.span,
            reads: (start, arena.len() as u32),
        };
        drop(arena);
        self.recall(Some(&mine), hops);
        Some(mine)
    }

    /// Runs a search starting at `hops`: its result, and a memo of it
    /// unless it hit the hop limit.
    fn search<T: Clone>(&self, hops: u32, run: impl FnOnce() -> T) -> (T, Option<Memo<T>>) {
        let outer_deepest = self.deepest.replace(hops);
        let outer_truncated = self.truncated.replace(false);
        let first_read = self.read_log.borrow().len();
        self.searching.set(self.searching.get() + 1);
        let value = run();
        self.searching.set(self.searching.get() - 1);
        let deepest = self.deepest.get();
        let memo = (!self.truncated.get()).then(|| Memo {
            value: value.clone(),
            span: deepest - hops,
            reads: self.note_reads(first_read),
        });
        if self.searching.get() == 0 {
            self.read_log.borrow_mut().truncate(first_read);
        }
        self.deepest.set(outer_deepest.max(deepest));
        self.truncated.set(outer_truncated || self.truncated.get());
        (value, memo)
    }

    /// The modules read since the log had `first` entries, each once, as
    /// a range of the arena (empty without shared lookups).
    fn note_reads(&self, first: usize) -> (u32, u32) {
        if self.shared.is_none() {
            return (0, 0);
        }
        let log = self.read_log.borrow();
        let mut arena = self.read_arena.borrow_mut();
        let start = arena.len();
        for &m in &log[first..] {
            if !arena[start..].contains(&m) {
                arena.push(m);
            }
        }
        (start as u32, arena.len() as u32)
    }

    /// A memo's reads with what they read, for other resolvers.
    fn shared_reads(&self, (start, end): (u32, u32)) -> Reads {
        let arena = self.read_arena.borrow();
        let exports = self.exports.borrow();
        arena[start as usize..end as usize]
            .iter()
            .map(|&m| (m, exports.get(&m).cloned().flatten()))
            .collect()
    }

    /// A reference as written in module `from`, made absolute when it is
    /// relative (`.db` in `app.services` is `app.services.db`).
    fn absolute_reference<'q>(&self, q: &'q str, from: u32) -> Option<Cow<'q, str>> {
        if q.starts_with('.') {
            absolutize(q, self.module_name(from)?).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(q))
        }
    }

    /// `app.models.User().save` seen from `from`.
    fn qualified(&self, q: &str, from: u32, hops: u32) -> Option<Item> {
        if self.too_deep(hops) {
            return None;
        }
        let q = self.absolute_reference(q, from)?;
        let q = q.as_ref();
        // A name remembered passed the check below.
        if let Some(found) = self.recall(self.names.borrow().get(q), hops) {
            return found;
        }
        // Cheap rejection first: most calls go to other packages.
        let top_end = q
            .bytes()
            .position(|b| b == b'.' || b == b'(')
            .unwrap_or(q.len());
        if !self.map.has_top_level(&q[..top_end]) {
            return None;
        }
        let shared = self.shared.and_then(|s| {
            let memo = s.names.read().ok()?.get(q).cloned();
            self.recall_shared(memo, hops)
        });
        if let Some(memo) = shared {
            let found = memo.value.clone();
            self.names.borrow_mut().insert(q.into(), memo);
            return found;
        }
        let (found, memo) = self.search(hops, || self.absolute(q, hops));
        if let Some(memo) = memo {
            if let Some(shared) = self.shared {
                let entry = SharedMemo {
                    value: memo.value.clone(),
                    span: memo.span,
                    reads: self.shared_reads(memo.reads),
                };
                if let Ok(mut names) = shared.names.write() {
                    names.insert(q.into(), entry);
                }
            }
            self.names.borrow_mut().insert(q.into(), memo);
        }
        found
    }

    /// An absolute name in the project (its top-level name is one).
    fn absolute(&self, q: &str, hops: u32) -> Option<Item> {
        // The longest prefix of plain names (before any call) that is a
        // project module, by slicing at dots (no allocation).
        let mut end = match q.find('(') {
            Some(paren) => q[..paren].rfind('.')?,
            None => q.len(),
        };
        let mut item = loop {
            if let Some(m) = self.map.resolve(&q[..end]) {
                break Item::Module(m);
            }
            end = q[..end].rfind('.')?;
        };
        for part in q[end..].split('.').filter(|p| !p.is_empty()) {
            // `Session()`: the name, then one call per `()` (a byte scan:
            // a `str` pattern search sets up a searcher per part).
            let (name, calls) = match part.as_bytes().windows(2).position(|w| w == b"()") {
                Some(i) => (&part[..i], (part.len() - i) / 2),
                None => (part, 0),
            };
            item = self.member(item, name, hops + 1)?;
            for _ in 0..calls {
                item = match item {
                    Item::Class(m, c) => Item::Instance(m, c),
                    _ => return None,
                };
            }
        }
        Some(item)
    }

    fn member(&self, base: Item, name: &str, hops: u32) -> Option<Item> {
        if self.too_deep(hops) {
            return None;
        }
        match base {
            Item::Module(m) => {
                let exports = self.interface(m);
                match exports.name(name) {
                    Some(Export::Function(f)) => Some(Item::Function(FunctionRef {
                        module: m,
                        function: *f,
                    })),
                    Some(Export::Class(c)) => Some(Item::Class(m, *c)),
                    Some(Export::Lock) => Some(Item::Lock(m, Name::new(name))),
                    Some(Export::Import(q)) => {
                        // `from .users import fetch` in a package: a re-export.
                        // An import of the name's own submodule is that module.
                        self.qualified(q, m, hops + 1)
                            .or_else(|| self.submodule(m, name))
                    }
                    Some(Export::Value) => Some(Item::Value),
                    None => self.submodule(m, name),
                }
            }
            Item::Class(m, c) | Item::Instance(m, c) => {
                self.method(m, c, name, hops + 1).map(Item::Function)
            }
            _ => None,
        }
    }

    fn submodule(&self, module: u32, name: &str) -> Option<Item> {
        let package = &self.module_name(module)?.name;
        self.map
            .resolve(&format!("{package}.{name}"))
            .map(Item::Module)
    }

    /// A method through the class hierarchy (bases in order, depth-first,
    /// which agrees with the MRO for single inheritance). Remembered:
    /// `self.assertEqual` in every test method, and the bases on the way.
    fn method(&self, module: u32, class: u32, name: &str, hops: u32) -> Option<FunctionRef> {
        let key = (module, class, Name::new(name));
        if let Some(found) = self.recall(self.methods.borrow().get(&key), hops) {
            return found;
        }
        // Not shared: most are found in the class itself or a base nearby,
        // cheaper to search again than to check a shared entry's reads.
        let (found, memo) = self.search(hops, || self.search_method(module, class, name, hops));
        if let Some(memo) = memo {
            self.methods.borrow_mut().insert(key, memo);
        }
        found
    }

    fn search_method(&self, module: u32, class: u32, name: &str, hops: u32) -> Option<FunctionRef> {
        if self.too_deep(hops) {
            return None;
        }
        let exports = self.interface(module);
        let facts = exports.classes.get(class as usize)?;
        if let Some(f) = facts.method(name) {
            return Some(FunctionRef {
                module,
                function: f,
            });
        }
        for base in &facts.bases {
            let found = match base {
                BaseRef::Local(c) => self.method(module, *c, name, hops + 1),
                BaseRef::Qualified(q) => match self.qualified(q, module, hops + 1) {
                    Some(Item::Class(m, c)) => self.method(m, c, name, hops + 1),
                    _ => None,
                },
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Whether the class's bases reach `threading.Thread` through a
    /// project class (a direct base is the module's own business).
    fn subclasses_thread(&self, module: u32, class: u32) -> bool {
        let is_thread = |q: &str| q == "threading.Thread";
        let exports = self.interface(module);
        let Some(facts) = exports.classes.get(class as usize) else {
            return false;
        };
        facts.bases.iter().any(|base| match base {
            BaseRef::Local(c) => self.library_base(module, *c, &is_thread, 1).is_some(),
            BaseRef::Qualified(q) => match self.qualified(q, module, 1) {
                Some(Item::Class(m, c)) => self.library_base(m, c, &is_thread, 1).is_some(),
                _ => false,
            },
        })
    }

    /// The first library class that `wanted` accepts among the class's
    /// bases, direct or through project classes in any module (depth-first,
    /// as method lookup goes): `threading.Thread` for PF104,
    /// `multiprocessing.Process` for PF105. A wanted name is taken as it is
    /// written, before resolution (the standard library is a project too).
    fn library_base(
        &self,
        module: u32,
        class: u32,
        wanted: &dyn Fn(&str) -> bool,
        hops: u32,
    ) -> Option<String> {
        if self.too_deep(hops) {
            return None;
        }
        let exports = self.interface(module);
        let facts = exports.classes.get(class as usize)?;
        facts.bases.iter().find_map(|base| match base {
            BaseRef::Local(c) => self.library_base(module, *c, wanted, hops + 1),
            BaseRef::Qualified(q) if wanted(q) => Some(q.clone()),
            BaseRef::Qualified(q) => match self.qualified(q, module, hops + 1) {
                Some(Item::Class(m, c)) => self.library_base(m, c, wanted, hops + 1),
                Some(_) => None,
                // `from app.compat import Process`, where `app/compat.py`
                // imports it from the library.
                None => self
                    .reexported(q, module, hops + 1)
                    .filter(|library| wanted(library)),
            },
        })
    }

    /// The library name that a project module's import re-exports:
    /// `multiprocessing.Process` for `app.compat.Process` when
    /// `app/compat.py` has `from multiprocessing import Process`.
    fn reexported(&self, q: &str, from: u32, hops: u32) -> Option<String> {
        if self.too_deep(hops) {
            return None;
        }
        let q = self.absolute_reference(q, from)?;
        let q = q.as_ref();
        let (module, name) = q.rsplit_once('.')?;
        if name.contains('(') || !self.map.has_top_level(module.split('.').next()?) {
            return None;
        }
        let m = self.map.resolve(module)?;
        let Some(Export::Import(target)) = self.interface(m).name(name).cloned() else {
            return None;
        };
        let top = target.split(['.', '(']).next().unwrap_or_default();
        if target.starts_with('.') || self.map.has_top_level(top) {
            self.reexported(&target, m, hops + 1)
        } else {
            Some(target)
        }
    }

    /// A call of a method that no project class of the receiver's
    /// hierarchy defines (the callee resolved to no project function),
    /// inherited from a library class that `wanted` accepts: that class's
    /// qualified name and whether the receiver is an instance
    /// (`Worker().start()`, `super().start()`, `app.Worker().start()`).
    fn inherited_from(
        &self,
        module: u32,
        callee: &Callee,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Option<(String, bool)> {
        let (m, class, instance) = match callee {
            Callee::Method { class, .. } | Callee::Super { class, .. } => (module, *class, true),
            Callee::Qualified(q) => {
                let (receiver, _) = q.rsplit_once('.')?;
                match self.qualified(receiver, module, 0)? {
                    Item::Instance(m, c) => (m, c, true),
                    Item::Class(m, c) => (m, c, false),
                    _ => return None,
                }
            }
            Callee::Function(_) | Callee::Class(_) => return None,
        };
        Some((self.library_base(m, class, wanted, 0)?, instance))
    }

    /// `super().name` from a method of the class: the first base that has it.
    fn base_method(&self, module: u32, class: u32, name: &str) -> Option<FunctionRef> {
        let exports = self.interface(module);
        let facts = exports.classes.get(class as usize)?;
        facts.bases.iter().find_map(|base| match base {
            BaseRef::Local(c) => self.method(module, *c, name, 1),
            BaseRef::Qualified(q) => match self.qualified(q, module, 1) {
                Some(Item::Class(m, c)) => self.method(m, c, name, 1),
                _ => None,
            },
        })
    }

    fn callee(&self, module: u32, callee: &'a Callee) -> Option<FunctionRef> {
        if let Callee::Function(f) = callee {
            return Some(FunctionRef {
                module,
                function: *f,
            });
        }
        if let Some(found) = self.callees.borrow().get(&(module, callee)) {
            return *found;
        }
        let found = self.search_callee(module, callee);
        self.callees.borrow_mut().insert((module, callee), found);
        found
    }

    fn search_callee(&self, module: u32, callee: &Callee) -> Option<FunctionRef> {
        match callee {
            Callee::Function(f) => Some(FunctionRef {
                module,
                function: *f,
            }),
            Callee::Class(c) => self.method(module, *c, "__init__", 0),
            Callee::Method { class, name } => self.method(module, *class, name, 0),
            Callee::Super { class, name } => self.base_method(module, *class, name),
            Callee::Qualified(q) => match self.qualified(q, module, 0)? {
                Item::Function(f) => Some(f),
                Item::Class(m, c) => self.method(m, c, "__init__", 0),
                _ => None,
            },
        }
    }

    fn lock(&self, module: u32, function: u32, lock: &LockRef) -> Option<LockKey> {
        Some(match lock {
            LockRef::Global(name) => LockKey::Global {
                module,
                name: name.clone(),
            },
            LockRef::Attr { class, attr } => LockKey::Attr {
                module,
                class: *class,
                attr: attr.clone(),
            },
            LockRef::Local(name) => LockKey::Local(FunctionRef { module, function }, name.clone()),
            LockRef::Imported(q) => match self.qualified(q, module, 0)? {
                Item::Lock(m, name) => LockKey::Global { module: m, name },
                _ => return None,
            },
        })
    }

    fn import(&self, module: u32, import: &crate::summary::ImportFacts) -> ImportResolution {
        let mut out = ImportResolution::default();
        let Some(from) = self.module_name(module) else {
            return out;
        };
        let Some(target) = absolutize(&import.module, from) else {
            return out;
        };
        let parts: Vec<&str> = target.split('.').collect();
        if !self.map.has_top_level(parts[0]) {
            return out;
        }
        // Missing names are only reported against modules known for sure:
        // not one that several files claim, nor a stub mirroring the
        // standard library (a vendored typeshed's `typing.pyi`), which the
        // import does not run: it finds the real module.
        let stdlib_stub =
            self.map.is_stub_only(parts[0]) && is_stdlib_module_in_any_version(parts[0]);
        let trusted = |name: &str| !stdlib_stub && !self.map.is_ambiguous(name);
        // Every prefix is imported along the way (`import a.b.c` runs a, a.b,
        // a.b.c). A package is initialised before its submodules, so a
        // submodule (or the package itself) naming it on the way is no cycle.
        for k in 1..=parts.len() {
            let prefix = parts[..k].join(".");
            match self.map.resolve(&prefix) {
                // An ancestor package is in `sys.modules` before this module
                // runs: passing through it on the way loads nothing.
                Some(_) if k < parts.len() && is_ancestor(&prefix, from) => {}
                Some(m) if m == module && import.names.is_some() && from.is_package => {}
                Some(m) => out.loads.push(m),
                None if self.map.is_package(&prefix) => {}
                // A compiled module: what it defines is not known.
                None if self.map.is_extension(&prefix) => return out,
                None => {
                    // Only a regular package of the project is known to be
                    // complete: a namespace package may have portions elsewhere.
                    let parent = if k > 1 {
                        self.map.resolve(&parts[..k - 1].join("."))
                    } else {
                        None
                    };
                    if let Some(p) = parent {
                        let is_regular = self.map.name(p).is_some_and(|n| n.is_package);
                        if is_regular
                            && trusted(&parts[..k - 1].join("."))
                            && parts[k - 1] != "__init__"
                            && !self.map.has_subdirectory(p, parts[k - 1])
                            && !self.interface(p).import_hook
                        {
                            out.missing_submodule = Some(prefix);
                        }
                    }
                    return out;
                }
            }
        }
        out.module = self.map.resolve(&target);
        let Some(names) = &import.names else {
            return out;
        };
        let mut only_submodules = !names.is_empty();
        for (i, name) in names.iter().enumerate() {
            let sub = format!("{target}.{name}");
            if let Some(m) = self.map.resolve(&sub) {
                out.loads.push(m);
                continue;
            }
            only_submodules = false;
            // Every module has these; a directory of a package is a
            // (namespace) subpackage even without Python files we know.
            if self.map.is_package(&sub)
                || self.map.is_extension(&sub)
                || MODULE_ATTRIBUTES.contains(&name.as_str())
            {
                continue;
            }
            if out
                .module
                .is_some_and(|m| self.map.has_subdirectory(m, name))
            {
                continue;
            }
            let defined = match out.module {
                Some(_) if !trusted(&target) => true,
                Some(m) => {
                    let exports = self.interface(m);
                    exports.open_names || exports.name(name).is_some()
                }
                // A namespace package has no names but its submodules.
                None => false,
            };
            if !defined {
                out.missing_names
                    .push((i as u32, self.closest_name(out.module, &target, name)));
            }
        }
        // `from pkg import submodule` inside pkg: Python imports the
        // submodule even while pkg is half-initialised.
        if only_submodules && is_ancestor(&target, from) {
            if let Some(pkg) = out.module {
                out.loads.retain(|m| *m != pkg);
            }
        }
        out
    }

    fn closest_name(&self, module: Option<u32>, package: &str, name: &str) -> Option<String> {
        let mut candidates: Vec<&str> = self.map.submodules(package).collect();
        let exports = module.map(|m| self.interface(m));
        if let Some(exports) = &exports {
            candidates.extend(exports.names.iter().map(|(n, _)| n.as_str()));
        }
        candidates
            .into_iter()
            .map(|c| (strsim::levenshtein(c, name), c))
            .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
            .min()
            .map(|(_, c)| c.to_string())
    }
}

/// Resolves one module's calls out and lock references, as far as `needs`
/// asks (the rest is left empty). `module` is the module's index in `map`;
/// `exports` answers for the others; `shared` holds the lookups of the
/// other modules' resolutions against the same map.
pub fn resolve_calls(
    map: &ModuleMap,
    exports: &dyn ExportsSource,
    module: u32,
    interface: &ModuleInterface,
    needs: ProjectNeeds,
    shared: Option<&SharedLookups>,
) -> ModuleResolution {
    resolve_calls_with(
        &Resolver::new(map, exports, shared),
        module,
        interface,
        needs,
    )
}

fn resolve_calls_with<'a>(
    resolver: &Resolver<'a>,
    m: u32,
    interface: &'a ModuleInterface,
    needs: ProjectNeeds,
) -> ModuleResolution {
    let named = resolver.map.name(m).is_some();
    let target = |c: &'a crate::summary::CallOut| match (&c.callee, named) {
        // Unnamed modules still resolve their own functions.
        (Callee::Qualified(_), false) => None,
        (callee, _) => resolver.callee(m, callee),
    };
    let locks: Vec<Vec<Option<LockKey>>> = if needs.contains(ProjectNeeds::LOCKS) {
        interface
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                f.effects
                    .iter()
                    .map(|e| match e {
                        Effect::Acquires { lock, .. } => resolver.lock(m, i as u32, lock),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    let (function_calls, inherited_wanted) = (needs.function_calls(), needs.inherited_calls());
    // Per function, its calls' targets in one reused buffer: only the
    // calls that reach a project function are kept (as edges).
    let mut targets: Vec<Option<FunctionRef>> = Vec::new();
    let mut inherited = Vec::new();
    // A node holds calls and facts: with neither read, no function gets
    // one (readers look nodes up with `get`).
    let with_nodes: &[crate::summary::FunctionFacts] = if function_calls || inherited_wanted {
        &interface.functions
    } else {
        &[]
    };
    let mut nodes = Vec::with_capacity(with_nodes.len());
    for (f, function) in with_nodes.iter().enumerate() {
        targets.clear();
        if function_calls {
            targets.extend(function.calls.iter().map(target));
        }
        let first_inherited = inherited.len();
        if inherited_wanted {
            inherited_calls(
                resolver,
                m,
                named,
                Some(f as u32),
                &function.calls,
                &targets,
                &mut inherited,
            );
        }
        nodes.push(FunctionNode {
            is_async: function.is_async,
            effects: function
                .effects
                .iter()
                .enumerate()
                .filter_map(|(e, effect)| {
                    let key = match effect {
                        Effect::Blocking { .. } => FactKey::Blocks,
                        Effect::RunsEventLoop { .. } => FactKey::RunsEventLoop,
                        Effect::StartsProcesses { .. } => FactKey::StartsProcesses,
                        Effect::Acquires { .. } => {
                            FactKey::Acquires(locks.get(f)?.get(e)?.clone()?)
                        }
                    };
                    needs.has_fact(&key).then_some((e as u32, key))
                })
                .collect(),
            calls: exactly(function.calls.iter().zip(&targets).enumerate().filter_map(
                |(call, (c, target))| {
                    Some(CallEdge {
                        call: call as u32,
                        target: (*target)?,
                        awaited: c.awaited,
                        on_self: c.on_self,
                        guarded: function
                            .guarded_calls()
                            .binary_search(&(call as u32))
                            .is_ok(),
                    })
                },
            ))
            .into_boxed_slice(),
            inherited: inherited[first_inherited..]
                .iter()
                .filter_map(|i: &InheritedCall| {
                    let key = fact_of_inherited(&i.effect)?;
                    needs.has_fact(&key).then_some((i.at.call, key))
                })
                .collect(),
        });
    }
    let module_targets: Vec<Option<FunctionRef>> = if needs.module_calls() {
        interface.module_calls.iter().map(target).collect()
    } else {
        Vec::new()
    };
    if inherited_wanted {
        inherited_calls(
            resolver,
            m,
            named,
            None,
            &interface.module_calls,
            &module_targets,
            &mut inherited,
        );
    }
    let spawns_wanted = needs.contains(ProjectNeeds::SPAWNS);
    let thread_classes: Vec<u32> = (0..interface.classes.len() as u32)
        .filter(|c| spawns_wanted && named && resolver.subclasses_thread(m, *c))
        .collect();
    let mut spawns: Vec<SpawnSeed> = interface
        .spawns
        .iter()
        .enumerate()
        .filter(|_| spawns_wanted)
        .filter_map(|(i, spawn)| {
            let target = match (&spawn.callee, named) {
                (Callee::Qualified(_), false) => None,
                (callee, _) => resolver.callee(m, callee),
            }?;
            Some(SpawnSeed {
                target,
                witness: Witness::Spawned {
                    module: m,
                    spawn: i as u32,
                },
                concurrent: spawn.concurrent,
                threads: spawn.threads,
            })
        })
        .collect();
    // `run` of the module's `threading.Thread` subclasses.
    let classes = interface.classes.iter().enumerate();
    for (c, class) in classes.filter(|_| spawns_wanted) {
        let is_thread = class
            .bases
            .iter()
            .any(|b| matches!(b, BaseRef::Qualified(q) if q == "threading.Thread"))
            || thread_classes.contains(&(c as u32));
        if let (true, Some(run)) = (is_thread, class.method("run")) {
            spawns.push(SpawnSeed {
                target: FunctionRef {
                    module: m,
                    function: run,
                },
                witness: Witness::ThreadRun {
                    module: m,
                    class: c as u32,
                },
                concurrent: false,
                threads: true,
            });
        }
    }
    ModuleResolution {
        module_targets: Arc::new(module_targets),
        locks: Arc::new(locks),
        nodes: Arc::new(nodes),
        thread_classes,
        spawns,
        inherited: Arc::new(inherited),
    }
}

/// The calls among `calls` (made in `function`, `None` at module level)
/// that no project function answers and that call a method inherited from
/// a library class with a known effect.
fn inherited_calls(
    resolver: &Resolver,
    m: u32,
    named: bool,
    function: Option<u32>,
    calls: &[crate::summary::CallOut],
    targets: &[Option<FunctionRef>],
    out: &mut Vec<InheritedCall>,
) {
    let is_process_class = |q: &str| PROCESS_CLASSES.contains(&q);
    for (call, (c, target)) in calls.iter().zip(targets).enumerate() {
        let method = match &c.callee {
            Callee::Method { name, .. } | Callee::Super { name, .. } => name.as_str(),
            Callee::Qualified(q) if named => q.rsplit('.').next().unwrap_or_default(),
            _ => continue,
        };
        if target.is_some() || !may_have_inherited_effect(method) {
            continue;
        }
        let Some((base, instance)) = resolver.inherited_from(m, &c.callee, &is_process_class)
        else {
            continue;
        };
        if let Some(effect) = inherited_effect(&base, instance, method) {
            out.push(InheritedCall {
                at: CallRef {
                    function,
                    call: call as u32,
                },
                effect,
            });
        }
    }
}

/// The fact an inherited library method's effect gives its caller.
fn fact_of_inherited(effect: &Effect) -> Option<FactKey> {
    match effect {
        Effect::Blocking { .. } => Some(FactKey::Blocks),
        Effect::RunsEventLoop { .. } => Some(FactKey::RunsEventLoop),
        Effect::StartsProcesses { .. } => Some(FactKey::StartsProcesses),
        Effect::Acquires { .. } => None,
    }
}

/// Resolves one module's import statements (what they load, names that
/// do not exist), and its import-time edges of the import graph.
pub fn resolve_imports(
    map: &ModuleMap,
    exports: &dyn ExportsSource,
    module: u32,
    interface: &ModuleInterface,
) -> ModuleImports {
    resolve_imports_with(&Resolver::new(map, exports, None), module, interface)
}

fn resolve_imports_with(resolver: &Resolver, m: u32, interface: &ModuleInterface) -> ModuleImports {
    let resolved: Vec<ImportResolution> = if resolver.map.name(m).is_some() {
        interface
            .imports
            .iter()
            .map(|i| resolver.import(m, i))
            .collect()
    } else {
        vec![ImportResolution::default(); interface.imports.len()]
    };
    let mut edges: Vec<(u32, u32, bool)> = Vec::new();
    let mut loads: Vec<u32> = Vec::new();
    for (i, import) in interface.imports.iter().enumerate() {
        if !import.type_checking {
            loads.extend(resolved[i].loads.iter().filter(|t| **t != m));
        }
        if !import.at_import_time {
            continue;
        }
        for &target in &resolved[i].loads {
            if !edges.iter().any(|(t, _, _)| *t == target) {
                edges.push((target, i as u32, import.names.is_some()));
            }
        }
    }
    loads.sort_unstable();
    loads.dedup();
    // A file with relative imports runs only as part of its package
    // (`python -m pkg.mod`, which puts the current directory first).
    let may_be_script =
        interface.has_main_guard && !interface.imports.iter().any(|i| i.module.starts_with('.'));
    ModuleImports {
        resolved: Arc::new(resolved),
        node: ImportNode {
            edges,
            loads,
            may_be_script,
        },
    }
}

impl ProjectFacts {
    /// `modules[i]` is file `i` of the map: the three steps in memory, as
    /// far as `needs` asks.
    pub fn compute<'a>(
        map: &'a ModuleMap,
        modules: &'a [ProjectModule<'a>],
        needs: ProjectNeeds,
    ) -> ProjectFacts {
        let exports: Vec<Arc<ModuleExports>> = modules
            .iter()
            .map(|m| Arc::new(ModuleExports::of(m.interface)))
            .collect();
        // One resolver for all: absolute names are looked up once.
        let resolver = Resolver::new(map, &exports, None);
        let resolutions: Vec<ModuleResolution> = modules
            .iter()
            .enumerate()
            .map(|(m, module)| resolve_calls_with(&resolver, m as u32, module.interface, needs))
            .collect();
        let imports: Vec<ModuleImports> = modules
            .iter()
            .enumerate()
            .map(|(m, module)| match needs.imports() {
                true => resolve_imports_with(&resolver, m as u32, module.interface),
                false => ModuleImports::default(),
            })
            .collect();
        let nodes: Vec<&[FunctionNode]> = resolutions.iter().map(|r| r.nodes.as_slice()).collect();
        let seeds: Vec<&[SpawnSeed]> = resolutions.iter().map(|r| r.spawns.as_slice()).collect();
        let mut facts = propagate(&nodes);
        spread_spawns(&mut facts, &nodes, &seeds);
        let import_nodes: Vec<&ImportNode> = imports.iter().map(|i| &i.node).collect();
        let graph = match needs.contains(ProjectNeeds::IMPORT_GRAPH) {
            true => import_graph(map, &import_nodes),
            false => vec![ModuleImportFacts::default(); modules.len()],
        };
        let modules = resolutions
            .into_iter()
            .zip(imports)
            .zip(facts.into_iter().zip(graph))
            .map(|((resolution, imports), (facts, graph))| {
                Arc::new(ModuleFacts {
                    nodes: resolution.nodes.clone(),
                    module_targets: resolution.module_targets,
                    facts: Arc::new(facts),
                    locks: resolution.locks,
                    imports: imports.resolved,
                    cycle: graph.cycle,
                    importer: graph.importer,
                    top_level: graph.top_level,
                    thread_classes: resolution.thread_classes,
                    inherited: resolution.inherited,
                })
            })
            .collect();
        ProjectFacts { modules }
    }
}

/// Whether `package` is `module` itself or a package above it.
fn is_ancestor(package: &str, module: &ModuleName) -> bool {
    module.name == package
        || module
            .name
            .strip_prefix(package)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Whether a fact of `callee` holds for a caller that calls it this way.
pub fn flows(key: &FactKey, callee_is_async: bool, awaited: bool, on_self: bool) -> bool {
    match key {
        FactKey::Blocks | FactKey::RunsEventLoop | FactKey::StartsProcesses => !callee_is_async,
        FactKey::Acquires(LockKey::Local(..)) => false,
        FactKey::Acquires(LockKey::Global { .. }) => !callee_is_async || awaited,
        FactKey::Acquires(LockKey::Attr { .. }) => (!callee_is_async || awaited) && on_self,
        // Flows the other way (`spread_spawns`).
        FactKey::Spawned { .. } => false,
    }
}

/// Adds [`FactKey::Spawned`] to `facts` (the fixpoint's result): from each
/// spawned function down to its callees, breadth-first (shortest witness,
/// cycles fine), never through a call made under a lock, nor into an
/// `async def` that is not awaited (calling it runs nothing). A function
/// spawned more than once counts as concurrent.
pub fn spread_spawns(
    facts: &mut [FunctionFacts],
    modules: &[&[FunctionNode]],
    seeds: &[&[SpawnSeed]],
) {
    if seeds.iter().all(|s| s.is_empty()) {
        return;
    }
    let node = |f: FunctionRef| -> Option<&FunctionNode> {
        modules.get(f.module as usize)?.get(f.function as usize)
    };
    // Per (target, threads): how often it is spawned, and whether concurrently.
    let mut starts: FxHashMap<(FunctionRef, bool), (u32, bool, Witness)> = FxHashMap::default();
    for seed in seeds.iter().flat_map(|s| s.iter()) {
        if node(seed.target).is_none() {
            continue;
        }
        let entry = starts
            .entry((seed.target, seed.threads))
            .or_insert((0, false, seed.witness));
        entry.0 += 1;
        entry.1 |= seed.concurrent;
    }
    let mut queue: VecDeque<(FunctionRef, FactKey)> = VecDeque::new();
    let mut starts: Vec<_> = starts.into_iter().collect();
    starts.sort_by_key(|((f, threads), _)| (*f, *threads));
    let has = |facts: &[FunctionFacts], f: FunctionRef, key: &FactKey| {
        facts[f.module as usize]
            .get(f.function as usize)
            .is_some_and(|found| found.iter().any(|(k, _)| k == key))
    };
    // `propagate` leaves out a module's functions past its last with a fact.
    let slot = |facts: &mut [FunctionFacts], f: FunctionRef| -> usize {
        let module = &mut facts[f.module as usize];
        if module.len() <= f.function as usize {
            module.resize(f.function as usize + 1, Vec::new());
        }
        f.function as usize
    };
    for ((target, threads), (count, concurrent, witness)) in starts {
        let key = FactKey::Spawned {
            concurrent: concurrent || count > 1,
            threads,
        };
        if !has(facts, target, &key) {
            let i = slot(facts, target);
            facts[target.module as usize][i].push((key.clone(), witness));
            queue.push_back((target, key));
        }
    }
    while let Some((caller, key)) = queue.pop_front() {
        let Some(n) = node(caller) else { continue };
        for edge in &n.calls {
            let Some(callee) = node(edge.target) else {
                continue;
            };
            if edge.guarded || (callee.is_async && !edge.awaited) || has(facts, edge.target, &key) {
                continue;
            }
            let i = slot(facts, edge.target);
            facts[edge.target.module as usize][i].push((
                key.clone(),
                Witness::CalledBy {
                    caller,
                    call: edge.call,
                },
            ));
            queue.push_back((edge.target, key.clone()));
        }
    }
    for module in facts.iter_mut() {
        for function in module.iter_mut() {
            function.sort_by(|a, b| a.0.cmp(&b.0));
            function.shrink_to_fit();
        }
        module.shrink_to_fit();
    }
}

/// The fixpoint: per module, per function, its facts (sorted by key) with
/// their first witness. `modules[i]` is module `i`'s call-graph nodes.
/// Functions are numbered densely, so the graph is a few flat arrays.
pub fn propagate(modules: &[&[FunctionNode]]) -> Vec<FunctionFacts> {
    let mut offsets: Vec<u32> = Vec::with_capacity(modules.len() + 1);
    let mut total = 0u32;
    for nodes in modules {
        offsets.push(total);
        total += nodes.len() as u32;
    }
    offsets.push(total);
    let id = |f: FunctionRef| -> Option<usize> {
        let start = *offsets.get(f.module as usize)?;
        let end = *offsets.get(f.module as usize + 1)?;
        (f.function < end - start).then_some((start + f.function) as usize)
    };
    // Each function's module, so a function's node is found without a
    // search (the fixpoint looks one up per edge it follows).
    let mut owner: Vec<u32> = Vec::with_capacity(total as usize);
    for (m, nodes) in modules.iter().enumerate() {
        owner.extend(std::iter::repeat_n(m as u32, nodes.len()));
    }
    let node = |i: usize| -> (FunctionRef, &FunctionNode) {
        let m = owner[i] as usize;
        let f = FunctionRef {
            module: m as u32,
            function: (i - offsets[m] as usize) as u32,
        };
        (f, &modules[m][f.function as usize])
    };
    // Callers of each function, as one flat array (counting sort by callee):
    // (caller id, index of the edge in the caller's calls).
    let total = total as usize;
    let mut start = vec![0u32; total + 1];
    let mut edges = 0usize;
    for nodes in modules {
        for n in nodes.iter() {
            for c in &n.calls {
                if let Some(t) = id(c.target) {
                    start[t + 1] += 1;
                    edges += 1;
                }
            }
        }
    }
    for i in 0..total {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut callers = vec![(0u32, 0u32); edges];
    let mut caller = 0usize;
    for nodes in modules {
        for n in nodes.iter() {
            for (k, c) in n.calls.iter().enumerate() {
                if let Some(t) = id(c.target) {
                    callers[fill[t] as usize] = (caller as u32, k as u32);
                    fill[t] += 1;
                }
            }
            caller += 1;
        }
    }
    // Per function, the facts found so far (insertion order = BFS order).
    let mut found: Vec<Vec<(FactKey, Witness)>> = vec![Vec::new(); total];
    let mut queue: VecDeque<(usize, FactKey)> = VecDeque::new();
    let mut here = 0usize;
    for nodes in modules {
        for n in nodes.iter() {
            let direct = n
                .effects
                .iter()
                .map(|(effect, key)| (Witness::Direct { effect: *effect }, key))
                .chain(
                    n.inherited
                        .iter()
                        .map(|(call, key)| (Witness::Inherited { call: *call }, key)),
                );
            for (witness, key) in direct {
                if !found[here].iter().any(|(k, _)| k == key) {
                    found[here].push((key.clone(), witness));
                    queue.push_back((here, key.clone()));
                }
            }
            here += 1;
        }
    }
    while let Some((callee, key)) = queue.pop_front() {
        let (callee_ref, callee_node) = node(callee);
        let range = start[callee] as usize..start[callee + 1] as usize;
        for &(caller, edge) in &callers[range] {
            let (_, caller_node) = node(caller as usize);
            let c = &caller_node.calls[edge as usize];
            if !flows(&key, callee_node.is_async, c.awaited, c.on_self) {
                continue;
            }
            let entry = &mut found[caller as usize];
            if entry.iter().any(|(k, _)| *k == key) {
                continue;
            }
            entry.push((
                key.clone(),
                Witness::Call {
                    call: c.call,
                    target: callee_ref,
                },
            ));
            queue.push_back((caller as usize, key.clone()));
        }
    }
    // Kept until the cross-module findings: each module's list ends at its
    // last function with a fact (most have none), each at its exact size.
    let mut found = found.into_iter();
    modules
        .iter()
        .map(|nodes| {
            let mut module: FunctionFacts = (0..nodes.len())
                .map(|_| {
                    let mut facts = found.next().unwrap_or_default();
                    facts.sort_by(|a, b| a.0.cmp(&b.0));
                    facts.shrink_to_fit();
                    facts
                })
                .collect();
            while module.last().is_some_and(Vec::is_empty) {
                module.pop();
            }
            module.shrink_to_fit();
            module
        })
        .collect()
}

/// Per module, what the project's import graph says about it: its import
/// cycle, its first importer, the bare name it is importable by.
/// `nodes[m]` is module `m`.
pub fn import_graph(map: &ModuleMap, nodes: &[&ImportNode]) -> Vec<ModuleImportFacts> {
    let edges: Vec<&[(u32, u32, bool)]> = nodes.iter().map(|n| n.edges.as_slice()).collect();
    let cycles = import_cycles(&edges);
    let importers = find_importers(nodes);
    let top_level = find_top_level_names(map, nodes, &importers);
    cycles
        .into_iter()
        .zip(importers)
        .zip(top_level)
        .map(|((cycle, importer), top_level)| ModuleImportFacts {
            cycle,
            importer,
            top_level,
        })
        .collect()
}

/// Who imports each module first (in file order).
fn find_importers(nodes: &[&ImportNode]) -> Vec<Option<u32>> {
    let mut importer = vec![None; nodes.len()];
    for (m, node) in nodes.iter().enumerate() {
        for &target in &node.loads {
            if let Some(slot @ None) = importer.get_mut(target as usize) {
                *slot = Some(m as u32);
            }
        }
    }
    importer
}

/// Per module, the import cycle it is part of: strongly connected
/// components of the import-time import graph (iterative Tarjan: no
/// recursion on 10,000-module chains). `edges[m]` are module `m`'s edges
/// as [`ImportNode::edges`] has them.
fn import_cycles(edges: &[&[(u32, u32, bool)]]) -> Vec<Option<ImportCycle>> {
    let n = edges.len();
    let mut out: Vec<Option<ImportCycle>> = vec![None; n];
    // Edges to modules outside the list (none in a consistent project) are dropped.
    let edges: Vec<Vec<(u32, u32, bool)>> = edges
        .iter()
        .map(|e| {
            e.iter()
                .copied()
                .filter(|(t, _, _)| (*t as usize) < n)
                .collect()
        })
        .collect();
    let plain: Vec<Vec<(u32, u32)>> = edges
        .iter()
        .map(|e| e.iter().map(|(t, i, _)| (*t, *i)).collect())
        .collect();
    let components = tarjan(&plain);
    for component in components {
        let self_loop = component.len() == 1 && {
            let m = component[0];
            plain[m as usize].iter().any(|(t, _)| *t == m)
        };
        if component.len() < 2 && !self_loop {
            continue;
        }
        let members: rustc_hash::FxHashSet<u32> = component.iter().copied().collect();
        for &m in &component {
            let (path, import) = shortest_cycle(&plain, &members, m);
            let uses_from = path.windows(2).any(|w| {
                edges[w[0] as usize]
                    .iter()
                    .any(|(t, _, from)| *t == w[1] && *from)
            });
            out[m as usize] = Some(ImportCycle {
                path,
                size: component.len(),
                import,
                uses_from,
            });
        }
    }
    out
}

/// The bare names modules can be imported by: at an import root, or next
/// to a script (its directory comes first on `sys.path` when it runs).
/// A standard library's own directory shadows nothing.
fn find_top_level_names(
    map: &ModuleMap,
    nodes: &[&ImportNode],
    importers: &[Option<u32>],
) -> Vec<Option<TopLevelName>> {
    let mut scripts: FxHashMap<u32, u32> = FxHashMap::default();
    for (m, node) in nodes.iter().enumerate() {
        let m = m as u32;
        let is_script = node.may_be_script
            && importers[m as usize].is_none()
            && map
                .name(m)
                .is_some_and(|n| !n.is_package && !n.name.ends_with("__main__"));
        // A module of a regular package runs as `python -m pkg.mod`, which
        // puts the current directory first, not the package's.
        if let (true, Some(dir)) = (is_script, map.directory(m)) {
            if !map.is_package_directory(dir) {
                scripts.entry(dir).or_insert(m);
            }
        }
    }
    (0..nodes.len() as u32)
        .map(|m| {
            let (name, dir) = (map.name(m)?, map.import_directory(m)?);
            if map.is_stdlib_directory(dir) {
                return None;
            }
            let script = if name.under_root && !name.name.contains('.') {
                None
            } else {
                Some(*scripts.get(&dir)?)
            };
            let last = name.name.rsplit('.').next().unwrap_or(&name.name);
            Some(TopLevelName {
                name: last.to_string(),
                is_package: name.is_package,
                script,
            })
        })
        .collect()
}

/// The shortest way from `start` back to itself inside the component (BFS,
/// bounded), and the import that takes its first step.
fn shortest_cycle(
    edges: &[Vec<(u32, u32)>],
    members: &rustc_hash::FxHashSet<u32>,
    start: u32,
) -> (Vec<u32>, u32) {
    let first_import = edges[start as usize]
        .iter()
        .find(|(t, _)| members.contains(t))
        .map_or(0, |(_, i)| *i);
    let mut parent: FxHashMap<u32, u32> = FxHashMap::default();
    let mut queue = VecDeque::from([start]);
    while let Some(m) = queue.pop_front() {
        if parent.len() > MAX_CYCLE_SEARCH {
            break;
        }
        for &(t, _) in &edges[m as usize] {
            if !members.contains(&t) {
                continue;
            }
            if t == start {
                let mut path = Vec::new();
                let mut at = m;
                while at != start {
                    path.push(at);
                    at = parent[&at];
                }
                path.push(start);
                path.reverse();
                path.push(start);
                let import = edges[start as usize]
                    .iter()
                    .find(|(t, _)| Some(t) == path.get(1))
                    .map_or(first_import, |(_, i)| *i);
                return (path, import);
            }
            if t != start && !parent.contains_key(&t) {
                parent.insert(t, m);
                queue.push_back(t);
            }
        }
    }
    (Vec::new(), first_import)
}

fn tarjan(edges: &[Vec<(u32, u32)>]) -> Vec<Vec<u32>> {
    let n = edges.len();
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 0u32;
    let mut components = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        // (node, next edge to look at)
        let mut work: Vec<(u32, usize)> = vec![(root, 0)];
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(&(w, _)) = edges[v as usize].get(*e) {
                *e += 1;
                if index[w as usize] == UNSEEN {
                    index[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    work.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.reverse();
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(module: u32, function: u32) -> FunctionRef {
        FunctionRef { module, function }
    }

    fn edge(call: u32, target: FunctionRef, guarded: bool) -> CallEdge {
        CallEdge {
            call,
            target,
            awaited: false,
            on_self: false,
            guarded,
        }
    }

    fn seed(target: FunctionRef, spawn: u32, concurrent: bool) -> SpawnSeed {
        SpawnSeed {
            target,
            witness: Witness::Spawned { module: 0, spawn },
            concurrent,
            threads: true,
        }
    }

    #[test]
    fn spawn_facts_flow_to_callees_across_modules_and_cycles() {
        // Module 0: entry → 1:helper; 1:helper → 1:back → 1:helper (a cycle);
        // 1:helper → 1:locked under a lock; 1:helper → 1:coro (async, not awaited).
        let m0 = vec![FunctionNode {
            is_async: false,
            effects: Box::default(),
            calls: vec![edge(0, f(1, 0), false)].into(),
            ..FunctionNode::default()
        }];
        let m1 = vec![
            FunctionNode {
                is_async: false,
                effects: Box::default(),
                calls: vec![
                    edge(0, f(1, 1), false),
                    edge(1, f(1, 2), true),
                    edge(2, f(1, 3), false),
                ]
                .into(),
                ..FunctionNode::default()
            },
            FunctionNode {
                is_async: false,
                effects: Box::default(),
                calls: vec![edge(0, f(1, 0), false)].into(),
                ..FunctionNode::default()
            },
            FunctionNode::default(),
            FunctionNode {
                is_async: true,
                ..FunctionNode::default()
            },
        ];
        let nodes: Vec<&[FunctionNode]> = vec![&m0, &m1];
        let seeds0 = vec![seed(f(0, 0), 0, false), seed(f(0, 0), 1, false)];
        let seeds: Vec<&[SpawnSeed]> = vec![&seeds0, &[]];
        let mut facts = propagate(&nodes);
        spread_spawns(&mut facts, &nodes, &seeds);
        // Started twice: concurrent.
        let key = FactKey::Spawned {
            concurrent: true,
            threads: true,
        };
        let has = |m: usize, g: usize| {
            facts[m]
                .get(g)
                .is_some_and(|found| found.iter().any(|(k, _)| *k == key))
        };
        assert!(has(0, 0) && has(1, 0) && has(1, 1));
        assert!(!has(1, 2), "a call under a lock stops it");
        assert!(!has(1, 3), "an unawaited coroutine function does not run");
        assert_eq!(
            facts[1][1][0].1,
            Witness::CalledBy {
                caller: f(1, 0),
                call: 0
            }
        );
        assert_eq!(
            facts[0][0][0].1,
            Witness::Spawned {
                module: 0,
                spawn: 0
            }
        );
    }
}
