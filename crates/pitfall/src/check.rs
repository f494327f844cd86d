//! `pitfall check`: discover, load into the database, lint in parallel, print.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pitfall_db::{
    call_facts, cross_module_diagnostics, decode_source, file_diagnostics, import_graph, lint_file,
    module_imports, module_resolution, module_summary, prepare_project_phase, project_layout,
    project_needs, release_file, resolve_reached, set_lru_capacity, source_text, PitfallDatabase,
    Project, SourceFile,
};
use pitfall_linter::project::ProjectNeeds;
use pitfall_linter::{Diagnostic, DocCoverage, PythonVersion, RuleSelector, UnsafeFixes};
use pitfall_workspace::{discover_python_files, CliOverrides, PackageDirs, Resolver};
use rayon::prelude::*;
use ruff_text_size::TextRange;

use crate::args::{CheckArgs, OutputFormat};
use crate::fix::{FixMode, FixReport};
use crate::output::{Locator, Message, Printer};
use crate::ExitStatus;

/// Files fixed between two LRU evictions, per worker thread (`--fix`,
/// which evicts between batches of files; checking does not).
pub(crate) const BATCH_PER_THREAD: usize = 8;
/// Trees and indexes kept after an eviction in `--fix`.
const CLI_LRU_CAPACITY: usize = 1;

fn parse_selectors(flag: &str, values: &[String]) -> Result<Vec<RuleSelector>, String> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            RuleSelector::parse(v).ok_or_else(|| {
                let hint = RuleSelector::suggest(v)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                format!("invalid value `{v}` for `{flag}`: no rule, prefix or family of that name{hint}")
            })
        })
        .collect()
}

pub(crate) fn overrides(args: &CheckArgs) -> Result<CliOverrides, String> {
    let target_version = match &args.target_version {
        Some(v) => Some(PythonVersion::parse(v).ok_or_else(|| {
            format!("invalid value `{v}` for `--target-version`: expected py37 ... py314")
        })?),
        None => None,
    };
    Ok(CliOverrides {
        select: match &args.select {
            Some(s) => Some(parse_selectors("--select", s)?),
            None => None,
        },
        extend_select: parse_selectors("--extend-select", &args.extend_select)?,
        ignore: parse_selectors("--ignore", &args.ignore)?,
        target_version,
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        respect_gitignore: args.no_respect_gitignore.then_some(false),
        config_file: args.config.clone(),
    })
}

/// The path as the user should see it: relative to the working directory when below it.
fn display_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

