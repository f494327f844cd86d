use std::path::Path;
use std::sync::{Arc, Mutex};

use pitfall_linter::checker::LintInput;
use pitfall_linter::diagnostic::split_deferred;
use pitfall_linter::pipeline::{
    blocking_options, check_parsed, excess_nesting, parse, too_complex_diagnostic, walks_tree,
};
use pitfall_linter::sized::exact;
use pitfall_linter::summary::{self, ModuleInterface, ModuleSummary, SummaryNeeds};
use pitfall_linter::suppression::SuppressionTable;
use pitfall_linter::{Diagnostic, DocCoverage, RuleId};
use pitfall_semantic::SemanticIndex;
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::db::{Db, SourceFile};

/// What a file's parse yields.
pub enum ParseOutcome {
    Parsed(Arc<Parsed<ModModule>>),
    /// The text could not be read or decoded.
    Unreadable(String),
    /// Nested deeper than the analyser allows.
    TooDeep(usize),
}

/// A handle on a file's parse. The tree is kept until [`ParsedModule::clear`]
/// and re-parsed on demand after that: a one-shot run drops each tree on the
/// worker that linted it (instead of at the next LRU eviction, serially),
/// and re-parsing yields the same tree, so the query stays pure.
#[derive(Clone)]
pub struct ParsedModule(Arc<ParsedInner>);

struct ParsedInner {
    file: SourceFile,
    is_stub: bool,
    kind: ParseKind,
    tree: Mutex<Option<Arc<Parsed<ModModule>>>>,
}

enum ParseKind {
    Source,
    Unreadable(String),
    TooDeep(usize),
}

impl ParsedModule {
    pub fn load(&self, db: &dyn Db) -> ParseOutcome {
        match &self.0.kind {
            ParseKind::Unreadable(e) => ParseOutcome::Unreadable(e.clone()),
            ParseKind::TooDeep(depth) => ParseOutcome::TooDeep(*depth),
            ParseKind::Source => {
                let mut tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(parsed) = &*tree {
                    return ParseOutcome::Parsed(parsed.clone());
                }
                let text = source_text(db, self.0.file).unwrap_or_else(|_| Arc::from(""));
                let parsed = Arc::new(parse(&text, self.0.is_stub));
                *tree = Some(parsed.clone());
                ParseOutcome::Parsed(parsed)
            }
        }
    }

    /// Drops the tree; the next [`load`](Self::load) parses again.
    pub fn clear(&self) {
        if let Ok(mut tree) = self.0.tree.lock() {
            drop_tree(tree.take());
        }
    }
}

impl Drop for ParsedInner {
    fn drop(&mut self) {
        if let Ok(tree) = self.tree.get_mut() {
            drop_tree(tree.take());
        }
    }
}

/// Dropping a tree recurses as deep as it is: give it the stack it needs.
fn drop_tree(tree: Option<Arc<Parsed<ModModule>>>) {
    if let Some(tree) = tree {
        let len = tree.tokens().last().map_or(0, |t| t.end().to_usize());
        pitfall_semantic::stack::drop_deep(tree, len);
    }
}

impl PartialEq for ParsedModule {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ParsedModule {}

/// How many texts and indexes stay in memory after an LRU eviction (the
/// editor keeps this many warm). The one-shot CLI lowers it and evicts
/// between batches of files (see `pitfall check`), so its memory is bounded
/// by a batch, not by the project.
pub const LRU_CAPACITY: usize = 128;

/// Reads a file as Python does: UTF-8, or the encoding its PEP 263 cookie
/// declares (`# -*- coding: koi8-r -*-`). `Err` (an I/O error, or bytes that
/// do not decode) becomes a PF002 diagnostic, not a failure of the run.
pub fn read_source(path: &Path) -> Result<Arc<str>, String> {
    if let Some(text) = read_utf8_in_place(path) {
        return Ok(text);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("Failed to read file: {e}"))?;
    decode_source(bytes)
}

/// A regular file read straight into the allocation the text keeps, when
/// it is UTF-8 (nearly always): no second buffer, no copy, and no zeroing
/// of the buffer before the read fills it. `None` sends everything else
/// (errors, other encodings, a file changing size while read, special
/// files) to the general path.
fn read_utf8_in_place(path: &Path) -> Option<Arc<str>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    let len = usize::try_from(metadata.len()).ok()?;
    let bytes = read_exact_uninit(&mut file, len)?;
    // The file grew since its length was read.
    if file.read(&mut [0u8; 1]).ok()? != 0 {
        return None;
    }
    std::str::from_utf8(&bytes).ok()?;
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the
    // layout of `[u8]`, so the pointer is a valid `Arc<str>`'s.
    Some(unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) })
}

