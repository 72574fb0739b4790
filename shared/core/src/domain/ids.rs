//! Identifiers. Each parses from text once; after that it is valid by construction.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::Timestamp;

/// Text that is not a valid identifier of the named kind.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {kind}")]
pub struct IdError {
    kind: &'static str,
    text: String,
}

impl IdError {
    fn new(kind: &'static str, text: &str) -> Self {
        let text = text.chars().take(80).collect();
        Self { kind, text }
    }
}

/// Text, serde and `FromStr` plumbing shared by every identifier type.
macro_rules! id_traits {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.render(), f)
            }
        }
        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An operator-chosen slug: 1–64 of `a-z 0-9 -`, starting with a letter or digit.
macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses a slug such as `demo` or `spring-2026`.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                let valid = (1..=64).contains(&text.len())
                    && !text.starts_with('-')
                    && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                valid.then(|| Self(text.to_owned())).ok_or_else(|| IdError::new($kind, text))
            }

            /// The slug.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            fn render(&self) -> &str {
                &self.0
            }
        }
        id_traits!($name);
    };
}

/// A UUID v7 shown as 32 lowercase hex digits (also a valid Alipay `out_trade_no`).
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id from the given instant and ten random bytes.
            pub fn generate(now: Timestamp, random: [u8; 10]) -> Self {
                Self(new_uuid(now, random))
            }

            /// Parses exactly 32 lowercase hex digits.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                parse_simple_uuid(text).map(Self).ok_or_else(|| IdError::new($kind, text))
            }

            fn render(&self) -> String {
                self.0.simple().to_string()
            }
        }
        id_traits!($name);
    };
}

slug_id!(
    /// Identifies an activity (a lucky draw or flash sale), e.g. `demo`.
    ActivityId,
    "activity id"
);
slug_id!(
    /// Identifies a prize within its activity, e.g. `laptop`.
    PrizeId,
    "prize id"
);
uuid_id!(
    /// Identifies a user.
    UserId,
    "user id"
);
uuid_id!(
    /// Identifies an order; it is the Alipay `out_trade_no` too.
    OrderId,
    "order id"
);

/// Identifies one draw. It carries its activity (`demo.0190…`) so that every stock store
/// finds the draw in that activity's keys, which share one Redis hash slot.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DrawId {
    activity: ActivityId,
    key: Uuid,
}

impl DrawId {
    /// A new draw id in `activity`.
    pub fn generate(activity: &ActivityId, now: Timestamp, random: [u8; 10]) -> Self {
        Self { activity: activity.clone(), key: new_uuid(now, random) }
    }

    /// Parses `<activity>.<32 hex digits>`.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let error = || IdError::new("draw id", text);
        let (activity, key) = text.rsplit_once('.').ok_or_else(error)?;
        let activity = ActivityId::parse(activity).map_err(|_| error())?;
        let key = parse_simple_uuid(key).ok_or_else(error)?;
        Ok(Self { activity, key })
    }

    /// The activity this draw belongs to.
    pub fn activity(&self) -> &ActivityId {
        &self.activity
    }

    /// The id of the order a won draw creates: one draw, at most one order.
    pub fn order_id(&self) -> OrderId {
        OrderId(self.key)
    }

    fn render(&self) -> String {
        format!("{}.{}", self.activity, self.key.simple())
    }
}
id_traits!(DrawId);

fn new_uuid(now: Timestamp, random: [u8; 10]) -> Uuid {
    let millis = u64::try_from(now.as_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

fn parse_simple_uuid(text: &str) -> Option<Uuid> {
    let canonical = text.len() == 32 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    canonical.then(|| Uuid::try_parse(text).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_digits_and_dashes() {
        assert_eq!(ActivityId::parse("spring-2026").unwrap().as_str(), "spring-2026");
        for bad in ["", "-x", "Demo", "a b", "a.b", "a/b", &"x".repeat(65)] {
            assert!(ActivityId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn uuid_ids_are_canonical_lowercase_hex() {
        let id = OrderId::generate(Timestamp::from_millis(1_700_000_000_000), [7; 10]);
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(OrderId::parse(&text), Ok(id));
        assert!(OrderId::parse(&text.to_uppercase()).is_err());
        assert!(OrderId::parse("0190b7e2-d3e5-7c5d-8a3f-2b2f0c4d6e7f").is_err());
    }

    #[test]
    fn draw_ids_carry_their_activity_and_name_their_order() {
        let activity = ActivityId::parse("demo").unwrap();
        let draw = DrawId::generate(&activity, Timestamp::from_millis(1_700_000_000_000), [1; 10]);
        let text = draw.to_string();
        assert!(text.starts_with("demo."));
        let parsed = DrawId::parse(&text).unwrap();
        assert_eq!(parsed.activity(), &activity);
        assert_eq!(parsed.order_id().to_string(), text["demo.".len()..]);
        assert!(DrawId::parse("demo").is_err());
        assert!(DrawId::parse(".0190b7e2d3e57c5d8a3f2b2f0c4d6e7f").is_err());
    }

    #[test]
    fn ids_generated_later_sort_later() {
        let early = UserId::generate(Timestamp::from_millis(1_000), [9; 10]);
        let late = UserId::generate(Timestamp::from_millis(2_000), [0; 10]);
        assert!(early.to_string() < late.to_string());
    }
}
