//! End-to-end tests over real temporary trees: configuration discovery,
//! validation messages, and the walk.

use std::fs;
use std::path::{Path, PathBuf};

use pitfall_linter::{OptionKind, OptionValue, PythonVersion, RuleId, RuleSelector, RuleSet};
use tempfile::TempDir;

use crate::{discover_python_files, CliOverrides, ConfigError, Resolver, Settings};

/// A temporary tree from `(relative path, contents)` pairs.
fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn resolver(dir: &TempDir) -> Resolver {
    resolver_with(dir, CliOverrides::default())
}

fn resolver_with(dir: &TempDir, overrides: CliOverrides) -> Resolver {
    Resolver::new(overrides, dir.path().to_path_buf()).unwrap()
}

fn settings(dir: &TempDir, file: &str) -> std::sync::Arc<Settings> {
    resolver(dir).settings_for(&dir.path().join(file)).unwrap()
}

fn config_error(dir: &TempDir, file: &str) -> ConfigError {
    resolver(dir)
        .settings_for(&dir.path().join(file))
        .unwrap_err()
}

/// The codes in a rule set, for readable assertions.
fn codes(rules: &RuleSet) -> Vec<&'static str> {
    rules.iter().map(|id| id.meta().code).collect()
}

fn rule(code: &str) -> RuleId {
    RuleId::from_code(code).unwrap()
}

/// Discovered files relative to the tree, with `/` separators.
fn discovered(dir: &TempDir, resolver: &Resolver, paths: &[PathBuf]) -> Vec<String> {
    let found = discover_python_files(paths, resolver);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert!(found.config_errors.is_empty(), "{:?}", found.config_errors);
    found
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

fn discover_all(dir: &TempDir, resolver: &Resolver) -> Vec<String> {
    discovered(dir, resolver, &[dir.path().to_path_buf()])
}

// ---- configuration discovery ----

#[test]
fn nearest_pyproject_wins() {
    let dir = tree(&[
        ("pyproject.toml", "[tool.pitfall]\nselect = [\"PF001\"]\n"),
        (
            "sub/pyproject.toml",
            "[tool.pitfall]\nselect = [\"PF002\"]\n",
        ),
        ("a.py", ""),
        ("sub/deep/b.py", ""),
    ]);
    let r = resolver(&dir);
    let top = r.settings_for(&dir.path().join("a.py")).unwrap();
    assert_eq!(codes(&top.linter.rules), ["PF001"]);
    assert_eq!(top.root, dir.path());
    let deep = r.settings_for(&dir.path().join("sub/deep/b.py")).unwrap();
    assert_eq!(codes(&deep.linter.rules), ["PF002"]);
    assert_eq!(deep.root, dir.path().join("sub"));
    assert_eq!(
        deep.config_path.as_deref(),
        Some(dir.path().join("sub/pyproject.toml").as_path())
    );
    // Cached per directory: the same settings object is shared.
    let again = r.settings_for(&dir.path().join("sub/deep/c.py")).unwrap();
    assert!(std::sync::Arc::ptr_eq(&deep, &again));
}

#[test]
fn pyproject_without_tool_pitfall_is_not_a_config() {
    let dir = tree(&[
        ("pyproject.toml", "[tool.pitfall]\nselect = [\"PF001\"]\n"),
        (
            "sub/pyproject.toml",
            "[project]\nname = \"sub\"\n[tool.black]\nline-length = 100\n",
        ),
        ("sub/b.py", ""),
    ]);
    let s = settings(&dir, "sub/b.py");
    assert_eq!(codes(&s.linter.rules), ["PF001"]);
    assert_eq!(s.root, dir.path());
}

#[test]
fn pitfall_toml_uses_top_level_keys_and_beats_pyproject() {
    let dir = tree(&[
        (
            "pitfall.toml",
            "select = [\"PF003\"]\ntarget-version = \"py312\"\n",
        ),
        ("pyproject.toml", "[tool.pitfall]\nselect = [\"PF001\"]\n"),
        ("a.py", ""),
    ]);
    let s = settings(&dir, "a.py");
    assert_eq!(codes(&s.linter.rules), ["PF003"]);
    assert_eq!(
        s.linter.target_version,
        PythonVersion::parse("py312").unwrap()
    );
    assert_eq!(
        s.config_path.as_deref(),
        Some(dir.path().join("pitfall.toml").as_path())
    );
}

#[test]
fn no_config_gives_defaults_rooted_at_cwd() {
    let dir = tree(&[("pkg/a.py", ""), ("src/m.py", "")]);
    let s = settings(&dir, "pkg/a.py");
    assert_eq!(s.config_path, None);
    assert_eq!(s.root, dir.path());
    assert_eq!(s.linter.rules, RuleSet::defaults());
    assert_eq!(s.linter.target_version, PythonVersion::DEFAULT);
    assert!(s.respect_gitignore);
    assert_eq!(s.src, [dir.path().to_path_buf(), dir.path().join("src")]);
}

#[test]
fn module_paths_are_relative_to_the_deepest_import_root() {
    let dir = tree(&[
        ("json.py", ""),
        ("src/pkg/__init__.py", ""),
        ("src/pkg/mod.py", ""),
        ("my-scripts/run.py", ""),
    ]);
    let s = settings(&dir, "json.py");
    let module = |rel: &str| {
        s.module_path(&dir.path().join(rel))
            .map(|m| (m.name, m.is_package))
    };
    assert_eq!(module("json.py"), Some(("json".to_string(), false)));
    assert_eq!(
        module("src/pkg/__init__.py"),
        Some(("pkg".to_string(), true))
    );
    assert_eq!(
        module("src/pkg/mod.py"),
        Some(("pkg.mod".to_string(), false))
    );
    assert_eq!(module("my-scripts/run.py"), None, "not importable by name");
    assert_eq!(s.module_path(Path::new("/elsewhere/x.py")), None);
}

#[test]
fn file_context_knows_packages_and_script_entry_points() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[project.scripts]\nshop = \"shop.cli:main\"\n\n[tool.pitfall]\nsrc = [\"src\"]\n",
        ),
        ("src/shop/__init__.py", ""),
        ("src/shop/cli.py", ""),
        ("src/shop/billing.py", ""),
        ("scripts/run.py", ""),
    ]);
    let s = settings(&dir, "src/shop/cli.py");
    let file = |rel: &str| s.linter_settings_for(&dir.path().join(rel)).file;
    let cli = file("src/shop/cli.py");
    assert!(cli.in_package && cli.is_script_target);
    assert_eq!(cli.project_path, "src/shop/cli.py");
    let billing = file("src/shop/billing.py");
    assert!(billing.in_package && !billing.is_script_target);
    assert!(!file("scripts/run.py").in_package);
}

