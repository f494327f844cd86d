//! The contract between a rule and the linter's single AST walk.

use ruff_python_ast::{ExceptHandler, Expr, Stmt};

use crate::checker::Checker;
use crate::meta::RuleMeta;
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::summary::SummaryNeeds;

/// Which nodes a rule wants to see. The walk dispatches each node only to the
/// rules that asked for its kind, so a rule pays nothing for the rest.
#[derive(Copy, Clone, Debug, Default)]
pub struct Interests {
    /// Bit per [`stmt_kind`] index.
    pub stmts: u32,
    /// Bit per [`expr_kind`] index.
    pub exprs: u64,
    pub except_handlers: bool,
    /// Called once per file after the walk (scope-level rules).
    pub module_end: bool,
    /// Lists of qualified callee names (`builtins.open`, `pathlib.Path().open`):
    /// `check_expr` gets only the calls whose callee may be one of them —
    /// the last name matches, as [`qualified_callee`]'s pre-filter tests, or
    /// the callee is an alias only resolution can tell — instead of every
    /// call. The walk finds those rules by name: a rule whose check starts
    /// with `callee_in(checker, &call.func, LIST)` costs nothing on the rest.
    ///
    /// [`qualified_callee`]: crate::rules::common::qualified_callee
    pub callees: &'static [&'static [&'static str]],
    /// Last names of the callee as written (`print` of `print(...)`, `append`
    /// of `sys.path.append(...)`; see [`last_segment`]): `check_expr` gets
    /// only the calls whose callee ends in one of them. For a rule whose check
    /// starts by testing exactly that, it is the same test made once by the
    /// walk (one hash probe per call for all such rules).
    ///
    /// Several lists, like [`Interests::callees`]: a rule names its own
    /// tables rather than copying them into one.
    ///
    /// [`last_segment`]: crate::rules::common::last_segment
    pub call_names: &'static [&'static [&'static str]],
}

impl Interests {
    pub const NONE: Interests = Interests {
        stmts: 0,
        exprs: 0,
        except_handlers: false,
        module_end: false,
        callees: &[],
        call_names: &[],
    };

    pub const fn stmt(mut self, kind: StmtKind) -> Self {
        self.stmts |= 1 << kind as u32;
        self
    }

    pub const fn expr(mut self, kind: ExprKind) -> Self {
        self.exprs |= 1 << kind as u64;
        self
    }

    pub const fn except_handler(mut self) -> Self {
        self.except_handlers = true;
        self
    }

    pub const fn module_end(mut self) -> Self {
        self.module_end = true;
        self
    }

    /// Calls to these callees only (see [`Interests::callees`]); not together
    /// with `expr(ExprKind::Call)`, which already gets every call.
    pub const fn calls(mut self, targets: &'static [&'static [&'static str]]) -> Self {
        self.callees = targets;
        self
    }

    /// Calls whose callee's own last name is one of `names` (see
    /// [`Interests::call_names`]); not together with `expr(ExprKind::Call)`.
    pub const fn call_names(mut self, names: &'static [&'static [&'static str]]) -> Self {
        self.call_names = names;
        self
    }
}

/// One rule: its metadata and its check. One rule, one file; the registry lists it.
pub trait Rule: Sync + Send + 'static {
    fn meta(&self) -> &'static RuleMeta;

    fn interests(&self) -> Interests {
        Interests::NONE
    }

    fn check_stmt(&self, _checker: &mut Checker, _stmt: &Stmt) {}

    fn check_expr(&self, _checker: &mut Checker, _expr: &Expr) {}

    fn check_except_handler(&self, _checker: &mut Checker, _handler: &ExceptHandler) {}

    /// After the whole module was walked; `checker.module()` is the AST.
    fn check_module_end(&self, _checker: &mut Checker) {}

    /// The cross-module phase: runs after the project-wide fixpoint, on
    /// summaries and facts only (no AST). See [`crate::project`].
    fn check_project(&self, _checker: &mut ProjectChecker) {}

    /// What `check_project` reads of the project's facts: only what some
    /// enabled rule needs is computed. A rule with a `check_project`
    /// declares at least one part: with none enabled, the cross-module
    /// phase does not run at all.
    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::NONE
    }

    /// What this rule reads of the module summaries, in its local check
    /// or in `check_project`: a summary records only the parts some
    /// enabled rule reads (see [`SummaryNeeds`]).
    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::NONE
    }
}

/// Statement kinds rules can register for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    FunctionDef,
    ClassDef,
    Return,
    Delete,
    TypeAlias,
    Assign,
    AugAssign,
    AnnAssign,
    For,
    While,
    If,
    With,
    Match,
    Raise,
    Try,
    Assert,
    Import,
    ImportFrom,
    Global,
    Nonlocal,
    Expr,
    Pass,
    Break,
    Continue,
    Other,
}

