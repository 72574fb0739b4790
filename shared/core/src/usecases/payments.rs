//! Paying for a won prize: the pay link, Alipay's notification, and the sweep that turns
//! unpaid orders past their deadline into cancellations.

use tracing::{info, instrument};

use crate::app::{HasClock, HasOrders, HasPayLinks, HasPaymentNotices, HasPayments, HasQueue};
use crate::domain::{CancelReason, Money, Order, OrderId, PayLink, Session, TradeRequest, Unverified};
use crate::error::{Error, StoreError};
use crate::messages::{CancelRequested, OrderMessage, PaymentReceived};
use crate::usecases::queries;

/// A pay link for an order.
#[derive(Debug)]
pub struct PayLinkIssued {
    /// The order being paid.
    pub order: Order,
    /// Where to pay it.
    pub link: PayLink,
}

/// The link that pays one of the caller's orders: only while it is pending payment and
/// before its deadline. The first call opens the trade; later calls reuse the cached link.
/// `notify_url` is where Alipay should notify unless the deployment configures its own.
#[instrument(skip_all, fields(order_id = %id))]
pub async fn pay_link(
    app: &(impl HasOrders + HasPayments + HasPayLinks + HasClock),
    session: &Session,
    id: &OrderId,
    notify_url: Option<String>,
) -> Result<PayLinkIssued, Error> {
    let order = queries::order(app, session, id).await?;
    let now = app.clock().now();
    if order.is_overdue(now) {
        return Err(Error::InvalidState("the pay deadline has passed".into()));
    }
    if !order.is_payable(now) {
        return Err(Error::InvalidState(format!("the order is {}, not pending payment", order.status.as_str())));
    }
    if let Some(link) = app.pay_links().get(&order.id, now).await? {
        return Ok(PayLinkIssued { order, link });
    }
    let trade = TradeRequest {
        order_id: order.id,
        amount: order.amount_fen,
        subject: format!("luckydraw: {}", order.prize_name),
        pay_before: order.pay_deadline,
        at: now,
        notify_url,
    };
    let opened = app.payments().precreate(&trade).await?;
    let link = app.pay_links().put_if_absent(&order.id, &opened, now).await?;
    info!("trade opened");
    Ok(PayLinkIssued { order, link })
}

/// Why a payment notification was answered `failure` (the provider will send it again).
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    /// No payment settings here, so nothing can be verified.
    #[error("payments are not configured (ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY)")]
    NotConfigured,
    /// The body is not a genuine notification for us.
    #[error(transparent)]
    Unverified(#[from] Unverified),
    /// `out_trade_no` names no order of ours.
    #[error("out_trade_no `{0}` is not a known order")]
    UnknownOrder(String),
    /// The amount differs from what the order owes.
    #[error("total_amount {paid} differs from the order's {owed}")]
    WrongAmount {
        /// What the notification says was paid.
        paid: Money,
        /// What the order owes.
        owed: Money,
    },
    /// The store or the queue failed; the provider will ask again.
    #[error("a backend failed: {0}")]
    Unavailable(#[from] StoreError),
}

impl Rejection {
    /// A stable name for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::NotConfigured => "not_configured",
            Rejection::Unverified(unverified) => unverified.reason,
            Rejection::UnknownOrder(_) => "unknown_order",
            Rejection::WrongAmount { .. } => "wrong_amount",
            Rejection::Unavailable(_) => "unavailable",
        }
    }
}

/// The provider's asynchronous notification (the raw form body): verified as DESIGN §4 says,
/// then queued as [`PaymentReceived`]. `Ok` only once the queue has accepted it; otherwise
/// nothing was written and the rejection says why.
pub async fn receive_notification(
    app: &(impl HasPaymentNotices + HasOrders + HasQueue + HasClock),
    body: &[u8],
) -> Result<PaymentReceived, Rejection> {
    let notices = app.notices().ok_or(Rejection::NotConfigured)?;
    // Parsing and the RSA check are CPU work: off the async workers, so others are not held up.
    let body = body.to_vec();
    let notification = tokio::task::spawn_blocking(move || notices.verify(&body))
        .await
        .map_err(|error| StoreError::caused_by("the verification task failed", error))??;
    let order = app.orders().get(&notification.order_id).await?;
    let order = order.ok_or_else(|| Rejection::UnknownOrder(notification.order_id.to_string()))?;
    if notification.total_amount != order.amount_fen {
        return Err(Rejection::WrongAmount { paid: notification.total_amount, owed: order.amount_fen });
    }
    let received = PaymentReceived {
        order_id: order.id,
        trade_no: notification.trade_no,
        amount_fen: notification.total_amount,
        trade_status: notification.trade_status,
        received_at: app.clock().now(),
    };
    app.queue().send(&OrderMessage::PaymentReceived(received.clone())).await?;
    Ok(received)
}

/// Asks the consumer to expire up to `limit` orders whose pay deadline has passed; returns
/// how many were asked. Asking twice is harmless: the consumer expires an order once.
#[instrument(skip_all)]
pub async fn expire_overdue(app: &(impl HasOrders + HasQueue + HasClock), limit: usize) -> Result<usize, Error> {
    let now = app.clock().now();
    let overdue = app.orders().overdue(now, limit).await?;
    for order in &overdue {
        let message = CancelRequested { order_id: order.id, reason: CancelReason::Expired, requested_at: now };
        app.queue().send(&OrderMessage::CancelRequested(message)).await?;
    }
    if !overdue.is_empty() {
        info!(count = overdue.len(), "expiry requested");
    }
    Ok(overdue.len())
}
