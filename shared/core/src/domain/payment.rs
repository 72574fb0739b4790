//! Payments as the use cases see them: a trade to open, the link that pays it, a refund,
//! and the provider's verified notification.

use serde::{Deserialize, Serialize};

use super::{Money, OrderId, Timestamp};
use crate::messages::TradeStatus;

/// A trade to open at the payment provider for an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeRequest {
    /// The order; it is the trade's `out_trade_no`.
    pub order_id: OrderId,
    /// What to pay.
    pub amount: Money,
    /// What the payer sees.
    pub subject: String,
    /// The provider must not take the money at or after this instant.
    pub pay_before: Timestamp,
    /// When the request is made.
    pub at: Timestamp,
    /// Where the provider should notify if the deployment names no address of its own: the
    /// notify route on the host the pay request came in on.
    pub notify_url: Option<String>,
}

/// Where the payer pays: a link to open (on a phone it opens Alipay; locally the sandbox's
/// confirm page), also the content of the QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLink {
    /// The link.
    pub url: String,
    /// After this instant the trade can no longer be paid.
    pub expires_at: Timestamp,
}

/// Money to send back: one trade, in full, at most once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// The order the money was paid for.
    pub order_id: OrderId,
    /// The provider's trade.
    pub trade_no: String,
    /// How much (the whole payment).
    pub amount: Money,
    /// The provider's idempotency key (`out_request_no`): asking again with it refunds nothing more.
    pub request_no: String,
    /// When it is asked for.
    pub at: Timestamp,
}

impl Refund {
    /// The full refund of `trade_no`. Each trade is refunded at most once and in full, and
    /// Alipay scopes `out_request_no` to the trade, so the order id is a stable request number.
    pub fn full(order_id: OrderId, trade_no: &str, amount: Money, at: Timestamp) -> Self {
        Refund { order_id, trade_no: trade_no.to_owned(), amount, request_no: format!("{order_id}-full"), at }
    }
}

/// A payment notification whose signature, app and seller checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// Our order (`out_trade_no`).
    pub order_id: OrderId,
    /// The provider's trade number.
    pub trade_no: String,
    /// The amount paid, exactly.
    pub total_amount: Money,
    /// What the provider says happened.
    pub trade_status: TradeStatus,
}

/// A notification that did not verify: a stable reason for logs and metrics, and the detail.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct Unverified {
    /// E.g. `bad_signature`, `wrong_app`.
    pub reason: &'static str,
    /// What exactly was wrong.
    pub detail: String,
}
