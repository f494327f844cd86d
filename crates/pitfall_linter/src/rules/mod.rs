//! Every rule, one file each, grouped by family.

pub mod common;
pub mod pf1_async;
pub mod pf2_exceptions;
pub mod pf3_scopes;
pub mod pf4_functions;
pub mod pf5_resources;
pub mod pf6_performance;
pub mod pf7_security;
pub mod pf8_logging;
pub mod pf9_design;
pub mod tool;