#[test]
fn selectors_accept_codes_prefixes_names_families_and_all() {
    let name = rule("PF002").meta().name;
    let dir = tree(&[(
        "pitfall.toml",
        &format!(
            "select = [\"PF001\", \"{name}\"]\nextend-select = [\"PF00\"]\nignore = [\"PF003\"]\n"
        ),
    )]);
    assert_eq!(
        codes(&settings(&dir, "a.py").linter.rules),
        ["PF001", "PF002", "PF004"]
    );

    let dir = tree(&[("pitfall.toml", "select = [\"ALL\"]\nignore = [\"tool\"]\n")]);
    let rules = settings(&dir, "a.py").linter.rules;
    assert!(codes(&rules).iter().all(|c| !c.starts_with("PF0")));
    let mut expected = RuleSet::all();
    expected.subtract(&RuleSelector::parse("PF0").unwrap().rules());
    assert_eq!(rules, expected);
}

#[test]
fn src_and_respect_gitignore_are_read() {
    let dir = tree(&[(
        "pitfall.toml",
        "src = [\"lib\", \"../shared\"]\nrespect-gitignore = false\n",
    )]);
    let s = settings(&dir, "a.py");
    assert_eq!(
        s.src,
        [
            dir.path().join("lib"),
            dir.path().parent().unwrap().join("shared")
        ]
    );
    assert!(!s.respect_gitignore);
}

// ---- extend ----

