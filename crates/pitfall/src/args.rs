//! Command-line interface, in the spirit of ruff's.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "pitfall",
    version,
    about = "A Python linter for the pitfalls the guides teach, across modules",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `pitfall PATHS` is `pitfall check PATHS`.
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint Python files (the default command).
    Check(CheckArgs),
    /// Print a rule's documentation, or list every rule.
    Rule(RuleArgs),
    /// Run the language server (LSP over standard input and output).
    Server,
    /// Print the version.
    Version,
    /// Time one-file edits through the incremental path (bench/incremental.py).
    #[command(hide = true)]
    BenchEdits(BenchEditsArgs),
}

#[derive(clap::Args, Debug)]
pub struct BenchEditsArgs {
    /// The project to load.
    pub path: PathBuf,
    /// Edits of each kind (an interface edit and its revert count as two).
    #[arg(long, default_value_t = 24)]
    pub edits: usize,
    /// Interface edits as JSON (`bench/synth.py` writes them); without it
    /// they are picked from the project.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    #[arg(long, value_delimiter = ',')]
    pub extend_exclude: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippet, message and help line (default on a terminal).
    Full,
    /// One line each: `path:row:col: CODE message`.
    Concise,
    /// A JSON list with ruff's field names.
    Json,
    /// One JSON record per line (the `json` records).
    JsonLines,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...::message`): annotations on the diff.
    Github,
    /// GitLab Code Quality report (JSON).
    Gitlab,
    /// `path:line: [CODE] message`, as pylint prints it.
    Pylint,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

impl OutputFormat {
    /// Formats meant for people, followed by a summary line.
    pub fn is_human(self) -> bool {
        matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
}

#[derive(clap::Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories to check (default: `.`; `-` reads standard input).
    pub paths: Vec<PathBuf>,
    /// Read the source from standard input and lint it as if it were at PATH
    /// (that path's configuration, per-file-ignores and display name).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Rules to enable, replacing the configured selection (codes, prefixes, names, families, ALL).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,
    /// Rules to add to the selection.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Output format (default: `full` on a terminal, `concise` otherwise).
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,
    /// Use this configuration file instead of discovering one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Paths to exclude, replacing the configured `exclude`.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub exclude: Option<Vec<String>>,
    /// Paths to exclude in addition to the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub extend_exclude: Vec<String>,
    /// Apply `exclude`/`extend-exclude` to files named on the command line
    /// (and `--stdin-filename`) too, as pre-commit hooks want.
    #[arg(long)]
    pub force_exclude: bool,
    /// Ignore `.gitignore` files.
    #[arg(long)]
    pub no_respect_gitignore: bool,
    /// Minimum Python version to assume (`py39`, `py312`, ...).
    #[arg(long, value_name = "VERSION")]
    pub target_version: Option<String>,
    /// Apply the safe fixes (and the unsafe ones with `--unsafe-fixes`), then
    /// report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Apply unsafe fixes too with `--fix`; without it, count them as available.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing
    /// (exit 1 when there is something to fix).
    #[arg(long)]
    pub diff: bool,
    /// Apply fixes like `--fix` but do not report the remaining findings (exit 0).
    #[arg(long)]
    pub fix_only: bool,
    /// With `--fix`, list the fixes applied per file and rule.
    #[arg(long)]
    pub show_fixes: bool,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print a count per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print only the findings (no summary line).
    #[arg(short, long)]
    pub quiet: bool,
    /// Keep running: re-check when files change and print only the findings
    /// that appeared or went away (with `full`, `concise` or `json-lines`).
    #[arg(long)]
    pub watch: bool,
    /// Accepted for compatibility with ruff; pitfall keeps no cache on disk yet.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// A rule code (`PF401`) or name (`mutable-default-argument`).
    pub rule: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub output_format: RuleFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}
