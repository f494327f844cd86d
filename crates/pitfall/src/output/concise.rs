use std::io::{self, Write};

use pitfall_linter::UnsafeFixes;

use super::Message;

/// `path:row:col: CODE message`, with `[*]` before the message when `--fix` can fix it.
pub fn write(
    out: &mut dyn Write,
    messages: &[Message],
    color: bool,
    unsafe_fixes: UnsafeFixes,
) -> io::Result<()> {
    for m in messages {
        let code = m.rule.meta().code;
        let marker = if m.is_fixable(unsafe_fixes) {
            "[*] "
        } else {
            ""
        };
        if color {
            writeln!(
                out,
                "\x1b[1m{}\x1b[0m:{}:{}: \x1b[1;31m{code}\x1b[0m {marker}{}",
                m.display_path, m.start.row, m.start.column, m.message
            )?;
        } else {
            writeln!(
                out,
                "{}:{}:{}: {code} {marker}{}",
                m.display_path, m.start.row, m.start.column, m.message
            )?;
        }
    }
    Ok(())
}
