//! The single AST walk: tracks the current scope and the ancestors of each
//! node, and hands every node to the rules that registered for its kind.

use std::cell::{OnceCell, RefCell};
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use pitfall_semantic::{BindingId, Resolved, ScopeId, ScopeKind, SemanticIndex};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Comprehension, ExceptHandler, Expr, ModModule, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Diagnostic, DocCoverage};
use crate::registry::RuleId;
use crate::rule::{expr_kind, stmt_kind, ExprKind, Rule, StmtKind};
use crate::rules::common::{callee_filter, filter_name, last_name, last_segment};
use crate::selector::RuleSet;
use crate::settings::{FileContext, FileRole, LinterSettings};
use crate::summary::{CallOut, CallRef, ModuleSummary};

/// Everything one lint run of one file reads.
pub struct LintInput<'a> {
    pub source: &'a str,
    pub module: &'a ModModule,
    pub semantic: &'a SemanticIndex,
    pub summary: &'a ModuleSummary,
    pub settings: &'a LinterSettings,
    /// The path as shown to the user.
    pub display_path: &'a str,
    pub is_stub: bool,
}

/// An ancestor of the node being checked.
#[derive(Copy, Clone, Debug)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
    ExceptHandler(&'a ExceptHandler),
}

impl Node<'_> {
    pub fn range(&self) -> TextRange {
        match self {
            Node::Stmt(s) => s.range(),
            Node::Expr(e) => e.range(),
            Node::ExceptHandler(h) => h.range(),
        }
    }
}

/// What a rule sees while checking a node.
pub struct Checker<'a> {
    input: &'a LintInput<'a>,
    scope: ScopeId,
    parents: Vec<Node<'a>>,
    current_rule: Option<RuleId>,
    diagnostics: Vec<Diagnostic>,
    doc_coverage: Option<DocCoverage>,
    line_index: OnceCell<LineIndex>,
    test_path: OnceCell<bool>,
    callee: RefCell<Option<CalleeMemo>>,
    /// The scope of the `def` or `class` being checked, looked up once for
    /// the walk and every rule that asks ([`Checker::scope_of_node`]).
    node_scope: Option<(TextRange, Option<ScopeId>)>,
}

/// What the last callee asked about resolves to. The call-centric rules ask
/// about the same call one after another, so each call's name lookup and
/// resolution runs once instead of once per rule (see
/// [`qualified_callee`](crate::rules::common::qualified_callee)).
struct CalleeMemo {
    /// The callee expression (address and range) and the scope it was resolved in.
    key: (usize, TextRange, ScopeId),
    filter: CalleeFilter,
    /// `None` until asked; then the qualified name, if the callee has one.
    qualified: Option<Option<String>>,
}

/// The cheap part of resolving a callee: the name to compare a rule's
/// targets against before resolving it in full.
#[derive(Copy, Clone, Debug)]
pub enum CalleeFilter {
    /// The callee's own last name: `attr` of `a.attr`, or a builtin's name.
    Own,
    /// An imported name: compare the last name of what it stands for
    /// (`from os import path as p`: `path`).
    Imported(BindingId),
    /// An assigned alias (`load = pickle.loads`): only resolving tells.
    Alias,
    /// Not a callee any qualified name can match.
    Reject,
}

