//! Byte offsets to LSP positions and back, in the negotiated encoding.

use lsp_types::{Position, Range};
use ruff_text_size::{TextRange, TextSize};

/// How the client counts columns (`general.positionEncodings`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The LSP default (VS Code).
    Utf16,
    Utf32,
}

/// Where each line starts in a text.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as LSP defines them.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// The byte offset of the start of zero-based `line`, clamped to the text.
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).map_or(text.len(), |s| *s as usize)
    }

    /// The zero-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s as usize <= offset) - 1
    }

    /// The offset just past the line's content (before its line break).
    pub fn line_end(&self, line: usize, text: &str) -> usize {
        let next = self.line_start(line + 1, text);
        let content = &text[self.line_start(line, text).min(next)..next];
        next - (content.len() - content.trim_end_matches(['\n', '\r']).len())
    }

    pub fn position(&self, offset: TextSize, text: &str, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(text, (offset.to_usize()).min(text.len()));
        let line = self.line_of(offset);
        let prefix = &text[self.starts[line] as usize..offset];
        let character = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
            Encoding::Utf32 => prefix.chars().count(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, range: TextRange, text: &str, encoding: Encoding) -> Range {
        Range::new(
            self.position(range.start(), text, encoding),
            self.position(range.end(), text, encoding),
        )
    }

    /// The byte offset of a position; past the end of a line means its end,
    /// past the last line the end of the text (as the protocol asks).
    pub fn offset(&self, position: Position, text: &str, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line] as usize;
        let end = self.line_end(line, text);
        let mut remaining = position.character as usize;
        for (at, c) in text[start..end].char_indices() {
            let width = match encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if remaining < width {
                // Inside a character (or exactly at it): land on its start.
                return start + at;
            }
            remaining -= width;
        }
        end
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_each_encoding() {
        let text = "a = 1\nπ𝄞 = x\r\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let at = |e| index.position(TextSize::new(x as u32), text, e);
        assert_eq!(at(Encoding::Utf8), Position::new(1, 9));
        assert_eq!(at(Encoding::Utf16), Position::new(1, 6));
        assert_eq!(at(Encoding::Utf32), Position::new(1, 5));
        for e in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(index.offset(at(e), text, e), x);
        }
        assert_eq!(
            index.offset(Position::new(1, 99), text, Encoding::Utf16),
            text.find('\r').unwrap()
        );
        assert_eq!(
            index.offset(Position::new(9, 0), text, Encoding::Utf16),
            text.len()
        );
        assert_eq!(
            index.position(TextSize::new(text.len() as u32), text, Encoding::Utf16),
            Position::new(2, 4)
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let text = "a\rb\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_of(2), 1);
        assert_eq!(index.line_start(2, text), 4);
        assert_eq!(index.line_end(0, text), 1);
    }
}
