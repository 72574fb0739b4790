//! The [`Queue`] contract: what is sent arrives, once, as sent.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::START;
use luckydraw_core::domain::{CancelReason, Money};
use luckydraw_core::messages::{CancelRequested, OrderMessage, PaymentReceived, TradeStatus};
use luckydraw_core::ports::Queue;

/// A queue and a way to take what arrived on it, as the consumer would see it.
#[async_trait]
pub trait QueueProbe: Send + Sync {
    /// The queue under test.
    fn queue(&self) -> Arc<dyn Queue>;
    /// Every message waiting (body, and the `type` attribute if the queue carries attributes),
    /// removed from the queue.
    async fn take_all(&self) -> Vec<(String, Option<String>)>;
}

fn messages() -> Vec<OrderMessage> {
    let order_id = luckydraw_core::domain::OrderId::generate(START, [9; 10]);
    vec![
        OrderMessage::CancelRequested(CancelRequested { order_id, reason: CancelReason::GivenUp, requested_at: START }),
        OrderMessage::PaymentReceived(PaymentReceived {
            order_id,
            trade_no: "2026112122001".into(),
            amount_fen: Money::from_fen(8000),
            trade_status: TradeStatus::TradeSuccess,
            received_at: START.plus(Duration::from_secs(1)),
        }),
    ]
}

/// Every message sent arrives exactly once, body intact, tagged with its type; until it is
/// received, it counts in the backlog.
pub async fn every_message_sent_arrives_once_as_sent(probe: Arc<dyn QueueProbe>) {
    let sent = messages();
    assert_eq!(probe.queue().backlog().await.unwrap(), 0, "a new queue has no backlog");
    for message in &sent {
        probe.queue().send(message).await.unwrap();
    }
    assert_eq!(probe.queue().backlog().await.unwrap(), sent.len() as u64, "sent and not consumed");
    let mut arrived = probe.take_all().await;
    arrived.sort();
    let mut expected: Vec<(String, String)> = sent.iter().map(|m| (m.to_json(), m.kind().to_owned())).collect();
    expected.sort();
    assert_eq!(arrived.len(), expected.len(), "{arrived:?}");
    for ((body, kind), (want_body, want_kind)) in arrived.iter().zip(&expected) {
        assert_eq!(OrderMessage::from_json(body).unwrap(), OrderMessage::from_json(want_body).unwrap());
        if let Some(kind) = kind {
            assert_eq!(kind, want_kind);
        }
    }
    assert!(probe.take_all().await.is_empty(), "nothing arrives twice");
}
