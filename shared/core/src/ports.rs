//! Ports: the small traits the use cases need from the outside world, and the data they
//! take and give. Adapters implement them; nothing here names a backend.
//!
//! Adapters never read the clock: callers pass `now`, so tests with a manual clock are exact.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::domain::{
    Activity, ActivityId, DrawId, DrawLimit, DrawRecord, LedgerEntry, Notification, Order, OrderId, OrderStatus,
    PayLink, PrizeId, Refund, Refusal, Session, SessionKey, Tag, Ticket, TicketState, Timestamp, TradeRequest,
    Unverified, User, UserId, UserKind, Username,
};
use crate::error::StoreError;
use crate::lottery::DrawTicket;
use crate::messages::{OrderMessage, TicketWaiting};

/// Units left per prize of one activity.
pub type StockCounts = HashMap<PrizeId, u64>;

/// Why the stock store refused a draw or a stock adjustment; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// No prize has a unit left.
    #[error("sold out")]
    SoldOut,
    /// The user reached their limit.
    #[error("draw limit reached")]
    QuotaExceeded,
    /// The user holds as many unpaid priced prizes as the activity allows.
    #[error("too many unpaid prizes")]
    UnpaidLimit,
    /// The activity's stock was never loaded into this store.
    #[error("stock of activity `{0}` is not loaded")]
    NotLoaded(ActivityId),
    /// The activity's stock is loaded but has no such prize.
    #[error("prize `{0}` is not in the activity's stock")]
    UnknownPrize(PrizeId),
    /// A removal asked for more units than are left.
    #[error("only {remaining} unit(s) left")]
    Insufficient {
        /// Units the prize has left.
        remaining: u64,
    },
    /// The backend failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `remaining` units after adding `delta` (negative: removing), or `Insufficient` when a
/// removal takes more than are left: the arithmetic of [`StockStore::adjust`].
pub fn adjusted_units(remaining: u64, delta: i64) -> Result<u64, StockError> {
    match remaining.checked_add_signed(delta) {
        Some(units) => Ok(units),
        None if delta < 0 => Err(StockError::Insufficient { remaining }),
        None => Err(StoreError::new(format!("{remaining} + {delta} units overflow a stock count")).into()),
    }
}

/// What a release gives back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// The won unit only (give-up, expiry): the draw still counts against the quota.
    Unit,
    /// Undoes the draw whatever its outcome: its unit (won or consolation) and the user's
    /// draw, as if it never happened (it was voided: the player was told to try again).
    UnitAndQuota,
}

/// What a restore puts back into an empty stock store, computed from the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restoration {
    /// Units left per prize.
    pub remaining: StockCounts,
    /// Draws made per user.
    pub draws_per_user: HashMap<UserId, u64>,
    /// The draw log: every recorded draw, `released` set where its unit went back.
    pub draws: Vec<DrawRecord>,
    /// Draws (among `draws`) holding an unpaid priced prize: won, order pending or not yet created.
    pub holding: Vec<DrawId>,
    /// Users' own draw limits, overriding the ticket's (see [`StockStore::set_limit`]).
    pub limits: HashMap<UserId, DrawLimit>,
}

impl Restoration {
    /// The holding draws (those among `draws`) with their users, and each user's count of them.
    pub fn holds(&self) -> (Vec<&DrawRecord>, HashMap<UserId, u64>) {
        let holding: std::collections::HashSet<&DrawId> = self.holding.iter().collect();
        let draws: Vec<&DrawRecord> = self.draws.iter().filter(|draw| holding.contains(&draw.id)).collect();
        let mut per_user: HashMap<UserId, u64> = HashMap::new();
        for draw in &draws {
            *per_user.entry(draw.user_id).or_default() += 1;
        }
        (draws, per_user)
    }
}

/// Prize stock, per-user quotas and the draw log.
#[async_trait]
pub trait StockStore: Send + Sync {
    /// Sets an activity's remaining units per prize (a fresh load or a reconciled reload).
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError>;

    /// Spreads an activity's stock over `buckets` hash slots from its next load or restore
    /// on (Redis, `docs/scale.md`); refused while its stock is loaded with another count.
    /// Stores without shards (memory) or with their own (DynamoDB's hot-prize shards) ignore it.
    async fn spread(&self, _activity: &ActivityId, _buckets: u16) -> Result<(), StoreError> {
        Ok(())
    }

    /// Units left per prize; `None` if the activity's stock was never loaded.
    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError>;

