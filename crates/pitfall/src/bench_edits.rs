//! `pitfall bench-edits PATH` (hidden): edit-to-result times through the
//! incremental path. Loads a project into the database the CLI and the
//! language server use, computes every file's diagnostics cold, then applies
//! one-file edits as overlays and times re-computing every file's
//! diagnostics, as `--watch` does. `bench/incremental.py` drives it.
//!
//! Three kinds of edit, each `--edits` times, on files picked in a fixed
//! order: a comment (the index is unchanged), a body edit that keeps the
//! calls (the summary's interface is unchanged), and an interface change: a
//! blocking call added to (or removed from) a sync helper, which must make
//! a coroutine's PF101 in another file appear (or disappear). The last come
//! from `--spec` (written by `bench/synth.py`) or, without one, from the
//! project itself: sync functions that a coroutine of another file calls.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use pitfall_db::{
    file_diagnostics, module_interface, module_summary, project_facts, project_layout, source_text,
    PitfallDatabase, Project, SourceFile,
};
use pitfall_linter::project::FactKey;
use pitfall_workspace::{discover_python_files, CliOverrides, Resolver};
use rayon::prelude::*;
use salsa::{Durability, Setter};
use serde::Deserialize;

use crate::args::BenchEditsArgs;
use crate::ExitStatus;

/// An interface edit: replacing `find` by `replace` in `path` changes the
/// number of PF101 findings in `watch`.
#[derive(Clone, Debug, Deserialize)]
struct InterfaceEdit {
    path: PathBuf,
    find: String,
    replace: String,
    watch: PathBuf,
}

struct Loaded {
    db: PitfallDatabase,
    files: Vec<SourceFile>,
}

fn load(root: &Path, extend_exclude: Vec<String>) -> Result<Loaded, String> {
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let overrides = CliOverrides {
        extend_exclude,
        ..CliOverrides::default()
    };
    let resolver = Resolver::new(overrides, cwd.clone()).map_err(|e| e.to_string())?;
    let discovery = discover_python_files(&[root.to_path_buf()], &resolver);
    let db = PitfallDatabase::default();
    let mut files = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in discovery.files {
        let Ok(settings) = resolver.settings_for(&path) else {
            continue;
        };
        for root in &settings.src {
            if !roots.contains(root) {
                roots.push(root.clone());
            }
        }
        let linter = Arc::new(settings.linter_settings_for(&path));
        let display = path
            .strip_prefix(&cwd)
            .unwrap_or(&path)
            .display()
            .to_string();
        // As the workspace loads members: durable until edited (salsa
        // then skips re-verifying what depends only on unedited files).
        files.push(
            SourceFile::builder(path, display, None, 0, linter)
                .durability(Durability::MEDIUM)
                .new(&db),
        );
    }
    let _project = Project::builder(files.clone(), roots)
        .durability(Durability::MEDIUM)
        .new(&db);
    Ok(Loaded { db, files })
}

fn pf101_in(db: &PitfallDatabase, file: SourceFile) -> usize {
    file_diagnostics(db, file)
        .diagnostics
        .iter()
        .filter(|d| d.rule.meta().code == "PF101")
        .count()
}

/// Opens a file in the editor: its overlay, at low durability from now on
/// (as the workspace does on the first change), not timed.
fn open(db: &mut PitfallDatabase, files: &[SourceFile], file: SourceFile, text: Arc<str>) {
    file.set_overlay(db)
        .with_durability(Durability::LOW)
        .to(Some(text));
    all_diagnostics(db, files);
}

/// What `--watch` does after a change: every file's diagnostics.
fn all_diagnostics(db: &PitfallDatabase, files: &[SourceFile]) -> usize {
    files
        .iter()
        .map(|f| file_diagnostics(db, *f).diagnostics.len())
        .sum()
}

