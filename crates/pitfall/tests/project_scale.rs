//! The cross-module engine on generated projects (`bench/synth.py`): the
//! PF101 count the generator expects, chains included; 10,000 modules with
//! an import and call chain thousands deep in one import cycle, without a
//! hang or a stack overflow; modules that import themselves.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn synth(out: &Path, args: &[&str]) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/synth.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(out)
        .args(args)
        .output()
        .expect("python3 runs bench/synth.py");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("synth.py prints JSON")
}

/// `pitfall check DIR --output-format json` with the given extra arguments.
fn findings(dir: &Path, args: &[&str], timeout: Duration) -> Vec<Value> {
    let output = Command::cargo_bin("pitfall")
        .unwrap()
        .current_dir(dir)
        .args(["check", ".", "--output-format", "json", "--exit-zero"])
        .args(args)
        .timeout(timeout)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON findings")
}

fn message(finding: &Value) -> &str {
    finding["message"].as_str().unwrap_or_default()
}

/// The finding's file, relative to the project (JSON has absolute paths).
fn relative(finding: &Value, dir: &Path) -> String {
    let name = finding["filename"]
        .as_str()
        .unwrap_or_default()
        .replace('\\', "/");
    let base = dir.file_name().unwrap().to_string_lossy().into_owned();
    match name.split_once(&format!("{base}/")) {
        Some((_, rest)) => rest.to_string(),
        None => name,
    }
}

#[test]
fn a_generated_project_has_the_expected_blocking_chains() {
    let dir = tempfile::tempdir().unwrap();
    let expected = synth(dir.path(), &["--modules", "60"]);
    let found = findings(dir.path(), &["--select", "PF101"], Duration::from_secs(60));
    assert_eq!(
        found.len() as u64,
        expected["expected_pf101"].as_u64().unwrap(),
        "{found:#?}"
    );
    for f in &found {
        let m = message(f);
        // At the call site in the coroutine, with the chain across modules
        // down to the blocking API; never in the offloading or sync callers.
        assert!(
            m.starts_with("Coroutine `handle_") || m.starts_with("Coroutine `Service"),
            "{m}"
        );
        assert!(m.matches(" → ").count() >= 3, "{m}");
        assert!(
            m.ends_with("→ time.sleep") || m.ends_with("→ requests.get") || m.ends_with("→ open"),
            "{m}"
        );
        assert!(!f["related"].as_array().unwrap().is_empty(), "{f:#?}");
    }
}

#[test]
fn ten_thousand_modules_with_a_chain_thousands_deep_in_one_import_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let expected = synth(dir.path(), &["--modules", "10000", "--deep", "3000"]);
    assert!(expected["modules"].as_u64().unwrap() >= 9900, "{expected}");
    let found = findings(
        dir.path(),
        &["--select", "PF101,PF901"],
        Duration::from_secs(300),
    );
    let pf101: Vec<&Value> = found.iter().filter(|f| f["code"] == "PF101").collect();
    assert_eq!(
        pf101.len() as u64,
        expected["expected_pf101"].as_u64().unwrap()
    );
    // The 3,000-hop chain is found and cut in the message.
    let deep = pf101
        .iter()
        .find(|f| message(f).starts_with("Coroutine `deep_handler`"))
        .expect("the deep chain's finding");
    assert!(message(deep).contains("→ … → time.sleep"), "{deep:#?}");
    // Every module of the deep cycle is reported, by the cycle's size.
    let in_deep_cycle = found
        .iter()
        .filter(|f| f["code"] == "PF901")
        .filter(|f| relative(f, dir.path()).starts_with("deep/"))
        .count();
    assert_eq!(in_deep_cycle, 3000);
}

#[test]
fn modules_importing_themselves_terminate_with_sensible_findings() {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        ("pyproject.toml", "[tool.pitfall]\n"),
        // `import a` in a.py: a self-import cycle; calls through it are followed.
        (
            "a.py",
            "import time\nimport a\n\n\ndef f():\n    a.g()\n\n\ndef g():\n    time.sleep(1)\n\n\nasync def h():\n    f()\n",
        ),
        // `from . import x` in a package's `__init__.py` imports the submodule: no cycle.
        ("pkg/__init__.py", "from . import x\nfrom .x import helper\n"),
        (
            "pkg/x.py",
            "import time\n\n\ndef helper():\n    time.sleep(1)\n\n\nasync def run():\n    helper()\n",
        ),
        // `from .a import f` in lib/a.py: imports itself.
        ("lib/__init__.py", ""),
        (
            "lib/a.py",
            "import time\nfrom .a import f\n\n\ndef f():\n    time.sleep(1)\n\n\nasync def main():\n    f()\n",
        ),
        // `from pkg2 import pkg2`: in the package, its submodule (no cycle);
        // in the submodule, itself.
        ("pkg2/__init__.py", "from pkg2 import pkg2\n"),
        (
            "pkg2/pkg2.py",
            "import time\nfrom pkg2 import pkg2\n\n\ndef w():\n    pkg2.w2()\n\n\ndef w2():\n    time.sleep(1)\n\n\nasync def go():\n    w()\n",
        ),
        // `from pkg import pkg`: no such name or submodule.
        ("selfref.py", "from pkg import pkg\n"),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let found = findings(dir.path(), &[], Duration::from_secs(60));
    let mut got: Vec<String> = found
        .iter()
        .filter(|f| ["PF101", "PF901", "PF905"].iter().any(|c| f["code"] == *c))
        .map(|f| {
            format!(
                "{} {}:{}",
                f["code"].as_str().unwrap(),
                relative(f, dir.path()),
                f["location"]["row"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "PF101 a.py:14",
            "PF101 lib/a.py:10",
            "PF101 pkg/x.py:9",
            "PF101 pkg2/pkg2.py:14",
            "PF901 a.py:2",
            "PF901 lib/a.py:2",
            "PF901 pkg2/pkg2.py:2",
            "PF905 selfref.py:1",
        ],
        "{found:#?}"
    );
    let chain = found
        .iter()
        .find(|f| f["code"] == "PF101" && relative(f, dir.path()) == "a.py")
        .map(message)
        .unwrap();
    assert!(
        chain.contains("h → f (a.py:5) → g (a.py:9) → time.sleep"),
        "{chain}"
    );
}
