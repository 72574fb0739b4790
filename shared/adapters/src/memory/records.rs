//! Users, activities, orders and the draw ledger in memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::{
    Activity, ActivityId, DrawId, DrawLimit, DrawRecord, LedgerEntry, Order, OrderId, OrderStatus, Tag, Timestamp,
    User, UserId, Username,
};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Activities, AuditEntry, AuditLog, Ledger, OrderPage, OrderQuery, Orders, Users};

/// [`Users`], [`Activities`], [`Orders`], the [`Ledger`] and the [`AuditLog`] in memory.
#[derive(Debug, Default)]
pub struct MemoryRecords {
    state: Mutex<Records>,
}

#[derive(Debug, Default)]
struct Records {
    users: HashMap<UserId, User>,
    usernames: HashMap<Username, UserId>,
    activities: BTreeMap<ActivityId, Arc<Activity>>,
    orders: HashMap<OrderId, Order>,
    ledger: BTreeMap<DrawId, LedgerEntry>,
    limits: HashMap<ActivityId, HashMap<UserId, DrawLimit>>,
    audit: Vec<AuditEntry>,
}

impl MemoryRecords {
    /// Empty records.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Users for MemoryRecords {
    async fn insert(&self, user: &User) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        if state.usernames.contains_key(&user.username) || state.users.contains_key(&user.id) {
            return Ok(false);
        }
        state.usernames.insert(user.username.clone(), user.id);
        state.users.insert(user.id, user.clone());
        Ok(true)
    }

    async fn by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let state = lock(&self.state);
        Ok(state.usernames.get(username).and_then(|id| state.users.get(id)).cloned())
    }

    async fn by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.state).users.get(id).cloned())
    }

    async fn set_tags(&self, id: &UserId, tags: &BTreeSet<Tag>) -> Result<Option<User>, StoreError> {
        let mut state = lock(&self.state);
        Ok(state.users.get_mut(id).map(|user| {
            user.tags = tags.clone();
            user.clone()
        }))
    }
}

#[async_trait]
impl Activities for MemoryRecords {
    async fn put(&self, activity: &Activity) -> Result<(), StoreError> {
        lock(&self.state).activities.insert(activity.id.clone(), Arc::new(activity.clone()));
        Ok(())
    }

    async fn get(&self, id: &ActivityId) -> Result<Option<Arc<Activity>>, StoreError> {
        Ok(lock(&self.state).activities.get(id).cloned())
    }

    async fn list(&self) -> Result<Vec<Activity>, StoreError> {
        Ok(lock(&self.state).activities.values().map(|activity| Activity::clone(activity)).collect())
    }

    async fn create(&self, activity: &Activity) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        if state.activities.contains_key(&activity.id) {
            return Ok(false);
        }
        state.activities.insert(activity.id.clone(), Arc::new(activity.clone()));
        Ok(true)
    }

    async fn delete(&self, id: &ActivityId) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        state.limits.remove(id);
        Ok(state.activities.remove(id).is_some())
    }

    async fn set_limit(&self, id: &ActivityId, user: &UserId, limit: Option<DrawLimit>) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        let limits = state.limits.entry(id.clone()).or_default();
        match limit {
            Some(limit) => limits.insert(*user, limit),
            None => limits.remove(user),
        };
        Ok(())
    }

    async fn limits(&self, id: &ActivityId) -> Result<HashMap<UserId, DrawLimit>, StoreError> {
        Ok(lock(&self.state).limits.get(id).cloned().unwrap_or_default())
    }
}

#[async_trait]
impl Orders for MemoryRecords {
    async fn insert(&self, order: &Order) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        if state.orders.contains_key(&order.id) {
            return Ok(false);
        }
        state.orders.insert(order.id, order.clone());
        Ok(true)
    }

    async fn get(&self, id: &OrderId) -> Result<Option<Order>, StoreError> {
        Ok(lock(&self.state).orders.get(id).cloned())
    }

    async fn of_user(&self, user: &UserId) -> Result<Vec<Order>, StoreError> {
        let state = lock(&self.state);
        let mut orders: Vec<Order> = state.orders.values().filter(|order| &order.user_id == user).cloned().collect();
        orders.sort_by_key(|order| std::cmp::Reverse((order.created_at, order.id)));
        Ok(orders)
    }

    async fn update(&self, order: &Order, expected: OrderStatus) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        match state.orders.get_mut(&order.id) {
            Some(stored) if stored.status == expected => {
                *stored = order.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Newest first; the cursor is the number of matching orders already listed.
    async fn page(&self, query: &OrderQuery, cursor: Option<&str>, limit: usize) -> Result<OrderPage, StoreError> {
        let skip: usize = match cursor.map(str::parse) {
            None => 0,
            Some(Ok(skip)) => skip,
            Some(Err(_)) => return Ok(OrderPage::default()),
        };
        let state = lock(&self.state);
        let mut orders: Vec<&Order> = state.orders.values().filter(|order| query.matches(order)).collect();
        orders.sort_by_key(|order| std::cmp::Reverse((order.created_at, order.id)));
        let next = (orders.len() > skip + limit).then(|| (skip + limit).to_string());
        Ok(OrderPage { orders: orders.into_iter().skip(skip).take(limit).cloned().collect(), next })
    }

    async fn overdue(&self, now: Timestamp, limit: usize) -> Result<Vec<Order>, StoreError> {
        let state = lock(&self.state);
        let mut due: Vec<Order> = state.orders.values().filter(|order| order.is_overdue(now)).cloned().collect();
        due.sort_by_key(|order| (order.pay_deadline, order.id));
        due.truncate(limit);
        Ok(due)
    }
}

impl MemoryRecords {
    /// Writes `entry` unless its draw id holds one; returns the entry the id holds.
    fn first_write(&self, entry: LedgerEntry) -> LedgerEntry {
        lock(&self.state).ledger.entry(entry.draw_id().clone()).or_insert(entry).clone()
    }
}

#[async_trait]
impl Ledger for MemoryRecords {
    async fn record(&self, draw: &DrawRecord) -> Result<LedgerEntry, StoreError> {
        Ok(self.first_write(LedgerEntry::Recorded(draw.clone())))
    }

    async fn void(&self, draw: &DrawId, user: &UserId, at: Timestamp) -> Result<LedgerEntry, StoreError> {
        Ok(self.first_write(LedgerEntry::Voided { id: draw.clone(), user_id: *user, voided_at: at }))
    }

    async fn get(&self, draw: &DrawId) -> Result<Option<LedgerEntry>, StoreError> {
        Ok(lock(&self.state).ledger.get(draw).cloned())
    }

    async fn entries(&self, activity: &ActivityId) -> Result<Vec<LedgerEntry>, StoreError> {
        let state = lock(&self.state);
        Ok(state.ledger.values().filter(|entry| entry.activity() == activity).cloned().collect())
    }

    async fn any(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        Ok(lock(&self.state).ledger.values().any(|entry| entry.activity() == activity))
    }
}

#[async_trait]
impl AuditLog for MemoryRecords {
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        lock(&self.state).audit.push(entry.clone());
        Ok(())
    }

    async fn recent(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(lock(&self.state).audit.iter().rev().take(limit).cloned().collect())
    }
}
