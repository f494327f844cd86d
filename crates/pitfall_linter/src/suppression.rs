//! `# noqa`, `# noqa: PF401`, `# pitfall: ignore[...]` and `# pitfall: ignore-file`.

use std::cell::Cell;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::registry::RuleId;

#[derive(Debug)]
enum Codes {
    /// `# noqa`, `# pitfall: ignore`: everything on the line.
    All,
    /// Our rules named in the comment (other tools' codes are left alone).
    Rules(Vec<RuleId>),
}

#[derive(Debug)]
struct Suppression {
    range: TextRange,
    codes: Codes,
    /// `# noqa` (shared with other linters) rather than `# pitfall: ignore`.
    is_noqa: bool,
    /// Bit `i` set: the `i`-th listed rule (or, for `All`, anything) matched.
    used: Cell<u64>,
}

/// The suppression comments of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// `Some(None)`: the whole file; `Some(Some(rules))`: those rules in the whole file.
    file: Option<Option<Vec<RuleId>>>,
    by_line: FxHashMap<usize, Vec<Suppression>>,
    /// Built once a directive is found.
    lines: Option<LineIndex>,
}

/// An unused suppression comment, for PF004.
pub struct Unused {
    pub range: TextRange,
    pub message: String,
}

impl Suppressions {
    /// Reads the directives from the comment tokens. Most files have none,
    /// so the line index is only built when one is found.
    pub fn from_tokens(tokens: &Tokens, source: &str) -> Suppressions {
        let mut s = Suppressions::default();
        // A comment runs from a `#` to the end of its line: when no such
        // stretch of the text mentions a directive, neither does a comment,
        // and the tokens (many more than the `#`s) need not be read.
        if !may_hold_directive(source) {
            return s;
        }
        for token in tokens.iter() {
            if token.kind() != TokenKind::Comment {
                continue;
            }
            let text = &source[token.range()];
            if !mentions_directive(text) {
                continue;
            }
            // `LineIndex` is a shared handle: cloning it is cheap.
            let lines = s
                .lines
                .get_or_insert_with(|| LineIndex::from_source_text(source))
                .clone();
            s.add_comment(text, token.range(), &lines);
        }
        s
    }

    fn add_comment(&mut self, text: &str, range: TextRange, lines: &LineIndex) {
        // A comment may hold several directives: `# type: ignore  # noqa: PF401`.
        for part in text.split('#').map(str::trim).filter(|p| !p.is_empty()) {
            let lower = part.to_ascii_lowercase();
            let line = lines.line_index(range.start()).get();
            if lower.starts_with("noqa") {
                let rest = &part[4..];
                let codes = match rest.trim_start().strip_prefix(':') {
                    Some(list) => Codes::Rules(parse_list(list)),
                    None if rest.trim().is_empty() => Codes::All,
                    None => continue,
                };
                self.push(line, range, codes, true);
            } else if let Some(rest) = lower.strip_prefix("pitfall:") {
                let original = part["pitfall:".len()..].trim();
                let rest = rest.trim();
                if let Some(after) = rest.strip_prefix("ignore-file") {
                    let list = bracketed(&original["ignore-file".len().min(original.len())..]);
                    self.file = Some(match (after.trim().is_empty(), list) {
                        (_, Some(list)) => Some(parse_list(list)),
                        _ => None,
                    });
                } else if rest.starts_with("ignore") {
                    let codes = match bracketed(&original["ignore".len()..]) {
                        Some(list) => Codes::Rules(parse_list(list)),
                        None => Codes::All,
                    };
                    self.push(line, range, codes, false);
                }
            }
        }
    }

    fn push(&mut self, line: usize, range: TextRange, codes: Codes, is_noqa: bool) {
        self.by_line.entry(line).or_default().push(Suppression {
            range,
            codes,
            is_noqa,
            used: Cell::new(0),
        });
    }

    /// Whether the file opts out entirely.
    pub fn ignores_file(&self) -> bool {
        matches!(self.file, Some(None))
    }

    /// Drops suppressed diagnostics and marks the suppressions that were used.
    pub fn filter(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let Some(lines) = &self.lines else {
            return diagnostics;
        };
        diagnostics
            .into_iter()
            .filter(|d| !self.suppresses(d, lines))
            .collect()
    }

    fn suppresses(&self, d: &Diagnostic, lines: &LineIndex) -> bool {
        match &self.file {
            Some(None) => return true,
            Some(Some(rules)) if rules.contains(&d.rule) => return true,
            _ => {}
        }
        let line = lines.line_index(d.range.start()).get();
        let Some(list) = self.by_line.get(&line) else {
            return false;
        };
        for s in list {
            let bit = match &s.codes {
                Codes::All => Some(0),
                Codes::Rules(rules) => rules.iter().position(|r| *r == d.rule),
            };
            if let Some(bit) = bit {
                s.used.set(s.used.get() | 1 << bit.min(63));
                return true;
            }
        }
        false
    }

