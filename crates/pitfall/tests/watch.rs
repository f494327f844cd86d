//! `pitfall check --watch` end to end: the real binary on a temporary
//! project, edited while it runs. Every wait has a timeout, and the child is
//! killed if a test fails, so nothing can hang.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

const CALLER: &str = "import b\n\n\nasync def main():\n    b.helper()\n";
const HELPER: &str = "import time\n\n\ndef helper():\n    return 1  # quick\n";
const BLOCKING: &str = "import time\n\n\ndef helper():\n    time.sleep(1)  # slow\n";

/// Which stream a line came from.
#[derive(Debug, PartialEq)]
enum Line {
    Out(String),
    Err(String),
}

struct Watch {
    child: Child,
    lines: Receiver<Line>,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn forward(
    stream: impl std::io::Read + Send + 'static,
    wrap: fn(String) -> Line,
    tx: mpsc::Sender<Line>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(wrap(line)).is_err() {
                break;
            }
        }
    });
}

impl Watch {
    fn start(files: &[(&str, &str)], args: &[&str]) -> Watch {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
            .args(["check", "--watch"])
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        forward(child.stdout.take().unwrap(), Line::Out, tx.clone());
        forward(child.stderr.take().unwrap(), Line::Err, tx);
        Watch {
            child,
            lines,
            root,
            _dir: dir,
        }
    }

    /// The lines up to and including the first one `done` accepts.
    fn until(&self, done: impl Fn(&Line) -> bool) -> Vec<Line> {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let last = done(&line);
                    seen.push(line);
                    if last {
                        return seen;
                    }
                }
                Err(_) => panic!("timed out; got {seen:?}"),
            }
        }
    }

    /// The standard output of one check, up to its summary line.
    fn next_check(&self) -> Vec<String> {
        self.until(|l| matches!(l, Line::Out(s) if is_summary(s)))
            .into_iter()
            .filter_map(|l| match l {
                Line::Out(s) => Some(s),
                Line::Err(_) => None,
            })
            .collect()
    }

    /// Writes a file in one step (a rename, as many editors save), so that a
    /// loaded machine cannot split a save into two checks.
    fn write(&self, name: &str, text: impl AsRef<[u8]>) {
        let path = self.root.join(name);
        let file_name = path.file_name().unwrap().to_string_lossy();
        let partial = path.with_file_name(format!(".{file_name}.partial"));
        std::fs::write(&partial, text).unwrap();
        std::fs::rename(partial, path).unwrap();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Sends SIGTERM (to this child, by its id) and returns its exit code.
    fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("still running after SIGTERM");
    }
}

fn is_summary(line: &str) -> bool {
    line.contains("watching for changes") || line.contains("re-checked in")
}

fn findings(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| !is_summary(l)).collect()
}

