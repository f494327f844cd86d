//! JUnit XML: one test suite per file, one failing test case per finding,
//! and a single passing case when there is nothing to report.

use std::io::{self, Write};

use super::Message;

/// Escapes text for an XML attribute or element. Line breaks and tabs
/// become character references (a parser would fold them to spaces in an
/// attribute); other control characters cannot appear in XML 1.0 at all.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

pub fn write(out: &mut dyn Write, messages: &[Message]) -> io::Result<()> {
    let n = messages.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="pitfall" tests="{}" failures="{n}" errors="0">"#,
        n.max(1)
    )?;
    if messages.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="pitfall" tests="1" failures="0" errors="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="No findings" classname="pitfall"/>"#
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    // Messages arrive sorted by path, so each file's findings are adjacent.
    for file in messages.chunk_by(|a, b| a.display_path == b.display_path) {
        let path = escape_xml(&file[0].display_path);
        let count = file.len();
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{count}" failures="{count}" errors="0">"#
        )?;
        for m in file {
            let meta = m.rule.meta();
            writeln!(
                out,
                r#"    <testcase name="{} {}" classname="{path}" file="{path}" line="{}">"#,
                meta.code, meta.name, m.start.row
            )?;
            let mut body = format!(
                "{}:{}:{}: {}",
                m.display_path, m.start.row, m.start.column, m.message
            );
            if let Some(help) = &m.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape_xml(&m.message),
                meta.code,
                escape_xml(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn escapes_markup_breaks_and_control_characters() {
        assert_eq!(
            escape_xml("a<b>&\"c'\nd\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d\u{fffd}"
        );
    }
}