impl<'a> Checker<'a> {
    pub fn source(&self) -> &'a str {
        self.input.source
    }

    pub fn module(&self) -> &'a ModModule {
        self.input.module
    }

    pub fn semantic(&self) -> &'a SemanticIndex {
        self.input.semantic
    }

    pub fn summary(&self) -> &'a ModuleSummary {
        self.input.summary
    }

    pub fn settings(&self) -> &'a LinterSettings {
        self.input.settings
    }

    pub fn display_path(&self) -> &'a str {
        self.input.display_path
    }

    /// [`is_test_path`](crate::rules::common::is_test_path) of the display
    /// path, worked out once per file (rules ask at every node).
    pub fn is_test_display_path(&self) -> bool {
        *self
            .test_path
            .get_or_init(|| crate::rules::common::is_test_path(self.input.display_path))
    }

    pub fn is_stub(&self) -> bool {
        self.input.is_stub
    }

    /// The scope the current node runs in.
    pub fn scope(&self) -> ScopeId {
        self.scope
    }

    /// Ancestors of the current node, outermost first.
    pub fn parents(&self) -> &[Node<'a>] {
        &self.parents
    }

    pub fn parent(&self) -> Option<Node<'a>> {
        self.parents.last().copied()
    }

    /// [`SemanticIndex::scope_of_node`], answered without a lookup for the
    /// `def` or `class` statement being checked.
    pub fn scope_of_node(&self, range: TextRange) -> Option<ScopeId> {
        match self.node_scope {
            Some((node, scope)) if node == range => scope,
            _ => self.input.semantic.scope_of_node(range),
        }
    }

    pub fn resolve(&self, expr: &Expr) -> Option<Resolved> {
        self.input.semantic.resolve_expr(expr, self.scope)
    }

    /// The qualified name of `expr` in the current scope; memoized for the
    /// callee of the call being checked (many rules ask about it).
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        self.callee_qualified(expr)
    }

    pub fn slice(&self, range: TextRange) -> &'a str {
        &self.input.source[range]
    }

    /// The summary's record of the call at `range` (calls the summary keeps:
    /// those that may reach a project function, and effects' calls).
    pub fn summary_call(&self, range: TextRange) -> Option<(CallRef, &'a CallOut)> {
        let summary = self.input.summary;
        let function = self.input.semantic.enclosing_function(self.scope);
        let at = summary.call_at(function, range)?;
        Some((at, summary.call_out(at)?))
    }

    /// 1-based line of an offset.
    pub fn line_of(&self, offset: TextSize) -> usize {
        self.line_index().line_index(offset).get()
    }

    pub fn line_index(&self) -> &LineIndex {
        self.line_index
            .get_or_init(|| LineIndex::from_source_text(self.input.source))
    }

    fn rule(&self) -> RuleId {
        self.current_rule.expect("reporting outside a rule")
    }

    /// A list option of the current rule (`[tool.pitfall.<rule-name>]`).
    pub fn option_strings(&self, option: &str) -> &'a [String] {
        self.input.settings.options.string_list(self.rule(), option)
    }

    /// A whole-number option of the current rule, if set.
    pub fn option_integer(&self, option: &str) -> Option<u64> {
        self.input.settings.options.integer(self.rule(), option)
    }

    pub fn option_bool(&self, option: &str) -> bool {
        self.input.settings.options.bool(self.rule(), option)
    }

    /// A boolean option that is `default` when the configuration omits it.
    pub fn option_bool_or(&self, option: &str, default: bool) -> bool {
        self.input
            .settings
            .options
            .bool_or(self.rule(), option, default)
    }

    /// Where the file sits: package membership and its project-relative path.
    pub fn file(&self) -> &'a FileContext {
        &self.input.settings.file
    }

    /// The path rules match against: project-relative when known, else the display path.
    pub fn project_path(&self) -> &'a str {
        let file = &self.input.settings.file;
        if file.project_path.is_empty() {
            self.input.display_path
        } else {
            &file.project_path
        }
    }

    /// The role the file's path gives it (package `__init__`, `__main__`, test, private).
    pub fn file_role(&self) -> FileRole {
        FileRole::of(self.project_path())
    }

    /// The memoized [`CalleeFilter`] of a callee in the current scope;
    /// `compute` runs when the callee is not the one last asked about.
    pub(crate) fn callee_filter(
        &self,
        func: &Expr,
        compute: impl FnOnce() -> CalleeFilter,
    ) -> CalleeFilter {
        let key = (func as *const Expr as usize, func.range(), self.scope);
        let mut memo = self.callee.borrow_mut();
        match &*memo {
            Some(m) if m.key == key => m.filter,
            _ => {
                let filter = compute();
                *memo = Some(CalleeMemo {
                    key,
                    filter,
                    qualified: None,
                });
                filter
            }
        }
    }

    /// The qualified name of the callee last given to
    /// [`callee_filter`](Self::callee_filter), resolved once.
    pub(crate) fn callee_qualified(&self, func: &Expr) -> Option<String> {
        let key = (func as *const Expr as usize, func.range(), self.scope);
        let mut memo = self.callee.borrow_mut();
        match &mut *memo {
            Some(m) if m.key == key => m
                .qualified
                .get_or_insert_with(|| self.input.semantic.qualified_name(func, self.scope))
                .clone(),
            _ => self.input.semantic.qualified_name(func, self.scope),
        }
    }

    /// Reports a finding of the rule being run.
    pub fn report(&mut self, message: impl Into<String>, range: TextRange) -> &mut Diagnostic {
        let rule = self.rule();
        self.diagnostics.push(Diagnostic::new(rule, message, range));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Withdraws the current rule's deferred findings at `range`: the rule
    /// decided them locally after all (PF104).
    pub(crate) fn withdraw_deferred(&mut self, range: TextRange) {
        let rule = self.rule();
        self.diagnostics
            .retain(|d| !(d.rule == rule && d.range == range && d.condition.is_some()));
    }

    /// Records the file's docstring coverage (PF906 with `min-coverage`).
    pub fn record_doc_coverage(&mut self, coverage: DocCoverage) {
        self.doc_coverage = Some(coverage);
    }
}

