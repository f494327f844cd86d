#!/usr/bin/env python3
"""A synthetic Python project for pitfall's cross-module benchmarks and tests.

    python3 bench/synth.py OUT [--modules 2000] [--deep 0]

writes a project of about --modules modules in nested packages (`appP/sQ/`)
and prints a JSON line with the number of modules written and the number of
PF101 findings pitfall must report (`expected_pf101`). Deterministic: the
same arguments give the same files.

Each *chain* is a coroutine module calling a sync helper in another package,
which reaches a blocking call (`time.sleep`, `requests.get`, `open`) through
further helpers: several hops across packages, through `__init__.py`
re-exports, relative imports (`.m`, `..sQ.m`), `import a.b.c` forms,
`Class().run()` then `self._step()`, `Class(...)` through `__init__`, and
call cycles whose back edge is a module-level import (an import cycle).
Every fifth chain ends in a helper that does not block (no finding). Beside
each flagged coroutine: the same helper passed to `asyncio.to_thread` and
`run_in_executor` (not flagged), and a sync caller (not flagged); every
third chain also has a coroutine method calling the helper through
`self._helper()` (flagged).

`--deep L` adds a chain L modules long (`deep/mI.py`): each imports the next
at module level and the last imports the first (one import cycle of L
modules), and `f_I` calls `f_{I+1}` down to `time.sleep` (one finding).

The file `bench-edits.json` lists interface edits for `pitfall bench-edits
--spec`: removing the blocking call of a leaf deep in a chain, which makes
the coroutine's PF101 in another package disappear.
"""

import argparse
import json
import os
import sys

BLOCKING = {
    "sleep": ("import time\n", "    time.sleep(0.01)\n"),
    "requests": ("import requests\n", '    requests.get("https://example.invalid/" + str(x))\n'),
    "open": ("", '    with open("/tmp/synth-%d.txt" % x) as handle:\n        handle.read()\n'),
    "clean": ("", "    x = x + 1\n"),
}
KINDS = ["sleep", "requests", "open", "sleep", "clean"]

FILLER = '''

def _describe_{tag}(items):
    """Filler: calls that are not the project's and do not block."""
    parts = [str(item) for item in items]
    return os.path.join(*parts) if parts else json.dumps({{}})


class _Record{tag}:
    def __init__(self, name):
        self.name = name

    def render(self):
        return _describe_{tag}([self.name, len(self.name)])
'''


