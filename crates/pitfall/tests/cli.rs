//! End-to-end tests of the `pitfall` binary: exit codes, config errors,
//! suppressions, bad input and output formats (snapshots).

mod common;

use common::{output_of as stdout_of, pitfall, project};

const BAD: &str = "\
import time


async def refresh():
    time.sleep(1)


def add_tag(tag, tags=[]):
    tags.append(tag)
    return tags
";

#[test]
fn exit_code_0_when_clean() {
    let dir = project(&[("ok.py", "def f(x=None):\n    return x\n")]);
    let (code, out, _) = stdout_of(pitfall(dir.path()).arg("check"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("All checks passed"), "{out}");
}

#[test]
fn exit_code_1_with_findings_and_0_with_exit_zero() {
    let dir = project(&[("bad.py", BAD)]);
    let (code, out, _) =
        stdout_of(pitfall(dir.path()).args(["check", "--output-format", "concise"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("concise", out);
    let (code, _, _) = stdout_of(pitfall(dir.path()).args(["check", "--exit-zero"]));
    assert_eq!(code, 0);
}

#[test]
fn default_command_is_check() {
    let dir = project(&[("bad.py", BAD)]);
    let (code, out, _) = stdout_of(pitfall(dir.path()).args(["bad.py", "-q"]));
    assert_eq!(code, 1);
    assert!(out.contains("PF101"), "{out}");
    assert!(!out.contains("Found"), "quiet prints no summary: {out}");
}

#[test]
fn missing_path_is_exit_2_and_named() {
    let dir = project(&[("bad.py", BAD)]);
    let (code, out, err) = stdout_of(pitfall(dir.path()).args(["check", "bad.py", "nope.py"]));
    assert_eq!(code, 2);
    assert!(err.contains("nope.py"), "{err}");
    assert!(
        out.contains("PF401"),
        "the other path is still checked: {out}"
    );
}

#[test]
fn unknown_selector_is_exit_2_with_suggestion() {
    let dir = project(&[("bad.py", BAD)]);
    let (code, _, err) =
        stdout_of(pitfall(dir.path()).args(["check", "--select", "mutable-default-arguments"]));
    assert_eq!(code, 2);
    assert!(err.contains("mutable-default-argument"), "{err}");
}

#[test]
fn selection_by_code_prefix_name_and_family() {
    let dir = project(&[("bad.py", BAD)]);
    for selector in ["PF401", "PF4", "mutable-default-argument", "functions"] {
        let (code, out, err) = stdout_of(pitfall(dir.path()).args([
            "check",
            "-q",
            "--output-format",
            "concise",
            "--select",
            selector,
        ]));
        assert_eq!(code, 1, "{selector}: {err}");
        assert!(
            out.contains("PF401") && !out.contains("PF101"),
            "{selector}: {out}"
        );
    }
    let (code, out, _) = stdout_of(pitfall(dir.path()).args([
        "check",
        "-q",
        "--ignore",
        "PF1",
        "--output-format",
        "concise",
    ]));
    assert_eq!(code, 1);
    assert!(!out.contains("PF101") && out.contains("PF401"), "{out}");
}

#[test]
fn config_error_names_file_line_and_key() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.pitfall]\nselct = [\"PF4\"]\n",
        ),
        ("bad.py", BAD),
    ]);
    let (code, _, err) = stdout_of(pitfall(dir.path()).arg("check"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pyproject.toml:5:"), "{err}");
    assert!(err.contains("selct") && err.contains("select"), "{err}");
}

#[test]
fn config_select_and_per_file_ignores() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.pitfall]\nselect = [\"PF401\"]\nper-file-ignores = { \"tests/*\" = [\"mutable-default-argument\"] }\n",
        ),
        ("app.py", BAD),
        ("tests/test_app.py", BAD),
    ]);
    let (code, out, err) =
        stdout_of(pitfall(dir.path()).args(["check", "-q", "--output-format", "concise"]));
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("app.py") && !out.contains("tests"), "{out}");
    assert!(!out.contains("PF101"), "{out}");
}

