"""The CI formats as their consumers read them.

- `sarif` validates against the official SARIF 2.1.0 JSON schema
  (`sarif-schema-2.1.0.json` beside this file; see README.md there);
- `junit` parses as XML and its attributes un-escape to the messages;
- `gitlab` has the fields GitLab's Code Quality widget reads.

The project under test has a path with `,` `:` `%` and a line break, and a
message that names it. Run by `.ci/run`; `PITFALL` names the binary
(default: the debug build in `CARGO_TARGET_DIR` or `target/`).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRICKY_PATH = "we,ird:dir%/new\nline,1:2%.py"
CHAIN = """\
import time


def helper():
    time.sleep(1)


async def main():
    helper()


def add(tag, tags=[]):
    return tags
"""
PLAIN = "try:\n    pass\nexcept:\n    pass\n"


def pitfall_binary() -> str:
    if os.environ.get("PITFALL"):
        return os.environ["PITFALL"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "pitfall")


class Formats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        tricky = cls.dir / TRICKY_PATH
        tricky.parent.mkdir(parents=True)
        tricky.write_text(CHAIN)
        (cls.dir / "plain.py").write_text(PLAIN)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_format(self, fmt: str) -> str:
        proc = subprocess.run(
            [pitfall_binary(), "check", "--output-format", fmt],
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(proc.returncode, 1, proc.stderr)
        return proc.stdout

    def records(self):
        return [json.loads(line) for line in self.run_format("json-lines").splitlines()]

    def test_sarif_validates_against_the_2_1_0_schema(self):
        schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
        log = json.loads(self.run_format("sarif"))
        # Every registered format: the schema (draft-04) also uses the later
        # drafts' `uri-reference` for artifact locations.
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [])
        # A document that breaks the schema is caught (the check can fail).
        broken = json.loads(json.dumps(log))
        broken["runs"][0]["results"][0]["level"] = "fatal"
        self.assertFalse(validator.is_valid(broken))
        unencoded = json.loads(json.dumps(log))
        location = unencoded["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        location["artifactLocation"]["uri"] = "file:///" + TRICKY_PATH
        self.assertFalse(validator.is_valid(unencoded))
        results = log["runs"][0]["results"]
        self.assertEqual(len(results), len(self.records()))
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in results
            for loc in r["locations"]
        }
        self.assertIn(
            "file://"
            + str(self.dir.resolve()) + "/we%2Cird%3Adir%25/new%0Aline%2C1%3A2%25.py",
            uris,
        )

    def test_sarif_without_findings_validates_too(self):
        schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
        with tempfile.TemporaryDirectory() as clean:
            Path(clean, "ok.py").write_text("x = 1\n")
            proc = subprocess.run(
                [pitfall_binary(), "check", "--output-format", "sarif"],
                cwd=clean, capture_output=True, text=True, check=False,
            )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        log = json.loads(proc.stdout)
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        self.assertEqual([e.message for e in validator.iter_errors(log)], [])
        self.assertEqual(log["runs"][0]["results"], [])
        self.assertTrue(log["runs"][0]["tool"]["driver"]["rules"])

    def test_uri_formats_are_checked(self):
        # The schema's `uri` and `uri-reference` formats are only checked
        # with a validator installed (`.ci/run` installs rfc3986-validator).
        checker = jsonschema.FormatChecker()
        for fmt in ("uri", "uri-reference"):
            self.assertIn(fmt, checker.checkers, "pip install rfc3986-validator")
            self.assertFalse(checker.conforms("file:///a%b\nc", fmt))

    def test_junit_parses_and_round_trips_the_messages(self):
        tree = ET.fromstring(self.run_format("junit"))
        failures = tree.findall("./testsuite/testcase/failure")
        messages = sorted(f.get("message") for f in failures)
        self.assertEqual(messages, sorted(r["message"] for r in self.records()))
        suites = {s.get("name") for s in tree.findall("./testsuite")}
        self.assertIn(TRICKY_PATH, suites)

    def test_gitlab_code_quality_fields(self):
        issues = json.loads(self.run_format("gitlab"))
        self.assertEqual(len(issues), len(self.records()))
        for issue in issues:
            self.assertIsInstance(issue["description"], str)
            self.assertIsInstance(issue["check_name"], str)
            self.assertIsInstance(issue["fingerprint"], str)
            self.assertIn(issue["severity"], {"info", "minor", "major", "critical", "blocker"})
            self.assertIsInstance(issue["location"]["path"], str)
            self.assertIsInstance(issue["location"]["lines"]["begin"], int)
        self.assertEqual(len({i["fingerprint"] for i in issues}), len(issues))
        self.assertIn(TRICKY_PATH, {i["location"]["path"] for i in issues})


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
