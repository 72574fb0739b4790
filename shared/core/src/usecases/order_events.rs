//! The order consumer's rules: the single writer of order state and of recorded draws in
//! the ledger. Every change is a conditional write on the state it was read in, so
//! duplicates and reordered messages change nothing; a message that arrives before its
//! order exists fails and is retried.

use tracing::{debug, instrument, warn};

use crate::app::{HasClock, HasLedger, HasOrders, HasPayments, HasQueue, HasStock};
use crate::domain::{CancelReason, DrawRecord, LedgerEntry, Order, OrderId, OrderStatus, Refund};
use crate::error::Error;
use crate::messages::{
    CancelRequested, DrawRecorded, OrderMessage, OrderRequested, PaymentReceived, RefundRequested, TradeStatus,
};
use crate::ports::Release;

/// What a message did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A new order.
    Created(OrderStatus),
    /// A draw recorded in the ledger (one that created no order).
    Recorded,
    /// The draw had been voided: nothing recorded, its unit and quota given back.
    Voided,
    /// The order moved to this status.
    Moved(OrderStatus),
    /// A refund was requested for money the order could not take.
    RefundQueued,
    /// Nothing to do (duplicate, stale or informational); the reason is logged.
    Unchanged(&'static str),
}

/// Applies one message.
#[instrument(skip_all, fields(kind = message.kind(), order_id = %message.order_id()))]
pub async fn apply(
    app: &(impl HasOrders + HasStock + HasQueue + HasLedger + HasPayments + HasClock),
    message: OrderMessage,
) -> Result<Applied, Error> {
    let applied = match message {
        OrderMessage::OrderRequested(m) => create(app, m).await?,
        OrderMessage::DrawRecorded(m) => record(app, m).await?,
        OrderMessage::CancelRequested(m) => cancel(app, m).await?,
        OrderMessage::PaymentReceived(m) => pay(app, m).await?,
        OrderMessage::RefundRequested(m) => refund(app, m).await?,
    };
    debug!(?applied, "applied");
    Ok(applied)
}

/// Records a draw in the ledger unless it was voided; `Ok(false)` if it was (its unit and
/// quota are given back again, which changes nothing if that was done already).
async fn recorded(app: &(impl HasLedger + HasStock), draw: &DrawRecord) -> Result<bool, Error> {
    match app.ledger().record(draw).await? {
        LedgerEntry::Recorded(_) => Ok(true),
        LedgerEntry::Voided { .. } => {
            app.stock().release(&draw.id, Release::UnitAndQuota).await?;
            Ok(false)
        }
    }
}

async fn record(app: &(impl HasLedger + HasStock), m: DrawRecorded) -> Result<Applied, Error> {
    Ok(if recorded(app, &m.record()).await? { Applied::Recorded } else { Applied::Voided })
}

async fn create(app: &(impl HasOrders + HasLedger + HasStock + HasClock), m: OrderRequested) -> Result<Applied, Error> {
    if !recorded(app, &m.record()).await? {
        return Ok(Applied::Voided);
    }
    let status = if m.amount_fen.is_zero() { OrderStatus::Fulfilled } else { OrderStatus::PendingPayment };
    let order = Order {
        id: m.draw_id.order_id(),
        draw_id: m.draw_id,
        user_id: m.user_id,
        prize_id: m.prize_id,
        prize_name: m.prize_name,
        amount_fen: m.amount_fen,
        status,
        created_at: m.won_at,
        pay_deadline: m.pay_deadline,
        updated_at: app.clock().now(),
        trade_no: None,
    };
    let created = app.orders().insert(&order).await?;
    Ok(if created { Applied::Created(status) } else { Applied::Unchanged("order already exists") })
}