    /// The one atomic step of a draw: check the quota and the user's unpaid holds against
    /// the cap, pick by the ticket's roll, take a unit (never below zero), count the user's
    /// draw (and a hold for a priced win) and record it. A ticket whose draw id is already
    /// recorded changes nothing and returns that record.
    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError>;

    /// Puts a draw's unit back (`Unit`: a won unit; `UnitAndQuota`: any draw, undone) at
    /// most once per draw id, ending its hold if it has one; `Ok(true)` if it was undone
    /// now, `Ok(false)` if it already had been, or there is nothing to give back, or the
    /// draw is unknown.
    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError>;

    /// Ends a draw's unpaid hold (its order was paid) at most once; `Ok(true)` if ended
    /// now, `Ok(false)` if it holds nothing (unknown, free, ended already or released).
    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError>;

    /// Draws of an activity not yet settled, drawn before `before`, oldest first, at most
    /// `limit`. Every draw starts unsettled; settlement marks it once the ledger decided it.
    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError>;

    /// Marks a draw settled (nothing happens if it is unknown or settled already).
    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError>;

    /// Sets (`Some`) or removes (`None`) `user`'s own draw limit in `activity`, overriding
    /// the ticket's (0 = unlimited) inside the draw's atomic step; whether or not the
    /// activity's stock is loaded. A limit below the user's draws refuses further draws.
    async fn set_limit(&self, activity: &ActivityId, user: &UserId, limit: Option<DrawLimit>)
    -> Result<(), StoreError>;

    /// Adds `delta` units (negative: removes) to a prize's remaining stock, atomically and
    /// never below zero; returns the units now left. Refused, changing nothing, when the
    /// stock is not loaded (`NotLoaded`), has no such prize (`UnknownPrize`) or has fewer
    /// units left than a removal takes (`Insufficient`).
    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError>;

    /// Removes everything the store holds of an activity (stock, users' counts, holds,
    /// overrides, draw log), so it is not loaded; `Ok(false)` if there was nothing.
    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError>;

    /// Rebuilds an activity that the store lost (or that was flushed): its draw log, users'
    /// counts, holds and own draw limits and, last, its stock (so draws stay refused as not
    /// loaded until the whole restoration is in).
    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError>;

    /// The recorded draw with this id.
    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError>;

    /// Every recorded draw of an activity, for reconciliation and audits.
    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError>;
}

/// The durable draw ledger (the records store): one entry per draw id, written once,
/// by the consumer (recorded) or by a draw that answered 503 (voided), whichever is first.
#[async_trait]
pub trait Ledger: Send + Sync {
    /// Records `draw` unless its id holds an entry; returns the entry the id holds now.
    async fn record(&self, draw: &DrawRecord) -> Result<LedgerEntry, StoreError>;
    /// Voids `draw` unless its id holds an entry; returns the entry the id holds now.
    async fn void(&self, draw: &DrawId, user: &UserId, at: Timestamp) -> Result<LedgerEntry, StoreError>;
    /// The entry of a draw id.
    async fn get(&self, draw: &DrawId) -> Result<Option<LedgerEntry>, StoreError>;
    /// Every entry of an activity.
    async fn entries(&self, activity: &ActivityId) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Whether an activity has any entry at all.
    async fn any(&self, activity: &ActivityId) -> Result<bool, StoreError>;
}

/// User accounts.
#[async_trait]
pub trait Users: Send + Sync {
    /// Adds a user; `Ok(false)` if the username is taken.
    async fn insert(&self, user: &User) -> Result<bool, StoreError>;
    /// The user with this login name.
    async fn by_username(&self, username: &Username) -> Result<Option<User>, StoreError>;
    /// The user with this id.
    async fn by_id(&self, id: &UserId) -> Result<Option<User>, StoreError>;
    /// Replaces a user's tags; the updated user, or `None` if there is no such user.
    async fn set_tags(&self, id: &UserId, tags: &BTreeSet<Tag>) -> Result<Option<User>, StoreError>;
}

