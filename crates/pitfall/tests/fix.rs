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

/// A package whose `checkout` imports names `pricing` does not define
/// (PF905, with unsafe fixes), below a bare `except:` (PF201) and an
/// async sleep (PF101, whose fix inserts `import asyncio` above: the
/// cross-module fixes apply to the text the local ones left).
const SHOP: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[tool.pitfall]\nselect = [\"PF101\", \"PF201\", \"PF404\", \"PF905\"]\n",
    ),
    ("shop/__init__.py", ""),
    (
        "shop/pricing.py",
        "def compute_total(items):\n    return sum(items)\n\n\nclass Cart:\n    pass\n",
    ),
    (
        "shop/checkout.py",
        "\
import time
from shop.pricing import compute_totals, Cartt as C
from shop.pricing import Cart  # noqa: PF905
from shop.pricing import missing


async def pay():
    try:
        time.sleep(1)
    except:
        pass
    return compute_totals([C()]) is 1
",
    ),
];

const CHECKOUT_FIXED: &str = "\
import asyncio
import time
from shop.pricing import compute_total as compute_totals, Cart as C
from shop.pricing import Cart  # noqa: PF905
from shop.pricing import missing


async def pay():
    try:
        await asyncio.sleep(1)
    except Exception:
        pass
    return compute_totals([C()]) == 1
";

#[test]
fn cross_module_fixes_are_applied() {
    let dir = common::project(SHOP);
    let original = read(&dir, "shop/checkout.py");
    // --diff shows them and writes nothing.
    let (code, out, err) = run(pitfall(dir.path()).args(["check", "--diff", "--unsafe-fixes"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("+from shop.pricing import compute_total as compute_totals, Cart as C\n"),
        "{out}"
    );
    assert_eq!(err, "Would fix 5 problems.\n");
    assert_eq!(read(&dir, "shop/checkout.py"), original);
    // Safe fixes only: PF404's; the unsafe ones, PF905's too, are counted as hidden.
    let (code, _, err) = run(pitfall(dir.path()).args(["check", "--diff"]));
    assert_eq!(code, 1);
    assert_eq!(err, "Would fix 1 problem (4 more with `--unsafe-fixes`).\n");
    assert_eq!(read(&dir, "shop/checkout.py"), original);

    let (code, out, err) = fix_all(&dir, &["--show-fixes", "--output-format", "concise"]);
    assert_eq!(code, 1, "`missing` has no close match: {err}");
    assert_eq!(read(&dir, "shop/checkout.py"), CHECKOUT_FIXED);
    assert!(
        out.starts_with("shop/checkout.py:5:26: PF905 `missing` is not defined"),
        "{out}"
    );
    assert!(
        out.contains("    2 × PF905 (unresolved-project-import)\n"),
        "{out}"
    );
    assert!(out.contains("(5 fixed, 1 remaining)"), "{out}");
    assert!(!err.contains("warning"), "{err}");
    // Fixed for good: nothing is left to fix.
    let (_, out, _) = run(pitfall(dir.path()).args(["check", "--unsafe-fixes"]));
    assert!(
        out.contains("Found 1 problem in 1 file") && !out.contains("fix"),
        "{out}"
    );
}

#[test]
fn cross_module_fixes_with_fix_only_and_standard_input() {
    let dir = common::project(SHOP);
    let (code, out, err) = run(pitfall(dir.path()).args(["check", "--fix-only", "--unsafe-fixes"]));
    assert_eq!((code, out.as_str()), (0, "Fixed 5 problems.\n"), "{err}");
    assert_eq!(read(&dir, "shop/checkout.py"), CHECKOUT_FIXED);

    // Standard input is fixed as the file at its name, against the project.
    let dir = common::project(SHOP);
    let original = read(&dir, "shop/checkout.py");
    let (code, out, err) = run(pitfall(dir.path())
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--stdin-filename",
            "shop/checkout.py",
        ])
        .write_stdin(original.as_str()));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, CHECKOUT_FIXED);
    assert!(err.contains("(5 fixed, 1 remaining)"), "{err}");
    assert_eq!(read(&dir, "shop/checkout.py"), original, "nothing written");
}

/// The number in `[*] N fixable` of `check`, 0 when none.
fn fixable_count(out: &str) -> usize {
    out.lines()
        .find_map(|l| l.strip_prefix("[*] "))
        .and_then(|rest| rest.split(' ').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// The number in `(N fixed, M remaining)` of `check --fix`, 0 when none.
fn fixed_count(out: &str) -> usize {
    out.rsplit_once(" fixed, ")
        .and_then(|(head, _)| head.rsplit_once('(').map(|(_, n)| n.parse().unwrap()))
        .unwrap_or(0)
}

/// What `check` calls fixable is what `check --fix` fixes, with and without
/// `--unsafe-fixes`: local and cross-module fixes, suppressed ones left out.
#[test]
fn the_fixable_count_is_what_fix_applies() {
    let mut files = SHOP.to_vec();
    files.push(("app.py", APP));
    files.push(("cmp.py", "def f(x):\n    return x is 'a' or x is not 1\n"));
    for unsafe_fixes in [false, true] {
        let dir = common::project(&files);
        let flags: &[&str] = if unsafe_fixes {
            &["--unsafe-fixes"]
        } else {
            &[]
        };
        let (_, out, _) = run(pitfall(dir.path()).arg("check").args(flags));
        let fixable = fixable_count(&out);
        let (_, fixed, err) = run(pitfall(dir.path()).args(["check", "--fix"]).args(flags));
        assert_eq!(
            fixed_count(&fixed),
            fixable,
            "unsafe fixes: {unsafe_fixes}\ncheck:\n{out}\ncheck --fix:\n{fixed}{err}"
        );
        assert!(fixable > if unsafe_fixes { 5 } else { 2 }, "{out}");
        let (_, out, _) = run(pitfall(dir.path()).arg("check").args(flags));
        assert_eq!(fixable_count(&out), 0, "{out}");
    }
}
