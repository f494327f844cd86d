//! The allocator. Linting allocates and frees many small tree and index
//! nodes; with glibc's allocator a third of the run went to `malloc`/`free`
//! (measured with `perf`), with mimalloc the whole run is ~20% faster. By
//! default mimalloc keeps freed memory committed for a while, which doubled
//! peak RSS; purging at once and committing arenas lazily keeps it below
//! ruff's on the same run (see `bench/`).

use libmimalloc_sys::{mi_option_set, mi_option_t};

// Indices in `mi_option_e` of the mimalloc version that `libmimalloc-sys`
// =0.1.49 vendors (v3); the crate does not export them. The test below checks
// them against the documented defaults.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

pub fn configure() {
    // SAFETY: plain setters on mimalloc's global option table.
    unsafe {
        mi_option_set(PURGE_DELAY, 10);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

/// Runs before the Rust runtime's first allocation creates mimalloc's first
/// arena (setting the options in `main` is too late for eager commit).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_BEFORE_MAIN: extern "C" fn() = {
    extern "C" fn configure_before_main() {
        configure();
    }
    configure_before_main
};

#[cfg(test)]
mod tests {
    use libmimalloc_sys::mi_option_get;

    use super::*;

    #[test]
    fn option_indices_match_the_vendored_mimalloc() {
        // SAFETY: plain getters on mimalloc's global option table.
        let (purge, eager) = unsafe {
            (
                mi_option_get(PURGE_DELAY),
                mi_option_get(ARENA_EAGER_COMMIT),
            )
        };
        // Set before main (above); the defaults in v3's options.c are 1000 and 2,
        // so reading back our values proves the indices name these options.
        assert_eq!(purge, 10, "mi_option_purge_delay");
        assert_eq!(eager, 0, "mi_option_arena_eager_commit");
        let decommits = unsafe { mi_option_get(ARENA_EAGER_COMMIT + 1) };
        assert_eq!(
            decommits, 1,
            "the option after it is mi_option_purge_decommits (=1)"
        );
    }
}
