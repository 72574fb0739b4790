//! The stock ledger of an activity, for the conservation invariant (DESIGN §5).

use luckydraw_core::App;
use luckydraw_core::domain::{Activity, OrderStatus};

/// Where every non-consolation unit of an activity is: invariant 2 says
/// `initial == remaining + reserved + sold` once the queue is quiet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Units loaded.
    pub initial: u64,
    /// Units left to draw.
    pub remaining: u64,
    /// Units won and held: not released, not yet paid (order queued or pending payment).
    pub reserved: u64,
    /// Units won for good: paid or fulfilled.
    pub sold: u64,
}

/// The ledger of `activity`'s real prizes, from the draw log, the stock and the orders.
pub async fn ledger(app: &App, activity: &Activity) -> Ledger {
    let remaining = app.stock.remaining(&activity.id).await.expect("stock readable").unwrap_or_default();
    let mut ledger = Ledger::default();
    for prize in activity.prizes.iter().filter(|prize| !prize.consolation) {
        ledger.initial += prize.initial;
        ledger.remaining += remaining.get(&prize.id).copied().unwrap_or(0);
    }
    for draw in app.stock.draws(&activity.id).await.expect("draw log readable") {
        if !draw.holds_unit() {
            continue;
        }
        let order = app.orders.get(&draw.id.order_id()).await.expect("orders readable");
        match order.map(|order| order.status) {
            Some(OrderStatus::Paid | OrderStatus::Fulfilled) => ledger.sold += 1,
            _ => ledger.reserved += 1,
        }
    }
    ledger
}
