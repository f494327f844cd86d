//! PF4xx: functions, data & iteration.

pub mod identity_comparison_with_literal;
pub mod mutable_default_argument;
pub mod naive_datetime;
pub mod none_comparison_with_equality;
pub mod type_comparison;
