//! PF8xx: logging, configuration & observability.

pub mod debugger_left_in_code;
pub mod env_var_truthiness;
pub mod exception_logged_without_traceback;
pub mod print_instead_of_logging;
