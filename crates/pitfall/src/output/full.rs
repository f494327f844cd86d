use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use ruff_source_file::LineIndex;

use super::Message;

/// A source snippet per finding, drawn by `annotate-snippets`, with the help line.
pub fn write(out: &mut dyn Write, messages: &[Message], color: bool) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut index_for: Option<(&str, LineIndex)> = None;
    for m in messages {
        if index_for.as_ref().is_none_or(|(p, _)| *p != m.display_path) {
            index_for = Some((&m.display_path, LineIndex::from_source_text(&m.source)));
        }
        let (_, index) = index_for.as_ref().expect("set above");
        let source: &str = &m.source;
        // Only the lines the finding spans, so big files stay cheap to render.
        let first = index.line_index(m.diagnostic.range.start());
        let last = index.line_index(m.diagnostic.range.end());
        let start = index.line_start(first, source);
        let end = index.line_end(last, source);
        let snippet_text = &source[usize::from(start)..usize::from(end)];
        let span_start = usize::from(m.diagnostic.range.start() - start);
        let span_end = usize::from(m.diagnostic.range.end() - start).max(span_start);
        let code = m.rule.meta().code;
        let title = Level::ERROR
            .with_name(Some(code))
            .primary_title(m.diagnostic.message.as_str());
        let mut report = vec![title.element(
            Snippet::source(snippet_text)
                .line_start(first.get())
                .path(m.display_path.as_str())
                .annotation(AnnotationKind::Primary.span(span_start..span_end)),
        )];
        let related: Vec<String> = m
            .diagnostic
            .related
            .iter()
            .map(|r| {
                let at = m.location_of(r.range.start());
                let path = r.path.as_deref().unwrap_or(&m.display_path);
                format!("{path}:{}:{}: {}", at.row, at.column, r.message)
            })
            .collect();
        for note in &related {
            report.push(Group::with_title(Level::NOTE.secondary_title(note.as_str())));
        }
        if let Some(help) = &m.diagnostic.help {
            report.push(Group::with_title(Level::HELP.secondary_title(help.as_str())));
        }
        writeln!(out, "{}\n", renderer.render(&report))?;
    }
    Ok(())
}
