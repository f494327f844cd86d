//! The index on trees that stress its walk, and the tables it fills at the end.

use pitfall_semantic::{build_index, ScopeKind, SemanticIndex};
use ruff_python_ast::PySourceType;

fn index_of(source: &str) -> SemanticIndex {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let index = build_index(parsed.syntax());
    pitfall_semantic::stack::drop_deep(parsed, source.len());
    index
}

/// Deep trees without brackets, on a thread with a small stack: the walk
/// checks the stack only every few levels, and that must be enough.
#[test]
fn deep_chains_on_a_small_stack() {
    let sources = [
        format!("x = f{}\n", "()".repeat(20_000)),
        format!("x = a{}\n", ".b".repeat(20_000)),
        format!("x = {}a\n", "not ".repeat(20_000)),
        format!("x = {}1\n", "1 + ".repeat(20_000)),
        format!("x = {}a\n", "-".repeat(20_000)),
        format!("x = {}\n", "lambda: ".repeat(5_000) + "y"),
    ];
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for source in &sources {
                let index = index_of(source);
                assert!(!index.uses.is_empty() || source.contains("1 + "));
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn scope_symbols_in_first_occurrence_order() {
    let index = index_of(
        "import os\nb = 1\ndef f(x):\n    y = x\n    return z\na = f\nclass C:\n    q = b\n",
    );
    let names = |scope| {
        index
            .scope_symbols(scope)
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(SemanticIndex::MODULE), ["os", "b", "f", "a", "C"]);
    let f = index.children(SemanticIndex::MODULE)[0];
    assert_eq!(names(f), ["x", "y", "z"]);
    let c = index.children(SemanticIndex::MODULE)[1];
    assert_eq!(index.scope(c).kind, ScopeKind::Class);
    assert_eq!(names(c), ["b", "q"]);
    for scope in index.scope_ids() {
        for (id, symbol) in index
            .scope_symbol_ids(scope)
            .iter()
            .zip(index.scope_symbols(scope))
        {
            assert_eq!(index.symbol(*id), symbol);
            assert_eq!(symbol.scope, scope);
            assert_eq!(index.symbol_in(scope, &symbol.name), Some(symbol));
        }
    }
    let total: usize = index
        .scope_ids()
        .map(|s| index.scope_symbols(s).len())
        .sum();
    assert_eq!(total, index.symbols.len());
}
