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

#[cfg(test)]
mod tests {
    use super::*;

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
