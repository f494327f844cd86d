//! PF5xx: resources & I/O.

pub mod connection_not_closed;
pub mod contextmanager_without_finally;
pub mod eager_file_read;
pub mod lock_acquire_without_with;
pub mod open_without_context_manager;
pub mod ownership;
pub mod request_without_timeout;
pub mod unspecified_encoding;
