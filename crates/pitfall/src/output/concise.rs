use std::io::{self, Write};

use super::Message;

/// `path:row:col: CODE message`
pub fn write(out: &mut dyn Write, messages: &[Message], color: bool) -> io::Result<()> {
    for m in messages {
        let code = m.rule.meta().code;
        if color {
            writeln!(
                out,
                "\x1b[1m{}\x1b[0m:{}:{}: \x1b[1;31m{code}\x1b[0m {}",
                m.display_path, m.start.row, m.start.column, m.message
            )?;
        } else {
            writeln!(
                out,
                "{}:{}:{}: {code} {}",
                m.display_path, m.start.row, m.start.column, m.message
            )?;
        }
    }
    Ok(())
}
