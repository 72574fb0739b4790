//! The order consumer driven by SQS events, starting from `events/order-consumer/order-requested.json`.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use luckydraw_core::domain::{OrderId, OrderStatus};
use luckydraw_testing::{event_text, test_app};

fn fixture_event() -> SqsEvent {
    serde_json::from_str(&event_text("order-consumer/order-requested"))
        .expect("events/order-consumer/order-requested.json is an SQS event")
}

fn message(id: &str, body: &str) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(id.into());
    message.body = Some(body.into());
    message
}

fn failed_ids(response: &aws_lambda_events::sqs::SqsBatchResponse) -> Vec<&str> {
    response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect()
}

#[tokio::test]
async fn the_fixture_batch_creates_its_order_once() {
    let t = test_app(1);
    let order_id: OrderId = "01a20048628e7a0b8eea09489eda7b1b".parse().unwrap();

    let first = order_consumer::handle(&t.app, fixture_event()).await.unwrap();
    let created = t.app.orders.get(&order_id).await.unwrap().unwrap();
    let again = order_consumer::handle(&t.app, fixture_event()).await.unwrap();

    assert!(first.batch_item_failures.is_empty());
    assert!(again.batch_item_failures.is_empty(), "a redelivered message is a success that changes nothing");
    assert_eq!(created.status, OrderStatus::PendingPayment);
    assert_eq!(created.amount_fen.fen(), 9000);
    assert_eq!(t.app.orders.get(&order_id).await.unwrap().unwrap(), created);
}

#[tokio::test]
async fn only_the_messages_that_failed_are_reported() {
    let t = test_app(2);
    let mut event = fixture_event();
    let good = event.records.remove(0);
    event.records = vec![
        message("poison", "{\"type\":\"order_requested\""),
        good,
        message("no-such-type", r#"{"type":"teleport","order_id":"x"}"#),
        message(
            "cancel-unknown",
            r#"{"type":"cancel_requested","order_id":"0190b7e2d3e57c5d8a3f2b2f0c4d6e7f","reason":"given_up","requested_at":"2026-11-21T08:00:00Z"}"#,
        ),
    ];

    let response = order_consumer::handle(&t.app, event).await.unwrap();

    assert_eq!(failed_ids(&response), ["poison", "no-such-type", "cancel-unknown"]);
    assert!(t.app.orders.get(&"01a20048628e7a0b8eea09489eda7b1b".parse().unwrap()).await.unwrap().is_some());
}
