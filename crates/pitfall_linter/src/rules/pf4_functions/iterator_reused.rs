//! PF407 `iterator-reused`: a one-shot iterator (generator, `map`, file, ...) is consumed twice.

use pitfall_semantic::{BindingKind, Lookup, Resolved};
use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Node};
use crate::diagnostic::{CallableKind, Condition, Diagnostic, Receiver, Related};
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::project::{FunctionRef, ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::{ExprKind, Interests, Rule, StmtKind};
use crate::rules::common::{
    ancestors_of, is_builtin, last_segment, position_in, position_in_handler, LazyLookup,
};
use crate::summary::{is_generator_def, CallRef, Callee, SummaryNeeds};

pub struct IteratorReused;

static META: RuleMeta = rule_meta(
    "PF407",
    "iterator-reused",
    Family::Functions,
    Tier::Core,
    FixAvailability::None,
    &["B031"],
    "A one-shot iterator (generator, `map`, file, ...) is consumed twice.",
);

/// Last names of calls that may return a one-shot iterator (resolved before use).
const ONE_SHOT_NAMES: &[&str] = &[
    "iter",
    "map",
    "filter",
    "zip",
    "enumerate",
    "reversed",
    "open",
    "chain",
    "from_iterable",
    "islice",
    "groupby",
    "product",
    "permutations",
    "combinations",
    "combinations_with_replacement",
    "accumulate",
    "compress",
    "dropwhile",
    "takewhile",
    "filterfalse",
    "starmap",
    "zip_longest",
    "pairwise",
    "batched",
    "reader",
    "DictReader",
    "finditer",
    "scandir",
];

const ONE_SHOT_CALLS: &[&str] = &[
    "builtins.iter",
    "builtins.map",
    "builtins.filter",
    "builtins.zip",
    "builtins.enumerate",
    "builtins.reversed",
    "builtins.open",
    "io.open",
    "itertools.chain",
    "itertools.chain.from_iterable",
    "itertools.islice",
    "itertools.groupby",
    "itertools.product",
    "itertools.permutations",
    "itertools.combinations",
    "itertools.combinations_with_replacement",
    "itertools.accumulate",
    "itertools.compress",
    "itertools.dropwhile",
    "itertools.takewhile",
    "itertools.filterfalse",
    "itertools.starmap",
    "itertools.zip_longest",
    "itertools.pairwise",
    "itertools.batched",
    "csv.reader",
    "csv.DictReader",
    "re.finditer",
    "os.scandir",
];

/// Builtins that read an iterable to its end.
const FULL_CONSUMERS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sorted",
    "sum",
    "min",
    "max",
];

