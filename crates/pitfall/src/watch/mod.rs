//! `pitfall check --watch`: the project stays in the database (a
//! [`Workspace`], the same type the language server keeps), file-system
//! events are debounced into batches, each batch updates the inputs it
//! touches, and every reported file's `file_diagnostics` is asked again —
//! salsa answers the unaffected ones from its cache — and only the findings
//! that appeared or went away are printed.

mod events;
mod report;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use pitfall_db::{
    file_diagnostics, fingerprint, is_config_file, lint_file, module_interface, parsed_module,
    project_facts, release_file, source_text, DisplayBase, FileDiagnostics, SourceFile, Workspace,
    WorkspaceOptions,
};
use pitfall_linter::UnsafeFixes;
use pitfall_workspace::Resolver;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::args::{CheckArgs, OutputFormat};
use crate::ExitStatus;
use events::{Batch, Events};
use report::{Changes, Reporter, Shown};

/// The options `--watch` cannot honour, with why.
fn usage_error(args: &CheckArgs) -> Option<String> {
    let conflicts = [
        (args.fix, "--fix"),
        (args.fix_only, "--fix-only"),
        (args.diff, "--diff"),
        (args.stdin_filename.is_some(), "--stdin-filename"),
        (
            args.paths.iter().any(|p| p == Path::new("-")),
            "`-` (standard input)",
        ),
        (args.statistics, "--statistics"),
    ];
    if let Some((_, flag)) = conflicts.iter().find(|(on, _)| *on) {
        return Some(format!("`--watch` cannot be combined with {flag}"));
    }
    match args.output_format {
        None | Some(OutputFormat::Full | OutputFormat::Concise | OutputFormat::JsonLines) => None,
        Some(format) => Some(format!(
            "`--watch` prints a stream of changes: use `--output-format full`, `concise` or `json-lines`, not `{}`",
            clap::ValueEnum::to_possible_value(&format)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        )),
    }
}

pub fn run(args: CheckArgs) -> ExitStatus {
    if let Some(message) = usage_error(&args) {
        eprintln!("error: {message}");
        return ExitStatus::Error;
    }
    let overrides = match crate::check::overrides(&args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = match Resolver::new(overrides.clone(), cwd.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::Error;
        }
    };
    let named: Vec<PathBuf> = if args.paths.is_empty() {
        vec![resolver.absolute(Path::new("."))]
    } else {
        args.paths.iter().map(|p| resolver.absolute(p)).collect()
    };
    // As `check`: the rest of a configured project is loaded (calls into
    // it are followed) but only the named paths are reported.
    let mut roots = named.clone();
    for root in crate::check::project_roots(&named, &resolver) {
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    let config_file = args.config.as_ref().map(|c| resolver.absolute(c));
    drop(resolver);
    let options = WorkspaceOptions {
        roots: roots.clone(),
        overrides,
        cwd: cwd.clone(),
        display: DisplayBase::Dir(cwd),
        force_exclude: args.force_exclude,
    };
    let (workspace, errors) = match Workspace::new(options) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::Error;
        }
    };
    print_errors(&errors);
    let Ok(pool) = rayon::ThreadPoolBuilder::new()
        .stack_size(pitfall_semantic::stack::WORKER_STACK)
        .build()
    else {
        eprintln!("error: cannot start the worker threads");
        return ExitStatus::Error;
    };
    let is_tty = std::io::stdout().is_terminal();
    let format = args.output_format.unwrap_or(if is_tty {
        OutputFormat::Full
    } else {
        OutputFormat::Concise
    });
    let reporter = Reporter {
        format,
        color: is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        unsafe_fixes: if args.unsafe_fixes {
            UnsafeFixes::Enabled
        } else {
            UnsafeFixes::Disabled
        },
        quiet: args.quiet,
    };
    let mut session = WatchSession::new(workspace, named, config_file, pool, reporter);
    exit_on_signal();
    // Watch before the first check, so that no change made meanwhile is missed.
    let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) =
        roots.iter().cloned().partition(|r| r.is_dir());
    let files: Vec<PathBuf> = files
        .into_iter()
        .chain(session.config_file.clone())
        .collect();
    let events = match Events::watch(&dirs, &files) {
        Ok((events, errors)) => {
            print_errors(&errors);
            events
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::Error;
        }
    };
    let report = |session: &mut WatchSession, batch: Option<Batch>| {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match batch {
            None => session.check(&Scope::initial(), &mut out),
            Some(batch) => session.apply(batch, &mut out),
        }
        .and_then(|()| out.flush())
    };
    let mut written = report(&mut session, None);
    while written.is_ok() {
        let Some(batch) = events.next_batch() else {
            break;
        };
        written = report(&mut session, Some(batch));
    }
    match written {
        // The reader went away (`pitfall check --watch | head`): done.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report: {e}");
            ExitStatus::Error
        }
        _ => ExitStatus::Success,
    }
}

