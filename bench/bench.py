#!/usr/bin/env python3
"""Benchmark `pitfall check` against ruff and against the parse-only floor.

Runs, alternating, on the same files on the same machine:

* ``pitfall check`` with its default rules, caches off;
* ``ruff check --select <peer codes of pitfall's default rules>``, caches off;
* ``parse-floor`` (crates/pitfall_floor): discover + read + parse the same
  files with the same parser, no analysis;
* ``parse-floor --index`` ("index"): the same, plus pitfall's semantic index
  of each file, built and dropped (``--no-index`` leaves it out);

and prints the median wall time and the median peak RSS of each, and the
ratios pitfall/ruff (time and memory) and pitfall/floor (time), and, for
context, index/floor and pitfall/index.  The ratios
are the result; the targets from DESIGN.md are printed next to them but are
never asserted: the script exits non-zero only when something fails to run.

Default input: the CPython standard library of ``python3`` on PATH,
excluding ``site-packages``.  Python 3.11+, standard library only; ruff is
installed with ``pip install ruff`` when it cannot be found.

    python3 bench/bench.py                  # build, 1 warm-up + 10 rounds
    python3 bench/bench.py --smoke          # 1 round, no warm-up (CI)
    python3 bench/bench.py --path ~/src/big-project --rounds 5 --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

# Targets from DESIGN.md, "Performance".  Printed for context, never enforced.
TARGETS = {
    "pitfall/ruff time": "<= 1.0 (aim 0.7)",
    "pitfall/floor time": "<= 1.3",
    "pitfall/ruff peak RSS": "<= 1.0",
    "pitfall/floor by round": "(the same, drift-resistant)",
    "pitfall/floor CPU time": "(user + sys; informative)",
    "ruff/floor time": "(ruff's own distance from the parse; informative)",
    "index/floor time": "(the semantic model over the parse; informative)",
    "pitfall/index time": "(rules, summaries, output over the model; informative)",
}
# Ratios without a limit are printed for context only.
TARGET_LIMITS = {
    "pitfall/ruff time": 1.0,
    "pitfall/floor time": 1.3,
    "pitfall/ruff peak RSS": 1.0,
}

TOOLS = ("pitfall", "ruff", "floor", "index")


class BenchError(Exception):
    """A failure that makes the benchmark meaningless (exit status 2)."""


# --------------------------------------------------------------------------
# Pure helpers (tested in bench/test_bench.py)
# --------------------------------------------------------------------------

_CODE_RE = re.compile(r"\b([A-Z]+)(\d+)(?:-([A-Z]*)(\d+))?\b")


def expand_code_range(text: str) -> list[str]:
    """Expand one peer code or code range into the codes it names.

    ``"ASYNC220-222"`` -> ``ASYNC220, ASYNC221, ASYNC222``;
    ``"DTZ001-DTZ007"`` -> ``DTZ001 ... DTZ007`` (zero padding kept);
    ``"B901-5"`` -> ``B901 ... B905`` (a short end replaces trailing digits);
    ``"E0601"`` -> ``E0601``.  A range whose end has another prefix or lies
    before its start yields just its two endpoints.  Anything that is not a
    code (``"none"``) yields nothing.
    """
    match = _CODE_RE.fullmatch(text.strip())
    if match is None:
        return []
    prefix, start_digits, end_prefix, end_digits = match.groups()
    start_code = prefix + start_digits
    if end_digits is None:
        return [start_code]
    if end_prefix and end_prefix != prefix:
        return [start_code, end_prefix + end_digits]
    width = len(start_digits)
    if not end_prefix and len(end_digits) < width:
        # Shorthand: "B901-5" means B901..B905.
        end_digits = start_digits[: width - len(end_digits)] + end_digits
    start, end = int(start_digits), int(end_digits)
    if end < start:
        return [start_code, prefix + end_digits]
    width = max(width, len(end_digits))
    return [f"{prefix}{n:0{width}d}" for n in range(start, end + 1)]


def extract_codes(peer: str) -> list[str]:
    """All codes named in one peer entry, ranges expanded.

    Entries are usually bare codes or ranges, but free text is tolerated:
    ``"ASYNC103, ASYNC104 (flake8-async)"``, ``"W0621 (partial)"``,
    ``"none (mypy unused-coroutine)"`` (no code).
    """
    codes: list[str] = []
    for match in _CODE_RE.finditer(peer):
        codes.extend(expand_code_range(match.group(0)))
    return codes


# Issue 2's headline rules (the foundation's selection), with the tool's own
# PF0xx diagnostics: `--foundation` benchmarks exactly these.
FOUNDATION_SELECT = ("PF0", "PF101", "PF201", "PF301", "PF302", "PF303", "PF304", "PF401")


def is_selected(code: str, select: Sequence[str]) -> bool:
    """Whether a pitfall rule code matches one of the codes or code prefixes."""
    return any(code.startswith(prefix) for prefix in select)


def peer_codes_of_enabled_rules(rules: Any, select: Sequence[str] | None = None) -> list[str]:
    """Expanded, de-duplicated peer codes of the rules a run enables, in order.

    ``rules`` is the parsed output of ``pitfall rule --all --output-format
    json``: a list of objects with ``code``, ``default`` and ``peers``.  A
    ``{"rules": [...]}`` wrapper is accepted too.  Without ``select`` these
    are the default-enabled rules; with it, the rules whose code starts with
    one of its entries (what ``pitfall check --select`` enables).
    """
    if isinstance(rules, dict) and isinstance(rules.get("rules"), list):
        rules = rules["rules"]
    if not isinstance(rules, list):
        raise BenchError("`pitfall rule --all --output-format json` did not return a list")
    seen: dict[str, None] = {}
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        if select is None:
            if rule.get("default") is not True:
                continue
        elif not is_selected(str(rule.get("code", "")), select):
            continue
        peers = rule.get("peers") or []
        if isinstance(peers, str):
            peers = [peers]
        for peer in peers:
            if isinstance(peer, str):
                for code in extract_codes(peer):
                    seen.setdefault(code, None)
    return list(seen)


@dataclass
class RuffRules:
    """Ruff's rule codes by status, from ``ruff rule --all --output-format json``."""

    stable: set[str] = field(default_factory=set)
    preview: set[str] = field(default_factory=set)
    unusable: set[str] = field(default_factory=set)  # removed / deprecated

    @classmethod
    def from_json(cls, rules: Any) -> RuffRules:
        out = cls()
        if not isinstance(rules, list):
            raise BenchError("`ruff rule --all --output-format json` did not return a list")
        for rule in rules:
            if not isinstance(rule, dict) or not isinstance(rule.get("code"), str):
                continue
            code = rule["code"]
            status = rule.get("status")
            status_name = next(iter(status), "") if isinstance(status, dict) else str(status or "")
            if status_name in ("Removed", "Deprecated"):
                out.unusable.add(code)
            elif status_name == "Preview" or (not status_name and rule.get("preview") is True):
                out.preview.add(code)
            else:
                out.stable.add(code)
        return out


