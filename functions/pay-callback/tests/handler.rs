//! The payment callback driven by `events/pay-callback/notify.json` (and its base64 twin), signed
//! by the key whose public half is `events/pay-callback/alipay-public-key.pem`: Alipay only ever
//! reads `success` or `failure`, and nothing unverified is queued.

use std::sync::Arc;

use lambda_http::{Body, Response};
use luckydraw_core::messages::{OrderMessage, TradeStatus};
use luckydraw_core::usecases::order_events;
use luckydraw_testing::{
    TestApp, event_file, event_text, fixture, form_request, test_app, test_merchant, with_content_type,
};

fn body_text(response: &Response<Body>) -> String {
    String::from_utf8_lossy(response.body().as_ref()).into_owned()
}

/// A test app trusting the fixture's signing key, with the fixture's order (Tea, ¥90.00)
/// created from `events/order-consumer/order-requested.json` when `with_order`.
async fn app_for_fixture(seed: u64, with_order: bool) -> TestApp {
    let mut t = test_app(seed);
    t.app.notices = Some(Arc::new(test_merchant(&event_file("pay-callback/alipay-public-key.pem"))));
    if with_order {
        let event: serde_json::Value = serde_json::from_str(&event_text("order-consumer/order-requested")).unwrap();
        let body = event["Records"][0]["body"].as_str().unwrap();
        order_events::apply(&t.app, OrderMessage::from_json(body).unwrap()).await.unwrap();
    }
    t
}

fn queued(t: &TestApp) -> Vec<OrderMessage> {
    t.memory.queue.receive(10).iter().map(|envelope| OrderMessage::from_json(&envelope.body).unwrap()).collect()
}

#[tokio::test]
async fn the_fixture_notify_is_verified_queued_and_answered_success() {
    let t = app_for_fixture(1, true).await;

    let response = pay_callback::handle(&t.app, fixture("pay-callback/notify")).await;

    assert_eq!((response.status().as_u16(), body_text(&response).as_str()), (200, "success"));
    let messages = queued(&t);
    let [OrderMessage::PaymentReceived(received)] = messages.as_slice() else { panic!("one payment: {messages:?}") };
    assert_eq!(received.order_id.to_string(), "01a20048628e7a0b8eea09489eda7b1b");
    assert_eq!((received.trade_no.as_str(), received.amount_fen.fen()), ("2026112122001446880000000001", 9000));
    assert_eq!(received.trade_status, TradeStatus::TradeSuccess);
}

#[tokio::test]
async fn a_base64_encoded_body_is_the_same_notification() {
    let t = app_for_fixture(2, true).await;

    let plain = body_text(&pay_callback::handle(&t.app, fixture("pay-callback/notify")).await);
    let encoded = body_text(&pay_callback::handle(&t.app, fixture("pay-callback/notify-base64")).await);

    assert_eq!((plain.as_str(), encoded.as_str()), ("success", "success"));
    let messages = queued(&t);
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0], messages[1]);
}

#[tokio::test]
async fn the_fixture_is_failure_for_an_unknown_order_another_key_or_no_configuration() {
    let unknown_order = app_for_fixture(3, false).await;
    let other_key = test_app(4).with_alipay();
    let unconfigured = test_app(5);

    for t in [&unknown_order, &other_key, &unconfigured] {
        let response = pay_callback::handle(&t.app, fixture("pay-callback/notify")).await;
        assert_eq!((response.status().as_u16(), body_text(&response).as_str()), (200, "failure"));
        assert!(t.memory.queue.is_empty());
    }
}

#[tokio::test]
async fn an_empty_or_malformed_body_is_failure() {
    let t = app_for_fixture(6, true).await;
    for body in [None, Some(""), Some("%zz=%%"), Some("sign=abc&sign=def"), Some("\u{0}")] {
        let response = pay_callback::handle(&t.app, form_request("POST /pay/notify", "/pay/notify", body)).await;
        assert_eq!(body_text(&response), "failure", "{body:?}");
    }
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn only_forms_are_read() {
    let t = app_for_fixture(7, true).await;
    for content_type in [None, Some("text/plain"), Some("application/json"), Some("multipart/form-data; boundary=x")] {
        let response =
            pay_callback::handle(&t.app, with_content_type(fixture("pay-callback/notify"), content_type)).await;
        assert_eq!(response.status(), 415, "{content_type:?}");
    }
    assert!(t.memory.queue.is_empty());
    let response = pay_callback::handle(&t.app, fixture("pay-callback/notify")).await;
    assert_eq!(body_text(&response), "success", "the same notification as a form is read");
}