fn print_errors(errors: &[String]) {
    for e in errors {
        eprintln!("error: {e}");
    }
}

/// Ctrl-C and SIGTERM end the watch with status 0, once the output being
/// written is complete (the handler waits for standard output's lock).
fn exit_on_signal() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    if signals.forever().next().is_some() {
                        let mut out = std::io::stdout().lock();
                        let _ = out.flush();
                        std::process::exit(0);
                    }
                });
            }
            Err(e) => eprintln!("warning: cannot handle Ctrl-C: {e}"),
        }
    }
}

struct WatchSession {
    ws: Workspace,
    /// The paths given on the command line: the files below them are reported.
    named: Vec<PathBuf>,
    config_file: Option<PathBuf>,
    pool: rayon::ThreadPool,
    reporter: Reporter,
    shown: Shown,
    /// The diagnostics last rendered for each reported file.
    checked: FxHashMap<PathBuf, Arc<FileDiagnostics>>,
}

/// What a check must compute per file before asking for diagnostics.
struct Scope {
    /// The first check: every file, printed as `check` prints.
    initial: bool,
    /// Files whose text changed (or that appeared).
    edited: FxHashSet<PathBuf>,
    /// Files whose settings changed.
    resettled: FxHashSet<PathBuf>,
    /// Every file (files came or went, events were lost).
    everything: bool,
}

impl Scope {
    fn initial() -> Scope {
        Scope {
            initial: true,
            edited: FxHashSet::default(),
            resettled: FxHashSet::default(),
            everything: true,
        }
    }
}

struct Member {
    path: PathBuf,
    file: SourceFile,
    reported: bool,
    edited: bool,
    resettled: bool,
}

/// What one worker found for one reported file whose diagnostics changed.
struct Rendered {
    path: PathBuf,
    diagnostics: Arc<FileDiagnostics>,
    messages: Vec<crate::output::Message>,
}

impl WatchSession {
    fn new(
        ws: Workspace,
        named: Vec<PathBuf>,
        config_file: Option<PathBuf>,
        pool: rayon::ThreadPool,
        reporter: Reporter,
    ) -> WatchSession {
        WatchSession {
            ws,
            named,
            config_file,
            pool,
            reporter,
            shown: Shown::default(),
            checked: FxHashMap::default(),
        }
    }

    fn is_reported(&self, path: &Path) -> bool {
        self.named.iter().any(|n| path.starts_with(n))
    }

    /// Applies a batch of file-system events, then re-checks if anything
    /// the project is made of changed.
    fn apply(&mut self, batch: Batch, out: &mut dyn Write) -> std::io::Result<()> {
        let mut touched: Vec<PathBuf> = Vec::new();
        let generation = self.ws.generation();
        let mut config_changed = false;
        let mut rediscover = false;
        let mut paths: Vec<PathBuf> = batch.paths.into_iter().collect();
        if batch.rescan {
            // Events were lost: look at every file (unchanged texts are
            // recognised by their fingerprints) and discover again.
            paths.extend(self.ws.members().map(|(p, _)| p.to_path_buf()));
            config_changed = true;
        }
        for path in paths {
            if is_config_file(&path) || self.config_file.as_ref() == Some(&path) {
                config_changed = true;
            } else if path
                .file_name()
                .is_some_and(|n| n == ".gitignore" || n == ".ignore")
            {
                rediscover = true;
            } else if self.ws.disk_changed(&path) && path.is_file() {
                touched.push(path);
            }
        }
        let mut resettled: Vec<PathBuf> = Vec::new();
        let errors = if config_changed {
            let errors = self.ws.reload_config();
            resettled = self.ws.settings_changed().to_vec();
            errors
        } else {
            if rediscover {
                self.ws.invalidate_members();
            }
            self.ws.sync_members()
        };
        print_errors(&errors);
        // Files that did not join (below an excluded or ignored directory,
        // such as a virtual environment being installed into) are no news.
        touched.retain(|p| self.ws.is_member(p));
        // A directory that came and went with no Python file in it (a
        // `__pycache__`), an ignore file that changed nothing: no re-check.
        let joined_or_left = self.ws.generation() != generation;
        if touched.is_empty() && !config_changed && !joined_or_left {
            return Ok(());
        }
        let scope = Scope {
            initial: false,
            edited: touched.into_iter().collect(),
            resettled: resettled.into_iter().collect(),
            everything: joined_or_left || batch.rescan,
        };
        self.check(&scope, out)
    }

