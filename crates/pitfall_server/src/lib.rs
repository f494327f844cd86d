//! `pitfall server`: a language server (LSP 3.17 over stdio) on the same
//! salsa database as `pitfall check`. Open buffers are overlays on the
//! database's files; after each burst of changes every open file is linted
//! again (salsa reuses what did not change) and published if its
//! diagnostics differ, so an edit in one module reaches the files that
//! depend on it.

mod actions;
mod convert;
mod document;
mod line_index;
mod server;
mod session;
mod transport;
mod uri;

use pitfall_linter::RuleMeta;

/// Where rule documentation comes from: the binary embeds the Markdown
/// (`pitfall rule`) and knows the published URL.
#[derive(Copy, Clone)]
pub struct RuleDocs {
    pub doc: fn(&RuleMeta) -> Option<&'static str>,
    pub url: fn(&RuleMeta) -> String,
}

/// Serves one client over standard input and output. Returns the process
/// exit code: 0 after `shutdown` then `exit`, 1 otherwise (as LSP asks).
pub fn run(docs: RuleDocs) -> u8 {
    let (connection, io_threads) = transport::stdio();
    let exit = std::thread::Builder::new()
        .name("pitfall-lsp".into())
        // It parses, walks and drops trees as the CLI's workers do.
        .stack_size(pitfall_semantic::stack::WORKER_STACK)
        .spawn(move || {
            let exit = server::serve(&connection, docs);
            drop(connection);
            exit
        })
        .expect("spawn server thread")
        .join();
    io_threads.join();
    match exit {
        Ok(server::Exit::Clean) => 0,
        _ => 1,
    }
}
