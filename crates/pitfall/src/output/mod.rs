//! Output formats. Every format renders the same [`Message`] records, which
//! carry everything resolved (locations, the source lines to draw), so the
//! file's text need not stay in memory until printing.

mod concise;
mod full;
mod github;
mod gitlab;
mod json;
mod json_lines;
mod junit;
mod pylint;
mod sarif;

pub(crate) use json::record as json_record;

use std::cell::Cell;
use std::io::{self, Write};
use std::path::PathBuf;

use pitfall_linter::{Applicability, Diagnostic, RuleId, UnsafeFixes};
use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use crate::args::OutputFormat;

/// A 1-based row and column (columns count characters, like ruff).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// The source lines a finding spans, for drawing.
#[derive(Clone)]
pub struct SourceLines {
    pub first_row: usize,
    pub text: String,
    /// The finding's byte range within `text`.
    pub span: std::ops::Range<usize>,
}

#[derive(Clone)]
pub struct ResolvedEdit {
    pub start: Location,
    pub end: Location,
    pub content: String,
}

#[derive(Clone)]
pub struct ResolvedFix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<ResolvedEdit>,
}

#[derive(Clone)]
pub struct ResolvedRelated {
    pub path: String,
    pub start: Location,
    pub end: Location,
    pub message: String,
}

/// Locates a range in another file, given its display path.
pub type LocateOther<'a> = dyn FnMut(&str, TextRange) -> Option<(Location, Location)> + 'a;

/// A finding with everything an output format may need.
#[derive(Clone)]
pub struct Message {
    pub rule: RuleId,
    pub path: PathBuf,
    pub display_path: String,
    pub message: String,
    pub help: Option<String>,
    pub start: Location,
    pub end: Location,
    pub noqa_row: usize,
    pub lines: SourceLines,
    pub fix: Option<ResolvedFix>,
    pub related: Vec<ResolvedRelated>,
}

/// Turns offsets into rows and columns for one file.
pub struct Locator<'a> {
    source: &'a str,
    lines: Lines,
}

/// How a [`Locator`] finds rows.
enum Lines {
    /// The text has no `\r`, so lines end at `\n` only: a row is the
    /// number of `\n` before the offset, counted (vectorized) from the last
    /// offset asked about (offset, zero-based row), since findings come
    /// roughly in order. Most files with findings have few of them, and a
    /// whole line index would be built for nothing.
    Newlines(Cell<(usize, usize)>),
    /// `\r\n` or a lone `\r`: ruff's index, which knows every line ending.
    Index(LineIndex),
}

impl<'a> Locator<'a> {
    pub fn new(source: &'a str) -> Self {
        let lines = if memchr::memchr(b'\r', source.as_bytes()).is_none() {
            Lines::Newlines(Cell::new((0, 0)))
        } else {
            Lines::Index(LineIndex::from_source_text(source))
        };
        Locator { source, lines }
    }

