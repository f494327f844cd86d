//! `parse-floor PATHS...` — the performance floor for `pitfall check`.
//!
//! It does the unavoidable part of a lint run and nothing else: discover the
//! Python sources under PATHS (parallel `ignore` walker, `.gitignore`
//! honoured, `site-packages` skipped), read each file, and parse it with the
//! same parser `pitfall` uses (`ruff_python_parser`), in parallel on all
//! cores with rayon, in the order `pitfall check` takes them (largest
//! first, off a shared counter), with the allocator `pitfall` uses
//! (mimalloc, the same options). No semantic model, no rules, no output
//! per file.
//!
//! Prints one line: `files=N parse_errors=M` (plus ` unreadable=K` when some
//! files could not be read or were not UTF-8). `bench/bench.py` divides
//! `pitfall check`'s wall time by this binary's.
//!
//! `--index` also builds pitfall's semantic index of each parsed file
//! (`pitfall_semantic::build_index`, the model every rule reads) and drops
//! it with the tree: an informative second floor, which tells how much of
//! `pitfall check`'s time over the parse is the model itself and how much
//! the rules, the summaries and the output add.
//!
//! Exit status: 0 on success (parse errors are expected and only counted),
//! 2 on a usage error or a path that does not exist.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use ruff_python_ast::PySourceType;

// The allocator `pitfall` uses, with the same options (the same source
// file): parsing allocates node by node, and with the system allocator the
// floor was ~10% slower in CPU time than the fastest parse-only program,
// which flattered pitfall's ratio. Of the variants measured (system,
// mimalloc's defaults, these options) these are the fastest. The file
// declares the global allocator itself, so both binaries run the same one.
#[path = "../../pitfall/src/allocator.rs"]
mod allocator;

const USAGE: &str = "usage: parse-floor [--index] PATHS...

Discover *.py/*.pyi files under PATHS (honouring .gitignore, skipping
site-packages), read and parse each with ruff_python_parser on all cores,
and print `files=N parse_errors=M`. No analysis: this is the floor that
`pitfall check` is measured against.

  --index   also build pitfall's semantic index of each file, then drop it";

fn main() -> ExitCode {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut with_index = false;
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--index") => with_index = true,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some("-V" | "--version") => {
                println!("parse-floor {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            Some(s) if s.starts_with('-') && s.len() > 1 => {
                eprintln!("parse-floor: unknown option `{s}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => roots.push(PathBuf::from(arg)),
        }
    }
    if roots.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    for root in &roots {
        if !root.exists() {
            eprintln!("parse-floor: {}: no such file or directory", root.display());
            return ExitCode::from(2);
        }
    }

    let files = discover(&roots);

    let parse_errors = AtomicUsize::new(0);
    let unreadable = AtomicUsize::new(0);
    // The schedule `pitfall check` uses (`lint_all`): largest files first,
    // each worker taking the next file off a shared counter. The order
    // matters to both programs alike: files in path order took both ~6-8%
    // more CPU time (the allocator reuses a large tree's pages for the
    // next, smaller, file instead of faulting fresh ones in).
    let next = AtomicUsize::new(0);
    // Pitfall's workers' stack: on a smaller one, `--index` would drop
    // most trees on a freshly mapped segment (`drop_deep`), which pitfall
    // does only for the rare file too large for its stack.
    let pool = match rayon::ThreadPoolBuilder::new()
        .stack_size(pitfall_semantic::stack::WORKER_STACK)
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("parse-floor: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    pool.scope(|scope| {
        for _ in 0..pool.current_num_threads().min(files.len()) {
            scope.spawn(|_| {
                while let Some((_, path)) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match parse_file(path, with_index) {
                        Some(true) => {}
                        Some(false) => {
                            parse_errors.fetch_add(1, Ordering::Relaxed);
                        }
                        None => {
                            unreadable.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });

    let unreadable = unreadable.into_inner();
    print!(
        "files={} parse_errors={}",
        files.len(),
        parse_errors.into_inner()
    );
    if unreadable > 0 {
        print!(" unreadable={unreadable}");
    }
    println!();
    ExitCode::SUCCESS
}

/// Reads and parses one file: whether it parsed without errors, `None`
/// when it cannot be read or is not UTF-8. The AST (and its errors) are
/// dropped right away: the floor keeps nothing per file, so its peak
/// memory is that of the files in flight.
fn parse_file(path: &Path, with_index: bool) -> Option<bool> {
    let source = String::from_utf8(std::fs::read(path).ok()?).ok()?;
    Some(if with_index {
        parse_and_index(&source, path)
    } else {
        ruff_python_parser::parse_module(&source).is_ok()
    })
}

/// `--index`: parses as `pitfall check` does (error-resilient, the tree
/// even with errors; a `.pyi` as a stub), builds the semantic index, drops
/// both. Returns whether the file parsed without errors.
fn parse_and_index(source: &str, path: &Path) -> bool {
    let source_type = if path.extension() == Some(OsStr::new("pyi")) {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(source, source_type);
    let index = pitfall_semantic::build_index(parsed.syntax());
    drop(index);
    let valid = parsed.has_valid_syntax();
    // As `pitfall check` drops a tree: on a stack deep enough for it.
    pitfall_semantic::stack::drop_deep(parsed, source.len());
    valid
}

/// Python sources under `roots`, with their sizes, largest first. Files
/// named explicitly are always included; inside directories, `*.py` and
/// `*.pyi`, skipping `site-packages` and whatever `.gitignore`/`.ignore`
/// files exclude.
fn discover(roots: &[PathBuf]) -> Vec<(u64, PathBuf)> {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        .threads(0)
        .filter_entry(|entry| entry.file_name() != OsStr::new("site-packages"));

    let found = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let found = &found;
        let mut local: Vec<(u64, PathBuf)> = Vec::new();
        // Flush the thread-local batch when this visitor is dropped.
        struct Flush<'a> {
            local: Vec<(u64, PathBuf)>,
            found: &'a Mutex<Vec<(u64, PathBuf)>>,
        }
        impl Drop for Flush<'_> {
            fn drop(&mut self) {
                if !self.local.is_empty() {
                    self.found
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .append(&mut self.local);
                }
            }
        }
        local.reserve(256);
        let mut flush = Flush { local, found };
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if is_file && (entry.depth() == 0 || is_python(entry.path())) {
                // One `statx` per file, as `pitfall check` pays for its order.
                let size = entry.metadata().map_or(0, |m| m.len());
                flush.local.push((size, entry.into_path()));
            }
            WalkState::Continue
        })
    });
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    // Largest first; equal sizes in path order (as `pitfall check` sorts).
    files.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    files
}

fn is_python(path: &Path) -> bool {
    matches!(path.extension().and_then(OsStr::to_str), Some("py" | "pyi"))
}