#[test]
fn extend_inherits_and_overrides() {
    let dir = tree(&[
        (
            "base.toml",
            "select = [\"PF001\"]\ntarget-version = \"py311\"\nextend-exclude = [\"gen\"]\n",
        ),
        (
            "proj/pyproject.toml",
            "[tool.pitfall]\nextend = \"../base.toml\"\nextend-select = [\"PF002\"]\n",
        ),
        ("proj/a.py", ""),
    ]);
    let s = settings(&dir, "proj/a.py");
    assert_eq!(codes(&s.linter.rules), ["PF001", "PF002"]);
    assert_eq!(
        s.linter.target_version,
        PythonVersion::parse("3.11").unwrap()
    );
    assert_eq!(s.root, dir.path().join("proj"));
    // The base's globs stay relative to the base's own directory.
    assert!(s.is_excluded(&dir.path().join("gen")));
    assert!(!s.is_excluded(&dir.path().join("proj/gen_not")));
}

#[test]
fn extend_select_in_child_layers_over_base_select() {
    let dir = tree(&[
        ("base.toml", "select = [\"PF001\", \"PF002\"]\n"),
        (
            "pitfall.toml",
            "extend = \"base.toml\"\nignore = [\"PF001\"]\n",
        ),
    ]);
    assert_eq!(codes(&settings(&dir, "a.py").linter.rules), ["PF002"]);
}

#[test]
fn extend_cycle_is_an_error() {
    let dir = tree(&[
        ("pitfall.toml", "extend = \"a.toml\"\n"),
        (
            "a.toml",
            "select = [\"PF001\"]\nextend = \"pitfall.toml\"\n",
        ),
    ]);
    let err = config_error(&dir, "x.py");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:2:10: `extend` cycle",
            dir.path().join("a.toml").display()
        )),
        "{text}"
    );
}

#[test]
fn extend_to_missing_file_is_an_error() {
    let dir = tree(&[("pitfall.toml", "\nextend = \"nope.toml\"\n")]);
    let err = config_error(&dir, "x.py");
    assert_eq!(err.location.map(|l| (l.line, l.column)), Some((2, 10)));
    assert!(err.message.contains("nope.toml"), "{err}");
}

// ---- validation errors ----

#[test]
fn unknown_key_names_line_column_and_suggests() {
    let dir = tree(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.pitfall]\nignore = []\n  selct = [\"PF001\"]\n",
    )]);
    let err = config_error(&dir, "a.py");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:6:3: unknown key `selct` in [tool.pitfall]; did you mean `select`?",
            dir.path().join("pyproject.toml").display()
        )
    );
}

#[test]
fn unknown_key_without_close_match_has_no_suggestion() {
    let dir = tree(&[("pitfall.toml", "line-length = 88\n")]);
    let err = config_error(&dir, "a.py");
    assert_eq!(err.message, "unknown key `line-length` in pitfall.toml");
    assert_eq!(err.location.map(|l| (l.line, l.column)), Some((1, 1)));
}

#[test]
fn bad_selector_points_at_the_value() {
    let name = rule("PF002").meta().name;
    let typo = format!("{}x", name);
    let dir = tree(&[("pitfall.toml", &format!("ignore = [\"{typo}\"]\n"))]);
    let err = config_error(&dir, "a.py");
    assert!(
        err.message.ends_with(&format!("did you mean `{name}`?")),
        "{err}"
    );
}

#[test]
fn bad_types() {
    let cases = [
        (
            "respect-gitignore = \"yes\"\n",
            "expected a boolean for `respect-gitignore`, found string",
            (1, 21),
        ),
        (
            "select = \"PF001\"\n",
            "expected a list of strings for `select`, found string",
            (1, 10),
        ),
        (
            "exclude = [\"a\", 3]\n",
            "expected a string in `exclude`, found integer",
            (1, 17),
        ),
        (
            "target-version = 3.11\n",
            "expected a string for `target-version`, found float",
            (1, 18),
        ),
        (
            "per-file-ignores = []\n",
            "expected a table of glob = [selectors] for `per-file-ignores`, found array",
            (1, 20),
        ),
    ];
    for (text, message, (line, column)) in cases {
        let dir = tree(&[("pitfall.toml", text)]);
        let err = config_error(&dir, "a.py");
        assert_eq!(err.message, message, "{text}");
        assert_eq!(
            err.location.map(|l| (l.line, l.column)),
            Some((line, column)),
            "{text}"
        );
    }
}