/// A rule and its id, looked up once per file instead of at every node.
type Entry = (RuleId, &'static dyn Rule);

/// Rules grouped by the node kinds they asked for.
struct Dispatch {
    stmts: Vec<Vec<Entry>>,
    exprs: Vec<Vec<Entry>>,
    except_handlers: Vec<Entry>,
    module_end: Vec<Entry>,
    /// Expression kinds (bits by [`ExprKind`]) without children that no
    /// rule asked for: the walk does not even enter them.
    skipped_leaves: u64,
    /// The same for statements without expressions or bodies (bits by [`StmtKind`]).
    skipped_stmt_leaves: u64,
    /// Statement kinds without bodies that no rule asked for: when the walk
    /// enters only some expressions, it skips these unless they hold one.
    unwanted_simple_stmts: u64,
    /// The enabled rules that asked for calls by callee name, in code order…
    callee_rules: Vec<RuleId>,
    /// …and the same as a set, to filter [`callee_index`]'s lists.
    callee_enabled: RuleSet,
    /// The enabled rules that asked for calls by the callee's own last name
    /// ([`Interests::call_names`](crate::rule::Interests::call_names)), as a set
    /// to filter [`call_name_index`]'s lists.
    named_call_enabled: RuleSet,
    /// Which expressions the walk must enter (see [`ExprWalk`]).
    expr_walk: ExprWalk,
    /// Some rule asked for a node of the walk (not only for the module's end).
    walks: bool,
}

/// Which expression subtrees the walk enters. Statements never sit inside
/// expressions, so an expression subtree that holds no node a rule asked for
/// can be skipped whole, ancestors and scopes included.
#[derive(Copy, Clone, PartialEq, Eq)]
enum ExprWalk {
    /// Some rule asked for an expression kind only a walk can find.
    All,
    /// The rules asked only for kinds that open a scope (lambdas,
    /// comprehensions): the semantic index knows where those are, so only
    /// the expressions that contain one are entered.
    ScopesOnly { lambdas: bool, comprehensions: bool },
    /// No rule asked for an expression.
    None,
}

/// The expression kinds without child expressions (`Name`: most nodes).
const LEAF_KINDS: u64 = 1 << ExprKind::Name as u64
    | 1 << ExprKind::StringLiteral as u64
    | 1 << ExprKind::BytesLiteral as u64
    | 1 << ExprKind::NumberLiteral as u64
    | 1 << ExprKind::BooleanLiteral as u64
    | 1 << ExprKind::NoneLiteral as u64
    | 1 << ExprKind::EllipsisLiteral as u64;

/// The statement kinds without expressions or bodies.
const LEAF_STMT_KINDS: u64 = 1 << StmtKind::Pass as u64
    | 1 << StmtKind::Break as u64
    | 1 << StmtKind::Continue as u64
    | 1 << StmtKind::Global as u64
    | 1 << StmtKind::Nonlocal as u64
    | 1 << StmtKind::Import as u64
    | 1 << StmtKind::ImportFrom as u64;

/// The statement kinds with no statement (or except handler) inside.
const SIMPLE_STMT_KINDS: u64 = !(1 << StmtKind::FunctionDef as u64
    | 1 << StmtKind::ClassDef as u64
    | 1 << StmtKind::For as u64
    | 1 << StmtKind::While as u64
    | 1 << StmtKind::If as u64
    | 1 << StmtKind::With as u64
    | 1 << StmtKind::Match as u64
    | 1 << StmtKind::Try as u64);

/// The expression kinds that open a scope of their own.
const LAMBDA_KINDS: u64 = 1 << ExprKind::Lambda as u64;
const COMPREHENSION_KINDS: u64 = 1 << ExprKind::ListComp as u64
    | 1 << ExprKind::SetComp as u64
    | 1 << ExprKind::DictComp as u64
    | 1 << ExprKind::Generator as u64;

/// Every registered rule's [`Interests::callees`](crate::rule::Interests::callees)
/// by the targets' last names (`open` → PF501, PF507), rules in code order.
/// Built once per process, shared by every file and every settings.
fn callee_index() -> &'static FxHashMap<&'static str, Vec<RuleId>> {
    static INDEX: LazyLock<FxHashMap<&'static str, Vec<RuleId>>> = LazyLock::new(|| {
        let mut index: FxHashMap<&'static str, Vec<RuleId>> = FxHashMap::default();
        for id in RuleId::iter() {
            for targets in id.rule().interests().callees {
                for target in *targets {
                    let rules = index.entry(last_name(target)).or_default();
                    if rules.last() != Some(&id) {
                        rules.push(id);
                    }
                }
            }
        }
        index
    });
    &INDEX
}

