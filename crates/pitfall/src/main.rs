//! `pitfall`: the command-line entry point.

mod args;
mod bench_edits;
mod check;
mod fix;
mod output;
mod rule_cmd;
mod watch;

use std::process::ExitCode;

use clap::Parser;

/// Also the global allocator.
mod allocator;

use crate::args::{Cli, Command};

/// Where rule documentation is published (the `rules/` folder of the repository).
pub const DOCS_BASE_URL: &str = "https://github.com/pitfall-lint/pitfall/blob/main/rules/";

/// Exit codes, as ruff uses them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// No findings.
    Success = 0,
    /// Findings.
    Failure = 1,
    /// Usage, configuration or I/O error.
    Error = 2,
}

/// `check`, or `check --watch`.
fn run_check(args: args::CheckArgs) -> ExitStatus {
    if args.watch {
        watch::run(args)
    } else {
        check::run(args)
    }
}

fn main() -> ExitCode {
    allocator::configure();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let status = match cli.command {
        Some(Command::Check(args)) => run_check(args),
        Some(Command::Rule(args)) => rule_cmd::run(&args),
        Some(Command::Server) => {
            return ExitCode::from(pitfall_server::run(pitfall_server::RuleDocs {
                doc: rule_cmd::rule_doc,
                url: rule_cmd::rule_url,
            }))
        }
        Some(Command::BenchEdits(args)) => bench_edits::run(args),
        Some(Command::Version) => {
            println!("pitfall {}", env!("CARGO_PKG_VERSION"));
            ExitStatus::Success
        }
        None => run_check(cli.check),
    };
    ExitCode::from(status as u8)
}
