//! Paying over HTTP through the local runner and its sandbox Alipay: the same handlers
//! Lambda runs, the real gateway client, RSA2 on every hop. Each flow takes the server as a
//! parameter and runs twice: on the in-memory backends, and on the real ones (DynamoDB
//! records, Redis stock, sessions and pay links, the SQS queue: the test Redis and moto).

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use std::time::Duration;

use harness::TestServer;
use luckydraw_adapters::alipay::{PrivateKey, sign_notification};
use luckydraw_core::domain::Money;
use luckydraw_local::sandbox::Sandbox;
use luckydraw_testing::notification_params;
use reqwest::StatusCode;
use serde_json::Value;

/// A logged-in player with a pending order for a priced prize: (token, order id, draw).
async fn pending_order(server: &TestServer, name: &str) -> (String, String, Value) {
    let token = server.register(name, "wonderland").await;
    let draw = server.win_priced_prize(&token, "demo").await;
    server.drain().await;
    let order_id = draw["order_id"].as_str().unwrap().to_owned();
    let (_, order) = server.order(&token, &order_id).await;
    assert_eq!(order["status"], "pending_payment");
    (token, order_id, draw)
}

fn sandbox(server: &TestServer) -> &Sandbox {
    server.running.sandbox.as_deref().expect("the test server pays through the sandbox")
}

/// Win → pay link → sandbox confirm page → confirm → signed notify → `paid`.
async fn a_player_wins_pays_and_sees_paid(server: &TestServer) {
    let (token, order_id, draw) = pending_order(server, "alice").await;

    let (status, link) = server.pay(&token, &order_id).await;
    let (_, again) = server.pay(&token, &order_id).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert_eq!(link, again, "a second click reuses the trade");
    assert_eq!((link["out_trade_no"].as_str(), link["order_id"].as_str()), (Some(&*order_id), Some(&*order_id)));
    let pay_url = link["pay_url"].as_str().unwrap();
    assert!(pay_url.starts_with(&format!("{}/sandbox/alipay/pay/", server.running.url())), "{pay_url}");
    assert_eq!(sandbox(server).trade(&order_id).unwrap().precreates, 1);

    let (status, page) = server.page("GET", pay_url, None).await;
    assert_eq!(status, StatusCode::OK);
    let price = Money::from_fen(draw["prize"]["price_fen"].as_u64().unwrap()).to_string();
    assert!(page.contains("Confirm payment") && page.contains(&price), "{page}");
    let (_, confirmed) = server.page("POST", pay_url, Some("")).await;
    assert!(confirmed.contains("The shop answered <code>success</code>"), "{confirmed}");

    server.drain().await;
    let (_, order) = server.order(&token, &order_id).await;
    let trade = sandbox(server).trade(&order_id).unwrap();
    assert_eq!(order["status"], "paid");
    assert_eq!(order["trade_no"].as_str(), trade.trade_no.as_deref());
    let (status, body) = server.pay(&token, &order_id).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_state")));
}

/// No payment before the deadline: the sweep expires the order, its unit returns once, and
/// the sandbox no longer takes the money.
async fn an_unpaid_order_expires_and_its_unit_returns_once(server: &TestServer) {
    let (token, order_id, draw) = pending_order(server, "bob").await;
    let prize = draw["prize"]["id"].as_str().unwrap();
    let (_, link) = server.pay(&token, &order_id).await;
    let before = server.remaining("demo", prize).await;

    server.clock.advance(Duration::from_secs(899));
    assert_eq!(server.running.expire_orders().await, 0);
    server.clock.advance(Duration::from_secs(1));
    assert_eq!(server.running.expire_orders().await, 1);
    assert_eq!(server.running.expire_orders().await, 1, "asked again before the consumer ran");
    server.drain().await;

    let (_, order) = server.order(&token, &order_id).await;
    assert_eq!(order["status"], "expired");
    assert_eq!(server.remaining("demo", prize).await, before + 1, "one unit back, not two");
    let (_, refused) = server.page("POST", link["pay_url"].as_str().unwrap(), Some("")).await;
    assert!(refused.contains("Not paid: the trade is closed"), "{refused}");
    let (status, _) = server.pay(&token, &order_id).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// Paid in time, but the shop could not take the notification until after the deadline:
/// the order expired meanwhile, so the money goes back through the gateway, once.
async fn a_payment_notified_after_expiry_is_refunded_once(server: &TestServer) {
    let (token, order_id, _) = pending_order(server, "carol").await;
    server.pay(&token, &order_id).await;
    server.set_queue_down(true);
    assert_eq!(sandbox(server).confirm(&order_id).await.unwrap(), "failure", "the queue is down: Alipay will retry");
    server.set_queue_down(false);

    server.clock.advance(Duration::from_secs(900));
    server.running.expire_orders().await;
    server.drain().await;
    assert_eq!(sandbox(server).notify(&order_id).await.unwrap(), "success");
    server.drain().await;
    assert_eq!(sandbox(server).notify(&order_id).await.unwrap(), "success", "Alipay repeats itself");
    server.drain().await;

    let (_, order) = server.order(&token, &order_id).await;
    let trade_no = sandbox(server).trade(&order_id).unwrap().trade_no.unwrap();
    assert_eq!((order["status"].as_str(), order["trade_no"].as_str()), (Some("refunded"), Some(&*trade_no)));
    let refunds = sandbox(server).refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(
        (refunds[0].trade_no.as_str(), refunds[0].out_request_no.clone()),
        (&*trade_no, format!("{order_id}-full"))
    );
    assert_eq!(refunds[0].amount.fen(), order["amount_fen"].as_u64().unwrap());
}

/// A notification not signed by the sandbox's Alipay key is refused and changes nothing.
async fn a_forged_notification_is_failure(server: &TestServer) {
    let (token, order_id, draw) = pending_order(server, "dave").await;
    let amount = Money::from_fen(draw["prize"]["price_fen"].as_u64().unwrap()).to_yuan_string();
    let forged = sign_notification(
        notification_params(&order_id.parse().unwrap(), "T1", &amount, "TRADE_SUCCESS"),
        &PrivateKey::generate().unwrap(),
    );

    let (status, answer) = server.page("POST", "/pay/notify", Some(&forged.encode())).await;
    let (_, empty) = server.page("POST", "/pay/notify", Some("")).await;

    assert_eq!((status, answer.as_str(), empty.as_str()), (StatusCode::OK, "failure", "failure"));
    assert_eq!(server.drain().await, 0);
    let (_, order) = server.order(&token, &order_id).await;
    assert_eq!(order["status"], "pending_payment");
}

crate::every_flow_on!(
    [
        a_player_wins_pays_and_sees_paid,
        an_unpaid_order_expires_and_its_unit_returns_once,
        a_payment_notified_after_expiry_is_refunded_once,
        a_forged_notification_is_failure,
    ],
    in_memory => crate::harness::TestServer::spawn,
    on_real_backends => crate::harness::TestServer::spawn_on_real_backends,
);
