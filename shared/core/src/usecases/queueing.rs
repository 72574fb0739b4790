//! The queued entry mode (first come, first drawn): a press takes a ticket in arrival order
//! and is answered with its place; the draw worker serves each activity's line strictly in
//! ticket order through the same atomic stock step as the instant draw; a sold-out or
//! closed activity ends every waiting ticket at once. See `docs/architecture.md`.

use tracing::{info, instrument, warn};

use crate::app::{
    HasActivities, HasClock, HasDrawQueue, HasLedger, HasOrders, HasQueue, HasRandom, HasStock, HasTickets, HasUsers,
};
use crate::domain::{Activity, ActivityId, DrawId, Entry, Refusal, Session, Ticket, TicketState};
use crate::error::Error;
use crate::messages::TicketWaiting;
use crate::ports::Taken;
use crate::usecases::drawing::{self, DrawResult};
use crate::usecases::queries::{self, DrawStatus};

/// What a press of the draw button came to.
#[derive(Debug)]
pub enum Entered {
    /// An instant activity: the draw.
    Drawn(DrawResult),
    /// A queued activity: the ticket (a new one, or the one the player was waiting with).
    Queued(Taken),
}

/// One press of the draw button: an instant draw, or a ticket in a queued activity's line.
#[instrument(level = "debug", skip_all, fields(activity = %activity_id, user = %session.user_id))]
pub async fn enter(
    app: &(
         impl HasActivities + HasStock + HasQueue + HasLedger + HasUsers + HasClock + HasRandom + HasTickets + HasDrawQueue
     ),
    session: &Session,
    activity_id: &ActivityId,
) -> Result<Entered, Error> {
    let activity = drawing::open_activity(app, session, activity_id).await?;
    match activity.entry {
        Entry::Instant => Ok(Entered::Drawn(drawing::draw_now(app, session, &activity).await?)),
        Entry::Queued => Ok(Entered::Queued(take(app, session, &activity).await?)),
    }
}

/// Takes a ticket in `activity`'s line for the session's user (or answers the one they are
/// waiting with) and wakes the worker. Every press wakes it, so a press answered 503 because
/// the send failed is simply pressed again.
pub async fn take(
    app: &(impl HasTickets + HasDrawQueue + HasClock + HasRandom),
    session: &Session,
    activity: &Activity,
) -> Result<Taken, Error> {
    let now = app.clock().now();
    let draw_id = DrawId::generate(&activity.id, now, app.random().bytes());
    let taken = app.tickets().take(&draw_id, &session.user_id, session.kind, now).await?;
    let waiting = TicketWaiting { draw_id: taken.ticket.draw_id.clone(), number: taken.ticket.number };
    app.draw_queue().send(&waiting).await?;
    info!(draw_id = %taken.ticket.draw_id, number = taken.ticket.number, new = taken.new, "ticket taken");
    Ok(taken)
}

/// What one serving of a line did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Served {
    /// Tickets drawn.
    pub drawn: u64,
    /// Tickets ended one by one without a draw (quota, unpaid cap, a voided draw).
    pub refused: u64,
    /// Tickets ended at once because the activity sold out or closed.
    pub closed: u64,
}

/// Serves `activity`'s line in ticket order until ticket `through` has ended (or nothing
/// waits): each head ticket goes through the instant draw's atomic stock step under its own
/// draw id, so serving a ticket twice (a duplicate delivery, two workers) draws it once.
/// A sold-out or closed activity ends every waiting ticket at once. An `Err` leaves the
/// head waiting, to be served again when the message is retried.
#[instrument(skip_all, fields(activity = %activity_id, through))]
pub async fn serve(
    app: &(impl HasActivities + HasStock + HasQueue + HasLedger + HasClock + HasRandom + HasTickets),
    activity_id: &ActivityId,
    through: u64,
) -> Result<Served, Error> {
    let mut served = Served::default();
    let Some(activity) = app.activities().get(activity_id).await? else {
        served.closed = app.tickets().close(activity_id, Refusal::ActivityNotOpen).await?;
        return Ok(served);
    };
    while let Some(ticket) = app.tickets().head(activity_id).await? {
        if ticket.number > through {
            break;
        }
        match turn(app, &activity, &ticket).await? {
            Turn::Ended(None) => served.drawn += 1,
            Turn::Ended(Some(_)) => served.refused += 1,
            Turn::Closed(refusal) => {
                served.closed += app.tickets().close(activity_id, refusal).await?;
                info!(refusal = refusal.as_str(), ended = served.closed, "line closed");
                break;
            }
        }
    }
    Ok(served)
}