fn median(mut samples: Vec<f64>) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// CPU time of this thread (ms): edits are re-checked on this thread, and
/// on a loaded machine its CPU time is steadier than the wall clock.
#[cfg(target_os = "linux")]
fn thread_cpu_ms() -> f64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec for the duration of the call.
    if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return f64::NAN;
    }
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_ms() -> f64 {
    f64::NAN
}

/// CPU time of the whole process, all threads (ms).
#[cfg(target_os = "linux")]
fn process_cpu_ms() -> f64 {
    // /proc/self/stat fields 14 and 15: user and system time in clock ticks
    // (100 per second on Linux).
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) * 10.0,
        _ => f64::NAN,
    }
}

#[cfg(not(target_os = "linux"))]
fn process_cpu_ms() -> f64 {
    f64::NAN
}

/// Wall and CPU milliseconds of one timed step.
struct Timer {
    wall: Instant,
    cpu: f64,
}

impl Timer {
    fn start() -> Timer {
        Timer {
            wall: Instant::now(),
            cpu: thread_cpu_ms(),
        }
    }

    fn stop(self, wall: &mut Vec<f64>, cpu: &mut Vec<f64>) {
        wall.push(ms(self.wall));
        cpu.push(thread_cpu_ms() - self.cpu);
    }
}

/// The line after the first one-line `def ...:` whose body starts on the
/// next line: (byte offset of that line, its indentation, offset of the `def`).
fn first_body_line(text: &str) -> Option<(usize, String, usize)> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let def_at = offset + line.len() - line.trim_start().len();
        offset += line.len();
        let trimmed = line.trim_start();
        let is_def = trimmed.starts_with("def ") || trimmed.starts_with("async def ");
        if !is_def || !line.trim_end().ends_with(':') {
            continue;
        }
        let next = lines.peek()?;
        let indent: String = next.chars().take_while(|c| *c == ' ').collect();
        let def_indent = line.len() - trimmed.len();
        if indent.len() > def_indent && !next.trim().is_empty() && !next.contains('\t') {
            return Some((offset, indent, def_at));
        }
    }
    None
}

/// Sync functions called (not awaited) by a coroutine in another file, with
/// a body line to insert a blocking call into, and not blocking already.
fn interface_edits_from_project(loaded: &Loaded, want: usize) -> Vec<InterfaceEdit> {
    let db = &loaded.db;
    let Some(project) = Project::try_get(db) else {
        return Vec::new();
    };
    let layout = project_layout(db, project);
    let facts = project_facts(db, project);
    let mut edits = Vec::new();
    let mut used: rustc_hash::FxHashSet<u32> = Default::default();
    for (m, module_facts) in facts.modules.iter().enumerate() {
        let interface = module_interface(db, layout.files[m]);
        for (f, node) in module_facts.nodes.iter().enumerate() {
            if !interface.functions[f].is_async {
                continue;
            }
            for target in node.calls.iter().map(|c| &c.target) {
                if target.module as usize == m || !used.insert(target.module) {
                    continue;
                }
                let callee_facts = &facts.modules[target.module as usize];
                if callee_facts
                    .fact(target.function, &FactKey::Blocks)
                    .is_some()
                {
                    continue;
                }
                let file = layout.files[target.module as usize];
                let summary = module_summary(db, file);
                let Some((callee, at)) = summary.function(target.function) else {
                    continue;
                };
                if callee.is_async {
                    continue;
                }
                let Ok(text) = source_text(db, file) else {
                    continue;
                };
                let start = at.def_range.start().to_usize();
                let Some((body, indent, def_at)) = text.get(start..).and_then(first_body_line)
                else {
                    continue;
                };
                let (body, def_at) = (start + body, start + def_at);
                let Some(line_end) = text[body..].find('\n') else {
                    continue;
                };
                let line = &text[body..=body + line_end];
                // The `def` found must be this function's (a one-line signature).
                let name = callee.name.as_str();
                if !text[def_at..].starts_with(&format!("def {name}(")) {
                    continue;
                }
                let find = format!("{}{line}", &text[start..body]);
                if text.matches(find.as_str()).count() != 1 {
                    continue;
                }
                let replace = format!(
                    "{}{indent}import time; time.sleep(0)\n{line}",
                    &text[start..body]
                );
                edits.push(InterfaceEdit {
                    path: file.path(db).clone(),
                    find,
                    replace,
                    watch: layout.files[m].path(db).clone(),
                });
                if edits.len() >= want {
                    return edits;
                }
            }
        }
    }
    edits
}

