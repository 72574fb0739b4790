//! The memory adapters against every port's conformance suite: the embedded default and
//! the test double must keep the same contract as the real backends.

use std::sync::Arc;

use async_trait::async_trait;
use luckydraw_adapters::memory::{
    MemoryPayLinks, MemoryQueue, MemoryRateLimits, MemoryRecords, MemorySessions, MemoryStock, MemoryTickets,
};
use luckydraw_core::ports::Queue;
use luckydraw_testing::conformance::queue::QueueProbe;
use luckydraw_testing::conformance::sessions::SessionPair;

async fn stock() -> Arc<MemoryStock> {
    Arc::new(MemoryStock::new())
}

async fn records() -> Arc<MemoryRecords> {
    Arc::new(MemoryRecords::new())
}

async fn cache() -> Arc<SessionPair> {
    Arc::new(SessionPair(Arc::new(MemorySessions::default()), Arc::new(MemoryRateLimits::default())))
}

async fn tickets() -> Arc<MemoryTickets> {
    Arc::new(MemoryTickets::new())
}

async fn pay_links() -> Arc<MemoryPayLinks> {
    Arc::new(MemoryPayLinks::default())
}

struct MemoryProbe(Arc<MemoryQueue>);

#[async_trait]
impl QueueProbe for MemoryProbe {
    fn queue(&self) -> Arc<dyn Queue> {
        self.0.clone()
    }

    async fn take_all(&self) -> Vec<(String, Option<String>)> {
        self.0.receive(usize::MAX).into_iter().map(|envelope| (envelope.body, None)).collect()
    }
}

async fn queue() -> Arc<MemoryProbe> {
    Arc::new(MemoryProbe(Arc::new(MemoryQueue::new())))
}

mod stock {
    luckydraw_testing::stock_store_conformance!(super::stock);
}
mod users {
    luckydraw_testing::users_conformance!(super::records);
}
mod orders {
    luckydraw_testing::orders_conformance!(super::records);
}
mod ledger {
    luckydraw_testing::ledger_conformance!(super::records);
}
mod sessions {
    luckydraw_testing::sessions_conformance!(super::cache);
}
mod pay_links {
    luckydraw_testing::pay_links_conformance!(super::pay_links);
}
mod queue {
    luckydraw_testing::queue_conformance!(super::queue);
}
mod tickets {
    luckydraw_testing::tickets_conformance!(super::tickets);
}
