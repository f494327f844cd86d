//! PF4xx: functions, data & iteration.

pub mod decorator_missing_wraps;
pub mod identity_comparison_with_literal;
pub mod iterator_reused;
pub mod mutable_class_attribute;
pub mod mutable_dataclass_default;
pub mod mutable_default_argument;
pub mod mutation_during_iteration;
pub mod naive_datetime;
pub mod none_comparison_with_equality;
pub mod type_comparison;
pub mod unhashable_key;