    /// A locator for offsets up to `last` only: a line index stops after
    /// the line holding it (most files with findings have them early on,
    /// and the index of the rest would be built for nothing). Lines up to
    /// that one, and their ends, are the same as in the whole text's index.
    pub fn up_to(source: &'a str, last: TextSize) -> Self {
        let last = last.to_usize().min(source.len());
        let cut = source.as_bytes()[last..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(source.len(), |i| last + i + 1);
        let lines = if memchr::memchr(b'\r', source.as_bytes()).is_none() {
            Lines::Newlines(Cell::new((0, 0)))
        } else {
            Lines::Index(LineIndex::from_source_text(&source[..cut]))
        };
        Locator { source, lines }
    }

    pub fn location(&self, offset: TextSize) -> Location {
        let offset = offset.min(TextSize::of(self.source));
        match &self.lines {
            Lines::Index(index) => {
                let lc = index.line_column(offset, self.source);
                Location {
                    row: lc.line.get(),
                    column: lc.column.get(),
                }
            }
            Lines::Newlines(_) => {
                let offset = offset.to_usize();
                let row = self.row(offset);
                let start = self.line_start(offset);
                let mut column = self.source[start..offset].chars().count() + 1;
                // As ruff: the BOM is no column of the first line.
                if row == 0 && self.source.starts_with('\u{feff}') {
                    column = column.saturating_sub(1).max(1);
                }
                Location {
                    row: row + 1,
                    column,
                }
            }
        }
    }

    /// The zero-based row of `offset` (at most the text's length), in a
    /// text without `\r`.
    fn row(&self, offset: usize) -> usize {
        let Lines::Newlines(last) = &self.lines else {
            unreachable!("rows are counted only in texts without `\\r`")
        };
        let bytes = self.source.as_bytes();
        let (at, row) = last.get();
        let row = if offset >= at {
            row + memchr::memchr_iter(b'\n', &bytes[at..offset]).count()
        } else {
            row - memchr::memchr_iter(b'\n', &bytes[offset..at]).count()
        };
        last.set((offset, row));
        row
    }

    /// The start of the line holding `offset`, in a text without `\r`.
    fn line_start(&self, offset: usize) -> usize {
        memchr::memrchr(b'\n', &self.source.as_bytes()[..offset]).map_or(0, |i| i + 1)
    }

    fn lines(&self, range: TextRange) -> SourceLines {
        let (first_row, start, end) = match &self.lines {
            Lines::Index(index) => {
                let first = index.line_index(range.start());
                let last = index.line_index(range.end().min(TextSize::of(self.source)));
                (
                    first.get(),
                    index.line_start(first, self.source),
                    index.line_end(last, self.source),
                )
            }
            Lines::Newlines(_) => {
                let len = self.source.len();
                let first = range.start().to_usize().min(len);
                let last = range.end().to_usize().min(len);
                // The end of the last line, its `\n` included.
                let end = memchr::memchr(b'\n', &self.source.as_bytes()[last..])
                    .map_or(len, |i| last + i + 1);
                (
                    self.row(first) + 1,
                    TextSize::try_from(self.line_start(first)).unwrap_or_default(),
                    TextSize::try_from(end).unwrap_or_default(),
                )
            }
        };
        let span_start = usize::from(range.start() - start);
        let span_end = usize::from(range.end().min(end) - start).max(span_start);
        SourceLines {
            first_row,
            text: self.source[start.to_usize()..end.to_usize()].to_string(),
            span: span_start..span_end,
        }
    }
}

impl Message {
    /// Has a fix that `--fix` applies (unsafe ones with `--unsafe-fixes`):
    /// shown as `[*]`, as ruff does.
    pub fn is_fixable(&self, unsafe_fixes: UnsafeFixes) -> bool {
        self.fix
            .as_ref()
            .is_some_and(|f| !f.edits.is_empty() && unsafe_fixes.admits(f.applicability))
    }

    /// `locate_other` finds a range of another file (by display path), for
    /// related locations there.
    pub fn new(
        path: PathBuf,
        display_path: String,
        locator: &Locator,
        d: &Diagnostic,
        locate_other: &mut LocateOther,
    ) -> Message {
        let start = locator.location(d.range.start());
        let end = locator.location(d.range.end());
        let fix = d.fix.as_ref().map(|fix| ResolvedFix {
            message: fix.message.clone(),
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|e| ResolvedEdit {
                    start: locator.location(e.range.start()),
                    end: locator.location(e.range.end()),
                    content: e.content.clone(),
                })
                .collect(),
        });
        let related = d
            .related
            .iter()
            .map(|r| {
                let (start, end) = match &r.path {
                    Some(other) => locate_other(other, r.range).unwrap_or((
                        Location { row: 1, column: 1 },
                        Location { row: 1, column: 1 },
                    )),
                    None => (
                        locator.location(r.range.start()),
                        locator.location(r.range.end()),
                    ),
                };
                ResolvedRelated {
                    path: r.path.clone().unwrap_or_else(|| display_path.clone()),
                    start,
                    end,
                    message: r.message.clone(),
                }
            })
            .collect();
        Message {
            rule: d.rule,
            path,
            display_path,
            message: d.message.clone(),
            help: d.help.clone(),
            start,
            end,
            noqa_row: start.row,
            lines: locator.lines(d.range),
            fix,
            related,
        }
    }
}

