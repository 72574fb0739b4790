//! Invariants under a storm: 2,000 concurrent draws on 100 units through the draw
//! function's handler, with each stock store: memory, Redis (the Lua script) and DynamoDB
//! (transactions over 4 shards on moto).

use std::sync::Arc;

use luckydraw_core::domain::{CancelReason, DrawMode, Money, OrderStatus, UserKind};
use luckydraw_core::messages::{CancelRequested, OrderMessage, PaymentReceived, TradeStatus};
use luckydraw_core::usecases::order_events::apply;
use luckydraw_testing::{Ledger, TestStock, activity_spec, json_of, ledger, prizes, request, test_app_with_stock};

/// The memory store is atomic by construction (one mutex around the whole draw), so this
/// cannot catch a race in a store; it checks the storm's bookkeeping end to end (handler,
/// queue, payments, give-ups, ledger). The Redis and DynamoDB storms are the race tests.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_2000_draws_on_100_units_balances_the_ledger_in_memory() {
    storm(TestStock::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_concurrent_draws_on_100_units_win_exactly_100_on_redis() {
    storm(TestStock::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_concurrent_draws_on_100_units_win_exactly_100_on_dynamodb_with_4_shards() {
    storm(TestStock::DynamoDb { shards: 4 }).await;
}

/// 2,000 players draw at once on 100 units: exactly 100 win; then 30 pay and 20 give up,
/// every message delivered twice, and the ledger balances.
async fn storm(stock: TestStock) {
    let t = test_app_with_stock(2000, stock).await;
    let activity =
        t.add_activity(activity_spec("storm", DrawMode::RemainingStock, prizes(&[("cup", 100, 0, 8000)]))).await;
    let mut tokens = Vec::new();
    for index in 0..2000 {
        tokens.push(t.player(&format!("player{index}"), UserKind::Normal).await.token);
    }
    let app = Arc::new(t.app.clone());

    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let app = app.clone();
            tokio::spawn(async move {
                let draw = request(
                    "POST /activities/{id}/draw",
                    "/activities/storm/draw",
                    &[("id", "storm")],
                    None,
                    Some(&token),
                );
                json_of(draw::handle(&app, draw).await)
            })
        })
        .collect();
    let mut won = Vec::new();
    let mut sold_out = 0;
    for task in tasks {
        match task.await.unwrap() {
            (200, body) => won.push(body),
            (409, body) if body["error"]["code"] == "sold_out" => sold_out += 1,
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }

    assert_eq!(won.len(), 100, "exactly the stock is won");
    assert_eq!(sold_out, 1900);
    assert!(won.iter().all(|body| body["won"] == true));
    assert_eq!(t.drain_queue().await, 100);
    assert_eq!(ledger(&t.app, &activity).await, Ledger { initial: 100, remaining: 0, reserved: 100, sold: 0 });

    // Pay 30, give up 20: those 20 go back; the rest stay reserved.
    let orders: Vec<_> = won.iter().map(|body| body["order_id"].as_str().unwrap().parse().unwrap()).collect();
    for (index, order_id) in orders.iter().enumerate().take(50) {
        let message = if index < 30 {
            OrderMessage::PaymentReceived(PaymentReceived {
                order_id: *order_id,
                trade_no: format!("T{index}"),
                amount_fen: Money::from_fen(8000),
                trade_status: TradeStatus::TradeSuccess,
                received_at: t.app.clock.now(),
            })
        } else {
            OrderMessage::CancelRequested(CancelRequested {
                order_id: *order_id,
                reason: CancelReason::GivenUp,
                requested_at: t.app.clock.now(),
            })
        };
        apply(&t.app, message.clone()).await.unwrap();
        apply(&t.app, message).await.unwrap();
    }

    let after = ledger(&t.app, &activity).await;
    assert_eq!(after, Ledger { initial: 100, remaining: 20, reserved: 50, sold: 30 });
    assert_eq!(after.initial, after.remaining + after.reserved + after.sold);
    let statuses: Vec<_> = order_statuses(&t.app, &orders).await;
    assert_eq!(statuses.iter().filter(|status| **status == OrderStatus::Cancelled).count(), 20);
}

async fn order_statuses(app: &luckydraw_core::App, orders: &[luckydraw_core::domain::OrderId]) -> Vec<OrderStatus> {
    let mut statuses = Vec::new();
    for id in orders {
        statuses.push(app.orders.get(id).await.unwrap().unwrap().status);
    }
    statuses
}
