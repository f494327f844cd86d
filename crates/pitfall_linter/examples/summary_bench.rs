//! Summarizes every `.py` file under the given directories and keeps the
//! summaries, as a run does, then prints what they hold and the heap they
//! take: `cargo run --profile profiling -p pitfall_linter --example
//! summary_bench -- [--needs all|calls|none] STDLIB_DIR` (`none`: the
//! definitions only, `calls`: what PF101 reads). Under callgrind,
//! `--toggle-collect='pitfall_linter::summary::summarize'` counts the
//! summaries alone.
use std::mem::size_of;
use std::path::Path;

use pitfall_linter::summary::{
    summarize, BlockingOptions, CallOut, Callee, ClassFacts, Effect, Export, FunctionFacts,
    FunctionLocations, ImportFacts, ImportLocations, ModuleSummary, SummaryNeeds,
};
use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;

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

/// Heap bytes by part (capacities, not lengths: what stays allocated).
#[derive(Default)]
struct Heap {
    functions: usize,
    qualnames: usize,
    calls: usize,
    effects: usize,
    locations: usize,
    classes: usize,
    names: usize,
    imports: usize,
    other: usize,
    /// Unused slots of class bases and methods, of module names.
    spare: usize,
    spare_names: usize,
}

fn name_heap(n: &Name) -> usize {
    if n.len() > 24 {
        n.len()
    } else {
        0
    }
}

fn callee_heap(c: &Callee) -> usize {
    match c {
        Callee::Qualified(q) => q.len(),
        Callee::Method { name, .. } | Callee::Super { name, .. } => name_heap(name),
        _ => 0,
    }
}

fn effect_heap(e: &Effect) -> usize {
    match e {
        Effect::Blocking { api, .. }
        | Effect::RunsEventLoop { api }
        | Effect::StartsProcesses { api } => api.capacity(),
        Effect::Acquires { held, .. } => held.capacity() * 4,
    }
}

fn function_heap(f: &FunctionFacts, heap: &mut Heap, counts: &mut [usize; 4]) {
    // Built on demand from the `def` names: only long names take heap.
    heap.qualnames += name_heap(&f.name);
    heap.calls += f.calls.len() * size_of::<CallOut>();
    heap.calls += f
        .calls
        .iter()
        .map(|c: &CallOut| callee_heap(&c.callee))
        .sum::<usize>();
    heap.effects += f.effects.len() * size_of::<Effect>();
    heap.effects += f.effects.iter().map(effect_heap).sum::<usize>();
    heap.other += f.locked.as_ref().map_or(0, |l| {
        56 + l.held.capacity() * 32 + l.guarded.capacity() * 4
    });
    counts[0] += 1;
    counts[1] += f.calls.len();
    counts[2] += f.effects.len();
    counts[3] += usize::from(!f.calls.is_empty());
}

fn measure(s: &ModuleSummary, heap: &mut Heap, counts: &mut [usize; 4]) {
    let i = &s.interface;
    heap.functions += i.functions.capacity() * size_of::<FunctionFacts>();
    for f in &i.functions {
        function_heap(f, heap, counts);
    }
    heap.classes += i.classes.capacity() * size_of::<ClassFacts>();
    for c in i.classes.iter() {
        heap.classes += name_heap(&c.name) + c.bases.capacity() * 32 + c.methods.capacity() * 32;
        heap.spare += c.bases.capacity() - c.bases.len() + c.methods.capacity() - c.methods.len();
    }
    heap.names += i.names.capacity() * size_of::<(Name, Export)>();
    heap.spare_names += i.names.capacity() - i.names.len();
    heap.imports += i.imports.capacity() * size_of::<ImportFacts>();
    for imp in &i.imports {
        heap.imports += imp.module.capacity() + imp.names.as_ref().map_or(0, |n| n.capacity() * 24);
    }
    heap.other += i.module_calls.capacity() * size_of::<CallOut>();
    let l = &s.locations;
    heap.locations += l.functions.capacity() * size_of::<FunctionLocations>();
    for f in &l.functions {
        heap.locations += f.calls.len() * size_of::<TextRange>() + f.effects.len() * 16;
    }
    heap.imports += l.imports.capacity() * size_of::<ImportLocations>();
    for imp in &l.imports {
        heap.imports += imp.names.capacity() * 8 + imp.aliased.capacity();
    }
    heap.other += l.module_calls.capacity() * 8 + l.main_guard_bodies.capacity() * 8;
}

fn main() {
    let mut needs = SummaryNeeds::ALL;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--needs" {
            needs = match args.next().as_deref() {
                Some("none") => SummaryNeeds::DEFINITIONS,
                Some("calls") => SummaryNeeds::CALLS.with(SummaryNeeds::DEFINITIONS),
                _ => SummaryNeeds::ALL,
            };
            continue;
        }
        visit(Path::new(&arg), &mut files);
    }
    files.sort();
    let options = BlockingOptions::default();
    let mut summaries = Vec::with_capacity(files.len());
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let parsed = ruff_python_parser::parse_unchecked_source(
            &source,
            ruff_python_ast::PySourceType::Python,
        );
        let index = pitfall_semantic::build_index(parsed.syntax());
        summaries.push(summarize(&index, &source, &options, needs));
        pitfall_semantic::stack::drop_deep(index, source.len());
        pitfall_semantic::stack::drop_deep(parsed, source.len());
    }
    let (mut heap, mut counts) = (Heap::default(), [0usize; 4]);
    for s in &summaries {
        measure(s, &mut heap, &mut counts);
    }
    let [functions, calls, effects, calling] = counts;
    println!(
        "{} files: {functions} functions ({calling} with calls), {calls} calls, {effects} effects",
        summaries.len()
    );
    println!(
        "sizes: FunctionFacts {} FunctionLocations {} CallOut {} Callee {} Effect {}",
        size_of::<FunctionFacts>(),
        size_of::<FunctionLocations>(),
        size_of::<CallOut>(),
        size_of::<Callee>(),
        size_of::<Effect>()
    );
    let parts = [
        ("functions", heap.functions),
        ("qualnames", heap.qualnames),
        ("calls", heap.calls),
        ("effects", heap.effects),
        ("locations", heap.locations),
        ("classes", heap.classes),
        ("names", heap.names),
        ("imports", heap.imports),
        ("other", heap.other),
    ];
    println!(
        "spare slots: {} in class bases and methods, {} in module names",
        heap.spare, heap.spare_names
    );
    let total: usize = parts.iter().map(|(_, b)| b).sum();
    for (name, bytes) in parts {
        println!("{name:>10} {:8.2} MB", bytes as f64 / 1e6);
    }
    println!(
        "{:>10} {:8.2} MB (before allocator rounding)",
        "total",
        total as f64 / 1e6
    );
}
