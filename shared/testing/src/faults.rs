//! Fault injection: a queue that can be taken down, and a cap on requests in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use luckydraw_core::domain::{ActivityId, DrawId, DrawLimit, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::ports::{Queue, Release, Restoration, StockCounts, StockError, StockStore};

/// A queue that can be taken down: while down, `send` fails as an unreachable queue would
/// and nothing reaches `inner`. Wraps any backend, so flows can test an outage on all.
pub struct SwitchableQueue {
    inner: Arc<dyn Queue>,
    down: AtomicBool,
}

impl SwitchableQueue {
    /// `inner`, up.
    pub fn new(inner: Arc<dyn Queue>) -> Self {
        Self { inner, down: AtomicBool::new(false) }
    }

    /// Takes the queue down (`true`) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Queue for SwitchableQueue {
    async fn send(&self, message: &OrderMessage) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("the order queue is down (test switch)"));
        }
        self.inner.send(message).await
    }

    async fn backlog(&self) -> Result<u64, StoreError> {
        self.inner.backlog().await
    }
}

/// How many stock calls may wait on moto at once in storm tests. moto serves one request
/// at a time behind a thread per connection; thousands of simultaneous connections only
/// thrash it. The draws still race: this many at once, over the same shards.
pub const MOTO_IN_FLIGHT: usize = 32;

/// A [`StockStore`] that lets at most `n` calls run at once, queueing the rest.
pub struct InFlightLimit<S> {
    inner: S,
    permits: tokio::sync::Semaphore,
}

impl<S> InFlightLimit<S> {
    /// `inner`, `n` calls at a time.
    pub fn new(inner: S, n: usize) -> Self {
        Self { inner, permits: tokio::sync::Semaphore::new(n) }
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, StoreError> {
        self.permits.acquire().await.map_err(|error| StoreError::caused_by("in-flight limit closed", error))
    }
}

#[async_trait::async_trait]
impl<S: StockStore> StockStore for InFlightLimit<S> {
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        let _permit = self.permit().await?;
        self.inner.load(activity, counts).await
    }

    async fn spread(&self, activity: &ActivityId, buckets: u16) -> Result<(), StoreError> {
        let _permit = self.permit().await?;
        self.inner.spread(activity, buckets).await
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        let _permit = self.permit().await?;
        self.inner.remaining(activity).await
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let _permit = self.permit().await?;
        self.inner.draw(ticket).await
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        let _permit = self.permit().await?;
        self.inner.release(draw, how).await
    }

    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError> {
        let _permit = self.permit().await?;
        self.inner.paid(draw).await
    }

    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let _permit = self.permit().await?;
        self.inner.unsettled(activity, before, limit).await
    }

    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError> {
        let _permit = self.permit().await?;
        self.inner.settle(draw).await
    }

    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError> {
        let _permit = self.permit().await?;
        self.inner.restore(activity, restoration).await
    }

    async fn set_limit(
        &self,
        activity: &ActivityId,
        user: &UserId,
        limit: Option<DrawLimit>,
    ) -> Result<(), StoreError> {
        let _permit = self.permit().await?;
        self.inner.set_limit(activity, user, limit).await
    }

    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        let _permit = self.permit().await?;
        self.inner.adjust(activity, prize, delta).await
    }

    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        let _permit = self.permit().await?;
        self.inner.flush(activity).await
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let _permit = self.permit().await?;
        self.inner.find_draw(draw).await
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let _permit = self.permit().await?;
        self.inner.draws(activity).await
    }
}
