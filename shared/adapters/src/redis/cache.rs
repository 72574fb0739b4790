//! Sessions, rate-limit counters and pay links in Redis. A session's key expires with it
//! and every touch pushes the expiry on (a sliding TTL); a rate-limit counter lives for its
//! window; a pay link until its trade's deadline. The expiry written with a session or a
//! link is checked against the caller's clock, so the TTL only collects garbage and never
//! decides alone.

use std::time::Duration;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};

use super::{RedisConnection, RedisKeys, failed};
use luckydraw_core::domain::fixed_window;
use luckydraw_core::domain::{OrderId, PayLink, Session, SessionKey, Timestamp};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{PayLinks, RateLimits, Sessions};

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

/// [`PayLinks`] in Redis: `<prefix>:paylink:<order id>` holds `<expires at ms> <url>`.
pub struct RedisPayLinks {
    connection: RedisConnection,
    keys: RedisKeys,
    put: Script,
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

impl RedisPayLinks {
    /// Pay links on `connection`, under `keys`.
    pub fn new(connection: RedisConnection, keys: RedisKeys) -> Self {
        Self { connection, keys, put: Script::new(include_str!("../../../../infra/redis/pay_link_put.lua")) }
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

    async fn clear(&self, key: &str, window: Duration, now: Timestamp) -> Result<(), StoreError> {
        let (start, _) = fixed_window(window, now);
        let key = self.keys.rate(key, start.as_millis());
        let _: i64 = self.connection.clone().del(key).await.map_err(failed("clear a counter"))?;
        Ok(())
    }
}

#[async_trait]
impl PayLinks for RedisPayLinks {
    async fn get(&self, order: &OrderId, now: Timestamp) -> Result<Option<PayLink>, StoreError> {
        let stored: Option<String> =
            self.connection.clone().get(self.keys.pay_link(order)).await.map_err(failed("read a pay link"))?;
        let link = stored.as_deref().map(parse_pay_link).transpose()?;
        Ok(link.filter(|link| now < link.expires_at))
    }

    async fn put_if_absent(&self, order: &OrderId, link: &PayLink, now: Timestamp) -> Result<PayLink, StoreError> {
        let stays: String = self
            .put
            .key(self.keys.pay_link(order))
            .arg(now.as_millis())
            .arg(link.expires_at.as_millis())
            .arg(&link.url)
            .arg(ttl_ms(now, link.expires_at))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("cache a pay link"))?;
        parse_pay_link(&stays)
    }
}

/// Reads `<expires at ms> <url>`.
fn parse_pay_link(stored: &str) -> Result<PayLink, StoreError> {
    let corrupt = || StoreError::new(format!("redis: unreadable pay link {stored:?}"));
    let (expires_at, url) = stored.split_once(' ').ok_or_else(corrupt)?;
    let expires_at = Timestamp::from_millis(expires_at.parse().map_err(|_| corrupt())?);
    Ok(PayLink { url: url.to_owned(), expires_at })
}
