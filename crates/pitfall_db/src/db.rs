use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pitfall_linter::LinterSettings;

/// One Python file. Its text is not an input: `source_text` reads it (from
/// `overlay` when set, else from disk), so that it can be evicted from memory
/// and read again. Whoever changes a file bumps `revision`.
#[salsa::input]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    /// The path as shown to the user (relative to the working directory).
    #[returns(ref)]
    pub display_path: String,
    /// In-memory contents (an editor buffer, standard input, a test).
    #[returns(ref)]
    pub overlay: Option<Arc<str>>,
    /// Changes whenever the file on disk changes.
    pub revision: u64,
    #[returns(ref)]
    pub settings: Arc<LinterSettings>,
}

#[salsa::db]
pub trait Db: salsa::Database {}

/// The database. Cloning gives another handle on the same storage, one per
/// worker thread.
#[salsa::db]
#[derive(Clone)]
pub struct PitfallDatabase {
    storage: salsa::Storage<Self>,
    /// Names of the queries that executed (not reused), when logging is on.
    executed: Option<Arc<Mutex<Vec<String>>>>,
}

impl Default for PitfallDatabase {
    fn default() -> Self {
        PitfallDatabase {
            storage: salsa::Storage::new(None),
            executed: None,
        }
    }
}

impl PitfallDatabase {
    /// A database that records which queries execute, for incrementality tests.
    pub fn with_execution_log() -> Self {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = log.clone();
        PitfallDatabase {
            storage: salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
                if let salsa::EventKind::WillExecute { database_key } = event.kind {
                    if let Ok(mut log) = sink.lock() {
                        log.push(format!("{database_key:?}"));
                    }
                }
            }))),
            executed: Some(log),
        }
    }

    /// The queries executed since the last call (empty when logging is off).
    pub fn take_executed(&self) -> Vec<String> {
        match &self.executed {
            Some(log) => std::mem::take(&mut *log.lock().expect("log lock")),
            None => Vec::new(),
        }
    }
}

#[salsa::db]
impl salsa::Database for PitfallDatabase {}

#[salsa::db]
impl Db for PitfallDatabase {}
