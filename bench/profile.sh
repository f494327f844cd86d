#!/usr/bin/env bash
# Instruction counts of one `pitfall check` on the CPython standard library,
# single-threaded, under callgrind; reproducible on a loaded machine (wall
# time is not). See bench/README.md ("Profiling").
#
#   bench/profile.sh [OUT_DIR] [-- extra pitfall check arguments]
#   PITFALL_BIN=/tmp/old-pitfall bench/profile.sh OUT_DIR   # an already built binary
#
# Builds the `profiling` profile (release + line tables), runs callgrind with
# RAYON_NUM_THREADS=1, and writes OUT_DIR/callgrind.out plus three reports:
# OUT_DIR/inclusive.txt (functions by inclusive cost), OUT_DIR/rules.txt
# (the inclusive cost of each rule's check functions, by rule module) and
# OUT_DIR/phases.txt (the run by phase: parse, index, summaries, rules, ...).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/pitfall-profile}"
shift || true
[[ "${1:-}" == "--" ]] && shift
mkdir -p "$out"

# PITFALL_BIN=path: profile that binary (built with line tables) instead of building.
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${PITFALL_BIN:-$target/profiling/pitfall}"
[[ -n "${PITFALL_BIN:-}" ]] || (cd "$root" && cargo build --profile profiling -p pitfall)
stdlib="$(python3 -c 'import sysconfig;print(sysconfig.get_paths()["stdlib"])')"

RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
    "$bin" check --no-cache --exit-zero -q "$stdlib" \
    --extend-exclude site-packages "$@" >/dev/null 2>"$out/valgrind.log"
grep -E 'Collected' "$out/valgrind.log" || tail -5 "$out/valgrind.log"

callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$out/callgrind.out" >"$out/inclusive.txt"
# One line per rule: the inclusive cost of its `Rule` impl's check methods
# (rules::<family>::<rule>::...::check_*), summed by rule module.
python3 - "$out/inclusive.txt" >"$out/rules.txt" <<'EOF'
import collections, re, sys
costs = collections.Counter()
# callgrind_annotate can list one function twice (absolute and relative
# source path): keep the larger figure per function, then sum per rule.
seen = {}
pattern = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+\S*?:(.*pitfall_linter::rules::(pf\d_\w+)::(\w+)::.*?\bcheck_(?:stmt|expr|except_handler|module_end|project))(?=\s|$)")
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = pattern.match(line)
    if m:
        key = (f"{m.group(3)}::{m.group(4)}", m.group(2))
        seen[key] = max(seen.get(key, 0), int(m.group(1).replace(",", "")))
for (rule, _), cost in seen.items():
    costs[rule] += cost
total = sum(costs.values())
for name, cost in costs.most_common():
    print(f"{cost/1e6:10.1f}M  {name}")
print(f"{total/1e6:10.1f}M  (sum over rules)")
EOF
head -40 "$out/rules.txt"

# The run by phase: the inclusive cost of each phase's entry point. Name
# lookups are part of the summaries and the rules; the rest do not overlap.
python3 - "$out/inclusive.txt" >"$out/phases.txt" <<'EOF'
import re, sys
phases = [
    ("total", r"PROGRAM TOTALS"),
    ("parse (+ nesting measure)", r"pitfall_db::queries::parsed_module( \[|$)"),
    ("semantic index", r"pitfall_db::queries::build_index( \[|$)"),
    ("module summaries", r"pitfall_linter::summary::Summarizer::run( \[|$)"),
    ("rules + AST walk", r"pitfall_linter::checker::lint(_counting)?( \[|$)"),
    ("name lookups (in the two above)", r"SemanticIndex>::lookup( \[|$)"),
    ("cross-module resolution", r"module_resolution_Configuration_ as salsa::function::Configuration>::execute( \[|$)"),
    ("project fixpoint", r"call_facts_Configuration_ as salsa::function::Configuration>::execute( \[|$)"),
    ("cross-module findings", r"pitfall_db::project::cross_module_diagnostics( \[|$)"),
    ("dropping text, tree, index", r"pitfall_db::queries::release_file( \[|$)"),
    ("reading files", r"pitfall_db::queries::read_source( \[|$)"),
    ("findings -> messages", r"pitfall::check::file_messages( \[|$)"),
    ("main thread (serial)", r"pitfall::check::run( \[|$)"),
]
best = {}
# A function can be listed more than once (by its source path as given to
# the compiler, absolute, and by the files inlined into it): keep its
# largest figure, which is the one that counts all of it.
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    m = re.match(r"^\s*([\d,]+)", line)
    if not m:
        continue
    cost = int(m.group(1).replace(",", ""))
    for name, pattern in phases:
        if re.search(pattern, line):
            best[name] = max(best.get(name, 0), cost)
for name, _ in phases:
    if name in best:
        print(f"{best[name]/1e6:10.1f}M  {name}")
EOF
cat "$out/phases.txt"
