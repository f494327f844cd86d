//! Configuration errors that point at the file, line and column to fix.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A 1-based line and column (in characters) inside a configuration file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Converts a byte offset into `text` to a line and column; editors and
    /// compilers count columns in characters, so we do too.
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        // `offset` may fall inside a multi-byte character only if a span is
        // off; stay safe by decoding lossily.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Location { line, column }
    }
}

/// A configuration file (or a CLI flag) that cannot be used.
///
/// Displays as `path:line:column: message` so terminals and editors can jump
/// to the offending key or value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file; `None` for errors in command-line values.
    pub path: Option<PathBuf>,
    /// Where in the file; `None` when the whole file is at fault (unreadable).
    pub location: Option<Location>,
    pub message: String,
}

impl ConfigError {
    pub fn new(path: &Path, location: Option<Location>, message: impl Into<String>) -> Self {
        ConfigError {
            path: Some(path.to_path_buf()),
            location,
            message: message.into(),
        }
    }

    /// An error at a byte span of the file's `text`.
    pub(crate) fn at(
        path: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let location = span.map(|s| Location::from_offset(text, s.start));
        ConfigError::new(path, location, message)
    }

    /// An error in a command-line value, which has no file to point at.
    pub(crate) fn cli(message: impl Into<String>) -> Self {
        ConfigError {
            path: None,
            location: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.location) {
            (Some(path), Some(loc)) => write!(
                f,
                "{}:{}:{}: {}",
                path.display(),
                loc.line,
                loc.column,
                self.message
            ),
            (Some(path), None) => write!(f, "{}: {}", path.display(), self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_char_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(
            Location::from_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::from_offset(text, 6),
            Location { line: 2, column: 1 }
        );
        // `=` after the two-byte `é` is the 4th character of line 2.
        let eq = text.rfind('=').unwrap();
        assert_eq!(
            Location::from_offset(text, eq),
            Location { line: 2, column: 4 }
        );
    }
}
