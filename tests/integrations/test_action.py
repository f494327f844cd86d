"""The composite GitHub Action (`action.yml`), run the way the runner would.

Each `run:` step is executed with the runner's bash flags
(`bash --noprofile --norc -eo pipefail`), its `env:` evaluated from the
inputs (defaults from `action.yml`, overridden per test), in its
`working-directory`. The install step is not run (a release build is too
slow for CI): the debug binary is placed where it installs to,
`$HOME/.pitfall-action/bin`. Needs PyYAML (a pre-commit dependency).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def pitfall_binary() -> Path:
    if os.environ.get("PITFALL"):
        return Path(os.environ["PITFALL"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "pitfall"


class Action(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.action = yaml.safe_load((ROOT / "action.yml").read_text())
        cls.steps = {step["name"]: step for step in cls.action["runs"]["steps"]}
        cls.tmp = tempfile.TemporaryDirectory()
        cls.home = Path(cls.tmp.name) / "home"
        bin_dir = cls.home / ".pitfall-action" / "bin"
        bin_dir.mkdir(parents=True)
        shutil.copy(pitfall_binary(), bin_dir / "pitfall")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.workspace = Path(tempfile.mkdtemp(dir=self.tmp.name))
        (self.workspace / "src").mkdir()
        (self.workspace / "src" / "app.py").write_text("def f(x=[]):\n    return x\n")
        (self.workspace / "src" / "ok.py").write_text("x = 1\n")

    def evaluate(self, text: str, inputs: dict) -> str:
        def value(match: re.Match) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                return inputs[expr.removeprefix("inputs.")]
            if expr == "github.action_path":
                return str(ROOT)
            raise AssertionError(f"expression the test does not model: {expr}")

        return EXPRESSION.sub(value, str(text))

    def run_step(self, name: str, **overrides: str) -> tuple[int, str, dict]:
        """Runs a step; returns (exit code, stdout, its GITHUB_OUTPUT values)."""
        step = self.steps[name]
        self.assertNotIn("${{", step["run"], "inputs must reach scripts through env only")
        inputs = {key: spec.get("default", "") for key, spec in self.action["inputs"].items()}
        inputs.update({key.replace("_", "-"): value for key, value in overrides.items()})
        output_file = self.workspace / "github_output"
        output_file.write_text("")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "GITHUB_OUTPUT": str(output_file),
            "NO_COLOR": "1",
        }
        env.update({k: self.evaluate(v, inputs) for k, v in step.get("env", {}).items()})
        cwd = self.workspace / self.evaluate(step.get("working-directory", "."), inputs)
        self.assertEqual(step["shell"], "bash")
        script = self.workspace / "step.sh"
        script.write_text(step["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd, env=env, capture_output=True, text=True, check=False,
        )
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        return proc.returncode, proc.stdout + proc.stderr, outputs

    def test_is_a_composite_action_with_documented_inputs(self):
        self.assertEqual(self.action["runs"]["using"], "composite")
        for key in ("paths", "args", "output-format", "output-file", "version"):
            self.assertIn("description", self.action["inputs"][key])
        self.assertEqual(self.action["inputs"]["output-format"]["default"], "github")

    def test_annotations_and_exit_code_on_findings(self):
        code, out, outputs = self.run_step("Run pitfall check")
        self.assertEqual(code, 1, out)
        self.assertEqual(outputs.get("exit-code"), "1")
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertTrue(lines[0].startswith("::error file="), out)
        self.assertIn("src/app.py,line=1,", lines[0])

    def test_paths_args_and_working_directory(self):
        code, out, outputs = self.run_step(
            "Run pitfall check", paths="ok.py", working_directory="src",
            args="--select PF401", output_format="concise",
        )
        self.assertEqual((code, outputs.get("exit-code")), (0, "0"), out)
        self.assertIn("All checks passed! (1 file checked)", out)

    def test_sarif_to_a_file_for_upload(self):
        code, out, _ = self.run_step(
            "Run pitfall check", output_format="sarif", output_file="pitfall.sarif",
            args="--exit-zero",
        )
        self.assertEqual(code, 0, out)
        log = json.loads((self.workspace / "pitfall.sarif").read_text())
        self.assertEqual(log["version"], "2.1.0")
        self.assertEqual(len(log["runs"][0]["results"]), 1)

    def test_inputs_are_words_not_globs_or_code(self):
        code, out, _ = self.run_step("Run pitfall check", paths="src/*.py")
        self.assertEqual(code, 2, "a glob is passed as it is, and does not exist: " + out)
        self.assertIn("src/*.py", out)
        code, out, _ = self.run_step("Run pitfall check", args="$(touch pwned)")
        self.assertFalse((self.workspace / "pwned").exists())
        self.assertEqual(code, 2, out)

    def test_cache_key_follows_the_sources(self):
        code, out, outputs = self.run_step("Cache key")
        self.assertEqual(code, 0, out)
        self.assertRegex(outputs.get("key", ""), r"^[0-9a-f]{16}$")


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