#[test]
fn unknown_rule_option() {
    // A rule without options: any key is unknown.
    let meta = rule("PF001").meta();
    assert!(meta.options.is_empty());
    let dir = tree(&[("pitfall.toml", &format!("[{}]\nfoo = true\n", meta.name))]);
    let err = config_error(&dir, "a.py");
    assert_eq!(
        err.message,
        format!(
            "unknown option `foo` for rule `{}` (PF001); this rule has no options",
            meta.name
        )
    );
    assert_eq!(err.location.map(|l| (l.line, l.column)), Some((2, 1)));
}

#[test]
fn rule_options_are_validated_and_stored() {
    // Generic over the registry: exercise whichever rules declare options.
    for id in RuleId::iter() {
        let meta = id.meta();
        for spec in meta.options {
            let (good, bad, expected) = match spec.kind {
                OptionKind::StringList => (
                    "[\"a.b\"]",
                    "true",
                    OptionValue::StringList(vec!["a.b".to_string()]),
                ),
                OptionKind::Bool => ("true", "[\"x\"]", OptionValue::Bool(true)),
                OptionKind::Integer => ("30", "-1", OptionValue::Integer(30)),
                OptionKind::Percent => ("30", "101", OptionValue::Integer(30)),
            };
            // Table keyed by name, and by code.
            for table in [meta.name, meta.code] {
                let dir = tree(&[(
                    "pitfall.toml",
                    &format!("[{table}]\n{} = {good}\n", spec.name),
                )]);
                let options = settings(&dir, "a.py").linter.options.clone();
                match expected {
                    OptionValue::StringList(ref v) => {
                        assert_eq!(options.string_list(id, spec.name), v)
                    }
                    OptionValue::Bool(b) => assert_eq!(options.bool(id, spec.name), b),
                    OptionValue::Integer(n) => {
                        assert_eq!(options.integer(id, spec.name), Some(n))
                    }
                }
            }
            let dir = tree(&[(
                "pitfall.toml",
                &format!("[{}]\n{} = {bad}\n", meta.name, spec.name),
            )]);
            let err = config_error(&dir, "a.py");
            assert_eq!(
                err.location.map(|l| (l.line, l.column)),
                Some((2, spec.name.len() + 4))
            );
        }
    }
}

#[test]
fn config_file_override_is_loaded_eagerly() {
    let dir = tree(&[("ci.toml", "selct = []\n")]);
    let overrides = CliOverrides {
        config_file: Some(PathBuf::from("ci.toml")),
        ..CliOverrides::default()
    };
    let err = Resolver::new(overrides, dir.path().to_path_buf())
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .ends_with("ci.toml:1:1: unknown key `selct` in ci.toml; did you mean `select`?"),
        "{err}"
    );

    let overrides = CliOverrides {
        config_file: Some(PathBuf::from("missing.toml")),
        ..CliOverrides::default()
    };
    assert!(Resolver::new(overrides, dir.path().to_path_buf()).is_err());
}

#[test]
fn config_file_override_governs_every_path() {
    let dir = tree(&[
        ("ci.toml", "select = [\"PF003\"]\n"),
        (
            "sub/pyproject.toml",
            "[tool.pitfall]\nselect = [\"PF001\"]\n",
        ),
    ]);
    let overrides = CliOverrides {
        config_file: Some(dir.path().join("ci.toml")),
        ..CliOverrides::default()
    };
    let r = resolver_with(&dir, overrides);
    let s = r.settings_for(&dir.path().join("sub/a.py")).unwrap();
    assert_eq!(codes(&s.linter.rules), ["PF003"]);
}

