//! `check --fix`, `--diff`, `--fix-only`: fix every file, write the
//! results back in the file's own encoding (or render a diff), and leave
//! the fixed texts in the database as overlays, so that the normal report
//! that follows shows the findings that remain.
//!
//! Two phases. The local one runs the fix loop (`pitfall_linter::fix`) on
//! each file outside the database, batch by batch, so no tree or index
//! stays memoized. The project one then runs the cross-module phase on the
//! fixed texts, as the report does (each file's tree dropped once linted;
//! the report reuses what it computed), applies the cross-module fixes with
//! the same loop, and runs it again until no file has one left: a fix that
//! changes a module's names changes what its importers see.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use pitfall_db::{
    cross_module_diagnostics, decode_source, encode_source, lint_file, module_summary,
    project_facts, release_file, set_lru_capacity, source_text, PitfallDatabase, Project,
    SourceFile,
};
use pitfall_linter::fix::MAX_FIX_PASSES;
use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{fix_until_stable, Diagnostic, FixFailure, RuleId, UnsafeFixes};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use salsa::{Database as _, Setter};

/// What to do with the fixed texts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Write them back (`--fix`, `--fix-only`).
    Apply,
    /// Print a unified diff and write nothing (`--diff`).
    Diff,
}

/// The files to fix and the project they belong to.
pub struct FixTarget<'a> {
    /// The files fixed (and reported).
    pub inputs: &'a [SourceFile],
    pub project: Project,
    /// The project's files: `true` for the inputs, `false` for the files
    /// only read for their modules.
    pub files: &'a [(SourceFile, bool)],
    /// The only input is standard input (never written).
    pub stdin: bool,
    /// The findings report follows (`--fix`): the project phase lints the
    /// inputs fully, so the report finds their findings computed.
    pub then_report: bool,
}

/// One file's fixes.
pub struct FileFix {
    pub display_path: String,
    /// Findings fixed, per rule.
    pub fixed: Vec<(RuleId, usize)>,
    /// The unified diff (`--diff` only).
    pub diff: Option<String>,
}

/// What the fix phase did across the run.
#[derive(Default)]
pub struct FixReport {
    /// Files changed (or that would be, with `--diff`), by display path.
    pub files: Vec<FileFix>,
    /// Standard input's text after fixing (`--stdin-filename`), printed
    /// instead of being written anywhere.
    pub stdin_text: Option<Arc<str>>,
    /// A file could not be written.
    pub had_error: bool,
    /// Unsafe fixes left unapplied because `--unsafe-fixes` was not given.
    pub hidden: usize,
}

impl FixReport {
    pub fn fixed_count(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.fixed)
            .map(|(_, n)| n)
            .sum()
    }
}

/// A file the fixes changed.
struct Fixed {
    file: SourceFile,
    /// The text before any fix (`--diff` only, rendered once both phases are done).
    original: Option<Arc<str>>,
    text: Arc<str>,
    display_path: String,
    fixed: Vec<(RuleId, usize)>,
}