#[test]
fn watch_reports_what_changes() {
    let mut watch = Watch::start(
        &[
            ("pyproject.toml", "[tool.pitfall]\n"),
            ("a.py", CALLER),
            ("b.py", HELPER),
            // Excluded by default: its Python files never join.
            (".venv/lib/README", ""),
        ],
        &["--output-format", "concise"],
    );
    let initial = watch.next_check();
    assert_eq!(
        initial,
        ["All checks passed! (2 files checked) in 0 ms; watching for changes (Ctrl-C to stop)."]
            .map(String::from)
            .iter()
            .map(|l| l.replace("0 ms", &ms_of(&initial[0])))
            .collect::<Vec<_>>()
    );

    // Another module's helper starts blocking: the coroutine that calls it is flagged.
    watch.write("b.py", BLOCKING);
    let lines = watch.next_check();
    let found = findings(&lines);
    assert_eq!(found.len(), 1, "{lines:?}");
    assert!(
        found[0].starts_with("+ a.py:5:5: PF101 ")
            && found[0].contains("main → helper (b.py:4) → time.sleep"),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("1 new, 0 fixed: 1 problem in 1 file (2 files checked)"),
        "{lines:?}"
    );

    // A comment only: a check, nothing new or fixed.
    watch.write("b.py", BLOCKING.replace("# slow", "# very slow"));
    let lines = watch.next_check();
    assert!(findings(&lines).is_empty(), "{lines:?}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("No new or fixed findings: 1 problem"),
        "{lines:?}"
    );

    // A new file with a finding, then deleted.
    watch.write("c.py", "def f(x=[]):\n    return x\n");
    let lines = watch.next_check();
    let found = findings(&lines);
    assert_eq!(found.len(), 1, "{lines:?}");
    assert!(found[0].starts_with("+ c.py:1:9: PF401 "), "{lines:?}");
    assert!(
        lines
            .last()
            .unwrap()
            .contains("2 problems in 2 files (3 files checked)"),
        "{lines:?}"
    );
    std::fs::remove_file(watch.path("c.py")).unwrap();
    let lines = watch.next_check();
    let found = findings(&lines);
    assert_eq!(found.len(), 1, "{lines:?}");
    assert!(found[0].starts_with("- c.py:1:9: PF401 "), "{lines:?}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("0 new, 1 fixed: 1 problem in 1 file (2 files checked)"),
        "{lines:?}"
    );

    // A broken configuration: the error with its file and line, and the
    // watch goes on with the previous settings.
    watch.write("pyproject.toml", "[tool.pitfall]\nselct = 1\n");
    // The error (standard error) and the check's summary (standard output)
    // may reach us in either order.
    let (mut error, mut lines) = (None, Vec::new());
    while error.is_none() || !lines.last().is_some_and(|l: &String| is_summary(l)) {
        for line in watch.until(|_| true) {
            match line {
                Line::Err(e) => error = Some(e),
                Line::Out(s) => lines.push(s),
            }
        }
    }
    let error = error.unwrap();
    assert!(
        error.starts_with("error: ")
            && error.ends_with(
                "pyproject.toml:2:1: unknown key `selct` in [tool.pitfall]; did you mean `select`?"
            ),
        "{error}"
    );
    assert!(findings(&lines).is_empty(), "{lines:?}");
    assert!(watch.child.try_wait().unwrap().is_none(), "still watching");

    // Repaired, with PF101 ignored: the finding goes.
    watch.write("pyproject.toml", "[tool.pitfall]\nignore = [\"PF101\"]\n");
    let lines = watch.next_check();
    let found = findings(&lines);
    assert!(
        found.len() == 1 && found[0].starts_with("- a.py:5:5: PF101 "),
        "{lines:?}"
    );

    // A syntax error and undecodable bytes are findings, not a crash.
    watch.write("b.py", "def helper(:\n");
    let lines = watch.next_check();
    assert!(
        findings(&lines)
            .iter()
            .any(|l| l.starts_with("+ b.py:1:12: PF001 ")),
        "{lines:?}"
    );
    watch.write("b.py", b"x = '\xff'\n");
    let lines = watch.next_check();
    assert!(
        findings(&lines)
            .iter()
            .any(|l| l.starts_with("+ b.py:1:1: PF002 ")),
        "{lines:?}"
    );

    // A directory with no Python file in it (Python's bytecode cache): no
    // re-check at all, so the next output is the next edit's.
    std::fs::create_dir(watch.path("__pycache__")).unwrap();
    watch.write("__pycache__/b.cpython-311.pyc", b"\0");
    // Nor for Python files that do not join the project (excluded).
    watch.write(".venv/lib/site.py", "def f(x=[]):\n    return x\n");
    std::thread::sleep(Duration::from_millis(300));
    watch.write("d.py", "def g(y={}):\n    return y\n");
    let lines = watch.next_check();
    assert_eq!(findings(&lines).len(), 1, "{lines:?}");
    assert!(
        findings(&lines)[0].starts_with("+ d.py:1:9: PF401 "),
        "{lines:?}"
    );

    assert_eq!(watch.terminate(), Some(0));
}