#[test]
fn cli_overrides_apply_on_top_of_config() {
    let dir = tree(&[(
        "pitfall.toml",
        "select = [\"PF001\", \"PF002\"]\ntarget-version = \"py38\"\n",
    )]);
    let s = |overrides| {
        resolver_with(&dir, overrides)
            .settings_for(&dir.path().join("a.py"))
            .unwrap()
    };
    let ignored = s(CliOverrides {
        ignore: vec![RuleSelector::parse("PF001").unwrap()],
        extend_select: vec![RuleSelector::parse("PF004").unwrap()],
        target_version: PythonVersion::parse("py313"),
        ..CliOverrides::default()
    });
    assert_eq!(codes(&ignored.linter.rules), ["PF002", "PF004"]);
    assert_eq!(
        ignored.linter.target_version,
        PythonVersion::parse("py313").unwrap()
    );
    let replaced = s(CliOverrides {
        select: Some(vec![RuleSelector::parse("PF003").unwrap()]),
        ..CliOverrides::default()
    });
    assert_eq!(codes(&replaced.linter.rules), ["PF003"]);
}

#[test]
fn cli_bad_glob_is_an_error() {
    let dir = tree(&[]);
    let overrides = CliOverrides {
        extend_exclude: vec!["a[".to_string()],
        ..CliOverrides::default()
    };
    let err = Resolver::new(overrides, dir.path().to_path_buf())
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("invalid glob `a[` for `--extend-exclude`"),
        "{err}"
    );
}

// ---- per-file-ignores ----

#[test]
fn per_file_ignores_subtract_per_file() {
    let dir = tree(&[(
        "pyproject.toml",
        "[tool.pitfall]\nselect = [\"PF001\", \"PF002\", \"PF003\"]\n\
         [tool.pitfall.per-file-ignores]\n\"__init__.py\" = [\"PF001\"]\n\"tests/*.py\" = [\"PF002\", \"PF003\"]\n",
    )]);
    let s = settings(&dir, "a.py");
    let rules_for = |p: &str| codes(&s.linter_settings_for(&dir.path().join(p)).rules);
    assert_eq!(rules_for("a.py"), ["PF001", "PF002", "PF003"]);
    // A bare file name matches in any directory.
    assert_eq!(rules_for("pkg/deep/__init__.py"), ["PF002", "PF003"]);
    assert_eq!(rules_for("tests/test_x.py"), ["PF001"]);
    assert_eq!(rules_for("tests/__init__.py"), Vec::<&str>::new());
    // Anchored at the config's directory.
    assert_eq!(
        rules_for("other/tests/test_x.py"),
        ["PF001", "PF002", "PF003"]
    );
    // The unfiltered selection is untouched.
    assert_eq!(codes(&s.linter.rules), ["PF001", "PF002", "PF003"]);
}

/// Configurations rejected with a message (its start) at a line and,
/// where given, a column.
#[test]
fn config_errors_are_located() {
    let cases: &[(&str, &str, &str, usize, Option<usize>)] = &[
        (
            "pitfall.toml",
            "select = [\"PF001\", \"PF999\"]\n",
            "invalid rule selector `PF999` in `select`",
            1,
            Some(20),
        ),
        (
            "pyproject.toml",
            "[tool.pitfall]\ntarget-version = \"py27\"\n",
            "invalid target-version `py27`",
            2,
            Some(18),
        ),
        (
            "pitfall.toml",
            "select = [\"PF001\"]\nignore = [\n",
            "invalid TOML",
            3,
            None,
        ),
        (
            "pitfall.toml",
            "extend-exclude = [\"a[\"]\n",
            "invalid glob `a[` in `extend-exclude`",
            1,
            Some(19),
        ),
        (
            "pyproject.toml",
            "[tool.pitfall]\n\n[tool.pitfall.no-such-rule]\nx = 1\n",
            "unknown key `no-such-rule` in [tool.pitfall]",
            3,
            None,
        ),
        (
            "pitfall.toml",
            "[per-file-ignores]\n\"a.py\" = [\"PF0011\"]\n",
            "invalid rule selector `PF0011` in `a.py`",
            2,
            Some(11),
        ),
    ];
    for &(name, text, message, line, column) in cases {
        let dir = tree(&[(name, text)]);
        let err = config_error(&dir, "a.py");
        assert!(err.message.starts_with(message), "{err}");
        let at = err.location.map(|l| (l.line, column.map(|_| l.column)));
        assert_eq!(at, Some((line, column)), "{text}");
    }
}