def select_ruff_codes(
    peers: Sequence[str], ruff: RuffRules, *, preview: bool
) -> tuple[list[str], list[str], list[str]]:
    """Split peer codes into (selected, preview-only left out, unknown to ruff)."""
    selected: list[str] = []
    left_out: list[str] = []
    unknown: list[str] = []
    for code in peers:
        if code in ruff.stable or (preview and code in ruff.preview):
            selected.append(code)
        elif code in ruff.preview:
            left_out.append(code)
        else:
            unknown.append(code)  # pylint/flake8-only codes, or removed from ruff
    return selected, left_out, unknown


def median(values: Iterable[float]) -> float:
    """The median; the mean of the two middle values for an even count."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def compute_ratios(tools: dict[str, Any]) -> dict[str, float | None]:
    """The ratios of the summary table, from each tool's medians (and, for
    the by-round line, its per-round wall times)."""

    def wall(tool: str) -> float | None:
        return tools[tool]["median_wall_s"]

    ratios = {
        "pitfall/ruff time": ratio(wall("pitfall"), wall("ruff")),
        "pitfall/floor time": ratio(wall("pitfall"), wall("floor")),
        "pitfall/ruff peak RSS": ratio(
            tools["pitfall"]["median_peak_rss_kib"], tools["ruff"]["median_peak_rss_kib"]
        ),
        "pitfall/floor by round": median_of_round_ratios(
            tools["pitfall"]["wall_s"], tools["floor"]["wall_s"]
        ),
        "pitfall/floor CPU time": ratio(
            tools["pitfall"]["median_cpu_s"], tools["floor"]["median_cpu_s"]
        ),
        "ruff/floor time": ratio(wall("ruff"), wall("floor")),
    }
    if "index" in tools:
        ratios["index/floor time"] = ratio(wall("index"), wall("floor"))
        ratios["pitfall/index time"] = ratio(wall("pitfall"), wall("index"))
    return ratios


def median_of_round_ratios(
    numerators: Sequence[float], denominators: Sequence[float]
) -> float | None:
    """The median of ``numerators[i] / denominators[i]``: each round's two
    runs are neighbours in time, so a slow stretch of the machine moves both
    and cancels out of their ratio (the ratio of the medians pairs runs from
    different moments). ``None`` without a round to divide."""
    pairs = [r for r in map(ratio, numerators, denominators) if r is not None]
    return median(pairs) if pairs else None


_FLOOR_RE = re.compile(r"files=(\d+)\s+parse_errors=(\d+)(?:\s+unreadable=(\d+))?")


def parse_floor_output(text: str) -> tuple[int, int, int] | None:
    """(files, parse_errors, unreadable) from parse-floor's output line."""
    match = _FLOOR_RE.search(text)
    if match is None:
        return None
    files, errors, unreadable = match.groups()
    return int(files), int(errors), int(unreadable or 0)