/// Every registered rule's [`Interests::call_names`](crate::rule::Interests::call_names)
/// by name, rules in code order. Built once per process.
fn call_name_index() -> &'static FxHashMap<&'static str, Vec<RuleId>> {
    static INDEX: LazyLock<FxHashMap<&'static str, Vec<RuleId>>> = LazyLock::new(|| {
        let mut index: FxHashMap<&'static str, Vec<RuleId>> = FxHashMap::default();
        for id in RuleId::iter() {
            for name in id.rule().interests().call_names.iter().copied().flatten() {
                let rules = index.entry(*name).or_default();
                if rules.last() != Some(&id) {
                    rules.push(id);
                }
            }
        }
        index
    });
    &INDEX
}

impl Dispatch {
    fn new(settings: &LinterSettings) -> Dispatch {
        let mut d = Dispatch {
            stmts: vec![Vec::new(); 32],
            exprs: vec![Vec::new(); 64],
            except_handlers: Vec::new(),
            module_end: Vec::new(),
            callee_rules: Vec::new(),
            callee_enabled: RuleSet::EMPTY,
            named_call_enabled: RuleSet::EMPTY,
            expr_walk: ExprWalk::All,
            walks: true,
            skipped_leaves: 0,
            skipped_stmt_leaves: 0,
            unwanted_simple_stmts: 0,
        };
        let mut wanted_exprs = 0u64;
        let mut wanted_stmts = 0u64;
        for id in settings.rules.iter() {
            let rule = id.rule();
            let interests = rule.interests();
            if !interests.callees.is_empty() {
                debug_assert!(
                    interests.exprs & (1 << ExprKind::Call as u64) == 0,
                    "{}: `calls` and `expr(ExprKind::Call)` together",
                    id.meta().code
                );
                d.callee_rules.push(id);
                d.callee_enabled.insert(id);
            }
            if !interests.call_names.is_empty() {
                debug_assert!(
                    interests.exprs & (1 << ExprKind::Call as u64) == 0,
                    "{}: `call_names` and `expr(ExprKind::Call)` together",
                    id.meta().code
                );
                d.named_call_enabled.insert(id);
            }
            // Only the set bits: this runs for every rule of every file.
            wanted_stmts |= u64::from(interests.stmts);
            let mut stmts = interests.stmts;
            while stmts != 0 {
                d.stmts[stmts.trailing_zeros() as usize].push((id, rule));
                stmts &= stmts - 1;
            }
            wanted_exprs |= interests.exprs;
            let mut exprs = interests.exprs;
            while exprs != 0 {
                d.exprs[exprs.trailing_zeros() as usize].push((id, rule));
                exprs &= exprs - 1;
            }
            if interests.except_handlers {
                d.except_handlers.push((id, rule));
            }
            if interests.module_end {
                d.module_end.push((id, rule));
            }
        }
        d.skipped_leaves = LEAF_KINDS & !wanted_exprs;
        d.skipped_stmt_leaves = LEAF_STMT_KINDS & !wanted_stmts;
        d.unwanted_simple_stmts = SIMPLE_STMT_KINDS & !wanted_stmts;
        d.walks = wanted_stmts != 0
            || wanted_exprs != 0
            || !d.except_handlers.is_empty()
            || !d.callee_rules.is_empty()
            || !d.named_call_enabled.is_empty();
        d.expr_walk = if !d.callee_rules.is_empty()
            || !d.named_call_enabled.is_empty()
            || wanted_exprs & !(LAMBDA_KINDS | COMPREHENSION_KINDS) != 0
        {
            ExprWalk::All
        } else if wanted_exprs == 0 {
            ExprWalk::None
        } else {
            ExprWalk::ScopesOnly {
                lambdas: wanted_exprs & LAMBDA_KINDS != 0,
                comprehensions: wanted_exprs & COMPREHENSION_KINDS != 0,
            }
        };
        d
    }
}

