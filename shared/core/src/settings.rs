//! Tunables every function shares (session lifetime, rate limits, password cost), parsed
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

/// At most `count` events per `window`, written `<count>/<window>` with the window in
/// seconds, minutes or hours: `10/10s`, `5/15m`, `100/1h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Events allowed per window.
    pub count: u64,
    /// The fixed window they are counted in.
    pub window: Duration,
}

impl Limit {
    /// `count` per `secs` seconds.
    pub const fn per_secs(count: u64, secs: u64) -> Self {
        Self { count, window: Duration::from_secs(secs) }
    }
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let wrong = || format!("expected <count>/<window> such as 10/10s, 5/15m or 100/1h, not `{text}`");
        let (count, window) = text.trim().split_once('/').ok_or_else(wrong)?;
        let count: u64 = count.trim().parse().map_err(|_| wrong())?;
        let window = window.trim();
        let unit = window.chars().last().ok_or_else(wrong)?;
        let amount = &window[..window.len() - unit.len_utf8()];
        let scale = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(wrong()),
        };
        let amount: u64 = amount.parse().map_err(|_| wrong())?;
        if count == 0 || amount == 0 {
            return Err("a limit needs a count and a window above zero".into());
        }
        Ok(Self { count, window: Duration::from_secs(amount.saturating_mul(scale)) })
    }
}

/// Rate limits (see `docs/security.md`). `enabled: false` (`LUCKYDRAW_RATE_LIMITS=off`,
/// for load tests) lifts the per-request limits; the login-failure limits always hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Whether the per-request limits (draw, register, login per address) apply.
    pub enabled: bool,
    /// Draws per player.
    pub draw_per_user: Limit,
    /// Draws per client address (many players may share one behind a NAT).
    pub draw_per_address: Limit,
    /// Registrations per client address.
    pub register_per_address: Limit,
    /// Login attempts per client address.
    pub login_per_address: Limit,
    /// Failed logins per username from one address; the attempt is counted before the
    /// password is checked, and a success clears it.
    pub login_failures: Limit,
    /// Failed logins per username from anywhere: the ceiling an attacker with many
    /// addresses meets, high enough that locking the owner out is not cheap.
    pub login_failures_per_user: Limit,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            draw_per_user: Limit::per_secs(10, 10),
            draw_per_address: Limit::per_secs(300, 10),
            register_per_address: Limit::per_secs(20, 60),
            login_per_address: Limit::per_secs(60, 60),
            login_failures: Limit::per_secs(5, 15 * 60),
            login_failures_per_user: Limit::per_secs(50, 15 * 60),
        }
    }
}

/// Tunables shared by every function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// Rate limits.
    pub limits: RateLimitSettings,
    /// Whether the session cookie is marked `Secure` (HTTPS only).
    pub secure_cookies: bool,
    /// The page's origin when it is served from another domain than the API
    /// (`https://lucky.example.com`): cookie-authenticated requests may come from it too.
    pub page_origin: Option<String>,
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
            limits: RateLimitSettings::default(),
            secure_cookies: true,
            page_origin: None,
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
            limits: rate_limits(&lookup, defaults.limits)?,
            secure_cookies: parse_or(&lookup, "LUCKYDRAW_SECURE_COOKIES", defaults.secure_cookies)?,
            page_origin: page_origin(lookup("LUCKYDRAW_PAGE_ORIGIN")),
            argon2: Argon2Settings {
                memory_kib: parse_or(&lookup, "LUCKYDRAW_ARGON2_MEMORY_KIB", defaults.argon2.memory_kib)?,
                iterations: parse_or(&lookup, "LUCKYDRAW_ARGON2_ITERATIONS", defaults.argon2.iterations)?,
                parallelism: parse_or(&lookup, "LUCKYDRAW_ARGON2_PARALLELISM", defaults.argon2.parallelism)?,
            },
            settle_grace: secs("LUCKYDRAW_SETTLE_GRACE_SECS", defaults.settle_grace)?,
        })
    }
}

