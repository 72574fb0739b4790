//! What players read (activities, their draws and orders) and the one thing they ask
//! of an order: give it up.

use std::sync::Arc;

use tracing::instrument;

use crate::app::{HasActivities, HasClock, HasOrders, HasQueue, HasStock};
use crate::domain::{
    Activity, ActivityId, ActivityStatus, CancelReason, DrawId, DrawRecord, Order, OrderId, Prize, Session,
};
use crate::error::Error;
use crate::messages::{CancelRequested, OrderMessage};
use crate::ports::StockCounts;

/// An activity with the units left of each prize.
#[derive(Debug)]
pub struct ActivityStock {
    /// The activity.
    pub activity: Arc<Activity>,
    /// Units left per prize (`None` if the stock is not loaded).
    pub remaining: Option<StockCounts>,
}

/// A draw with its order, if the consumer has created it yet.
#[derive(Debug)]
pub struct DrawStatus {
    /// The recorded draw.
    pub record: DrawRecord,
    /// Its order; `None` while the request is still queued (or for a no-win).
    pub order: Option<Order>,
    /// Where the wheel stops (`None` if the activity is gone).
    pub prize: Option<Prize>,
}

/// Activities players can see (not drafts), by id.
pub async fn activities(app: &impl HasActivities) -> Result<Vec<Activity>, Error> {
    let mut activities = app.activities().list().await?;
    activities.retain(|activity| activity.status != ActivityStatus::Draft);
    Ok(activities)
}

/// One visible activity with its remaining stock.
pub async fn activity(app: &(impl HasActivities + HasStock), id: &ActivityId) -> Result<ActivityStock, Error> {
    let activity = app.activities().get(id).await?.filter(|a| a.status != ActivityStatus::Draft);
    let activity = activity.ok_or(Error::NotFound("activity"))?;
    let remaining = app.stock().remaining(id).await?;
    Ok(ActivityStock { activity, remaining })
}

/// One of the caller's draws; other people's draws are not found.
pub async fn draw(
    app: &(impl HasStock + HasOrders + HasActivities),
    session: &Session,
    id: &DrawId,
) -> Result<DrawStatus, Error> {
    let record = app.stock().find_draw(id).await?.filter(|draw| draw.user_id == session.user_id);
    let record = record.ok_or(Error::NotFound("draw"))?;
    let order = app.orders().get(&id.order_id()).await?;
    let activity = app.activities().get(id.activity()).await?;
    let prize = activity.and_then(|activity| activity.prize(&record.prize_id).cloned());
    Ok(DrawStatus { record, order, prize })
}

/// One of the caller's orders; other people's orders are not found.
pub async fn order(app: &impl HasOrders, session: &Session, id: &OrderId) -> Result<Order, Error> {
    let order = app.orders().get(id).await?.filter(|order| order.user_id == session.user_id);
    order.ok_or(Error::NotFound("order"))
}

/// The caller's orders, newest first.
pub async fn orders(app: &impl HasOrders, session: &Session) -> Result<Vec<Order>, Error> {
    Ok(app.orders().of_user(&session.user_id).await?)
}

/// Asks the consumer to cancel a pending order and return its unit (202: it happens
/// asynchronously, exactly once however often it is asked).
#[instrument(skip_all, fields(order_id = %id))]
pub async fn give_up(
    app: &(impl HasOrders + HasQueue + HasClock),
    session: &Session,
    id: &OrderId,
) -> Result<Order, Error> {
    let order = order(app, session, id).await?;
    if order.is_overdue(app.clock().now()) {
        return Err(Error::InvalidState("the pay deadline has passed; the order is expiring".into()));
    }
    if !order.is_payable(app.clock().now()) {
        return Err(Error::InvalidState(format!("the order is {}, not pending payment", order.status.as_str())));
    }
    let message =
        CancelRequested { order_id: order.id, reason: CancelReason::GivenUp, requested_at: app.clock().now() };
    app.queue().send(&OrderMessage::CancelRequested(message)).await?;
    Ok(order)
}
