//! The cap on a player's unpaid priced prizes: the draw answers `UnpaidLimit` at the cap,
//! and paying (through the consumer) or giving up frees a slot; free prizes never count.

use luckydraw_core::Error;
use luckydraw_core::domain::{DrawMode, Money, OrderStatus, UserKind};
use luckydraw_core::messages::{OrderMessage, PaymentReceived, TradeStatus};
use luckydraw_core::usecases::drawing::draw;
use luckydraw_core::usecases::order_events::{Applied, apply};
use luckydraw_core::usecases::queries::give_up;
use luckydraw_testing::{TestApp, activity_spec, prizes, test_app};

/// An app with plenty of ¥80 cups under the default cap of 3, and a player.
async fn cups(seed: u64, cup_price: u64) -> (TestApp, luckydraw_core::domain::Session) {
    let t = test_app(seed);
    let spec = activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 100, 0, cup_price)]));
    assert_eq!(spec.max_unpaid_per_user, 3, "the default");
    t.add_activity(spec).await;
    let session = t.player("alice", UserKind::Normal).await.session;
    (t, session)
}

#[tokio::test]
async fn the_draw_answers_unpaid_limit_until_a_prize_is_paid() {
    let (t, session) = cups(1, 8000).await;
    let spring = "spring".parse().unwrap();
    let mut won = Vec::new();
    for _ in 0..3 {
        won.push(draw(&t.app, &session, &spring).await.unwrap());
    }
    let refused = draw(&t.app, &session, &spring).await;
    assert!(matches!(refused, Err(Error::UnpaidLimit)), "{refused:?}");
    assert_eq!(Error::UnpaidLimit.code(), "unpaid_limit");
    t.drain_queue().await;
    let order_id = won[0].order_id.expect("a won prize has an order");
    let paid = OrderMessage::PaymentReceived(PaymentReceived {
        order_id,
        trade_no: "T1".into(),
        amount_fen: Money::from_fen(8000),
        trade_status: TradeStatus::TradeSuccess,
        received_at: t.app.clock.now(),
    });
    assert_eq!(apply(&t.app, paid.clone()).await.unwrap(), Applied::Moved(OrderStatus::Paid));
    assert_eq!(apply(&t.app, paid).await.unwrap(), Applied::Unchanged("payment already recorded"));
    draw(&t.app, &session, &spring).await.expect("paying freed one slot");
    let refused = draw(&t.app, &session, &spring).await;
    assert!(matches!(refused, Err(Error::UnpaidLimit)), "and only one, even with the payment redelivered");
}

#[tokio::test]
async fn a_payment_redelivered_after_a_lost_hold_end_frees_the_slot() {
    let (t, session) = cups(2, 8000).await;
    let spring = "spring".parse().unwrap();
    let first = draw(&t.app, &session, &spring).await.unwrap();
    for _ in 0..2 {
        draw(&t.app, &session, &spring).await.unwrap();
    }
    t.drain_queue().await;
    // The order moved to paid, then the consumer died before ending the hold.
    let order = t.app.orders.get(&first.order_id.unwrap()).await.unwrap().unwrap();
    let paid = luckydraw_core::domain::Order {
        trade_no: Some("T9".into()),
        ..order.moved_to(OrderStatus::Paid, t.app.clock.now())
    };
    assert!(t.app.orders.update(&paid, OrderStatus::PendingPayment).await.unwrap());
    assert!(matches!(draw(&t.app, &session, &spring).await, Err(Error::UnpaidLimit)));
    let again = OrderMessage::PaymentReceived(PaymentReceived {
        order_id: order.id,
        trade_no: "T9".into(),
        amount_fen: Money::from_fen(8000),
        trade_status: TradeStatus::TradeSuccess,
        received_at: t.app.clock.now(),
    });
    assert_eq!(apply(&t.app, again).await.unwrap(), Applied::Unchanged("payment already recorded"));
    draw(&t.app, &session, &spring).await.expect("the redelivery ended the hold");
}

#[tokio::test]
async fn giving_up_frees_a_slot() {
    let (t, session) = cups(3, 8000).await;
    let spring = "spring".parse().unwrap();
    let first = draw(&t.app, &session, &spring).await.unwrap();
    for _ in 0..2 {
        draw(&t.app, &session, &spring).await.unwrap();
    }
    t.drain_queue().await;
    assert!(matches!(draw(&t.app, &session, &spring).await, Err(Error::UnpaidLimit)));
    give_up(&t.app, &session, &first.order_id.unwrap()).await.unwrap();
    t.drain_queue().await;
    draw(&t.app, &session, &spring).await.expect("giving up freed a slot");
    assert!(matches!(draw(&t.app, &session, &spring).await, Err(Error::UnpaidLimit)));
}

#[tokio::test]
async fn free_prizes_never_count() {
    let (t, session) = cups(4, 0).await;
    let spring = "spring".parse().unwrap();
    for _ in 0..10 {
        draw(&t.app, &session, &spring).await.expect("a free prize holds nothing unpaid");
    }
}
