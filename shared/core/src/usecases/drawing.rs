//! The draw: one atomic step on the stock store, then its message on the queue; a failure
//! of either is decided once, in the ledger (see `docs/stock-ledger.md`).

use std::sync::Arc;

use tracing::{debug, error, instrument, warn};

use crate::app::{HasActivities, HasClock, HasLedger, HasQueue, HasRandom, HasStock, HasUsers};
use crate::domain::{
    Activity, ActivityId, DrawId, DrawOutcome, DrawRecord, LedgerEntry, OrderId, Prize, Session, Timestamp, UserId,
    UserKind,
};
use crate::error::{Error, StoreError};
use crate::lottery::{self, DrawTicket, WheelSlot};
use crate::messages::{DrawRecorded, OrderMessage, OrderRequested};
use crate::ports::{Release, StockError};

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

/// Draws once for the session's user. The draw is answered only once its message (the
/// order request of a won prize, or the ledger entry of any other draw) is on the queue.
/// When the stock step or the send fails, the draw is voided in the ledger and answered
/// 503, unless its message arrived after all (the void loses), which answers it normally.
#[instrument(level = "debug", skip_all, fields(activity = %activity_id, user = %session.user_id))]
pub async fn draw(
    app: &(impl HasActivities + HasStock + HasQueue + HasLedger + HasUsers + HasClock + HasRandom),
    session: &Session,
    activity_id: &ActivityId,
) -> Result<DrawResult, Error> {
    let activity = open_activity(app, session, activity_id).await?;
    draw_now(app, session, &activity).await
}

/// The activity `session`'s user may draw in now: it exists, is open, and admits them.
pub async fn open_activity(
    app: &(impl HasActivities + HasUsers + HasClock),
    session: &Session,
    activity_id: &ActivityId,
) -> Result<Arc<Activity>, Error> {
    let activity = app.activities().get(activity_id).await?.ok_or(Error::NotFound("activity"))?;
    if !activity.is_open(app.clock().now()) {
        return Err(Error::ActivityNotOpen);
    }
    if !eligible(app, &activity, session).await? {
        return Err(Error::NotEligible);
    }
    Ok(activity)
}

/// Draws once, at once, for the session's user in an open `activity` they may draw in.
pub async fn draw_now(
    app: &(impl HasStock + HasQueue + HasLedger + HasClock + HasRandom),
    session: &Session,
    activity: &Activity,
) -> Result<DrawResult, Error> {
    let now = app.clock().now();
    let draw_id = DrawId::generate(&activity.id, now, app.random().bytes());
    let ticket = draw_ticket(app, activity, draw_id, session.user_id, session.kind, now);
    execute(app, activity, &ticket).await
}

/// The draw ticket of one draw by `user` (of `kind`) in `activity`, with a fresh roll.
pub fn draw_ticket(
    app: &impl HasRandom,
    activity: &Activity,
    draw_id: DrawId,
    user_id: UserId,
    kind: UserKind,
    at: Timestamp,
) -> DrawTicket {
    DrawTicket {
        draw_id,
        user_id,
        mode: activity.draw_mode,
        limit: activity.limit_for(kind),
        max_unpaid: activity.max_unpaid_per_user,
        prizes: wheel(activity),
        roll: lottery::roll(app.random()),
        at,
    }
}

/// The atomic stock step of a draw and its message, shared by the instant draw and the draw
/// worker: quota, pick, decrement and record in one step on the stock store, then the order
/// request (or ledger entry) on the queue. When the stock step or the send fails, the draw
/// is voided in the ledger and answered 503, unless its message arrived after all (the void
/// loses), which answers it normally. A ticket whose draw id is recorded answers that draw.
pub async fn execute(
    app: &(impl HasStock + HasQueue + HasLedger + HasClock),
    activity: &Activity,
    ticket: &DrawTicket,
) -> Result<DrawResult, Error> {
    let record = match app.stock().draw(ticket).await {
        Ok(record) => match app.queue().send(&ledger_message(activity, &record)?).await {
            Ok(()) => record,
            Err(cause) => void_or_recorded(app, ticket, cause, Undo::Now).await?,
        },
        // The stock store failed: undoing there now would wait on it too; settlement does it.
        Err(StockError::Store(cause)) => void_or_recorded(app, ticket, cause, Undo::BySettlement).await?,
        Err(refused) => return Err(refused.into()),
    };
    let prize = activity
        .prize(&record.prize_id)
        .cloned()
        .ok_or_else(|| Error::InvalidState(format!("prize `{}` is not in the activity", record.prize_id)))?;
    let order_id = (record.outcome == DrawOutcome::Won).then(|| record.id.order_id());
    debug!(draw_id = %record.id, prize = %prize.id, outcome = ?record.outcome, "drawn");
    Ok(DrawResult { record, prize, order_id })
}

