//! Applying fixes to a text: choosing fixes whose edits do not conflict,
//! applying them, and the loop that lints the fixed text again and applies
//! what is left until nothing is, as `ruff check --fix` does. Pure: the CLI
//! and the language server both drive it with their own way to lint.

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::RuleId;

/// Passes of the fix loop before it gives up on a file. A fix that keeps
/// finding work after this many passes does not converge.
pub const MAX_FIX_PASSES: usize = 100;

/// Whether unsafe fixes are applied (and shown as available), as ruff's
/// `--unsafe-fixes`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum UnsafeFixes {
    #[default]
    Disabled,
    Enabled,
}

impl UnsafeFixes {
    pub fn admits(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == UnsafeFixes::Enabled,
        }
    }

    /// The diagnostic's fix, if this setting applies it.
    pub fn applicable(self, diagnostic: &Diagnostic) -> Option<&Fix> {
        diagnostic
            .fix
            .as_ref()
            .filter(|fix| !fix.edits.is_empty() && self.admits(fix.applicability))
    }
}

/// The result of one pass: the new text and the rules whose fixes it
/// applied (one entry per diagnostic fixed).
#[derive(Debug, PartialEq, Eq)]
pub struct FixedText {
    pub text: String,
    pub applied: Vec<RuleId>,
}

/// Applies the admitted fixes of `diagnostics` that do not conflict with
/// one applied before it (fixes are taken in order of their first edit).
/// A fix is applied whole or not at all; an edit identical to one already
/// applied is shared (two findings that insert the same import). Two edits
/// conflict when they overlap, or insert at the same offset (their order
/// would be a guess). A fix with edits out of bounds, off a character
/// boundary or overlapping each other is skipped, never a panic. Inserted
/// line breaks follow the text's own (`\r\n` in a CRLF file).
/// `None` when nothing applies or the text would not change.
pub fn apply_fixes<'a>(
    source: &str,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    unsafe_fixes: UnsafeFixes,
) -> Option<FixedText> {
    let mut candidates: Vec<(&Diagnostic, Vec<&Edit>)> = diagnostics
        .into_iter()
        .filter_map(|d| {
            let fix = unsafe_fixes.applicable(d)?;
            let mut edits: Vec<&Edit> = fix.edits.iter().collect();
            edits.sort_by_key(|e| (e.range.start(), e.range.end()));
            is_well_formed(source, &edits).then_some((d, edits))
        })
        .collect();
    candidates.sort_by_key(|(d, edits)| (edits[0].range.start(), d.rule));

    let mut accepted: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for (d, edits) in candidates {
        let new: Vec<&Edit> = edits
            .iter()
            .copied()
            .filter(|e| !accepted.contains(e))
            .collect();
        if new
            .iter()
            .any(|e| accepted.iter().any(|a| conflicts(a.range, e.range)))
        {
            continue;
        }
        accepted.extend(new);
        applied.push(d.rule);
    }
    if accepted.is_empty() {
        return None;
    }
    accepted.sort_by_key(|e| (e.range.start(), e.range.end()));

    let line_ending = line_ending(source);
    let mut text = String::with_capacity(source.len());
    let mut last = 0usize;
    for edit in accepted {
        text.push_str(&source[last..edit.range.start().to_usize()]);
        push_with_line_ending(&mut text, &edit.content, line_ending);
        last = edit.range.end().to_usize();
    }
    text.push_str(&source[last..]);
    (text != source).then_some(FixedText { text, applied })
}

/// Two edits' ranges overlap, or both insert at the same offset.
fn conflicts(a: TextRange, b: TextRange) -> bool {
    let overlap = a.start() < b.end() && b.start() < a.end();
    let same_insertion = a.is_empty() && b.is_empty() && a.start() == b.start();
    overlap || same_insertion
}

/// Sorted edits within the text, on character boundaries, not overlapping.
fn is_well_formed(source: &str, edits: &[&Edit]) -> bool {
    let in_text = |offset: TextSize| {
        offset.to_usize() <= source.len() && source.is_char_boundary(offset.to_usize())
    };
    !edits.is_empty()
        && edits
            .iter()
            .all(|e| in_text(e.range.start()) && in_text(e.range.end()))
        && edits.windows(2).all(|w| !conflicts(w[0].range, w[1].range))
}