pub fn run(args: CheckArgs) -> ExitStatus {
    let overrides = match overrides(&args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = match Resolver::new(overrides, cwd.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::Error;
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(pitfall_semantic::stack::WORKER_STACK)
        .build()
        .expect("thread pool");
    let mut db = PitfallDatabase::default();
    let stdin = reads_stdin(&args);
    let mut stdin_text = None;
    let (inputs, had_error, extension_modules) = if stdin {
        match stdin_input(&db, &args, &resolver, &cwd) {
            Ok((file, text)) => {
                stdin_text = Some(text);
                (file.into_iter().collect(), false, Vec::new())
            }
            Err(message) => {
                eprintln!("error: {message}");
                return ExitStatus::Error;
            }
        }
    } else {
        discovered_inputs(&db, &args, &resolver, &cwd, &pool)
    };
    let unsafe_fixes = if args.unsafe_fixes {
        UnsafeFixes::Enabled
    } else {
        UnsafeFixes::Disabled
    };
    let (all, project) = build_project(
        &db,
        &args,
        &inputs,
        extension_modules,
        &resolver,
        &cwd,
        &pool,
        stdin,
    );
    // `--fix` and `--diff` fix first; the report below then shows what remains.
    let fixes = fix_mode(&args).map(|mode| {
        set_lru_capacity(&mut db, CLI_LRU_CAPACITY);
        let target = crate::fix::FixTarget {
            inputs: &inputs,
            project,
            files: &all,
            stdin,
            then_report: mode == FixMode::Apply && !args.fix_only,
        };
        let mut report = crate::fix::run(&mut db, &pool, target, mode, unsafe_fixes);
        // Standard input excluded by `--force-exclude` comes back as it was,
        // as ruff does: an editor replaces its buffer with what it reads.
        if mode == FixMode::Apply && report.stdin_text.is_none() {
            report.stdin_text = stdin_text.take();
        }
        report
    });
    let had_error = had_error || fixes.as_ref().is_some_and(|f| f.had_error);
    if let Some(status) = fixes
        .as_ref()
        .and_then(|report| report_fixes_only(&args, report, had_error))
    {
        return status;
    }
    let needs = project_needs(&db, project);
    let (mut messages, doc_coverage) = lint_all(&mut db, &all, &pool, project, needs);
    if needs != ProjectNeeds::NONE {
        cross_module_phase(&db, &pool, project, &all, &inputs, needs, &mut messages);
    }
    sort_messages(&mut messages);
    let stdout = std::io::stdout();
    let is_tty = stdout.is_terminal();
    let color = is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let format = args.output_format.unwrap_or(if is_tty {
        OutputFormat::Full
    } else {
        OutputFormat::Concise
    });
    let mut out: Box<dyn Write> = match fixes.as_ref().and_then(|f| f.stdin_text.as_ref()) {
        // As ruff: the fixed source on standard output, the report on standard error.
        Some(text) => {
            let mut stdout = stdout.lock();
            if stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitStatus::Error;
            }
            Box::new(std::io::stderr().lock())
        }
        None => Box::new(std::io::BufWriter::new(stdout.lock())),
    };
    let written = if args.statistics {
        write_statistics(&mut out, &messages, doc_coverage)
    } else {
        Printer {
            format,
            color,
            unsafe_fixes,
        }
        .write(&mut out, &messages)
    };
    if format.is_human() && !args.statistics {
        if let Some(report) = fixes.as_ref().filter(|_| args.show_fixes) {
            let _ = crate::fix::write_fix_summary(&mut out, report);
        }
        if !args.quiet {
            let fixed = fixes.as_ref().map_or(0, FixReport::fixed_count);
            let _ = write_summary(&mut out, &messages, inputs.len(), fixed);
            if fixes.is_none() {
                let _ = write_fixable_hint(&mut out, &messages, unsafe_fixes);
            }
        }
    }
    let _ = out.flush();
    drop(out);
    // The process ends here: tearing the database down (every file's
    // summaries and findings) would be serial work on the critical path
    // (~80 M instructions on the standard library) that frees nothing
    // useful; the same goes for the messages, freed block by block into
    // the workers' pages.
    // With `--statistics` and `min-coverage`, the coverage decides for
    // PF906 instead of its findings (the threshold is the gate, as in CI).
    let failing = match doc_coverage.filter(|_| args.statistics) {
        Some(coverage) => {
            !coverage.meets_minimum() || messages.iter().any(|m| m.rule.meta().code != "PF906")
        }
        None => !messages.is_empty(),
    };
    std::mem::forget(db);
    std::mem::forget(messages);
    if written.is_err() {
        return ExitStatus::Error;
    }
    if had_error {
        ExitStatus::Error
    } else if !failing || args.exit_zero {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// Sorts the report by file, position and rule, in the order a stable
/// sort on `(display_path, start, rule)` gives, without comparing paths at
/// each step nor moving the (large) messages more than once: each run of
/// one file's messages takes its path's rank among the files', small keys
/// are sorted, and the messages are moved into their order (serial work at
/// the end of the run).
fn sort_messages(messages: &mut Vec<Message>) {
    let mut keys: Vec<(u32, crate::output::Location, pitfall_linter::RuleId, u32)> = {
        let mut run_paths: Vec<&str> = Vec::new();
        let mut run_of: Vec<u32> = Vec::with_capacity(messages.len());
        for (i, m) in messages.iter().enumerate() {
            if i == 0 || m.display_path != messages[i - 1].display_path {
                run_paths.push(&m.display_path);
            }
            run_of.push(run_paths.len() as u32 - 1);
        }
        let mut paths = run_paths.clone();
        paths.sort_unstable();
        paths.dedup();
        let rank: Vec<u32> = run_paths
            .iter()
            .map(|p| paths.binary_search(p).map_or(0, |r| r as u32))
            .collect();
        messages
            .iter()
            .zip(run_of)
            .enumerate()
            .map(|(i, (m, run))| (rank[run as usize], m.start, m.rule, i as u32))
            .collect()
    };
    // The index makes every key distinct: the order of a stable sort.
    keys.sort_unstable();
    let mut slots: Vec<Option<Message>> = std::mem::take(messages).into_iter().map(Some).collect();
    *messages = keys
        .iter()
        .filter_map(|key| slots[key.3 as usize].take())
        .collect();
}

/// The cross-module phase: each file's calls and imports resolved (in
/// parallel), one fixpoint over the call graph, then each file's
/// cross-module findings (no AST). A file with any gets its messages
/// rebuilt from its full diagnostics. Skipped when no enabled rule reads
/// the project (`needs` is empty): none of it could report.
fn cross_module_phase(
    db: &PitfallDatabase,
    pool: &rayon::ThreadPool,
    project: Project,
    all: &[(SourceFile, bool)],
    inputs: &[SourceFile],
    needs: ProjectNeeds,
    messages: &mut Vec<Message>,
) {
    // Wave after wave when only calls from coroutines are read (see
    // `resolve_reached`); each wave on the pool.
    resolve_reached(db, project, |files| {
        let handle = db.clone();
        pool.install(move || {
            files
                .par_iter()
                .map_with(handle, |db, file| module_resolution(db, *file))
                .collect()
        })
    });
    if needs.imports() {
        let handle = db.clone();
        pool.install(|| {
            all.par_iter().for_each_with(handle, |db, (file, _)| {
                module_imports(db, *file);
            })
        });
    }
    // The two project-wide passes run once, serially; each file's facts
    // are assembled on the pool by the findings pass that reads them.
    call_facts(db, project);
    import_graph(db, project);
    let handle = db.clone();
    let crossed: Vec<(String, Vec<Message>)> = pool.install(|| {
        inputs
            .par_iter()
            .map_with(handle, |db, file| {
                if cross_module_diagnostics(db, *file).is_empty() {
                    return None;
                }
                let all = file_diagnostics(db, *file);
                Some((
                    file.display_path(db).clone(),
                    file_messages(db, *file, &all.diagnostics),
                ))
            })
            .flatten()
            .collect()
    });
    if !crossed.is_empty() {
        let replaced: rustc_hash::FxHashSet<&str> =
            crossed.iter().map(|(p, _)| p.as_str()).collect();
        messages.retain(|m| !replaced.contains(m.display_path.as_str()));
        messages.extend(crossed.into_iter().flat_map(|(_, m)| m));
    }
}

/// The project: the files to report (`true`), plus the rest of a
/// configured project when only part of it was named (`false`: calls into
/// it are followed, its findings are not reported).
#[allow(clippy::too_many_arguments)]
fn build_project(
    db: &PitfallDatabase,
    args: &CheckArgs,
    inputs: &[SourceFile],
    mut extension_modules: Vec<PathBuf>,
    resolver: &Resolver,
    cwd: &Path,
    pool: &rayon::ThreadPool,
    stdin: bool,
) -> (Vec<(SourceFile, bool)>, Project) {
    let named: Vec<PathBuf> = if stdin {
        inputs.iter().map(|f| f.path(db).clone()).collect()
    } else if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let reported_paths: Vec<PathBuf> = inputs.iter().map(|f| f.path(db).clone()).collect();
    let mut packages = PackageDirs::default();
    let (extra_paths, extra_extensions) =
        project_only_files(&named, &reported_paths, resolver, pool);
    extension_modules.extend(extra_extensions);
    extension_modules.sort_unstable();
    extension_modules.dedup();
    let extra: Vec<SourceFile> = extra_paths
        .into_iter()
        .filter_map(|path| {
            let settings = resolver.settings_for(&path).ok()?;
            let linter = Arc::new(settings.linter_settings_with(&path, &mut packages));
            let display = display_path(&path, cwd);
            Some(SourceFile::new(db, path, display, None, 0, linter))
        })
        .collect();
    let roots = import_roots(&reported_paths, resolver, pool);
    let all: Vec<(SourceFile, bool)> = inputs
        .iter()
        .map(|f| (*f, true))
        .chain(extra.iter().map(|f| (*f, false)))
        .collect();
    let project = Project::builder(all.iter().map(|(f, _)| *f).collect(), roots)
        .extension_modules(extension_modules)
        .new(db);
    (all, project)
}

/// Standard input is the source with `--stdin-filename`, or when the only path is `-`.
fn reads_stdin(args: &CheckArgs) -> bool {
    let dash = args.paths.len() == 1 && args.paths[0] == Path::new("-");
    if args.stdin_filename.is_some() && !args.paths.is_empty() && !dash {
        eprintln!("warning: ignoring the paths given: `--stdin-filename` reads standard input");
    }
    args.stdin_filename.is_some() || dash
}

/// Standard input as one file at `--stdin-filename` (or `-`): governed by
/// that path's configuration and per-file-ignores, shown under its name.
/// It is checked even where `exclude` would skip the path, as a file named
/// on the command line is, unless `--force-exclude` is given (then `None`).
fn stdin_input(
    db: &PitfallDatabase,
    args: &CheckArgs,
    resolver: &Resolver,
    cwd: &Path,
) -> Result<(Option<SourceFile>, Arc<str>), String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("failed to read standard input: {e}"))?;
    let text = decode_source(bytes).map_err(|e| format!("standard input: {e}"))?;
    let (path, display) = match &args.stdin_filename {
        Some(name) => {
            let path = resolver.absolute(name);
            let display = display_path(&path, cwd);
            (path, display)
        }
        None => (resolver.absolute(Path::new("-")), "-".to_string()),
    };
    let settings = resolver.settings_for(&path).map_err(|e| e.to_string())?;
    if args.force_exclude && settings.is_excluded_or_below_excluded(&path) {
        return Ok((None, text));
    }
    let linter = Arc::new(settings.linter_settings_for(&path));
    let file = SourceFile::new(db, path, display, Some(text.clone()), 0, linter);
    Ok((Some(file), text))
}

/// The files under `args.paths`, with their settings, largest first;
/// whether discovery reported an error; and the compiled extension modules
/// it met.
fn discovered_inputs(
    db: &PitfallDatabase,
    args: &CheckArgs,
    resolver: &Resolver,
    cwd: &Path,
    pool: &rayon::ThreadPool,
) -> (Vec<SourceFile>, bool, Vec<PathBuf>) {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let discovery = pool.install(|| discover_python_files(&paths, resolver));
    let mut had_error = false;
    for e in &discovery.config_errors {
        eprintln!("error: {e}");
        had_error = true;
    }
    for e in &discovery.errors {
        eprintln!("error: {}: {}", e.path.display(), e.message);
        had_error = true;
    }

    // Settings are resolved in parallel; the texts are read lazily by the
    // database (`source_text`), batch by batch.
    let mut resolved: Vec<_> = pool.install(|| {
        discovery
            .files
            .par_iter()
            .map_init(
                || PackageDirs::with_known_files(&discovery.files),
                |packages, path| {
                    // A config error here was already reported by discovery.
                    let settings = resolver.settings_for(path).ok()?;
                    if args.force_exclude && settings.is_excluded_or_below_excluded(path) {
                        return None;
                    }
                    let size = std::fs::metadata(path).map_or(0, |m| m.len());
                    Some((
                        size,
                        path.clone(),
                        Arc::new(settings.linter_settings_with(path, packages)),
                    ))
                },
            )
            .flatten()
            .collect()
    });
    // Largest files first: batches then hold files of similar size, so the
    // workers finish a batch together instead of waiting on one big file.
    resolved.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    let inputs = resolved
        .into_iter()
        .map(|(_, path, linter)| {
            let display = display_path(&path, cwd);
            SourceFile::new(db, path, display, None, 0, linter)
        })
        .collect();
    (inputs, had_error, discovery.extension_modules)
}

/// The findings of one file, ready for output. A related location in
/// another file (a step of a call chain) is located in that file's text.
/// Lints every file on the pool, without barriers: each worker takes the
/// next file off a shared counter (the inputs come largest first, so the
/// run ends on small files and no core waits long), keeps its findings, and
/// drops the file's text, tree and index before taking the next one, so
/// memory is bounded by the files in flight. A one-shot run never asks for
/// them again (files outside the reported set only need their summary), so
/// nothing is kept for reuse: no LRU.
fn lint_all(
    db: &mut PitfallDatabase,
    files: &[(SourceFile, bool)],
    pool: &rayon::ThreadPool,
    project: Project,
    needs: ProjectNeeds,
) -> (Vec<Message>, Option<DocCoverage>) {
    set_lru_capacity(db, 0);
    let next = AtomicUsize::new(0);
    let found: Mutex<(Vec<Message>, Option<DocCoverage>)> = Mutex::new((Vec::new(), None));
    let workers = pool.current_num_threads().min(files.len());
    let handles: Vec<PitfallDatabase> = (0..workers).map(|_| db.clone()).collect();
    let layout_handle = db.clone();
    pool.scope(|scope| {
        // The module map of the project phase (serial work, over paths
        // only) is built by one worker while the others lint, not on the
        // critical path after them.
        if needs != ProjectNeeds::NONE {
            scope.spawn(move |_| {
                project_layout(&layout_handle, project);
            });
        }
        for handle in handles {
            let (next, found) = (&next, &found);
            scope.spawn(move |_| {
                let mut mine = Vec::new();
                let mut coverage: Option<DocCoverage> = None;
                while let Some(&(file, report)) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if report {
                        let local = lint_file(&handle, file);
                        mine.extend(file_messages(&handle, file, &local.diagnostics));
                        if let Some(c) = local.doc_coverage {
                            coverage = Some(coverage.map_or(c, |sum| sum.plus(c)));
                        }
                    } else {
                        // Not reported: only its summary is needed.
                        module_summary(&handle, file);
                    }
                    // What the project phase asks first of every file,
                    // computed here in parallel rather than serially there.
                    prepare_project_phase(&handle, file);
                    release_file(&handle, file);
                }
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                found.0.append(&mut mine);
                if let Some(c) = coverage {
                    found.1 = Some(found.1.map_or(c, |sum| sum.plus(c)));
                }
            });
        }
    });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn file_messages(
    db: &PitfallDatabase,
    file: SourceFile,
    diagnostics: &[Diagnostic],
) -> Vec<Message> {
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let source = source_text(db, file).unwrap_or_else(|_| Arc::from(""));
    let last = diagnostics
        .iter()
        .flat_map(|d| {
            let edits = d.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.range));
            let related = d.related.iter().map(|r| r.range);
            std::iter::once(d.range).chain(edits).chain(related)
        })
        .map(|range| range.end())
        .max()
        .unwrap_or_default();
    let locator = Locator::up_to(&source, last);
    let mut others: Vec<(String, Arc<str>)> = Vec::new();
    let mut locate_other = |path: &str, range: TextRange| {
        if !others.iter().any(|(p, _)| p == path) {
            let text = crate::output::read_display_path(path)?;
            others.push((path.to_string(), text));
        }
        let (_, text) = others.iter().find(|(p, _)| p == path)?;
        let other = Locator::new(text);
        Some((other.location(range.start()), other.location(range.end())))
    };
    diagnostics
        .iter()
        .map(|d| {
            Message::new(
                file.path(db).clone(),
                file.display_path(db).clone(),
                &locator,
                d,
                &mut locate_other,
            )
        })
        .collect()
}

