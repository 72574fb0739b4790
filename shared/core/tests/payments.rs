//! Paying for a prize: the pay link, every notification vector of the issue (nothing
//! unverified is queued, nothing verified is lost), expiry on the injected clock, and refunds.

use std::time::Duration;

use luckydraw_adapters::alipay::{Params, PrivateKey, sign_notification};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{DrawMode, Money, Order, OrderId, OrderStatus, UserKind};
use luckydraw_core::messages::{OrderMessage, TradeStatus};
use luckydraw_core::usecases::drawing;
use luckydraw_core::usecases::order_events::{Applied, apply};
use luckydraw_core::usecases::payments::Rejection;
use luckydraw_core::usecases::payments::{expire_overdue, pay_link, receive_notification};
use luckydraw_testing::{
    Player, TEST_APP_ID, TestApp, activity_spec, ledger, notification_params, prizes, signed_notification, test_app,
};

/// An app that trusts the test Alipay key, with one activity of 5 cups at ¥9.90 and a
/// player whose won cup has a pending order.
async fn pending_cup(seed: u64) -> (TestApp, Player, Order) {
    let t = test_app(seed).with_alipay();
    t.add_activity(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 5, 0, 990)]))).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let won = drawing::draw(&t.app, &alice.session, &"spring".parse().unwrap()).await.unwrap();
    t.drain_queue().await;
    let order = t.app.orders.get(&won.order_id.unwrap()).await.unwrap().unwrap();
    (t, alice, order)
}

fn paid(order: &Order, trade_no: &str, amount: &str) -> Params {
    notification_params(&order.id, trade_no, amount, "TRADE_SUCCESS")
}

async fn status(t: &TestApp, order: &Order) -> OrderStatus {
    t.app.orders.get(&order.id).await.unwrap().unwrap().status
}

async fn cups_left(app: &App) -> u64 {
    app.stock.remaining(&"spring".parse().unwrap()).await.unwrap().unwrap()[&"cup".parse().unwrap()]
}

/// Asserts the notification is refused for `reason` and nothing was queued.
async fn refused(t: &TestApp, body: &[u8], reason: &str) {
    let rejection = receive_notification(&t.app, body).await.unwrap_err();
    assert_eq!(rejection.reason(), reason, "{rejection}");
    assert!(t.memory.queue.is_empty(), "a refused notification queues nothing");
}

#[tokio::test]
async fn a_valid_notification_is_queued_and_the_order_becomes_paid() {
    let (t, _, order) = pending_cup(1).await;

    let received = receive_notification(&t.app, signed_notification(paid(&order, "T1", "9.90")).as_bytes()).await;

    let received = received.unwrap();
    assert_eq!((received.order_id, received.amount_fen), (order.id, Money::from_fen(990)));
    assert_eq!((received.trade_no.as_str(), received.trade_status), ("T1", TradeStatus::TradeSuccess));
    assert_eq!(t.memory.queue.len(), 1);
    t.drain_queue().await;
    assert_eq!(status(&t, &order).await, OrderStatus::Paid);
}

#[tokio::test]
async fn tampering_with_any_signed_field_breaks_the_signature() {
    let (t, _, order) = pending_cup(2).await;
    let body = signed_notification(paid(&order, "T1", "9.90"));
    let signed = Params::parse(body.as_bytes()).unwrap();

    for (index, name) in
        ["notify_id", "app_id", "seller_id", "trade_no", "out_trade_no", "trade_status", "total_amount", "subject"]
            .iter()
            .enumerate()
    {
        let original = signed.get(name).unwrap();
        let forged = body.replacen(&format!("{name}={}", form(original)), &format!("{name}={}X", form(original)), 1);
        assert_ne!(forged, body, "{name} was changed (case {index})");
        refused(&t, forged.as_bytes(), "bad_signature").await;
    }
    let added = format!("{body}&refund_fee=9.90");
    refused(&t, added.as_bytes(), "bad_signature").await;
    let repeated = format!("{body}&total_amount=0.01");
    refused(&t, repeated.as_bytes(), "malformed").await;
    assert_eq!(status(&t, &order).await, OrderStatus::PendingPayment);
}

