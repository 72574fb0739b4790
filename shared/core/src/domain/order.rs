//! Orders for won prizes and the rules for moving them between statuses.

use serde::{Deserialize, Serialize};

use super::{DrawId, Money, OrderId, PrizeId, Timestamp, UserId};

/// Where an order stands. Before the consumer creates it, a won draw's order is *queued*
/// (it exists only as a message); every status here is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the winner to pay before the deadline.
    PendingPayment,
    /// A free prize: nothing to pay.
    Fulfilled,
    /// Paid.
    Paid,
    /// Given up by the winner; the unit went back.
    Cancelled,
    /// Not paid in time; the unit went back.
    Expired,
    /// Money that arrived for an order no longer payable was returned.
    Refunded,
}

/// Why an order is being cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The winner gave the prize up.
    GivenUp,
    /// The pay deadline passed.
    Expired,
}

/// An order for a won prize.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Id; also the Alipay `out_trade_no`.
    pub id: OrderId,
    /// The draw that won it.
    pub draw_id: DrawId,
    /// The winner.
    pub user_id: UserId,
    /// The prize.
    pub prize_id: PrizeId,
    /// The prize's name when it was won.
    pub prize_name: String,
    /// What is owed, fixed when the prize was won.
    pub amount_fen: Money,
    /// Current status.
    pub status: OrderStatus,
    /// When the prize was won.
    pub created_at: Timestamp,
    /// Pay before this instant or lose the prize.
    pub pay_deadline: Timestamp,
    /// When the status last changed.
    pub updated_at: Timestamp,
    /// The payment provider's trade number once paid (or refunded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
}

impl OrderStatus {
    /// The status a cancellation for `reason` leads to.
    pub fn after_cancel(reason: CancelReason) -> Self {
        match reason {
            CancelReason::GivenUp => OrderStatus::Cancelled,
            CancelReason::Expired => OrderStatus::Expired,
        }
    }

    /// Whether the won unit has gone back to the pool in this status.
    pub fn released_stock(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Expired)
    }

    /// The snake_case name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Refunded => "refunded",
        }
    }
}

impl Order {
    /// Whether the winner may still pay at `now`.
    pub fn is_payable(&self, now: Timestamp) -> bool {
        self.status == OrderStatus::PendingPayment && now < self.pay_deadline
    }

    /// Whether the pay deadline has passed unpaid at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status == OrderStatus::PendingPayment && now >= self.pay_deadline
    }

    /// This order moved to `status` at `now`.
    pub fn moved_to(&self, status: OrderStatus, now: Timestamp) -> Order {
        Order { status, updated_at: now, ..self.clone() }
    }
}

impl std::str::FromStr for OrderStatus {
    type Err = String;

    /// The snake_case name used in the API.
    fn from_str(text: &str) -> Result<Self, String> {
        let all = [
            OrderStatus::PendingPayment,
            OrderStatus::Fulfilled,
            OrderStatus::Paid,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
            OrderStatus::Refunded,
        ];
        all.into_iter().find(|status| status.as_str() == text).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|status| status.as_str()).collect();
            format!("an order status is one of {}", names.join(", "))
        })
    }
}
