//! The single list of rules. Adding a rule: write its file, add one line here.

use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::rule::Rule;
use crate::rules;

/// Every rule pitfall knows, in code order.
static RULES: &[&dyn Rule] = &[
    &rules::tool::SyntaxError,
    &rules::tool::UnreadableFile,
    &rules::tool::TooComplex,
    &rules::tool::UnusedSuppression,
    &rules::pf1_async::blocking_call_in_async::BlockingCallInAsync,
    &rules::pf1_async::coroutine_not_awaited::CoroutineNotAwaited,
    &rules::pf1_async::dangling_asyncio_task::DanglingAsyncioTask,
    &rules::pf1_async::unsynchronized_shared_state::UnsynchronizedSharedState,
    &rules::pf1_async::multiprocessing_without_main_guard::MultiprocessingWithoutMainGuard,
    &rules::pf1_async::cancelled_error_not_reraised::CancelledErrorNotReraised,
    &rules::pf1_async::asyncio_run_in_coroutine::AsyncioRunInCoroutine,
    &rules::pf1_async::lock_reacquired_while_held::LockReacquiredWhileHeld,
    &rules::pf1_async::unpicklable_process_target::UnpicklableProcessTarget,
    &rules::pf2_exceptions::bare_except::BareExcept,
    &rules::pf2_exceptions::exception_swallowed::ExceptionSwallowed,
    &rules::pf2_exceptions::broad_exception_caught::BroadExceptionCaught,
    &rules::pf2_exceptions::raise_without_from::RaiseWithoutFrom,
    &rules::pf2_exceptions::assert_for_validation::AssertForValidation,
    &rules::pf2_exceptions::retry_swallows_final_error::RetrySwallowsFinalError,
    &rules::pf2_exceptions::unreachable_except_clause::UnreachableExceptClause,
    &rules::pf2_exceptions::jump_in_finally::JumpInFinally,
    &rules::pf3_scopes::builtin_shadowing::BuiltinShadowing,
    &rules::pf3_scopes::unbound_local_variable::UnboundLocalVariable,
    &rules::pf3_scopes::late_binding_closure::LateBindingClosure,
    &rules::pf3_scopes::missing_nonlocal::MissingNonlocal,
    &rules::pf3_scopes::stdlib_module_shadowing::StdlibModuleShadowing,
    &rules::pf4_functions::mutable_default_argument::MutableDefaultArgument,
    &rules::pf4_functions::mutable_dataclass_default::MutableDataclassDefault,
    &rules::pf4_functions::mutable_class_attribute::MutableClassAttribute,
    &rules::pf4_functions::identity_comparison_with_literal::IdentityComparisonWithLiteral,
    &rules::pf4_functions::none_comparison_with_equality::NoneComparisonWithEquality,
    &rules::pf4_functions::mutation_during_iteration::MutationDuringIteration,
    &rules::pf4_functions::iterator_reused::IteratorReused,
    &rules::pf4_functions::decorator_missing_wraps::DecoratorMissingWraps,
    &rules::pf4_functions::type_comparison::TypeComparison,
    &rules::pf4_functions::naive_datetime::NaiveDatetime,
    &rules::pf4_functions::unhashable_key::UnhashableKey,
    &rules::pf5_resources::open_without_context_manager::OpenWithoutContextManager,
    &rules::pf5_resources::lock_acquire_without_with::LockAcquireWithoutWith,
    &rules::pf5_resources::eager_file_read::EagerFileRead,
    &rules::pf5_resources::request_without_timeout::RequestWithoutTimeout,
    &rules::pf5_resources::connection_not_closed::ConnectionNotClosed,
    &rules::pf5_resources::contextmanager_without_finally::ContextmanagerWithoutFinally,
    &rules::pf5_resources::unspecified_encoding::UnspecifiedEncoding,
    &rules::pf6_performance::lru_cache_on_method::LruCacheOnMethod,
    &rules::pf6_performance::unbounded_module_cache::UnboundedModuleCache,
    &rules::pf6_performance::list_comprehension_in_reduction::ListComprehensionInReduction,
    &rules::pf7_security::eval_or_exec::EvalOrExec,
    &rules::pf7_security::sql_string_formatting::SqlStringFormatting,
    &rules::pf7_security::shell_command_injection::ShellCommandInjection,
    &rules::pf7_security::unsafe_deserialization::UnsafeDeserialization,
    &rules::pf7_security::unsafe_yaml_load::UnsafeYamlLoad,
    &rules::pf7_security::hardcoded_secret::HardcodedSecret,
    &rules::pf7_security::weak_password_hash::WeakPasswordHash,
    &rules::pf7_security::tls_verification_disabled::TlsVerificationDisabled,
    &rules::pf7_security::insecure_tempfile::InsecureTempfile,
    &rules::pf7_security::insecure_random_for_secrets::InsecureRandomForSecrets,
    &rules::pf7_security::debug_mode_enabled::DebugModeEnabled,
    &rules::pf7_security::template_autoescape_disabled::TemplateAutoescapeDisabled,
    &rules::pf8_logging::print_instead_of_logging::PrintInsteadOfLogging,
    &rules::pf8_logging::exception_logged_without_traceback::ExceptionLoggedWithoutTraceback,
    &rules::pf8_logging::debugger_left_in_code::DebuggerLeftInCode,
    &rules::pf8_logging::env_var_truthiness::EnvVarTruthiness,
    &rules::pf9_design::circular_import::CircularImport,
    &rules::pf9_design::missing_main_guard::MissingMainGuard,
    &rules::pf9_design::wildcard_import::WildcardImport,
    &rules::pf9_design::method_missing_self::MethodMissingSelf,
    &rules::pf9_design::unresolved_project_import::UnresolvedProjectImport,
    &rules::pf9_design::missing_public_docstring::MissingPublicDocstring,
    &rules::pf9_design::docstring_param_mismatch::DocstringParamMismatch,
    &rules::pf9_design::self_recursive_attribute_access::SelfRecursiveAttributeAccess,
    &rules::pf9_design::sys_path_modification::SysPathModification,
];

/// An index into the registry; cheap to copy and hash.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(u16);

impl RuleId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub fn rule(self) -> &'static dyn Rule {
        RULES[self.index()]
    }

    pub fn meta(self) -> &'static RuleMeta {
        self.rule().meta()
    }

    pub fn iter() -> impl Iterator<Item = RuleId> {
        (0..RULES.len() as u16).map(RuleId)
    }

    pub fn from_code(code: &str) -> Option<RuleId> {
        RuleId::iter().find(|id| id.meta().code.eq_ignore_ascii_case(code))
    }

    /// A code (`PF401`) or a kebab-case name (`mutable-default-argument`).
    pub fn from_code_or_name(text: &str) -> Option<RuleId> {
        RuleId::iter().find(|id| {
            let m = id.meta();
            m.code.eq_ignore_ascii_case(text) || m.name == text
        })
    }

    /// The registry entry for a rule value, by its metadata's code.
    pub fn of(meta: &RuleMeta) -> RuleId {
        RuleId::from_code(meta.code).expect("rule is registered")
    }
}

pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Shorthand for a rule's metadata block.
#[allow(clippy::too_many_arguments)]
pub const fn rule_meta(
    code: &'static str,
    name: &'static str,
    family: Family,
    tier: Tier,
    fix: FixAvailability,
    peers: &'static [&'static str],
    summary: &'static str,
) -> RuleMeta {
    RuleMeta {
        code,
        name,
        family,
        tier,
        default_enabled: !matches!(tier, Tier::Extended),
        fix,
        peers,
        summary,
        options: &[],
    }
}
