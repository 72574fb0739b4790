//! Stock, quotas and the draw log in memory.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::{ActivityId, DrawId, DrawLimit, DrawOutcome, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore, adjusted_units};

/// [`StockStore`] in memory.
#[derive(Debug, Default)]
pub struct MemoryStock {
    state: Mutex<State>,
}

/// Everything, behind the one lock.
#[derive(Debug, Default)]
struct State {
    /// Loaded activities.
    activities: HashMap<ActivityId, ActivityStock>,
    /// Users' own draw limits per activity, loaded or not.
    limits: HashMap<ActivityId, HashMap<UserId, DrawLimit>>,
}

impl State {
    /// `user`'s own limit in `activity`, if an operator set one.
    fn limit(&self, activity: &ActivityId, user: &UserId) -> Option<DrawLimit> {
        self.limits.get(activity).and_then(|limits| limits.get(user)).copied()
    }
}

#[derive(Debug, Default)]
struct ActivityStock {
    remaining: StockCounts,
    draws_per_user: HashMap<UserId, u32>,
    log: HashMap<DrawId, DrawRecord>,
    unsettled: HashSet<DrawId>,
    /// Unpaid priced prizes held per user, and the draws holding them.
    holds: HashMap<UserId, u64>,
    holding: HashSet<DrawId>,
}

impl ActivityStock {
    /// Ends `draw`'s hold if it has one; whether it did.
    fn end_hold(&mut self, draw: &DrawId) -> bool {
        if !self.holding.remove(draw) {
            return false;
        }
        if let Some(user) = self.log.get(draw).map(|record| record.user_id) {
            let holds = self.holds.entry(user).or_default();
            *holds = holds.saturating_sub(1);
        }
        true
    }
}

impl MemoryStock {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything, as a Redis restarted without persistence does (for fault tests).
    pub fn lose_everything(&self) {
        *lock(&self.state) = State::default();
    }
}

#[async_trait]
impl StockStore for MemoryStock {
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        lock(&self.state).activities.entry(activity.clone()).or_default().remaining = counts.clone();
        Ok(())
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        Ok(lock(&self.state).activities.get(activity).map(|stock| stock.remaining.clone()))
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        let mut state = lock(&self.state);
        let limit = state.limit(activity, &ticket.user_id).unwrap_or(ticket.limit);
        let stock = state.activities.get_mut(activity).ok_or_else(|| StockError::NotLoaded(activity.clone()))?;
        if let Some(existing) = stock.log.get(&ticket.draw_id) {
            return Ok(existing.clone());
        }
        let drawn = stock.draws_per_user.get(&ticket.user_id).copied().unwrap_or(0);
        if !limit.allows_another(drawn) {
            return Err(StockError::QuotaExceeded);
        }
        if ticket.at_unpaid_cap(stock.holds.get(&ticket.user_id).copied().unwrap_or(0)) {
            return Err(StockError::UnpaidLimit);
        }
        let (slot, take, outcome) =
            ticket.pick(|prize| stock.remaining.get(prize).copied().unwrap_or(0)).ok_or(StockError::SoldOut)?;
        if take {
            *stock.remaining.entry(slot.prize_id.clone()).or_default() -= 1;
        }
        *stock.draws_per_user.entry(ticket.user_id).or_default() += 1;
        let record = ticket.record(&slot.prize_id, outcome);
        stock.log.insert(record.id.clone(), record.clone());
        stock.unsettled.insert(record.id.clone());
        if DrawTicket::holds(slot, outcome) {
            *stock.holds.entry(ticket.user_id).or_default() += 1;
            stock.holding.insert(record.id.clone());
        }
        Ok(record)
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        let Some(stock) = state.activities.get_mut(draw.activity()) else { return Ok(false) };
        let releasable = |record: &&mut DrawRecord| match how {
            Release::Unit => record.holds_unit(),
            Release::UnitAndQuota => !record.released,
        };
        let Some(record) = stock.log.get_mut(draw).filter(releasable) else { return Ok(false) };
        record.released = true;
        let (outcome, prize, user) = (record.outcome, record.prize_id.clone(), record.user_id);
        if outcome != DrawOutcome::Missed {
            *stock.remaining.entry(prize).or_default() += 1;
        }
        if how == Release::UnitAndQuota {
            let drawn = stock.draws_per_user.entry(user).or_default();
            *drawn = drawn.saturating_sub(1);
        }
        stock.end_hold(draw);
        Ok(true)
    }

    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        Ok(state.activities.get_mut(draw.activity()).is_some_and(|stock| stock.end_hold(draw)))
    }

    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let state = lock(&self.state);
        let Some(stock) = state.activities.get(activity) else { return Ok(Vec::new()) };
        let mut draws: Vec<DrawRecord> = (stock.unsettled.iter())
            .filter_map(|id| stock.log.get(id))
            .filter(|draw| draw.drawn_at < before)
            .cloned()
            .collect();
        draws.sort_by(|a, b| (a.drawn_at, &a.id).cmp(&(b.drawn_at, &b.id)));
        draws.truncate(limit);
        Ok(draws)
    }

    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError> {
        if let Some(stock) = lock(&self.state).activities.get_mut(draw.activity()) {
            stock.unsettled.remove(draw);
        }
        Ok(())
    }

    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError> {
        let draws_per_user =
            restoration.draws_per_user.iter().map(|(user, n)| (*user, u32::try_from(*n).unwrap_or(u32::MAX)));
        let (holding, holds) = restoration.holds();
        let stock = ActivityStock {
            remaining: restoration.remaining.clone(),
            draws_per_user: draws_per_user.collect(),
            log: restoration.draws.iter().map(|draw| (draw.id.clone(), draw.clone())).collect(),
            unsettled: HashSet::new(),
            holding: holding.into_iter().map(|draw| draw.id.clone()).collect(),
            holds,
        };
        let mut state = lock(&self.state);
        state.limits.insert(activity.clone(), restoration.limits.clone());
        state.activities.insert(activity.clone(), stock);
        Ok(())
    }

    async fn set_limit(
        &self,
        activity: &ActivityId,
        user: &UserId,
        limit: Option<DrawLimit>,
    ) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        let limits = state.limits.entry(activity.clone()).or_default();
        match limit {
            Some(limit) => limits.insert(*user, limit),
            None => limits.remove(user),
        };
        Ok(())
    }

    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        let mut state = lock(&self.state);
        let stock = state.activities.get_mut(activity).ok_or_else(|| StockError::NotLoaded(activity.clone()))?;
        let units = stock.remaining.get_mut(prize).ok_or_else(|| StockError::UnknownPrize(prize.clone()))?;
        *units = adjusted_units(*units, delta)?;
        Ok(*units)
    }

    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        let limits = state.limits.remove(activity).is_some_and(|limits| !limits.is_empty());
        Ok(state.activities.remove(activity).is_some() || limits)
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let state = lock(&self.state);
        Ok(state.activities.get(draw.activity()).and_then(|stock| stock.log.get(draw).cloned()))
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let state = lock(&self.state);
        Ok(state.activities.get(activity).map(|stock| stock.log.values().cloned().collect()).unwrap_or_default())
    }
}
