#!/usr/bin/env python3
"""Compare two `pitfall check --output-format json` outputs finding by finding.

    python3 bench/compare_findings.py before.json after.json
    python3 bench/compare_findings.py --codes PF0,PF101 all.json selected.json

Every field of every record counts (code, message, locations, fix, help,
related, ...); records are compared as a multiset, so order does not matter.
Prints per-code counts of the records only in one side and exits 1 when the
sets differ, 0 when they are identical. Used as the correctness gate of
performance work: a speed-up must not change a single finding. With
`--codes PREFIXES`, both sides keep only the codes that start with one of
the comma-separated prefixes: a run that selects those rules must find
exactly what a run of more rules found of them.
"""

import collections
import json
import sys


def load(path, prefixes=None):
    with open(path, encoding="utf-8") as f:
        records = json.load(f)
    if prefixes:
        records = [r for r in records if r["code"].startswith(prefixes)]
    return collections.Counter(json.dumps(r, sort_keys=True) for r in records)


def main(argv):
    prefixes = None
    if len(argv) == 5 and argv[1] == "--codes":
        prefixes = tuple(argv[2].split(","))
        argv = argv[:1] + argv[3:]
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    before, after = load(argv[1], prefixes), load(argv[2], prefixes)
    removed = before - after
    added = after - before
    if not removed and not added:
        print(f"identical: {sum(before.values())} findings")
        return 0
    for label, diff in (("only in before", removed), ("only in after", added)):
        if not diff:
            continue
        by_code = collections.Counter()
        for record, n in diff.items():
            by_code[json.loads(record)["code"]] += n
        print(f"{label}: {sum(diff.values())} ({', '.join(f'{c} {n}' for c, n in sorted(by_code.items()))})")
        for record in list(diff)[:5]:
            r = json.loads(record)
            loc = r["location"]
            print(f"  {r['filename']}:{loc['row']}:{loc['column']} {r['code']} {r['message'][:100]}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
