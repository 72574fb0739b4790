//! Sessions and rate-limit counters in Redis. A session's key expires with it and every
//! touch pushes the expiry on (a sliding TTL); a rate-limit counter lives for its window.
//! The expiry written with the value is checked against the caller's clock, so the TTL
//! only collects garbage and never decides alone.

use std::time::Duration;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};

use super::{RedisConnection, RedisKeys, failed};
use crate::domain::{Session, SessionKey, Timestamp};
use crate::error::StoreError;
use crate::ports::{RateLimits, Sessions, fixed_window};

/// [`Sessions`] in Redis: `<prefix>:session:<key>` holds `<expires at ms> <session json>`.
pub struct RedisSessions {
    connection: RedisConnection,
    keys: RedisKeys,
    touch: Script,
}

/// [`RateLimits`] in Redis: `<prefix>:rate:<key>:<window start ms>` counts one window.
pub struct RedisRateLimits {
    connection: RedisConnection,
    keys: RedisKeys,
    hit: Script,
}

impl RedisSessions {
    /// Sessions on `connection`, under `keys`.
    pub fn new(connection: RedisConnection, keys: RedisKeys) -> Self {
        Self { connection, keys, touch: Script::new(include_str!("../../../../infra/redis/session_touch.lua")) }
    }
}

impl RedisRateLimits {
    /// Counters on `connection`, under `keys`.
    pub fn new(connection: RedisConnection, keys: RedisKeys) -> Self {
        Self { connection, keys, hit: Script::new(include_str!("../../../../infra/redis/hit.lua")) }
    }
}

/// Milliseconds from `from` to `to`, at least one (Redis refuses a zero TTL).
fn ttl_ms(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.since(from).as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Sessions for RedisSessions {
    async fn put(&self, key: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError> {
        let json = serde_json::to_string(session).map_err(|error| StoreError::caused_by("session to JSON", error))?;
        let value = format!("{} {json}", expires_at.as_millis());
        let ttl = ttl_ms(session.created_at, expires_at);
        let () = self
            .connection
            .clone()
            .pset_ex(self.keys.session(key.as_str()), value, ttl)
            .await
            .map_err(failed("store a session"))?;
        Ok(())
    }

    async fn touch(
        &self,
        key: &SessionKey,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let json: Option<String> = self
            .touch
            .key(self.keys.session(key.as_str()))
            .arg(now.as_millis())
            .arg(expires_at.as_millis())
            .arg(ttl_ms(now, expires_at))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("touch a session"))?;
        json.map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| StoreError::caused_by("redis: unreadable session", error))
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        let _: i64 =
            self.connection.clone().del(self.keys.session(key.as_str())).await.map_err(failed("end a session"))?;
        Ok(())
    }
}

#[async_trait]
impl RateLimits for RedisRateLimits {
    async fn hit(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, end) = fixed_window(window, now);
        // Kept one window past its end, so a server clock a little behind ours never drops it early.
        let ttl = ttl_ms(now, end).saturating_add(ttl_ms(start, end));
        self.hit
            .key(self.keys.rate(key, start.as_millis()))
            .arg(ttl)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("count a rate-limited event"))
    }

    async fn count(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, _) = fixed_window(window, now);
        let count: Option<u64> = self
            .connection
            .clone()
            .get(self.keys.rate(key, start.as_millis()))
            .await
            .map_err(failed("read a counter"))?;
        Ok(count.unwrap_or(0))
    }
}
