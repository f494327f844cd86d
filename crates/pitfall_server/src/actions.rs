//! Code actions (a rule's fix; `# noqa: CODE` on the line) and hover docs.

use std::collections::HashMap;

use lsp_types as lsp;
use pitfall_db::{parsed_module, FileDiagnostics, ParseOutcome};
use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{fix_until_stable, Applicability, Diagnostic, UnsafeFixes};
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::line_index::{Encoding, LineIndex};
use crate::session::{Session, Snapshot};

/// The kind of the action that applies every safe fix in a file (for
/// `editor.codeActionsOnSave` and the like).
pub fn fix_all_kind() -> lsp::CodeActionKind {
    lsp::CodeActionKind::new("source.fixAll.pitfall")
}

/// Whether the client asked for actions of `kind` (kinds are hierarchical:
/// asking for `source` includes `source.fixAll.pitfall`).
fn wanted(only: Option<&[lsp::CodeActionKind]>, kind: &lsp::CodeActionKind) -> bool {
    only.is_none_or(|kinds| {
        kinds.iter().any(|k| {
            kind.as_str() == k.as_str()
                || kind
                    .as_str()
                    .strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The quick fixes for the findings of `path` that touch `range`, and the
/// file's "fix all" action.
pub fn code_actions(
    session: &mut Session,
    uri: &lsp::Uri,
    path: &std::path::Path,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
) -> Vec<lsp::CodeActionOrCommand> {
    let Some((file, findings)) = session.findings(path) else {
        return Vec::new();
    };
    let Some(snapshot) = session.snapshot(path) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    if wanted(only, &lsp::CodeActionKind::QUICKFIX) {
        let target = Target { uri, path, file };
        quick_fixes(session, &target, range, &findings, &snapshot, &mut actions);
    }
    if wanted(only, &fix_all_kind()) {
        actions.extend(fix_all(session, uri, file, &findings, &snapshot));
    }
    actions
}

/// Every safe fix, applied until none is left (as `pitfall check --fix`),
/// as one edit of the whole buffer.
fn fix_all(
    session: &Session,
    uri: &lsp::Uri,
    file: pitfall_db::SourceFile,
    findings: &FileDiagnostics,
    snapshot: &Snapshot,
) -> Option<lsp::CodeActionOrCommand> {
    let unsafe_fixes = UnsafeFixes::Disabled;
    if !findings
        .diagnostics
        .iter()
        .any(|d| unsafe_fixes.applicable(d).is_some())
    {
        return None;
    }
    let db = session.db();
    let settings = file.settings(db);
    let display = file.display_path(db);
    let outcome = fix_until_stable(
        &snapshot.text,
        findings.diagnostics.clone(),
        unsafe_fixes,
        |text| lint_source(text, settings, display),
    );
    let fixed = outcome.fixed_count();
    let text = outcome.text?;
    let whole = TextRange::up_to(TextSize::new(snapshot.text.len() as u32));
    let edit = text_edit(snapshot, whole, &text, session.encoding);
    Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: format!("Fix all safe pitfall problems ({fixed})"),
        kind: Some(fix_all_kind()),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..Default::default()
        }),
        ..Default::default()
    }))
}

/// The document code actions are asked for.
struct Target<'a> {
    uri: &'a lsp::Uri,
    path: &'a std::path::Path,
    file: pitfall_db::SourceFile,
}

fn quick_fixes(
    session: &mut Session,
    target: &Target,
    range: lsp::Range,
    findings: &FileDiagnostics,
    snapshot: &Snapshot,
    actions: &mut Vec<lsp::CodeActionOrCommand>,
) {
    let Target { uri, path, file } = *target;
    let encoding = session.encoding;
    let start = snapshot.index.offset(range.start, &snapshot.text, encoding);
    let end = snapshot.index.offset(range.end, &snapshot.text, encoding);
    let lsp_diagnostics = session.diagnostics(path);
    let tails = LineTails::of(session, file);
    for (d, lsp_diagnostic) in findings.diagnostics.iter().zip(lsp_diagnostics) {
        let (d_start, d_end) = (d.range.start().to_usize(), d.range.end().to_usize());
        if d_start > end || d_end < start {
            continue;
        }
        let edit = |edits: Vec<lsp::TextEdit>| lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        };
        let action = |title: String, edits, preferred| {
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(edit(edits)),
                is_preferred: Some(preferred),
                ..Default::default()
            })
        };
        if let Some(fix) = &d.fix {
            let edits = fix
                .edits
                .iter()
                .map(|e| text_edit(snapshot, e.range, &e.content, encoding))
                .collect();
            let (title, safe) = match fix.applicability {
                Applicability::Safe => (fix.message.clone(), true),
                Applicability::Unsafe => (format!("{} (unsafe fix)", fix.message), false),
            };
            actions.push(action(title, edits, safe));
        }
        if let Some((range, content)) = noqa_edit(snapshot, &tails, d) {
            let meta = d.rule.meta();
            actions.push(action(
                format!("Suppress {} ({}) on this line", meta.code, meta.name),
                vec![text_edit(snapshot, range, &content, encoding)],
                false,
            ));
        }
    }
}