/// Activities with their prizes.
#[async_trait]
pub trait Activities: Send + Sync {
    /// Creates or replaces an activity.
    async fn put(&self, activity: &Activity) -> Result<(), StoreError>;
    /// The activity with this id, shared: every draw reads it, and a cache hands out the
    /// one it holds without copying the prize table.
    async fn get(&self, id: &ActivityId) -> Result<Option<Arc<Activity>>, StoreError>;
    /// Every activity, by id.
    async fn list(&self) -> Result<Vec<Activity>, StoreError>;
    /// Creates an activity unless its id is taken; `Ok(false)` if it is.
    async fn create(&self, activity: &Activity) -> Result<bool, StoreError>;
    /// Deletes an activity and its users' draw limits; `Ok(false)` if there was none.
    async fn delete(&self, id: &ActivityId) -> Result<bool, StoreError>;
    /// Sets (`Some`) or removes (`None`) a user's own draw limit in an activity: the durable
    /// copy the stock store's is restored from.
    async fn set_limit(&self, id: &ActivityId, user: &UserId, limit: Option<DrawLimit>) -> Result<(), StoreError>;
    /// Every user's own draw limit in an activity.
    async fn limits(&self, id: &ActivityId) -> Result<HashMap<UserId, DrawLimit>, StoreError>;
}

/// Which orders an operator lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only this activity's.
    pub activity: Option<ActivityId>,
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
}

impl OrderQuery {
    /// Whether `order` is one of those asked for.
    pub fn matches(&self, order: &Order) -> bool {
        self.activity.as_ref().is_none_or(|activity| order.draw_id.activity() == activity)
            && self.status.is_none_or(|status| order.status == status)
    }
}

/// One page of orders and where the next one starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderPage {
    /// The orders of this page.
    pub orders: Vec<Order>,
    /// Opaque: pass it back for the next page; `None` on the last.
    pub next: Option<String>,
}

/// One call an operator made.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// Who (the admin's username).
    pub admin: Username,
    /// What: the method and path, e.g. `PATCH /admin/activities/spring`.
    pub action: String,
    /// The HTTP status it was answered with.
    pub status: u16,
}

/// The operators' audit log: append-only.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest `limit` entries, newest first.
    async fn recent(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Orders. Only the order consumer writes them, always conditionally.
#[async_trait]
pub trait Orders: Send + Sync {
    /// Creates an order unless its id exists; `Ok(false)` if it did.
    async fn insert(&self, order: &Order) -> Result<bool, StoreError>;
    /// The order with this id.
    async fn get(&self, id: &OrderId) -> Result<Option<Order>, StoreError>;
    /// A user's orders, newest first.
    async fn of_user(&self, user: &UserId) -> Result<Vec<Order>, StoreError>;
    /// Replaces the order if its stored status is still `expected`; `Ok(false)` if not.
    async fn update(&self, order: &Order, expected: OrderStatus) -> Result<bool, StoreError>;
    /// A page of at most `limit` orders matching `query`, from `cursor` (a previous page's
    /// `next`; one this store did not issue gives an empty last page).
    async fn page(&self, query: &OrderQuery, cursor: Option<&str>, limit: usize) -> Result<OrderPage, StoreError>;
    /// Up to `limit` orders still pending payment with a deadline at or before `now`,
    /// earliest deadline first.
    async fn overdue(&self, now: Timestamp, limit: usize) -> Result<Vec<Order>, StoreError>;
}

/// The order queue (SQS on AWS).
#[async_trait]
pub trait Queue: Send + Sync {
    /// Sends a message; `Ok` only once the queue has accepted it. An `Err` is ambiguous:
    /// the message may have arrived all the same.
    async fn send(&self, message: &OrderMessage) -> Result<(), StoreError>;
    /// Messages sent and not yet consumed (waiting, in flight or delayed; approximate on SQS).
    async fn backlog(&self) -> Result<u64, StoreError>;
}

/// A ticket as [`Tickets::take`] answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The ticket: a new one, or the one its holder was already waiting with.
    pub ticket: Ticket,
    /// Whether it was taken now (`false`: a second press answered with the waiting ticket).
    pub new: bool,
    /// Waiting tickets ahead of it.
    pub ahead: u64,
}

/// The lines of queued activities: ticket numbers taken atomically per activity in arrival
/// order (unique, no gaps), a served counter that only moves forward, and per ticket how it
/// ended. A ticket below the served counter has ended; at most one waiting ticket per user.
#[async_trait]
pub trait Tickets: Send + Sync {
    /// Takes the next number in `draw`'s activity for `user`, unless `user` holds a waiting
    /// ticket there: then answers that one (and `draw` is not used).
    async fn take(&self, draw: &DrawId, user: &UserId, kind: UserKind, at: Timestamp) -> Result<Taken, StoreError>;

    /// The ticket that becomes `draw`, and where it stands.
    async fn find(&self, draw: &DrawId) -> Result<Option<(Ticket, TicketState)>, StoreError>;

    /// The next ticket to serve in `activity` (the served counter's), if one is waiting.
    async fn head(&self, activity: &ActivityId) -> Result<Option<Ticket>, StoreError>;

