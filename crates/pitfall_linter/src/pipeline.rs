//! One file from source text to diagnostics, without the database: the same
//! steps the salsa queries run, for tests and tools that lint a snippet.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::{parse_unchecked_source, Parsed};
use ruff_text_size::{TextRange, TextSize};

use crate::checker::{lint, LintInput};
use crate::diagnostic::Diagnostic;
use crate::registry::RuleId;
use crate::settings::LinterSettings;
use crate::summary::{blocking_facts, summarize, BlockingOptions};
use crate::suppression::Suppressions;

/// Deeper nesting than this is reported as PF003 and the file is skipped:
/// the parser and our walks recurse, and CPython itself stops near 200.
pub const MAX_NESTING: usize = 200;

pub fn parse(source: &str, is_stub: bool) -> Parsed<ModModule> {
    let source_type = if is_stub {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    parse_unchecked_source(source, source_type)
}

/// Bracket and block depth, from the tokens. The parser grows its stack as
/// it recurses, but our own walks recurse on the tree too, so a file nested
/// deeper than [`MAX_NESTING`] is reported (PF003) instead of analysed.
pub fn nesting_depth(tokens: &Tokens) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for token in tokens.iter() {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace | TokenKind::Indent => {
                depth += 1;
                max = max.max(depth);
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace | TokenKind::Dedent => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    max
}

pub fn blocking_options(settings: &LinterSettings) -> BlockingOptions {
    let Some(rule) = RuleId::from_code("PF101") else {
        return BlockingOptions::default();
    };
    BlockingOptions {
        extra_blocking_calls: settings
            .options
            .string_list(rule, "extra-blocking-calls")
            .to_vec(),
        allowed_calls: settings.options.string_list(rule, "allowed-calls").to_vec(),
    }
}

/// Turns parse errors into PF001 diagnostics.
pub fn syntax_diagnostics(parsed: &Parsed<ModModule>) -> Vec<Diagnostic> {
    let rule = RuleId::from_code("PF001").expect("PF001 is registered");
    parsed
        .errors()
        .iter()
        .map(|e| Diagnostic::new(rule, format!("SyntaxError: {}", e.error), e.location))
        .collect()
}

pub fn too_complex_diagnostic(depth: usize) -> Diagnostic {
    let rule = RuleId::from_code("PF003").expect("PF003 is registered");
    Diagnostic::new(
        rule,
        format!("File nested {depth} levels deep (limit {MAX_NESTING}); not analysed"),
        TextRange::empty(TextSize::new(0)),
    )
}

/// Lints a source text with the given settings: parse, index, summarise,
/// run the rules, apply suppressions.
pub fn lint_source(source: &str, settings: &LinterSettings, path: &str) -> Vec<Diagnostic> {
    let is_stub = path.ends_with(".pyi");
    let parsed = parse(source, is_stub);
    let depth = nesting_depth(parsed.tokens());
    if depth > MAX_NESTING {
        return vec![too_complex_diagnostic(depth)];
    }
    let semantic = pitfall_semantic::build_index(parsed.syntax());
    let summary = summarize(&semantic, &blocking_options(settings));
    let facts = blocking_facts(&summary);
    check_parsed(
        &parsed,
        &LintInput {
            source,
            module: parsed.syntax(),
            semantic: &semantic,
            summary: &summary,
            blocking: &facts,
            settings,
            display_path: path,
            is_stub,
        },
    )
}

/// The step `lint_source` and the database's `lint_file` share: syntax
/// errors, the rules, then suppressions.
pub fn check_parsed(parsed: &Parsed<ModModule>, input: &LintInput) -> Vec<Diagnostic> {
    let mut diagnostics = syntax_diagnostics(parsed);
    diagnostics.extend(lint(input));
    apply_suppressions(parsed, input.source, input.settings, diagnostics)
}

/// Filters suppressed findings and adds PF004 for unused suppressions when enabled.
pub fn apply_suppressions(
    parsed: &Parsed<ModModule>,
    source: &str,
    settings: &LinterSettings,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let suppressions = Suppressions::from_tokens(parsed.tokens(), source);
    let mut kept = suppressions.filter(diagnostics);
    let unused_rule = RuleId::from_code("PF004").expect("PF004 is registered");
    if settings.rules.contains(unused_rule) && !suppressions.ignores_file() {
        for u in suppressions.unused() {
            kept.push(Diagnostic::new(unused_rule, u.message, u.range));
        }
        kept.sort_by_key(|d| (d.range.start(), d.rule));
    }
    kept
}