def maxrss_to_kib(ru_maxrss: int) -> int:
    """``ru_maxrss`` is KiB on Linux and the BSDs, bytes on macOS."""
    return ru_maxrss // 1024 if sys.platform == "darwin" else ru_maxrss


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def fmt_mib(kib: float | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


# --------------------------------------------------------------------------
# Running things
# --------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_capture(cmd: Sequence[str], *, what: str, ok: Sequence[int] = (0,)) -> str:
    """Run ``cmd`` untimed and return its stdout; BenchError on failure."""
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, errors="replace")
    except OSError as err:
        raise BenchError(f"{what}: cannot run {cmd[0]}: {err}") from err
    if proc.returncode not in ok:
        raise BenchError(
            f"{what}: `{' '.join(cmd)}` exited with {proc.returncode}\n{tail(proc.stderr)}"
        )
    return proc.stdout


def tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass
class Sample:
    wall_s: float
    maxrss_kib: int
    #: CPU time of the child, user + system (``ru_utime + ru_stime``).
    cpu_s: float


def measure(cmd: Sequence[str], *, what: str) -> Sample:
    """Run ``cmd`` with output to /dev/null; wall time, the child's CPU time
    and its peak RSS.

    ``os.wait4`` reaps exactly this child and returns its own rusage, so
    ``ru_maxrss`` is the peak RSS of that process (not of this script).
    Exit codes 0 and 1 (findings) are fine; anything else is an error.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
            )
        except OSError as e:
            raise BenchError(f"{what}: cannot run {cmd[0]}: {e}") from e
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4; keep Popen from waiting again
        if code not in (0, 1):
            err.seek(0)
            stderr = err.read().decode(errors="replace")
            raise BenchError(f"{what}: `{' '.join(cmd)}` exited with {code}\n{tail(stderr)}")
    return Sample(wall, maxrss_to_kib(rusage.ru_maxrss), rusage.ru_utime + rusage.ru_stime)


# --------------------------------------------------------------------------
# Locating inputs and tools
# --------------------------------------------------------------------------


def stdlib_path() -> Path:
    out = run_capture(
        ["python3", "-c", 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'],
        what="locating the CPython stdlib",
    )
    path = Path(out.strip())
    if not path.is_dir():
        raise BenchError(f"stdlib path {path} is not a directory")
    return path


def target_dir() -> Path:
    env = os.environ.get("CARGO_TARGET_DIR")
    if env:
        path = Path(env)
        return path if path.is_absolute() else REPO_ROOT / path
    return REPO_ROOT / "target"


def build() -> None:
    cmd = ["cargo", "build", "--release", "-p", "pitfall", "-p", "pitfall_floor"]
    log(f"$ {' '.join(cmd)}")
    try:
        proc = subprocess.run(cmd, check=False, cwd=REPO_ROOT)
    except OSError as err:
        raise BenchError(f"cannot run cargo: {err}") from err
    if proc.returncode != 0:
        raise BenchError(f"cargo build failed with exit code {proc.returncode}")


def executable(path: Path, what: str, *, explicit: bool) -> str:
    if not path.is_file() or not os.access(path, os.X_OK):
        hint = "" if explicit else " (build it, or drop --no-build)"
        raise BenchError(f"{what} not found at {path}{hint}")
    return str(path)


def is_script(path: str) -> bool:
    """True for a ``#!`` script (e.g. a pyenv shim), not a native binary."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def ruff_from_python_package() -> str | None:
    """The real ruff binary shipped by the `ruff` wheel of this interpreter.

    Asked in a child interpreter so that a wheel installed a moment ago by
    this script is found too.
    """
    code = "from ruff.__main__ import find_ruff_bin; print(find_ruff_bin())"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], check=False, capture_output=True, text=True
        )
    except OSError:
        return None
    path = proc.stdout.strip()
    if proc.returncode != 0 or not path or not os.access(path, os.X_OK):
        return None  # not installed, or an unknown wheel layout
    return path