/// Where the walk must enter expressions: everywhere (`None`), or only the
/// expressions containing one of these offsets (the starts of the scopes
/// the rules asked for, sorted).
fn expr_targets(walk: ExprWalk, semantic: &SemanticIndex) -> Option<Vec<TextSize>> {
    let (lambdas, comprehensions) = match walk {
        ExprWalk::All => return None,
        ExprWalk::None => return Some(Vec::new()),
        ExprWalk::ScopesOnly {
            lambdas,
            comprehensions,
        } => (lambdas, comprehensions),
    };
    let mut starts: Vec<TextSize> = semantic
        .scopes
        .iter()
        .filter(|s| match s.kind {
            ScopeKind::Lambda => lambdas,
            ScopeKind::Comprehension => comprehensions,
            _ => false,
        })
        .map(|s| s.node_range.start())
        .collect();
    starts.sort_unstable();
    Some(starts)
}

/// Runs every enabled rule over one module. Suppressions are applied by the caller.
pub fn lint(input: &LintInput) -> Vec<Diagnostic> {
    lint_counting(input).0
}

/// [`lint`], with the docstring coverage PF906 recorded (when asked to).
pub fn lint_counting(input: &LintInput) -> (Vec<Diagnostic>, Option<DocCoverage>) {
    let dispatch = Dispatch::new(input.settings);
    let mut walker = Walker {
        checker: Checker {
            input,
            scope: SemanticIndex::MODULE,
            parents: Vec::new(),
            current_rule: None,
            diagnostics: Vec::new(),
            doc_coverage: None,
            line_index: OnceCell::new(),
            test_path: OnceCell::new(),
            callee: RefCell::new(None),
            node_scope: None,
        },
        dispatch: &dispatch,
        expr_targets: expr_targets(dispatch.expr_walk, input.semantic),
        depth: 0,
    };
    if dispatch.walks {
        walker.visit_body(&input.module.body);
    }
    for (id, rule) in &dispatch.module_end {
        walker.checker.current_rule = Some(*id);
        rule.check_module_end(&mut walker.checker);
    }
    let mut diagnostics = walker.checker.diagnostics;
    diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
    (diagnostics, walker.checker.doc_coverage)
}

