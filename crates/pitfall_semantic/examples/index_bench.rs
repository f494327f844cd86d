//! Builds the semantic index of every `.py` file under the given directories,
//! for instruction counts of `build_index` alone:
//! `cargo build --profile profiling -p pitfall_semantic --example index_bench`, then
//! `valgrind --tool=callgrind --toggle-collect='pitfall_semantic::builder::build_index' target/profiling/examples/index_bench STDLIB_DIR`.
//! `--toggle-collect='index_bench::resolve_all'` counts name lookups and
//! path resolution instead: every read looked up where it is, every call's
//! callee resolved, as the summaries and rules do.
use std::path::Path;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn visit(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "site-packages") {
                continue;
            }
            visit(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// Looks up every read of the file and resolves every call's callee;
/// returns a count of what was found, so nothing is optimized away.
#[inline(never)]
fn resolve_all(index: &pitfall_semantic::SemanticIndex) -> usize {
    let mut found = 0;
    for u in &index.uses {
        let lookup = index.lookup(u.scope, &index.symbol(u.symbol).name, u.range.start());
        found += usize::from(matches!(lookup, pitfall_semantic::Lookup::Binding(_)));
    }
    for call in &index.calls {
        if let Some(callee) = &call.callee {
            found += usize::from(index.resolve_path(callee, 0).is_some());
        }
    }
    found
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        visit(Path::new(&arg), &mut files);
    }
    files.sort();
    let (mut symbols, mut uses, mut bindings, mut scopes, mut found) = (0, 0, 0, 0, 0);
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let parsed = ruff_python_parser::parse_unchecked_source(
            &source,
            ruff_python_ast::PySourceType::Python,
        );
        let module = parsed.syntax();
        let index = pitfall_semantic::build_index(module);
        found += resolve_all(&index);
        symbols += index.symbols.len();
        uses += index.uses.len();
        bindings += index.bindings.len();
        scopes += index.scopes.len();
        pitfall_semantic::stack::drop_deep(index, source.len());
        pitfall_semantic::stack::drop_deep(parsed, source.len());
    }
    println!(
        "{} files: {scopes} scopes, {symbols} symbols, {bindings} bindings, {uses} uses, {found} resolved",
        files.len()
    );
}
