//! Instants in time as whole milliseconds since the Unix epoch, shown as RFC 3339.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A timestamp string that is not RFC 3339.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 timestamp")]
pub struct TimestampError(String);

impl Timestamp {
    /// The instant `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch, rounded down.
    pub const fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses an RFC 3339 string such as `2026-11-21T08:00:00Z`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| TimestampError(text.into()))?;
        let millis = at.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).map(Self).map_err(|_| TimestampError(text.into()))
    }

    /// This instant as a UTC date-time.
    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The instant `duration` later (saturating).
    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// The instant `duration` earlier (saturating).
    pub fn minus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(millis))
    }

    /// How long after `earlier` this instant is; zero if it is not later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0 - earlier.0).unwrap_or(0))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_datetime().format(&Rfc3339).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Start of the fixed window of length `window` that contains `now`, and its end.
pub fn fixed_window(window: Duration, now: Timestamp) -> (Timestamp, Timestamp) {
    let length = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
    let start = now.as_millis().div_euclid(length) * length;
    (Timestamp::from_millis(start), Timestamp::from_millis(start.saturating_add(length)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let at = Timestamp::parse("2026-11-21T08:30:00.250Z").unwrap();
        assert_eq!(at.as_millis(), 1_795_249_800_250);
        assert_eq!(at.to_string(), "2026-11-21T08:30:00.25Z");
        assert_eq!(Timestamp::parse(&at.to_string()).unwrap(), at);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let beijing = Timestamp::parse("2026-11-21T16:30:00+08:00").unwrap();
        assert_eq!(beijing, Timestamp::parse("2026-11-21T08:30:00Z").unwrap());
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        assert!(Timestamp::parse("2026-11-21 08:30:00").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let at = Timestamp::from_millis(1_000);
        assert_eq!(at.plus(Duration::from_secs(2)).as_millis(), 3_000);
        assert_eq!(at.since(Timestamp::from_millis(4_000)), Duration::ZERO);
        assert_eq!(Timestamp::from_millis(i64::MAX).plus(Duration::from_secs(1)).as_millis(), i64::MAX);
    }
}