/// Fixes every input and sets the fixed texts as the inputs' overlays.
pub fn run(
    db: &mut PitfallDatabase,
    pool: &rayon::ThreadPool,
    target: FixTarget,
    mode: FixMode,
    unsafe_fixes: UnsafeFixes,
) -> FixReport {
    let mut report = FixReport::default();
    let mut hidden: FxHashMap<SourceFile, usize> = FxHashMap::default();
    let mut fixed: Vec<Fixed> = Vec::new();
    // Texts are read through the database (evicted batch by batch), but the
    // fix loop lints outside it: no tree or index stays memoized.
    let batch_size = crate::check::BATCH_PER_THREAD * pool.current_num_threads();
    for batch in target.inputs.chunks(batch_size) {
        let handle = db.clone();
        let stdin = target.stdin;
        let results: Vec<(SourceFile, FileResult, usize)> = pool.install(move || {
            batch
                .par_iter()
                .map_with(handle, |db, file| {
                    let (result, hidden) = fix_file(db, *file, mode, unsafe_fixes, stdin);
                    (*file, result, hidden)
                })
                .collect()
        });
        for (file, result, n) in results {
            if n > 0 {
                hidden.insert(file, n);
            }
            match result {
                Ok(Some(f)) => fixed.push(f),
                Ok(None) => {}
                Err(message) => {
                    eprintln!("error: {message}");
                    report.had_error = true;
                }
            }
        }
        db.trigger_lru_eviction();
    }
    for f in &fixed {
        f.file.set_overlay(&mut *db).to(Some(f.text.clone()));
    }
    let cross = fix_across_modules(db, pool, &target, unsafe_fixes);
    report.hidden = hidden.into_values().sum::<usize>() + cross.hidden;
    let mut fixed: FxHashMap<SourceFile, Fixed> = fixed.into_iter().map(|f| (f.file, f)).collect();
    for change in cross.changes {
        let file = change.file;
        let written = match mode {
            FixMode::Apply if !target.stdin => {
                write_back(file.path(db), &change.before, &change.text)
            }
            _ => Ok(()),
        };
        if let Err(reason) = written {
            // The file stays as its local fixes left it.
            let display = file.display_path(db);
            eprintln!("warning: {display}: cross-module fixes not applied: {reason}");
            file.set_overlay(&mut *db).to(Some(change.before));
            continue;
        }
        let entry = fixed.entry(file).or_insert_with(|| Fixed {
            file,
            original: (mode == FixMode::Diff).then(|| change.before.clone()),
            text: change.text.clone(),
            display_path: file.display_path(db).clone(),
            fixed: Vec::new(),
        });
        entry.text = change.text;
        for (rule, n) in change.fixed {
            match entry.fixed.iter_mut().find(|(r, _)| *r == rule) {
                Some((_, total)) => *total += n,
                None => entry.fixed.push((rule, n)),
            }
        }
        entry.fixed.sort_by_key(|(rule, _)| *rule);
    }
    if target.stdin {
        // Fixed or not, the text to print: the overlay holds either.
        report.stdin_text = target
            .inputs
            .first()
            .and_then(|f| source_text(&*db, *f).ok());
    }
    let mut fixed: Vec<Fixed> = fixed.into_values().collect();
    fixed.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    report.files = fixed
        .into_iter()
        .map(|f| FileFix {
            diff: f
                .original
                .map(|original| unified_diff(&original, &f.text, &f.display_path)),
            display_path: f.display_path,
            fixed: f.fixed,
        })
        .collect();
    report
}

/// `Ok(None)` when there is nothing to fix; `Err` when the file could not be written.
type FileResult = Result<Option<Fixed>, String>;

/// Unsafe fixes that `--unsafe-fixes` would apply.
fn hidden_fixes<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    unsafe_fixes: UnsafeFixes,
) -> usize {
    diagnostics
        .into_iter()
        .filter(|d| d.fix.is_some() && unsafe_fixes.applicable(d).is_none())
        .count()
}

/// Runs the fix loop on one file and writes the result (in `Apply` mode,
/// for a file on disk); and the unsafe fixes left.
fn fix_file(
    db: &PitfallDatabase,
    file: SourceFile,
    mode: FixMode,
    unsafe_fixes: UnsafeFixes,
    stdin: bool,
) -> (FileResult, usize) {
    // Unreadable: PF002 in the report, nothing to fix.
    let Ok(source) = source_text(db, file) else {
        return (Ok(None), 0);
    };
    let settings = file.settings(db);
    let display = file.display_path(db);
    let lint = |text: &str| lint_source(text, settings, display);
    let found = lint(&source);
    if !found.iter().any(|d| unsafe_fixes.applicable(d).is_some()) {
        return (Ok(None), hidden_fixes(&found, unsafe_fixes));
    }
    let outcome = fix_until_stable(&source, found, unsafe_fixes, lint);
    if let Some(failure) = &outcome.failure {
        eprintln!("warning: {display}: {failure}");
    }
    let hidden = hidden_fixes(&outcome.diagnostics, unsafe_fixes);
    let Some(text) = outcome.text else {
        return (Ok(None), hidden);
    };
    if mode == FixMode::Apply && !stdin {
        if let Err(reason) = write_back(file.path(db), &source, &text) {
            // The file stays as it was: report it, keep its findings.
            eprintln!("warning: {display}: not fixed: {reason}");
            return (Ok(None), hidden);
        }
    }
    let fixed = Fixed {
        file,
        original: (mode == FixMode::Diff).then_some(source),
        text: Arc::from(text),
        display_path: display.clone(),
        fixed: outcome.fixed,
    };
    (Ok(Some(fixed)), hidden)
}

/// A file the project phase fixed (not written yet).
struct CrossChange {
    file: SourceFile,
    /// Its text before the project phase: what is on disk in `Apply` mode.
    before: Arc<str>,
    text: Arc<str>,
    /// Findings fixed in this phase: the cross-module ones, and the local
    /// ones their edits gave rise to.
    fixed: Vec<(RuleId, usize)>,
}

