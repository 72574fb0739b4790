//! Stock, quotas and the draw log in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::{ActivityId, DrawId, DrawRecord, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::{Release, StockCounts, StockError, StockStore};

/// [`StockStore`] in memory.
#[derive(Debug, Default)]
pub struct MemoryStock {
    activities: Mutex<HashMap<ActivityId, ActivityStock>>,
}

#[derive(Debug, Default)]
struct ActivityStock {
    remaining: StockCounts,
    draws_per_user: HashMap<UserId, u32>,
    log: HashMap<DrawId, DrawRecord>,
}

impl MemoryStock {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl StockStore for MemoryStock {
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        lock(&self.activities).entry(activity.clone()).or_default().remaining = counts.clone();
        Ok(())
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        Ok(lock(&self.activities).get(activity).map(|stock| stock.remaining.clone()))
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        let mut activities = lock(&self.activities);
        let stock = activities.get_mut(activity).ok_or_else(|| StockError::NotLoaded(activity.clone()))?;
        if let Some(existing) = stock.log.get(&ticket.draw_id) {
            return Ok(existing.clone());
        }
        let drawn = stock.draws_per_user.get(&ticket.user_id).copied().unwrap_or(0);
        if !ticket.limit.allows_another(drawn) {
            return Err(StockError::QuotaExceeded);
        }
        let (slot, take, outcome) =
            ticket.pick(|prize| stock.remaining.get(prize).copied().unwrap_or(0)).ok_or(StockError::SoldOut)?;
        if take {
            *stock.remaining.entry(slot.prize_id.clone()).or_default() -= 1;
        }
        *stock.draws_per_user.entry(ticket.user_id).or_default() += 1;
        let record = ticket.record(&slot.prize_id, outcome);
        stock.log.insert(record.id.clone(), record.clone());
        Ok(record)
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        let mut activities = lock(&self.activities);
        let Some(stock) = activities.get_mut(draw.activity()) else { return Ok(false) };
        let Some(record) = stock.log.get_mut(draw).filter(|record| record.holds_unit()) else { return Ok(false) };
        record.released = true;
        *stock.remaining.entry(record.prize_id.clone()).or_default() += 1;
        if how == Release::UnitAndQuota {
            let drawn = stock.draws_per_user.entry(record.user_id).or_default();
            *drawn = drawn.saturating_sub(1);
        }
        Ok(true)
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let activities = lock(&self.activities);
        Ok(activities.get(draw.activity()).and_then(|stock| stock.log.get(draw).cloned()))
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let activities = lock(&self.activities);
        Ok(activities.get(activity).map(|stock| stock.log.values().cloned().collect()).unwrap_or_default())
    }
}
