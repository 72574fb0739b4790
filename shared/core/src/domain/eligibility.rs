//! Who may join an activity: a small rule set over the user (kind, tags an operator set,
//! when they registered). Every rule present must hold; no rules admit everyone.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Timestamp, User, UserKind};

/// The most tags one user carries.
pub const MAX_TAGS: usize = 16;

/// An operator's label on a user, such as `beta` or `vip-2026`: 1–32 of `a-z 0-9 _ -`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

/// A tag that does not meet the rules.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a tag is 1 to 32 characters of a-z, 0-9, '_' and '-', not `{0}`")]
pub struct TagError(String);

impl Tag {
    /// Parses a tag.
    pub fn parse(text: &str) -> Result<Self, TagError> {
        let valid = (1..=32).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        valid.then(|| Self(text.to_owned())).ok_or_else(|| TagError(text.chars().take(40).collect()))
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Tag {
    type Error = TagError;
    fn try_from(text: String) -> Result<Self, TagError> {
        Self::parse(&text)
    }
}

impl From<Tag> for String {
    fn from(tag: Tag) -> String {
        tag.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An activity's rules on who may draw; every rule given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Only these kinds of user (empty: any kind).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub kinds: BTreeSet<UserKind>,
    /// Only users with at least one of these tags (empty: no tag needed).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags_any: BTreeSet<Tag>,
    /// No user with any of these tags.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags_none: BTreeSet<Tag>,
    /// Only users who registered before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_before: Option<Timestamp>,
    /// Only users who registered at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_after: Option<Timestamp>,
}

impl Eligibility {
    /// Whether the rules need more of the user than their kind (their tags or registration).
    pub fn needs_account(&self) -> bool {
        !self.tags_any.is_empty()
            || !self.tags_none.is_empty()
            || self.registered_before.is_some()
            || self.registered_after.is_some()
    }

    /// Whether a user of `kind` passes the kind rule.
    pub fn admits_kind(&self, kind: UserKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    /// Whether `user` may draw.
    pub fn admits(&self, user: &User) -> bool {
        self.admits_kind(user.kind)
            && (self.tags_any.is_empty() || self.tags_any.iter().any(|tag| user.tags.contains(tag)))
            && !self.tags_none.iter().any(|tag| user.tags.contains(tag))
            && self.registered_before.is_none_or(|before| user.created_at < before)
            && self.registered_after.is_none_or(|after| user.created_at >= after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PasswordHash, UserId, UserStatus, Username};

    fn user(kind: UserKind, tags: &[&str], created_ms: i64) -> User {
        User {
            id: UserId::generate(Timestamp::from_millis(created_ms), [7; 10]),
            username: Username::parse("alice").unwrap(),
            password_hash: PasswordHash::from_phc("$argon2id$x".into()),
            kind,
            status: UserStatus::Active,
            created_at: Timestamp::from_millis(created_ms),
            tags: tags.iter().map(|tag| Tag::parse(tag).unwrap()).collect(),
        }
    }

    fn tags(list: &[&str]) -> BTreeSet<Tag> {
        list.iter().map(|tag| Tag::parse(tag).unwrap()).collect()
    }

    #[test]
    fn no_rules_admit_everyone() {
        let rules = Eligibility::default();
        assert!(!rules.needs_account());
        assert!(rules.admits(&user(UserKind::Normal, &[], 0)));
    }

    #[test]
    fn every_rule_given_must_hold() {
        let rules = Eligibility {
            kinds: [UserKind::Vip].into(),
            tags_any: tags(&["beta", "staff"]),
            tags_none: tags(&["banned"]),
            registered_before: Some(Timestamp::from_millis(1_000)),
            registered_after: Some(Timestamp::from_millis(100)),
        };
        assert!(rules.admits(&user(UserKind::Vip, &["beta"], 500)));
        assert!(!rules.admits(&user(UserKind::Normal, &["beta"], 500)), "kind");
        assert!(!rules.admits(&user(UserKind::Vip, &[], 500)), "no wanted tag");
        assert!(!rules.admits(&user(UserKind::Vip, &["beta", "banned"], 500)), "excluded tag");
        assert!(!rules.admits(&user(UserKind::Vip, &["staff"], 1_000)), "registered too late");
        assert!(!rules.admits(&user(UserKind::Vip, &["staff"], 99)), "registered too early");
        assert!(rules.admits(&user(UserKind::Vip, &["staff"], 100)));
    }

    #[test]
    fn tags_are_checked_and_unknown_rules_refused() {
        assert!(Tag::parse("vip-2026").is_ok());
        for bad in ["", "Beta", "a b", &"x".repeat(33), "标签"] {
            assert!(Tag::parse(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<Eligibility>(r#"{"kinds":["vip"],"age":3}"#).is_err());
        let rules: Eligibility = serde_json::from_str(r#"{"kinds":["vip"],"tags_any":["beta"]}"#).unwrap();
        assert!(rules.needs_account());
    }
}
