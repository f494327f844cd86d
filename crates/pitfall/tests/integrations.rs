//! The CI output formats and standard input, end to end: every format is
//! snapshotted on a project whose path holds `,` `:` `%` and a line break
//! (so do the messages: a call chain names the helper's file), and the
//! `github` lines are parsed back with GitHub's workflow-command grammar.

mod common;

use std::path::Path;

use common::{output_of, pitfall, project};
use serde_json::Value;
use tempfile::TempDir;

/// A directory and a file name with every character the formats must escape.
const TRICKY_PATH: &str = "we,ird:dir%/new\nline,1:2%.py";

const CHAIN: &str = "\
import time


def helper():
    time.sleep(1)


async def main():
    helper()


def add(tag, tags=[]):
    return tags
";

const PLAIN: &str = "\
try:
    pass
except:
    pass
";

fn tricky_project() -> TempDir {
    project(&[(TRICKY_PATH, CHAIN), ("plain.py", PLAIN)])
}

/// Runs `pitfall check --output-format FORMAT` and returns its stdout with
/// the temporary directory replaced by `[TMP]`.
fn run_format(dir: &TempDir, format: &str) -> String {
    let out = pitfall(dir.path())
        .args(["check", "--output-format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{format}: findings mean exit 1");
    let text = String::from_utf8(out.stdout).unwrap();
    let prefix = dir.path().canonicalize().unwrap().display().to_string();
    text.replace(&prefix, "[TMP]")
}

/// The `json-lines` records: the reference the other formats are held to.
fn records(dir: &TempDir) -> Vec<Value> {
    run_format(dir, "json-lines")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn pylint_format() {
    let dir = tricky_project();
    insta::assert_snapshot!("pylint", run_format(&dir, "pylint"));
}

#[test]
fn json_lines_format() {
    let dir = tricky_project();
    let out = run_format(&dir, "json-lines");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "one record per line: {out}");
    insta::assert_snapshot!("json_lines", out);
}

#[test]
fn junit_format() {
    let dir = tricky_project();
    insta::assert_snapshot!("junit", run_format(&dir, "junit"));
}

#[test]
fn junit_format_without_findings_has_one_passing_case() {
    let dir = project(&[("ok.py", "x = 1\n")]);
    let out = pitfall(dir.path())
        .args(["check", "--output-format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(r#"failures="0""#), "{text}");
    assert!(!text.contains("<failure"), "{text}");
}

#[test]
fn gitlab_format() {
    let dir = tricky_project();
    let out = run_format(&dir, "gitlab");
    let issues: Vec<Value> = serde_json::from_str(&out).unwrap();
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    insta::assert_snapshot!("gitlab", out);
}

#[test]
fn gitlab_fingerprints_survive_moved_lines() {
    let dir = tricky_project();
    let before: Vec<Value> = serde_json::from_str(&run_format(&dir, "gitlab")).unwrap();
    std::fs::write(
        dir.path().join("plain.py"),
        format!("\n\n# moved down\n{PLAIN}"),
    )
    .unwrap();
    let after: Vec<Value> = serde_json::from_str(&run_format(&dir, "gitlab")).unwrap();
    let plain = |issues: &[Value]| {
        issues
            .iter()
            .find(|i| i["location"]["path"] == "plain.py")
            .cloned()
            .unwrap()
    };
    let (b, a) = (plain(&before), plain(&after));
    assert_ne!(
        b["location"]["lines"]["begin"],
        a["location"]["lines"]["begin"]
    );
    assert_eq!(b["fingerprint"], a["fingerprint"]);
}

#[test]
fn sarif_format() {
    let dir = tricky_project();
    let out = run_format(&dir, "sarif");
    let log: Value = serde_json::from_str(&out).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "helpUri",
        ] {
            assert!(rule.get(key).is_some(), "rule without {key}: {rule}");
        }
    }
    let pf401 = rules.iter().find(|r| r["id"] == "PF401").unwrap();
    assert_eq!(pf401["name"], "mutable-default-argument");
    assert!(
        pf401["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Flags a parameter default"),
        "{pf401}"
    );
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
    }
    // The rule table and indexes change with every new rule: checked above,
    // left out of the snapshot.
    let mut log = log;
    log["runs"][0]["tool"]["driver"]["rules"] = "[rules]".into();
    log["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    for result in log["runs"][0]["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = "[index]".into();
    }
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&log).unwrap());
}

/// One parsed workflow command.
struct WorkflowCommand {
    name: String,
    properties: Vec<(String, String)>,
    message: String,
}

/// Reverses GitHub's escaping, accepting only the escapes it defines:
/// `%25`, `%0D`, `%0A` everywhere, and `%3A`, `%2C` in property values.
fn unescape(text: &str, in_property: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).ok_or("a `%` at the end")?;
        out.push(match code {
            "25" => '%',
            "0D" => '\r',
            "0A" => '\n',
            "3A" if in_property => ':',
            "2C" if in_property => ',',
            _ => return Err(format!("a raw or unknown escape `%{code}` in {text:?}")),
        });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `::name[ key=value(,key=value)*]::message`, strictly: a known command