struct Walker<'a, 'd> {
    checker: Checker<'a>,
    dispatch: &'d Dispatch,
    /// How many statements and expressions enclose the node being visited:
    /// the stack is checked every few levels (`stack::guarded_at`).
    depth: u32,
    /// `Some`: enter only the expressions containing one of these offsets.
    expr_targets: Option<Vec<TextSize>>,
}

impl<'a> Walker<'a, '_> {
    fn run(&mut self, rules: &[Entry], f: impl Fn(&dyn Rule, &mut Checker<'a>)) {
        for (id, rule) in rules {
            self.checker.current_rule = Some(*id);
            f(*rule, &mut self.checker);
        }
    }

    /// The rules that asked for this call's callee by name
    /// ([`Interests::callees`](crate::rule::Interests::callees)): one
    /// memoized lookup of the callee and one hash probe, whatever the
    /// number of such rules.
    fn run_callee_rules(&mut self, func: &'a Expr, call: &'a Expr) {
        if self.dispatch.callee_rules.is_empty() {
            return;
        }
        let checker = &self.checker;
        let filter = checker.callee_filter(func, || callee_filter(checker, func));
        let dispatch = self.dispatch;
        let rules: &[RuleId] = match filter {
            CalleeFilter::Alias => &dispatch.callee_rules,
            _ => match filter_name(checker, func, filter).and_then(|n| callee_index().get(n)) {
                Some(rules) => rules,
                None => return,
            },
        };
        for id in rules {
            if dispatch.callee_enabled.contains(*id) {
                self.checker.current_rule = Some(*id);
                id.rule().check_expr(&mut self.checker, call);
            }
        }
    }

    /// Whether the walk must enter the expressions in `range`: it enters
    /// all, or only those holding one of [`Self::expr_targets`].
    fn may_enter(&self, range: TextRange) -> bool {
        let Some(targets) = &self.expr_targets else {
            return true;
        };
        let next = targets.partition_point(|t| *t < range.start());
        targets.get(next).is_some_and(|t| *t < range.end())
    }

    /// The rules that asked for calls by the callee's own last name
    /// ([`Interests::call_names`](crate::rule::Interests::call_names)).
    fn run_named_call_rules(&mut self, func: &'a Expr, call: &'a Expr) {
        let dispatch = self.dispatch;
        if dispatch.named_call_enabled.is_empty() {
            return;
        }
        let Some(rules) = last_segment(func).and_then(|n| call_name_index().get(n)) else {
            return;
        };
        for id in rules {
            if dispatch.named_call_enabled.contains(*id) {
                self.checker.current_rule = Some(*id);
                id.rule().check_expr(&mut self.checker, call);
            }
        }
    }

    fn in_scope_of(&mut self, range: TextRange, f: impl FnOnce(&mut Self)) {
        let scope = self.checker.input.semantic.scope_of_node(range);
        self.in_scope(scope, f);
    }

    fn in_scope(&mut self, scope: Option<ScopeId>, f: impl FnOnce(&mut Self)) {
        let saved = self.checker.scope;
        if let Some(scope) = scope {
            self.checker.scope = scope;
        }
        f(self);
        self.checker.scope = saved;
    }

    /// Visits only the statements nested in `stmt` (and its `except`
    /// clauses): for a statement holding no expression the walk must enter.
    fn visit_nested_bodies(&mut self, stmt: &'a Stmt, scope: Option<ScopeId>) {
        match stmt {
            Stmt::FunctionDef(def) => self.in_scope(scope, |w| w.visit_stmts_only(&def.body)),
            Stmt::ClassDef(class) => self.in_scope(scope, |w| w.visit_stmts_only(&class.body)),
            Stmt::For(s) => {
                self.visit_stmts_only(&s.body);
                self.visit_stmts_only(&s.orelse);
            }
            Stmt::While(s) => {
                self.visit_stmts_only(&s.body);
                self.visit_stmts_only(&s.orelse);
            }
            Stmt::If(s) => {
                self.visit_stmts_only(&s.body);
                for clause in &s.elif_else_clauses {
                    self.visit_stmts_only(&clause.body);
                }
            }
            Stmt::With(s) => self.visit_stmts_only(&s.body),
            Stmt::Match(s) => {
                for case in &s.cases {
                    self.visit_stmts_only(&case.body);
                }
            }
            Stmt::Try(s) => {
                self.visit_stmts_only(&s.body);
                for handler in &s.handlers {
                    let rules = &self.dispatch.except_handlers;
                    self.run(rules, |rule, checker| {
                        rule.check_except_handler(checker, handler)
                    });
                    let ExceptHandler::ExceptHandler(h) = handler;
                    self.checker.parents.push(Node::ExceptHandler(handler));
                    self.visit_stmts_only(&h.body);
                    self.checker.parents.pop();
                }
                self.visit_stmts_only(&s.orelse);
                self.visit_stmts_only(&s.finalbody);
            }
            _ => {}
        }
    }

    /// A body inside a statement holding no expression the walk must
    /// enter: the statements no rule asked for and holding no statement are
    /// passed over at once.
    fn visit_stmts_only(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            let kind = stmt_kind(stmt);
            if self.dispatch.unwanted_simple_stmts & (1 << kind as u64) != 0 {
                continue;
            }
            let depth = self.depth;
            self.depth += 1;
            pitfall_semantic::stack::guarded_at(depth, || {
                let scope = self.enter_definition(stmt);
                let rules = &self.dispatch.stmts[kind as usize];
                self.run(rules, |rule, checker| rule.check_stmt(checker, stmt));
                self.checker.parents.push(Node::Stmt(stmt));
                self.visit_nested_bodies(stmt, scope);
                self.checker.parents.pop();
            });
            self.depth -= 1;
        }
    }

    /// The scope a `def` or `class` opens, looked up once: the walk enters
    /// it, and its rules ask for it ([`Checker::scope_of_node`]).
    fn enter_definition(&mut self, stmt: &Stmt) -> Option<ScopeId> {
        match stmt {
            Stmt::FunctionDef(ast::StmtFunctionDef { range, .. })
            | Stmt::ClassDef(ast::StmtClassDef { range, .. }) => {
                let scope = self.checker.input.semantic.scope_of_node(*range);
                self.checker.node_scope = Some((*range, scope));
                scope
            }
            _ => None,
        }
    }

    fn visit_parameter_defaults(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters.iter() {
            if let Some(default) = p.default() {
                self.visit_expr(default);
            }
            if let Some(ann) = p.annotation() {
                self.visit_annotation(ann);
            }
        }
    }

    fn visit_comprehension_scope(
        &mut self,
        range: TextRange,
        generators: &'a [Comprehension],
        elements: &[&'a Expr],
    ) {
        let Some((first, _)) = generators.split_first() else {
            return;
        };
        self.visit_expr(&first.iter);
        self.in_scope_of(range, |w| {
            for (i, g) in generators.iter().enumerate() {
                w.visit_expr(&g.target);
                if i > 0 {
                    w.visit_expr(&g.iter);
                }
                for cond in &g.ifs {
                    w.visit_expr(cond);
                }
            }
            for e in elements {
                w.visit_expr(e);
            }
        });
    }
}

