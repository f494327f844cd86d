//! Lexical path helpers.
//!
//! We never canonicalize checked paths: symlinked trees should report the
//! path the user walked, and `canonicalize` costs a syscall per component.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against `cwd`, with `.` and `..` removed lexically.
pub fn normalize(path: &Path, cwd: &Path) -> PathBuf {
    let joined;
    let path = if path.is_absolute() {
        path
    } else {
        joined = cwd.join(path);
        &joined
    };
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`; popping the root is a no-op.
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `path` is already what [`normalize`] makes of it: absolute, no
/// `.` or `..` component, no repeated or trailing separator. Lets the
/// paths a walk produced skip the copy.
pub fn is_normal(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if bytes == b"/" {
            return true;
        }
        bytes.first() == Some(&b'/')
            && bytes.last() != Some(&b'/')
            && bytes[1..]
                .split(|b| *b == b'/')
                .all(|part| !matches!(part, b"" | b"." | b".."))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_normal_paths() {
        let cwd = Path::new("/home/u");
        for path in [
            "/", "/a", "/a/b.py", "/a/.b", "/a/..b", "a", "./a", "/a/", "/a//b", "/a/./b", "/a/..",
            "/a/../b", "/.", "",
        ] {
            let path = Path::new(path);
            if is_normal(path) {
                assert_eq!(normalize(path, cwd), path, "{}", path.display());
            }
        }
        assert!(is_normal(Path::new("/a/.b")));
        assert!(!is_normal(Path::new("/a/./b")));
        assert!(!is_normal(Path::new("/a/")));
        assert!(!is_normal(Path::new("a/b")));
    }

    #[test]
    fn normalizes_lexically() {
        let cwd = Path::new("/home/u/proj");
        assert_eq!(
            normalize(Path::new("."), cwd),
            PathBuf::from("/home/u/proj")
        );
        assert_eq!(
            normalize(Path::new("./a/../b"), cwd),
            PathBuf::from("/home/u/proj/b")
        );
        assert_eq!(normalize(Path::new("/x/./y/.."), cwd), PathBuf::from("/x"));
        assert_eq!(normalize(Path::new("../../../.."), cwd), PathBuf::from("/"));
    }
}
