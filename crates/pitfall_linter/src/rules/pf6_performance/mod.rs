//! PF6xx: performance.

pub mod list_comprehension_in_reduction;
pub mod lru_cache_on_method;
pub mod unbounded_module_cache;
