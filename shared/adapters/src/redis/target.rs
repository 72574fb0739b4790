//! Where Redis is and how to talk to it (`REDIS_URL` or `LUCKYDRAW_CACHE_NAME`,
//! `LUCKYDRAW_REDIS_MODE`), with passwords kept out of logs.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// How to talk to Redis (`LUCKYDRAW_REDIS_MODE`, default `auto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisMode {
    /// `rediss://` means cluster (ElastiCache Serverless), `redis://` a single server.
    Auto,
    /// One server (or a primary behind one endpoint).
    Single,
    /// A Redis Cluster: the client follows slot redirections.
    Cluster,
}

/// Where Redis is: a URL, or an ElastiCache Serverless cache to look up by name.
#[derive(Clone)]
pub enum RedisTarget {
    /// `REDIS_URL` (may carry a password, so it is never printed).
    Url(SecretString),
    /// `LUCKYDRAW_CACHE_NAME`: resolved with the ElastiCache control plane at start.
    CacheName(String),
}

impl RedisTarget {
    /// The URL, for the client only.
    pub fn expose_url(&self) -> Option<&str> {
        match self {
            RedisTarget::Url(url) => Some(url.expose_secret()),
            RedisTarget::CacheName(_) => None,
        }
    }
}

impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisTarget::Url(url) => write!(f, "Url({})", redacted(url.expose_secret())),
            RedisTarget::CacheName(name) => write!(f, "CacheName({name})"),
        }
    }
}

/// A Redis URL with any password replaced by `***`, fit for logs and errors.
pub fn redacted(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| Some((scheme, rest.split_once('@')?))) {
        Some((scheme, (_, host))) => format!("{scheme}://***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redacted("rediss://user:secret@cache.example:6379"), "rediss://***@cache.example:6379");
        assert_eq!(redacted("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