/// Exactly `len` bytes of `file`, read into a fresh allocation that is not
/// zeroed first (the read overwrites all of it). `None` when the file
/// ends early or a read fails.
#[cfg(unix)]
fn read_exact_uninit(file: &mut std::fs::File, len: usize) -> Option<Arc<[u8]>> {
    use std::os::fd::AsRawFd;
    let mut bytes: Arc<[std::mem::MaybeUninit<u8>]> = Arc::new_uninit_slice(len);
    let buffer = Arc::get_mut(&mut bytes)?;
    let mut filled = 0;
    while filled < len {
        let rest = &mut buffer[filled..];
        // SAFETY: `rest` is writable memory of `rest.len()` bytes, and
        // `read` writes at most that many into it.
        let n = unsafe { libc::read(file.as_raw_fd(), rest.as_mut_ptr().cast(), rest.len()) };
        match n {
            0 => return None,
            n if n > 0 => filled += n as usize,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => return None,
        }
    }
    // SAFETY: all `len` bytes were written by `read` above.
    Some(unsafe { bytes.assume_init() })
}

#[cfg(not(unix))]
fn read_exact_uninit(file: &mut std::fs::File, len: usize) -> Option<Arc<[u8]>> {
    use std::io::Read;
    // SAFETY: zeroed bytes are initialized `u8`s.
    let mut bytes: Arc<[u8]> = unsafe { Arc::new_zeroed_slice(len).assume_init() };
    file.read_exact(Arc::get_mut(&mut bytes)?).ok()?;
    Some(bytes)
}

/// Decodes source bytes (a file's, or standard input's) as [`read_source`] does.
pub fn decode_source(bytes: Vec<u8>) -> Result<Arc<str>, String> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            decode_declared(e.as_bytes()).ok_or_else(|| {
                format!(
                    "File is not valid UTF-8 (invalid byte at offset {valid_up_to}) and declares no encoding that decodes it; not checked"
                )
            })
        }
    }
}

/// Decodes with the encoding named by a coding cookie in the first two lines.
fn decode_declared(bytes: &[u8]) -> Option<Arc<str>> {
    let encoding = declared_encoding(bytes)?;
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    (!had_errors).then(|| Arc::from(text.as_ref()))
}

/// The encoding a coding cookie in the first two lines names.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let label = bytes
        .split(|b| *b == b'\n')
        .take(2)
        .find_map(coding_cookie)?;
    let normalized = label.to_ascii_lowercase().replace('_', "-");
    let normalized = match normalized.as_str() {
        "latin-1" | "iso-latin-1" => "latin1",
        other => other,
    };
    encoding_rs::Encoding::for_label(normalized.as_bytes())
}

/// Encodes `text` (a fixed version of the source `original` decoded to) the
/// way `original` was: UTF-8 as it is (a BOM is part of the text), or in
/// the encoding its coding cookie declares. `Err` when that encoding cannot
/// represent the text, or would not give back the original bytes for the
/// original text: then the file must not be written.
pub fn encode_source(original: &[u8], text: &str) -> Result<Vec<u8>, String> {
    if std::str::from_utf8(original).is_ok() {
        return Ok(text.as_bytes().to_vec());
    }
    let encoding = declared_encoding(original)
        .ok_or("the file is neither UTF-8 nor in a declared encoding")?;
    let name = encoding.name();
    if encoding.output_encoding() != encoding {
        return Err(format!("pitfall cannot write {name}"));
    }
    let encode = |text: &str| {
        let (bytes, _, unmappable) = encoding.encode(text);
        (!unmappable).then(|| bytes.into_owned())
    };
    let (decoded, _) = encoding.decode_without_bom_handling(original);
    if encode(&decoded).as_deref() != Some(original) {
        return Err(format!("its {name} bytes do not survive a round trip"));
    }
    encode(text).ok_or_else(|| format!("the fixed text has characters {name} cannot represent"))
}

