//! PF2xx: exceptions & error handling.

pub mod assert_for_validation;
pub mod bare_except;
pub mod broad_exception_caught;
pub mod exception_swallowed;
pub mod hierarchy;
pub mod jump_in_finally;
pub mod raise_without_from;
pub mod retry_swallows_final_error;
pub mod unreachable_except_clause;