/// `--diff` and `--fix-only` print what was (or would be) fixed, not the
/// findings; their exit status says so. `None` for `--fix`.
fn report_fixes_only(args: &CheckArgs, report: &FixReport, had_error: bool) -> Option<ExitStatus> {
    let fixed = report.fixed_count();
    if args.diff {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = crate::fix::write_diffs(&mut out, report).and_then(|_| out.flush());
        if !args.quiet {
            let hidden = match report.hidden {
                0 => String::new(),
                n => format!(" ({n} more with `--unsafe-fixes`)"),
            };
            if fixed == 0 {
                eprintln!("No problems would be fixed{hidden}.");
            } else {
                eprintln!(
                    "Would fix {}{hidden}.",
                    crate::fix::plural(fixed, "problem")
                );
            }
        }
        return Some(if had_error || written.is_err() {
            ExitStatus::Error
        } else if fixed > 0 {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        });
    }
    if !args.fix_only {
        return None;
    }
    if let Some(text) = &report.stdin_text {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush());
    }
    let mut err = std::io::stderr().lock();
    let mut out: Box<dyn Write> = if report.stdin_text.is_some() {
        Box::new(&mut err)
    } else {
        Box::new(std::io::stdout().lock())
    };
    if args.show_fixes {
        let _ = crate::fix::write_fix_summary(&mut out, report);
    } else if !args.quiet && fixed > 0 {
        let _ = writeln!(out, "Fixed {}.", crate::fix::plural(fixed, "problem"));
    }
    Some(if had_error {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// `--diff` writes nothing and shows the diff; `--fix` and `--fix-only` write.
fn fix_mode(args: &CheckArgs) -> Option<FixMode> {
    if args.diff {
        Some(FixMode::Diff)
    } else if args.fix || args.fix_only {
        Some(FixMode::Apply)
    } else {
        None
    }
}

/// As ruff: how many findings `--fix` would fix, and how many more
/// `--unsafe-fixes` would.
fn write_fixable_hint(
    out: &mut dyn Write,
    messages: &[Message],
    unsafe_fixes: UnsafeFixes,
) -> std::io::Result<()> {
    let applicable = messages
        .iter()
        .filter(|m| m.is_fixable(unsafe_fixes))
        .count();
    let hidden = messages
        .iter()
        .filter(|m| m.fix.is_some() && !m.is_fixable(unsafe_fixes))
        .count();
    let hidden_note = match hidden {
        1 => "1 hidden fix can be enabled with the `--unsafe-fixes` option".to_string(),
        n => format!("{n} hidden fixes can be enabled with the `--unsafe-fixes` option"),
    };
    match (applicable, hidden) {
        (0, 0) => Ok(()),
        (0, _) => writeln!(out, "No fixes available ({hidden_note})."),
        (n, 0) => writeln!(out, "[*] {n} fixable with the `--fix` option."),
        (n, _) => writeln!(
            out,
            "[*] {n} fixable with the `--fix` option ({hidden_note})."
        ),
    }
}

/// When the paths named cover only part of a configured project, the rest
/// of it: calls into it are still followed. Only projects with a
/// configuration file (their root is known) are widened.
fn project_only_files(
    paths: &[PathBuf],
    checked: &[PathBuf],
    resolver: &Resolver,
    pool: &rayon::ThreadPool,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let project_roots = project_roots(paths, resolver);
    if project_roots.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let found = pool.install(|| discover_python_files(&project_roots, resolver));
    let checked: rustc_hash::FxHashSet<&PathBuf> = checked.iter().collect();
    let files = found
        .files
        .into_iter()
        .filter(|f| !checked.contains(f))
        .collect();
    (files, found.extension_modules)
}

/// The roots of the configured projects the paths lie inside (not at their
/// root): the projects whose other files are loaded for the calls into them.
pub(crate) fn project_roots(paths: &[PathBuf], resolver: &Resolver) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let absolute = resolver.absolute(path);
        let Ok(settings) = resolver.settings_for(&absolute) else {
            continue;
        };
        if settings.config_path.is_none() || absolute == settings.root {
            continue;
        }
        if !roots.contains(&settings.root) {
            roots.push(settings.root.clone());
        }
    }
    roots
}

