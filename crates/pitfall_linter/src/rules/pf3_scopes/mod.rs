//! PF3xx: scopes & names (LEGB).

pub mod builtin_shadowing;
pub mod late_binding_closure;
pub mod missing_nonlocal;
pub mod stdlib_module_shadowing;
pub mod unbound_local_variable;
