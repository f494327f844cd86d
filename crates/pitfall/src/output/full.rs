use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use pitfall_linter::UnsafeFixes;

use super::Message;

/// A source snippet per finding, drawn by `annotate-snippets`, with notes
/// for each step of a call chain and the help line.
pub fn write(
    out: &mut dyn Write,
    messages: &[Message],
    color: bool,
    unsafe_fixes: UnsafeFixes,
) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for m in messages {
        let code = m.rule.meta().code;
        let message = if m.is_fixable(unsafe_fixes) {
            format!("[*] {}", m.message)
        } else {
            m.message.clone()
        };
        let title = Level::ERROR
            .with_name(Some(code))
            .primary_title(message.as_str());
        let mut report = vec![title.element(
            Snippet::source(m.lines.text.as_str())
                .line_start(m.lines.first_row)
                .path(m.display_path.as_str())
                .annotation(AnnotationKind::Primary.span(m.lines.span.clone())),
        )];
        let notes: Vec<String> = m
            .related
            .iter()
            .map(|r| {
                format!(
                    "{}:{}:{}: {}",
                    r.path, r.start.row, r.start.column, r.message
                )
            })
            .collect();
        for note in &notes {
            report.push(Group::with_title(
                Level::NOTE.secondary_title(note.as_str()),
            ));
        }
        if let Some(help) = &m.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        writeln!(out, "{}\n", renderer.render(&report))?;
    }
    Ok(())
}