// ---- discovery ----

#[test]
fn discovers_py_and_pyi_and_skips_default_excludes() {
    let dir = tree(&[
        ("a.py", ""),
        ("b.pyi", ""),
        ("notes.txt", ""),
        ("pkg/c.py", ""),
        (".github/scripts/d.py", ""),
        (".venv/lib/e.py", ""),
        ("node_modules/f.py", ""),
        ("pkg/.git/g.py", ""),
        ("pkg/__pycache__/h.py", ""),
    ]);
    let r = resolver(&dir);
    assert_eq!(
        discover_all(&dir, &r),
        [
            ".github/scripts/d.py",
            "a.py",
            "b.pyi",
            "pkg/__pycache__/h.py",
            "pkg/c.py"
        ]
    );
}

#[test]
fn exclude_replaces_defaults_and_extend_exclude_adds() {
    let files = [
        ("a.py", ""),
        ("build/b.py", ""),
        (".venv/c.py", ""),
        ("pkg/generated_x.py", ""),
        ("pkg/build/d.py", ""),
    ];
    let with = |config: &str| {
        let mut all = files.to_vec();
        all.push(("pitfall.toml", config));
        let dir = tree(&all);
        let r = resolver(&dir);
        discover_all(&dir, &r)
    };
    // `build` as a bare name matches at any depth; `.venv` is back in.
    assert_eq!(
        with("exclude = [\"build\"]\n"),
        [".venv/c.py", "a.py", "pkg/generated_x.py"]
    );
    // Anchored pattern only matches below the config's directory.
    assert_eq!(
        with("exclude = [\"./build\"]\n"),
        [".venv/c.py", "a.py", "pkg/build/d.py", "pkg/generated_x.py"]
    );
    assert_eq!(
        with("extend-exclude = [\"build\", \"generated_*.py\"]\n"),
        ["a.py"]
    );
}

#[test]
fn cli_exclude_and_extend_exclude() {
    let dir = tree(&[
        ("a.py", ""),
        ("b/b.py", ""),
        ("c/c.py", ""),
        (".venv/v.py", ""),
    ]);
    let r = resolver_with(
        &dir,
        CliOverrides {
            exclude: Some(vec!["b".to_string()]),
            extend_exclude: vec!["c".to_string()],
            ..CliOverrides::default()
        },
    );
    assert_eq!(discover_all(&dir, &r), [".venv/v.py", "a.py"]);
}

#[test]
fn nested_config_excludes_apply_below_it() {
    let dir = tree(&[
        ("gen/a.py", ""),
        ("sub/pitfall.toml", "extend-exclude = [\"gen\"]\n"),
        ("sub/gen/b.py", ""),
        ("sub/c.py", ""),
    ]);
    let r = resolver(&dir);
    assert_eq!(discover_all(&dir, &r), ["gen/a.py", "sub/c.py"]);
}

#[test]
fn gitignore_is_respected_unless_disabled() {
    let files = [
        (".gitignore", "ignored/\n*_gen.py\n"),
        ("a.py", ""),
        ("x_gen.py", ""),
        ("ignored/b.py", ""),
        ("sub/.ignore", "c.py\n"),
        ("sub/c.py", ""),
        ("sub/d.py", ""),
    ];
    // Not a git repository: .gitignore applies all the same.
    let dir = tree(&files);
    assert_eq!(discover_all(&dir, &resolver(&dir)), ["a.py", "sub/d.py"]);

    let mut all = files.to_vec();
    all.push(("pitfall.toml", "respect-gitignore = false\n"));
    let dir = tree(&all);
    let everything = ["a.py", "ignored/b.py", "sub/c.py", "sub/d.py", "x_gen.py"];
    assert_eq!(discover_all(&dir, &resolver(&dir)), everything);

    let dir = tree(&files);
    let r = resolver_with(
        &dir,
        CliOverrides {
            respect_gitignore: Some(false),
            ..CliOverrides::default()
        },
    );
    assert_eq!(discover_all(&dir, &r), everything);
}

