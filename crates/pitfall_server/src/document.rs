//! An open editor buffer: its text, version and line index.

use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::line_index::{Encoding, LineIndex};

pub struct Document {
    /// As the client spelled it: diagnostics are published under it.
    pub uri: Uri,
    text: Arc<str>,
    pub version: i32,
    index: LineIndex,
}

impl Document {
    pub fn new(uri: Uri, text: String, version: i32) -> Document {
        let index = LineIndex::new(&text);
        Document {
            uri,
            text: Arc::from(text),
            version,
            index,
        }
    }

    /// The text as the database sees it (the overlay).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    pub fn index(&self) -> &LineIndex {
        &self.index
    }

    /// Applies `didChange` events in order: a change without a range replaces
    /// the whole text; a range is read against the text the earlier events left.
    pub fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        let mut text = String::from(&*self.text);
        let mut index = std::mem::take(&mut self.index);
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let start = index.offset(range.start, &text, encoding);
                    let end = index.offset(range.end, &text, encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
            index = LineIndex::new(&text);
        }
        self.index = index;
        self.text = Arc::from(text);
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_apply_in_order() {
        let uri = "file:///a.py".parse().unwrap();
        let mut doc = Document::new(uri, "def f():\n    pass\n".to_string(), 1);
        doc.apply(
            vec![
                edit((1, 4), (1, 8), "return 1"),
                edit((0, 4), (0, 5), "g"),
                edit((2, 0), (2, 0), "x = 'é'\n"),
                edit((2, 5), (2, 6), "e"),
            ],
            2,
            Encoding::Utf16,
        );
        assert_eq!(&**doc.text(), "def g():\n    return 1\nx = 'e'\n");
        assert_eq!(doc.version, 2);
        doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".to_string(),
            }],
            3,
            Encoding::Utf16,
        );
        assert_eq!(&**doc.text(), "new");
    }
}
