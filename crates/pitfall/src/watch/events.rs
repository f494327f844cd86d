//! File-system events, debounced: an editor's save is several events
//! (truncate, write, rename, metadata), a `git checkout` hundreds; they are
//! gathered until the tree has been quiet for [`QUIET`], then handed over
//! as one batch of paths.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use notify::{EventKind, RecursiveMode, Watcher as _};

/// How long the tree must be quiet before a batch is checked.
pub const QUIET: Duration = Duration::from_millis(50);
/// A batch is checked after this long even if events keep coming.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// What changed since the last batch.
#[derive(Default)]
pub struct Batch {
    pub paths: BTreeSet<PathBuf>,
    /// Events were lost (the kernel's queue overflowed): look at everything.
    pub rescan: bool,
}

pub struct Events {
    /// Kept alive: dropping it stops the watching.
    _watcher: notify::RecommendedWatcher,
    receiver: Receiver<notify::Result<notify::Event>>,
}

impl Events {
    /// Watches `dirs` recursively and `files` through their directories.
    /// Returns the errors of the paths that could not be watched.
    pub fn watch(dirs: &[PathBuf], files: &[PathBuf]) -> Result<(Events, Vec<String>), String> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })
        .map_err(|e| format!("cannot watch for file changes: {e}"))?;
        let mut errors = Vec::new();
        let mut watched: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        // A directory inside one already watched recursively is covered.
        let covered = |watched: &[(PathBuf, RecursiveMode)], path: &Path| {
            watched.iter().any(|(w, mode)| {
                path == w || (*mode == RecursiveMode::Recursive && path.starts_with(w))
            })
        };
        let mut dirs: Vec<&PathBuf> = dirs.iter().collect();
        dirs.sort_by_key(|d| d.components().count());
        for dir in dirs {
            if covered(&watched, dir) {
                continue;
            }
            match watcher.watch(dir, RecursiveMode::Recursive) {
                Ok(()) => watched.push((dir.clone(), RecursiveMode::Recursive)),
                Err(e) => errors.push(format!("cannot watch {}: {e}", dir.display())),
            }
        }
        for file in files {
            // Editors replace files by renaming: watch the directory.
            let Some(dir) = file.parent() else { continue };
            if covered(&watched, dir) {
                continue;
            }
            match watcher.watch(dir, RecursiveMode::NonRecursive) {
                Ok(()) => watched.push((dir.to_path_buf(), RecursiveMode::NonRecursive)),
                Err(e) => errors.push(format!("cannot watch {}: {e}", dir.display())),
            }
        }
        if watched.is_empty() {
            return Err(match errors.pop() {
                Some(e) => e,
                None => "nothing to watch".to_string(),
            });
        }
        Ok((
            Events {
                _watcher: watcher,
                receiver,
            },
            errors,
        ))
    }

    /// Blocks until something changes, then gathers the burst.
    pub fn next_batch(&self) -> Option<Batch> {
        let mut batch = Batch::default();
        let first = self.receiver.recv().ok()?;
        add(&mut batch, first);
        let started = Instant::now();
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match self.receiver.recv_timeout(QUIET.min(left)) {
                Ok(event) => add(&mut batch, event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(batch)
    }
}

fn add(batch: &mut Batch, event: notify::Result<notify::Event>) {
    match event {
        Ok(event) => {
            if event.need_rescan() {
                batch.rescan = true;
            }
            // Reads tell nothing; every other kind may change a file's text
            // or the set of files (a chmod can make one unreadable).
            if !matches!(event.kind, EventKind::Access(_)) {
                batch.paths.extend(event.paths);
            }
        }
        Err(_) => batch.rescan = true,
    }
}