/// How a head ticket's turn ended.
enum Turn {
    /// It ended by itself: drawn (`None`) or refused.
    Ended(Option<Refusal>),
    /// The whole line ends.
    Closed(Refusal),
}

/// Draws the head ticket and ends it (only if it is still the head).
async fn turn(
    app: &(impl HasStock + HasQueue + HasLedger + HasClock + HasRandom + HasTickets),
    activity: &Activity,
    ticket: &Ticket,
) -> Result<Turn, Error> {
    let now = app.clock().now();
    if !activity.is_open(now) {
        return Ok(Turn::Closed(Refusal::ActivityNotOpen));
    }
    let draw = drawing::draw_ticket(app, activity, ticket.draw_id.clone(), ticket.user_id, ticket.kind, now);
    let refusal = match drawing::execute(app, activity, &draw).await {
        Ok(_) => None,
        Err(Error::SoldOut) => return Ok(Turn::Closed(Refusal::SoldOut)),
        Err(Error::QuotaExceeded) => Some(Refusal::QuotaExceeded),
        Err(Error::UnpaidLimit) => Some(Refusal::UnpaidLimit),
        // The draw was voided (as an instant draw answering 503 is): the player presses again.
        Err(Error::Unavailable(cause)) => {
            warn!(draw_id = %ticket.draw_id, error = %cause, "ticket's draw voided");
            Some(Refusal::Unavailable)
        }
        Err(other) => return Err(other),
    };
    app.tickets().finish(&activity.id, ticket.number, refusal).await?;
    Ok(Turn::Ended(refusal))
}

/// A draw as its player polls it: drawn (with its order), still waiting, or refused.
#[derive(Debug)]
pub enum DrawView {
    /// Drawn: the result (boxed: it is far larger than the other answers).
    Drawn(Box<DrawStatus>),
    /// Waiting with this many tickets ahead.
    Waiting {
        /// Waiting tickets ahead of it.
        ahead: u64,
    },
    /// Ended without a draw.
    Refused(Refusal),
}

/// One of the caller's draws, or tickets; other people's are not found. A waiting ticket
/// of an activity that has closed meanwhile ends (with every other waiting one) as it is read.
pub async fn look_up(
    app: &(impl HasStock + HasOrders + HasActivities + HasTickets + HasClock),
    session: &Session,
    id: &DrawId,
) -> Result<DrawView, Error> {
    match queries::draw(app, session, id).await {
        Err(Error::NotFound(_)) => {}
        drawn => return drawn.map(|status| DrawView::Drawn(Box::new(status))),
    }
    let found = app.tickets().find(id).await?.filter(|(ticket, _)| ticket.user_id == session.user_id);
    match found.ok_or(Error::NotFound("draw"))?.1 {
        TicketState::Waiting { ahead } => match open(app, id.activity()).await? {
            true => Ok(DrawView::Waiting { ahead }),
            false => {
                app.tickets().close(id.activity(), Refusal::ActivityNotOpen).await?;
                Ok(DrawView::Refused(Refusal::ActivityNotOpen))
            }
        },
        TicketState::Drawn => queries::draw(app, session, id).await.map(|status| DrawView::Drawn(Box::new(status))),
        TicketState::Refused(refusal) => Ok(DrawView::Refused(refusal)),
    }
}

async fn open(app: &(impl HasActivities + HasClock), id: &ActivityId) -> Result<bool, Error> {
    let activity = app.activities().get(id).await?;
    Ok(activity.is_some_and(|activity| activity.is_open(app.clock().now())))
}
