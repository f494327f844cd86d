//! GitHub Actions workflow commands: one `::error` line per finding, which
//! the runner turns into an annotation on the pull request's diff.

use std::io::{self, Write};

use super::Message;

/// Escapes a command's message as the runner expects (`%`, CR, LF).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as data, plus the separators `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`.
/// `file` is the absolute path: the runner maps it into the repository
/// wherever pitfall was started.
pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    for m in messages {
        let meta = m.rule.meta();
        let mut text = m.message.clone();
        if let Some(help) = &m.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        writeln!(
            out,
            "::error file={},line={},endLine={},col={},endColumn={},title={}::{}",
            escape_property(&m.path.display().to_string()),
            m.start.row,
            m.end.row,
            m.start.column,
            m.end.column,
            escape_property(&format!("pitfall {} ({})", meta.code, meta.name)),
            escape_data(&text),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first_then_separators() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("a%3A:b,c\n"), "a%253A%3Ab%2Cc%0A");
    }
}