    /// Suppressions that named our rules but suppressed nothing (after [`filter`]).
    pub fn unused(&self) -> Vec<Unused> {
        let mut out = Vec::new();
        for list in self.by_line.values() {
            for s in list {
                let used = s.used.get();
                let message = match &s.codes {
                    // A bare `# noqa` may be there for another tool.
                    Codes::All if s.is_noqa || used != 0 => continue,
                    Codes::All => "Unused blanket `# pitfall: ignore`".to_string(),
                    Codes::Rules(rules) => {
                        let unused: Vec<&str> = rules
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| used & (1 << (*i).min(63)) == 0)
                            .map(|(_, r)| r.meta().code)
                            .collect();
                        if unused.is_empty() {
                            continue;
                        }
                        format!(
                            "Unused suppression (nothing to suppress: {})",
                            unused.join(", ")
                        )
                    }
                };
                out.push(Unused {
                    range: s.range,
                    message,
                });
            }
        }
        out.sort_by_key(|u| u.range.start());
        out
    }
}

/// Whether a comment may hold `noqa` or `pitfall:` (without allocating).
/// Every comment of every file comes here: jump to the rare `q`/`Q`/`:`
/// bytes (SIMD) instead of comparing a window at every byte.
/// Whether some stretch from a `#` to the end of its line mentions a
/// directive (without a tokenizer: `#`s in strings count too).
fn may_hold_directive(source: &str) -> bool {
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(hash) = memchr::memchr(b'#', &bytes[from..]) {
        let start = from + hash;
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |n| start + n);
        if mentions_directive(&source[start..end]) {
            return true;
        }
        from = end;
    }
    false
}

fn mentions_directive(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr3_iter(b'q', b'Q', b':', bytes).any(|i| {
        let window = |start: Option<usize>, len: usize| {
            start
                .and_then(|s| bytes.get(s..s + len))
                .unwrap_or_default()
        };
        if bytes[i] == b':' {
            window(i.checked_sub(7), 8).eq_ignore_ascii_case(b"pitfall:")
        } else {
            window(i.checked_sub(2), 4).eq_ignore_ascii_case(b"noqa")
        }
    })
}

/// The text inside `[...]` at the start of `text`.
fn bracketed(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let inner = t.strip_prefix('[')?;
    let end = inner.find(']')?;
    Some(&inner[..end])
}

/// Codes and names separated by commas or spaces; unknown ones (other tools') are skipped.
fn parse_list(list: &str) -> Vec<RuleId> {
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take_while(|t| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .filter_map(RuleId::from_code_or_name)
        .collect()
}

/// The suppressions of a file in a form that outlives its tokens (`Eq`, no
/// line index): findings computed later, without the AST (the cross-module
/// phase), are filtered with it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SuppressionTable {
    file: Option<Option<Vec<RuleId>>>,
    /// The line a directive is on, and the rules it names (`None`: all).
    lines: Vec<(TextRange, Option<Vec<RuleId>>)>,
}

impl Suppressions {
    pub fn table(&self, source: &str) -> SuppressionTable {
        let mut lines = Vec::new();
        if let Some(index) = &self.lines {
            for list in self.by_line.values() {
                for s in list {
                    let line = index.line_index(s.range.start());
                    let range = TextRange::new(
                        index.line_start(line, source),
                        index.line_end(line, source),
                    );
                    let codes = match &s.codes {
                        Codes::All => None,
                        Codes::Rules(rules) => Some(rules.clone()),
                    };
                    lines.push((range, codes));
                }
            }
        }
        lines.sort_by_key(|(r, _)| r.start());
        SuppressionTable {
            file: self.file.clone(),
            lines,
        }
    }
}

impl SuppressionTable {
    /// The line range of the directive that suppresses `d`, or the whole
    /// file's range (empty) for a file-level directive.
    pub fn suppressing(&self, d: &Diagnostic) -> Option<TextRange> {
        match &self.file {
            Some(None) => return Some(TextRange::default()),
            Some(Some(rules)) if rules.contains(&d.rule) => return Some(TextRange::default()),
            _ => {}
        }
        self.lines
            .iter()
            .find(|(line, codes)| {
                line.contains_inclusive(d.range.start())
                    && codes.as_ref().is_none_or(|c| c.contains(&d.rule))
            })
            .map(|(line, _)| *line)
    }
}

#[cfg(test)]
mod tests {
    use super::mentions_directive;

    #[test]
    fn finds_directives_in_any_case_and_position() {
        for yes in [
            "# noqa",
            "#NOQA: PF401",
            "# type: ignore  # NoQa",
            "# pitfall: ignore[PF401]",
            "#PITFALL:ignore-file",
            "noqa",
            "pitfall:",
        ] {
            assert!(mentions_directive(yes), "{yes}");
        }
        for no in [
            "# a comment",
            "# q",
            "# :",
            "# qa",
            "# noq",
            "# pitfall",
            "# itfall:",
            "# ä:q",
        ] {
            assert!(!mentions_directive(no), "{no}");
        }
    }
}