fn text_edit(
    snapshot: &Snapshot,
    range: TextRange,
    content: &str,
    encoding: Encoding,
) -> lsp::TextEdit {
    lsp::TextEdit {
        range: snapshot.index.range(range, &snapshot.text, encoding),
        new_text: content.to_string(),
    }
}

/// What the tokens say about the ends of lines: where comments are, and
/// which line breaks fall inside a token (a multi-line string), where no
/// comment can go.
#[derive(Default)]
pub struct LineTails {
    comments: Vec<TextRange>,
    multiline: Vec<TextRange>,
}

impl LineTails {
    fn of(session: &Session, file: pitfall_db::SourceFile) -> LineTails {
        let db = session.db();
        match parsed_module(db, file).load(db) {
            ParseOutcome::Parsed(parsed) => LineTails::from_tokens(parsed.tokens()),
            _ => LineTails::default(),
        }
    }

    fn from_tokens(tokens: &ruff_python_ast::token::Tokens) -> LineTails {
        let mut tails = LineTails::default();
        for token in tokens.iter() {
            match token.kind() {
                TokenKind::Comment => tails.comments.push(token.range()),
                TokenKind::Newline | TokenKind::NonLogicalNewline => {}
                _ => tails.multiline.push(token.range()),
            }
        }
        tails
    }

    fn comment_in(&self, line: TextRange) -> Option<TextRange> {
        self.comments
            .iter()
            .find(|c| line.contains_range(**c))
            .copied()
    }

    fn spans(&self, offset: TextSize) -> bool {
        self.multiline
            .iter()
            .any(|t| t.start() < offset && offset < t.end())
    }
}

/// The edit that adds the diagnostic's code to a `# noqa:` comment on the
/// line it starts on (where suppressions are read): merged into an existing
/// `# noqa:` list, else appended as a new comment. `None` where a comment
/// cannot go: the line ends inside a string or with a backslash.
pub fn noqa_edit(
    snapshot: &Snapshot,
    tails: &LineTails,
    d: &Diagnostic,
) -> Option<(TextRange, String)> {
    let text: &str = &snapshot.text;
    let index: &LineIndex = &snapshot.index;
    let code = d.rule.meta().code;
    let line = index.line_of(d.range.start().to_usize());
    let start = index.line_start(line, text);
    let end = index.line_end(line, text);
    let line_range = TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    let end_offset = TextSize::new(end as u32);
    if tails.spans(end_offset) {
        return None;
    }
    let comment = tails.comment_in(line_range);
    if comment.is_none() && text[start..end].trim_end().ends_with('\\') {
        return None;
    }
    if let Some(comment) = comment {
        if let Some((end, has_codes)) = noqa_list_end(&text[comment]) {
            let at = comment.start() + TextSize::new(end as u32);
            let separator = if has_codes { ", " } else { " " };
            return Some((TextRange::empty(at), format!("{separator}{code}")));
        }
    }
    let content = &text[start..end];
    let trimmed = content.trim_end();
    let at = TextSize::new((start + trimmed.len()) as u32);
    let range = TextRange::new(at, end_offset);
    let prefix = if trimmed.is_empty() { "" } else { "  " };
    Some((range, format!("{prefix}# noqa: {code}")))
}