/// The import roots (`src`) of the files' configurations.
fn import_roots(paths: &[PathBuf], resolver: &Resolver, pool: &rayon::ThreadPool) -> Vec<PathBuf> {
    let per_file: Vec<Vec<PathBuf>> = pool.install(|| {
        paths
            .par_iter()
            .filter_map(|p| Some(resolver.settings_for(p).ok()?.src.clone()))
            .collect()
    });
    let mut roots: Vec<PathBuf> = Vec::new();
    for root in per_file.into_iter().flatten() {
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
}

fn write_summary(
    out: &mut dyn Write,
    messages: &[Message],
    checked: usize,
    fixed: usize,
) -> std::io::Result<()> {
    let files = {
        let mut paths: Vec<&str> = messages.iter().map(|m| m.display_path.as_str()).collect();
        paths.dedup();
        paths.len()
    };
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if fixed > 0 {
        writeln!(
            out,
            "Found {} ({fixed} fixed, {} remaining).",
            plural(fixed + messages.len(), "problem"),
            messages.len()
        )
    } else if messages.is_empty() {
        writeln!(
            out,
            "All checks passed! ({} checked)",
            plural(checked, "file")
        )
    } else {
        writeln!(
            out,
            "Found {} in {} ({} checked).",
            plural(messages.len(), "problem"),
            plural(files, "file"),
            plural(checked, "file")
        )
    }
}

fn write_statistics(
    out: &mut dyn Write,
    messages: &[Message],
    doc_coverage: Option<DocCoverage>,
) -> std::io::Result<()> {
    let mut counts: Vec<(pitfall_linter::RuleId, usize)> = Vec::new();
    for m in messages {
        match counts.iter_mut().find(|(r, _)| *r == m.rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((m.rule, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (rule, n) in counts {
        let meta = rule.meta();
        writeln!(out, "{n:>6}\t{}\t{}", meta.code, meta.name)?;
    }
    if let Some(c) = doc_coverage {
        let verdict = if c.meets_minimum() { "meets" } else { "below" };
        writeln!(
            out,
            "Docstring coverage: {:.1}% ({} of {} public objects documented), {verdict} min-coverage {}%",
            // Rounded down, so 89.96% never shows as a passing 90.0%.
            (c.percent() * 10.0).floor() / 10.0,
            c.documented,
            c.public,
            c.min_coverage
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Locator;
    use ruff_text_size::TextSize;

    fn message(path: &str, offset: u32, code: &str, text: &str) -> Message {
        let source = "a = 1\nb = 2\nc = 3\n";
        let rule = pitfall_linter::RuleId::from_code(code).expect("registered");
        let range = TextRange::empty(TextSize::new(offset));
        let diagnostic = Diagnostic::new(rule, text, range);
        let mut none = |_: &str, _: TextRange| None;
        Message::new(
            PathBuf::from(path),
            path.to_string(),
            &Locator::new(source),
            &diagnostic,
            &mut none,
        )
    }

    #[test]
    fn messages_sort_as_a_stable_sort_by_path_position_and_rule() {
        // Runs of one file, a file coming back later (the cross-module
        // phase appends), equal keys whose order must stay.
        let mut messages = vec![
            message("b.py", 6, "PF302", "1"),
            message("b.py", 0, "PF401", "2"),
            message("a.py", 12, "PF301", "3"),
            message("c/d.py", 0, "PF301", "4"),
            message("a.py", 0, "PF301", "5"),
            message("b.py", 0, "PF401", "6"),
            message("a.py", 0, "PF201", "7"),
            message("a-b.py", 0, "PF201", "8"),
        ];
        let expected: Vec<String> = {
            let mut copy: Vec<(
                String,
                crate::output::Location,
                pitfall_linter::RuleId,
                String,
            )> = messages
                .iter()
                .map(|m| (m.display_path.clone(), m.start, m.rule, m.message.clone()))
                .collect();
            copy.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
            copy.into_iter().map(|c| c.3).collect()
        };
        sort_messages(&mut messages);
        let got: Vec<String> = messages.iter().map(|m| m.message.clone()).collect();
        assert_eq!(got, expected);
        let mut empty: Vec<Message> = Vec::new();
        sort_messages(&mut empty);
        assert!(empty.is_empty());
    }
}
