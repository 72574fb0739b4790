//! Settlement: decides every draw the stock store still holds as unsettled once its request
//! is long over (the grace period). The ledger has the answer: a recorded draw is done (a
//! won one has its order, or its message is being retried); a voided draw is undone in the
//! stock store; a draw with no entry was answered before its message was known to be lost,
//! so its message is sent again (the consumer records it once, whatever the duplicates).

use tracing::{info, instrument, warn};

use crate::app::{HasActivities, HasClock, HasLedger, HasQueue, HasSettings, HasStock};
use crate::domain::LedgerEntry;
use crate::error::Error;
use crate::ports::Release;
use crate::usecases::drawing::ledger_message;

/// Draws read at a time; a run reads batches until one settles nothing new or comes back short.
pub const BATCH: usize = 500;

/// What one settlement run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Settled {
    /// Draws the ledger had recorded: marked settled.
    pub recorded: u64,
    /// Voided draws undone in the stock store (unit and quota back) and marked settled.
    pub released: u64,
    /// Draws with no ledger entry whose message was sent again.
    pub requeued: u64,
}

/// Settles the draws of every activity drawn more than `settle_grace` ago.
#[instrument(skip_all)]
pub async fn settle(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue + HasClock + HasSettings),
) -> Result<Settled, Error> {
    let before = app.clock().now().minus(app.settings().settle_grace);
    let mut settled = Settled::default();
    for activity in app.activities().list().await? {
        loop {
            let batch = app.stock().unsettled(&activity.id, before, BATCH).await?;
            let done_before = settled.recorded + settled.released;
            for draw in &batch {
                match app.ledger().get(&draw.id).await? {
                    Some(LedgerEntry::Recorded(_)) => settled.recorded += 1,
                    Some(LedgerEntry::Voided { .. }) => {
                        app.stock().release(&draw.id, Release::UnitAndQuota).await?;
                        settled.released += 1;
                    }
                    None => {
                        warn!(draw_id = %draw.id, outcome = ?draw.outcome, "draw not in the ledger; sending its message again");
                        app.queue().send(&ledger_message(&activity, draw)?).await?;
                        settled.requeued += 1;
                        continue;
                    }
                }
                app.stock().settle(&draw.id).await?;
            }
            // Requeued draws stay unsettled at the front: stop when a batch made no progress.
            if batch.len() < BATCH || settled.recorded + settled.released == done_before {
                break;
            }
        }
    }
    info!(recorded = settled.recorded, released = settled.released, requeued = settled.requeued, "settled");
    Ok(settled)
}

/// The most waiting draws a reconcile counts (an operator's figure, not a scan of the log).
const MAX_WAITING: usize = 100_000;

/// What an operator's reconcile did: a settlement run now, and the draws of the activity
/// still inside the grace period (the next runs settle them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reconciled {
    /// What the run did (over every activity).
    pub settled: Settled,
    /// Draws of the activity not yet settled.
    pub waiting: u64,
}

/// Settles now, then counts what of `activity` is still waiting.
#[instrument(skip_all, fields(activity = %activity))]
pub async fn reconcile(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue + HasClock + HasSettings),
    activity: &crate::domain::ActivityId,
) -> Result<Reconciled, Error> {
    app.activities().get(activity).await?.ok_or(Error::NotFound("activity"))?;
    let settled = settle(app).await?;
    let everything = crate::domain::Timestamp::from_millis(i64::MAX);
    let waiting = app.stock().unsettled(activity, everything, MAX_WAITING).await?.len() as u64;
    Ok(Reconciled { settled, waiting })
}
