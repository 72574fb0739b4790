//! A read-through cache of activities in front of a shared store: every draw reads its
//! activity, and during a storm thousands of reads of the same item per second would
//! make it a hot key. Each process keeps what it read for a short time; its own writes
//! replace the entry at once, other processes see them once the entry is older than the TTL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use luckydraw_core::domain::{Activity, ActivityId, DrawLimit, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Activities, Clock};

/// [`Activities`] with a per-process cache of `get` (absent activities are not cached).
pub struct CachedActivities {
    inner: Arc<dyn Activities>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    entries: Mutex<HashMap<ActivityId, (Timestamp, Arc<Activity>)>>,
}

impl CachedActivities {
    /// Caches `inner`'s activities for `ttl`, timed by `clock`.
    pub fn new(inner: Arc<dyn Activities>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self { inner, clock, ttl, entries: Mutex::default() }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<ActivityId, (Timestamp, Arc<Activity>)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Activities for CachedActivities {
    async fn put(&self, activity: &Activity) -> Result<(), StoreError> {
        self.inner.put(activity).await?;
        self.entries().insert(activity.id.clone(), (self.clock.now(), Arc::new(activity.clone())));
        Ok(())
    }

    async fn get(&self, id: &ActivityId) -> Result<Option<Arc<Activity>>, StoreError> {
        let now = self.clock.now();
        if let Some((read_at, activity)) = self.entries().get(id)
            && now.since(*read_at) < self.ttl
            && now >= *read_at
        {
            return Ok(Some(Arc::clone(activity)));
        }
        let activity = self.inner.get(id).await?;
        match &activity {
            Some(activity) => self.entries().insert(id.clone(), (now, Arc::clone(activity))),
            None => self.entries().remove(id),
        };
        Ok(activity)
    }

    async fn create(&self, activity: &Activity) -> Result<bool, StoreError> {
        let inserted = self.inner.create(activity).await?;
        if inserted {
            self.entries().insert(activity.id.clone(), (self.clock.now(), Arc::new(activity.clone())));
        }
        Ok(inserted)
    }

    async fn delete(&self, id: &ActivityId) -> Result<bool, StoreError> {
        self.entries().remove(id);
        self.inner.delete(id).await
    }

    async fn set_limit(&self, id: &ActivityId, user: &UserId, limit: Option<DrawLimit>) -> Result<(), StoreError> {
        self.inner.set_limit(id, user, limit).await
    }

    async fn limits(&self, id: &ActivityId) -> Result<HashMap<UserId, DrawLimit>, StoreError> {
        self.inner.limits(id).await
    }

    async fn list(&self) -> Result<Vec<Activity>, StoreError> {
        self.inner.list().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryRecords;
    use crate::system::ManualClock;
    use luckydraw_core::domain::{ActivitySpec, ActivityStatus, DrawLimit, DrawMode, Money, Prize, PrizeId};

    fn activity(name: &str) -> Activity {
        let prize = Prize {
            id: PrizeId::parse("cup").unwrap(),
            name: "Cup".into(),
            description: String::new(),
            picture: String::new(),
            price_fen: Money::from_fen(100),
            initial: 1,
            weight: 1,
            wheel_index: 0,
            consolation: false,
        };
        Activity::new(ActivitySpec {
            id: ActivityId::parse("spring").unwrap(),
            name: name.into(),
            description: String::new(),
            starts_at: Timestamp::from_millis(0),
            ends_at: Timestamp::from_millis(10),
            status: ActivityStatus::Online,
            draw_mode: DrawMode::RemainingStock,
            entry: Default::default(),
            per_user_limit: DrawLimit::UNLIMITED,
            vip_per_user_limit: None,
            pay_window_secs: 60,
            max_unpaid_per_user: 3,
            eligibility: Default::default(),
            buckets: 1,
            prizes: vec![prize],
        })
        .unwrap()
    }

    #[tokio::test]
    async fn reads_are_served_from_the_cache_until_the_ttl_passes() {
        let store = Arc::new(MemoryRecords::new());
        let clock = Arc::new(ManualClock::at(Timestamp::from_millis(1_000)));
        let cached = CachedActivities::new(store.clone(), clock.clone(), Duration::from_secs(2));
        let id = ActivityId::parse("spring").unwrap();
        assert_eq!(cached.get(&id).await.unwrap(), None, "absent activities are not cached");
        store.put(&activity("first")).await.unwrap();
        assert_eq!(cached.get(&id).await.unwrap().unwrap().name, "first");

        store.put(&activity("changed elsewhere")).await.unwrap();
        clock.advance(Duration::from_millis(1_999));
        assert_eq!(cached.get(&id).await.unwrap().unwrap().name, "first", "fresh for the TTL");
        clock.advance(Duration::from_millis(1));
        assert_eq!(cached.get(&id).await.unwrap().unwrap().name, "changed elsewhere");

        cached.put(&activity("changed here")).await.unwrap();
        assert_eq!(cached.get(&id).await.unwrap().unwrap().name, "changed here", "own writes show at once");
    }
}
