//! The draw: one atomic step on the stock store, then the order request on the queue.

use tracing::{error, info, instrument};

use crate::app::{HasActivities, HasClock, HasQueue, HasRandom, HasStock};
use crate::domain::{Activity, ActivityId, DrawId, DrawOutcome, DrawRecord, OrderId, Prize, Session};
use crate::error::Error;
use crate::lottery::{self, DrawTicket, WheelSlot};
use crate::messages::{OrderMessage, OrderRequested};
use crate::ports::Release;

/// What a draw came to, for the response.
#[derive(Debug)]
pub struct DrawResult {
    /// The recorded draw.
    pub record: DrawRecord,
    /// Where the wheel stops.
    pub prize: Prize,
    /// The order being created for a won prize.
    pub order_id: Option<OrderId>,
}

/// Draws once for the session's user. A won prize is held and its order requested on the
/// queue before answering; if the queue refuses, the draw is undone and the answer is 503.
#[instrument(skip_all, fields(activity = %activity_id, user = %session.user_id))]
pub async fn draw(
    app: &(impl HasActivities + HasStock + HasQueue + HasClock + HasRandom),
    session: &Session,
    activity_id: &ActivityId,
) -> Result<DrawResult, Error> {
    let activity = app.activities().get(activity_id).await?.ok_or(Error::NotFound("activity"))?;
    let now = app.clock().now();
    if !activity.is_open(now) {
        return Err(Error::ActivityNotOpen);
    }
    let ticket = DrawTicket {
        draw_id: DrawId::generate(activity_id, now, app.random().bytes()),
        user_id: session.user_id,
        mode: activity.draw_mode,
        limit: activity.limit_for(session.kind),
        prizes: wheel(&activity),
        roll: lottery::roll(app.random()),
        at: now,
    };
    let record = app.stock().draw(&ticket).await?;
    let prize = activity
        .prize(&record.prize_id)
        .cloned()
        .ok_or_else(|| Error::InvalidState(format!("prize `{}` is not in the activity", record.prize_id)))?;
    let order_id = match record.outcome {
        DrawOutcome::Won => Some(request_order(app, &activity, &record, &prize).await?),
        DrawOutcome::Consolation | DrawOutcome::Missed => None,
    };
    info!(draw_id = %record.id, prize = %prize.id, outcome = ?record.outcome, "drawn");
    Ok(DrawResult { record, prize, order_id })
}

/// The wheel as a draw ticket lists it.
fn wheel(activity: &Activity) -> Vec<WheelSlot> {
    let slot =
        |prize: &Prize| WheelSlot { prize_id: prize.id.clone(), weight: prize.weight, consolation: prize.consolation };
    activity.prizes.iter().map(slot).collect()
}

/// Queues the order of a won draw, or undoes the draw when the queue refuses.
async fn request_order(
    app: &(impl HasStock + HasQueue),
    activity: &Activity,
    record: &DrawRecord,
    prize: &Prize,
) -> Result<OrderId, Error> {
    let message = OrderMessage::OrderRequested(OrderRequested {
        draw_id: record.id.clone(),
        user_id: record.user_id,
        prize_id: prize.id.clone(),
        prize_name: prize.name.clone(),
        amount_fen: prize.price_fen,
        won_at: record.drawn_at,
        pay_deadline: record.drawn_at.plus(activity.pay_window()),
    });
    let Err(cause) = app.queue().send(&message).await else {
        return Ok(record.id.order_id());
    };
    error!(draw_id = %record.id, error = %cause, "order request not queued; undoing the draw");
    if let Err(release_error) = app.stock().release(&record.id, Release::UnitAndQuota).await {
        // Reconciliation finds it in the draw log: a won draw with no order.
        error!(draw_id = %record.id, error = %release_error, "could not undo the draw");
    }
    Err(Error::Unavailable(cause))
}