def find_ruff(explicit: str | None) -> str:
    """A native ruff binary: --ruff, the pip package's binary, or PATH.

    Wrapper scripts such as pyenv shims cost tens of milliseconds per start,
    which would be charged to ruff, so the binary behind them is preferred.
    """
    if explicit:
        path = shutil.which(explicit) or explicit
        if not os.access(path, os.X_OK):
            raise BenchError(f"--ruff {explicit}: not an executable")
        return path
    on_path = shutil.which("ruff")
    if on_path and not is_script(on_path):
        return on_path
    packaged = ruff_from_python_package()
    if packaged:
        return packaged
    if on_path:
        log(f"warning: {on_path} is a wrapper script; its start-up cost is counted as ruff's")
        return on_path
    log("ruff not found; installing it with `pip install ruff`")
    run_capture(
        [sys.executable, "-m", "pip", "install", "--quiet", "ruff"], what="pip install ruff"
    )
    packaged = ruff_from_python_package() or shutil.which("ruff")
    if not packaged:
        raise BenchError("`pip install ruff` succeeded but no ruff binary was found")
    return packaged


def pitfall_check_command(
    pitfall: str, path: Path, select: Sequence[str] | None = None
) -> list[str]:
    """`pitfall check` with the flags from the brief that this build accepts."""
    help_text = run_capture([pitfall, "check", "--help"], what="`pitfall check --help`")
    return pitfall_check_command_for(pitfall, path, help_text, select)