pub fn run(args: BenchEditsArgs) -> ExitStatus {
    let root = std::path::absolute(&args.path).unwrap_or_else(|_| args.path.clone());
    let loaded = match load(&root, args.extend_exclude.clone()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::Error;
        }
    };
    let Loaded { mut db, files } = loaded;
    if files.is_empty() {
        eprintln!("error: no Python files under {}", args.path.display());
        return ExitStatus::Error;
    }
    let by_path: rustc_hash::FxHashMap<PathBuf, SourceFile> =
        files.iter().map(|f| (f.path(&db).clone(), *f)).collect();

    // Cold: every file's diagnostics, in parallel (the CLI's and the
    // server's warm-up shape).
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(pitfall_semantic::stack::WORKER_STACK)
        .build()
        .expect("thread pool");
    let start = Instant::now();
    let cpu_start = process_cpu_ms();
    let (first, second) = (db.clone(), db.clone());
    let findings: usize = pool.install(|| {
        files.par_iter().for_each_with(first, |db, f| {
            module_summary(db, *f);
        });
        files
            .par_iter()
            .map_with(second, |db, f| file_diagnostics(db, *f).diagnostics.len())
            .sum()
    });
    let cold = ms(start);
    let cold_cpu = process_cpu_ms() - cpu_start;
    let pf101: usize = files.iter().map(|f| pf101_in(&db, *f)).sum();

    let loaded = Loaded {
        db: db.clone(),
        files: files.clone(),
    };
    let interface_edits: Vec<InterfaceEdit> = match &args.spec {
        Some(spec) => {
            let text = match std::fs::read_to_string(spec) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {}: {e}", spec.display());
                    return ExitStatus::Error;
                }
            };
            match serde_json::from_str::<Vec<InterfaceEdit>>(&text) {
                Ok(mut edits) => {
                    for e in &mut edits {
                        e.path = root.join(&e.path);
                        e.watch = root.join(&e.watch);
                    }
                    edits
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", spec.display());
                    return ExitStatus::Error;
                }
            }
        }
        None => interface_edits_from_project(&loaded, args.edits.div_ceil(2)),
    };
    drop(loaded);

    // Files for the comment and body edits: spread over the project.
    let step = (files.len() / args.edits.max(1)).max(1);
    let picks: Vec<SourceFile> = (0..args.edits)
        .map(|i| files[(i * step + i / files.len().max(1)) % files.len()])
        .collect();
    let text_of = |db: &PitfallDatabase, f: SourceFile| -> Arc<str> {
        match f.overlay(db) {
            Some(t) => t.clone(),
            None => source_text(db, f).unwrap_or_else(|_| Arc::from("")),
        }
    };

    let (mut comment, mut comment_cpu) = (Vec::new(), Vec::new());
    // The first change to a file that was never edited also raises its
    // durability (every query revalidates once): timed on its own.
    let (mut first, mut first_cpu) = (Vec::new(), Vec::new());
    for (i, file) in picks.iter().enumerate() {
        let original = text_of(&db, *file);
        let timer = Timer::start();
        open(&mut db, &files, *file, original.clone());
        timer.stop(&mut first, &mut first_cpu);
        let edited = format!("{original}\n# pitfall bench edit {i}\n");
        let timer = Timer::start();
        file.set_overlay(&mut db).to(Some(Arc::from(edited)));
        all_diagnostics(&db, &files);
        timer.stop(&mut comment, &mut comment_cpu);
        file.set_overlay(&mut db).to(Some(original));
        all_diagnostics(&db, &files);
    }

    let (mut body, mut body_cpu) = (Vec::new(), Vec::new());
    let mut body_kept_interface = 0;
    let body_edits: Vec<_> = files
        .iter()
        .cycle()
        .skip(files.len() / 3)
        .take(files.len())
        .filter_map(|f| {
            let text = text_of(&db, *f);
            let (at, indent, _) = first_body_line(&text)?;
            Some((*f, text, at, indent))
        })
        .take(args.edits)
        .collect();
    for (file, original, at, indent) in body_edits {
        open(&mut db, &files, file, original.clone());
        let before = module_interface(&db, file);
        let edited = format!(
            "{}{indent}_pitfall_bench = {}\n{}",
            &original[..at],
            body.len(),
            &original[at..]
        );
        let timer = Timer::start();
        file.set_overlay(&mut db).to(Some(Arc::from(edited)));
        all_diagnostics(&db, &files);
        timer.stop(&mut body, &mut body_cpu);
        if module_interface(&db, file) == before {
            body_kept_interface += 1;
        }
        file.set_overlay(&mut db).to(Some(original));
        all_diagnostics(&db, &files);
    }

    // Interface edits: apply, then revert; both are edits, both must move
    // the watched file's PF101 count.
    let (mut interface, mut interface_cpu) = (Vec::new(), Vec::new());
    let mut verified = 0;
    let mut attempted = 0;
    let mut k = 0;
    while interface.len() < args.edits && !interface_edits.is_empty() {
        let edit = &interface_edits[k % interface_edits.len()];
        k += 1;
        let (Some(&file), Some(&watch)) = (by_path.get(&edit.path), by_path.get(&edit.watch))
        else {
            eprintln!("error: {} is not in the project", edit.path.display());
            return ExitStatus::Error;
        };
        let original = text_of(&db, file);
        if original.matches(edit.find.as_str()).count() != 1 {
            eprintln!(
                "error: {}: the edit's text is not there once",
                edit.path.display()
            );
            return ExitStatus::Error;
        }
        open(&mut db, &files, file, original.clone());
        let before = pf101_in(&db, watch);
        let edited = original.replacen(edit.find.as_str(), &edit.replace, 1);
        let timer = Timer::start();
        file.set_overlay(&mut db).to(Some(Arc::from(edited)));
        all_diagnostics(&db, &files);
        timer.stop(&mut interface, &mut interface_cpu);
        let after = pf101_in(&db, watch);
        let timer = Timer::start();
        file.set_overlay(&mut db).to(Some(original));
        all_diagnostics(&db, &files);
        timer.stop(&mut interface, &mut interface_cpu);
        let restored = pf101_in(&db, watch);
        attempted += 1;
        if after != before && restored == before {
            verified += 1;
        }
    }

    let report = serde_json::json!({
        "files": files.len(),
        "findings": findings,
        "pf101": pf101,
        "cold_ms": cold,
        "cold_cpu_ms": cold_cpu,
        "first_edit_median_ms": median(first),
        "first_edit_median_cpu_ms": median(first_cpu),
        "comment_median_ms": median(comment.clone()),
        "comment_median_cpu_ms": median(comment_cpu),
        "comment_edits": comment.len(),
        "body_median_ms": median(body.clone()),
        "body_median_cpu_ms": median(body_cpu),
        "body_edits": body.len(),
        "body_edits_keeping_interface": body_kept_interface,
        "interface_median_ms": median(interface.clone()),
        "interface_median_cpu_ms": median(interface_cpu),
        "interface_edits": interface.len(),
        "interface_edit_pairs": attempted,
        "interface_edit_pairs_verified": verified,
    });
    println!("{report}");
    if attempted > 0 && verified < attempted {
        eprintln!(
            "error: {verified} of {attempted} interface edits changed the watched PF101 findings"
        );
        return ExitStatus::Failure;
    }
    ExitStatus::Success
}
