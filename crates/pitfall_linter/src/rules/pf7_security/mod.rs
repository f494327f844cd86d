//! PF7xx: security.

pub mod debug_mode_enabled;
pub mod eval_or_exec;
pub mod hardcoded_secret;
pub mod insecure_random_for_secrets;
pub mod insecure_tempfile;
pub mod shell_command_injection;
pub mod sql_string_formatting;
pub mod template_autoescape_disabled;
pub mod tls_verification_disabled;
pub mod unsafe_deserialization;
pub mod unsafe_yaml_load;
pub mod weak_password_hash;