fn rate_limits(
    lookup: impl Fn(&str) -> Option<String>,
    defaults: RateLimitSettings,
) -> Result<RateLimitSettings, ConfigError> {
    let enabled = match lookup("LUCKYDRAW_RATE_LIMITS").map(|value| value.trim().to_ascii_lowercase()) {
        None => defaults.enabled,
        Some(value) if value.is_empty() || value == "on" => true,
        Some(value) if value == "off" => false,
        Some(value) => return Err(ConfigError::new("LUCKYDRAW_RATE_LIMITS", &value, "expected `on` or `off`")),
    };
    Ok(RateLimitSettings {
        enabled,
        draw_per_user: parse_or(&lookup, "LUCKYDRAW_LIMIT_DRAW_PER_USER", defaults.draw_per_user)?,
        draw_per_address: parse_or(&lookup, "LUCKYDRAW_LIMIT_DRAW_PER_ADDRESS", defaults.draw_per_address)?,
        register_per_address: parse_or(&lookup, "LUCKYDRAW_LIMIT_REGISTER_PER_ADDRESS", defaults.register_per_address)?,
        login_per_address: parse_or(&lookup, "LUCKYDRAW_LIMIT_LOGIN_PER_ADDRESS", defaults.login_per_address)?,
        login_failures: parse_or(&lookup, "LUCKYDRAW_LIMIT_LOGIN_FAILURES", defaults.login_failures)?,
        login_failures_per_user: parse_or(
            &lookup,
            "LUCKYDRAW_LIMIT_LOGIN_FAILURES_PER_USER",
            defaults.login_failures_per_user,
        )?,
    })
}

/// The page's origin without a trailing slash; unset, empty or `*` (CORS for any) means none.
fn page_origin(value: Option<String>) -> Option<String> {
    let value = value?.trim().trim_end_matches('/').to_owned();
    (!value.is_empty() && value != "*").then_some(value)
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
        let error = Settings::from_lookup(lookup(&[("LUCKYDRAW_LIMIT_LOGIN_FAILURES", "many")])).unwrap_err();
        assert!(error.to_string().contains("LUCKYDRAW_LIMIT_LOGIN_FAILURES=\"many\""), "{error}");
    }

    #[test]
    fn limits_read_as_count_per_window() {
        let settings = Settings::from_lookup(lookup(&[
            ("LUCKYDRAW_RATE_LIMITS", "off"),
            ("LUCKYDRAW_LIMIT_DRAW_PER_USER", "3/2s"),
            ("LUCKYDRAW_LIMIT_LOGIN_FAILURES", "7/15m"),
            ("LUCKYDRAW_LIMIT_REGISTER_PER_ADDRESS", " 100/1h "),
            ("LUCKYDRAW_PAGE_ORIGIN", "https://lucky.example.com/"),
        ]))
        .unwrap();
        assert!(!settings.limits.enabled);
        assert_eq!(settings.limits.draw_per_user, Limit::per_secs(3, 2));
        assert_eq!(settings.limits.login_failures, Limit::per_secs(7, 900));
        assert_eq!(settings.limits.register_per_address, Limit::per_secs(100, 3600));
        assert_eq!(settings.page_origin.as_deref(), Some("https://lucky.example.com"));
        for wrong in ["10", "10/", "0/10s", "10/0s", "ten/10s", "10/10d", "10/s", "1/⮆", "1/1秒"] {
            assert!(wrong.parse::<Limit>().is_err(), "{wrong}");
        }
        for wrong in [("LUCKYDRAW_RATE_LIMITS", "maybe"), ("LUCKYDRAW_LIMIT_DRAW_PER_ADDRESS", "5")] {
            assert!(Settings::from_lookup(lookup(&[wrong])).is_err(), "{wrong:?}");
        }
        assert_eq!(Settings::from_lookup(lookup(&[("LUCKYDRAW_PAGE_ORIGIN", "*")])).unwrap().page_origin, None);
    }
}