async fn cancel(app: &(impl HasOrders + HasStock + HasClock), m: CancelRequested) -> Result<Applied, Error> {
    let order = existing(app, &m.order_id).await?;
    let now = app.clock().now();
    match order.status {
        OrderStatus::PendingPayment if m.reason == CancelReason::Expired && !order.is_overdue(now) => {
            Ok(Applied::Unchanged("not overdue yet"))
        }
        OrderStatus::PendingPayment => {
            let next = order.moved_to(OrderStatus::after_cancel(m.reason), now);
            write(app, &next, OrderStatus::PendingPayment).await?;
            app.stock().release(&order.draw_id, Release::Unit).await?;
            Ok(Applied::Moved(next.status))
        }
        status if status.released_stock() => {
            // Finishes a release a crash may have interrupted; releasing twice is a no-op.
            app.stock().release(&order.draw_id, Release::Unit).await?;
            Ok(Applied::Unchanged("already cancelled"))
        }
        _ => Ok(Applied::Unchanged("order is no longer pending")),
    }
}

async fn pay(app: &(impl HasOrders + HasStock + HasQueue + HasClock), m: PaymentReceived) -> Result<Applied, Error> {
    if matches!(m.trade_status, TradeStatus::WaitBuyerPay | TradeStatus::TradeClosed) {
        return Ok(Applied::Unchanged("trade not paid"));
    }
    let order = existing(app, &m.order_id).await?;
    if m.amount_fen != order.amount_fen {
        return Err(Error::InvalidRequest(format!(
            "paid {} for an order of {}",
            m.amount_fen.to_yuan_string(),
            order.amount_fen.to_yuan_string()
        )));
    }
    let same_trade = order.trade_no.as_deref() == Some(m.trade_no.as_str());
    match order.status {
        OrderStatus::PendingPayment => {
            let next = Order { trade_no: Some(m.trade_no), ..order.moved_to(OrderStatus::Paid, app.clock().now()) };
            write(app, &next, OrderStatus::PendingPayment).await?;
            app.stock().paid(&next.draw_id).await?;
            Ok(Applied::Moved(OrderStatus::Paid))
        }
        OrderStatus::Paid if same_trade => {
            // Finishes ending the hold if a failure came between the order and the stock; once only.
            app.stock().paid(&order.draw_id).await?;
            Ok(Applied::Unchanged("payment already recorded"))
        }
        OrderStatus::Refunded if same_trade => Ok(Applied::Unchanged("payment already recorded")),
        _ => {
            warn!(status = order.status.as_str(), trade_no = %m.trade_no, "payment for an order that cannot take it");
            let refund = RefundRequested {
                order_id: order.id,
                trade_no: m.trade_no,
                amount_fen: m.amount_fen,
                requested_at: app.clock().now(),
            };
            app.queue().send(&OrderMessage::RefundRequested(refund)).await?;
            Ok(Applied::RefundQueued)
        }
    }
}

async fn refund(app: &(impl HasOrders + HasPayments + HasClock), m: RefundRequested) -> Result<Applied, Error> {
    let order = existing(app, &m.order_id).await?;
    let same_trade = order.trade_no.as_deref() == Some(m.trade_no.as_str());
    if same_trade && order.status == OrderStatus::Refunded {
        return Ok(Applied::Unchanged("already refunded"));
    }
    if same_trade || order.status == OrderStatus::PendingPayment {
        return Err(Error::InvalidState(format!("trade {} is what order {} stands on", m.trade_no, order.id)));
    }
    app.payments().refund(&Refund::full(order.id, &m.trade_no, m.amount_fen, app.clock().now())).await?;
    if !order.status.released_stock() {
        // Paid under another trade: that payment stands, this one went back.
        return Ok(Applied::Unchanged("refunded a second payment"));
    }
    let next = Order { trade_no: Some(m.trade_no), ..order.moved_to(OrderStatus::Refunded, app.clock().now()) };
    write(app, &next, order.status).await?;
    Ok(Applied::Moved(OrderStatus::Refunded))
}

/// The order a message is about; not found yet means its creation is still queued.
async fn existing(app: &impl HasOrders, id: &OrderId) -> Result<Order, Error> {
    app.orders().get(id).await?.ok_or(Error::NotFound("order"))
}

/// A conditional write; losing the race fails the message so it is retried on fresh state.
async fn write(app: &impl HasOrders, next: &Order, expected: OrderStatus) -> Result<(), Error> {
    if app.orders().update(next, expected).await? {
        Ok(())
    } else {
        Err(Error::InvalidState(format!("order {} changed while being updated", next.id)))
    }
}