    /// Checks the project and prints what changed: everything the first
    /// time, else what appeared and what went away.
    fn check(&mut self, scope: &Scope, out: &mut dyn Write) -> std::io::Result<()> {
        let started = Instant::now();
        let initial = scope.initial;
        let members: Vec<Member> = self
            .ws
            .members()
            .map(|(path, file)| Member {
                path: path.to_path_buf(),
                file,
                reported: self.is_reported(path),
                edited: initial || scope.edited.contains(path),
                resettled: scope.resettled.contains(path),
            })
            .collect();
        // Per file, in parallel: the interface (for the project facts) and,
        // for the reported files, the local rules, for the files the
        // changes reach directly (everything the first time or when files
        // came or went); salsa verifies the rest when their diagnostics are
        // asked for below.
        let handle = self.ws.db().clone();
        let fingerprints: Vec<(PathBuf, u64)> = self.pool.install(|| {
            members
                .par_iter()
                .filter(|m| scope.everything || m.edited || m.resettled)
                .map_with(handle, |db, m| {
                    module_interface(db, m.file);
                    if m.reported {
                        lint_file(db, m.file);
                    }
                    let print = m
                        .edited
                        .then(|| (m.path.clone(), fingerprint(&source_text(db, m.file))));
                    if initial || (m.resettled && !m.edited) {
                        // Memory bounded by the files in flight, as in
                        // `check` (new settings re-ran everything of the
                        // file: nothing here is recomputed to be dropped).
                        release_file(db, m.file);
                    } else {
                        // Only the tree goes: an edited file's text stays
                        // until its findings are rendered, so that they are
                        // located in the text they were found in even if
                        // the file changes again meanwhile. (Releasing more
                        // of an untouched file would first recompute what
                        // the LRU already evicted.)
                        parsed_module(db, m.file).clear();
                    }
                    print
                })
                .flatten()
                .collect()
        });
        for (path, print) in fingerprints {
            self.ws.record_fingerprint(&path, print);
        }
        if let Some(project) = self.ws.project() {
            project_facts(self.ws.db(), project);
        }
        // Every reported file's full diagnostics; only those that differ
        // from the last ones rendered are rendered again.
        let handle = self.ws.db().clone();
        let checked = &self.checked;
        let rendered: Vec<Rendered> = self.pool.install(|| {
            members
                .par_iter()
                .filter(|m| m.reported)
                .map_with(handle, |db, m| {
                    let diagnostics = file_diagnostics(db, m.file);
                    let unchanged = checked
                        .get(&m.path)
                        .is_some_and(|old| **old == *diagnostics);
                    let rendered = (!unchanged).then(|| Rendered {
                        path: m.path.clone(),
                        messages: crate::check::file_messages(db, m.file, &diagnostics.diagnostics),
                        diagnostics,
                    });
                    if m.edited {
                        release_file(db, m.file);
                    }
                    rendered
                })
                .flatten()
                .collect()
        });
        let mut changes = Changes::default();
        // Files no longer reported (deleted, now excluded): their findings are gone.
        let reported: FxHashSet<&PathBuf> = members
            .iter()
            .filter(|m| m.reported)
            .map(|m| &m.path)
            .collect();
        let gone: Vec<PathBuf> = self
            .checked
            .keys()
            .chain(self.shown.paths())
            .filter(|p| !reported.contains(p))
            .cloned()
            .collect();
        for path in gone {
            self.checked.remove(&path);
            self.shown.update(path, Vec::new(), &mut changes);
        }
        for r in rendered {
            self.checked.insert(r.path.clone(), r.diagnostics);
            self.shown.update(r.path, r.messages, &mut changes);
        }
        let elapsed = started.elapsed();
        self.reporter.write(out, &mut changes, initial)?;
        self.reporter
            .summary(out, &changes, &self.shown, reported.len(), elapsed, initial)
    }
}

#[cfg(test)]
mod tests;
