//! `path:line: [CODE] message`, the line pylint's parseable format prints.

use std::io::{self, Write};

use super::Message;

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    for m in messages {
        writeln!(
            out,
            "{}:{}: [{}] {}",
            m.display_path,
            m.start.row,
            m.rule.meta().code,
            m.message
        )?;
    }
    Ok(())
}