/// `coding[:=]\s*([-\w.]+)` in a comment line (PEP 263).
fn coding_cookie(line: &[u8]) -> Option<String> {
    let line = std::str::from_utf8(line).ok()?;
    let comment = line.trim_start().strip_prefix('#')?;
    let at = comment.find("coding")?;
    let rest = comment[at + "coding".len()..].strip_prefix([':', '='])?;
    let name: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_declared_encodings() {
        let latin1 = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n";
        assert_eq!(
            &*decode_declared(latin1).unwrap(),
            "# -*- coding: latin-1 -*-\nname = '\u{e9}t\u{e9}'\n"
        );
        let koi8 = b"#!/usr/bin/env python\n# coding=koi8-r\nx = '\xf0'\n";
        assert!(decode_declared(koi8).is_some());
        assert!(decode_declared(b"x = '\xf6'\n").is_none(), "no cookie");
        assert!(
            decode_declared(b"\n\n# coding: latin-1\nx = '\xf6'\n").is_none(),
            "cookie too late"
        );
    }

    #[test]
    fn reads_utf8_and_declared_encodings() {
        let dir = std::env::temp_dir().join(format!("pitfall-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let utf8 = dir.join("utf8.py");
        std::fs::write(&utf8, "\u{feff}name = '\u{e9}t\u{e9}'\n").unwrap();
        assert_eq!(
            &*read_source(&utf8).unwrap(),
            "\u{feff}name = '\u{e9}t\u{e9}'\n"
        );
        let empty = dir.join("empty.py");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(&*read_source(&empty).unwrap(), "");
        let latin1 = dir.join("latin1.py");
        std::fs::write(&latin1, b"# coding: latin-1\nx = '\xe9'\n").unwrap();
        assert_eq!(
            &*read_source(&latin1).unwrap(),
            "# coding: latin-1\nx = '\u{e9}'\n"
        );
        std::fs::write(&latin1, b"x = '\xe9'\n").unwrap();
        assert!(read_source(&latin1).is_err(), "neither UTF-8 nor declared");
        assert!(read_source(&dir.join("missing.py")).is_err());
        assert!(read_source(&dir).is_err(), "a directory");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encodes_back_in_the_declared_encoding() {
        let latin1 = b"# coding: latin-1\nname = '\xe9t\xe9'\n";
        let text = decode_declared(latin1).unwrap();
        let fixed = text.replace("name", "nom");
        assert_eq!(
            encode_source(latin1, &fixed).unwrap(),
            b"# coding: latin-1\nnom = '\xe9t\xe9'\n"
        );
        assert!(
            encode_source(latin1, &format!("{fixed}x = '\u{4e2d}'\n")).is_err(),
            "not representable in latin-1"
        );
        let bom = "\u{feff}x = 1\n";
        assert_eq!(
            encode_source(bom.as_bytes(), "\u{feff}y = 1\n").unwrap(),
            "\u{feff}y = 1\n".as_bytes()
        );
    }
}

/// A query value that a one-shot run drops as soon as its file is done
/// ([`release_file`], on the worker that linted it), so that memory is
/// bounded by the files in flight without LRU evictions (which need the
/// whole database, a barrier between batches). Asked for after that, it is
/// computed again from the same inputs: the query stays a pure function of
/// them. Two handles are equal when their values are (salsa backdates on
/// that); a released value compares unequal, which costs a recomputation,
/// never a wrong answer.
pub struct Reloadable<T>(Arc<ReloadableInner<T>>);

struct ReloadableInner<T> {
    file: SourceFile,
    compute: fn(&dyn Db, SourceFile) -> T,
    value: Mutex<Option<Arc<T>>>,
}

impl<T> Clone for Reloadable<T> {
    fn clone(&self) -> Self {
        Reloadable(self.0.clone())
    }
}

impl<T> Reloadable<T> {
    fn new(db: &dyn Db, file: SourceFile, compute: fn(&dyn Db, SourceFile) -> T) -> Self {
        let value = Arc::new(compute(db, file));
        Reloadable(Arc::new(ReloadableInner {
            file,
            compute,
            value: Mutex::new(Some(value)),
        }))
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<T>>> {
        self.0.value.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, db: &dyn Db) -> Arc<T> {
        let mut slot = self.slot();
        if let Some(value) = &*slot {
            return value.clone();
        }
        let value = Arc::new((self.0.compute)(db, self.0.file));
        *slot = Some(value.clone());
        value
    }

    /// Drops the value (here, unless someone else still holds it).
    pub fn release(&self) {
        let value = self.slot().take();
        drop(value);
    }

    fn current(&self) -> Option<Arc<T>> {
        self.slot().clone()
    }
}

impl<T: PartialEq> PartialEq for Reloadable<T> {
    fn eq(&self, other: &Self) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        match (self.current(), other.current()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl<T: Eq> Eq for Reloadable<T> {}

fn read_text(db: &dyn Db, file: SourceFile) -> Result<Arc<str>, String> {
    let _ = file.revision(db);
    match file.overlay(db) {
        Some(text) => Ok(text.clone()),
        None => read_source(file.path(db)),
    }
}

#[salsa::tracked(returns(clone), lru = 128)]
pub fn source_text_handle(db: &dyn Db, file: SourceFile) -> Reloadable<Result<Arc<str>, String>> {
    Reloadable::new(db, file, read_text)
}

/// The text of a file, read again on demand after [`release_file`] (or an
/// LRU eviction).
pub fn source_text(db: &dyn Db, file: SourceFile) -> Result<Arc<str>, String> {
    (*source_text_handle(db, file).get(db)).clone()
}

fn is_stub(db: &dyn Db, file: SourceFile) -> bool {
    file.path(db).extension().is_some_and(|e| e == "pyi")
}

/// Parses a file (error-resilient, with a grown stack for deep nesting)
/// and measures its nesting from the tokens: deeper than
/// [`MAX_NESTING`](pitfall_linter::pipeline::MAX_NESTING) is
/// PF003, since our own walks recurse.
#[salsa::tracked(returns(clone), no_eq)]
pub fn parsed_module(db: &dyn Db, file: SourceFile) -> ParsedModule {
    let is_stub = is_stub(db, file);
    let (kind, tree) = match source_text(db, file) {
        Err(error) => (ParseKind::Unreadable(error), None),
        Ok(text) => {
            let parsed = parse(&text, is_stub);
            if let Some(depth) = excess_nesting(parsed.tokens()) {
                (ParseKind::TooDeep(depth), None)
            } else {
                (ParseKind::Source, Some(Arc::new(parsed)))
            }
        }
    };
    ParsedModule(Arc::new(ParsedInner {
        file,
        is_stub,
        kind,
        tree: Mutex::new(tree),
    }))
}

fn build_index(db: &dyn Db, file: SourceFile) -> SemanticIndex {
    match parsed_module(db, file).load(db) {
        ParseOutcome::Parsed(p) => pitfall_semantic::build_index(p.syntax()),
        _ => SemanticIndex::default(),
    }
}

#[salsa::tracked(returns(clone), lru = 128)]
pub fn semantic_index_handle(db: &dyn Db, file: SourceFile) -> Reloadable<SemanticIndex> {
    Reloadable::new(db, file, build_index)
}

/// The semantic index of a file, built again on demand after
/// [`release_file`] (or an LRU eviction).
pub fn semantic_index(db: &dyn Db, file: SourceFile) -> Arc<SemanticIndex> {
    semantic_index_handle(db, file).get(db)
}

/// Drops a file's text, tree and index: a one-shot run calls it on the
/// worker that linted the file, once its findings are rendered. The small
/// results (summaries, findings) stay; the rest is rebuilt if asked for.
pub fn release_file(db: &dyn Db, file: SourceFile) {
    parsed_module(db, file).clear();
    // Asking for the handle builds the index: only when it was built.
    if needs_index(db, file) {
        semantic_index_handle(db, file).release();
    }
    source_text_handle(db, file).release();
}

/// Whether the rules' walk or the summary reads the file's semantic index
/// (the only readers: with neither, it is never built).
fn needs_index(db: &dyn Db, file: SourceFile) -> bool {
    walks_tree(file.settings(db))
        || crate::needs::summary_needs(db, file).contains(SummaryNeeds::DEFINITIONS)
}

/// Per function: async?, direct effects, calls out; the module's names and
/// imports; and the positions of all of it. `Eq`, so an edit that keeps it
/// unchanged stops here.
#[salsa::tracked(returns(clone))]
pub fn module_summary(db: &dyn Db, file: SourceFile) -> Arc<ModuleSummary> {
    let needs = crate::needs::summary_needs(db, file);
    // No enabled rule reads summaries: no index for one.
    if !needs.contains(SummaryNeeds::DEFINITIONS) {
        return Arc::default();
    }
    let index = semantic_index(db, file);
    if index.scopes.is_empty() {
        return Arc::default();
    }
    let text = source_text(db, file).unwrap_or_else(|_| Arc::from(""));
    Arc::new(summary::summarize(
        &index,
        &text,
        &blocking_options(file.settings(db)),
        needs,
    ))
}

/// The position-free half of the summary: what the project fixpoint reads.
/// An edit that only moves code changes the summary but not this.
#[salsa::tracked(returns(clone))]
pub fn module_interface(db: &dyn Db, file: SourceFile) -> Arc<ModuleInterface> {
    module_summary(db, file).interface.clone()
}

/// The findings of the local rules (one AST walk), after suppressions, and
/// the suppressions for the cross-module findings. Depends on this file only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostics {
    pub diagnostics: Vec<Diagnostic>,
    pub suppressions: SuppressionTable,
    /// PF906's docstring counts, when `min-coverage` is configured.
    pub doc_coverage: Option<DocCoverage>,
    /// Findings that hold only if the project confirms them (see
    /// `Diagnostic::condition`): the cross-module phase decides.
    pub deferred: Vec<Diagnostic>,
}

#[salsa::tracked(returns(clone))]
pub fn lint_file(db: &dyn Db, file: SourceFile) -> Arc<FileDiagnostics> {
    let mut suppressions = SuppressionTable::default();
    let mut doc_coverage = None;
    let mut deferred = Vec::new();
    let parsed = parsed_module(db, file);
    let diagnostics = match parsed.load(db) {
        ParseOutcome::Unreadable(error) => {
            let rule = RuleId::from_code("PF002").expect("PF002 is registered");
            vec![Diagnostic::new(
                rule,
                error,
                TextRange::empty(TextSize::new(0)),
            )]
        }
        ParseOutcome::TooDeep(depth) => vec![too_complex_diagnostic(depth)],
        ParseOutcome::Parsed(p) => {
            let text = source_text(db, file).expect("parsed text");
            let text: &str = &text;
            let settings = file.settings(db);
            // No index when no rule walks (`check_parsed` skips the walk).
            let index = if walks_tree(settings) {
                semantic_index(db, file)
            } else {
                Arc::default()
            };
            let summary = module_summary(db, file);
            let found = check_parsed(
                &p,
                &LintInput {
                    source: text,
                    module: p.syntax(),
                    semantic: &index,
                    summary: &summary,
                    settings,
                    display_path: file.display_path(db),
                    is_stub: parsed.0.is_stub,
                },
            );
            suppressions = found.suppressions;
            doc_coverage = found.doc_coverage;
            let (confirmed, pending) = split_deferred(found.diagnostics);
            deferred = pending;
            confirmed
        }
    };
    // Kept until the run ends: no spare capacity (deferred candidates
    // outnumber findings ten to one with the default rules).
    Arc::new(FileDiagnostics {
        diagnostics: exact(enabled_only(db, file, diagnostics)),
        suppressions,
        doc_coverage,
        deferred: exact(deferred),
    })
}

pub(crate) fn enabled_only(
    db: &dyn Db,
    file: SourceFile,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let enabled = file.settings(db).rules;
    diagnostics
        .into_iter()
        .filter(|d| enabled.contains(d.rule) || d.rule.meta().code == "PF001")
        .collect()
}

/// How many parses and indexes to keep after each LRU eviction. A one-shot
/// run lowers it to keep memory bounded by the files in flight.
pub fn set_lru_capacity(db: &mut dyn Db, capacity: usize) {
    source_text_handle::set_lru_capacity(db, capacity);
    semantic_index_handle::set_lru_capacity(db, capacity);
}
