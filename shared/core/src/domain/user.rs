//! Users, their credentials and what kind of player they are.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use std::collections::BTreeSet;

use super::{Tag, Timestamp, UserId};

/// A login name: 3–32 of `a-z 0-9 _ . -`, compared case-insensitively (stored lowercase).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// A password as typed: 8–128 characters, kept secret (never logged or serialised).
#[derive(Clone)]
pub struct Password(SecretString);

/// An argon2id hash in PHC string form (`$argon2id$v=19$...`), salt included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

/// What a user may do beyond drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// A player.
    Normal,
    /// A player with the activity's VIP draw limit.
    Vip,
    /// An operator.
    Admin,
}

/// Whether the account may log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// May log in.
    Active,
    /// May not log in.
    Locked,
}

/// A registered user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// Login name.
    pub username: Username,
    /// argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// Player, VIP or admin.
    pub kind: UserKind,
    /// Active or locked.
    pub status: UserStatus,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Labels operators set, for activities' eligibility rules.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<Tag>,
}

/// A credential that does not meet the rules.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Bad username.
    #[error("a username is 3 to 32 characters of a-z, 0-9, '_', '.' and '-'")]
    Username,
    /// Bad password.
    #[error("a password is 8 to 128 characters")]
    Password,
}

impl Username {
    /// Parses and lowercases a username.
    pub fn parse(text: &str) -> Result<Self, CredentialError> {
        let name = text.to_ascii_lowercase();
        let valid = (3..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        valid.then_some(Self(name)).ok_or(CredentialError::Username)
    }

    /// The lowercase name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Username {
    type Err = CredentialError;
    fn from_str(text: &str) -> Result<Self, CredentialError> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Username {
    type Error = CredentialError;
    fn try_from(text: String) -> Result<Self, CredentialError> {
        Self::parse(&text)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> String {
        name.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Password {
    /// Accepts a password of 8 to 128 characters, exactly as typed (no trimming).
    pub fn parse(text: String) -> Result<Self, CredentialError> {
        let length = text.chars().count();
        if (8..=128).contains(&length) { Ok(Self(text.into())) } else { Err(CredentialError::Password) }
    }

    /// The password's bytes, for hashing only.
    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl PasswordHash {
    /// Wraps a PHC string read back from a store.
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_limited() {
        assert_eq!(Username::parse("Alice_01").unwrap().as_str(), "alice_01");
        for bad in ["al", "a b c", "ali/ce", "测试用户", &"a".repeat(33)] {
            assert_eq!(Username::parse(bad), Err(CredentialError::Username), "{bad:?}");
        }
    }

    #[test]
    fn passwords_count_characters_and_hide_in_debug() {
        assert!(Password::parse("密码密码密码密码".into()).is_ok());
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("x".repeat(129)).is_err());
        let password = Password::parse("correct horse".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
