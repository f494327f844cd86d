//! `file://` URIs to paths and back (RFC 8089, the forms editors send).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The path a `file:` URI names; `None` for other schemes (`untitled:`, ...).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority is empty or `localhost` for local files.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(at) if rest[..at].eq_ignore_ascii_case("localhost") => &rest[at..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes = percent_decode(path)?;
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// The `file:` URI of an absolute path, percent-encoding what RFC 3986 does not allow.
pub fn from_path(path: &Path) -> Uri {
    let mut out = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).unwrap_or_else(|_| Uri::from_str("file:///").expect("valid URI"))
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_odd_paths() {
        for path in ["/tmp/a b/c%d#e.py", "/home/ü/x.py", "/p/[x]/y?.py"] {
            let uri = from_path(Path::new(path));
            assert_eq!(to_path(&uri).as_deref(), Some(Path::new(path)), "{uri:?}");
        }
    }

    #[test]
    fn reads_editor_forms() {
        let uri = Uri::from_str("file:///c%3A/x/y%20z.py").unwrap();
        assert_eq!(to_path(&uri), Some(PathBuf::from("/c:/x/y z.py")));
        let uri = Uri::from_str("file://localhost/tmp/a.py").unwrap();
        assert_eq!(to_path(&uri), Some(PathBuf::from("/tmp/a.py")));
        assert_eq!(
            to_path(&Uri::from_str("untitled:Untitled-1").unwrap()),
            None
        );
        assert_eq!(
            to_path(&Uri::from_str("file://server/share/a.py").unwrap()),
            None
        );
    }
}
