//! The project-wide call graph and its facts.
//!
//! Calls out of every module's interface are resolved against the module
//! map (re-exports through `__init__.py`, `self.m()` through the class
//! hierarchy, `Class(...)` through `__init__`); then one breadth-first
//! fixpoint propagates each function's direct effects to its callers, so
//! cycles are fine and each fact keeps its first (shortest) witness as a
//! pointer to the next hop. Import statements are resolved too, for the
//! import graph (PF901) and unknown names (PF905).

use std::collections::VecDeque;
use std::sync::Arc;

use ruff_python_ast::name::Name;
use rustc_hash::FxHashMap;

use super::modules::{absolutize, ModuleMap, ModuleName};
use crate::summary::{BaseRef, Callee, Effect, Export, LockRef, ModuleInterface};

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
}

/// Why a function has a fact: one of its own effects, or a call to a
/// function that has it (follow `target` for the rest of the chain).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Witness {
    Direct { effect: u32 },
    Call { call: u32, target: FunctionRef },
}

/// Everything the project knows about one module. `Eq`, so a query
/// holding it backdates when an edit elsewhere leaves it unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleFacts {
    /// Per function, per call: the project function it reaches.
    pub targets: Vec<Vec<Option<FunctionRef>>>,
    /// Per module-level call: the project function it reaches.
    pub module_targets: Vec<Option<FunctionRef>>,
    /// Per function: its facts, sorted by key.
    pub facts: Vec<Vec<(FactKey, Witness)>>,
    /// Per function, per effect: the lock an `Acquires` effect takes.
    pub locks: Vec<Vec<Option<LockKey>>>,
    /// Per import statement: what it resolved to.
    pub imports: Vec<ImportResolution>,
    /// The import cycle this module is part of, if any.
    pub cycle: Option<ImportCycle>,
    /// A project module that imports this one (the first, in file order;
    /// `TYPE_CHECKING` imports aside).
    pub importer: Option<u32>,
    /// The bare name this module is imported by from some directory on
    /// `sys.path`, if it has one (PF305).
    pub top_level: Option<TopLevelName>,
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
            Some(f) => *self.targets.get(f as usize)?.get(at.call as usize)?,
            None => *self.module_targets.get(at.call as usize)?,
        }
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

struct Resolver<'a> {
    map: &'a ModuleMap,
    modules: &'a [ProjectModule<'a>],
    /// Absolute names resolve the same from everywhere: `os.path.join`
    /// is looked up once.
    cache: std::cell::RefCell<FxHashMap<&'a str, Option<Item>>>,
}

impl<'a> Resolver<'a> {
    fn interface(&self, module: u32) -> &ModuleInterface {
        self.modules[module as usize].interface
    }

    fn module_name(&self, module: u32) -> Option<&ModuleName> {
        self.map.name(module)
    }

