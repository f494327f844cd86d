//! PF4xx: functions, data & iteration.

pub mod mutable_default_argument;