def pitfall_check_command_for(
    pitfall: str, path: Path, help_text: str, select: Sequence[str] | None = None
) -> list[str]:
    """The `pitfall check` command line, given `pitfall check --help`'s text.

    ``--no-cache``, ``--exit-zero``, ``-q``/``--quiet`` and ``--extend-exclude
    site-packages`` are passed when the help lists them and dropped (with a
    note) otherwise.
    """
    cmd = [pitfall, "check"]
    wanted = [("--no-cache", ["--no-cache"]), ("--exit-zero", ["--exit-zero"])]
    for flag, args in wanted:
        if flag in help_text:
            cmd += args
        else:
            log(f"note: `pitfall check` has no {flag}; running without it")
    if re.search(r"(^|[\s,\[])-q\b", help_text):
        cmd.append("-q")
    elif "--quiet" in help_text:
        cmd.append("--quiet")
    cmd.append(str(path))
    if "--extend-exclude" in help_text:
        cmd += ["--extend-exclude", "site-packages"]
    else:
        log(
            "note: `pitfall check` has no --extend-exclude; relying on its default site-packages exclusion"
        )
    if select:
        cmd += ["--select", ",".join(select)]
    return cmd


def index_floor_command(floor: str, path: Path) -> list[str]:
    """`parse-floor --index`: the floor plus pitfall's semantic index of each file."""
    return [floor, "--index", str(path)]


def ruff_check_command(ruff: str, path: Path, codes: Sequence[str], *, preview: bool) -> list[str]:
    # `--exclude` (not `--extend-exclude`) replaces ruff's default exclude
    # list, which contains `venv` and so would skip the stdlib's own `venv`
    # package; with it ruff sees exactly the files pitfall and the floor see.
    cmd = [ruff, "check", "--isolated", "--no-cache", "--exit-zero", "--quiet"]
    if preview:
        cmd.append("--preview")
    cmd += ["--select", ",".join(codes), "--exclude", "site-packages", str(path)]
    return cmd


def ruff_file_count(ruff_cmd: Sequence[str]) -> int | None:
    """How many files the ruff command would check (``--show-files``), untimed."""
    cmd = [a for a in ruff_cmd if a not in ("--quiet", "--exit-zero")]
    cmd.insert(2, "--show-files")
    try:
        out = subprocess.run(
            cmd, check=False, capture_output=True, text=True, errors="replace"
        ).stdout
    except OSError:
        return None
    return sum(1 for line in out.splitlines() if line.strip().endswith((".py", ".pyi")))