    /// `app.models.User().save` seen from `from`.
    fn qualified(&self, q: &str, from: u32, hops: u32) -> Option<Item> {
        if hops > MAX_HOPS {
            return None;
        }
        let absolute;
        let q = if q.starts_with('.') {
            absolute = absolutize(q, self.module_name(from)?)?;
            absolute.as_str()
        } else {
            q
        };
        // Cheap rejection first: most calls go to other packages.
        let top_end = q.find(['.', '(']).unwrap_or(q.len());
        if !self.map.has_top_level(&q[..top_end]) {
            return None;
        }
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
            let (name, calls) = match part.find("()") {
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
        if hops > MAX_HOPS {
            return None;
        }
        match base {
            Item::Module(m) => match self.interface(m).name(name) {
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
            },
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
    /// which agrees with the MRO for single inheritance).
    fn method(&self, module: u32, class: u32, name: &str, hops: u32) -> Option<FunctionRef> {
        if hops > MAX_HOPS {
            return None;
        }
        let facts = self.interface(module).classes.get(class as usize)?;
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

    /// `super().name` from a method of the class: the first base that has it.
    fn base_method(&self, module: u32, class: u32, name: &str) -> Option<FunctionRef> {
        let facts = self.interface(module).classes.get(class as usize)?;
        facts.bases.iter().find_map(|base| match base {
            BaseRef::Local(c) => self.method(module, *c, name, 1),
            BaseRef::Qualified(q) => match self.qualified(q, module, 1) {
                Some(Item::Class(m, c)) => self.method(m, c, name, 1),
                _ => None,
            },
        })
    }

    fn cached(&self, q: &'a str, module: u32) -> Option<Item> {
        if q.starts_with('.') {
            return self.qualified(q, module, 0);
        }
        if let Some(hit) = self.cache.borrow().get(q) {
            return hit.clone();
        }
        let found = self.qualified(q, module, 0);
        self.cache.borrow_mut().insert(q, found.clone());
        found
    }

    fn callee(&self, module: u32, callee: &'a Callee) -> Option<FunctionRef> {
        match callee {
            Callee::Function(f) => Some(FunctionRef {
                module,
                function: *f,
            }),
            Callee::Class(c) => self.method(module, *c, "__init__", 0),
            Callee::Method { class, name } => self.method(module, *class, name, 0),
            Callee::Super { class, name } => self.base_method(module, *class, name),
            Callee::Qualified(q) => match self.cached(q, module)? {
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
        // Missing names are only reported against modules known for sure.
        let trusted = |name: &str| !self.map.is_ambiguous(name);
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
            if self.map.is_package(&sub) || MODULE_ATTRIBUTES.contains(&name.as_str()) {
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
                    let interface = self.interface(m);
                    interface.name(name).is_some()
                        || interface.dynamic_names
                        || interface.imports.iter().any(|i| i.star && !i.type_checking)
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
        if let Some(m) = module {
            candidates.extend(self.interface(m).names.iter().map(|(n, _)| n.as_str()));
        }
        candidates
            .into_iter()
            .map(|c| (strsim::levenshtein(c, name), c))
            .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
            .min()
            .map(|(_, c)| c.to_string())
    }
}

impl ProjectFacts {
    /// `modules[i]` is file `i` of the map.
    pub fn compute<'a>(map: &'a ModuleMap, modules: &'a [ProjectModule<'a>]) -> ProjectFacts {
        let resolver = Resolver {
            map,
            modules,
            cache: Default::default(),
        };
        let mut out: Vec<ModuleFacts> = Vec::with_capacity(modules.len());
        for (m, module) in modules.iter().enumerate() {
            let m = m as u32;
            let interface = module.interface;
            let named = map.name(m).is_some();
            let targets = interface
                .functions
                .iter()
                .map(|f| {
                    f.calls
                        .iter()
                        .map(|c| {
                            // Unnamed modules still resolve their own functions.
                            match (&c.callee, named) {
                                (Callee::Qualified(_), false) => None,
                                (callee, _) => resolver.callee(m, callee),
                            }
                        })
                        .collect()
                })
                .collect();
            let module_targets = interface
                .module_calls
                .iter()
                .map(|c| match (&c.callee, named) {
                    (Callee::Qualified(_), false) => None,
                    (callee, _) => resolver.callee(m, callee),
                })
                .collect();
            let locks = interface
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
                .collect();
            let imports = if named {
                interface
                    .imports
                    .iter()
                    .map(|i| resolver.import(m, i))
                    .collect()
            } else {
                vec![ImportResolution::default(); interface.imports.len()]
            };
            out.push(ModuleFacts {
                targets,
                module_targets,
                facts: vec![Vec::new(); interface.functions.len()],
                locks,
                imports,
                cycle: None,
                importer: None,
                top_level: None,
            });
        }
        propagate(modules, &mut out);
        find_import_cycles(modules, &mut out);
        find_importers(modules, &mut out);
        find_top_level_names(map, modules, &mut out);
        ProjectFacts {
            modules: out.into_iter().map(Arc::new).collect(),
        }
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
    }
}

fn propagate(modules: &[ProjectModule], out: &mut [ModuleFacts]) {
    // Callers of each function: (caller, call index).
    let mut callers: FxHashMap<FunctionRef, Vec<(FunctionRef, u32)>> = FxHashMap::default();
    for (m, facts) in out.iter().enumerate() {
        for (f, targets) in facts.targets.iter().enumerate() {
            let caller = FunctionRef {
                module: m as u32,
                function: f as u32,
            };
            for (call, target) in targets.iter().enumerate() {
                if let Some(t) = target {
                    callers.entry(*t).or_default().push((caller, call as u32));
                }
            }
        }
    }
    // Per function, the facts found so far (insertion order = BFS order).
    let mut found: FxHashMap<FunctionRef, Vec<(FactKey, Witness)>> = FxHashMap::default();
    let mut queue: VecDeque<(FunctionRef, FactKey)> = VecDeque::new();
    for (m, module) in modules.iter().enumerate() {
        for (f, function) in module.interface.functions.iter().enumerate() {
            let here = FunctionRef {
                module: m as u32,
                function: f as u32,
            };
            for (e, effect) in function.effects.iter().enumerate() {
                let key = match effect {
                    Effect::Blocking { .. } => FactKey::Blocks,
                    Effect::RunsEventLoop { .. } => FactKey::RunsEventLoop,
                    Effect::StartsProcesses { .. } => FactKey::StartsProcesses,
                    Effect::Acquires { .. } => match &out[m].locks[f][e] {
                        Some(lock) => FactKey::Acquires(lock.clone()),
                        None => continue,
                    },
                };
                let entry = found.entry(here).or_default();
                if !entry.iter().any(|(k, _)| *k == key) {
                    entry.push((key.clone(), Witness::Direct { effect: e as u32 }));
                    queue.push_back((here, key));
                }
            }
        }
    }
    while let Some((callee, key)) = queue.pop_front() {
        let Some(list) = callers.get(&callee) else {
            continue;
        };
        let callee_is_async =
            modules[callee.module as usize].interface.functions[callee.function as usize].is_async;
        for &(caller, call) in list {
            let c = &modules[caller.module as usize].interface.functions[caller.function as usize]
                .calls[call as usize];
            if !flows(&key, callee_is_async, c.awaited, c.on_self) {
                continue;
            }
            let entry = found.entry(caller).or_default();
            if entry.iter().any(|(k, _)| *k == key) {
                continue;
            }
            entry.push((
                key.clone(),
                Witness::Call {
                    call,
                    target: callee,
                },
            ));
            queue.push_back((caller, key.clone()));
        }
    }
    for (function, mut facts) in found {
        facts.sort_by(|a, b| a.0.cmp(&b.0));
        out[function.module as usize].facts[function.function as usize] = facts;
    }
}

/// Who imports each module (any import that can run: also inside functions).
fn find_importers(modules: &[ProjectModule], out: &mut [ModuleFacts]) {
    for m in 0..out.len() {
        for (i, import) in modules[m].interface.imports.iter().enumerate() {
            if import.type_checking {
                continue;
            }
            for k in 0..out[m].imports[i].loads.len() {
                let target = out[m].imports[i].loads[k] as usize;
                if target != m && out[target].importer.is_none() {
                    out[target].importer = Some(m as u32);
                }
            }
        }
    }
}

/// The bare names modules can be imported by: at an import root, or next
/// to a script (its directory comes first on `sys.path` when it runs).
/// A standard library's own directory shadows nothing.
fn find_top_level_names(map: &ModuleMap, modules: &[ProjectModule], out: &mut [ModuleFacts]) {
    let mut scripts: FxHashMap<u32, u32> = FxHashMap::default();
    for (m, module) in modules.iter().enumerate() {
        let m = m as u32;
        // A file with relative imports runs only as part of its package
        // (`python -m pkg.mod`, which puts the current directory first).
        let is_script = module.interface.has_main_guard
            && out[m as usize].importer.is_none()
            && !module
                .interface
                .imports
                .iter()
                .any(|i| i.module.starts_with('.'))
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
    for (m, facts) in out.iter_mut().enumerate() {
        let m = m as u32;
        let (Some(name), Some(dir)) = (map.name(m), map.import_directory(m)) else {
            continue;
        };
        if map.is_stdlib_directory(dir) {
            continue;
        }
        let script = if name.under_root && !name.name.contains('.') {
            None
        } else {
            match scripts.get(&dir) {
                Some(s) => Some(*s),
                None => continue,
            }
        };
        let last = name.name.rsplit('.').next().unwrap_or(&name.name);
        facts.top_level = Some(TopLevelName {
            name: last.to_string(),
            is_package: name.is_package,
            script,
        });
    }
}

/// Strongly connected components of the import-time import graph
/// (iterative Tarjan: no recursion on 10,000-module chains).
fn find_import_cycles(modules: &[ProjectModule], out: &mut [ModuleFacts]) {
    let n = modules.len();
    // Edges: (target, import index).
    let edges: Vec<Vec<(u32, u32)>> = (0..n)
        .map(|m| {
            let mut e: Vec<(u32, u32)> = Vec::new();
            for (i, import) in modules[m].interface.imports.iter().enumerate() {
                if !import.at_import_time {
                    continue;
                }
                for &target in &out[m].imports[i].loads {
                    if !e.iter().any(|(t, _)| *t == target) {
                        e.push((target, i as u32));
                    }
                }
            }
            e
        })
        .collect();
    let components = tarjan(&edges);
    for component in components {
        let self_loop = component.len() == 1 && {
            let m = component[0];
            edges[m as usize].iter().any(|(t, _)| *t == m)
        };
        if component.len() < 2 && !self_loop {
            continue;
        }
        let members: rustc_hash::FxHashSet<u32> = component.iter().copied().collect();
        for &m in &component {
            let (path, import) = shortest_cycle(&edges, &members, m);
            let uses_from = path.windows(2).any(|w| {
                edges[w[0] as usize]
                    .iter()
                    .filter(|(t, _)| *t == w[1])
                    .any(|(_, i)| {
                        modules[w[0] as usize].interface.imports[*i as usize]
                            .names
                            .is_some()
                    })
            });
            out[m as usize].cycle = Some(ImportCycle {
                path,
                size: component.len(),
                import,
                uses_from,
            });
        }
    }
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
