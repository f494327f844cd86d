//! Output formats. Every format renders the same [`Message`] records.

mod concise;
mod full;
mod json;

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use pitfall_linter::{Diagnostic, RuleId};
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

use crate::args::OutputFormat;

/// A 1-based row and column (columns count characters, like ruff).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// A finding with everything an output format may need.
pub struct Message {
    pub rule: RuleId,
    pub path: PathBuf,
    pub display_path: String,
    pub source: Arc<str>,
    pub diagnostic: Diagnostic,
    pub start: Location,
    pub end: Location,
    pub noqa_row: usize,
}

pub fn location(index: &LineIndex, source: &str, offset: TextSize) -> Location {
    let lc = index.line_column(offset.min(TextSize::of(source)), source);
    Location {
        row: lc.line.get(),
        column: lc.column.get(),
    }
}

impl Message {
    pub fn new(path: PathBuf, display_path: String, source: Arc<str>, index: &LineIndex, diagnostic: Diagnostic) -> Message {
        let start = location(index, &source, diagnostic.range.start());
        let end = location(index, &source, diagnostic.range.end());
        Message {
            rule: diagnostic.rule,
            path,
            display_path,
            noqa_row: start.row,
            start,
            end,
            source,
            diagnostic,
        }
    }

    pub fn location_of(&self, offset: TextSize) -> Location {
        location(&LineIndex::from_source_text(&self.source), &self.source, offset)
    }
}

pub struct Printer {
    pub format: OutputFormat,
    pub color: bool,
}

impl Printer {
    pub fn write(&self, out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
        match self.format {
            OutputFormat::Full => full::write(out, messages, self.color),
            OutputFormat::Concise => concise::write(out, messages, self.color),
            OutputFormat::Json => json::write(out, messages),
        }
    }
}
