//! Fixes produce the code they promise: each case lints a snippet with one
//! rule, applies every fix it offers, and compares the result.

use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{FileContext, LinterSettings, RuleId, RuleSet};

fn fixed(code: &str, source: &str) -> String {
    fixed_at(code, source, "example.py")
}

/// The findings of one rule on a snippet at `path`.
fn findings_at(code: &str, source: &str, path: &str) -> Vec<pitfall_linter::Diagnostic> {
    let rule = RuleId::from_code(code).expect("known rule");
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    let settings = LinterSettings {
        rules,
        file: FileContext::assumed(path),
        ..LinterSettings::default()
    };
    lint_source(source, &settings, path)
}

fn findings(code: &str, source: &str) -> Vec<pitfall_linter::Diagnostic> {
    findings_at(code, source, "example.py")
}

/// As [`fixed`], for a file at `path` (a path with a directory is a package module).
fn fixed_at(code: &str, source: &str, path: &str) -> String {
    let mut edits: Vec<_> = findings_at(code, source, path)
        .into_iter()
        .filter_map(|d| d.fix)
        .flat_map(|f| f.edits)
        .collect();
    assert!(!edits.is_empty(), "{code}: no fix offered");
    edits.sort_by(|a, b| {
        (b.range.start(), b.range.end(), &b.content).cmp(&(
            a.range.start(),
            a.range.end(),
            &a.content,
        ))
    });
    // One fix may be attached to several findings: its edits apply once.
    edits.dedup();
    let mut out = source.to_string();
    for edit in edits {
        out.replace_range(
            edit.range.start().to_usize()..edit.range.end().to_usize(),
            &edit.content,
        );
    }
    out
}

#[test]
fn pf202_suppress() {
    let source = "import os\n\ndef f(p):\n    try:\n        os.remove(p)\n    except (OSError, ValueError):\n        pass\n";
    assert_eq!(
        fixed("PF202", source),
        "import contextlib\nimport os\n\ndef f(p):\n    with contextlib.suppress(OSError, ValueError):\n        os.remove(p)\n"
    );
}

#[test]
fn pf202_existing_import() {
    let source = "import contextlib\n\ndef f(d):\n    try:\n        del d[1]\n    except KeyError:\n        pass\n";
    assert_eq!(
        fixed("PF202", source),
        "import contextlib\n\ndef f(d):\n    with contextlib.suppress(KeyError):\n        del d[1]\n"
    );
}

#[test]
fn pf204_named_and_unnamed() {
    let source = "def f(x):\n    try:\n        return int(x)\n    except ValueError as e:\n        raise TypeError(x)\n\ndef g(x):\n    try:\n        return int(x)\n    except ValueError:\n        raise TypeError(x)\n";
    assert_eq!(
        fixed("PF204", source),
        "def f(x):\n    try:\n        return int(x)\n    except ValueError as e:\n        raise TypeError(x) from e\n\ndef g(x):\n    try:\n        return int(x)\n    except ValueError as err:\n        raise TypeError(x) from err\n"
    );
}

#[test]
fn pf204_parenthesized_type() {
    let source = "def f(x):\n    try:\n        return int(x)\n    except (ValueError):\n        raise TypeError(x)\n";
    assert_eq!(
        fixed("PF204", source),
        "def f(x):\n    try:\n        return int(x)\n    except (ValueError) as err:\n        raise TypeError(x) from err\n"
    );
}

#[test]
fn pf204_parenthesized_type_with_comment() {
    let source = "def f(x):\n    try:\n        return int(x)\n    except (\n        ValueError  # bad input\n    ):\n        raise TypeError(x)\n";
    assert_eq!(
        fixed("PF204", source),
        "def f(x):\n    try:\n        return int(x)\n    except (\n        ValueError  # bad input\n    ) as err:\n        raise TypeError(x) from err\n"
    );
}