/// In a comment, the offset just after the last code of a `noqa:` list, and
/// whether the list has codes already.
fn noqa_list_end(comment: &str) -> Option<(usize, bool)> {
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find("noqa") {
        let after = search + found + 4;
        let rest = &comment[after..];
        let Some(colon) = rest.trim_start().strip_prefix(':') else {
            search = after;
            continue;
        };
        let list_start = comment.len() - colon.len();
        let mut end = list_start;
        let mut has_codes = false;
        let bytes = comment.as_bytes();
        let mut i = list_start;
        loop {
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b',') {
                i += 1;
            }
            let code_start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let letters = i - code_start;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if letters == 0 || i == code_start + letters {
                break;
            }
            end = i;
            has_codes = true;
        }
        return Some((end, has_codes));
    }
    None
}

/// The documentation of the rules whose findings cover `position`.
pub fn hover(
    session: &mut Session,
    path: &std::path::Path,
    position: lsp::Position,
) -> Option<lsp::Hover> {
    let (_, findings) = session.findings(path)?;
    let snapshot = session.snapshot(path)?;
    let offset = snapshot
        .index
        .offset(position, &snapshot.text, session.encoding);
    let hit: Vec<&Diagnostic> = findings
        .diagnostics
        .iter()
        .filter(|d| d.range.start().to_usize() <= offset && offset <= d.range.end().to_usize())
        .collect();
    let first = *hit.first()?;
    let docs = session.docs;
    let mut seen = Vec::new();
    let mut sections = Vec::new();
    for d in &hit {
        if seen.contains(&d.rule) {
            continue;
        }
        seen.push(d.rule);
        let meta = d.rule.meta();
        sections.push(match (docs.doc)(meta) {
            Some(doc) => doc.to_string(),
            None => format!("# {} `{}`\n\n{}", meta.code, meta.name, meta.summary),
        });
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(
            snapshot
                .index
                .range(first.range, &snapshot.text, session.encoding),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suppressed(text: &str, code: &str, at: &str) -> Option<String> {
        let parsed = pitfall_linter::pipeline::parse(text, false);
        let tails = LineTails::from_tokens(parsed.tokens());
        let snapshot = Snapshot {
            text: text.into(),
            index: LineIndex::new(text),
        };
        let start = TextSize::new(text.find(at).expect("anchor") as u32);
        let rule = pitfall_linter::RuleId::from_code(code).expect("rule");
        let d = Diagnostic::new(rule, "", TextRange::at(start, TextSize::new(1)));
        let (range, content) = noqa_edit(&snapshot, &tails, &d)?;
        let mut out = text.to_string();
        out.replace_range(range.start().to_usize()..range.end().to_usize(), &content);
        Some(out)
    }

    #[test]
    fn noqa_goes_where_suppressions_are_read() {
        assert_eq!(
            suppressed("def f(x=[]):\r\n    pass\r\n", "PF401", "[]").as_deref(),
            Some("def f(x=[]):  # noqa: PF401\r\n    pass\r\n"),
            "before the line break, CRLF kept"
        );
        assert_eq!(
            suppressed("def f(x=[]):  # type: ignore\n", "PF401", "[]").as_deref(),
            Some("def f(x=[]):  # type: ignore  # noqa: PF401\n"),
        );
        assert_eq!(
            suppressed("def f(x=[]):  # noqa: E501 long\n", "PF401", "[]").as_deref(),
            Some("def f(x=[]):  # noqa: E501, PF401 long\n"),
        );
        assert_eq!(
            suppressed("def f(x=[]):    \n", "PF401", "[]").as_deref(),
            Some("def f(x=[]):  # noqa: PF401\n"),
            "trailing blanks replaced"
        );
        assert_eq!(
            suppressed("x = f(a=[], b='''\ndoc''')\n", "PF401", "[]"),
            None,
            "the line ends inside a string"
        );
        assert_eq!(
            suppressed("x = [] + \\\n    []\n", "PF401", "[]"),
            None,
            "a backslash continues the line"
        );
    }

    #[test]
    fn finds_the_end_of_noqa_lists() {
        assert_eq!(noqa_list_end("# noqa: PF101"), Some((13, true)));
        assert_eq!(noqa_list_end("# NOQA:PF101,E501 because"), Some((17, true)));
        assert_eq!(
            noqa_list_end("# type: ignore  # noqa: PF1, PF2"),
            Some((32, true))
        );
        assert_eq!(noqa_list_end("# noqa:"), Some((7, false)));
        assert_eq!(noqa_list_end("# noqa"), None);
        assert_eq!(noqa_list_end("# see noqa docs"), None);
    }
}
