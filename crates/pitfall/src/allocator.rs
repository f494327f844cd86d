//! The allocator. Linting allocates and frees many small tree and index
//! nodes; with glibc's allocator a third of the run went to `malloc`/`free`
//! (measured with `perf`), with mimalloc the whole run is ~20% faster. By
//! default mimalloc keeps freed memory committed for a while, which doubled
//! peak RSS; purging at once and committing arenas lazily keeps it below
//! ruff's on the same run (see `bench/`).
//!
//! The global allocator is declared here, so `pitfall` and `parse-floor`
//! (which includes this file) run the very same one.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_option_set, mi_option_t, mi_realloc,
    mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};

/// mimalloc through its plain entry points. (The `mimalloc` crate calls the
/// `_aligned` ones for every allocation, which test the alignment and the
/// free block's address before taking the same fast path: ~4% of a run's
/// instructions.)
pub struct MiMalloc;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// `MI_MAX_ALIGN_SIZE` in the vendored `mimalloc/types.h`: every block of at
/// least this size is aligned to it (size classes of 16 bytes and up are
/// multiples of 16, pages start 16-aligned), and every block to 8.
const GUARANTEED_ALIGN: usize = 16;

/// Whether `mi_malloc(size)` is aligned enough for `layout` (the rule the
/// standard library applies to `malloc`).
#[inline(always)]
fn plain(align: usize, size: usize) -> bool {
    align <= GUARANTEED_ALIGN && align <= size
}

// SAFETY: each call forwards to mimalloc, which returns blocks of at least
// the requested size, aligned as `plain` documents or as requested.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

// Indices in `mi_option_e` of the mimalloc version that `libmimalloc-sys`
// =0.1.49 vendors (v3); the crate does not export them. The test below checks
// them against the documented defaults.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

pub fn configure() {
    // `MIMALLOC_PURGE_DELAY=...` and the like still win (mimalloc reads
    // them itself): options are compared without a rebuild.
    let set = |option: mi_option_t, name: &str, value| {
        if std::env::var_os(name).is_none() {
            // SAFETY: a plain setter on mimalloc's global option table.
            unsafe { mi_option_set(option, value) }
        }
    };
    set(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 10);
    set(ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0);
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
    fn blocks_are_aligned_as_their_layouts_ask() {
        // Sizes straddling the size classes, with each alignment the plain
        // path serves, and a few it hands to the aligned entry points.
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=1024).chain([4000, 5000, 70_000, 1 << 20]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; the blocks are freed right after.
                unsafe {
                    let p = GLOBAL.alloc(layout);
                    let z = GLOBAL.alloc_zeroed(layout);
                    assert!(!p.is_null() && !z.is_null());
                    assert_eq!(p as usize % align, 0, "alloc {size} / {align}");
                    assert_eq!(z as usize % align, 0, "alloc_zeroed {size} / {align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|b| *b == 0));
                    let grown = GLOBAL.realloc(p, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "realloc {size} / {align}");
                    GLOBAL.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    GLOBAL.dealloc(z, layout);
                }
            }
        }
    }

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