impl<'a> Visitor<'a> for Walker<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let kind = stmt_kind(stmt);
        let bit = 1 << kind as u64;
        if self.dispatch.skipped_stmt_leaves & bit != 0 {
            return;
        }
        // Nothing in it is dispatched: no rule wants the statement, and no
        // expression the walk must enter is inside.
        if self.dispatch.unwanted_simple_stmts & bit != 0 && !self.may_enter(stmt.range()) {
            return;
        }
        let depth = self.depth;
        self.depth += 1;
        pitfall_semantic::stack::guarded_at(depth, || self.walk_stmt(stmt, kind));
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.may_enter(expr.range()) {
            return;
        }
        let kind = expr_kind(expr);
        if self.dispatch.skipped_leaves & (1 << kind as u64) != 0 {
            return;
        }
        let depth = self.depth;
        self.depth += 1;
        pitfall_semantic::stack::guarded_at(depth, || self.walk_expr(expr, kind));
        self.depth -= 1;
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let rules = &self.dispatch.except_handlers;
        self.run(rules, |rule, checker| {
            rule.check_except_handler(checker, handler)
        });
        self.checker.parents.push(Node::ExceptHandler(handler));
        visitor::walk_except_handler(self, handler);
        self.checker.parents.pop();
    }
}

impl<'a> Walker<'a, '_> {
    fn walk_stmt(&mut self, stmt: &'a Stmt, kind: StmtKind) {
        let scope = self.enter_definition(stmt);
        let rules = &self.dispatch.stmts[kind as usize];
        self.run(rules, |rule, checker| rule.check_stmt(checker, stmt));
        self.checker.parents.push(Node::Stmt(stmt));
        if !self.may_enter(stmt.range()) {
            // None of its expressions is to be entered: only its statements.
            self.visit_nested_bodies(stmt, scope);
            self.checker.parents.pop();
            return;
        }
        match stmt {
            Stmt::FunctionDef(def) => {
                for d in &def.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.visit_parameter_defaults(&def.parameters);
                if let Some(ret) = &def.returns {
                    self.visit_annotation(ret);
                }
                self.in_scope(scope, |w| w.visit_body(&def.body));
            }
            Stmt::ClassDef(class) => {
                for d in &class.decorator_list {
                    self.visit_expr(&d.expression);
                }
                if let Some(args) = &class.arguments {
                    self.visit_arguments(args);
                }
                self.in_scope(scope, |w| w.visit_body(&class.body));
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.checker.parents.pop();
    }

    fn walk_expr(&mut self, expr: &'a Expr, kind: ExprKind) {
        let rules = &self.dispatch.exprs[kind as usize];
        if let Expr::Call(call) = expr {
            // The callee rules will look the callee up anyway: the other
            // rules' questions about it then share the memo.
            if !self.dispatch.callee_rules.is_empty() && !rules.is_empty() {
                let checker = &self.checker;
                checker.callee_filter(&call.func, || callee_filter(checker, &call.func));
            }
        }
        self.run(rules, |rule, checker| rule.check_expr(checker, expr));
        if let Expr::Call(call) = expr {
            self.run_named_call_rules(&call.func, expr);
            self.run_callee_rules(&call.func, expr);
        }
        self.checker.parents.push(Node::Expr(expr));
        match expr {
            Expr::Lambda(lambda) => {
                if let Some(params) = &lambda.parameters {
                    self.visit_parameter_defaults(params);
                }
                self.in_scope_of(lambda.range, |w| w.visit_expr(&lambda.body));
            }
            Expr::ListComp(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::Generator(c) => self.visit_comprehension_scope(c.range, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => {
                let mut elts: Vec<&'a Expr> = Vec::with_capacity(2);
                if let Some(k) = &c.key {
                    elts.push(k);
                }
                elts.push(&c.value);
                self.visit_comprehension_scope(c.range, &c.generators, &elts)
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.checker.parents.pop();
    }
}