/// and known keys, each once, values without raw `:` `,` or line breaks,
/// and only defined escapes.
fn parse_workflow_command(line: &str) -> Result<WorkflowCommand, String> {
    let body = line.strip_prefix("::").ok_or("no leading `::`")?;
    let end = body.find("::").ok_or("no `::` before the message")?;
    let (head, message) = (&body[..end], &body[end + 2..]);
    if message.contains(['\r', '\n']) {
        return Err("a raw line break in the message".into());
    }
    let (name, properties) = match head.split_once(' ') {
        Some((name, props)) => (name, Some(props)),
        None => (head, None),
    };
    if !["error", "warning", "notice"].contains(&name) {
        return Err(format!("unknown command `{name}`"));
    }
    let mut parsed: Vec<(String, String)> = Vec::new();
    for property in properties.into_iter().flat_map(|p| p.split(',')) {
        let (key, value) = property
            .split_once('=')
            .ok_or_else(|| format!("property without `=`: {property:?}"))?;
        if !["file", "line", "endLine", "col", "endColumn", "title"].contains(&key) {
            return Err(format!("unknown property `{key}`"));
        }
        if parsed.iter().any(|(k, _)| k == key) {
            return Err(format!("property `{key}` twice"));
        }
        if value.is_empty() || value.contains([':', '\r', '\n']) {
            return Err(format!("bad value for `{key}`: {value:?}"));
        }
        let value = unescape(value, true)?;
        if ["line", "endLine", "col", "endColumn"].contains(&key)
            && !value.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!("`{key}` is not a number: {value:?}"));
        }
        parsed.push((key.to_string(), value));
    }
    Ok(WorkflowCommand {
        name: name.to_string(),
        properties: parsed,
        message: unescape(message, false)?,
    })
}

#[test]
fn github_format_is_valid_workflow_commands_that_round_trip() {
    let dir = tricky_project();
    let out = run_format(&dir, "github");
    let expected = records(&dir);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len(), "one line per finding: {out}");
    for (line, record) in lines.iter().zip(&expected) {
        let command = parse_workflow_command(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(command.name, "error");
        let property = |key: &str| {
            command
                .properties
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no `{key}` in {line}"))
        };
        assert_eq!(property("file"), record["filename"].as_str().unwrap());
        assert_eq!(property("line"), record["location"]["row"].to_string());
        assert_eq!(property("col"), record["location"]["column"].to_string());
        assert_eq!(
            property("endLine"),
            record["end_location"]["row"].to_string()
        );
        assert_eq!(
            property("endColumn"),
            record["end_location"]["column"].to_string()
        );
        let code = record["code"].as_str().unwrap();
        assert!(property("title").contains(code), "{line}");
        let mut message = record["message"].as_str().unwrap().to_string();
        if let Some(help) = record["help"].as_str() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        assert_eq!(command.message, message);
    }
    // The tricky path went through: its file, and a message naming it.
    assert!(expected
        .iter()
        .any(|r| r["filename"].as_str().unwrap().ends_with(TRICKY_PATH)));
    assert!(expected
        .iter()
        .any(|r| r["message"].as_str().unwrap().contains(TRICKY_PATH)));
    insta::assert_snapshot!("github", out);
}

#[test]
fn workflow_command_grammar_rejects_what_github_would_misread() {
    for bad in [
        "error file=a::m",
        "::error file=a,line=1",
        "::error file=a:b::m",
        "::error file=a,,line=1::m",
        "::error flie=a::m",
        "::error line=x::m",
        "::error::50% done",
        "::error::a\nb",
        "::debug::m",
    ] {
        assert!(parse_workflow_command(bad).is_err(), "accepted {bad:?}");
    }
    let ok = parse_workflow_command("::error file=a%3Ab%2Cc,line=2::50%25%0Adone").unwrap();
    assert_eq!(ok.properties[0].1, "a:b,c");
    assert_eq!(ok.message, "50%\ndone");
}

#[test]
fn machine_formats_print_no_summary() {
    let dir = tricky_project();
    for format in [
        "json",
        "json-lines",
        "junit",
        "github",
        "gitlab",
        "pylint",
        "sarif",
    ] {
        let out = run_format(&dir, format);
        assert!(
            !out.lines()
                .any(|l| l.starts_with("Found ") || l.starts_with("All checks")),
            "{format}: {out}"
        );
    }
}

/// `pitfall check ARGS` with `input` on standard input: (exit code, stdout, stderr).
fn check_stdin(dir: &Path, args: &[&str], input: &[u8]) -> (i32, String, String) {
    output_of(pitfall(dir).arg("check").args(args).write_stdin(input))
}

const MUTABLE_AND_BARE: &str = "\
def f(a=[]):
    try:
        pass
    except:
        pass
";

