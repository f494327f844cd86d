//! PF1xx: async & concurrency.

pub mod blocking_call_in_async;