def version_of(cmd: Sequence[str]) -> str | None:
    try:
        proc = subprocess.run(
            cmd, check=False, capture_output=True, text=True, errors="replace", timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.strip() or proc.stderr.strip()
    return out.splitlines()[0] if proc.returncode == 0 and out else None


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark `pitfall check` against ruff and the parse-only floor "
        "(ratios on the same machine in the same run; never an assertion).",
    )
    p.add_argument(
        "--path", type=Path, help="tree to check (default: the CPython stdlib of `python3`)"
    )
    p.add_argument("--rounds", type=int, default=10, help="measured rounds (default 10)")
    p.add_argument("--warmup", type=int, default=1, help="warm-up rounds, not recorded (default 1)")
    p.add_argument(
        "--smoke", action="store_true", help="1 round, no warm-up: prove the script runs"
    )
    p.add_argument(
        "--no-build",
        action="store_true",
        help="do not run `cargo build --release` first (skipped anyway when both "
        "--pitfall and --floor are given)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--pitfall", help="pitfall binary (default: <target>/release/pitfall)")
    p.add_argument("--floor", help="parse-floor binary (default: <target>/release/parse-floor)")
    p.add_argument("--ruff", help="ruff binary (default: found on PATH or installed with pip)")
    p.add_argument(
        "--ruff-select",
        help="comma-separated ruff codes to use instead of the peers of pitfall's default rules",
    )
    p.add_argument(
        "--select",
        help="comma-separated pitfall codes or code prefixes to enable instead of the default "
        "rules (ruff then selects their peers)",
    )
    p.add_argument(
        "--foundation",
        action="store_true",
        help="shorthand for --select " + ",".join(FOUNDATION_SELECT)
        + " (issue 2's headline rules)",
    )
    p.add_argument(
        "--no-index",
        action="store_true",
        help="do not time `parse-floor --index` (the floor plus the semantic index)",
    )
    p.add_argument(
        "--ruff-preview",
        action="store_true",
        help="also select peers that are preview-only in ruff, and pass --preview",
    )
    args = p.parse_args(argv)
    if args.smoke:
        args.rounds, args.warmup = 1, 0
    if args.rounds < 1 or args.warmup < 0:
        p.error("--rounds must be >= 1 and --warmup >= 0")
    if args.foundation and args.select:
        p.error("--foundation and --select exclude each other")
    if args.foundation:
        args.select = ",".join(FOUNDATION_SELECT)
    args.select = [c.strip() for c in args.select.split(",") if c.strip()] if args.select else None
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = args.path.expanduser().resolve() if args.path else stdlib_path()
    if not path.exists():
        raise BenchError(f"--path {path}: no such file or directory")

    if not args.no_build and not (args.pitfall and args.floor):
        build()
    release = target_dir() / "release"
    exe = ".exe" if os.name == "nt" else ""
    pitfall = executable(
        Path(args.pitfall) if args.pitfall else release / f"pitfall{exe}",
        "pitfall",
        explicit=bool(args.pitfall),
    )
    floor = executable(
        Path(args.floor) if args.floor else release / f"parse-floor{exe}",
        "parse-floor",
        explicit=bool(args.floor),
    )
    ruff = find_ruff(args.ruff)

    # Which ruff rules correspond to pitfall's default rules.
    left_out: list[str] = []
    unknown: list[str] = []
    ruff_rules_json = json.loads(
        run_capture([ruff, "rule", "--all", "--output-format", "json"], what="`ruff rule --all`")
    )
    ruff_rules = RuffRules.from_json(ruff_rules_json)
    if args.ruff_select:
        codes = [c.strip() for c in args.ruff_select.split(",") if c.strip()]
        peers = codes
    else:
        out = run_capture(
            [pitfall, "rule", "--all", "--output-format", "json"], what="`pitfall rule --all`"
        )
        try:
            pitfall_rules = json.loads(out)
        except json.JSONDecodeError as err:
            raise BenchError(
                f"`pitfall rule --all --output-format json` is not JSON: {err}"
            ) from err
        peers = peer_codes_of_enabled_rules(pitfall_rules, args.select)
        codes, left_out, unknown = select_ruff_codes(peers, ruff_rules, preview=args.ruff_preview)
    if not codes:
        raise BenchError(
            "no ruff codes to select (pitfall's default rules name no peer that ruff knows)"
        )

    commands = {
        "pitfall": pitfall_check_command(pitfall, path, args.select),
        "ruff": ruff_check_command(ruff, path, codes, preview=args.ruff_preview),
        "floor": [floor, str(path)],
        "index": index_floor_command(floor, path),
    }
    tools_run = tuple(t for t in TOOLS if not (t == "index" and args.no_index))

    # The floor names the file set; an untimed probe run also proves it works.
    probe = parse_floor_output(run_capture(commands["floor"], what="parse-floor"))
    if probe is None:
        raise BenchError("parse-floor did not print `files=N parse_errors=M`")
    files, parse_errors, unreadable = probe
    ruff_files = ruff_file_count(commands["ruff"])

    log(f"input: {path} ({files} files)")
    for tool in tools_run:
        log(f"{tool:>7}: {' '.join(commands[tool])}")

    samples: dict[str, list[Sample]] = {tool: [] for tool in tools_run}
    total = args.warmup + args.rounds
    for round_no in range(total):
        warm = round_no < args.warmup
        label = "warm-up" if warm else f"round {round_no - args.warmup + 1}/{args.rounds}"
        parts = []
        for tool in tools_run:  # alternate, so drift hits every tool alike
            sample = measure(commands[tool], what=tool)
            if not warm:
                samples[tool].append(sample)
            parts.append(f"{tool} {sample.wall_s:.3f}s")
        log(f"{label}: " + ", ".join(parts))

    tools: dict[str, Any] = {}
    for tool in tools_run:
        walls = [s.wall_s for s in samples[tool]]
        rss = [s.maxrss_kib for s in samples[tool]]
        cpu = [s.cpu_s for s in samples[tool]]
        tools[tool] = {
            "command": commands[tool],
            "median_wall_s": median(walls),
            "min_wall_s": min(walls),
            "max_wall_s": max(walls),
            "median_peak_rss_kib": median(rss),
            "median_cpu_s": median(cpu),
            "wall_s": walls,
            "cpu_s": cpu,
            "peak_rss_kib": rss,
        }
    ratios = compute_ratios(tools)
    return {
        "path": str(path),
        "files": files,
        "parse_errors": parse_errors,
        "unreadable": unreadable,
        "ruff_files": ruff_files,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "pitfall_select": args.select,
        "ruff_codes": codes,
        "ruff_preview_only_left_out": left_out,
        "peers_unknown_to_ruff": unknown,
        "tools": tools,
        "ratios": ratios,
        "targets": TARGETS,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "ruff": version_of([ruff, "--version"]),
            "pitfall": version_of([pitfall, "--version"]),
        },
    }


