//! Operators' stock tools. *Load* puts an activity's initial stock into the stock store,
//! only while the ledger holds no draw of it. *Restore* rebuilds an activity the stock
//! store lost, from the durable ledger: remaining = initial − units the recorded draws
//! hold, with each user's draws and the draw log (`docs/stock-ledger.md` argues why it is
//! exact). Neither ever overwrites loaded stock.

use std::collections::HashMap;

use tracing::{info, instrument};

use crate::app::{HasActivities, HasLedger, HasOrders, HasQueue, HasStock};
use crate::domain::{Activity, ActivityId, DrawOutcome, LedgerEntry, OrderStatus};
use crate::error::Error;
use crate::ports::{Restoration, StockCounts};

/// What a load or a restore put into the stock store.
#[derive(Debug, PartialEq, Eq)]
pub struct Loaded {
    /// Units now left per prize.
    pub remaining: StockCounts,
    /// Units held by recorded draws per prize (none on a first load).
    pub held: StockCounts,
    /// Recorded draws put back into the draw log.
    pub draws: usize,
}

/// Loads `id`'s initial stock; refused when its stock is loaded already, or when the
/// ledger or the queue holds draws of it (then only [`restore`] is exact).
#[instrument(skip_all, fields(activity = %id))]
pub async fn load(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue),
    id: &ActivityId,
) -> Result<Loaded, Error> {
    if app.ledger().any(id).await? {
        return Err(Error::InvalidState(format!(
            "activity `{id}` has draws in the ledger: loading its initial stock would sell them again; restore it instead"
        )));
    }
    let activity = quiet_and_unloaded(app, id).await?;
    let remaining: StockCounts = activity.prizes.iter().map(|prize| (prize.id.clone(), prize.initial)).collect();
    app.stock().load(id, &remaining).await?;
    info!(units = remaining.values().sum::<u64>(), "initial stock loaded");
    Ok(Loaded { remaining, held: StockCounts::new(), draws: 0 })
}

/// Rebuilds `id` in a stock store that lost it, from the ledger: every recorded draw counts
/// against its user, and holds its unit unless it missed or its order gave the unit back;
/// a priced win whose order is pending (or not created yet) holds against the unpaid cap.
/// Refused while the stock is loaded or the queue still carries messages (draws not yet in
/// the ledger); run it once the consumer has drained the queue.
#[instrument(skip_all, fields(activity = %id))]
pub async fn restore(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue + HasOrders),
    id: &ActivityId,
) -> Result<Loaded, Error> {
    let activity = quiet_and_unloaded(app, id).await?;
    let mut held = StockCounts::new();
    let mut draws_per_user = HashMap::new();
    let mut draws = Vec::new();
    let mut holding = Vec::new();
    for entry in app.ledger().entries(id).await? {
        let LedgerEntry::Recorded(mut draw) = entry else { continue };
        if draw.outcome == DrawOutcome::Won {
            let order = app.orders().get(&draw.id.order_id()).await?;
            draw.released = order.as_ref().is_some_and(|order| order.status.released_stock());
            let unpaid = order.is_none_or(|order| order.status == OrderStatus::PendingPayment);
            let priced = activity.prize(&draw.prize_id).is_some_and(|prize| !prize.price_fen.is_zero());
            if priced && unpaid && !draw.released {
                holding.push(draw.id.clone());
            }
        }
        if draw.holds_unit() || draw.outcome == DrawOutcome::Consolation {
            *held.entry(draw.prize_id.clone()).or_default() += 1;
        }
        *draws_per_user.entry(draw.user_id).or_default() += 1;
        draws.push(draw);
    }
    let remaining: StockCounts = activity
        .prizes
        .iter()
        .map(|prize| (prize.id.clone(), prize.initial.saturating_sub(held.get(&prize.id).copied().unwrap_or(0))))
        .collect();
    let restoration = Restoration { remaining, draws_per_user, draws, holding, limits: HashMap::new() };
    app.stock().restore(id, &restoration).await?;
    let Restoration { remaining, draws, .. } = restoration;
    info!(units = remaining.values().sum::<u64>(), held = held.values().sum::<u64>(), draws = draws.len(), "restored");
    Ok(Loaded { remaining, held, draws: draws.len() })
}

/// The activity, once its stock is known to be unloaded and the queue empty.
async fn quiet_and_unloaded(
    app: &(impl HasActivities + HasStock + HasQueue),
    id: &ActivityId,
) -> Result<Activity, Error> {
    let activity = app.activities().get(id).await?.ok_or(Error::NotFound("activity"))?;
    if app.stock().remaining(id).await?.is_some() {
        return Err(Error::InvalidState(format!("the stock of activity `{id}` is loaded already")));
    }
    let backlog = app.queue().backlog().await?;
    if backlog > 0 {
        return Err(Error::InvalidState(format!(
            "{backlog} message(s) are still on the order queue; wait for the consumer to drain them"
        )));
    }
    Ok(activity)
}