/// Whether the session's user may draw in `activity`: the kind rule from the session alone;
/// the account is read only when the rules look at tags or registration.
pub async fn eligible(app: &impl HasUsers, activity: &Activity, session: &Session) -> Result<bool, Error> {
    let rules = &activity.eligibility;
    if !rules.admits_kind(session.kind) {
        return Ok(false);
    }
    if !rules.needs_account() {
        return Ok(true);
    }
    let user = app.users().by_id(&session.user_id).await?;
    Ok(user.is_some_and(|user| activity.admits(&user)))
}

/// The wheel as a draw ticket lists it.
fn wheel(activity: &Activity) -> Vec<WheelSlot> {
    let slot = |prize: &Prize| WheelSlot {
        prize_id: prize.id.clone(),
        weight: prize.weight,
        consolation: prize.consolation,
        priced: !prize.price_fen.is_zero(),
    };
    activity.prizes.iter().map(slot).collect()
}

/// The message that puts a draw in the ledger: the order request of a won prize, the
/// plain record of any other draw.
pub fn ledger_message(activity: &Activity, record: &DrawRecord) -> Result<OrderMessage, Error> {
    if record.outcome != DrawOutcome::Won {
        return Ok(OrderMessage::DrawRecorded(DrawRecorded {
            draw_id: record.id.clone(),
            user_id: record.user_id,
            prize_id: record.prize_id.clone(),
            outcome: record.outcome,
            drawn_at: record.drawn_at,
        }));
    }
    let prize = activity
        .prize(&record.prize_id)
        .ok_or_else(|| Error::InvalidState(format!("prize `{}` is not in the activity", record.prize_id)))?;
    Ok(OrderMessage::OrderRequested(OrderRequested {
        draw_id: record.id.clone(),
        user_id: record.user_id,
        prize_id: prize.id.clone(),
        prize_name: prize.name.clone(),
        amount_fen: prize.price_fen,
        won_at: record.drawn_at,
        pay_deadline: record.drawn_at.plus(activity.pay_window()),
    }))
}

/// When a voided draw's unit and quota go back to the stock store.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Undo {
    /// Before answering 503.
    Now,
    /// At the next settlement after the grace period.
    BySettlement,
}

/// After an ambiguous failure (the stock step or the send may or may not have happened),
/// decides the draw's fate in the ledger: the void wins (undo what the stock store may
/// hold, answer 503) unless the draw's message was recorded first (answer the draw).
async fn void_or_recorded(
    app: &(impl HasStock + HasLedger + HasClock),
    ticket: &DrawTicket,
    cause: StoreError,
    undo: Undo,
) -> Result<DrawRecord, Error> {
    let voided = app.ledger().void(&ticket.draw_id, &ticket.user_id, app.clock().now()).await;
    match voided {
        Ok(LedgerEntry::Recorded(record)) => {
            warn!(draw_id = %ticket.draw_id, error = %cause, "the send failed but the draw was recorded; answering it");
            Ok(record)
        }
        Ok(LedgerEntry::Voided { .. }) if undo == Undo::BySettlement => {
            error!(draw_id = %ticket.draw_id, error = %cause, "draw voided; settlement undoes it");
            Err(Error::Unavailable(cause))
        }
        Ok(LedgerEntry::Voided { .. }) => {
            error!(draw_id = %ticket.draw_id, error = %cause, "draw voided; undoing it");
            if let Err(release_error) = app.stock().release(&ticket.draw_id, Release::UnitAndQuota).await {
                // Settlement releases it: the draw stays unsettled in the stock store.
                warn!(draw_id = %ticket.draw_id, error = %release_error, "could not undo the draw yet");
            }
            Err(Error::Unavailable(cause))
        }
        Err(ledger_error) => {
            // Both stores failed at once: settlement will queue the draw (see docs/stock-ledger.md).
            error!(draw_id = %ticket.draw_id, error = %cause, %ledger_error, "draw neither queued nor voided");
            Err(Error::Unavailable(cause))
        }
    }
}