#[test]
fn suppressions() {
    let source = "\
import time  # pitfall: ignore[PF301]


def a(x=[]):  # noqa
    return x


def b(x=[]):  # noqa: PF401
    return x


def c(x=[]):  # noqa: E501
    return x


def d(x=[]):  # pitfall: ignore[mutable-default-argument]
    return x


def e(x=[]):  # pitfall: ignore[PF201]
    return x
";
    let dir = project(&[
        ("s.py", source),
        (
            "whole.py",
            "# pitfall: ignore-file\ndef f(x=[]):\n    return x\n",
        ),
    ]);
    let (code, out, _) =
        stdout_of(pitfall(dir.path()).args(["check", "-q", "--output-format", "concise"]));
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("s.py:12:"), "{out}");
    assert!(lines[1].starts_with("s.py:20:"), "{out}");
    // Unused suppressions are reported when PF004 is selected, per code.
    let (_, out, _) = stdout_of(pitfall(dir.path()).args([
        "check",
        "-q",
        "--output-format",
        "concise",
        "--extend-select",
        "PF004",
    ]));
    assert!(out.contains("s.py:1:") && out.contains("PF004"), "{out}");
    assert!(out.contains("s.py:20:") && out.contains("PF004"), "{out}");
}

#[test]
fn bad_input_never_panics() {
    let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let dir = project(&[
        ("py2.py", "print 'hello'\n"),
        ("empty.py", ""),
        ("deep.py", &deep),
        ("fine.py", "def f(x=[]):\n    return x\n"),
    ]);
    std::fs::write(dir.path().join("latin1.py"), b"x = '\xe9t\xe9'\n").unwrap();
    let (code, out, err) =
        stdout_of(pitfall(dir.path()).args(["check", "-q", "--output-format", "concise"]));
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.contains("py2.py:1:") && out.contains("PF001"), "{out}");
    assert!(out.contains("deep.py:1:1: PF003"), "{out}");
    assert!(out.contains("latin1.py:1:1: PF002"), "{out}");
    assert!(out.contains("fine.py:1:9: PF401"), "{out}");
    assert!(!out.contains("empty.py"), "{out}");
}

#[test]
fn deeply_nested_blocks_do_not_overflow() {
    let mut src = String::new();
    for depth in 0..150 {
        src.push_str(&"    ".repeat(depth));
        src.push_str("if x:\n");
    }
    src.push_str(&"    ".repeat(150));
    src.push_str("pass\n");
    let dir = project(&[("nested.py", &src)]);
    let (code, _, err) = stdout_of(pitfall(dir.path()).args(["check", "-q"]));
    assert!(code == 0 || code == 1, "{err}");
}

/// Long chains are deep trees without brackets: no stack overflow, and no
/// quadratic work per prefix (this once exhausted memory on `f()()()...`).
#[test]
fn long_chains_do_not_blow_up() {
    let dir = project(&[
        ("calls.py", &format!("x = f{}\n", "()".repeat(50_000))),
        ("attrs.py", &format!("x = a{}\n", ".b".repeat(50_000))),
        (
            "binop.py",
            &format!("x = {}\n", vec!["1"; 100_000].join(" + ")),
        ),
        ("unary.py", &format!("x = {}a\n", "not ".repeat(50_000))),
        (
            "elifs.py",
            &format!("if a:\n    pass\n{}", "elif a:\n    pass\n".repeat(10_000)),
        ),
    ]);
    let (code, _, err) = stdout_of(pitfall(dir.path()).args(["check", "-q"]));
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("overflow"),
        "{err}"
    );
}

#[test]
fn json_output_uses_ruff_field_names() {
    let dir = project(&[("bad.py", BAD)]);
    let (code, out, _) = stdout_of(pitfall(dir.path()).args(["check", "--output-format", "json"]));
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let records = value.as_array().unwrap();
    assert_eq!(records.len(), 2);
    for r in records {
        for key in [
            "code",
            "message",
            "filename",
            "location",
            "end_location",
            "fix",
            "url",
            "noqa_row",
        ] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
    }
    let prefix = dir.path().canonicalize().unwrap().display().to_string();
    let normalized = out.replace(&prefix, "[TMP]");
    insta::assert_snapshot!("json", normalized);
}

#[test]
fn full_output_draws_the_source() {
    let dir = project(&[("bad.py", BAD)]);
    let (_, out, _) = stdout_of(pitfall(dir.path()).args(["check", "--output-format", "full"]));
    insta::assert_snapshot!("full", out);
}

