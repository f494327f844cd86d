//! `check --fix`, `--unsafe-fixes`, `--diff`, `--fix-only`, `--show-fixes`
//! end to end in a temporary directory: what is written (and what is not),
//! encodings and line endings, standard input, summaries and exit codes.

mod common;

use common::{output_of as run, pitfall};
use tempfile::TempDir;

/// The rules these tests exercise, so that rules added later (with fixes
/// of their own) do not change what they see.
const CONFIG: &str = "[tool.pitfall]\nselect = [\"PF101\", \"PF201\", \"PF401\"]\n";

fn project(files: &[(&str, &[u8])]) -> TempDir {
    let dir = common::project_bytes(files);
    std::fs::write(dir.path().join("pyproject.toml"), CONFIG).unwrap();
    dir
}

/// `pitfall check --fix --unsafe-fixes EXTRA...` in `dir`.
fn fix_all(dir: &TempDir, extra: &[&str]) -> (i32, String, String) {
    run(pitfall(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .args(extra))
}

fn read(dir: &TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

/// Two unsafe fixes (PF101's sleep, PF201) and a finding without a fix
/// (PF401 on a lambda, which has none).
const APP: &str = "\
import time


async def poll():
    try:
        time.sleep(1)
    except:
        pass


add = lambda x, seen=[]: seen
";

const APP_FIXED: &str = "\
import asyncio
import time


async def poll():
    try:
        await asyncio.sleep(1)
    except Exception:
        pass


add = lambda x, seen=[]: seen
";

#[test]
fn unsafe_fixes_only_with_unsafe_fixes() {
    let dir = project(&[("app.py", APP.as_bytes())]);
    let (code, out, err) =
        run(pitfall(dir.path()).args(["check", "--fix", "--output-format", "concise"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        read(&dir, "app.py"),
        APP,
        "only safe fixes without --unsafe-fixes"
    );
    assert!(out.contains("Found 3 problems in 1 file"), "{out}");

    // Without --fix, --unsafe-fixes shows the unsafe fixes as available.
    let (_, out, _) = run(pitfall(dir.path()).args(["check", "--output-format", "concise"]));
    assert!(!out.contains("[*]"), "{out}");
    assert!(
        out.contains(
            "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
        ),
        "{out}"
    );
    let (_, out, _) =
        run(pitfall(dir.path()).args(["check", "--unsafe-fixes", "--output-format", "concise"]));
    assert!(
        out.contains("app.py:7:5: PF201 [*] Bare `except:`"),
        "{out}"
    );
    assert!(out.contains("app.py:11:22: PF401 Mutable"), "{out}");
    assert!(
        out.contains("[*] 2 fixable with the `--fix` option."),
        "{out}"
    );
    assert_eq!(read(&dir, "app.py"), APP, "nothing written without --fix");
}

#[test]
fn fix_writes_then_reports_what_remains() {
    let dir = project(&[("app.py", APP.as_bytes())]);
    let (code, out, err) = fix_all(&dir, &["--output-format", "concise"]);
    assert_eq!(code, 1, "the PF401 finding remains: {err}");
    assert_eq!(read(&dir, "app.py"), APP_FIXED);
    assert_eq!(
        out,
        "app.py:12:22: PF401 Mutable default list for parameter `seen` is created once and shared by every call\n\
         Found 3 problems (2 fixed, 1 remaining).\n"
    );
    // The fixed file checks clean for the fixed rules.
    let (code, _, _) = run(pitfall(dir.path()).args(["check", "--select", "PF101,PF201"]));
    assert_eq!(code, 0);
    // Nothing remains once PF401 is not selected: exit 0.
    let dir = project(&[("app.py", APP.as_bytes())]);
    let (code, out, _) = fix_all(&dir, &["--ignore", "PF401", "--show-fixes"]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("fix_show_fixes", out);
}

#[test]
fn diff_writes_nothing_and_exits_1_when_something_would_change() {
    let dir = project(&[("app.py", APP.as_bytes()), ("clean.py", b"x = 1\n")]);
    let (code, out, err) = run(pitfall(dir.path()).args(["check", "--diff", "--unsafe-fixes"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&dir, "app.py"), APP, "--diff writes nothing");
    assert_eq!(err, "Would fix 2 problems.\n");
    insta::assert_snapshot!("fix_diff", out);
    // The diff is a patch: applied, it gives what --fix writes.
    std::fs::write(dir.path().join("fix.patch"), &out).unwrap();
    let applied = std::process::Command::new("git")
        .args(["apply", "-p0", "fix.patch"])
        .current_dir(dir.path())
        .status();
    if let Ok(status) = applied {
        assert!(status.success());
        assert_eq!(read(&dir, "app.py"), APP_FIXED);
        std::fs::write(dir.path().join("app.py"), APP).unwrap();
    }
    let (code, out, err) = run(pitfall(dir.path()).args(["check", "--diff"]));
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "safe fixes only: none: {err}"
    );
    assert_eq!(
        err,
        "No problems would be fixed (2 more with `--unsafe-fixes`).\n"
    );
    let (code, out, _) =
        run(pitfall(dir.path()).args(["check", "--diff", "--unsafe-fixes", "clean.py"]));
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn suppressed_findings_keep_their_code() {
    let source = "\
try:
    pass
except:  # noqa: PF201
    pass
try:
    pass
except:  # pitfall: ignore[bare-except]
    pass
try:
    pass
except:
    pass
";
    let dir = project(&[("s.py", source.as_bytes())]);
    let (code, out, err) = fix_all(&dir, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let fixed = read(&dir, "s.py");
    assert_eq!(
        fixed,
        source.replacen("except:\n", "except Exception:\n", 1)
    );
    assert_eq!(fixed.matches("except:  #").count(), 2, "{fixed}");
}

#[test]
fn declared_encoding_bom_and_line_endings_survive() {
    let latin1: &[u8] =
        b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\ntry:\n    pass\nexcept:\n    pass\n";
    let crlf_bom: &[u8] = b"\xef\xbb\xbftry:\r\n    pass\r\nexcept:\r\n    pass\r\n";
    let dir = project(&[("latin.py", latin1), ("crlf.py", crlf_bom)]);
    let (code, out, err) = fix_all(&dir, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Found 2 problems (2 fixed, 0 remaining)."),
        "{out}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("latin.py")).unwrap(),
        b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\ntry:\n    pass\nexcept Exception:\n    pass\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("crlf.py")).unwrap(),
        b"\xef\xbb\xbftry:\r\n    pass\r\nexcept Exception:\r\n    pass\r\n"
    );
    // A fix that inserts a line keeps CRLF: PF101 adds `import asyncio`.
    let crlf_app = APP.replace('\n', "\r\n");
    let dir = project(&[("app.py", crlf_app.as_bytes())]);
    fix_all(&dir, &[]);
    assert_eq!(read(&dir, "app.py"), APP_FIXED.replace('\n', "\r\n"));
}

#[test]
fn files_without_fixes_are_never_written() {
    let dir = project(&[("a.py", b"f = lambda x=[]: x\n"), ("b.py", b"x = 1\n")]);
    let stamp = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = (stamp("a.py"), stamp("b.py"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, _, _) = fix_all(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!((stamp("a.py"), stamp("b.py")), before);
}

#[test]
fn stdin_fix_prints_the_fixed_source_and_reports_on_stderr() {
    let dir = project(&[("app.py", b"on disk\n")]);
    let (code, out, err) = run(pitfall(dir.path())
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--stdin-filename",
            "app.py",
        ])
        .write_stdin(APP));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, APP_FIXED);
    assert!(
        err.contains("PF401") && err.contains("(2 fixed, 1 remaining)"),
        "{err}"
    );
    assert_eq!(
        read(&dir, "app.py"),
        "on disk\n",
        "standard input is not written anywhere"
    );
    // Nothing to fix: the source comes back as it was.
    let (code, out, _) = run(pitfall(dir.path())
        .args(["check", "--fix", "--stdin-filename", "app.py"])
        .write_stdin(APP));
    assert_eq!((code, out.as_str()), (1, APP));
    // Excluded by --force-exclude: the source comes back as it was.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        format!("{CONFIG}extend-exclude = [\"app.py\"]\n"),
    )
    .unwrap();
    let (code, out, _) = run(pitfall(dir.path())
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--force-exclude",
            "--stdin-filename",
            "app.py",
        ])
        .write_stdin(APP));
    assert_eq!((code, out.as_str()), (0, APP));
    std::fs::write(dir.path().join("pyproject.toml"), CONFIG).unwrap();
    // --diff on standard input shows the diff under that name.
    let (code, out, _) = run(pitfall(dir.path())
        .args([
            "check",
            "--diff",
            "--unsafe-fixes",
            "--stdin-filename",
            "app.py",
        ])
        .write_stdin(APP));
    assert_eq!(code, 1);
    assert!(out.starts_with("--- app.py\n+++ app.py\n"), "{out}");
}

#[test]
fn fix_only_reports_the_fixes_and_exits_0() {
    let dir = project(&[("app.py", APP.as_bytes())]);
    let (code, out, err) = run(pitfall(dir.path()).args(["check", "--fix-only", "--unsafe-fixes"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Fixed 2 problems.\n");
    assert_eq!(read(&dir, "app.py"), APP_FIXED);
}

/// Fixing one file re-runs the cross-module phase on the fixed texts: the
/// finding through another module remains, on its new line.
#[test]
fn cross_module_findings_remain_after_fixing() {
    let dir = project(&[
        ("b.py", b"import time\n\ndef helper():\n    time.sleep(1)\n"),
        (
            "a.py",
            b"import time\nfrom b import helper\n\nasync def run():\n    helper()\n    time.sleep(1)\n",
        ),
    ]);
    let (code, out, err) = fix_all(&dir, &["--output-format", "concise"]);
    assert_eq!(code, 1, "{err}");
    assert!(read(&dir, "a.py").contains("    await asyncio.sleep(1)\n"));
    assert!(
        out.starts_with("a.py:6:5: PF101 Coroutine `run` calls a sync helper"),
        "{out}"
    );
    assert!(out.contains("(1 fixed, 1 remaining)"), "{out}");
}
