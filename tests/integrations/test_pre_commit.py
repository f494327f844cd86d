"""The `pitfall` pre-commit hook through the real `pre-commit` tool.

In a scratch git repository: `pre-commit try-repo` on chosen files and on
all files (only Python sources and stubs reach pitfall, excluded paths stay
out), then the hook installed from `.pre-commit-config.yaml` blocking a
commit with a finding and letting the fixed one through.

The hook is `language: system` (see `.pre-commit-hooks.yaml` for why), so
the debug binary that `cargo test` built is put on PATH as `pitfall`;
`PITFALL` names another. Installs pre-commit itself; needs no network
beyond the package index for that.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def pitfall_binary() -> Path:
    if os.environ.get("PITFALL"):
        return Path(os.environ["PITFALL"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "pitfall"


def ensure_pre_commit() -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "pre-commit"],
        check=True,
    )


BAD = "def add(tag, tags=[]):\n    tags.append(tag)\n    return tags\n"
GOOD = "def add(tag, tags=None):\n    return [*(tags or []), tag]\n"


class PreCommitHook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_pre_commit()
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = Path(cls.tmp.name)
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        shutil.copy(pitfall_binary(), bin_dir / "pitfall")
        cls.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
            + os.environ.get("PATH", ""),
            "PRE_COMMIT_HOME": str(tmp / "cache"),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "NO_COLOR": "1",
        }
        cls.env.pop("CARGO_TARGET_DIR", None)
        cls.count = 0

    def setUp(self):
        # A fresh scratch repository per test: one test commits a fix.
        type(self).count += 1
        self.repo = Path(self.tmp.name) / f"repo{self.count}"
        self.repo.mkdir()
        self.git("init", "-q", "-b", "main")
        files = {
            "bad.py": BAD,
            "good.py": GOOD,
            "stub.pyi": "def add(tag: str, tags: list[str] = []) -> list[str]: ...\n",
            "notes.txt": "def add(tag, tags=[]): not Python, not passed\n",
            "migrations/0001_initial.py": BAD,
            "pyproject.toml": '[tool.pitfall]\nextend-exclude = ["migrations"]\n',
        }
        for name, text in files.items():
            path = self.repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", ".")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.repo, env=self.env, check=True)

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"$ pre-commit {' '.join(args)}  -> exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return proc

    def test_try_repo_on_files(self):
        proc = self.pre_commit("try-repo", str(ROOT), "pitfall", "--files", "bad.py", "good.py")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertRegex(proc.stdout, r"pitfall\.+Failed")
        self.assertIn("bad.py:1:19: PF401", proc.stdout)
        self.assertNotIn("good.py:", proc.stdout)
        proc = self.pre_commit("try-repo", str(ROOT), "pitfall", "--files", "good.py")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertRegex(proc.stdout, r"pitfall\.+Passed")

    def test_try_repo_on_all_files_passes_only_python_and_honours_exclude(self):
        proc = self.pre_commit("try-repo", str(ROOT), "pitfall", "--all-files", "--verbose")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("bad.py:1:19: PF401", proc.stdout)
        # Stubs are checked too: pitfall skips PF401 there (defaults never run).
        self.assertNotIn("stub.pyi:", proc.stdout)
        self.assertNotIn("notes.txt", proc.stdout)
        # pre-commit passes the excluded file by name; --force-exclude drops it.
        self.assertNotIn("migrations", proc.stdout)
        self.assertIn("(3 files checked)", proc.stdout)

    def test_installed_hook_blocks_a_commit_until_fixed(self):
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        hooks_at_head = subprocess.run(
            ["git", "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT, check=False
        )
        self.assertEqual(hooks_at_head.returncode, 0, "commit .pre-commit-hooks.yaml first")
        (self.repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: pitfall\n"
        )
        self.git("add", ".pre-commit-config.yaml")
        proc = self.pre_commit("install")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        commit = subprocess.run(
            ["git", "commit", "-q", "-m", "add code"],
            cwd=self.repo, env=self.env, capture_output=True, text=True, check=False,
        )
        print(f"$ git commit  -> exit {commit.returncode}\n{commit.stdout}{commit.stderr}")
        self.assertNotEqual(commit.returncode, 0, "the finding blocks the commit")
        self.assertIn("bad.py:1:19: PF401", commit.stdout + commit.stderr)
        (self.repo / "bad.py").write_text(GOOD)
        self.git("add", "bad.py")
        commit = subprocess.run(
            ["git", "commit", "-q", "-m", "add code"],
            cwd=self.repo, env=self.env, capture_output=True, text=True, check=False,
        )
        print(f"$ git commit  -> exit {commit.returncode}\n{commit.stdout}{commit.stderr}")
        self.assertEqual(commit.returncode, 0, commit.stdout + commit.stderr)


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
