//! PF2xx: exceptions & error handling.

pub mod bare_except;
