//! Placeholder; replaced by the walk.
pub struct Checker;