    /// Ends ticket `number` (drawn when `refusal` is `None`) and moves the served counter past
    /// it, only if it is the head; `Ok(false)` if it is not (it ended already, or it is not
    /// its turn yet), changing nothing.
    async fn finish(&self, activity: &ActivityId, number: u64, refusal: Option<Refusal>) -> Result<bool, StoreError>;

    /// Ends every waiting ticket of `activity` at once with `refusal` (sold out, closed);
    /// returns how many were waiting.
    async fn close(&self, activity: &ActivityId, refusal: Refusal) -> Result<u64, StoreError>;

    /// How many tickets of `activity` are waiting.
    async fn waiting(&self, activity: &ActivityId) -> Result<u64, StoreError>;
}

/// The draw queue (SQS FIFO on AWS, one message group per activity): wakes the draw worker.
#[async_trait]
pub trait DrawQueue: Send + Sync {
    /// Sends a message; `Ok` only once the queue has accepted it.
    async fn send(&self, message: &TicketWaiting) -> Result<(), StoreError>;
}

/// Login sessions, stored under the hash of their token, expiring unless used.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// Stores a session until `expires_at`.
    async fn put(&self, key: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError>;
    /// The session if it has not expired at `now`, its expiry moved to `expires_at`.
    async fn touch(
        &self,
        key: &SessionKey,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<Session>, StoreError>;
    /// Ends a session (nothing happens if there is none).
    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError>;
}

/// Events counted in fixed windows, for rate limits.
#[async_trait]
pub trait RateLimits: Send + Sync {
    /// Counts one event under `key` in the window containing `now`; returns the count so far.
    async fn hit(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError>;
    /// The count under `key` in the window containing `now`.
    async fn count(&self, key: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError>;
    /// Forgets the count under `key` in the window containing `now`.
    async fn clear(&self, key: &str, window: Duration, now: Timestamp) -> Result<(), StoreError>;
}

/// The payment provider (Alipay, or its sandbox).
#[async_trait]
pub trait Payments: Send + Sync {
    /// Opens a trade (`alipay.trade.precreate`) and returns the link that pays it. Opening
    /// the same order's trade again returns the same trade.
    async fn precreate(&self, trade: &TradeRequest) -> Result<PayLink, StoreError>;
    /// Returns the money of a trade in full; asking again with the same request number
    /// changes nothing.
    async fn refund(&self, refund: &Refund) -> Result<(), StoreError>;
}

/// Checks that a payment notification (the raw body the provider posted) is genuine and ours.
pub trait PaymentNotices: Send + Sync {
    /// The verified notification, or why it is not one.
    fn verify(&self, body: &[u8]) -> Result<Notification, Unverified>;
}

/// Pay links cached per order until they expire, so repeated clicks reuse one trade.
#[async_trait]
pub trait PayLinks: Send + Sync {
    /// The link cached for `order`, unless it has expired at `now`.
    async fn get(&self, order: &OrderId, now: Timestamp) -> Result<Option<PayLink>, StoreError>;
    /// Caches `link` until its expiry unless a live one is cached; returns the one that stays.
    async fn put_if_absent(&self, order: &OrderId, link: &PayLink, now: Timestamp) -> Result<PayLink, StoreError>;
}

/// The current time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// Randomness: rolls for draws, bytes for tokens, salts and ids. Production uses a CSPRNG.
pub trait Random: Send + Sync {
    /// Fills `bytes` with random bytes.
    fn fill(&self, bytes: &mut [u8]);
}

impl dyn Random + '_ {
    /// `N` random bytes.
    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0; N];
        self.fill(&mut bytes);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn adjustments_never_go_below_zero() {
        assert_eq!(adjusted_units(10, 5).unwrap(), 15);
        assert_eq!(adjusted_units(10, -10).unwrap(), 0);
        assert!(matches!(adjusted_units(10, -11), Err(StockError::Insufficient { remaining: 10 })));
        assert!(matches!(adjusted_units(u64::MAX, 1), Err(StockError::Store(_))));
    }

    #[test]
    fn refused_adjustments_answer_as_the_operator_should_read_them() {
        let insufficient = Error::from(StockError::Insufficient { remaining: 2 });
        assert_eq!((insufficient.code(), insufficient.to_string().as_str()), ("invalid_state", "only 2 unit(s) left"));
        let unknown = Error::from(StockError::UnknownPrize(PrizeId::parse("cup").unwrap()));
        assert_eq!((unknown.code(), unknown.to_string().as_str()), ("not_found", "prize not found"));
    }
}
