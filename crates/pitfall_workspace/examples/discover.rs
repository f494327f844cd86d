//! Times discovery over a tree: `cargo run --release -p pitfall_workspace --example discover -- PATH`.
use std::path::PathBuf;
use std::time::Instant;

use pitfall_workspace::{discover_python_files, CliOverrides, Resolver};

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let start = Instant::now();
    let resolver =
        Resolver::new(CliOverrides::default(), std::env::current_dir().unwrap()).unwrap();
    let found = discover_python_files(&paths, &resolver);
    if std::env::var_os("PRINT").is_some() {
        for f in &found.files {
            println!("{}", f.display());
        }
    }
    let mut n = 0;
    for f in &found.files {
        let s = resolver.settings_for(f).unwrap();
        n += s.linter_settings_for(f).rules.iter().count();
    }
    eprintln!(
        "{} files, {} errors, {} config errors, {n} in {:?}",
        found.files.len(),
        found.errors.len(),
        found.config_errors.len(),
        start.elapsed()
    );
}