class Project:
    def __init__(self, out, modules):
        self.out = out
        self.tops = max(2, modules // 200)
        self.subs = max(2, modules // (20 * self.tops))
        self.packages = [(p, q) for p in range(self.tops) for q in range(self.subs)]
        self.files = {}  # relative path -> text
        self.reexports = {pkg: [] for pkg in self.packages}
        self.count = self.tops * (1 + self.subs)  # the __init__ files
        self.expected = 0
        self.edits = []

    @staticmethod
    def dotted(pkg, module):
        return "app%d.s%d.%s" % (pkg[0], pkg[1], module)

    @staticmethod
    def path(pkg, module):
        return "app%d/s%d/%s.py" % (pkg[0], pkg[1], module)

    def import_of(self, here, there, module, name, style):
        """(import statement, expression naming `name`) from package `here`."""
        if here == there:
            return "from .%s import %s\n" % (module, name), name
        if here[0] == there[0] and style % 2 == 0:
            return "from ..s%d.%s import %s\n" % (there[1], module, name), name
        if style % 3 == 0:
            dotted = self.dotted(there, module)
            return "import %s\n" % dotted, "%s.%s" % (dotted, name)
        # Through the package's re-export.
        self.reexports[there].append((module, name))
        return "from app%d.s%d import %s\n" % (there[0], there[1], name), name

    def chain(self, k):
        depth = 2 + k % 6
        kind = KINDS[k % len(KINDS)]
        n = len(self.packages)
        # Module j of the chain (0: the coroutine, depth: the leaf).
        where = [self.packages[(k * 7 + j * 3 + (k // n)) % n] for j in range(depth + 1)]
        names = ["handler%d" % k] + ["hop%d_%d" % (k, j) for j in range(1, depth)] + ["leaf%d" % k]
        funcs = [None] + ["hop_%d_%d" % (k, j) for j in range(1, depth)] + ["leaf_%d" % k]
        # Leaf.
        header, body = BLOCKING[kind]
        leaf = "%simport json\nimport os\n\n\ndef %s(x):\n%s    return x\n" % (header, funcs[depth], body)
        self.files[self.path(where[depth], names[depth])] = leaf + FILLER.format(tag=k)
        if kind == "sleep" and where[0] != where[depth]:
            find = "def %s(x):\n%s" % (funcs[depth], body)
            self.edits.append({
                "path": self.path(where[depth], names[depth]),
                "find": find,
                "replace": "def %s(x):\n    x = x + 1\n" % funcs[depth],
                "watch": self.path(where[0], names[0]),
                "depth": depth,
            })
        # Hops, from the leaf up.
        for j in range(depth - 1, 0, -1):
            imports, target = self.import_of(where[j], where[j + 1], names[j + 1], funcs[j + 1], k + j)
            style = (k + j) % 4
            f = funcs[j]
            if style == 1:
                cls = "Hop%d_%d" % (k, j)
                code = (
                    "class %s:\n    def run(self, x):\n        return self._step(x)\n\n"
                    "    def _step(self, x):\n        return %s(x)\n\n\n"
                    "def %s(x):\n    return %s().run(x)\n" % (cls, target, f, cls)
                )
            elif style == 2:
                cls = "Init%d_%d" % (k, j)
                code = (
                    "class %s:\n    def __init__(self, x):\n        self.value = %s(x)\n\n\n"
                    "def %s(x):\n    return %s(x).value\n" % (cls, target, f, cls)
                )
            elif style == 3 and j > 1:
                # A call cycle with the previous hop; its import closes an import cycle.
                prev = self.dotted(where[j - 1], names[j - 1])
                imports += "import %s\n" % prev
                code = (
                    "def %s(x):\n    if x > 1000:\n        return %s.%s(x - 1)\n"
                    "    return %s(x)\n" % (f, prev, funcs[j - 1], target)
                )
            else:
                code = "def %s(x):\n    return %s(x)\n" % (f, target)
            text = "import json\nimport os\n%s\n\n%s" % (imports, code)
            self.files[self.path(where[j], names[j])] = text + FILLER.format(tag="%d_%d" % (k, j))
        # The coroutines.
        imports, target = self.import_of(where[0], where[1], names[1], funcs[1], k)
        flagged = kind != "clean"
        mark = "  # PF101" if flagged else ""
        text = (
            "import asyncio\nimport json\nimport os\n%s\n\n"
            "async def handle_%d(x):\n    return %s(x)%s\n\n\n"
            "async def offload_%d(x):\n    return await asyncio.to_thread(%s, x)\n\n\n"
            "async def executor_%d(x):\n    loop = asyncio.get_running_loop()\n"
            "    return await loop.run_in_executor(None, %s, x)\n\n\n"
            "def sync_%d(x):\n    return %s(x)\n"
            % (imports, k, target, mark, k, target, k, target, k, target)
        )
        self.expected += flagged
        if k % 3 == 0:
            text += (
                "\n\nclass Service%d:\n    async def handle(self, x):\n        return self._helper(x)%s\n\n"
                "    def _helper(self, x):\n        return %s(x)\n" % (k, mark, target)
            )
            self.expected += flagged
        self.files[self.path(where[0], names[0])] = text + FILLER.format(tag=k)
        self.count += depth + 1

    def deep(self, length):
        for i in range(length):
            nxt = (i + 1) % length
            call = "    time.sleep(0.01)\n" if i == length - 1 else "    m%d.f_%d()\n" % (nxt, nxt)
            text = "import time\nfrom deep import m%d\n\n\ndef f_%d():\n%s" % (nxt, i, call)
            if i == 0:
                text += "\n\nasync def deep_handler():\n    f_0()  # PF101\n"
            self.files["deep/m%d.py" % i] = text
        self.files["deep/__init__.py"] = ""
        self.count += length + 1
        self.expected += 1 if length else 0

    def inits(self):
        for p in range(self.tops):
            self.files["app%d/__init__.py" % p] = '"""Package %d."""\n' % p
        for pkg, names in self.reexports.items():
            lines = sorted(set("from .%s import %s\n" % m for m in names))
            self.files["app%d/s%d/__init__.py" % pkg] = "".join(lines)

    def write(self):
        for rel, text in self.files.items():
            path = os.path.join(self.out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(self.out, "pyproject.toml"), "w", encoding="utf-8") as f:
            f.write('[project]\nname = "synth"\nversion = "0"\n\n[tool.pitfall]\n')
        # The deepest chains first: those are the edits to time.
        edits = sorted(self.edits, key=lambda e: -e["depth"])
        with open(os.path.join(self.out, "bench-edits.json"), "w", encoding="utf-8") as f:
            json.dump(edits, f, indent=1)


def generate(out, modules, deep=0):
    project = Project(out, modules)
    k = 0
    while project.count + 3 + k % 6 <= modules - deep - (1 if deep else 0) or k == 0:
        project.chain(k)
        k += 1
    if deep:
        project.deep(deep)
    project.inits()
    project.write()
    return {"modules": len(project.files), "chains": k, "expected_pf101": project.expected}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--deep", type=int, default=0, help="add an import and call chain this long")
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("error: %s exists and is not empty" % args.out)
    print(json.dumps(generate(args.out, args.modules, args.deep)))


if __name__ == "__main__":
    main()