def render_table(result: dict[str, Any]) -> str:
    lines = []
    m = result["machine"]
    lines.append(
        f"pitfall bench: {result['path']}"
        f"\n  {result['files']} files ({result['parse_errors']} with parse errors"
        + (f", {result['unreadable']} unreadable" if result["unreadable"] else "")
        + f"), {plural(result['rounds'], 'round')} after {plural(result['warmup'], 'warm-up')}, "
        f"{m['cpus']} CPUs, {m['ruff'] or 'ruff ?'}"
    )
    if result["ruff_files"] is not None and result["ruff_files"] != result["files"]:
        lines.append(
            f"  note: ruff sees {result['ruff_files']} files, parse-floor {result['files']}"
        )
    if result["pitfall_select"]:
        lines.append(f"  pitfall --select {','.join(result['pitfall_select'])}")
    codes = result["ruff_codes"]
    lines.append(f"  ruff --select ({len(codes)} codes): {','.join(codes)}")
    if result["ruff_preview_only_left_out"]:
        lines.append(
            "  preview-only in ruff, left out (--ruff-preview to add): "
            + ",".join(result["ruff_preview_only_left_out"])
        )
    lines.append("")
    lines.append(
        f"  {'tool':<8} {'median wall':>12} {'min':>9} {'max':>9} {'median CPU':>11}"
        f" {'median peak RSS':>16}"
    )
    for tool in (t for t in TOOLS if t in result["tools"]):
        t = result["tools"][tool]
        lines.append(
            f"  {tool:<8} {t['median_wall_s']:>10.3f} s {t['min_wall_s']:>7.3f} s "
            f"{t['max_wall_s']:>7.3f} s {t['median_cpu_s']:>9.3f} s"
            f" {fmt_mib(t['median_peak_rss_kib']):>16}"
        )
    lines.append("")
    lines.append(f"  {'ratio':<22} {'value':>6}   target (DESIGN.md; informative)")
    for name, value in result["ratios"].items():
        limit = TARGET_LIMITS.get(name)
        over = value is not None and limit is not None and value > limit
        flag = "  <- over target" if over else ""
        lines.append(f"  {name:<22} {fmt_ratio(value):>6}   {TARGETS[name]}{flag}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except BenchError as err:
        log(f"bench: error: {err}")
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 130
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
