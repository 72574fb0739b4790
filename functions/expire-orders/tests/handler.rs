//! The expiry sweep driven by `events/expire-orders/schedule.json` (an EventBridge scheduled event).

use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use luckydraw_core::domain::{DrawMode, OrderStatus, UserKind};
use luckydraw_core::usecases::drawing;
use luckydraw_testing::{activity_spec, event_text, prizes, test_app};

fn scheduled() -> EventBridgeEvent {
    serde_json::from_str(&event_text("expire-orders/schedule"))
        .expect("events/expire-orders/schedule.json is an EventBridge event")
}

#[tokio::test]
async fn overdue_orders_are_expired_once_and_their_units_return() {
    let t = test_app(1);
    t.add_activity(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 3, 0, 8000)]))).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let won = drawing::draw(&t.app, &alice.session, &"spring".parse().unwrap()).await.unwrap();
    t.drain_queue().await;

    let early = expire_orders::handle(&t.app, scheduled()).await.unwrap();
    t.clock.advance(Duration::from_secs(900));
    let due = expire_orders::handle(&t.app, scheduled()).await.unwrap();
    let again = expire_orders::handle(&t.app, scheduled()).await.unwrap();
    t.drain_queue().await;
    let after = expire_orders::handle(&t.app, scheduled()).await.unwrap();

    let counts = [early, due, again, after].map(|swept| swept.expiry_requested);
    assert_eq!(counts, [0, 1, 1, 0]);
    let order = t.app.orders.get(&won.order_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Expired);
    let left = t.app.stock.remaining(&"spring".parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(left[&"cup".parse().unwrap()], 3);
}

#[tokio::test]
async fn the_sweep_fails_when_the_queue_is_down_so_the_schedule_retries() {
    let t = test_app(2);
    t.add_activity(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 3, 0, 8000)]))).await;
    let alice = t.player("alice", UserKind::Normal).await;
    drawing::draw(&t.app, &alice.session, &"spring".parse().unwrap()).await.unwrap();
    t.drain_queue().await;
    t.clock.advance(Duration::from_secs(901));
    t.memory.queue.set_unavailable(true);

    assert!(expire_orders::handle(&t.app, scheduled()).await.is_err());
}
