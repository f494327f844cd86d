//! PF9xx: classes, modules, docstrings & API design.

pub mod circular_import;
pub mod docstring_param_mismatch;
pub mod method_missing_self;
pub mod missing_main_guard;
pub mod missing_public_docstring;
pub mod self_recursive_attribute_access;
pub mod sys_path_modification;
pub mod unresolved_project_import;
pub mod wildcard_import;