#[tokio::test]
async fn a_tampered_or_foreign_signature_is_refused() {
    let (t, _, order) = pending_cup(3).await;
    let signed = sign_notification(paid(&order, "T1", "9.90"), luckydraw_testing::alipay_key());
    let signature = signed.get("sign").unwrap().to_owned();
    let flipped = format!("{}{}", if signature.starts_with('A') { 'B' } else { 'A' }, &signature[1..]);
    let tampered = signed.encode().replace(&form(&signature), &form(&flipped));
    let wrong_key = sign_notification(paid(&order, "T1", "9.90"), &PrivateKey::generate().unwrap()).encode();
    let unsigned = paid(&order, "T1", "9.90").encode();
    let mut rsa1 = paid(&order, "T1", "9.90");
    rsa1.push("sign_type", "RSA");
    rsa1.push("sign", signature.clone());

    refused(&t, tampered.as_bytes(), "bad_signature").await;
    refused(&t, wrong_key.as_bytes(), "bad_signature").await;
    refused(&t, unsigned.as_bytes(), "unsigned").await;
    refused(&t, rsa1.encode().as_bytes(), "sign_type").await;
    refused(&t, b"", "malformed").await;
}

#[tokio::test]
async fn a_correctly_signed_notification_for_another_app_or_seller_is_refused() {
    let (t, _, order) = pending_cup(4).await;
    let swap = |name: &str, value: &str| {
        let mut params = Params::default();
        let original = paid(&order, "T1", "9.90");
        for field in ["app_id", "seller_id", "trade_no", "out_trade_no", "trade_status", "total_amount"] {
            params.push(field, if field == name { value } else { original.get(field).unwrap() });
        }
        signed_notification(params)
    };

    refused(&t, swap("app_id", "2021999999999999").as_bytes(), "wrong_app").await;
    refused(&t, swap("seller_id", "2088000000000000").as_bytes(), "wrong_seller").await;
    // The control: the same helper with our own ids builds a notification that is accepted,
    // so the refusals above come from the swapped field alone.
    let accepted = receive_notification(&t.app, swap("app_id", TEST_APP_ID).as_bytes()).await;
    assert_eq!(accepted.expect("our own ids are accepted").order_id, order.id);
}

#[tokio::test]
async fn amounts_compare_as_exact_decimals() {
    let (t, _, order) = pending_cup(5).await;

    for amount in ["9.91", "9.89", "990", "0.99"] {
        refused(&t, signed_notification(paid(&order, "T1", amount)).as_bytes(), "wrong_amount").await;
    }
    for amount in ["9.901", "9,90", "9.9e0", "-9.90"] {
        refused(&t, signed_notification(paid(&order, "T1", amount)).as_bytes(), "invalid_field").await;
    }
    for amount in ["9.9", "9.90", "9.900"] {
        receive_notification(&t.app, signed_notification(paid(&order, "T1", amount)).as_bytes()).await.unwrap();
    }
    assert_eq!(t.drain_queue().await, 3);
    assert_eq!(status(&t, &order).await, OrderStatus::Paid);
}

#[tokio::test]
async fn a_notification_for_an_unknown_order_is_refused() {
    let (t, _, _) = pending_cup(6).await;
    let stranger: OrderId = "0190b7e2d3e57c5d8a3f2b2f0c4d6e7f".parse().unwrap();

    let unknown = notification_params(&stranger, "T1", "9.90", "TRADE_SUCCESS");
    refused(&t, signed_notification(unknown).as_bytes(), "unknown_order").await;
    let mut garbage = Params::default();
    for (name, value) in [("app_id", TEST_APP_ID), ("seller_id", luckydraw_testing::TEST_SELLER_ID)] {
        garbage.push(name, value);
    }
    garbage.push("out_trade_no", "../../etc");
    garbage.push("trade_no", "T1");
    garbage.push("total_amount", "9.90");
    garbage.push("trade_status", "TRADE_SUCCESS");
    refused(&t, signed_notification(garbage).as_bytes(), "unknown_order").await;
}

