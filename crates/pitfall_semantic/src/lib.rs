//! pitfall's own semantic model of a Python module: scopes with Python's real
//! rules, every kind of binding, uses, and resolution of names to qualified
//! names, project definitions and tracked receivers.

mod builder;
pub mod builtins;
pub mod flow;
mod index;
mod resolve;
pub mod stack;
mod tables;

pub use builder::{build_index, path_parts};
pub use index::*;
pub use resolve::{Lookup, Resolved};
