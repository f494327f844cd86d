//! One configuration file, parsed and validated but not yet resolved.
//!
//! Validation happens here, while we still have the TOML spans, so every
//! error can name the line and column of the offending key or value. What
//! comes out is plain data: selectors already parsed, globs already checked,
//! paths already absolute (relative to the file's own directory, which
//! matters once `extend` pulls in a file from elsewhere).

use std::ops::Range;
use std::path::{Path, PathBuf};

use pitfall_linter::selector::edit_distance;
use pitfall_linter::{OptionKind, OptionValue, PythonVersion, RuleId, RuleSelector};
use toml_edit::{ImDocument, Item, Key, TableLike};

use crate::error::{ConfigError, Location};
use crate::paths::normalize;

pub const PYPROJECT_TOML: &str = "pyproject.toml";
pub const PITFALL_TOML: &str = "pitfall.toml";

/// Every top-level setting; anything else must be a rule's options table.
pub const KNOWN_KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "target-version",
    "src",
    "extend",
];

/// A glob from a configuration, with the directory it is relative to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePattern {
    pub pattern: String,
    pub base: PathBuf,
}

/// The `extend = "..."` of a configuration: where it points, and where it
/// was written (for cycle and missing-file errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extend {
    pub path: PathBuf,
    pub location: Option<Location>,
}

/// The settings one file declares, before `extend`, defaults and CLI flags
/// are applied. `None`/empty means "not set here", so that resolution can
/// tell "inherit" from "set to empty".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Configuration {
    /// The file this came from.
    pub path: PathBuf,
    /// Its directory: the base for relative paths and globs.
    pub dir: PathBuf,
    pub extend: Option<Extend>,
    pub select: Option<Vec<RuleSelector>>,
    pub extend_select: Vec<RuleSelector>,
    pub ignore: Vec<RuleSelector>,
    pub per_file_ignores: Option<Vec<(FilePattern, Vec<RuleSelector>)>>,
    pub exclude: Option<Vec<FilePattern>>,
    pub extend_exclude: Vec<FilePattern>,
    pub respect_gitignore: Option<bool>,
    pub target_version: Option<PythonVersion>,
    /// Import roots, absolute.
    pub src: Option<Vec<PathBuf>>,
    /// `[tool.pitfall.<rule>]` values, validated against the rule's options.
    pub rule_options: Vec<(RuleId, &'static str, OptionValue)>,
    /// Modules named as entry points by `[project.scripts]` (a `pyproject.toml` only).
    pub script_modules: Vec<String>,
}

impl Configuration {
    /// A configuration that sets nothing, e.g. for `--config pyproject.toml`
    /// when that file has no `[tool.pitfall]` table.
    pub fn empty(path: &Path) -> Configuration {
        let path = path.to_path_buf();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Configuration {
            path,
            dir,
            ..Configuration::default()
        }
    }

    /// The configuration that governs `dir` itself, if `dir` holds one:
    /// `pitfall.toml` wins over `pyproject.toml`, and a `pyproject.toml`
    /// without `[tool.pitfall]` does not count.
    pub fn find_in_dir(dir: &Path) -> Result<Option<Configuration>, ConfigError> {
        let pitfall = dir.join(PITFALL_TOML);
        if pitfall.is_file() {
            return Configuration::load(&pitfall);
        }
        let pyproject = dir.join(PYPROJECT_TOML);
        if pyproject.is_file() {
            return Configuration::load(&pyproject);
        }
        Ok(None)
    }

    /// Reads and parses `path` (absolute). A file named `pyproject.toml` is
    /// read from its `[tool.pitfall]` table (`None` without one); any other
    /// file uses top-level keys.
    pub fn load(path: &Path) -> Result<Option<Configuration>, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(path, None, format!("cannot read file: {e}")))?;
        let pyproject = path.file_name().is_some_and(|n| n == PYPROJECT_TOML);
        // Most pyproject files in a tree are not ours: skip the TOML parse
        // when the text cannot possibly hold `[tool.pitfall]`.
        if pyproject && !text.contains("pitfall") {
            return Ok(None);
        }
        Configuration::from_toml(&text, path, pyproject)
    }

    /// Parses configuration text; `path` is used for messages and as the
    /// base of relative paths (its parent directory).
    pub fn from_toml(
        text: &str,
        path: &Path,
        pyproject: bool,
    ) -> Result<Option<Configuration>, ConfigError> {
        let doc = ImDocument::parse(text).map_err(|e| {
            ConfigError::at(
                path,
                text,
                e.span(),
                format!("invalid TOML: {}", e.message().trim()),
            )
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let (table, name) = if pyproject {
            let Some(tool) = doc.as_table().get("tool").and_then(Item::as_table_like) else {
                return Ok(None);
            };
            let Some((key, item)) = tool.get_key_value("pitfall") else {
                return Ok(None);
            };
            let Some(table) = item.as_table_like() else {
                let span = item.span().or_else(|| key.span());
                let msg = format!(
                    "expected a table for [tool.pitfall], found {}",
                    item.type_name()
                );
                return Err(ConfigError::at(path, text, span, msg));
            };
            (table, "[tool.pitfall]".to_string())
        } else {
            let file = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            (doc.as_table() as &dyn TableLike, file)
        };
        let parser = Parser {
            text,
            path,
            dir: &dir,
            table: name,
        };
        let mut config = parser.parse(table)?;
        if pyproject {
            config.script_modules = script_modules(doc.as_table());
        }
        Ok(Some(config))
    }
}

/// The modules `[project.scripts]` and `[project.gui-scripts]` point at
/// (`"myapp.cli:main"` gives `myapp.cli`). Not validated: that table is the
/// packaging tools' business, and a malformed one is simply ignored here.
fn script_modules(doc: &dyn TableLike) -> Vec<String> {
    let Some(project) = doc.get("project").and_then(Item::as_table_like) else {
        return Vec::new();
    };
    ["scripts", "gui-scripts"]
        .iter()
        .filter_map(|t| project.get(t).and_then(Item::as_table_like))
        .flat_map(|t| t.iter().filter_map(|(_, v)| v.as_str()))
        .filter_map(|target| target.split(':').next())
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// Holds what every error message needs while walking one file's tables.
struct Parser<'a> {
    text: &'a str,
    path: &'a Path,
    dir: &'a Path,
    /// How messages name the settings table: `[tool.pitfall]` or the file name.
    table: String,
}

/// A string from the document with its span, for errors about that string.
type Spanned<'i> = (&'i str, Option<Range<usize>>);

