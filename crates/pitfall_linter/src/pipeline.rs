//! One file from source text to diagnostics, without the database: the same
//! steps the salsa queries run, for tests and tools that lint a snippet.

use ruff_python_ast::token::{Token, TokenKind, Tokens};
use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::{parse_unchecked_source, Parsed};
use ruff_text_size::{TextRange, TextSize};

use crate::checker::{lint_counting, LintInput};
use crate::diagnostic::{Diagnostic, DocCoverage};
use crate::registry::RuleId;
use crate::rule::Interests;
use crate::settings::LinterSettings;
use crate::summary::BlockingOptions;
use crate::suppression::{SuppressionTable, Suppressions};

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

/// The bracket and block depth, from the tokens, when it exceeds
/// [`MAX_NESTING`]; `None` when it does not. The parser grows its stack as
/// it recurses, but our own walks recurse on the tree too, so a file nested
/// deeper is reported (PF003) instead of analysed. A close without its open
/// (in code that does not parse) leaves the depth at zero.
pub fn excess_nesting(tokens: &Tokens) -> Option<usize> {
    // Every file pays this scan over all its tokens. The depth moves by at
    // most one per token, so a chunk that starts too shallow to pass the
    // limit only follows the depth; the deepest point is tracked in the
    // others, which is exact wherever it passes the limit.
    const CHUNK: usize = 64;
    let limit = MAX_NESTING as i32;
    let mut depth = 0i32;
    let mut deepest = 0i32;
    for chunk in tokens.chunks(CHUNK) {
        if depth + CHUNK as i32 <= limit {
            for token in chunk {
                depth = (depth + nesting_delta(token)).max(0);
            }
        } else {
            for token in chunk {
                depth = (depth + nesting_delta(token)).max(0);
                deepest = deepest.max(depth);
            }
        }
    }
    (deepest > limit).then_some(deepest as usize)
}

#[inline(always)]
fn nesting_delta(token: &Token) -> i32 {
    i32::from(NESTING_DELTA[token.kind() as u8 as usize])
}

/// How each token kind changes the nesting depth, by `TokenKind as u8`.
static NESTING_DELTA: [i8; 256] = {
    let mut delta = [0i8; 256];
    let opens = [
        TokenKind::Lpar,
        TokenKind::Lsqb,
        TokenKind::Lbrace,
        TokenKind::Indent,
    ];
    let closes = [
        TokenKind::Rpar,
        TokenKind::Rsqb,
        TokenKind::Rbrace,
        TokenKind::Dedent,
    ];
    let mut i = 0;
    while i < opens.len() {
        delta[opens[i] as u8 as usize] = 1;
        delta[closes[i] as u8 as usize] = -1;
        i += 1;
    }
    delta
};

/// Whether some enabled rule is called by the walk. When none is (only
/// the tool codes, `--select PF001`), there is no walk and no semantic
/// index for one.
pub fn walks_tree(settings: &LinterSettings) -> bool {
    settings.rules.iter().any(|id| {
        // Every field, so that a new kind of interest cannot be missed here.
        let Interests {
            stmts,
            exprs,
            except_handlers,
            module_end,
            callees,
            call_names,
        } = id.rule().interests();
        stmts != 0
            || exprs != 0
            || except_handlers
            || module_end
            || !callees.is_empty()
            || !call_names.is_empty()
    })
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

/// Lints a source text with the given settings: a project of one file
/// (local rules, the cross-module phase over its own functions, suppressions).
pub fn lint_source(source: &str, settings: &LinterSettings, path: &str) -> Vec<Diagnostic> {
    let file = crate::project::SourceInput {
        path: std::path::Path::new(path),
        display_path: path,
        source,
        settings,
    };
    crate::project::lint_project(&[file], &[])
        .pop()
        .unwrap_or_default()
}

/// What the local step finds in one file.
pub struct LocalFindings {
    pub diagnostics: Vec<Diagnostic>,
    /// For the findings of the cross-module phase.
    pub suppressions: SuppressionTable,
    pub doc_coverage: Option<DocCoverage>,
}

/// The local step of the database's `lint_file`: syntax errors, the rules,
/// then suppressions. The suppressions come back as a table, for the
/// findings of the cross-module phase, which runs later without the AST.
pub fn check_parsed(parsed: &Parsed<ModModule>, input: &LintInput) -> LocalFindings {
    let mut diagnostics = syntax_diagnostics(parsed);
    let (found, doc_coverage) = if walks_tree(input.settings) {
        lint_counting(input)
    } else {
        (Vec::new(), None)
    };
    diagnostics.extend(found);
    let suppressions = Suppressions::from_tokens(parsed.tokens(), input.source);
    let table = suppressions.table(input.source);
    LocalFindings {
        diagnostics: filter_suppressed(&suppressions, input.settings, diagnostics),
        suppressions: table,
        doc_coverage,
    }
}

/// Filters suppressed findings and adds PF004 for unused suppressions when enabled.
pub fn apply_suppressions(
    parsed: &Parsed<ModModule>,
    source: &str,
    settings: &LinterSettings,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let suppressions = Suppressions::from_tokens(parsed.tokens(), source);
    filter_suppressed(&suppressions, settings, diagnostics)
}

fn filter_suppressed(
    suppressions: &Suppressions,
    settings: &LinterSettings,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn excess(source: &str) -> Option<usize> {
        excess_nesting(parse(source, false).tokens())
    }

    /// `depth` levels of brackets around `1`, after `prefix`.
    fn nested(prefix: &str, depth: usize) -> String {
        format!("{prefix}x = {}1{}\n", "(".repeat(depth), ")".repeat(depth))
    }

    #[test]
    fn nesting_is_measured_past_the_limit_only() {
        assert_eq!(excess("x = 1\n"), None);
        assert_eq!(excess(&nested("", MAX_NESTING)), None);
        assert_eq!(excess(&nested("", MAX_NESTING + 1)), Some(MAX_NESTING + 1));
        assert_eq!(excess(&nested("", 300)), Some(300));
        // Blocks count as levels too, and a deep point late in a long file.
        let long = "y = [1, 2, 3]\n".repeat(500);
        let deep = nested(&format!("{long}if a:\n    "), MAX_NESTING);
        assert_eq!(excess(&deep), Some(MAX_NESTING + 1));
    }

    #[test]
    fn only_the_tool_codes_need_no_walk() {
        let with = |codes: &[&str]| {
            let mut settings = LinterSettings {
                rules: crate::selector::RuleSet::EMPTY,
                ..LinterSettings::default()
            };
            for code in codes {
                settings.rules.insert(RuleId::from_code(code).unwrap());
            }
            walks_tree(&settings)
        };
        assert!(!with(&[]));
        assert!(!with(&["PF001", "PF002", "PF003", "PF004"]));
        assert!(with(&["PF001", "PF201"]));
        assert!(with(&["PF101"]));
        assert!(walks_tree(&LinterSettings::default()));
    }

    #[test]
    fn a_close_without_its_open_stays_at_zero() {
        // Stray closes do not lower the depth the brackets after them reach.
        let stray = ")]}".repeat(100);
        assert_eq!(excess(&nested(&format!("{stray}\n"), 250)), Some(250));
    }
}