impl Rule for IteratorReused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE
            .stmt(StmtKind::Assign)
            .stmt(StmtKind::With)
            .stmt(StmtKind::FunctionDef)
            .expr(ExprKind::Generator)
            .expr(ExprKind::Call)
    }

    /// A one-shot iterator written as an argument: `report(x for x in xs)`,
    /// `report(map(f, xs))`.
    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        // Cheap first: an argument of a call the summary keeps (one that
        // may be the project's), made by a call that may be one-shot.
        let Some(Node::Expr(Expr::Call(outer))) = checker.parent() else {
            return;
        };
        if let Expr::Call(call) = expr {
            if last_segment(&call.func).is_none_or(|l| !ONE_SHOT_NAMES.contains(&l)) {
                return;
            }
        }
        let Some((position, keyword)) = argument_slot(outer, expr.range()) else {
            return;
        };
        if checker.summary_call(outer.range()).is_none() {
            return;
        }
        let Some(what) = one_shot(checker, expr) else {
            return;
        };
        let shown = if matches!(expr, Expr::Generator(_)) {
            "a generator expression".to_string()
        } else {
            format!("`{}(...)`, a {what},", checker.slice(last_func(expr)))
        };
        defer_passed(checker, outer, position, keyword, &shown);
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::CALLS.with(ProjectNeeds::MODULE_CALLS)
    }

    fn summary_needs(&self) -> SummaryNeeds {
        SummaryNeeds::CALLS
            .with(SummaryNeeds::MODULE_CALLS)
            .with(SummaryNeeds::GENERATORS)
    }

    /// The callers' side and the function's: passing a one-shot iterator to
    /// a function (in any module) that consumes that parameter twice.
    fn check_project(&self, cx: &mut ProjectChecker) {
        let deferred: Vec<&Diagnostic> = cx.deferred().collect();
        for d in deferred {
            if let Some(Condition::CallsGenerator { call }) = &d.condition {
                let generator = cx.facts.target(*call).and_then(|target| {
                    cx.with_function(target, |f, _| f.is_generator)?
                        .then(|| cx.qualname(target))
                        .flatten()
                        .map(|qualname| (target, qualname, cx.def_line(target)))
                });
                if let Some((target, qualname, line)) = generator {
                    let path = cx.view.display_path(target.module).unwrap_or_default();
                    let message = d.message.replacen(
                        "is a generator",
                        &format!("is a generator (from `{qualname}`, {path}:{line})"),
                        1,
                    );
                    cx.confirm(d).message = message;
                }
                continue;
            }
            let Some(Condition::PassesOneShot {
                call,
                position,
                keyword,
                receiver,
            }) = &d.condition
            else {
                continue;
            };
            let Some(target) = cx.facts.target(*call) else {
                continue;
            };
            let Some(parameter) =
                consumed_twice(cx, target, *position, keyword.as_ref(), *receiver)
            else {
                continue;
            };
            let Some(qualname) = cx.qualname(target) else {
                continue;
            };
            let line = cx.def_line(target);
            let path = cx.view.display_path(target.module).unwrap_or_default();
            let message = format!(
                "{} its parameter `{parameter}` twice (`{qualname}`, {path}:{line}): the second pass sees nothing",
                d.message
            );
            let confirmed = cx.confirm(d);
            confirmed.message = message;
        }
    }

    fn check_stmt(&self, checker: &mut Checker, stmt: &Stmt) {
        if let Stmt::FunctionDef(def) = stmt {
            record_double_consumers(checker, def);
            return;
        }
        if !checker
            .semantic()
            .scope(checker.scope())
            .kind
            .is_function_like()
        {
            return;
        }
        match stmt {
            Stmt::Assign(assign) => {
                let [Expr::Name(name)] = &assign.targets[..] else {
                    return;
                };
                // One lookup of a bare callee for both tests.
                let callee = LazyLookup::new(match &*assign.value {
                    Expr::Call(call) => call.func.as_name_expr(),
                    _ => None,
                });
                if let Some(what) = one_shot_with(checker, &assign.value, &callee) {
                    check_binding(checker, name, what, stmt.range(), None);
                } else {
                    match project_call(checker, name, &assign.value, &callee) {
                        Some(ProjectCall::Generator) => {
                            check_binding(checker, name, "generator", stmt.range(), None);
                        }
                        Some(ProjectCall::Elsewhere(call)) => {
                            // Maybe a generator of another module: the project decides.
                            let condition = Some(Condition::CallsGenerator { call });
                            check_binding(checker, name, "generator", stmt.range(), condition);
                        }
                        None => {}
                    }
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    let Some(Expr::Name(name)) = item.optional_vars.as_deref() else {
                        continue;
                    };
                    if let Some(what @ "file object") = one_shot(checker, &item.context_expr) {
                        check_binding(checker, name, what, item.range(), None);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What makes the value single-pass, if it is.
fn one_shot(checker: &Checker, value: &Expr) -> Option<&'static str> {
    let callee = LazyLookup::new(match value {
        Expr::Call(call) => call.func.as_name_expr(),
        _ => None,
    });
    one_shot_with(checker, value, &callee)
}

/// [`one_shot`], with the lookup of a bare callee shared with the caller.
fn one_shot_with(checker: &Checker, value: &Expr, callee: &LazyLookup) -> Option<&'static str> {
    match value {
        Expr::Generator(_) => Some("generator expression"),
        Expr::Call(call) => {
            let last = last_segment(&call.func)?;
            let known = ONE_SHOT_NAMES.contains(&last);
            if !known && !is_local_function(checker, callee) {
                return None;
            }
            match checker.resolve(&call.func)? {
                Resolved::Qualified(q) if known && ONE_SHOT_CALLS.contains(&q.as_str()) => {
                    Some(if last == "open" {
                        "file object"
                    } else {
                        "one-shot iterator"
                    })
                }
                Resolved::Function(f) if is_generator_def(checker.semantic(), f) => {
                    Some("generator")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A bare name bound by a `def` (a generator function is one of those).
fn is_local_function(checker: &Checker, callee: &LazyLookup) -> bool {
    let semantic = checker.semantic();
    matches!(callee.get(checker),
        Some(Lookup::Binding(b)) if matches!(semantic.binding(b).kind, BindingKind::FunctionDef { .. }))
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Consumption {
    Full,
    Partial,
    Other,
}

/// What a call bound to a local may return, as the summary knows it.
enum ProjectCall {
    /// A generator method of this module, on a tracked receiver (`self.items()`).
    Generator,
    /// A function of another module, or a method the module's classes do
    /// not define: the project decides.
    Elsewhere(CallRef),
}

/// `name = f(...)` where `f` is a generator method of this module or may
/// be a project function of another one, when the name is bound once and
/// read as if consumed (twice, for another module's).
fn project_call(
    checker: &Checker,
    name: &ast::ExprName,
    value: &Expr,
    callee: &LazyLookup,
) -> Option<ProjectCall> {
    let Expr::Call(call) = value else {
        return None;
    };
    let semantic = checker.semantic();
    // Builtins (`len(...)`, `str(...)`) are the commonest calls, and no project's.
    if callee.get(checker) == Some(Lookup::Builtin) {
        return None;
    }
    let symbol = semantic.symbol_in(checker.scope(), &name.id)?;
    if symbol.binding_count() != 1 || !symbol.is_local() {
        return None;
    }
    let consumptions = semantic
        .uses_of(symbol)
        .iter()
        .filter(|u| may_consume_fully(checker.source(), semantic.use_(**u).range))
        .take(2)
        .count();
    if consumptions == 0 {
        return None;
    }
    let (at, out) = checker.summary_call(call.range())?;
    match out.callee {
        Callee::Function(slot) => {
            let facts = checker.summary().interface.functions.get(slot as usize)?;
            facts.is_generator.then_some(ProjectCall::Generator)
        }
        // A consumption repeated by a loop is left to this module's generators.
        Callee::Qualified(_) | Callee::Method { .. } | Callee::Super { .. } if consumptions > 1 => {
            Some(ProjectCall::Elsewhere(at))
        }
        _ => None,
    }
}

/// `condition`: what the project must confirm (the value is a generator
/// only if the call reaches one); such a binding is not followed into calls.
fn check_binding(
    checker: &mut Checker,
    name: &ast::ExprName,
    what: &str,
    binding_stmt: TextRange,
    condition: Option<Condition>,
) {
    let semantic = checker.semantic();
    let scope = checker.scope();
    let Some(symbol) = semantic.symbol_in(scope, &name.id) else {
        return;
    };
    if symbol.binding_count() != 1 || !symbol.is_local() {
        return;
    }
    let module = checker.module();
    // The text before a use tells most reads apart before a descent:
    // consumptions and arguments come after `in`, `(`, `,`, `*`, `=`
    // (only consumptions matter when the value is not known to be one-shot).
    let wanted = if condition.is_some() {
        may_consume_fully
    } else {
        may_consume
    };
    let mut first: Option<(TextRange, Vec<Node>)> = None;
    for u in semantic.uses_of(symbol) {
        let u = semantic.use_(*u);
        if u.scope != scope
            || u.range.start() < binding_stmt.end()
            || !wanted(checker.source(), u.range)
        {
            continue;
        }
        let path = ancestors_of(module, u.range);
        if let [.., Node::Expr(Expr::Call(outer)), _] = path.as_slice() {
            if let (Some((position, keyword)), None) = (argument_slot(outer, u.range), &condition) {
                if consumption(checker, &path, u.range) == Consumption::Other {
                    let shown = format!("`{}`, a {what},", name.id);
                    defer_passed(checker, outer, position, keyword, &shown);
                }
            }
        }
        if consumption(checker, &path, u.range) != Consumption::Full {
            continue;
        }
        if stepped_inside_loop_over(&path, &name.id) {
            continue;
        }
        if let Some(repeat) = enclosing_loop(&path, binding_stmt) {
            report(checker, name, what, u.range, None, Some(repeat), condition);
            return;
        }
        match &first {
            None => first = Some((u.range, path)),
            Some((earlier, earlier_path)) => {
                if same_path(earlier_path, &path) {
                    let earlier = *earlier;
                    report(checker, name, what, u.range, Some(earlier), None, condition);
                    return;
                }
            }
        }
    }
}

fn report(
    checker: &mut Checker,
    name: &ast::ExprName,
    what: &str,
    range: TextRange,
    earlier: Option<TextRange>,
    in_loop: Option<TextRange>,
    condition: Option<Condition>,
) {
    let id = &name.id;
    let (message, related) = match (earlier, in_loop) {
        (Some(earlier), _) => (
            format!("`{id}` is a {what}, already consumed on line {}: this second pass sees nothing", checker.line_of(earlier.start())),
            Related { path: None, range: earlier, message: format!("`{id}` is consumed here first") },
        ),
        (None, Some(loop_range)) => (
            format!("`{id}` is a {what} consumed inside a loop: only the first iteration sees its items"),
            Related { path: None, range: loop_range, message: "the loop that repeats the consumption".to_string() },
        ),
        (None, None) => return,
    };
    let d = checker
        .report(message, range)
        .help(format!(
            "materialise it once (`{id} = list(...)`) or create a new iterator for each pass"
        ))
        .related(vec![related]);
    if let Some(condition) = condition {
        d.on_condition(condition);
    }
}

/// Where `arg` sits in the call's arguments: its position, or its keyword.
fn argument_slot(call: &ast::ExprCall, arg: TextRange) -> Option<(Option<u32>, Option<Name>)> {
    if let Some(i) = call.arguments.args.iter().position(|a| a.range() == arg) {
        // After a `*rest`, positions are unknown.
        if call.arguments.args[..i].iter().any(|a| a.is_starred_expr()) {
            return None;
        }
        return Some((Some(i as u32), None));
    }
    let keyword = call
        .arguments
        .keywords
        .iter()
        .find(|k| k.value.range() == arg)?;
    Some((None, Some(keyword.arg.as_ref()?.id.clone())))
}

/// The callee expression of a one-shot call (`map` in `map(f, xs)`).
fn last_func(expr: &Expr) -> TextRange {
    match expr {
        Expr::Call(c) => c.func.range(),
        other => other.range(),
    }
}

/// Defers `outer(..., it, ...)` to the cross-module phase when `outer` may
/// be a project function (whose parameter may be consumed twice).
fn defer_passed(
    checker: &mut Checker,
    outer: &ast::ExprCall,
    position: Option<u32>,
    keyword: Option<Name>,
    shown: &str,
) {
    let Some((call, out)) = checker.summary_call(outer.range()) else {
        return;
    };
    if matches!(out.callee, Callee::Class(_)) {
        return;
    }
    // A bound receiver shifts positions (the callee's kind decides by how much).
    let receiver = match &*outer.func {
        Expr::Attribute(a) => match checker.resolve(&a.value) {
            Some(Resolved::Instance(_)) => Receiver::Instance,
            Some(Resolved::Class(_)) => Receiver::Class,
            Some(Resolved::Qualified(q)) if q.ends_with("()") => Receiver::Instance,
            Some(Resolved::Qualified(_)) => Receiver::Class,
            _ => return,
        },
        _ => Receiver::None,
    };
    let callee = checker.slice(outer.func.range()).to_string();
    checker
        .report(
            format!("{shown} is passed to `{callee}`, which consumes"),
            outer.range(),
        )
        .help("pass a list (`list(...)`), or make the callee iterate once")
        .on_condition(Condition::PassesOneShot {
            call,
            position,
            keyword,
            receiver,
        });
}

/// Records, for the callers (in any module), the parameters of a function
/// or method that its body consumes fully twice on one path.
fn record_double_consumers(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let semantic = checker.semantic();
    let Some(scope) = checker.scope_of_node(def.range) else {
        return;
    };
    let Some(kind) = callable_kind(checker, scope) else {
        return;
    };
    let functions = &checker.summary().locations.functions;
    let Ok(slot) = functions.binary_search_by_key(&scope, |f| f.scope) else {
        return;
    };
    let params = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .chain(&def.parameters.kwonlyargs);
    // `self`/`cls` is the receiver: an iterator passed there is not followed.
    let receiver = usize::from(matches!(
        kind,
        CallableKind::Method | CallableKind::ClassMethod
    ));
    for (position, param) in params.enumerate().skip(receiver) {
        let name = &param.parameter.name.id;
        let Some(symbol) = semantic.symbol_in(scope, name) else {
            continue;
        };
        // Cheap first: one binding (the parameter) and a read that looks
        // like a consumption from the text before it (one is enough in a loop).
        if symbol.binding_count() != 1
            || !semantic
                .uses_of(symbol)
                .iter()
                .any(|u| may_consume_fully(checker.source(), semantic.use_(*u).range))
        {
            continue;
        }
        if double_consumption(
            checker,
            scope,
            name,
            semantic.uses_of(symbol),
            def.parameters.range.end(),
        )
        .is_some()
        {
            let position =
                if position < def.parameters.posonlyargs.len() + def.parameters.args.len() {
                    position as u32
                } else {
                    u32::MAX
                };
            checker.report(String::new(), def.name.range).on_condition(
                Condition::ConsumesParameterTwice {
                    function: slot as u32,
                    position,
                    name: name.clone(),
                    kind,
                },
            );
        }
    }
}

/// How calls line up with the `def`'s parameters: a function, or a method
/// by its decorator. `None` for what is not called with its parameters
/// (properties and their setters).
fn callable_kind(checker: &Checker, scope: pitfall_semantic::ScopeId) -> Option<CallableKind> {
    let semantic = checker.semantic();
    let in_class = semantic
        .scope(scope)
        .parent
        .is_some_and(|p| semantic.scope(p).kind == pitfall_semantic::ScopeKind::Class);
    if !in_class {
        return Some(CallableKind::Function);
    }
    let mut kind = CallableKind::Method;
    for decorator in &semantic.scope(scope).decorators {
        let callee = decorator.callee();
        let last = match callee.segments.last() {
            Some(pitfall_semantic::PathSegment::Attr(a)) => a.as_str(),
            Some(pitfall_semantic::PathSegment::Call) => continue,
            None => callee.root.as_str(),
        };
        match last {
            "staticmethod" | "classmethod" => {
                let resolved = semantic.resolve_path(&callee, 0);
                match resolved.as_ref().and_then(Resolved::qualified) {
                    Some("builtins.staticmethod") => kind = CallableKind::StaticMethod,
                    Some("builtins.classmethod") => kind = CallableKind::ClassMethod,
                    _ => {}
                }
            }
            "property" | "cached_property" | "setter" | "getter" | "deleter" => return None,
            _ => {}
        }
    }
    Some(kind)
}

/// Whether the text before a use could make it a full consumption: `in x`
/// (a loop or comprehension), `f(x`, `f(a, x`, `*x`, `a, b = x`.
fn may_consume(source: &str, use_range: TextRange) -> bool {
    let before = source[..use_range.start().to_usize()].trim_end();
    before.ends_with(" in")
        || before.ends_with(" from")
        || before.ends_with('(')
        || before.ends_with(',')
        || before.ends_with('*')
        || before.ends_with('=') && !before.ends_with("==")
}

/// Whether the text before a use could make it a full consumption (the
/// arguments of other calls aside): `in x`, `from x`, `*x`, `a, b = x`,
/// `list(x`, `",".join(x`, `Counter(x`.
fn may_consume_fully(source: &str, use_range: TextRange) -> bool {
    let before = source[..use_range.start().to_usize()].trim_end();
    if before.ends_with(" in")
        || before.ends_with(" from")
        || before.ends_with('*')
        || before.ends_with('=') && !before.ends_with("==")
    {
        return true;
    }
    let Some(callee) = before.strip_suffix('(') else {
        return false;
    };
    // The identifier before `(` (a byte scan: this runs for most calls).
    let callee = callee.trim_end();
    let start = callee
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .map_or(0, |i| i + 1);
    let name = &callee[start..];
    FULL_CONSUMERS.contains(&name) || matches!(name, "join" | "Counter")
}

/// A second full consumption of `name` (uses after `after`, in `scope`) on
/// one path, or a full consumption repeated by a loop.
fn double_consumption(
    checker: &Checker,
    scope: pitfall_semantic::ScopeId,
    name: &Name,
    uses: &[pitfall_semantic::UseId],
    after: ruff_text_size::TextSize,
) -> Option<(TextRange, Option<TextRange>, Option<TextRange>)> {
    let semantic = checker.semantic();
    let module = checker.module();
    let mut first: Option<(TextRange, Vec<Node>)> = None;
    for u in uses {
        let u = semantic.use_(*u);
        if u.scope != scope
            || u.range.start() < after
            || !may_consume_fully(checker.source(), u.range)
        {
            continue;
        }
        let path = ancestors_of(module, u.range);
        if consumption(checker, &path, u.range) != Consumption::Full {
            continue;
        }
        if stepped_inside_loop_over(&path, name) {
            continue;
        }
        if let Some(repeat) = enclosing_loop(&path, TextRange::empty(after)) {
            return Some((u.range, None, Some(repeat)));
        }
        match &first {
            None => first = Some((u.range, path)),
            Some((earlier, earlier_path)) => {
                if same_path(earlier_path, &path) {
                    return Some((u.range, Some(*earlier), None));
                }
            }
        }
    }
    None
}

/// The parameter of project function `target` at `position` (or named
/// `keyword`) if its body consumes it twice.
fn consumed_twice(
    cx: &ProjectChecker,
    target: FunctionRef,
    position: Option<u32>,
    keyword: Option<&Name>,
    receiver: Receiver,
) -> Option<Name> {
    let mut found = None;
    cx.read_deferred(target.module, &mut |all| {
        found = all.iter().find_map(|d| match &d.condition {
            Some(Condition::ConsumesParameterTwice {
                function,
                position: p,
                name,
                kind,
            }) if *function == target.function => {
                let bound = kind.bound_parameters(receiver)?;
                let by_position = position.is_some_and(|at| at.checked_add(bound) == Some(*p));
                // `self`/`cls` is bound by the receiver, never by keyword.
                let by_keyword = keyword == Some(name) && (bound == 0 || *p != 0);
                (by_position || by_keyword).then(|| name.clone())
            }
            _ => None,
        });
    });
    found
}

/// How the use at the end of `path` consumes the iterator.
fn consumption(checker: &Checker, path: &[Node], use_range: TextRange) -> Consumption {
    let n = path.len();
    if n < 2 {
        return Consumption::Other;
    }
    match path[n - 2] {
        Node::Stmt(Stmt::For(for_)) if for_.iter.range() == use_range => {
            if breaks(&for_.body) {
                Consumption::Partial
            } else {
                Consumption::Full
            }
        }
        Node::Stmt(Stmt::Assign(a))
            if a.value.range() == use_range
                && a.targets
                    .iter()
                    .any(|t| matches!(t, Expr::Tuple(_) | Expr::List(_))) =>
        {
            Consumption::Full
        }
        Node::Expr(Expr::Starred(_)) | Node::Expr(Expr::YieldFrom(_)) => Consumption::Full,
        Node::Expr(Expr::ListComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::SetComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::DictComp(c)) if c.generators[0].iter.range() == use_range => {
            Consumption::Full
        }
        Node::Expr(Expr::Generator(g)) if g.generators[0].iter.range() == use_range => {
            // A generator over it consumes it as far as its own consumer does.
            match n.checked_sub(3).map(|i| path[i]) {
                Some(Node::Expr(Expr::Call(call))) => call_consumption(checker, call, g.range),
                _ => Consumption::Other,
            }
        }
        Node::Expr(Expr::Call(call)) => call_consumption(checker, call, use_range),
        _ => Consumption::Other,
    }
}

fn call_consumption(checker: &Checker, call: &ast::ExprCall, arg: TextRange) -> Consumption {
    if !call.arguments.args.iter().any(|a| a.range() == arg) {
        return Consumption::Other;
    }
    match &*call.func {
        Expr::Name(n) => {
            let name = n.id.as_str();
            if FULL_CONSUMERS.contains(&name) && is_builtin(checker, &call.func, name) {
                Consumption::Full
            } else if matches!(name, "next" | "any" | "all") {
                Consumption::Partial
            } else if name == "Counter"
                && checker.qualified_name(&call.func).as_deref() == Some("collections.Counter")
            {
                Consumption::Full
            } else {
                Consumption::Other
            }
        }
        Expr::Attribute(a) if a.attr.id.as_str() == "join" => Consumption::Full,
        Expr::Attribute(a) if a.attr.id.as_str() == "Counter" => {
            if checker.qualified_name(&call.func).as_deref() == Some("collections.Counter") {
                Consumption::Full
            } else {
                Consumption::Other
            }
        }
        _ => Consumption::Other,
    }
}

/// A `break` of this loop (not of a nested one, not in a nested function).
fn breaks(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Break(_) => true,
        Stmt::If(i) => breaks(&i.body) || i.elif_else_clauses.iter().any(|c| breaks(&c.body)),
        Stmt::With(w) => breaks(&w.body),
        Stmt::Try(t) => {
            breaks(&t.body)
                || breaks(&t.orelse)
                || breaks(&t.finalbody)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    breaks(&h.body)
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| breaks(&c.body)),
        _ => false,
    })
}

/// The use is inside a loop over the same iterator (above the use's own
/// two nodes): deliberate stepping, as a tokenizer's inner loop that takes
/// the rest.
fn stepped_inside_loop_over(path: &[Node], name: &str) -> bool {
    path.iter()
        .rev()
        .skip(2)
        .any(|n| matches!(n, Node::Stmt(Stmt::For(f)) if iterates_name(&f.iter, name)))
}

/// `for x in it`, `for i, x in enumerate(it)`, `for a, b in zip(it, ...)`.
fn iterates_name(iter: &Expr, name: &str) -> bool {
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == name);
    match iter {
        Expr::Call(call) => call.arguments.args.iter().any(is_name),
        other => is_name(other),
    }
}

/// A loop of the function around the use that does not also hold the
/// binding, and that the use does not leave (`yield list(it); return`).
fn enclosing_loop(path: &[Node], binding: TextRange) -> Option<TextRange> {
    for (i, node) in path.iter().enumerate().rev().skip(1) {
        match node {
            Node::Stmt(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) | Node::Expr(Expr::Lambda(_)) => {
                return None
            }
            Node::Stmt(s @ (Stmt::For(_) | Stmt::While(_))) => {
                if s.range().contains_range(binding) {
                    return None;
                }
                // The loop's own iterable is evaluated once.
                if let Stmt::For(f) = s {
                    if f.iter.range().contains_range(path[path.len() - 1].range()) {
                        continue;
                    }
                }
                if leaves_after(&path[i..]) {
                    return None;
                }
                return Some(s.range());
            }
            _ => {}
        }
    }
    None
}

/// Whether the second use runs after the first on some path: they are not in
/// different branches of one `if`/`try`/`match`, and the first's block does
/// not leave (return, raise, break, continue) right after it.
fn same_path<'a>(first: &[Node<'a>], second: &[Node<'a>]) -> bool {
    // The deepest statement containing both.
    let common = first
        .iter()
        .zip(second.iter())
        .take_while(|(a, b)| a.range() == b.range())
        .count();
    if common == 0 {
        return true;
    }
    // The statements right below the common ancestor, on each side.
    let below = |path: &[Node<'a>]| -> Option<&'a Stmt> {
        path[common..].iter().find_map(|n| match n {
            Node::Stmt(s) => Some(*s),
            _ => None,
        })
    };
    let (Some(a), Some(b)) = (below(first), below(second)) else {
        return true;
    };
    let container = first[..common]
        .iter()
        .rev()
        .find(|n| !matches!(n, Node::Expr(_)));
    let block_of = |s: &Stmt| match container {
        Some(Node::Stmt(parent)) => position_in(parent, s).map(|(body, _)| body.as_ptr()),
        Some(Node::ExceptHandler(h)) => position_in_handler(h, s).map(|(body, _)| body.as_ptr()),
        _ => None,
    };
    if let (Some(Node::Stmt(Stmt::If(_) | Stmt::Try(_) | Stmt::Match(_))), Some(x), Some(y)) =
        (container, block_of(a), block_of(b))
    {
        if x != y {
            return false;
        }
    }
    // After the first use, does its branch leave before reaching the second?
    !leaves_after(&first[common..])
}

/// Some statement on the way down from the common ancestor to the first use
/// is, or is followed in its block by, a jump.
fn leaves_after(below: &[Node]) -> bool {
    let stmts: Vec<&Stmt> = below
        .iter()
        .filter_map(|n| match n {
            Node::Stmt(s) => Some(*s),
            _ => None,
        })
        .collect();
    for pair in stmts.windows(2) {
        let (parent, child) = (pair[0], pair[1]);
        if let Some((body, i)) = position_in(parent, child) {
            if body[i..].iter().any(|s| {
                matches!(
                    s,
                    Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
                )
            }) {
                return true;
            }
        }
    }
    stmts
        .last()
        .is_some_and(|s| matches!(s, Stmt::Return(_) | Stmt::Raise(_)))
}
