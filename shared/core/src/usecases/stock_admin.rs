//! Operators' stock tools. *Preload* puts an activity's stock into the stock store from
//! the records: each prize's initial units less those held by draws (won and not
//! released, or consolation units used up). *Reconcile* lists won draws whose order never
//! arrived: a draw answered "won" whose order request was lost, to be ordered or released.

use std::time::Duration;

use tracing::{info, instrument};

use crate::app::{HasActivities, HasClock, HasOrders, HasStock};
use crate::domain::{ActivityId, DrawOutcome, DrawRecord};
use crate::error::Error;
use crate::ports::StockCounts;

/// What a preload loaded.
#[derive(Debug, PartialEq, Eq)]
pub struct Preloaded {
    /// Units now left per prize.
    pub remaining: StockCounts,
    /// Units held by recorded draws per prize.
    pub held: StockCounts,
}

/// Loads `id`'s stock: per prize, its initial units less the units recorded draws hold.
/// Run it before the activity opens or while it is quiet: a draw between reading the log
/// and loading would be counted twice.
#[instrument(skip_all, fields(activity = %id))]
pub async fn preload(app: &(impl HasActivities + HasStock), id: &ActivityId) -> Result<Preloaded, Error> {
    let activity = app.activities().get(id).await?.ok_or(Error::NotFound("activity"))?;
    let mut held = StockCounts::new();
    for draw in app.stock().draws(id).await? {
        if draw.holds_unit() || draw.outcome == DrawOutcome::Consolation {
            *held.entry(draw.prize_id).or_default() += 1;
        }
    }
    let remaining: StockCounts = activity
        .prizes
        .iter()
        .map(|prize| (prize.id.clone(), prize.initial.saturating_sub(held.get(&prize.id).copied().unwrap_or(0))))
        .collect();
    app.stock().load(id, &remaining).await?;
    info!(units = remaining.values().sum::<u64>(), held = held.values().sum::<u64>(), "stock preloaded");
    Ok(Preloaded { remaining, held })
}

/// Won draws of `id` still holding a unit with no order, drawn at least `grace` ago (younger
/// ones may still have their order request in the queue), oldest first.
pub async fn reconcile(
    app: &(impl HasStock + HasOrders + HasClock),
    id: &ActivityId,
    grace: Duration,
) -> Result<Vec<DrawRecord>, Error> {
    let now = app.clock().now();
    let mut orphans = Vec::new();
    for draw in app.stock().draws(id).await? {
        let settled = now.since(draw.drawn_at) >= grace && now >= draw.drawn_at;
        if draw.holds_unit() && settled && app.orders().get(&draw.id.order_id()).await?.is_none() {
            orphans.push(draw);
        }
    }
    orphans.sort_by_key(|draw| (draw.drawn_at, draw.id.clone()));
    Ok(orphans)
}