#[test]
fn pf205_if_raise() {
    let source = "def f(a, b):\n    assert a > 0, \"a must be positive\"\n    assert a or b  # both\n    return a\n";
    assert_eq!(
        fixed("PF205", source),
        "def f(a, b):\n    if not a > 0:\n        raise ValueError(\"a must be positive\")\n    if not (a or b):\n        raise ValueError()  # both\n    return a\n"
    );
}

#[test]
fn pf102_await() {
    let source = "async def load():\n    return {}\n\nasync def f():\n    load()\n    return load()[\"k\"]\n";
    assert_eq!(
        fixed("PF102", source),
        "async def load():\n    return {}\n\nasync def f():\n    await load()\n    return (await load())[\"k\"]\n"
    );
}

#[test]
fn pf106_reraise() {
    let source = "import asyncio\n\nasync def f(feed):\n    try:\n        await feed.poll()\n    except asyncio.CancelledError:\n        await feed.close()\n";
    assert_eq!(
        fixed("PF106", source),
        "import asyncio\n\nasync def f(feed):\n    try:\n        await feed.poll()\n    except asyncio.CancelledError:\n        await feed.close()\n        raise\n"
    );
}

#[test]
fn pf404_is_to_equals() {
    let source = "def f(x, y):\n    return x is 1000 or (y) is not  \"a\"\n";
    assert_eq!(
        fixed("PF404", source),
        "def f(x, y):\n    return x == 1000 or (y) !=  \"a\"\n"
    );
}

#[test]
fn pf405_equals_none_to_is() {
    let source = "def f(x, y):\n    if x == None and None != y:\n        return 1\n";
    assert_eq!(
        fixed("PF405", source),
        "def f(x, y):\n    if x is None and None is not y:\n        return 1\n"
    );
}

#[test]
fn pf405_no_fix_across_a_comment() {
    let source = "def f(x):\n    return (x ==  # compare\n        None)\n";
    let found = findings("PF405", source);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].fix.is_none(),
        "a comment sits between the operands"
    );
}

#[test]
fn pf409_isinstance() {
    let source = "class C:\n    pass\n\ndef f(x):\n    return type(x) == C, type(x) != int\n";
    assert_eq!(
        fixed("PF409", source),
        "class C:\n    pass\n\ndef f(x):\n    return isinstance(x, C), not isinstance(x, int)\n"
    );
}

#[test]
fn pf411_list_to_tuple() {
    let source = "def f(a, b):\n    return {[a, b]: 1, [a]: 2}\n";
    assert_eq!(
        fixed("PF411", source),
        "def f(a, b):\n    return {(a, b): 1, (a,): 2}\n"
    );
}

#[test]
fn pf603_generator() {
    let source = "def f(xs):\n    return sum([x for x in xs]), max([x for x in xs], key=abs), sum([x for x in xs], 10)\n";
    assert_eq!(
        fixed("PF603", source),
        "def f(xs):\n    return sum(x for x in xs), max((x for x in xs), key=abs), sum((x for x in xs), 10)\n"
    );
}

#[test]
fn pf402_default_factory() {
    let source = "import dataclasses\nfrom dataclasses import dataclass, field\n\n@dataclass\nclass C:\n    a: list = []\n    b: dict = {}\n    c: set = set()\n\n@dataclasses.dataclass\nclass D:\n    d: list = list()\n";
    assert_eq!(
        fixed("PF402", source),
        "import dataclasses\nfrom dataclasses import dataclass, field\n\n@dataclass\nclass C:\n    a: list = field(default_factory=list)\n    b: dict = field(default_factory=dict)\n    c: set = field(default_factory=set)\n\n@dataclasses.dataclass\nclass D:\n    d: list = field(default_factory=list)\n"
    );
}

#[test]
fn pf402_module_field() {
    let source = "import dataclasses\n\n@dataclasses.dataclass\nclass D:\n    d: list = []\n";
    assert_eq!(
        fixed("PF402", source),
        "import dataclasses\n\n@dataclasses.dataclass\nclass D:\n    d: list = dataclasses.field(default_factory=list)\n"
    );
}

