#!/usr/bin/env bash
# The whole test suite (README, "Quick start", command 2): the cargo tests,
# then the tests that need a real consumer — SARIF schema, pre-commit, the
# GitHub Action's steps, an LSP client, the VS Code extension's build.
# It installs their Python and npm dependencies itself (pip, a venv under the
# target dir, npm ci). .ci/run calls it after fmt and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test --workspace"
cargo test --workspace

echo "== integrations: CI formats as their consumers read them (SARIF schema, JUnit XML, GitLab)"
python3 -m pip install --quiet --disable-pip-version-check jsonschema rfc3986-validator pre-commit
python3 tests/integrations/test_formats.py

echo "== integrations: the pre-commit hook through the real pre-commit, in a scratch repository"
python3 tests/integrations/test_pre_commit.py

echo "== integrations: the GitHub Action's steps, run as the runner runs them"
python3 tests/integrations/test_action.py

echo "== language server: end-to-end tests with a real LSP client (pytest-lsp)"
lsp_venv="${CARGO_TARGET_DIR:-target}/lsp-test-venv"
[ -x "$lsp_venv/bin/python" ] || python3 -m venv "$lsp_venv"
"$lsp_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/lsp/requirements.txt
set +e
"$lsp_venv/bin/python" -m pytest tests/lsp -p no:cacheprovider -q
status=$?
set -e
# 0: all passed. Anything else (1 failures, 5 no tests collected, ...) fails CI.
if [ "$status" -ne 0 ]; then
  echo "language server tests failed (pytest exit $status)" >&2
  exit 1
fi

echo "== editors: the VS Code extension builds (npm ci, tsc) and its tests pass"
(cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && npm run --silent compile && npm test)
