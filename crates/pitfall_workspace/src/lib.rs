//! Configuration loading and Python file discovery for pitfall.
//!
//! The pieces, in the order a run uses them:
//! - [`CliOverrides`] + [`Resolver::new`]: the command line, and `--config`
//!   loaded eagerly so its errors come first.
//! - [`discover_python_files`]: a parallel walk that applies each
//!   directory's excludes and `.gitignore`.
//! - [`Resolver::settings_for`] → [`Settings::linter_settings_for`]: the
//!   rules, target version and rule options for one file.
//!
//! Configuration is `[tool.pitfall]` in `pyproject.toml` or a `pitfall.toml`,
//! the nearest one upward from each file (no merging except `extend`).

mod config;
mod discovery;
mod error;
mod paths;
mod resolver;
mod settings;

pub use config::{Configuration, Extend, FilePattern, KNOWN_KEYS, PITFALL_TOML, PYPROJECT_TOML};
pub use discovery::{discover_python_files, Discovery, DiscoveryError};
pub use error::{ConfigError, Location};
pub use paths::normalize;
pub use resolver::Resolver;
pub use settings::{
    CliOverrides, PackageDirs, PathMatcher, PerFileIgnores, Settings, DEFAULT_EXCLUDES,
};

#[cfg(test)]
mod tests;