pub fn stmt_kind(stmt: &Stmt) -> StmtKind {
    match stmt {
        Stmt::FunctionDef(_) => StmtKind::FunctionDef,
        Stmt::ClassDef(_) => StmtKind::ClassDef,
        Stmt::Return(_) => StmtKind::Return,
        Stmt::Delete(_) => StmtKind::Delete,
        Stmt::TypeAlias(_) => StmtKind::TypeAlias,
        Stmt::Assign(_) => StmtKind::Assign,
        Stmt::AugAssign(_) => StmtKind::AugAssign,
        Stmt::AnnAssign(_) => StmtKind::AnnAssign,
        Stmt::For(_) => StmtKind::For,
        Stmt::While(_) => StmtKind::While,
        Stmt::If(_) => StmtKind::If,
        Stmt::With(_) => StmtKind::With,
        Stmt::Match(_) => StmtKind::Match,
        Stmt::Raise(_) => StmtKind::Raise,
        Stmt::Try(_) => StmtKind::Try,
        Stmt::Assert(_) => StmtKind::Assert,
        Stmt::Import(_) => StmtKind::Import,
        Stmt::ImportFrom(_) => StmtKind::ImportFrom,
        Stmt::Global(_) => StmtKind::Global,
        Stmt::Nonlocal(_) => StmtKind::Nonlocal,
        Stmt::Expr(_) => StmtKind::Expr,
        Stmt::Pass(_) => StmtKind::Pass,
        Stmt::Break(_) => StmtKind::Break,
        Stmt::Continue(_) => StmtKind::Continue,
        Stmt::IpyEscapeCommand(_) => StmtKind::Other,
    }
}

/// Expression kinds rules can register for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    BoolOp,
    Named,
    BinOp,
    UnaryOp,
    Lambda,
    If,
    Dict,
    Set,
    ListComp,
    SetComp,
    DictComp,
    Generator,
    Await,
    Yield,
    YieldFrom,
    Compare,
    Call,
    FString,
    StringLiteral,
    BytesLiteral,
    NumberLiteral,
    BooleanLiteral,
    NoneLiteral,
    EllipsisLiteral,
    Attribute,
    Subscript,
    Starred,
    Name,
    List,
    Tuple,
    Slice,
    Other,
}

pub fn expr_kind(expr: &Expr) -> ExprKind {
    match expr {
        Expr::BoolOp(_) => ExprKind::BoolOp,
        Expr::Named(_) => ExprKind::Named,
        Expr::BinOp(_) => ExprKind::BinOp,
        Expr::UnaryOp(_) => ExprKind::UnaryOp,
        Expr::Lambda(_) => ExprKind::Lambda,
        Expr::If(_) => ExprKind::If,
        Expr::Dict(_) => ExprKind::Dict,
        Expr::Set(_) => ExprKind::Set,
        Expr::ListComp(_) => ExprKind::ListComp,
        Expr::SetComp(_) => ExprKind::SetComp,
        Expr::DictComp(_) => ExprKind::DictComp,
        Expr::Generator(_) => ExprKind::Generator,
        Expr::Await(_) => ExprKind::Await,
        Expr::Yield(_) => ExprKind::Yield,
        Expr::YieldFrom(_) => ExprKind::YieldFrom,
        Expr::Compare(_) => ExprKind::Compare,
        Expr::Call(_) => ExprKind::Call,
        Expr::FString(_) => ExprKind::FString,
        Expr::StringLiteral(_) => ExprKind::StringLiteral,
        Expr::BytesLiteral(_) => ExprKind::BytesLiteral,
        Expr::NumberLiteral(_) => ExprKind::NumberLiteral,
        Expr::BooleanLiteral(_) => ExprKind::BooleanLiteral,
        Expr::NoneLiteral(_) => ExprKind::NoneLiteral,
        Expr::EllipsisLiteral(_) => ExprKind::EllipsisLiteral,
        Expr::Attribute(_) => ExprKind::Attribute,
        Expr::Subscript(_) => ExprKind::Subscript,
        Expr::Starred(_) => ExprKind::Starred,
        Expr::Name(_) => ExprKind::Name,
        Expr::List(_) => ExprKind::List,
        Expr::Tuple(_) => ExprKind::Tuple,
        Expr::Slice(_) => ExprKind::Slice,
        Expr::TString(_) | Expr::IpyEscapeCommand(_) => ExprKind::Other,
    }
}
