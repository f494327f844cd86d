"""Shared set-up for the language-server tests: the binary under test and a
scratch project per test."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def pitfall_binary() -> str:
    explicit = os.environ.get("PITFALL_BIN")
    if explicit:
        return explicit
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return str(target / "debug" / "pitfall")


SERVER_COMMAND = [pitfall_binary(), "server"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "files(mapping): files written to the project before the server starts"
    )


@pytest.fixture
def project(tmp_path, request):
    """A project directory with a `pyproject.toml` and the files of the
    test's `files` marker, written before the server starts."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    marker = request.node.get_closest_marker("files")
    for name, text in (marker.args[0] if marker else {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path