impl Parser<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.path, self.text, span, message)
    }

    fn parse(&self, table: &dyn TableLike) -> Result<Configuration, ConfigError> {
        let mut config = Configuration {
            path: self.path.to_path_buf(),
            dir: self.dir.to_path_buf(),
            ..Configuration::default()
        };
        for (name, _) in table.iter() {
            let (key, item) = table.get_key_value(name).expect("key from iter");
            match name {
                "select" => config.select = Some(self.selectors(key, item)?),
                "extend-select" => config.extend_select = self.selectors(key, item)?,
                "ignore" => config.ignore = self.selectors(key, item)?,
                "per-file-ignores" => {
                    config.per_file_ignores = Some(self.per_file_ignores(key, item)?)
                }
                "exclude" => config.exclude = Some(self.globs(key, item)?),
                "extend-exclude" => config.extend_exclude = self.globs(key, item)?,
                "respect-gitignore" => config.respect_gitignore = Some(self.bool(key, item)?),
                "target-version" => {
                    let (value, span) = self.string(key, item)?;
                    let version = PythonVersion::parse(value).ok_or_else(|| {
                        self.error(
                            span,
                            format!("invalid target-version `{value}`: expected one of py37, py38, ..., py314"),
                        )
                    })?;
                    config.target_version = Some(version);
                }
                "src" => {
                    let dirs = self.strings(key, item)?;
                    config.src = Some(
                        dirs.iter()
                            .map(|(d, _)| normalize(Path::new(d), self.dir))
                            .collect(),
                    );
                }
                "extend" => {
                    let (value, span) = self.string(key, item)?;
                    config.extend = Some(Extend {
                        path: normalize(Path::new(value), self.dir),
                        location: span.map(|s| Location::from_offset(self.text, s.start)),
                    });
                }
                _ => self.unknown_key(key, name, item, &mut config.rule_options)?,
            }
        }
        Ok(config)
    }

    /// Anything not in [`KNOWN_KEYS`]: a rule's options table, or a mistake.
    fn unknown_key(
        &self,
        key: &Key,
        name: &str,
        item: &Item,
        out: &mut Vec<(RuleId, &'static str, OptionValue)>,
    ) -> Result<(), ConfigError> {
        let near_key = closest(name, KNOWN_KEYS.iter().copied());
        if let Some(table) = item.as_table_like() {
            if let Some(rule) = RuleId::from_code_or_name(name) {
                return self.rule_options(rule, table, out);
            }
            let hint = match near_key.or_else(|| RuleSelector::suggest(name)) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => String::new(),
            };
            let msg = format!(
                "unknown key `{name}` in {}: not a setting, and no rule has that code or name{hint}",
                self.table
            );
            return Err(self.error(key.span(), msg));
        }
        let hint = near_key
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        Err(self.error(
            key.span(),
            format!("unknown key `{name}` in {}{hint}", self.table),
        ))
    }

    fn rule_options(
        &self,
        rule: RuleId,
        table: &dyn TableLike,
        out: &mut Vec<(RuleId, &'static str, OptionValue)>,
    ) -> Result<(), ConfigError> {
        let meta = rule.meta();
        for (name, _) in table.iter() {
            let (key, item) = table.get_key_value(name).expect("key from iter");
            let Some(spec) = meta.options.iter().find(|o| o.name == name) else {
                let hint = if meta.options.is_empty() {
                    "; this rule has no options".to_string()
                } else if let Some(s) = closest(name, meta.options.iter().map(|o| o.name)) {
                    format!("; did you mean `{s}`?")
                } else {
                    let names: Vec<String> = meta
                        .options
                        .iter()
                        .map(|o| format!("`{}`", o.name))
                        .collect();
                    format!("; expected one of {}", names.join(", "))
                };
                let msg = format!(
                    "unknown option `{name}` for rule `{}` ({}){hint}",
                    meta.name, meta.code
                );
                return Err(self.error(key.span(), msg));
            };
            let value = match spec.kind {
                OptionKind::StringList => OptionValue::StringList(
                    self.strings(key, item)?
                        .into_iter()
                        .map(|(s, _)| s.to_string())
                        .collect(),
                ),
                OptionKind::Bool => OptionValue::Bool(self.bool(key, item)?),
                OptionKind::Integer => OptionValue::Integer(self.integer(key, item)?),
                OptionKind::Percent => OptionValue::Integer(self.percent(key, item)?),
            };
            out.push((rule, spec.name, value));
        }
        Ok(())
    }

    fn type_error(&self, key: &Key, item: &Item, expected: &str) -> ConfigError {
        let msg = format!(
            "expected {expected} for `{}`, found {}",
            key.get(),
            item.type_name()
        );
        self.error(item.span().or_else(|| key.span()), msg)
    }

    fn string<'i>(&self, key: &Key, item: &'i Item) -> Result<Spanned<'i>, ConfigError> {
        match item.as_str() {
            Some(s) => Ok((s, item.span())),
            None => Err(self.type_error(key, item, "a string")),
        }
    }

    fn integer(&self, key: &Key, item: &Item) -> Result<u64, ConfigError> {
        item.as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| self.type_error(key, item, "a non-negative integer"))
    }

    fn percent(&self, key: &Key, item: &Item) -> Result<u64, ConfigError> {
        match item.as_integer() {
            Some(n @ 0..=100) => Ok(n as u64),
            Some(n) => Err(self.error(
                item.span().or_else(|| key.span()),
                format!(
                    "expected a percentage from 0 to 100 for `{}`, found {n}",
                    key.get()
                ),
            )),
            None => Err(self.type_error(key, item, "a percentage from 0 to 100")),
        }
    }

    fn bool(&self, key: &Key, item: &Item) -> Result<bool, ConfigError> {
        item.as_bool()
            .ok_or_else(|| self.type_error(key, item, "a boolean"))
    }

    fn strings<'i>(&self, key: &Key, item: &'i Item) -> Result<Vec<Spanned<'i>>, ConfigError> {
        let array = item
            .as_array()
            .ok_or_else(|| self.type_error(key, item, "a list of strings"))?;
        array
            .iter()
            .map(|value| match value.as_str() {
                Some(s) => Ok((s, value.span())),
                None => Err(self.error(
                    value.span().or_else(|| item.span()),
                    format!(
                        "expected a string in `{}`, found {}",
                        key.get(),
                        value.type_name()
                    ),
                )),
            })
            .collect()
    }

    fn selectors(&self, key: &Key, item: &Item) -> Result<Vec<RuleSelector>, ConfigError> {
        self.strings(key, item)?
            .into_iter()
            .map(|(text, span)| self.selector(key.get(), text, span))
            .collect()
    }

    fn selector(
        &self,
        setting: &str,
        text: &str,
        span: Option<Range<usize>>,
    ) -> Result<RuleSelector, ConfigError> {
        RuleSelector::parse(text).ok_or_else(|| {
            let hint = RuleSelector::suggest(text)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.error(
                span,
                format!("invalid rule selector `{text}` in `{setting}`: no rule, prefix or family of that name{hint}"),
            )
        })
    }

    fn glob(
        &self,
        setting: &str,
        pattern: &str,
        span: Option<Range<usize>>,
    ) -> Result<FilePattern, ConfigError> {
        if let Err(e) = globset::Glob::new(pattern) {
            return Err(self.error(
                span,
                format!("invalid glob `{pattern}` in `{setting}`: {}", e.kind()),
            ));
        }
        Ok(FilePattern {
            pattern: pattern.to_string(),
            base: self.dir.to_path_buf(),
        })
    }

    fn globs(&self, key: &Key, item: &Item) -> Result<Vec<FilePattern>, ConfigError> {
        self.strings(key, item)?
            .into_iter()
            .map(|(pattern, span)| self.glob(key.get(), pattern, span))
            .collect()
    }

    fn per_file_ignores(
        &self,
        key: &Key,
        item: &Item,
    ) -> Result<Vec<(FilePattern, Vec<RuleSelector>)>, ConfigError> {
        let table = item
            .as_table_like()
            .ok_or_else(|| self.type_error(key, item, "a table of glob = [selectors]"))?;
        let mut out = Vec::new();
        for (pattern, _) in table.iter() {
            let (glob_key, value) = table.get_key_value(pattern).expect("key from iter");
            let glob = self.glob("per-file-ignores", pattern, glob_key.span())?;
            out.push((glob, self.selectors(glob_key, value)?));
        }
        Ok(out)
    }
}

/// The candidate closest to `text` within edit distance 3, for "did you mean".
fn closest<'c>(text: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (edit_distance(text, c), c))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
