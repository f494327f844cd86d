//! PF305 `stdlib-module-shadowing`: a project module named like a standard-library module.

use std::sync::LazyLock;

use ruff_text_size::{TextRange, TextSize};
use rustc_hash::FxHashMap;

use crate::meta::{Family, FixAvailability, OptionKind, OptionSpec, RuleMeta, Tier};
use crate::project::{ProjectChecker, ProjectNeeds};
use crate::registry::rule_meta;
use crate::rule::Rule;
use crate::settings::PythonVersion;

pub struct StdlibModuleShadowing;

static META: RuleMeta = RuleMeta {
    options: &[OptionSpec {
        name: "allowed-modules",
        kind: OptionKind::StringList,
        doc: "Top-level module names that may shadow a standard-library module.",
    }],
    ..rule_meta(
        "PF305",
        "stdlib-module-shadowing",
        Family::Scopes,
        Tier::Core,
        FixAvailability::None,
        &["A005"],
        "A project module named like a standard-library module is imported instead of it.",
    )
};

impl Rule for StdlibModuleShadowing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn project_needs(&self) -> ProjectNeeds {
        ProjectNeeds::IMPORT_GRAPH
    }

    /// From the project's module map: the name a file is imported by at an
    /// import root, or next to a script that puts its directory first on
    /// `sys.path` (see `TopLevelName`).
    fn check_project(&self, cx: &mut ProjectChecker) {
        let Some(top) = &cx.facts.top_level else {
            return;
        };
        let here = cx.view.display_path(cx.module).unwrap_or_default();
        let name = top.name.as_str();
        let rule = cx.current_rule.expect("running a rule");
        if here.ends_with(".pyi")
            || !is_stdlib_module(name, cx.settings.target_version)
            || BUILT_IN.contains(&name)
            || cx
                .settings
                .options
                .string_list(rule, "allowed-modules")
                .iter()
                .any(|m| m == name)
        {
            return;
        }
        let what = if top.is_package { "Package" } else { "Module" };
        let (place, help) = match top.script {
            None => (
                "at an import root".to_string(),
                format!("rename it (e.g. `{name}_utils`), or move it into a package (`myapp/{name}.py` is `myapp.{name}`)"),
            ),
            Some(script) => {
                let script = cx.view.display_path(script).unwrap_or_default();
                (
                    format!("next to the script `{script}`"),
                    format!("rename it (e.g. `{name}_utils`): running `{script}` puts its directory first on `sys.path`"),
                )
            }
        };
        cx.report(
            format!("{what} `{name}` {place} shadows the standard-library module `{name}`: `import {name}` here, and in every library the program uses, loads this file instead"),
            TextRange::empty(TextSize::new(0)),
        )
        .help(help);
    }
}

/// Modules compiled into every CPython interpreter (`sys.builtin_module_names`
/// on Linux, macOS and Windows alike): the import system's built-in finder
/// runs before any `sys.path` entry, so no file can shadow them.
const BUILT_IN: &[&str] = &[
    "atexit",
    "builtins",
    "errno",
    "faulthandler",
    "gc",
    "itertools",
    "marshal",
    "sys",
    "time",
];

/// Whether `name` is a public top-level module of the standard library of `version`.
pub fn is_stdlib_module(name: &str, version: PythonVersion) -> bool {
    // Asked for most imports and calls of a module: one hash probe (a
    // binary search compares strings, a call each).
    static MINORS: LazyLock<FxHashMap<&'static str, (u8, u8)>> = LazyLock::new(|| {
        let always = STDLIB.iter().map(|n| (*n, (0, u8::MAX)));
        let changed = CHANGED
            .iter()
            .map(|(n, since, until)| (*n, (*since, *until)));
        always.chain(changed).collect()
    });
    MINORS
        .get(name)
        .is_some_and(|(since, until)| (*since..*until).contains(&version.minor))
}

/// Whether `name` is a standard-library module in some Python 3 version
/// this tool knows (for a question that does not depend on the target).
pub fn is_stdlib_module_in_any_version(name: &str) -> bool {
    STDLIB.contains(&name) || CHANGED.iter().any(|(n, _, _)| *n == name)
}

/// Modules added or removed since 3.7: `(name, first minor with it, first
/// minor without it)`, sorted by name.
const CHANGED: &[(&str, u8, u8)] = &[
    ("aifc", 7, 13),
    ("annotationlib", 14, u8::MAX),
    ("asynchat", 7, 12),
    ("asyncore", 7, 12),
    ("audioop", 7, 13),
    ("binhex", 7, 11),
    ("cgi", 7, 13),
    ("cgitb", 7, 13),
    ("chunk", 7, 13),
    ("compression", 14, u8::MAX),
    ("crypt", 7, 13),
    ("distutils", 7, 12),
    ("dummy_threading", 7, 9),
    ("formatter", 7, 10),
    ("graphlib", 9, u8::MAX),
    ("imghdr", 7, 13),
    ("imp", 7, 12),
    ("lib2to3", 7, 13),
    ("macpath", 7, 8),
    ("mailcap", 7, 13),
    ("msilib", 7, 13),
    ("nis", 7, 13),
    ("nntplib", 7, 13),
    ("ossaudiodev", 7, 13),
    ("parser", 7, 10),
    ("pipes", 7, 13),
    ("smtpd", 7, 12),
    ("sndhdr", 7, 13),
    ("spwd", 7, 13),
    ("sunau", 7, 13),
    ("symbol", 7, 10),
    ("telnetlib", 7, 13),
    ("tomllib", 11, u8::MAX),
    ("uu", 7, 13),
    ("xdrlib", 7, 13),
    ("zoneinfo", 9, u8::MAX),
];

/// Public top-level modules present in every version from 3.7 on (sorted;
/// from `sys.stdlib_module_names`, private `_` modules left out).
const STDLIB: &[&str] = &[
    "abc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "atexit",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtplib",
    "socket",
    "socketserver",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_versioned() {
        assert!(
            STDLIB.windows(2).all(|w| w[0] < w[1]),
            "STDLIB must stay sorted"
        );
        assert!(
            CHANGED.windows(2).all(|w| w[0].0 < w[1].0),
            "CHANGED must stay sorted"
        );
        assert!(
            CHANGED
                .iter()
                .all(|(n, ..)| STDLIB.binary_search(n).is_err()),
            "a module is in CHANGED or in STDLIB"
        );
        let py39 = PythonVersion { major: 3, minor: 9 };
        let py313 = PythonVersion {
            major: 3,
            minor: 13,
        };
        assert!(is_stdlib_module("json", py39));
        assert!(is_stdlib_module("asyncore", py39));
        assert!(!is_stdlib_module("asyncore", py313));
        assert!(!is_stdlib_module("tomllib", py39));
        assert!(is_stdlib_module("tomllib", py313));
        assert!(!is_stdlib_module("requests", py39));
    }
}