#[derive(Default)]
struct CrossOutcome {
    changes: Vec<CrossChange>,
    /// Unsafe cross-module fixes left unapplied.
    hidden: usize,
}

/// A file's cross-module findings with a fix to apply, after suppressions;
/// and how many have an unsafe fix that is not.
fn cross_fixes(
    db: &PitfallDatabase,
    file: SourceFile,
    unsafe_fixes: UnsafeFixes,
) -> (Vec<Diagnostic>, usize) {
    let cross = cross_module_diagnostics(db, file);
    if !cross.iter().any(|d| d.fix.is_some()) {
        return (Vec::new(), 0);
    }
    // The suppressions, as `file_diagnostics` applies them.
    let local = lint_file(db, file);
    release_file(db, file);
    let kept: Vec<&Diagnostic> = cross
        .iter()
        .filter(|d| d.fix.is_some() && local.suppressions.suppressing(d).is_none())
        .collect();
    let hidden = hidden_fixes(kept.iter().copied(), unsafe_fixes);
    let admitted = kept
        .into_iter()
        .filter(|d| unsafe_fixes.applicable(d).is_some())
        .cloned()
        .collect();
    (admitted, hidden)
}

/// The project phase, on every file (the first pass) or on the files the
/// last pass changed: each file is linted (or only summarized) and its
/// tree and index dropped, then the project facts are brought up to date.
fn project_pass(
    db: &PitfallDatabase,
    pool: &rayon::ThreadPool,
    files: &[(SourceFile, bool)],
    target: &FixTarget,
) {
    let handle = db.clone();
    let full_lint = target.then_report;
    pool.install(move || {
        files
            .par_iter()
            .for_each_with(handle, |db, &(file, reported)| {
                if reported && full_lint {
                    lint_file(db, file);
                } else {
                    module_summary(db, file);
                }
                release_file(db, file);
            })
    });
    project_facts(db, target.project);
}

/// Applies the cross-module fixes of the inputs, then the local fixes that
/// follow from them, pass after pass until none is left. Sets the new texts
/// as overlays; the caller writes them.
fn fix_across_modules(
    db: &mut PitfallDatabase,
    pool: &rayon::ThreadPool,
    target: &FixTarget,
    unsafe_fixes: UnsafeFixes,
) -> CrossOutcome {
    // Unbounded: each file's text, tree and index are released as soon as
    // it is linted. With a bound, a pass's new texts (a new revision) would
    // evict the handles the rest of the run still calls, each call then
    // parsing and indexing its file again (and keeping the tree).
    set_lru_capacity(db, 0);
    let mut outcome = CrossOutcome::default();
    let mut changed: FxHashMap<SourceFile, usize> = FxHashMap::default();
    // Files whose fixes failed: left as they are for the rest of the phase.
    let mut left_alone: FxHashSet<SourceFile> = FxHashSet::default();
    let mut relint: Vec<(SourceFile, bool)> = target.files.to_vec();
    for pass in 0..=MAX_FIX_PASSES {
        project_pass(db, pool, &relint, target);
        let handle = db.clone();
        let left = &left_alone;
        let found: Vec<(SourceFile, Vec<Diagnostic>, usize)> = pool.install(move || {
            target
                .inputs
                .par_iter()
                .filter(|file| !left.contains(file))
                .map_with(handle, |db, &file| {
                    let (admitted, hidden) = cross_fixes(db, file, unsafe_fixes);
                    (file, admitted, hidden)
                })
                .filter(|(_, admitted, hidden)| !admitted.is_empty() || *hidden > 0)
                .collect()
        });
        // What is left unapplied is counted on the last pass's findings.
        outcome.hidden = found.iter().map(|(_, _, hidden)| hidden).sum();
        let candidates: Vec<(SourceFile, Vec<Diagnostic>)> = found
            .into_iter()
            .filter(|(_, admitted, _)| !admitted.is_empty())
            .map(|(file, admitted, _)| (file, admitted))
            .collect();
        if candidates.is_empty() {
            return outcome;
        }
        if pass == MAX_FIX_PASSES {
            give_up(db, &mut outcome, &candidates);
            return outcome;
        }
        let handle = db.clone();
        let results: Vec<(SourceFile, Option<Refixed>)> = pool.install(move || {
            candidates
                .into_par_iter()
                .map_with(handle, |db, (file, admitted)| {
                    (file, fix_with(db, file, admitted, unsafe_fixes))
                })
                .collect()
        });
        relint.clear();
        for (file, result) in results {
            let Some(Refixed {
                before,
                text,
                fixed,
            }) = result
            else {
                left_alone.insert(file);
                continue;
            };
            file.set_overlay(&mut *db).to(Some(text.clone()));
            relint.push((file, true));
            match changed.get(&file) {
                Some(&i) => {
                    let change = &mut outcome.changes[i];
                    change.text = text;
                    change.fixed.extend(fixed);
                }
                None => {
                    changed.insert(file, outcome.changes.len());
                    outcome.changes.push(CrossChange {
                        file,
                        before,
                        text,
                        fixed,
                    });
                }
            }
        }
    }
    outcome
}

