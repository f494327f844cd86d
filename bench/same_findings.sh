#!/usr/bin/env bash
# The correctness gate of performance work: the findings of a pitfall binary
# on the standard library and on site-packages, default rules, `ALL` and
# the foundation rules of issue 2 (a selection that runs less of the
# pipeline), must be identical to a recorded baseline, record by record.
#
#   bench/same_findings.sh record BIN DIR   # write the baseline into DIR
#   bench/same_findings.sh check  BIN DIR   # compare against it (exit 1 on a difference)
set -euo pipefail

mode="$1" bin="$2" dir="$3"
here="$(cd "$(dirname "$0")" && pwd)"
stdlib="$(python3 -c 'import sysconfig;print(sysconfig.get_paths()["stdlib"])')"
site="$(python3 -c 'import site;print(site.getsitepackages()[0])')"
mkdir -p "$dir"

run() { # name, args...
    local name="$1"
    shift
    "$bin" check --no-cache --exit-zero --output-format json "$@" >"$dir/$name.$mode.json"
}
run stdlib "$stdlib" --extend-exclude site-packages
run stdlib-all "$stdlib" --extend-exclude site-packages --select ALL
run site "$site"
run site-all "$site" --select ALL
foundation=PF0,PF101,PF201,PF301,PF302,PF303,PF304,PF401
run stdlib-found "$stdlib" --extend-exclude site-packages --select "$foundation"
run site-found "$site" --select "$foundation"

[[ "$mode" == record ]] && exit 0
status=0
for name in stdlib stdlib-all site site-all stdlib-found site-found; do
    printf '%-11s ' "$name"
    python3 "$here/compare_findings.py" "$dir/$name.record.json" "$dir/$name.check.json" || status=1
done
# Selecting fewer rules must not change what those rules find.
for tree in stdlib site; do
    printf '%-11s ' "$tree-sub"
    python3 "$here/compare_findings.py" --codes "$foundation" \
        "$dir/$tree.check.json" "$dir/$tree-found.check.json" || status=1
done
exit $status
