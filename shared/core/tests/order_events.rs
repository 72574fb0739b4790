//! The order consumer's rules: every transition conditional on the current status, so
//! duplicates and reordered messages change nothing, and stock goes back exactly once.

use std::time::Duration;

use luckydraw_core::Error;
use luckydraw_core::domain::{CancelReason, DrawMode, Money, Order, OrderStatus, UserKind};
use luckydraw_core::messages::{CancelRequested, OrderMessage, PaymentReceived, TradeStatus};
use luckydraw_core::usecases::drawing::draw;
use luckydraw_core::usecases::order_events::{Applied, apply};
use luckydraw_testing::{TestApp, activity_spec, prizes, test_app};

/// An app with one activity of 5 cups (¥80) and a player who has won one; the order
/// request is still on the queue.
async fn won_cup(seed: u64) -> (TestApp, OrderMessage) {
    let t = test_app(seed);
    t.add_activity(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 5, 0, 8000)]))).await;
    let session = t.player("alice", UserKind::Normal).await.session;
    draw(&t.app, &session, &"spring".parse().unwrap()).await.unwrap();
    let envelope = t.memory.queue.receive(1).pop().unwrap();
    (t, OrderMessage::from_json(&envelope.body).unwrap())
}

async fn order(t: &TestApp, id: &luckydraw_core::domain::OrderId) -> Order {
    t.app.orders.get(id).await.unwrap().unwrap()
}

async fn cups_left(t: &TestApp) -> u64 {
    t.app.stock.remaining(&"spring".parse().unwrap()).await.unwrap().unwrap()[&"cup".parse().unwrap()]
}

fn cancel(order: &Order, reason: CancelReason, t: &TestApp) -> OrderMessage {
    OrderMessage::CancelRequested(CancelRequested { order_id: order.id, reason, requested_at: t.app.clock.now() })
}

fn payment(order: &Order, trade_no: &str, fen: u64, status: TradeStatus, t: &TestApp) -> OrderMessage {
    OrderMessage::PaymentReceived(PaymentReceived {
        order_id: order.id,
        trade_no: trade_no.into(),
        amount_fen: Money::from_fen(fen),
        trade_status: status,
        received_at: t.app.clock.now(),
    })
}

#[tokio::test]
async fn a_repeated_order_request_creates_one_order() {
    let (t, requested) = won_cup(1).await;
    assert_eq!(apply(&t.app, requested.clone()).await.unwrap(), Applied::Created(OrderStatus::PendingPayment));
    assert_eq!(apply(&t.app, requested.clone()).await.unwrap(), Applied::Unchanged("order already exists"));
    let created = order(&t, &requested.order_id()).await;
    assert_eq!(created.amount_fen, Money::from_fen(8000));
    assert_eq!(t.app.orders.of_user(&created.user_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn giving_up_twice_returns_the_unit_once() {
    let (t, requested) = won_cup(2).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;
    assert_eq!(cups_left(&t).await, 4);

    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::GivenUp, &t)).await.unwrap(),
        Applied::Moved(OrderStatus::Cancelled)
    );
    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::GivenUp, &t)).await.unwrap(),
        Applied::Unchanged("already cancelled")
    );
    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::Expired, &t)).await.unwrap(),
        Applied::Unchanged("already cancelled")
    );

    assert_eq!(cups_left(&t).await, 5);
    assert_eq!(order(&t, &pending.id).await.status, OrderStatus::Cancelled);
}

#[tokio::test]
async fn a_cancel_that_overtakes_its_order_request_fails_until_the_order_exists() {
    let (t, requested) = won_cup(3).await;
    let early = OrderMessage::CancelRequested(CancelRequested {
        order_id: requested.order_id(),
        reason: CancelReason::GivenUp,
        requested_at: t.app.clock.now(),
    });
    assert!(matches!(apply(&t.app, early.clone()).await, Err(Error::NotFound("order"))));
    assert_eq!(cups_left(&t).await, 4, "nothing released for an order that does not exist yet");

    apply(&t.app, requested).await.unwrap();
    assert_eq!(apply(&t.app, early).await.unwrap(), Applied::Moved(OrderStatus::Cancelled));
    assert_eq!(cups_left(&t).await, 5);
}

#[tokio::test]
async fn expiry_waits_for_the_deadline() {
    let (t, requested) = won_cup(4).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;

    t.clock.advance(Duration::from_secs(899));
    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::Expired, &t)).await.unwrap(),
        Applied::Unchanged("not overdue yet")
    );
    t.clock.advance(Duration::from_secs(1));
    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::Expired, &t)).await.unwrap(),
        Applied::Moved(OrderStatus::Expired)
    );
    assert_eq!(cups_left(&t).await, 5);
}