/// A file's text before and after a pass of the project phase, and what it fixed.
struct Refixed {
    before: Arc<str>,
    text: Arc<str>,
    fixed: Vec<(RuleId, usize)>,
}

/// Applies a file's cross-module fixes, then the local fix loop on the
/// result: the new text before and after, and what was fixed. `None` when
/// nothing changed or a fix failed (with a warning).
fn fix_with(
    db: &PitfallDatabase,
    file: SourceFile,
    admitted: Vec<Diagnostic>,
    unsafe_fixes: UnsafeFixes,
) -> Option<Refixed> {
    let before = source_text(db, file).ok()?;
    let settings = file.settings(db);
    let display = file.display_path(db);
    let lint = |text: &str| lint_source(text, settings, display);
    // The loop counts syntax errors against the ones given: the text's own.
    let mut first = admitted;
    first.extend(
        lint_file(db, file)
            .diagnostics
            .iter()
            .filter(|d| d.rule.meta().code == "PF001")
            .cloned(),
    );
    release_file(db, file);
    let outcome = fix_until_stable(&before, first, unsafe_fixes, lint);
    if let Some(failure) = &outcome.failure {
        eprintln!("warning: {display}: {failure}");
    }
    let text = outcome.text?;
    Some(Refixed {
        before,
        text: Arc::from(text),
        fixed: outcome.fixed,
    })
}

/// The project phase did not settle: the files still finding fixes go back
/// to their text before it, with a warning.
fn give_up(
    db: &mut PitfallDatabase,
    outcome: &mut CrossOutcome,
    candidates: &[(SourceFile, Vec<Diagnostic>)],
) {
    for (file, admitted) in candidates {
        let rules = admitted.iter().map(|d| d.rule).collect();
        let failure = FixFailure::NotConverged { rules };
        eprintln!("warning: {}: {failure}", file.display_path(&*db));
        if let Some(i) = outcome.changes.iter().position(|c| c.file == *file) {
            let change = outcome.changes.remove(i);
            file.set_overlay(&mut *db).to(Some(change.before));
        }
    }
}

/// Writes `text` over the file `source` was read from, in the file's
/// encoding. Refuses when the file changed since it was read or the
/// encoding cannot hold the text.
fn write_back(path: &Path, source: &str, text: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("failed to read it again: {e}"))?;
    if decode_source(bytes.clone()).ok().as_deref() != Some(source) {
        return Err("it changed while it was being checked".to_string());
    }
    let encoded = encode_source(&bytes, text)?;
    std::fs::write(path, encoded).map_err(|e| format!("failed to write it: {e}"))
}

/// `--- path` / `+++ path` and the hunks, with three lines of context.
fn unified_diff(old: &str, new: &str, display: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    let mut unified = diff.unified_diff();
    unified.header(display, display);
    out.push_str(&unified.to_string());
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `--diff`: every diff on standard output, and a summary on standard error.
pub fn write_diffs(out: &mut dyn Write, report: &FixReport) -> std::io::Result<()> {
    for file in &report.files {
        if let Some(diff) = &file.diff {
            writeln!(out, "{diff}")?;
        }
    }
    Ok(())
}

/// `--show-fixes`: the fixes applied, per file and rule, as ruff prints them.
pub fn write_fix_summary(out: &mut dyn Write, report: &FixReport) -> std::io::Result<()> {
    let total = report.fixed_count();
    if total == 0 {
        return Ok(());
    }
    writeln!(out, "Fixed {}:", plural(total, "problem"))?;
    for file in &report.files {
        writeln!(out, "- {}:", file.display_path)?;
        for (rule, n) in &file.fixed {
            let meta = rule.meta();
            writeln!(out, "    {n} × {} ({})", meta.code, meta.name)?;
        }
    }
    Ok(())
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
