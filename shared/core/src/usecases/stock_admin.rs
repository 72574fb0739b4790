//! Operators' stock tools. *Load* puts an activity's initial stock into the stock store,
//! only while the ledger holds no draw of it. *Restore* rebuilds an activity the stock
//! store lost, from the durable ledger: remaining = initial − units the recorded draws
//! hold, with each user's draws and the draw log (`docs/stock-ledger.md` argues why it is
//! exact). Neither ever overwrites loaded stock.

use std::collections::HashMap;
use std::sync::Arc;

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
    load_initial(app, &activity).await
}

/// Loads a draft's initial stock as it goes online for the first time. A draft never took
/// a draw, so no message of it can be on the queue: only the ledger and the store are checked.
pub async fn load_draft(
    app: &(impl HasActivities + HasStock + HasLedger),
    activity: &Activity,
) -> Result<Loaded, Error> {
    if app.ledger().any(&activity.id).await? {
        return Err(Error::InvalidState(format!("activity `{}` has draws in the ledger; restore it", activity.id)));
    }
    load_initial(app, activity).await
}

/// Users' own draw limits, then the initial units (so no draw runs without the limits).
async fn load_initial(app: &(impl HasActivities + HasStock), activity: &Activity) -> Result<Loaded, Error> {
    app.stock().spread(&activity.id, activity.buckets).await?;
    for (user, limit) in app.activities().limits(&activity.id).await? {
        app.stock().set_limit(&activity.id, &user, Some(limit)).await?;
    }
    let remaining: StockCounts = activity.prizes.iter().map(|prize| (prize.id.clone(), prize.initial)).collect();
    app.stock().load(&activity.id, &remaining).await?;
    info!(activity = %activity.id, units = remaining.values().sum::<u64>(), "initial stock loaded");
    Ok(Loaded { remaining, held: StockCounts::new(), draws: 0 })
}

/// Removes an activity's stock, users' counts and draw log from the stock store, once it is
/// offline, the queue is drained and every one of its draws is settled (so the ledger alone
/// rebuilds it exactly with [`restore`]); `Ok(false)` if nothing was loaded.
#[instrument(skip_all, fields(activity = %id))]
pub async fn flush(app: &(impl HasActivities + HasStock + HasQueue), id: &ActivityId) -> Result<bool, Error> {
    let activity = app.activities().get(id).await?.ok_or(Error::NotFound("activity"))?;
    if activity.status == crate::domain::ActivityStatus::Online {
        return Err(Error::InvalidState("take the activity offline before flushing its stock".into()));
    }
    drained(app).await?;
    let unsettled = app.stock().unsettled(id, crate::domain::Timestamp::from_millis(i64::MAX), 1).await?;
    if !unsettled.is_empty() {
        return Err(Error::InvalidState(
            "some draws are not settled yet: reconcile once the settlement grace period is over".into(),
        ));
    }
    let flushed = app.stock().flush(id).await?;
    info!(flushed, "stock flushed");
    Ok(flushed)
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
    let Ledgered { restoration, held } = from_ledger(app, &activity).await?;
    app.stock().spread(id, activity.buckets).await?;
    app.stock().restore(id, &restoration).await?;
    let Restoration { remaining, draws, .. } = restoration;
    info!(units = remaining.values().sum::<u64>(), held = held.values().sum::<u64>(), draws = draws.len(), "restored");
    Ok(Loaded { remaining, held, draws: draws.len() })
}

/// What the ledger says the stock store should hold of an activity.
pub struct Ledgered {
    /// The stock store's state, rebuilt.
    pub restoration: Restoration,
    /// Units held by recorded draws, per prize.
    pub held: StockCounts,
}

/// The stock store's state of `activity` as the ledger (and the orders) make it: every
/// recorded draw counts against its user, and holds its unit unless it missed or its order
/// gave the unit back; a priced win whose order is pending (or not created yet) is a hold;
/// users' own draw limits come from their durable copy.
pub async fn from_ledger(
    app: &(impl HasActivities + HasLedger + HasOrders),
    activity: &Activity,
) -> Result<Ledgered, Error> {
    let mut held = StockCounts::new();
    let mut draws_per_user = HashMap::new();
    let mut draws = Vec::new();
    let mut holding = Vec::new();
    for entry in app.ledger().entries(&activity.id).await? {
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
    let limits = app.activities().limits(&activity.id).await?;
    let restoration = Restoration { remaining, draws_per_user, draws, holding, limits };
    Ok(Ledgered { restoration, held })
}

/// The activity, once its stock is known to be unloaded and the queue empty.
async fn quiet_and_unloaded(
    app: &(impl HasActivities + HasStock + HasQueue),
    id: &ActivityId,
) -> Result<Arc<Activity>, Error> {
    let activity = app.activities().get(id).await?.ok_or(Error::NotFound("activity"))?;
    if app.stock().remaining(id).await?.is_some() {
        return Err(Error::InvalidState(format!("the stock of activity `{id}` is loaded already")));
    }
    drained(app).await?;
    Ok(activity)
}

async fn drained(app: &impl HasQueue) -> Result<(), Error> {
    let backlog = app.queue().backlog().await?;
    if backlog > 0 {
        return Err(Error::InvalidState(format!(
            "{backlog} message(s) are still on the order queue; wait for the consumer to drain them"
        )));
    }
    Ok(())
}