#[test]
fn stdin_filename_lints_stdin_under_that_paths_config() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.pitfall]\nper-file-ignores = { \"tests/*\" = [\"PF401\"] }\n",
        ),
        ("lib/pitfall.toml", "select = [\"PF201\"]\n"),
        // On disk, but standard input is what gets checked.
        ("app.py", "x = 1\n"),
    ]);
    let concise = ["-q", "--output-format", "concise"];
    let (code, out, err) = check_stdin(
        dir.path(),
        &[&concise[..], &["--stdin-filename", "app.py"]].concat(),
        MUTABLE_AND_BARE.as_bytes(),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out.lines()
            .map(|l| &l[..l.find(' ').unwrap()])
            .collect::<Vec<_>>(),
        ["app.py:1:9:", "app.py:4:5:"],
        "{out}"
    );
    // per-file-ignores of the path it stands for; the path need not exist.
    let (_, out, _) = check_stdin(
        dir.path(),
        &[&concise[..], &["--stdin-filename", "tests/test_new.py"]].concat(),
        MUTABLE_AND_BARE.as_bytes(),
    );
    assert!(
        out.contains("tests/test_new.py:4:5: PF201") && !out.contains("PF401"),
        "{out}"
    );
    // The nearest configuration above that path.
    let (_, out, _) = check_stdin(
        dir.path(),
        &[&concise[..], &["--stdin-filename", "lib/mod.py"]].concat(),
        MUTABLE_AND_BARE.as_bytes(),
    );
    assert!(
        out.contains("lib/mod.py:4:5: PF201") && !out.contains("PF401"),
        "{out}"
    );
    // And the other formats name it too.
    let (_, out, _) = check_stdin(
        dir.path(),
        &["--stdin-filename", "app.py", "--output-format", "json"],
        MUTABLE_AND_BARE.as_bytes(),
    );
    let records: Vec<Value> = serde_json::from_str(&out).unwrap();
    let expected = dir.path().canonicalize().unwrap().join("app.py");
    assert_eq!(
        records[0]["filename"].as_str().unwrap(),
        expected.display().to_string()
    );
}

#[test]
fn stdin_clean_input_summary_and_exit_0() {
    let dir = project(&[]);
    let (code, out, err) = check_stdin(dir.path(), &["--stdin-filename", "x.py"], b"x = 1\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("All checks passed! (1 file checked)"), "{out}");
}

#[test]
fn dash_reads_stdin() {
    let dir = project(&[]);
    let (code, out, _) = check_stdin(
        dir.path(),
        &["-", "--output-format", "concise", "-q"],
        b"def f(a={}):\n    return a\n",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("-:1:9: PF401"), "{out}");
}

#[test]
fn stdin_filename_ignores_paths_with_a_warning() {
    let dir = project(&[("bad.py", MUTABLE_AND_BARE)]);
    let (code, out, err) = check_stdin(
        dir.path(),
        &[
            "bad.py",
            "--stdin-filename",
            "x.py",
            "--output-format",
            "concise",
        ],
        b"x = 1\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        err.contains("warning") && err.contains("--stdin-filename"),
        "{err}"
    );
}

#[test]
fn stdin_errors_are_exit_2() {
    let dir = project(&[("pyproject.toml", "[tool.pitfall]\nselct = []\n")]);
    let (code, _, err) = check_stdin(dir.path(), &["--stdin-filename", "x.py"], b"x = 1\n");
    assert_eq!(code, 2, "a bad config: {err}");
    assert!(err.contains("selct"), "{err}");
    let dir = project(&[]);
    let (code, _, err) = check_stdin(dir.path(), &["--stdin-filename", "x.py"], b"x = '\xff'\n");
    assert_eq!(code, 2, "undecodable input: {err}");
    assert!(
        err.contains("standard input") && !err.contains("panicked"),
        "{err}"
    );
    // A coding cookie is honoured, as for files.
    let (code, _, err) = check_stdin(
        dir.path(),
        &["--stdin-filename", "x.py"],
        b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn stdin_syntax_errors_are_findings() {
    let dir = project(&[]);
    let (code, out, _) = check_stdin(
        dir.path(),
        &[
            "--stdin-filename",
            "x.py",
            "--output-format",
            "concise",
            "-q",
        ],
        b"def f(:\n",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("x.py:1:") && out.contains("PF001"), "{out}");
}

#[test]
fn force_exclude_applies_exclude_to_named_files_and_stdin() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.pitfall]\nextend-exclude = [\"migrations\"]\n",
        ),
        ("migrations/0001.py", MUTABLE_AND_BARE),
        ("app.py", MUTABLE_AND_BARE),
    ]);
    let concise = ["check", "-q", "--output-format", "concise"];
    let named = ["migrations/0001.py", "app.py"];
    let out = pitfall(dir.path())
        .args(concise)
        .args(named)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("migrations/0001.py"),
        "named files are checked: {text}"
    );
    let out = pitfall(dir.path())
        .args(concise)
        .args(named)
        .arg("--force-exclude")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("migrations") && text.contains("app.py"),
        "{text}"
    );
    let (code, out, _) = check_stdin(
        dir.path(),
        &[
            "--stdin-filename",
            "migrations/0002.py",
            "--force-exclude",
            "-q",
        ],
        MUTABLE_AND_BARE.as_bytes(),
    );
    assert_eq!((code, out.as_str()), (0, ""));
}