/// The text's first line break (`\n` when it has none).
fn line_ending(source: &str) -> &'static str {
    match source.find(['\n', '\r']) {
        Some(i) if source[i..].starts_with("\r\n") => "\r\n",
        Some(i) if source.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

fn push_with_line_ending(out: &mut String, content: &str, line_ending: &str) {
    if line_ending == "\n" || !content.contains('\n') {
        out.push_str(content);
        return;
    }
    let mut rest = content;
    while let Some(i) = rest.find('\n') {
        let line = &rest[..i];
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push_str(line_ending);
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Why a file was left as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixFailure {
    /// The fixes of these rules, applied together, made a syntax error.
    SyntaxError { rules: Vec<RuleId>, error: String },
    /// These rules still had fixes to apply after [`MAX_FIX_PASSES`] passes.
    NotConverged { rules: Vec<RuleId> },
}

impl FixFailure {
    fn rules(&self) -> &[RuleId] {
        match self {
            FixFailure::SyntaxError { rules, .. } | FixFailure::NotConverged { rules } => rules,
        }
    }

    /// The rule codes involved, for a message: `PF201, PF401`.
    pub fn rule_codes(&self) -> String {
        let mut codes: Vec<&str> = self.rules().iter().map(|r| r.meta().code).collect();
        codes.sort_unstable();
        codes.dedup();
        codes.join(", ")
    }
}

impl std::fmt::Display for FixFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixFailure::SyntaxError { error, .. } => write!(
                f,
                "fixes for {} introduced a syntax error ({error}); the file was left unchanged. This is a bug in pitfall: please report it",
                self.rule_codes()
            ),
            FixFailure::NotConverged { .. } => write!(
                f,
                "fixes for {} did not converge after {MAX_FIX_PASSES} passes; the file was left unchanged. This is a bug in pitfall: please report it",
                self.rule_codes()
            ),
        }
    }
}

/// What the fix loop did to one text.
#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text; `None` when nothing changed (or a fix failed).
    pub text: Option<String>,
    /// The diagnostics fixed, per rule, by code.
    pub fixed: Vec<(RuleId, usize)>,
    /// The diagnostics of the resulting text (of the original one when
    /// nothing changed).
    pub diagnostics: Vec<Diagnostic>,
    pub failure: Option<FixFailure>,
}

impl FixOutcome {
    pub fn fixed_count(&self) -> usize {
        self.fixed.iter().map(|(_, n)| n).sum()
    }
}

fn syntax_errors(diagnostics: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    let pf001 = RuleId::from_code("PF001");
    diagnostics.iter().filter(move |d| Some(d.rule) == pf001)
}