#[test]
fn explicit_files_are_always_included() {
    let dir = tree(&[
        ("pitfall.toml", "extend-exclude = [\"skip\"]\n"),
        (".gitignore", "ignored.py\n"),
        ("skip/a.py", ""),
        ("ignored.py", ""),
        ("script", "#!/usr/bin/env python\n"),
        (".venv/v.py", ""),
    ]);
    let r = resolver(&dir);
    let paths: Vec<PathBuf> = [
        "skip/a.py",
        "ignored.py",
        "script",
        ".venv/v.py",
        "./script",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(
        discovered(&dir, &r, &paths),
        [".venv/v.py", "ignored.py", "script", "skip/a.py"]
    );
    // ... while a walk of the same tree skips them all.
    assert_eq!(discover_all(&dir, &r), Vec::<String>::new());
}

#[test]
fn explicit_excluded_directory_is_walked() {
    let dir = tree(&[
        ("build/a.py", ""),
        ("pitfall.toml", "exclude = [\"build\"]\n"),
    ]);
    let r = resolver(&dir);
    assert_eq!(
        discovered(&dir, &r, &[PathBuf::from("build")]),
        ["build/a.py"]
    );
}

#[test]
fn missing_path_is_reported_and_the_rest_is_checked() {
    let dir = tree(&[("a.py", "")]);
    let r = resolver(&dir);
    let found = discover_python_files(&[PathBuf::from("nope.py"), PathBuf::from("a.py")], &r);
    assert_eq!(found.files, [dir.path().join("a.py")]);
    assert_eq!(found.errors.len(), 1);
    assert_eq!(found.errors[0].path, Path::new("nope.py"));
    assert!(
        found.errors[0].message.contains("No such file"),
        "{:?}",
        found.errors
    );
}

#[test]
fn broken_nested_config_is_reported_once_and_its_subtree_skipped() {
    let dir = tree(&[
        ("a.py", ""),
        ("sub/pitfall.toml", "selct = []\n"),
        ("sub/b.py", ""),
        ("sub/deep/c.py", ""),
    ]);
    let r = resolver(&dir);
    let found = discover_python_files(&[dir.path().to_path_buf()], &r);
    assert_eq!(found.files, [dir.path().join("a.py")]);
    assert_eq!(found.config_errors.len(), 1, "{:?}", found.config_errors);
    assert!(found.config_errors[0].message.contains("selct"));
}

#[cfg(unix)]
#[test]
fn unreadable_directory_is_reported_and_walk_continues() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("a.py", ""), ("locked/b.py", "")]);
    let locked = dir.path().join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root can read anything; the check is meaningless there.
    if fs::read_dir(&locked).is_ok() {
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let r = resolver(&dir);
    let found = discover_python_files(&[dir.path().to_path_buf()], &r);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(found.files, [dir.path().join("a.py")]);
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert_eq!(found.errors[0].path, locked);
}

#[test]
fn is_excluded_or_below_excluded_checks_ancestors() {
    let dir = tree(&[("pitfall.toml", "extend-exclude = [\"gen\"]\n")]);
    let s = settings(&dir, "a.py");
    assert!(s.is_excluded_or_below_excluded(&dir.path().join("gen/x/y.py")));
    assert!(s.is_excluded_or_below_excluded(&dir.path().join(".venv/y.py")));
    assert!(!s.is_excluded_or_below_excluded(&dir.path().join("pkg/y.py")));
}

#[test]
fn package_dirs_answer_from_known_files_then_the_file_system() {
    let dir = tree(&[
        ("pkg/__init__.py", ""),
        ("pkg/m.py", ""),
        ("plain/m.py", ""),
    ]);
    let root = dir.path();
    // A walk's findings answer without the file system: this `__init__.py`
    // does not exist, but the list says it does.
    let known = vec![root.join("listed/__init__.pyi"), root.join("listed/m.py")];
    let mut packages = crate::PackageDirs::with_known_files(&known);
    assert!(packages.is_package(&root.join("listed")));
    // Not in the list: the file system decides.
    assert!(packages.is_package(&root.join("pkg")));
    assert!(!packages.is_package(&root.join("plain")));
    assert!(!crate::PackageDirs::default().is_package(&root.join("listed")));
}
