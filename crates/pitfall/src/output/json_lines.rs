//! One compact `json` record per line, for tools that stream.

use std::io::{self, Write};

use super::json::record;
use super::Message;

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    for m in messages {
        serde_json::to_writer(&mut *out, &record(m))?;
        writeln!(out)?;
    }
    Ok(())
}
