//! Sessions, rate-limit counters and pay links in memory (Redis or DynamoDB play this part on AWS).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::fixed_window;
use luckydraw_core::domain::{OrderId, PayLink, Session, SessionKey, Timestamp};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{PayLinks, RateLimits, Sessions};

/// [`Sessions`] in memory.
#[derive(Debug, Default)]
pub struct MemorySessions {
    sessions: Mutex<HashMap<SessionKey, (Session, Timestamp)>>,
}

/// [`RateLimits`] in memory: one counter per key for its current window (start, end, count).
#[derive(Debug, Default)]
pub struct MemoryRateLimits {
    counters: Mutex<HashMap<String, (Timestamp, Timestamp, u64)>>,
}

/// Past this many counters, a hit first drops those whose window has ended.
const COUNTERS_BEFORE_PRUNING: usize = 10_000;

/// [`PayLinks`] in memory.
#[derive(Debug, Default)]
pub struct MemoryPayLinks {
    links: Mutex<HashMap<OrderId, PayLink>>,
}

#[async_trait]
impl Sessions for MemorySessions {
    async fn put(&self, key: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError> {
        lock(&self.sessions).insert(key.clone(), (session.clone(), expires_at));
        Ok(())
    }

    async fn touch(
        &self,
        key: &SessionKey,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let mut sessions = lock(&self.sessions);
        match sessions.get_mut(key) {
            Some((session, expiry)) if now < *expiry => {
                *expiry = expires_at;
                Ok(Some(session.clone()))
            }
            Some(_) => {
                sessions.remove(key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        lock(&self.sessions).remove(key);
        Ok(())
    }
}

#[async_trait]
impl RateLimits for MemoryRateLimits {
    async fn hit(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, end) = fixed_window(window, now);
        let mut counters = lock(&self.counters);
        if counters.len() >= COUNTERS_BEFORE_PRUNING {
            counters.retain(|_, (_, end, _)| now < *end);
        }
        let counter = counters.entry(key.to_owned()).or_insert((start, end, 0));
        if counter.0 != start {
            *counter = (start, end, 0);
        }
        counter.2 += 1;
        Ok(counter.2)
    }

    async fn count(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, _) = fixed_window(window, now);
        let counters = lock(&self.counters);
        Ok(counters.get(key).filter(|(at, _, _)| *at == start).map_or(0, |(_, _, count)| *count))
    }

    async fn clear(&self, key: &str, _window: Duration, _now: Timestamp) -> Result<(), StoreError> {
        lock(&self.counters).remove(key);
        Ok(())
    }
}

#[async_trait]
impl PayLinks for MemoryPayLinks {
    async fn get(&self, order: &OrderId, now: Timestamp) -> Result<Option<PayLink>, StoreError> {
        Ok(lock(&self.links).get(order).filter(|link| now < link.expires_at).cloned())
    }

    async fn put_if_absent(&self, order: &OrderId, link: &PayLink, now: Timestamp) -> Result<PayLink, StoreError> {
        let mut links = lock(&self.links);
        let cached = links.entry(*order).or_insert_with(|| link.clone());
        if cached.expires_at <= now {
            *cached = link.clone();
        }
        Ok(cached.clone())
    }
}
