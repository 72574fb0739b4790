//! Configuration from the environment, read once when a function starts: the shared
//! tunables ([`Settings`]) and which backend serves each port ([`backends`]).

pub mod backends;

pub use luckydraw_core::settings::{Argon2Settings, ConfigError, Settings, parse_or};
