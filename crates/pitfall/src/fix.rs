//! `check --fix`, `--diff`, `--fix-only`: run the fix loop
//! (`pitfall_linter::fix`) on every file with a fix to apply, write the
//! results back in the file's own encoding (or render a diff), and leave
//! the fixed texts in the database as overlays, so that the normal report
//! that follows shows the findings that remain.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use pitfall_db::{decode_source, encode_source, source_text, PitfallDatabase, SourceFile};
use pitfall_linter::pipeline::lint_source;
use pitfall_linter::{fix_until_stable, RuleId, UnsafeFixes};
use rayon::prelude::*;
use salsa::{Database as _, Setter};

/// What to do with the fixed texts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Write them back (`--fix`, `--fix-only`).
    Apply,
    /// Print a unified diff and write nothing (`--diff`).
    Diff,
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

/// The fix loop's result for one file, before it is written.
struct Fixed {
    file: SourceFile,
    text: Arc<str>,
    fix: FileFix,
}

/// Fixes every input (`stdin` when the only input is standard input) and
/// sets the fixed texts as the inputs' overlays.
pub fn run(
    db: &mut PitfallDatabase,
    pool: &rayon::ThreadPool,
    inputs: &[SourceFile],
    mode: FixMode,
    unsafe_fixes: UnsafeFixes,
    stdin: bool,
) -> FixReport {
    let mut report = FixReport::default();
    let mut fixed: Vec<Fixed> = Vec::new();
    // Texts are read through the database (evicted batch by batch), but the
    // fix loop lints outside it: no tree or index stays memoized to weigh on
    // the report that follows, which lints the fixed texts afresh.
    let batch_size = crate::check::BATCH_PER_THREAD * pool.current_num_threads();
    for batch in inputs.chunks(batch_size) {
        let handle = db.clone();
        let results: Vec<(FileResult, usize)> = pool.install(move || {
            batch
                .par_iter()
                .map_with(handle, |db, file| {
                    fix_file(db, *file, mode, unsafe_fixes, stdin)
                })
                .collect()
        });
        for (result, hidden) in results {
            report.hidden += hidden;
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
    if stdin {
        report.stdin_text = match fixed.first() {
            Some(f) => Some(f.text.clone()),
            None => inputs.first().and_then(|f| source_text(&*db, *f).ok()),
        };
    }
    for f in fixed {
        f.file.set_overlay(&mut *db).to(Some(f.text));
        report.files.push(f.fix);
    }
    report
        .files
        .sort_by(|a, b| a.display_path.cmp(&b.display_path));
    report
}

/// `Ok(None)` when there is nothing to fix; `Err` when the file could not be written.
type FileResult = Result<Option<Fixed>, String>;

/// Unsafe fixes that `--unsafe-fixes` would apply.
fn hidden_fixes(diagnostics: &[pitfall_linter::Diagnostic], unsafe_fixes: UnsafeFixes) -> usize {
    diagnostics
        .iter()
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
    let path = file.path(db);
    let diff = match mode {
        FixMode::Diff => Some(unified_diff(&source, &text, display)),
        FixMode::Apply if !stdin => {
            if let Err(reason) = write_back(path, &source, &text) {
                // The file stays as it was: report it, keep its findings.
                eprintln!("warning: {display}: not fixed: {reason}");
                return (Ok(None), hidden);
            }
            None
        }
        FixMode::Apply => None,
    };
    let fixed = Fixed {
        file,
        text: Arc::from(text),
        fix: FileFix {
            display_path: display.clone(),
            fixed: outcome.fixed,
            diff,
        },
    };
    (Ok(Some(fixed)), hidden)
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
