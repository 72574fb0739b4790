//! Messages on the order queue: the only way order state and the draw ledger change.
//! JSON, tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::domain::{CancelReason, DrawId, DrawOutcome, DrawRecord, Money, OrderId, PrizeId, Timestamp, UserId};

/// On the draw queue: a ticket waits in its activity's line, so the draw worker serves the
/// line at least through it. One message group per activity keeps them in order on SQS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketWaiting {
    /// The ticket's draw (its id names the activity, the message group).
    pub draw_id: DrawId,
    /// The ticket's number.
    pub number: u64,
}

impl TicketWaiting {
    /// The JSON body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a JSON body.
    pub fn from_json(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}

/// A message for the order consumer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderMessage {
    /// A draw won a prize: record it in the ledger and create its order.
    OrderRequested(OrderRequested),
    /// A draw that won nothing to pay for (consolation or missed): record it in the ledger.
    DrawRecorded(DrawRecorded),
    /// The payment provider reported on a trade.
    PaymentReceived(PaymentReceived),
    /// The winner gave up, or the deadline passed.
    CancelRequested(CancelRequested),
    /// Money arrived for an order that can no longer take it: send it back.
    RefundRequested(RefundRequested),
}

/// Create the order of a won draw (its id is the draw's order id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequested {
    /// The winning draw.
    pub draw_id: DrawId,
    /// The winner.
    pub user_id: UserId,
    /// The prize won.
    pub prize_id: PrizeId,
    /// Its name.
    pub prize_name: String,
    /// Its price when won.
    pub amount_fen: Money,
    /// When it was won.
    pub won_at: Timestamp,
    /// Pay before this.
    pub pay_deadline: Timestamp,
}

impl OrderRequested {
    /// The draw as the ledger records it.
    pub fn record(&self) -> DrawRecord {
        DrawRecord {
            id: self.draw_id.clone(),
            user_id: self.user_id,
            prize_id: self.prize_id.clone(),
            outcome: DrawOutcome::Won,
            drawn_at: self.won_at,
            released: false,
        }
    }
}

/// A consolation or missed draw, for the ledger (won draws travel as [`OrderRequested`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecorded {
    /// The draw.
    pub draw_id: DrawId,
    /// Who drew.
    pub user_id: UserId,
    /// Where the wheel stopped.
    pub prize_id: PrizeId,
    /// Consolation or missed.
    pub outcome: DrawOutcome,
    /// When.
    pub drawn_at: Timestamp,
}

impl DrawRecorded {
    /// The draw as the ledger records it.
    pub fn record(&self) -> DrawRecord {
        DrawRecord {
            id: self.draw_id.clone(),
            user_id: self.user_id,
            prize_id: self.prize_id.clone(),
            outcome: self.outcome,
            drawn_at: self.drawn_at,
            released: false,
        }
    }
}

/// Alipay's `trade_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeStatus {
    /// Created, not paid yet.
    WaitBuyerPay,
    /// Closed unpaid, or fully refunded.
    TradeClosed,
    /// Paid (refunds still possible).
    TradeSuccess,
    /// Paid and final.
    TradeFinished,
}

impl TradeStatus {
    /// Parses Alipay's name, e.g. `TRADE_SUCCESS`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "WAIT_BUYER_PAY" => Some(TradeStatus::WaitBuyerPay),
            "TRADE_CLOSED" => Some(TradeStatus::TradeClosed),
            "TRADE_SUCCESS" => Some(TradeStatus::TradeSuccess),
            "TRADE_FINISHED" => Some(TradeStatus::TradeFinished),
            _ => None,
        }
    }

    /// Whether the money has arrived.
    pub fn is_paid(self) -> bool {
        matches!(self, TradeStatus::TradeSuccess | TradeStatus::TradeFinished)
    }
}

/// A verified payment notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReceived {
    /// Our order (`out_trade_no`).
    pub order_id: OrderId,
    /// The provider's trade number.
    pub trade_no: String,
    /// The amount paid.
    pub amount_fen: Money,
    /// What the provider says happened.
    pub trade_status: TradeStatus,
    /// When we received the notification.
    pub received_at: Timestamp,
}

/// Cancel a pending order and return its unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequested {
    /// The order.
    pub order_id: OrderId,
    /// Given up or expired.
    pub reason: CancelReason,
    /// When it was asked for.
    pub requested_at: Timestamp,
}

/// Return a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequested {
    /// The order the money was paid for.
    pub order_id: OrderId,
    /// The trade to refund.
    pub trade_no: String,
    /// How much.
    pub amount_fen: Money,
    /// When it was asked for.
    pub requested_at: Timestamp,
}

impl OrderMessage {
    /// The order this message is about.
    pub fn order_id(&self) -> OrderId {
        match self {
            OrderMessage::OrderRequested(m) => m.draw_id.order_id(),
            OrderMessage::DrawRecorded(m) => m.draw_id.order_id(),
            OrderMessage::PaymentReceived(m) => m.order_id,
            OrderMessage::CancelRequested(m) => m.order_id,
            OrderMessage::RefundRequested(m) => m.order_id,
        }
    }

    /// The `type` tag, also sent as a message attribute.
    pub fn kind(&self) -> &'static str {
        match self {
            OrderMessage::OrderRequested(_) => "order_requested",
            OrderMessage::DrawRecorded(_) => "draw_recorded",
            OrderMessage::PaymentReceived(_) => "payment_received",
            OrderMessage::CancelRequested(_) => "cancel_requested",
            OrderMessage::RefundRequested(_) => "refund_requested",
        }
    }

    /// The JSON body sent on the queue.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("order messages always serialise")
    }

    /// Parses a queue body.
    pub fn from_json(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}