#[test]
fn pf802_exception_and_exc_info() {
    let source = "import logging\n\nlog = logging.getLogger(__name__)\n\ndef f(c):\n    try:\n        c.push()\n    except OSError as e:\n        log.error(\"failed: %s\", e)\n        log.critical(\"down\",)\n";
    assert_eq!(
        fixed("PF802", source),
        "import logging\n\nlog = logging.getLogger(__name__)\n\ndef f(c):\n    try:\n        c.push()\n    except OSError as e:\n        log.exception(\"failed: %s\", e)\n        log.critical(\"down\", exc_info=True,)\n"
    );
}

#[test]
fn pf803_remove_line_or_pass() {
    let source = "import pdb\n\ndef f(x):\n    pdb.set_trace()\n    return x\n\ndef g():\n    breakpoint()\n";
    assert_eq!(
        fixed("PF803", source),
        "import pdb\n\ndef f(x):\n    return x\n\ndef g():\n    pass\n"
    );
}

#[test]
fn pf904_insert_self() {
    let source = "class A:\n    def f():\n        return 1\n\n    def g(*, k):\n        return k\n\n    @classmethod\n    def h():\n        return 2\n";
    assert_eq!(
        fixed("PF904", source),
        "class A:\n    def f(self):\n        return 1\n\n    def g(self, *, k):\n        return k\n\n    @classmethod\n    def h(cls):\n        return 2\n"
    );
}

#[test]
fn pf902_wrap_trailing_calls() {
    let source = "def main():\n    ...\n\nprint(\"start\")\nmain()\n";
    assert_eq!(
        fixed_at("PF902", source, "myapp/report.py"),
        "def main():\n    ...\n\nif __name__ == \"__main__\":\n    print(\"start\")\n    main()\n"
    );
}

#[test]
fn pf506_try_finally() {
    let source = "from contextlib import contextmanager\n\n@contextmanager\ndef timer(results):\n    began = now()\n    yield began  # the body runs here\n\n    # record it\n    results.append(now() - began)\n    for r in results:\n        if r:\n            continue\n";
    assert_eq!(
        fixed("PF506", source),
        "from contextlib import contextmanager\n\n@contextmanager\ndef timer(results):\n    began = now()\n    try:\n        yield began  # the body runs here\n    finally:\n        # record it\n        results.append(now() - began)\n        for r in results:\n            if r:\n                continue\n"
    );
}

#[test]
fn pf506_nested_block_and_no_fix_with_return() {
    let source = "import contextlib\n\n@contextlib.asynccontextmanager\nasync def session(pool, ok):\n\tif ok:\n\t\tvalue = yield pool\n\t\tpool.close()\n\n@contextlib.contextmanager\ndef other(pool):\n    yield\n    pool.close()\n    return pool\n";
    assert_eq!(
        fixed("PF506", source),
        "import contextlib\n\n@contextlib.asynccontextmanager\nasync def session(pool, ok):\n\tif ok:\n\t\ttry:\n\t\t\tvalue = yield pool\n\t\tfinally:\n\t\t\tpool.close()\n\n@contextlib.contextmanager\ndef other(pool):\n    yield\n    pool.close()\n    return pool\n"
    );
}

#[test]
fn pf401_none_default_after_docstring() {
    let source = "def add_tag(tag, tags=[]):\n    \"\"\"Add a tag.\"\"\"\n    tags.append(tag)\n    return tags\n";
    assert_eq!(
        fixed("PF401", source),
        "def add_tag(tag, tags=None):\n    \"\"\"Add a tag.\"\"\"\n    if tags is None:\n        tags = []\n    tags.append(tag)\n    return tags\n"
    );
}