/// The text of a file named by its display path (relative to the working
/// directory, or absolute), for related locations in other files.
pub fn read_display_path(path: &str) -> Option<std::sync::Arc<str>> {
    pitfall_db::read_source(std::path::Path::new(path)).ok()
}

pub struct Printer {
    pub format: OutputFormat,
    pub color: bool,
    /// Which fixes count as available (`[*]`).
    pub unsafe_fixes: UnsafeFixes,
}

impl Printer {
    pub fn write(&self, out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
        match self.format {
            OutputFormat::Full => full::write(out, messages, self.color, self.unsafe_fixes),
            OutputFormat::Concise => concise::write(out, messages, self.color, self.unsafe_fixes),
            OutputFormat::Json => json::write(out, messages),
            OutputFormat::JsonLines => json_lines::write(out, messages),
            OutputFormat::Junit => junit::write(out, messages),
            OutputFormat::Github => github::write(out, messages),
            OutputFormat::Gitlab => gitlab::write(out, messages),
            OutputFormat::Pylint => pylint::write(out, messages),
            OutputFormat::Sarif => sarif::write(out, messages),
        }
    }
}

#[cfg(test)]
mod locator_tests {
    use super::*;

    #[test]
    fn counted_rows_agree_with_the_line_index() {
        for source in [
            "\u{feff}a = 1\nb = '\u{e9}'\n\nc = (\n  d)\nlast",
            "x\n",
            "",
            "\n\n\u{4e2d}\u{6587} = 1\n",
        ] {
            let counted = Locator::new(source);
            assert!(matches!(counted.lines, Lines::Newlines(_)));
            let index = Locator {
                source,
                lines: Lines::Index(LineIndex::from_source_text(source)),
            };
            let boundaries: Vec<usize> = (0..=source.len())
                .filter(|o| source.is_char_boundary(*o))
                .collect();
            // Back and forth, as findings come.
            for &offset in boundaries.iter().chain(boundaries.iter().rev()) {
                let at = TextSize::try_from(offset).unwrap();
                assert_eq!(
                    index.location(at),
                    counted.location(at),
                    "{offset} in {source:?}"
                );
                for &end in boundaries.iter().filter(|e| **e >= offset) {
                    let range = TextRange::new(at, TextSize::try_from(end).unwrap());
                    let (a, b) = (index.lines(range), counted.lines(range));
                    assert_eq!((a.first_row, a.text, a.span), (b.first_row, b.text, b.span));
                }
            }
        }
    }

    #[test]
    fn a_locator_up_to_an_offset_agrees_with_the_whole_one() {
        let source = "\u{feff}a = 1\r\nb = 'é'\n\nc = (\r  d)\nlast";
        let whole = Locator::new(source);
        for last in 0..=source.len() {
            let Some(_) = source.get(last..) else {
                continue;
            };
            let part = Locator::up_to(source, TextSize::try_from(last).unwrap());
            for offset in (0..=last).filter(|o| source.is_char_boundary(*o)) {
                let at = TextSize::try_from(offset).unwrap();
                assert_eq!(whole.location(at), part.location(at), "{offset} of {last}");
                for end in (offset..=last).filter(|o| source.is_char_boundary(*o)) {
                    let range = TextRange::new(at, TextSize::try_from(end).unwrap());
                    let (a, b) = (whole.lines(range), part.lines(range));
                    assert_eq!((a.first_row, a.text, a.span), (b.first_row, b.text, b.span));
                }
            }
        }
    }
}
