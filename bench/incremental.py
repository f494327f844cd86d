#!/usr/bin/env python3
"""Edit-to-result times through pitfall's incremental path.

Generates a synthetic project with `bench/synth.py` (default 2,000 modules)
and runs the hidden `pitfall bench-edits` on it, then on the CPython
standard library: each loads the project into the database the CLI and the
language server use, computes every file's diagnostics cold, then applies
one-file edits and times re-computing every file's diagnostics (what
`check --watch` does). Prints the cold time and the median of each kind of
edit: a comment, a body edit that keeps the calls, and an interface edit
(a blocking call removed from or put back into a leaf helper deep in a
chain, which must make a coroutine's PF101 in another package disappear or
reappear: `bench-edits` checks that it did).

    python3 bench/incremental.py                  # build, 2,000 modules + the stdlib
    python3 bench/incremental.py --no-build --modules 10000 --no-stdlib
    python3 bench/incremental.py --json

Targets (DESIGN.md): <= 20 ms median for a one-file edit on 2,000 files,
cross-file consequences included. Printed, never asserted: the script exits
non-zero only when something fails to run or an edit did not have its effect.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0


def binary(args: argparse.Namespace) -> Path:
    if args.pitfall:
        return Path(args.pitfall)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
    return target / "release" / "pitfall"


def bench_edits(pitfall: Path, path: Path, extra: list[str]) -> dict:
    cmd = [str(pitfall), "bench-edits", str(path), *extra]
    print("$ " + " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: bench-edits failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)


def check_time(pitfall: Path, path: Path) -> float:
    """Wall time of a cold `pitfall check` (ms)."""
    start = time.perf_counter()
    out = subprocess.run(
        [str(pitfall), "check", str(path), "--exit-zero", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = (time.perf_counter() - start) * 1000
    if out.returncode != 0:
        sys.exit(f"error: pitfall check failed:\n{out.stderr}")
    return elapsed


def row(name: str, result: dict) -> str:
    def ms(key: str) -> str:
        wall, cpu = result.get(key + "_ms"), result.get(key + "_cpu_ms")
        if wall is None:
            return f"{'-':>15}"
        return f"{wall:7.1f} ({cpu:5.1f})" if cpu is not None else f"{wall:15.1f}"

    edits = result["interface_edit_pairs_verified"], result["interface_edit_pairs"]
    return (
        f"{name:<12} {result['files']:>6} {ms('cold')} {ms('comment_median')} "
        f"{ms('body_median')} {ms('interface_median')} {ms('first_edit_median')}   "
        f"{edits[0]}/{edits[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--deep", type=int, default=0, help="synth.py --deep")
    parser.add_argument("--edits", type=int, default=24, help="edits of each kind (>= 20)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--no-stdlib", action="store_true")
    parser.add_argument("--pitfall", help="the binary (default: target/release/pitfall)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    if not args.no_build and not args.pitfall:
        subprocess.run(
            ["cargo", "build", "--release", "-p", "pitfall"], cwd=REPO_ROOT, check=True
        )
    pitfall = binary(args)
    if not pitfall.exists():
        sys.exit(f"error: {pitfall} not found (build it, or pass --pitfall)")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synth  # noqa: E402

    results = {}
    with tempfile.TemporaryDirectory(prefix="pitfall-synth-") as tmp:
        project = Path(tmp) / "project"
        info = synth.generate(str(project), args.modules, args.deep)
        print(f"synth: {json.dumps(info)}", file=sys.stderr)
        spec = project / "bench-edits.json"
        result = bench_edits(
            pitfall, project, ["--spec", str(spec), "--edits", str(args.edits)]
        )
        if result["pf101"] != info["expected_pf101"]:
            sys.exit(
                f"error: {result['pf101']} PF101 findings, synth.py expects "
                f"{info['expected_pf101']}"
            )
        result["check_ms"] = check_time(pitfall, project)
        results[f"synth {args.modules}"] = result
    if not args.no_stdlib:
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        results["stdlib"] = bench_edits(
            pitfall,
            stdlib,
            ["--extend-exclude", "site-packages", "--edits", str(args.edits)],
        )

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("milliseconds, wall (CPU): cold = every file's diagnostics, then the median")
    print("re-check of every file after one edit of each kind")
    print(f"{'project':<12} {'files':>6} {'cold':>15} {'comment':>15} {'body':>15} "
          f"{'interface':>15} {'first edit':>15}   interface edits verified")
    for name, result in results.items():
        print(row(name, result))
    synth_result = results[f"synth {args.modules}"]
    print(f"cold `pitfall check` of the synthetic project: {synth_result['check_ms']:.0f} ms")
    print(f"target: <= {TARGET_MS:.0f} ms median per one-file edit on 2,000 files "
          "(medians over the edits of each kind; an interface edit and its revert are two)")
    print("first edit: a file's first change in a session also raises its durability, so every "
          "query revalidates once (the language server does this at didOpen)")


if __name__ == "__main__":
    main()
