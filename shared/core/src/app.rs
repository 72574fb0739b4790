//! [`App`]: every port the use cases run against, built once per process by the wiring in
//! `luckydraw-lambda` (or by tests) and shared by every handler.
//!
//! A use case does not take the whole bag: it names the ports it touches with the `Has*`
//! traits below (`app: &(impl HasStock + HasQueue)`), so its signature says what it reads
//! and writes, and a test may hand it anything that provides just those.

use std::sync::Arc;

use crate::ports::{
    Activities, AuditLog, Clock, DrawQueue, Ledger, Orders, PayLinks, PaymentNotices, Payments, Queue, Random,
    RateLimits, Sessions, StockStore, Tickets, Users,
};
use crate::settings::Settings;

/// The ports and settings the use cases run against.
#[derive(Clone)]
pub struct App {
    /// User accounts.
    pub users: Arc<dyn Users>,
    /// Activities and prizes.
    pub activities: Arc<dyn Activities>,
    /// Orders.
    pub orders: Arc<dyn Orders>,
    /// Stock, quotas and the draw log.
    pub stock: Arc<dyn StockStore>,
    /// The order queue.
    pub queue: Arc<dyn Queue>,
    /// The lines of queued activities.
    pub tickets: Arc<dyn Tickets>,
    /// Wakes the draw worker.
    pub draw_queue: Arc<dyn DrawQueue>,
    /// The durable draw ledger.
    pub ledger: Arc<dyn Ledger>,
    /// What operators did.
    pub audit: Arc<dyn AuditLog>,
    /// Login sessions.
    pub sessions: Arc<dyn Sessions>,
    /// Rate-limit counters.
    pub rate_limits: Arc<dyn RateLimits>,
    /// The payment provider.
    pub payments: Arc<dyn Payments>,
    /// Pay links cached per order.
    pub pay_links: Arc<dyn PayLinks>,
    /// Verifies the payment provider's notifications; `None` where payments are not configured.
    pub notices: Option<Arc<dyn PaymentNotices>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: Arc<dyn Random>,
    /// Tunables.
    pub settings: Settings,
}

/// One `Has*` trait per port, implemented by [`App`].
macro_rules! ports {
    ($($(#[$doc:meta])* $name:ident: $method:ident -> $port:ty;)*) => {$(
        $(#[$doc])*
        pub trait $name: Send + Sync {
            #[doc = concat!("The `", stringify!($method), "` port.")]
            fn $method(&self) -> &$port;
        }

        impl $name for App {
            fn $method(&self) -> &$port {
                self.$method.as_ref()
            }
        }
    )*};
}

ports! {
    /// Reads and writes user accounts.
    HasUsers: users -> dyn Users;
    /// Reads activities.
    HasActivities: activities -> dyn Activities;
    /// Reads and writes orders.
    HasOrders: orders -> dyn Orders;
    /// Draws from and returns stock.
    HasStock: stock -> dyn StockStore;
    /// Sends order messages.
    HasQueue: queue -> dyn Queue;
    /// Takes, reads and ends tickets.
    HasTickets: tickets -> dyn Tickets;
    /// Wakes the draw worker.
    HasDrawQueue: draw_queue -> dyn DrawQueue;
    /// Records and voids draws durably.
    HasLedger: ledger -> dyn Ledger;
    /// Appends to and reads the operators' audit log.
    HasAudit: audit -> dyn AuditLog;
    /// Opens, checks and ends sessions.
    HasSessions: sessions -> dyn Sessions;
    /// Counts events for rate limits.
    HasRateLimits: rate_limits -> dyn RateLimits;
    /// Opens trades and refunds them.
    HasPayments: payments -> dyn Payments;
    /// Caches pay links.
    HasPayLinks: pay_links -> dyn PayLinks;
    /// Reads the time.
    HasClock: clock -> dyn Clock;
    /// Draws random numbers.
    HasRandom: random -> dyn Random;
}

/// Reads the tunables.
pub trait HasSettings: Send + Sync {
    /// The settings.
    fn settings(&self) -> &Settings;
}

impl HasSettings for App {
    fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// Verifies payment notifications, where payments are configured.
pub trait HasPaymentNotices: Send + Sync {
    /// The verifier, if any (shared, so verifying can move off the async workers).
    fn notices(&self) -> Option<Arc<dyn PaymentNotices>>;
}

impl HasPaymentNotices for App {
    fn notices(&self) -> Option<Arc<dyn PaymentNotices>> {
        self.notices.clone()
    }
}
