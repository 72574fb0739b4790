//! Tunables every function shares (session lifetime, login limits, password cost), parsed
//! from `LUCKYDRAW_*` variables once at start; [`ConfigError`] names a variable that is wrong.

use std::str::FromStr;
use std::time::Duration;

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    name: String,
    value: String,
    reason: String,
}

impl ConfigError {
    /// `name` holds `value`, which is wrong for `reason`.
    pub fn new(name: &str, value: &str, reason: impl Into<String>) -> Self {
        Self { name: name.into(), value: value.into(), reason: reason.into() }
    }
}

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Settings {
    /// Memory per hash in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// Tunables shared by every function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// Failed logins per username allowed in one window before 429.
    pub login_failure_limit: u64,
    /// The failed-login window.
    pub login_failure_window: Duration,
    /// Whether the session cookie is marked `Secure` (HTTPS only).
    pub secure_cookies: bool,
    /// Password hashing cost.
    pub argon2: Argon2Settings,
    /// Settlement leaves a draw alone this long: longer than any draw request can take, so
    /// the request that made it has answered (and voided it, if it answered 503).
    pub settle_grace: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(24 * 3600),
            login_failure_limit: 5,
            login_failure_window: Duration::from_secs(15 * 60),
            secure_cookies: true,
            // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
            argon2: Argon2Settings { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 },
            settle_grace: Duration::from_secs(120),
        }
    }
}

impl Settings {
    /// Reads the `LUCKYDRAW_*` tunables, defaulting what is unset.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let secs = |name, default: Duration| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(parse_or(&lookup, name, default.as_secs())?))
        };
        Ok(Self {
            session_idle: secs("LUCKYDRAW_SESSION_IDLE_SECS", defaults.session_idle)?,
            login_failure_limit: parse_or(&lookup, "LUCKYDRAW_LOGIN_FAILURE_LIMIT", defaults.login_failure_limit)?,
            login_failure_window: secs("LUCKYDRAW_LOGIN_FAILURE_WINDOW_SECS", defaults.login_failure_window)?,
            secure_cookies: parse_or(&lookup, "LUCKYDRAW_SECURE_COOKIES", defaults.secure_cookies)?,
            argon2: Argon2Settings {
                memory_kib: parse_or(&lookup, "LUCKYDRAW_ARGON2_MEMORY_KIB", defaults.argon2.memory_kib)?,
                iterations: parse_or(&lookup, "LUCKYDRAW_ARGON2_ITERATIONS", defaults.argon2.iterations)?,
                parallelism: parse_or(&lookup, "LUCKYDRAW_ARGON2_PARALLELISM", defaults.argon2.parallelism)?,
            },
            settle_grace: secs("LUCKYDRAW_SETTLE_GRACE_SECS", defaults.settle_grace)?,
        })
    }
}

/// The value of `name` parsed as `T`, or `default` when unset or empty.
pub fn parse_or<T: FromStr>(lookup: impl Fn(&str) -> Option<String>, name: &str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match lookup(name).filter(|value| !value.trim().is_empty()) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|error: T::Err| ConfigError::new(name, &value, error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn unset_means_defaults() {
        assert_eq!(Settings::from_lookup(lookup(&[])).unwrap(), Settings::default());
    }

    #[test]
    fn reads_and_validates_each_value() {
        let settings = Settings::from_lookup(lookup(&[
            ("LUCKYDRAW_SESSION_IDLE_SECS", "60"),
            ("LUCKYDRAW_SECURE_COOKIES", "false"),
        ]))
        .unwrap();
        assert_eq!(settings.session_idle, Duration::from_secs(60));
        assert!(!settings.secure_cookies);
        let error = Settings::from_lookup(lookup(&[("LUCKYDRAW_LOGIN_FAILURE_LIMIT", "many")])).unwrap_err();
        assert!(error.to_string().contains("LUCKYDRAW_LOGIN_FAILURE_LIMIT=\"many\""), "{error}");
    }
}