#[tokio::test]
async fn duplicates_late_finishes_and_non_payments_change_nothing() {
    let (t, _, order) = pending_cup(7).await;
    let notify = |status: &str| notification_params(&order.id, "T1", "9.90", status);

    for trade_status in ["WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED"] {
        receive_notification(&t.app, signed_notification(notify(trade_status)).as_bytes()).await.unwrap();
    }
    let mut outcomes = Vec::new();
    for envelope in t.memory.queue.receive(10) {
        outcomes.push(apply(&t.app, OrderMessage::from_json(&envelope.body).unwrap()).await.unwrap());
    }

    assert_eq!(
        outcomes,
        [
            Applied::Unchanged("trade not paid"),
            Applied::Moved(OrderStatus::Paid),
            Applied::Unchanged("payment already recorded"),
            Applied::Unchanged("payment already recorded"),
            Applied::Unchanged("trade not paid"),
        ]
    );
    let stored = t.app.orders.get(&order.id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.trade_no.as_deref()), (OrderStatus::Paid, Some("T1")));
    assert!(t.memory.queue.is_empty() && t.memory.payments.refunds().is_empty());
}

#[tokio::test]
async fn values_with_form_metacharacters_and_chinese_verify() {
    let (t, _, order) = pending_cup(8).await;
    let mut params = paid(&order, "T1", "9.90");
    params.push("passback_params", "a&b=c+d%20e 50% 中文 抽奖");
    params.push("fund_bill_list", r#"[{"amount":"9.90","fundChannel":"ALIPAYACCOUNT"}]"#);
    let body = signed_notification(params);
    assert!(body.contains("a%26b%3Dc%2Bd%2520e+50%25+%E4%B8%AD%E6%96%87"), "{body}");

    receive_notification(&t.app, body.as_bytes()).await.unwrap();
    assert_eq!(t.memory.queue.len(), 1);
}

#[tokio::test]
async fn nothing_is_accepted_without_configuration_or_a_working_queue() {
    let (t, _, order) = pending_cup(9).await;
    let body = signed_notification(paid(&order, "T1", "9.90"));

    t.memory.queue.set_unavailable(true);
    refused(&t, body.as_bytes(), "unavailable").await;
    t.memory.queue.set_unavailable(false);
    let mut unconfigured = t.app.clone();
    unconfigured.notices = None;
    let rejection = receive_notification(&unconfigured, body.as_bytes()).await.unwrap_err();

    assert!(matches!(rejection, Rejection::NotConfigured), "{rejection}");
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn the_pay_link_opens_one_trade_until_the_deadline() {
    let (t, alice, order) = pending_cup(10).await;

    let first = pay_link(&t.app, &alice.session, &order.id, None).await.unwrap();
    t.clock.advance(Duration::from_secs(60));
    let again = pay_link(&t.app, &alice.session, &order.id, None).await.unwrap();

    assert_eq!(first.link, again.link);
    assert_eq!(first.link.expires_at, order.pay_deadline);
    assert_eq!(t.memory.payments.trades_opened(), 1);
    let trade = t.memory.payments.trade(&order.id).unwrap();
    assert_eq!(
        (trade.amount, trade.pay_before, trade.subject.as_str()),
        (Money::from_fen(990), order.pay_deadline, "luckydraw: cup")
    );

    t.clock.advance(Duration::from_secs(840));
    let late = pay_link(&t.app, &alice.session, &order.id, None).await;
    assert!(matches!(late, Err(Error::InvalidState(_))), "{late:?}");
}

#[tokio::test]
async fn only_the_owner_of_a_pending_order_gets_a_pay_link() {
    let (t, _, order) = pending_cup(11).await;
    let mallory = t.player("mallory", UserKind::Normal).await;

    let theirs = pay_link(&t.app, &mallory.session, &order.id, None).await;
    let unknown = pay_link(&t.app, &mallory.session, &"0190b7e2d3e57c5d8a3f2b2f0c4d6e7f".parse().unwrap(), None).await;

    assert!(matches!(theirs, Err(Error::NotFound("order"))), "{theirs:?}");
    assert!(matches!(unknown, Err(Error::NotFound("order"))), "{unknown:?}");
    assert_eq!(t.memory.payments.trades_opened(), 0);
}

#[tokio::test]
async fn a_paid_order_gets_no_pay_link() {
    let (t, alice, order) = pending_cup(12).await;
    receive_notification(&t.app, signed_notification(paid(&order, "T1", "9.90")).as_bytes()).await.unwrap();
    t.drain_queue().await;

    let result = pay_link(&t.app, &alice.session, &order.id, None).await;

    assert!(matches!(&result, Err(Error::InvalidState(message)) if message.contains("paid")), "{result:?}");
}

#[tokio::test]
async fn expiry_waits_for_the_deadline_and_returns_the_unit_exactly_once() {
    let (t, _, order) = pending_cup(13).await;
    let activity = t.app.activities.get(&"spring".parse().unwrap()).await.unwrap().unwrap();

    t.clock.advance(Duration::from_secs(899));
    assert_eq!(expire_overdue(&t.app, 100).await.unwrap(), 0);
    t.clock.advance(Duration::from_secs(1));
    assert_eq!(expire_overdue(&t.app, 100).await.unwrap(), 1);
    assert_eq!(expire_overdue(&t.app, 100).await.unwrap(), 1, "a second sweep before the consumer runs asks again");
    assert_eq!(cups_left(&t.app).await, 4);

    assert_eq!(t.drain_queue().await, 2);
    assert_eq!(status(&t, &order).await, OrderStatus::Expired);
    assert_eq!(cups_left(&t.app).await, 5, "released once although asked twice");
    assert_eq!(expire_overdue(&t.app, 100).await.unwrap(), 0);
    let books = ledger(&t.app, &activity).await;
    assert_eq!((books.initial, books.remaining, books.reserved, books.sold), (5, 5, 0, 0));
}

#[tokio::test]
async fn a_payment_processed_before_the_expiry_stands() {
    let (t, _, order) = pending_cup(14).await;
    receive_notification(&t.app, signed_notification(paid(&order, "T1", "9.90")).as_bytes()).await.unwrap();
    t.clock.advance(Duration::from_secs(900));
    // The deadline passes while the payment is still on the queue: the sweep sees a pending order.
    assert_eq!(expire_overdue(&t.app, 100).await.unwrap(), 1);

    t.drain_queue().await;

    assert_eq!(status(&t, &order).await, OrderStatus::Paid);
    assert_eq!(cups_left(&t.app).await, 4, "a paid cup stays sold");
    assert!(t.memory.payments.refunds().is_empty());
}

#[tokio::test]
async fn a_payment_that_arrives_after_the_expiry_is_refunded_once_with_a_stable_request_number() {
    let (t, _, order) = pending_cup(15).await;
    t.clock.advance(Duration::from_secs(900));
    expire_overdue(&t.app, 100).await.unwrap();
    t.drain_queue().await;
    let late = signed_notification(paid(&order, "T9", "9.90"));

    for _ in 0..3 {
        receive_notification(&t.app, late.as_bytes()).await.unwrap();
    }
    t.drain_queue().await;

    let stored = t.app.orders.get(&order.id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.trade_no.as_deref()), (OrderStatus::Refunded, Some("T9")));
    let refunds = t.memory.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].request_no, format!("{}-full", order.id));
    assert_eq!((refunds[0].trade_no.as_str(), refunds[0].amount), ("T9", Money::from_fen(990)));
    assert_eq!(cups_left(&t.app).await, 5, "the unit went back at expiry and stays back");
}

/// `value` as it appears in a form body.
fn form(value: &str) -> String {
    let mut params = Params::default();
    params.push("x", value);
    params.encode()["x=".len()..].to_owned()
}