/// The `N ms` of a summary line (timings differ from run to run).
fn ms_of(line: &str) -> String {
    let end = line.find(" ms").unwrap();
    let start = line[..end].rfind(' ').unwrap() + 1;
    format!("{} ms", &line[start..end])
}

/// The JSON records and the summary line of one check, however the two
/// streams interleave: `records` records, and a summary starting `summary`.
fn json_check(watch: &Watch, records: usize, summary: &str) -> Vec<serde_json::Value> {
    let (mut found, mut summarised) = (Vec::new(), false);
    while found.len() < records || !summarised {
        for line in watch.until(|_| true) {
            match line {
                Line::Out(s) => found.push(serde_json::from_str(&s).unwrap()),
                Line::Err(s) => {
                    assert!(s.starts_with(summary), "{s}");
                    summarised = true;
                }
            }
        }
    }
    assert_eq!(found.len(), records, "{found:?}");
    found
}

#[test]
fn json_lines_records_say_what_changed() {
    let mut watch = Watch::start(
        &[
            ("a.py", "def f(x=[]):\n    return x\n"),
            ("b.py", "def g(y={}):\n    return y\n"),
        ],
        &["--output-format", "json-lines"],
    );
    // The summary goes to standard error: standard output is records only.
    let records = json_check(&watch, 2, "Found 2 problems in 2 files");
    assert_eq!(records[0]["code"], "PF401");
    assert_eq!(records[0]["change"], "new");
    assert_eq!(
        records[0]["filename"],
        watch.path("a.py").display().to_string()
    );

    watch.write("a.py", "def f(x=None):\n    return x\n");
    let records = json_check(&watch, 1, "0 new, 1 fixed: 1 problem in 1 file");
    assert_eq!(
        (
            records[0]["filename"].as_str(),
            records[0]["change"].as_str()
        ),
        (
            Some(watch.path("a.py").display().to_string().as_str()),
            Some("fixed")
        ),
        "{records:?}"
    );
    assert_eq!(watch.terminate(), Some(0));
}

#[test]
fn options_watch_cannot_honour_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--fix"][..],
        &["--diff"],
        &["--stdin-filename", "x.py"],
        &["--output-format", "sarif"],
        &["--output-format", "json"],
        &["--statistics"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pitfall"))
            .args(["check", "--watch"])
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: `--watch` "),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn watch_ends_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("a.py"), "def f(x=[]):\n    return x\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--watch", "--output-format", "concise"])
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("a.py:1:9: PF401 "), "{first}");
    // `pitfall check --watch | head -1`: the reader is gone.
    drop(stdout);
    std::fs::write(root.join("a.py"), "def f(x=None):\n    return x\n").unwrap();
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running without a reader");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn full_format_draws_new_findings_and_lists_fixed_ones() {
    let mut watch = Watch::start(
        &[("a.py", "def f(x=None):\n    return x\n")],
        &["--output-format", "full"],
    );
    let initial = watch.next_check();
    assert!(
        initial[0].starts_with("All checks passed! (1 file checked)"),
        "{initial:?}"
    );

    watch.write("a.py", "def f(x=[]):\n    return x\n");
    let lines = watch.next_check();
    let drawn = lines.join("\n");
    assert!(drawn.contains("PF401"), "{drawn}");
    assert!(drawn.contains("--> a.py:1:9"), "{drawn}");
    assert!(drawn.contains("1 | def f(x=[]):"), "{drawn}");
    assert!(
        lines.last().unwrap().starts_with("1 new, 0 fixed"),
        "{drawn}"
    );

    watch.write("a.py", "def f(x=None):\n    return x\n");
    let lines = watch.next_check();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("- a.py:1:9: PF401 "), "{lines:?}");
    assert!(
        lines[1].starts_with("0 new, 1 fixed: all checks passed"),
        "{lines:?}"
    );
    assert_eq!(watch.terminate(), Some(0));
}
