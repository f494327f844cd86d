//! What watch mode has shown, and what it prints when that changes.
//!
//! A finding is identified by its file, rule, message and flagged text, not
//! by its position: lines added above a finding move it without making it
//! new. Each re-check prints the findings that appeared and the ones that
//! went away, then a summary line.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use pitfall_linter::{RuleId, UnsafeFixes};
use rustc_hash::FxHashMap;

use crate::args::OutputFormat;
use crate::fix::plural;
use crate::output::{json_record, Message, Printer};

/// Whether a finding appeared or went away.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Change {
    New,
    Fixed,
}

/// The findings shown for each reported file.
#[derive(Default)]
pub struct Shown {
    files: FxHashMap<PathBuf, Vec<Message>>,
}

type Identity<'a> = (RuleId, &'a str, &'a str);

fn identity(m: &Message) -> Identity<'_> {
    let flagged = m.lines.text.get(m.lines.span.clone()).unwrap_or("");
    (m.rule, m.message.as_str(), flagged)
}

/// The positions of the messages of `from` that `other` has no match for
/// (as multisets: two equal findings need two matches).
fn unmatched(from: &[Message], other: &[Message]) -> Vec<usize> {
    let mut left: FxHashMap<Identity, usize> = FxHashMap::default();
    for m in other {
        *left.entry(identity(m)).or_default() += 1;
    }
    (0..from.len())
        .filter(|&i| match left.get_mut(&identity(&from[i])) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// One re-check's changes, ready to print.
#[derive(Default)]
pub struct Changes {
    pub fixed: Vec<Message>,
    pub new: Vec<Message>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.new.is_empty()
    }
}

impl Shown {
    /// Replaces what is shown for `path` (an empty list: the file is gone
    /// or clean) and records the difference in `changes`.
    pub fn update(&mut self, path: PathBuf, messages: Vec<Message>, changes: &mut Changes) {
        let old = self.files.remove(&path).unwrap_or_default();
        let gone = unmatched(&old, &messages);
        let new = unmatched(&messages, &old);
        let mut old: Vec<Option<Message>> = old.into_iter().map(Some).collect();
        changes
            .fixed
            .extend(gone.into_iter().filter_map(|i| old[i].take()));
        changes
            .new
            .extend(new.into_iter().map(|i| messages[i].clone()));
        if !messages.is_empty() {
            self.files.insert(path, messages);
        }
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }

    pub fn problem_count(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

fn sort(messages: &mut [Message]) {
    messages.sort_by(|a, b| {
        (&a.display_path, a.start, a.rule).cmp(&(&b.display_path, b.start, b.rule))
    });
}

/// How a run's changes are written.
pub struct Reporter {
    pub format: OutputFormat,
    pub color: bool,
    pub unsafe_fixes: UnsafeFixes,
    pub quiet: bool,
}

impl Reporter {
    /// Writes the changes: in `full`, each new finding drawn as `check`
    /// draws it and each fixed one as a `- path:row:col: CODE message`
    /// line; in `concise`, `+ ` and `- ` lines; in `json-lines`, the
    /// records with `"change": "new"` or `"fixed"`. `initial`: the first
    /// run, printed exactly as `check` prints.
    pub fn write(
        &self,
        out: &mut dyn Write,
        changes: &mut Changes,
        initial: bool,
    ) -> io::Result<()> {
        sort(&mut changes.fixed);
        sort(&mut changes.new);
        let printer = Printer {
            format: self.format,
            color: self.color,
            unsafe_fixes: self.unsafe_fixes,
        };
        match self.format {
            OutputFormat::JsonLines => {
                for (change, m) in changes
                    .fixed
                    .iter()
                    .map(|m| (Change::Fixed, m))
                    .chain(changes.new.iter().map(|m| (Change::New, m)))
                {
                    let mut record = json_record(m);
                    if let Some(fields) = record.as_object_mut() {
                        let change = match change {
                            Change::New => "new",
                            Change::Fixed => "fixed",
                        };
                        fields.insert("change".to_string(), change.into());
                    }
                    serde_json::to_writer(&mut *out, &record)?;
                    writeln!(out)?;
                }
                Ok(())
            }
            _ if initial => printer.write(out, &changes.new),
            format => {
                for m in &changes.fixed {
                    let code = m.rule.meta().code;
                    writeln!(
                        out,
                        "- {}:{}:{}: {code} {}",
                        m.display_path, m.start.row, m.start.column, m.message
                    )?;
                }
                if format == OutputFormat::Concise {
                    let mut lines = Vec::new();
                    printer.write(&mut lines, &changes.new)?;
                    for line in String::from_utf8_lossy(&lines).lines() {
                        writeln!(out, "+ {line}")?;
                    }
                    Ok(())
                } else {
                    printer.write(out, &changes.new)
                }
            }
        }
    }

    /// The summary line: what changed, where the project stands, how long
    /// the re-check took. On standard error for `json-lines` (its standard
    /// output is records only).
    pub fn summary(
        &self,
        out: &mut dyn Write,
        changes: &Changes,
        shown: &Shown,
        checked: usize,
        elapsed: Duration,
        initial: bool,
    ) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let problems = shown.problem_count();
        let state = if problems == 0 {
            format!("all checks passed ({} checked)", plural(checked, "file"))
        } else {
            format!(
                "{} in {} ({} checked)",
                plural(problems, "problem"),
                plural(shown.file_count(), "file"),
                plural(checked, "file")
            )
        };
        let ms = elapsed.as_millis();
        let line = if initial {
            let state = if problems == 0 {
                format!("All checks passed! ({} checked)", plural(checked, "file"))
            } else {
                format!("Found {state}")
            };
            format!("{state} in {ms} ms; watching for changes (Ctrl-C to stop).")
        } else if changes.is_empty() {
            format!("No new or fixed findings: {state}, re-checked in {ms} ms.")
        } else {
            format!(
                "{} new, {} fixed: {state}, re-checked in {ms} ms.",
                changes.new.len(),
                changes.fixed.len()
            )
        };
        if self.format == OutputFormat::JsonLines {
            // The records first, then what they add up to.
            out.flush()?;
            // Standard error may be closed; that is no reason to stop.
            let _ = writeln!(io::stderr(), "{line}");
            Ok(())
        } else {
            writeln!(out, "{line}")
        }
    }
}