/// Applies fixes to `source` until none is left: each pass applies a set of
/// non-conflicting fixes ([`apply_fixes`]) and lints the new text with
/// `lint`, whose diagnostics give the next pass's fixes. If a pass adds a
/// syntax error, or fixes are still found after [`MAX_FIX_PASSES`] passes,
/// the original text is kept and the failure names the rules.
/// `diagnostics` are the original text's (the caller has them already).
pub fn fix_until_stable(
    source: &str,
    diagnostics: Vec<Diagnostic>,
    unsafe_fixes: UnsafeFixes,
    mut lint: impl FnMut(&str) -> Vec<Diagnostic>,
) -> FixOutcome {
    let original_errors = syntax_errors(&diagnostics).count();
    let mut current: Option<(String, Vec<Diagnostic>)> = None;
    let mut fixed: Vec<(RuleId, usize)> = Vec::new();
    let unchanged = |diagnostics, failure| FixOutcome {
        text: None,
        fixed: Vec::new(),
        diagnostics,
        failure,
    };
    for _ in 0..MAX_FIX_PASSES {
        let (text, diags) = match &current {
            Some((text, diags)) => (text.as_str(), diags),
            None => (source, &diagnostics),
        };
        let Some(pass) = apply_fixes(text, diags, unsafe_fixes) else {
            return match current {
                Some((text, diagnostics)) => {
                    fixed.sort_by_key(|(rule, _)| *rule);
                    FixOutcome {
                        text: Some(text),
                        fixed,
                        diagnostics,
                        failure: None,
                    }
                }
                None => unchanged(diagnostics, None),
            };
        };
        let next = lint(&pass.text);
        if syntax_errors(&next).count() > original_errors {
            let error = syntax_errors(&next)
                .next()
                .map(|d| d.message.clone())
                .unwrap_or_default();
            let failure = FixFailure::SyntaxError {
                rules: pass.applied,
                error,
            };
            return unchanged(diagnostics, Some(failure));
        }
        for rule in &pass.applied {
            match fixed.iter_mut().find(|(r, _)| r == rule) {
                Some((_, n)) => *n += 1,
                None => fixed.push((*rule, 1)),
            }
        }
        current = Some((pass.text, next));
    }
    let (text, diags) = current.expect("at least one pass applied fixes");
    let rules = apply_fixes(&text, &diags, unsafe_fixes)
        .map(|pass| pass.applied)
        .unwrap_or_default();
    unchanged(diagnostics, Some(FixFailure::NotConverged { rules }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::lint_source;
    use crate::settings::LinterSettings;

    fn rule(code: &str) -> RuleId {
        RuleId::from_code(code).unwrap()
    }

    fn edit(start: u32, end: u32, content: &str) -> Edit {
        Edit {
            range: TextRange::new(TextSize::new(start), TextSize::new(end)),
            content: content.to_string(),
        }
    }

    fn finding(code: &str, applicability: Applicability, edits: Vec<Edit>) -> Diagnostic {
        let range = edits.first().map_or(TextRange::default(), |e| e.range);
        let mut d = Diagnostic::new(rule(code), "m", range);
        d.fix(Fix {
            message: "fix".into(),
            applicability,
            edits,
        });
        d
    }

    fn safe(edits: Vec<Edit>) -> Diagnostic {
        finding("PF201", Applicability::Safe, edits)
    }

    fn apply(source: &str, diagnostics: &[Diagnostic]) -> Option<String> {
        apply_fixes(source, diagnostics, UnsafeFixes::Disabled).map(|f| f.text)
    }

    #[test]
    fn applies_edits_in_order_whatever_the_order_given() {
        let source = "a = 1\nb = 2\n";
        let fixes = [safe(vec![edit(10, 11, "20")]), safe(vec![edit(4, 5, "10")])];
        assert_eq!(apply(source, &fixes).unwrap(), "a = 10\nb = 20\n");
    }

    #[test]
    fn overlapping_fix_waits_for_the_next_pass() {
        let source = "abcdef";
        let fixes = [safe(vec![edit(0, 3, "X")]), safe(vec![edit(2, 5, "Y")])];
        let fixed = apply_fixes(source, &fixes, UnsafeFixes::Disabled).unwrap();
        assert_eq!(fixed.text, "Xdef");
        assert_eq!(fixed.applied.len(), 1);
    }

    #[test]
    fn adjacent_edits_both_apply() {
        let source = "abcdef";
        let fixes = [safe(vec![edit(0, 3, "X")]), safe(vec![edit(3, 6, "Y")])];
        assert_eq!(apply(source, &fixes).unwrap(), "XY");
    }

    #[test]
    fn insertions_at_the_same_offset_conflict_unless_identical() {
        let source = "x\n";
        let fixes = [safe(vec![edit(0, 0, "a")]), safe(vec![edit(0, 0, "b")])];
        let fixed = apply_fixes(source, &fixes, UnsafeFixes::Disabled).unwrap();
        assert_eq!(fixed.text, "ax\n");
        assert_eq!(fixed.applied.len(), 1);
        // Two findings inserting the same import share the edit; both are fixed.
        let fixes = [
            safe(vec![edit(0, 0, "import a\n"), edit(0, 1, "y")]),
            safe(vec![edit(0, 0, "import a\n")]),
        ];
        let fixed = apply_fixes(source, &fixes, UnsafeFixes::Disabled).unwrap();
        assert_eq!(fixed.text, "import a\ny\n");
        assert_eq!(fixed.applied.len(), 2);
    }

    #[test]
    fn insertion_at_either_end_of_a_replacement_is_no_conflict() {
        let source = "abc";
        let fixes = [
            safe(vec![edit(1, 2, "B")]),
            safe(vec![edit(1, 1, "<")]),
            safe(vec![edit(2, 2, ">")]),
        ];
        assert_eq!(apply(source, &fixes).unwrap(), "a<B>c");
        let inside = [safe(vec![edit(0, 3, "X")]), safe(vec![edit(1, 1, "!")])];
        assert_eq!(apply(source, &inside).unwrap(), "X");
    }

    #[test]
    fn a_fix_applies_whole_or_not_at_all() {
        let source = "abcdef";
        let fixes = [
            safe(vec![edit(2, 3, "C")]),
            safe(vec![edit(0, 1, "A"), edit(2, 4, "Z")]),
        ];
        // The second fix comes first (its first edit does) and takes both of
        // its edits; the first fix conflicts with one of them and waits.
        let fixed = apply_fixes(source, &fixes, UnsafeFixes::Disabled).unwrap();
        assert_eq!(fixed.text, "AbZef");
        assert_eq!(fixed.applied.len(), 1);
    }

    #[test]
    fn unsafe_fixes_need_enabling() {
        let source = "abc";
        let fixes = [finding(
            "PF201",
            Applicability::Unsafe,
            vec![edit(0, 1, "A")],
        )];
        assert_eq!(apply(source, &fixes), None);
        let fixed = apply_fixes(source, &fixes, UnsafeFixes::Enabled).unwrap();
        assert_eq!(fixed.text, "Abc");
    }

    #[test]
    fn malformed_edits_are_skipped_without_panicking() {
        let source = "é = 1\n";
        let fixes = [
            safe(vec![edit(1, 2, "x")]),                  // inside `é`
            safe(vec![edit(3, 99, "x")]),                 // past the end
            safe(vec![edit(0, 2, "a"), edit(1, 3, "b")]), // overlapping within the fix
            safe(vec![]),
        ];
        assert_eq!(apply(source, &fixes), None);
    }

    #[test]
    fn a_no_op_edit_changes_nothing() {
        let fixes = [safe(vec![edit(0, 1, "a")])];
        assert_eq!(apply("abc", &fixes), None);
    }

    #[test]
    fn inserted_line_breaks_follow_the_file() {
        let source = "x = 1\r\ny = 2\r\n";
        let fixes = [safe(vec![edit(0, 0, "import a\nimport b\n")])];
        assert_eq!(
            apply(source, &fixes).unwrap(),
            "import a\r\nimport b\r\nx = 1\r\ny = 2\r\n"
        );
        let fixes = [safe(vec![edit(0, 0, "import a\r\n")])];
        assert_eq!(apply("x\n", &fixes).unwrap(), "import a\r\nx\n");
        assert_eq!(
            apply("x\r\n", &fixes).unwrap(),
            "import a\r\nx\r\n",
            "no doubled CR"
        );
    }

    fn settings(codes: &[&str]) -> LinterSettings {
        let mut rules = crate::RuleSet::EMPTY;
        for code in codes {
            rules.insert(rule(code));
        }
        LinterSettings {
            rules,
            ..LinterSettings::default()
        }
    }

    #[test]
    fn loop_fixes_bare_excepts_and_relints() {
        let source = "try:\n    pass\nexcept:\n    pass\n";
        let s = settings(&["PF201"]);
        let lint = |text: &str| lint_source(text, &s, "t.py");
        let outcome = fix_until_stable(source, lint(source), UnsafeFixes::Enabled, lint);
        assert_eq!(
            outcome.text.as_deref(),
            Some("try:\n    pass\nexcept Exception:\n    pass\n")
        );
        assert_eq!(outcome.fixed, vec![(rule("PF201"), 1)]);
        assert!(outcome.diagnostics.is_empty());
        assert!(outcome.failure.is_none());

        let safe_only = fix_until_stable(source, lint(source), UnsafeFixes::Disabled, lint);
        assert!(safe_only.text.is_none() && safe_only.fixed.is_empty());
        assert_eq!(safe_only.diagnostics.len(), 1);
    }

    #[test]
    fn loop_keeps_the_original_when_a_fix_breaks_the_syntax() {
        let source = "x = 1\n";
        let broken = |text: &str| {
            let mut found = lint_source(text, &settings(&[]), "t.py");
            if !text.contains('(') {
                found.push(safe(vec![edit(0, 0, "(")]));
            }
            found
        };
        let outcome = fix_until_stable(source, broken(source), UnsafeFixes::Disabled, broken);
        assert!(outcome.text.is_none());
        assert!(outcome.fixed.is_empty());
        let failure = outcome.failure.unwrap();
        assert!(
            matches!(failure, FixFailure::SyntaxError { .. }),
            "{failure}"
        );
        assert!(failure.to_string().contains("PF201"), "{failure}");
    }

    #[test]
    fn loop_gives_up_when_fixes_never_stop() {
        let source = "x\n";
        let endless = |_: &str| vec![safe(vec![edit(0, 0, "#")])];
        let outcome = fix_until_stable(source, endless(source), UnsafeFixes::Disabled, endless);
        assert!(outcome.text.is_none());
        assert_eq!(outcome.diagnostics.len(), 1, "the original findings");
        let failure = outcome.failure.unwrap();
        assert!(matches!(failure, FixFailure::NotConverged { .. }));
        assert!(failure.to_string().contains("PF201"), "{failure}");
    }
}