#[test]
fn pf401_two_defaults_in_parameter_order() {
    let source = "def f(a=[], b={}):\n    return a, b\n";
    assert_eq!(
        fixed("PF401", source),
        "def f(a=None, b=None):\n    if a is None:\n        a = []\n    if b is None:\n        b = {}\n    return a, b\n"
    );
}

#[test]
fn pf401_keyword_only_and_positional_only() {
    let source = "def f(a, b=[], /, *, c=None):\n    return b\n\n\ndef g(*, opts=dict(x=1)):\n    return opts\n";
    assert_eq!(
        fixed("PF401", source),
        "def f(a, b=None, /, *, c=None):\n    if b is None:\n        b = []\n    return b\n\n\ndef g(*, opts=None):\n    if opts is None:\n        opts = dict(x=1)\n    return opts\n"
    );
}

#[test]
fn pf401_one_line_def_and_only_docstring() {
    let source =
        "class A:\n    def f(self, x={}): return x\n\n\ndef g(x=[]):\n    \"\"\"Doc.\"\"\"";
    assert_eq!(
        fixed("PF401", source),
        "class A:\n    def f(self, x=None):\n        if x is None:\n            x = {}\n        return x\n\n\ndef g(x=None):\n    \"\"\"Doc.\"\"\"\n    if x is None:\n        x = []"
    );
}

#[test]
fn pf401_no_fix_where_the_value_would_change_meaning() {
    // A class attribute is not visible in the method; `a` would be the argument.
    let source = "class C:\n    D = {}\n\n    def m(self, x=dict(D)):\n        return x\n\n\ndef f(a, b=[a]):\n    return b\n";
    let found = findings("PF401", source);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|d| d.fix.is_none()));
}

/// PF905 runs on the project: the fix, applied to `shop/checkout.py`, keeps
/// an alias (`x as y`) and gives a plain name one, so the uses still resolve.
#[test]
fn pf905_close_match_keeps_the_bound_name() {
    use pitfall_linter::project::{lint_project, SourceInput};
    use std::path::{Path, PathBuf};

    let rule = RuleId::from_code("PF905").unwrap();
    let mut rules = RuleSet::EMPTY;
    rules.insert(rule);
    let settings = |path: &str| LinterSettings {
        rules,
        file: FileContext::assumed(path),
        ..LinterSettings::default()
    };
    let root = PathBuf::from("/project");
    let files = [
        ("shop/__init__.py", ""),
        ("shop/pricing.py", "def compute_total(items):\n    return 0\n"),
        (
            "shop/checkout.py",
            "from shop.pricing import compute_totals as total\nfrom shop.pricing import compute_totals\nfrom shop.pricing import (\n    compute_totals as subtotal,  # aliased over lines\n)\n\nprint(total, compute_totals, subtotal)\n",
        ),
    ];
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| root.join(p)).collect();
    let all_settings: Vec<LinterSettings> = files.iter().map(|(p, _)| settings(p)).collect();
    let inputs: Vec<SourceInput> = files
        .iter()
        .enumerate()
        .map(|(i, (name, source))| SourceInput {
            path: Path::new(&paths[i]),
            display_path: name,
            source,
            settings: &all_settings[i],
        })
        .collect();
    let results = lint_project(&inputs, std::slice::from_ref(&root));
    let source = files[2].1;
    let mut edits: Vec<_> = results[2]
        .iter()
        .filter_map(|d| d.fix.clone())
        .flat_map(|f| f.edits)
        .collect();
    assert_eq!(edits.len(), 3, "{:?}", results[2]);
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
    let mut out = source.to_string();
    for edit in edits {
        out.replace_range(
            edit.range.start().to_usize()..edit.range.end().to_usize(),
            &edit.content,
        );
    }
    assert_eq!(
        out,
        "from shop.pricing import compute_total as total\nfrom shop.pricing import compute_total as compute_totals\nfrom shop.pricing import (\n    compute_total as subtotal,  # aliased over lines\n)\n\nprint(total, compute_totals, subtotal)\n"
    );
}