#[tokio::test]
async fn a_payment_is_recorded_once_and_non_payments_change_nothing() {
    let (t, requested) = won_cup(5).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;

    for status in [TradeStatus::WaitBuyerPay, TradeStatus::TradeClosed] {
        assert_eq!(
            apply(&t.app, payment(&pending, "T1", 8000, status, &t)).await.unwrap(),
            Applied::Unchanged("trade not paid")
        );
    }
    assert_eq!(order(&t, &pending.id).await.status, OrderStatus::PendingPayment);

    let paid = payment(&pending, "T1", 8000, TradeStatus::TradeSuccess, &t);
    assert_eq!(apply(&t.app, paid.clone()).await.unwrap(), Applied::Moved(OrderStatus::Paid));
    assert_eq!(apply(&t.app, paid).await.unwrap(), Applied::Unchanged("payment already recorded"));
    let finished = payment(&pending, "T1", 8000, TradeStatus::TradeFinished, &t);
    assert_eq!(apply(&t.app, finished).await.unwrap(), Applied::Unchanged("payment already recorded"));
    assert_eq!(
        apply(&t.app, cancel(&pending, CancelReason::GivenUp, &t)).await.unwrap(),
        Applied::Unchanged("order is no longer pending")
    );

    let stored = order(&t, &pending.id).await;
    assert_eq!((stored.status, stored.trade_no.as_deref()), (OrderStatus::Paid, Some("T1")));
    assert_eq!(cups_left(&t).await, 4, "a paid prize stays sold");
}

#[tokio::test]
async fn a_payment_of_the_wrong_amount_is_refused_without_a_write() {
    let (t, requested) = won_cup(6).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;

    let short = apply(&t.app, payment(&pending, "T1", 7999, TradeStatus::TradeSuccess, &t)).await;

    assert!(matches!(short, Err(Error::InvalidRequest(_))), "{short:?}");
    assert_eq!(order(&t, &pending.id).await, pending);
}

#[tokio::test]
async fn money_for_an_expired_order_goes_back_exactly_once() {
    let (t, requested) = won_cup(7).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;
    t.clock.advance(Duration::from_secs(900));
    apply(&t.app, cancel(&pending, CancelReason::Expired, &t)).await.unwrap();

    let late = payment(&pending, "T9", 8000, TradeStatus::TradeSuccess, &t);
    assert_eq!(apply(&t.app, late.clone()).await.unwrap(), Applied::RefundQueued);
    assert_eq!(apply(&t.app, late.clone()).await.unwrap(), Applied::RefundQueued, "a repeated notify asks again");
    assert_eq!(t.drain_queue().await, 2);
    assert_eq!(apply(&t.app, late).await.unwrap(), Applied::Unchanged("payment already recorded"));

    let stored = order(&t, &pending.id).await;
    assert_eq!((stored.status, stored.trade_no.as_deref()), (OrderStatus::Refunded, Some("T9")));
    let refunds = t.memory.payments.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!((refunds[0].trade_no.as_str(), refunds[0].amount), ("T9", Money::from_fen(8000)));
    assert_eq!(cups_left(&t).await, 5, "the unit went back at expiry and stays back");
}

#[tokio::test]
async fn a_second_trade_for_a_paid_order_is_refunded_and_the_first_stands() {
    let (t, requested) = won_cup(8).await;
    apply(&t.app, requested.clone()).await.unwrap();
    let pending = order(&t, &requested.order_id()).await;
    apply(&t.app, payment(&pending, "T1", 8000, TradeStatus::TradeSuccess, &t)).await.unwrap();

    assert_eq!(
        apply(&t.app, payment(&pending, "T2", 8000, TradeStatus::TradeSuccess, &t)).await.unwrap(),
        Applied::RefundQueued
    );
    t.drain_queue().await;

    let stored = order(&t, &pending.id).await;
    assert_eq!((stored.status, stored.trade_no.as_deref()), (OrderStatus::Paid, Some("T1")));
    let refunded: Vec<_> = t.memory.payments.refunds().into_iter().map(|refund| refund.trade_no).collect();
    assert_eq!(refunded, ["T2"]);
}

#[tokio::test]
async fn a_free_prize_is_fulfilled_at_once() {
    let t = test_app(9);
    t.add_activity(activity_spec("gift", DrawMode::RemainingStock, prizes(&[("sticker", 2, 0, 0)]))).await;
    let session = t.player("bob", UserKind::Normal).await.session;
    let result = draw(&t.app, &session, &"gift".parse().unwrap()).await.unwrap();

    t.drain_queue().await;

    let created = order(&t, &result.order_id.unwrap()).await;
    assert_eq!(created.status, OrderStatus::Fulfilled);
    let give_up = OrderMessage::CancelRequested(CancelRequested {
        order_id: created.id,
        reason: CancelReason::GivenUp,
        requested_at: t.app.clock.now(),
    });
    assert_eq!(apply(&t.app, give_up).await.unwrap(), Applied::Unchanged("order is no longer pending"));
}
