//! Recursion on deep trees without stack overflow.
//!
//! A module can be arbitrarily deep without brackets (`1 + 1 + ...`,
//! `f()()()...`), and every walk over it recurses. Walks call [`guarded`] at
//! each level: when less than [`RED_ZONE`] of stack is left, the closure runs
//! on a freshly allocated segment. The check is a comparison per call.

/// The stack of every worker thread that parses, walks or drops trees
/// (`pitfall check`'s pool, `--watch`'s, the language server's, and the
/// floor's, which must match it: [`drop_deep`] drops a tree in place when
/// it fits here and on a freshly mapped segment otherwise). Reserved, not
/// committed: only the pages a deep tree touches are used.
pub const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Grow when less than this is left.
pub const RED_ZONE: usize = 128 * 1024;
/// Size of each new segment.
pub const SEGMENT: usize = 8 * 1024 * 1024;

#[inline]
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Levels of a walk between two stack checks in [`guarded_at`]: the red
/// zone holds that many frames with room to spare, even in debug builds.
pub const CHECK_EVERY: u32 = 8;

/// [`guarded`] for a walk that counts its depth (`depth` is the level
/// being entered, 0 for the walk's first): checks the stack every [`CHECK_EVERY`] levels only,
/// which saves the check's thread-local read on most nodes.
#[inline]
pub fn guarded_at<R>(depth: u32, f: impl FnOnce() -> R) -> R {
    if depth.is_multiple_of(CHECK_EVERY) {
        guarded(f)
    } else {
        f()
    }
}

/// Drops a value whose `Drop` recurses as deep as the tree (an AST) on a
/// stack large enough for any tree that `source_len` bytes can hold.
pub fn drop_deep<T>(value: T, source_len: usize) {
    // A tree level needs at least two bytes of source; a drop frame is well
    // under 256 bytes even in debug builds.
    let needed = source_len.saturating_mul(128);
    let remaining = stacker::remaining_stack().unwrap_or(0);
    if needed + RED_ZONE <= remaining {
        drop(value);
    } else {
        stacker::grow(needed, move || drop(value));
    }
}
