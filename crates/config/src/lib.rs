//! Hotline's configuration: one TOML file, a documented default for every
//! field, and `HOTLINE_*` environment variables on top.
//!
//! Errors are precise: a wrong value in the file is reported as
//! `file:line:column: message` (serde names the allowed values for enums),
//! a wrong environment variable names the variable. Unknown keys are errors,
//! so a typo never silently falls back to a default.
//!
//! Environment overrides use `__` between the section and the key:
//! `HOTLINE_SERVER__HTTP_LISTEN=0.0.0.0:8080`, `HOTLINE_DATABASE__URL=postgres://…`.
//! The value is read as a TOML value when it parses as one (numbers, booleans),
//! otherwise as a string.

mod error;
mod load;
mod model;
mod telephony;

pub use error::ConfigError;
pub use load::{load, load_str, ENV_PREFIX};
pub use model::*;
