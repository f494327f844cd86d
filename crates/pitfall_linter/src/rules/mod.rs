//! Every rule, one file each, grouped by family.

pub mod tool;
