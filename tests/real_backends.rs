//! The whole flow over HTTP through the local runner on the real backends:
//! DynamoDB records, Redis stock and sessions (the test Redis), and the SQS order queue
//! (moto), fed to the order consumer by the runner's poller.

use luckydraw_tests::TestServer;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_draw_order_give_up_works_on_dynamodb_redis_and_sqs() {
    let server = TestServer::spawn_on_real_backends(1).await;
    let token = server.register("alice", "wonderland").await;
    let (status, login) = server.login("alice", "wonderland").await;
    assert_eq!(status, StatusCode::OK, "{login}");

    let draw = server.win_priced_prize(&token, "demo").await;
    let prize = draw["prize"]["id"].as_str().unwrap();
    let order_id = draw["order_id"].as_str().unwrap();
    let (status, _) = server.order(&token, order_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the order request is still on the SQS queue");

    assert!(server.drain().await >= 1, "the poller delivered the order request");
    let (_, order) = server.order(&token, order_id).await;
    assert_eq!(order["status"], "pending_payment", "{order}");
    let before = server.remaining("demo", prize).await;

    let (status, _) = server.give_up(&token, order_id).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(server.drain().await, 1);
    let (_, order) = server.order(&token, order_id).await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(server.remaining("demo", prize).await, before + 1, "the unit went back to Redis");
    let (_, orders) = server.call("GET", "/orders", Some(&token), None).await;
    assert_eq!(orders["orders"][0]["id"], order_id, "the user's orders index on DynamoDB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeded_demo_lives_in_the_real_stores() {
    let server = TestServer::spawn_on_real_backends(2).await;
    let demo = server.activity("demo").await;
    let total: u64 = demo["prizes"].as_array().unwrap().iter().map(|p| p["remaining"].as_u64().unwrap()).sum();
    assert_eq!(total, 2 * 6500);
    let (status, body) = server.login("player", "luckydraw").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = server.login("player", "wrong-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
