//! What a rule reports.

use ruff_text_size::TextRange;

use crate::registry::RuleId;

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Keeps behaviour; applied by `--fix`.
    Safe,
    /// May change behaviour; needs `--unsafe-fixes`.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Another place that explains a finding (a step of a call chain, say).
/// `path` is `None` for the file the diagnostic is in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    pub path: Option<String>,
    pub range: TextRange,
    pub message: String,
}

/// A file's public objects and how many of them have a docstring, with the
/// `min-coverage` its configuration asks for (PF906; `--statistics` adds
/// the files up into the project's coverage).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DocCoverage {
    pub public: u32,
    pub documented: u32,
    /// The configured `min-coverage`, a percentage.
    pub min_coverage: u8,
}

impl DocCoverage {
    /// The sum of two files' counts; the stricter threshold.
    pub fn plus(self, other: DocCoverage) -> DocCoverage {
        DocCoverage {
            public: self.public + other.public,
            documented: self.documented + other.documented,
            min_coverage: self.min_coverage.max(other.min_coverage),
        }
    }

    /// Documented / public as a percentage; 100 when nothing is public.
    pub fn percent(self) -> f64 {
        if self.public == 0 {
            100.0
        } else {
            f64::from(self.documented) * 100.0 / f64::from(self.public)
        }
    }

    pub fn meets_minimum(self) -> bool {
        self.percent() >= f64::from(self.min_coverage)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub message: String,
    pub range: TextRange,
    /// How to fix it, in one line.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// A finding the local walk cannot decide alone: it holds only if the
    /// project says so. Such findings ride in the lint output and the
    /// rule's cross-module phase keeps or drops them (see
    /// [`crate::project::ProjectChecker::deferred`]).
    pub condition: Option<Condition>,
}

/// What the rest of the project must confirm for a deferred finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Another project module imports this one (PF902).
    ImportedByProject,
    /// This call of the summary reaches a project coroutine function
    /// (PF102); how its value is misused, and whether `await` can be added.
    CallsCoroutine {
        call: crate::summary::CallRef,
        misuse: &'static str,
        fixable: bool,
    },
    /// This call passes a one-shot iterator as an argument (by position or
    /// keyword) to a function that may consume that parameter twice (PF407).
    PassesOneShot {
        call: crate::summary::CallRef,
        position: Option<u32>,
        keyword: Option<ruff_python_ast::name::Name>,
        /// What the callee is reached through (`obj.m(...)`, `Cls.m(...)`).
        receiver: Receiver,
    },
    /// This call of the summary, bound to a local that is consumed twice,
    /// reaches a project generator function (PF407).
    CallsGenerator { call: crate::summary::CallRef },
    /// The class (by qualified name in its module) is a `threading.Thread`
    /// subclass through bases the module cannot see (PF104).
    ThreadSubclass { class: String },
    /// A read-modify-write of shared state, not under a lock in function
    /// `function` (the summary's index): a finding when a thread, pool or
    /// process started in another module reaches the function (PF104).
    /// `shared_value`: the state is a `multiprocessing.Value`/`Array`
    /// (processes share it too); `other_writers`: the other functions of
    /// the module that assign the same global.
    SharedStateUpdate {
        function: u32,
        shared_value: bool,
        other_writers: Vec<u32>,
    },
    /// Not a finding: what callers in other modules read. Function
    /// `function` (the summary's index) consumes its parameter at
    /// `position`, `name`, fully twice (PF407).
    ConsumesParameterTwice {
        function: u32,
        position: u32,
        name: ruff_python_ast::name::Name,
        kind: CallableKind,
    },
}

/// What a call's callee expression is reached through (PF407): decides
/// which parameter a positional argument binds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Receiver {
    /// A bare name: `f(x)`.
    None,
    /// An instance: `obj.m(x)`, `self.m(x)`, `super().m(x)`.
    Instance,
    /// A class or a module: `Cls.m(x)`, `cls.m(x)`, `module.f(x)`.
    Class,
}

/// What kind of callable a `def` is (PF407).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CallableKind {
    Function,
    Method,
    StaticMethod,
    ClassMethod,
}

impl CallableKind {
    /// How many leading parameters a call through `receiver` binds itself
    /// (`self` or `cls`); `None` when the call cannot be lined up.
    pub fn bound_parameters(self, receiver: Receiver) -> Option<u32> {
        match (self, receiver) {
            (CallableKind::Function | CallableKind::StaticMethod, _) => Some(0),
            (CallableKind::ClassMethod, _) => Some(1),
            (CallableKind::Method, Receiver::Instance) => Some(1),
            (CallableKind::Method, Receiver::Class) => Some(0),
            (CallableKind::Method, Receiver::None) => None,
        }
    }
}

impl Diagnostic {
    pub fn new(rule: RuleId, message: impl Into<String>, range: TextRange) -> Self {
        Diagnostic {
            rule,
            message: message.into(),
            range,
            help: None,
            fix: None,
            related: Vec::new(),
            condition: None,
        }
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    pub fn related(&mut self, related: Vec<Related>) -> &mut Self {
        self.related = related;
        self
    }

    /// Makes the finding hold only if the project confirms `condition`.
    pub fn on_condition(&mut self, condition: Condition) -> &mut Self {
        self.condition = Some(condition);
        self
    }
}

/// Splits the deferred findings (with a [`Condition`]) off a lint result.
pub fn split_deferred(diagnostics: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let deferred = diagnostics.iter().filter(|d| d.condition.is_some()).count();
    // Most files defer nothing: no copy then.
    if deferred == 0 {
        return (diagnostics, Vec::new());
    }
    // Each half moved once into an allocation of its size (the database
    // keeps both until the run ends), not grown push by push.
    let mut confirmed = Vec::with_capacity(diagnostics.len() - deferred);
    let mut pending = Vec::with_capacity(deferred);
    for d in diagnostics {
        match d.condition {
            None => confirmed.push(d),
            Some(_) => pending.push(d),
        }
    }
    (confirmed, pending)
}
