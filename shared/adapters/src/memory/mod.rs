//! In-memory adapters: the embedded default for `cargo run`, and the test double.
//! Each keeps its state behind one mutex, which makes every operation atomic.

mod cache;
mod payments;
mod queue;
mod records;
mod stock;
mod tickets;

use std::sync::{Arc, Mutex, MutexGuard};

use luckydraw_core::App;
use luckydraw_core::ports::{Clock, Random};
use luckydraw_core::settings::Settings;

pub use cache::{MemoryPayLinks, MemoryRateLimits, MemorySessions};
pub use payments::MemoryPayments;
pub use queue::{Envelope, MemoryQueue};
pub use records::MemoryRecords;
pub use stock::MemoryStock;
pub use tickets::MemoryTickets;

/// Handles on the in-memory backends of an [`in_memory`] app, for runners and tests.
#[derive(Clone, Debug, Default)]
pub struct MemoryBackends {
    /// Users, activities, orders and the draw ledger.
    pub records: Arc<MemoryRecords>,
    /// Stock.
    pub stock: Arc<MemoryStock>,
    /// The order queue, drained by whoever runs the consumer.
    pub queue: Arc<MemoryQueue>,
    /// The lines of queued activities.
    pub tickets: Arc<MemoryTickets>,
    /// The draw queue, drained by whoever runs the draw worker.
    pub draw_queue: Arc<MemoryQueue>,
    /// Sessions.
    pub sessions: Arc<MemorySessions>,
    /// Rate limits.
    pub rate_limits: Arc<MemoryRateLimits>,
    /// Payments.
    pub payments: Arc<MemoryPayments>,
    /// Pay links.
    pub pay_links: Arc<MemoryPayLinks>,
}

/// An app on fresh in-memory backends, with the given clock and randomness.
pub fn in_memory(settings: Settings, clock: Arc<dyn Clock>, random: Arc<dyn Random>) -> (App, MemoryBackends) {
    let memory = MemoryBackends::default();
    let app = App {
        users: memory.records.clone(),
        activities: memory.records.clone(),
        orders: memory.records.clone(),
        stock: memory.stock.clone(),
        queue: memory.queue.clone(),
        tickets: memory.tickets.clone(),
        draw_queue: memory.draw_queue.clone(),
        ledger: memory.records.clone(),
        audit: memory.records.clone(),
        sessions: memory.sessions.clone(),
        rate_limits: memory.rate_limits.clone(),
        payments: memory.payments.clone(),
        pay_links: memory.pay_links.clone(),
        notices: None,
        clock,
        random,
        settings,
    };
    (app, memory)
}

/// Locks `mutex`, carrying on past a poisoned lock: the state is consistent between
/// statements, and one panicked request must not take the whole runner down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
