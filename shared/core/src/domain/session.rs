//! Login sessions: a random bearer token for the client, only its hash in the store.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Timestamp, UserId, UserKind, Username};

/// A 256-bit random session token, base64url without padding (43 characters).
#[derive(Clone)]
pub struct SessionToken(SecretString);

/// The SHA-256 of a token, hex: the key a session is stored under, so a leaked store
/// does not leak usable tokens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionKey(String);

/// Who is logged in, as stored under a [`SessionKey`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The user.
    pub user_id: UserId,
    /// Their login name.
    pub username: Username,
    /// Their kind, for draw limits and admin checks.
    pub kind: UserKind,
    /// When the session was created.
    pub created_at: Timestamp,
}

impl SessionToken {
    /// A token from 32 random bytes.
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes).into())
    }

    /// Parses a token presented by a client; anything not shaped like one is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let shaped = text.len() == 43 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| Self(text.to_owned().into()))
    }

    /// The token text, to hand to the client.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The key the session is stored under.
    pub fn key(&self) -> SessionKey {
        SessionKey(hex::encode(Sha256::digest(self.expose().as_bytes())))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl SessionKey {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hash_to_a_stable_key() {
        let token = SessionToken::from_random([42; 32]);
        assert_eq!(token.expose().len(), 43);
        let again = SessionToken::parse(token.expose()).unwrap();
        assert_eq!(again.key(), token.key());
        assert_eq!(token.key().as_str().len(), 64);
        assert_ne!(SessionToken::from_random([43; 32]).key(), token.key());
    }

    #[test]
    fn malformed_tokens_are_not_tokens() {
        assert!(SessionToken::parse("").is_none());
        assert!(SessionToken::parse(&"a".repeat(42)).is_none());
        assert!(SessionToken::parse(&format!("{}=", "a".repeat(42))).is_none());
    }
}