#[test]
fn statistics() {
    let dir = project(&[("bad.py", BAD), ("more.py", "def f(a={}):\n    return a\n")]);
    let (code, out, _) = stdout_of(pitfall(dir.path()).args(["check", "--statistics"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("statistics", out);
}

/// PF906's `min-coverage`: `--statistics` reports the project's coverage,
/// which then decides the exit status for PF906; a bad value is exit 2.
#[test]
fn docstring_coverage_in_statistics() {
    let config = |min: &str| {
        format!(
            "[tool.pitfall]\nextend-select = [\"missing-public-docstring\"]\n\n\
             [tool.pitfall.missing-public-docstring]\nmin-coverage = {min}\n"
        )
    };
    let module = "def a():\n    \"\"\"Doc.\"\"\"\n\n\ndef b():\n    pass\n\n\n\
                  class C:\n    \"\"\"Doc.\"\"\"\n\n    def m(self):\n        \"\"\"Doc.\"\"\"\n";
    for (min, expected_code, verdict) in [("75", 0, "meets"), ("80", 1, "below")] {
        let dir = project(&[("pyproject.toml", &config(min)), ("mod.py", module)]);
        let (code, out, err) = stdout_of(pitfall(dir.path()).args(["check", "--statistics"]));
        assert_eq!(code, expected_code, "{out}{err}");
        assert!(
            out.contains(&format!(
                "Docstring coverage: 75.0% (3 of 4 public objects documented), {verdict} min-coverage {min}%"
            )),
            "{out}"
        );
        // Without `--statistics` the findings decide, as for every rule.
        let (code, out, _) = stdout_of(pitfall(dir.path()).arg("check"));
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("Public function `b` has no docstring"),
            "{out}"
        );
    }
    for bad in ["101", "-1", "\"90%\""] {
        let dir = project(&[("pyproject.toml", &config(bad)), ("mod.py", module)]);
        let (code, _, err) = stdout_of(pitfall(dir.path()).arg("check"));
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(
                "pyproject.toml:5:16: expected a percentage from 0 to 100 for `min-coverage`"
            ),
            "{err}"
        );
    }
}

#[test]
fn rule_command_prints_docs_and_json_listing() {
    let dir = project(&[]);
    let (code, out, _) = stdout_of(pitfall(dir.path()).args(["rule", "PF401"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("# PF401 `mutable-default-argument`"),
        "{out}"
    );
    let (code, out2, _) = stdout_of(pitfall(dir.path()).args(["rule", "mutable-default-argument"]));
    assert_eq!(code, 0);
    assert_eq!(out, out2);
    let (code, out, _) =
        stdout_of(pitfall(dir.path()).args(["rule", "--all", "--output-format", "json"]));
    assert_eq!(code, 0);
    let rules: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pf401 = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PF401")
        .unwrap();
    for key in [
        "code", "name", "family", "tier", "default", "summary", "peers", "fix",
    ] {
        assert!(pf401.get(key).is_some(), "missing {key}");
    }
    assert_eq!(pf401["default"], true);
    assert_eq!(pf401["family"], "functions");
    let (code, _, err) = stdout_of(pitfall(dir.path()).args(["rule", "PF999"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn stdlib_shadowing_uses_the_import_roots() {
    let dir = project(&[
        ("pyproject.toml", "[tool.pitfall]\nsrc = [\".\", \"src\"]\n"),
        ("json.py", ""),
        ("src/logging/__init__.py", ""),
        ("src/app/random.py", ""),
        ("tools/picking.py", ""),
    ]);
    let (code, out, err) = stdout_of(pitfall(dir.path()).args([
        "check",
        "--select",
        "PF305",
        "--output-format",
        "concise",
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("json.py:1:1: PF305"), "{out}");
    assert!(out.contains("__init__.py:1:1: PF305"), "{out}");
    assert!(!out.contains("random.py"), "nested in a package: {out}");
    assert!(!out.contains("picking.py"), "{out}");
}

/// A compiled extension module (`pkg/native.cpython-311-x86_64-linux-gnu.so`)
/// is a submodule that imports may name, though no Python file defines it;
/// the names it holds are unknown. Missing names elsewhere are still found.
#[test]
fn extension_modules_are_submodules_for_pf905() {
    let dir = project(&[
        ("pkg/__init__.py", "from .native import loads\n"),
        ("pkg/native.cpython-311-x86_64-linux-gnu.so", "\x7fELF"),
        ("pkg/_speedups.abi3.so", ""),
        (
            "app.py",
            "import pkg.native\nfrom pkg import native, _speedups\nfrom pkg.native import dumps\nfrom pkg import missing\nimport pkg.absent\n",
        ),
    ]);
    let (code, out, err) = stdout_of(pitfall(dir.path()).args([
        "check",
        "--select",
        "PF905",
        "--output-format",
        "concise",
    ]));
    assert_eq!(code, 1, "{out}{err}");
    let findings: Vec<&str> = out.lines().filter(|l| l.contains("PF905")).collect();
    assert_eq!(findings.len(), 2, "{out}");
    assert!(out.contains("app.py:4:"), "`missing`: {out}");
    assert!(out.contains("app.py:5:"), "`pkg.absent`: {out}");
    assert!(!out.contains("__init__.py"), "{out}");
}
