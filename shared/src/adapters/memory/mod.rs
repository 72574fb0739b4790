//! In-memory adapters: the embedded default for `cargo run`, and the test double.
//! Each keeps its state behind one mutex, which makes every operation atomic.

mod cache;
mod payments;
mod queue;
mod records;
mod stock;

use std::sync::{Mutex, MutexGuard};

pub use cache::{MemoryPayLinks, MemoryRateLimits, MemorySessions};
pub use payments::MemoryPayments;
pub use queue::{Envelope, MemoryQueue};
pub use records::MemoryRecords;
pub use stock::MemoryStock;

/// Locks `mutex`, carrying on past a poisoned lock: the state is consistent between
/// statements, and one panicked request must not take the whole runner down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
