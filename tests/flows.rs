//! Whole flows over HTTP through the local runner: the same handlers Lambda runs. The
//! player's round runs on the in-memory backends and on the real ones (DynamoDB records,
//! Redis stock and sessions, the SQS queue).

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;

/// Register → log in → win → the order arrives through the queue → give up → cancelled,
/// the unit back in the stock, and the order in the user's list.
async fn register_login_draw_order_give_up_returns_the_prize_to_the_pool(server: &TestServer) {
    server.register("alice", "wonderland").await;
    let (status, login) = server.login("alice", "wonderland").await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["token"].as_str().unwrap();

    // The demo is mostly priced prizes.
    let draw = server.win_priced_prize(token, "demo").await;
    let prize = draw["prize"]["id"].as_str().unwrap();
    let order_id = draw["order_id"].as_str().unwrap();
    let (status, _) = server.order(token, order_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the order is still queued");

    assert!(server.drain().await >= 1, "the consumer got the order request");
    let (_, order) = server.order(token, order_id).await;
    assert_eq!(order["status"], "pending_payment", "{order}");
    assert_eq!(order["amount_fen"], draw["prize"]["price_fen"]);
    let before = server.remaining("demo", prize).await;

    let (status, _) = server.give_up(token, order_id).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(server.drain().await, 1);

    let (_, order) = server.order(token, order_id).await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(server.remaining("demo", prize).await, before + 1, "the unit went back to the stock");
    let (_, orders) = server.call("GET", "/orders", Some(token), None).await;
    assert_eq!(orders["orders"][0]["id"], order_id, "the user's orders, newest first");
}

/// On a queued activity a press takes a ticket (202, the same one when pressed again); the
/// draw worker, woken through the draw queue, draws it; the result then reads like an instant
/// draw's, and a win's order arrives through the order queue.
async fn a_queued_press_is_drawn_by_the_worker(server: &TestServer) {
    let token = server.register("queuer", "first-in-line").await;
    let (status, ticket) = server.draw(&token, "queue-demo").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{ticket}");
    assert_eq!((ticket["status"].as_str(), ticket["position"].as_u64()), (Some("queued"), Some(0)), "{ticket}");
    let draw_id = ticket["draw_id"].as_str().unwrap();
    let (_, again) = server.draw(&token, "queue-demo").await;
    assert_eq!(again["draw_id"], draw_id, "a second press answers the same ticket");
    let (_, waiting) = server.call("GET", &format!("/draws/{draw_id}"), Some(&token), None).await;
    assert_eq!(waiting["status"], "queued", "{waiting}");

    assert!(server.serve_tickets().await >= 1, "the worker was woken through the draw queue");
    let (status, drawn) = server.call("GET", &format!("/draws/{draw_id}"), Some(&token), None).await;
    assert_eq!((status, drawn["status"].as_str()), (StatusCode::OK, Some("drawn")), "{drawn}");
    assert_eq!(drawn["draw_id"], draw_id);
    server.drain().await;
    if let Some(order_id) = drawn["order_id"].as_str() {
        let (status, order) = server.order(&token, order_id).await;
        assert_eq!(status, StatusCode::OK, "the won ticket's order arrived: {order}");
    }
}

crate::every_flow_on!(
    [register_login_draw_order_give_up_returns_the_prize_to_the_pool, a_queued_press_is_drawn_by_the_worker],
    in_memory => crate::harness::TestServer::spawn,
    on_real_backends => crate::harness::TestServer::spawn_on_real_backends,
);

#[tokio::test]
async fn the_demo_is_seeded_with_6500_units_in_wheel_order_times_the_scale() {
    let server = TestServer::spawn(3).await;
    let demo = server.activity("demo").await;

    let prizes = demo["prizes"].as_array().unwrap();
    let names: Vec<&str> = prizes.iter().map(|p| p["name"].as_str().unwrap()).collect();
    let total: u64 = prizes.iter().map(|p| p["remaining"].as_u64().unwrap()).sum();
    assert_eq!(names, ["Thank you", "Basketball", "Cup", "Laptop", "Tablet", "Phone", "Pot", "Tea", "Drone", "Wine"]);
    assert_eq!(total, 3 * 6500);
    assert_eq!((demo["status"].as_str(), demo["draw_mode"].as_str()), (Some("online"), Some("remaining_stock")));
    assert_eq!(demo["pay_window_secs"], 900);
    assert_eq!(prizes[3]["price_fen"], 600_000, "the laptop costs ¥6000");
}

#[tokio::test]
async fn the_seeded_accounts_log_in_and_the_cookie_authenticates() {
    let server = TestServer::spawn(1).await;
    let (player, body) = server.login("player", "luckydraw").await;
    let (admin, admin_body) = server.login("admin", "admin-password").await;
    assert_eq!((player, admin), (StatusCode::OK, StatusCode::OK));
    assert_eq!(admin_body["user"]["kind"], "admin");

    let token = body["token"].as_str().unwrap();
    let cookie_draw = reqwest::Client::new()
        .post(format!("{}/activities/demo/draw", server.running.url()))
        .header("cookie", format!("theme=dark; session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(cookie_draw.status(), StatusCode::OK);
}

#[tokio::test]
async fn errors_come_back_in_the_contract_shape() {
    let server = TestServer::spawn(1).await;
    let (status, body) = server.call("POST", "/activities/demo/draw", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"error": {"code": "unauthenticated", "message": "log in first"}}));

    let (status, body) = server.call("POST", "/login", None, Some(json!({"username": "player"}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));

    let (status, _) = server.call("DELETE", "/orders", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_and_its_wheel_library_are_served_locally() {
    let server = TestServer::spawn(1).await;
    let page = reqwest::get(server.running.url()).await.unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("vendor/lucky-canvas.umd.js"));
    let library = reqwest::get(format!("{}/vendor/lucky-canvas.umd.js", server.running.url())).await.unwrap();
    assert_eq!(library.status(), StatusCode::OK);
    assert!(library.text().await.unwrap().contains("LuckyWheel"));
    let escape = reqwest::get(format!("{}/..%2f..%2fCargo.toml", server.running.url())).await.unwrap();
    assert_eq!(escape.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_runner_serves_the_page_and_the_openapi_description_but_not_the_repository() {
    let server = TestServer::spawn(1).await;
    for path in ["/package.json", "/package-lock.json", "/e2e/harness.mjs", "/test/api.test.mjs", "/scripts/vendor.mjs"]
    {
        let response = reqwest::get(format!("{}{path}", server.running.url())).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let description = reqwest::get(format!("{}/openapi.json", server.running.url())).await.unwrap();
    assert_eq!(description.status(), StatusCode::OK);
    assert_eq!(description.headers()["content-type"], "application/json");
    let description: serde_json::Value = description.json().await.unwrap();
    assert_eq!(description["openapi"], "3.1.0");
    assert!(description["paths"]["/activities/{id}/draw"]["post"].is_object());
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_head_is_dropped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let timeout = luckydraw_local::server::HEADER_READ_TIMEOUT;
    let server = TestServer::spawn(1).await;
    let mut slow = tokio::net::TcpStream::connect(server.running.addr).await.unwrap();
    slow.write_all(b"GET /activities HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let started = std::time::Instant::now();

    let (status, _) = server.call("GET", "/activities", None, None).await;
    assert_eq!(status, StatusCode::OK, "other clients are served meanwhile");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(timeout * 2, slow.read_to_end(&mut rest)).await;

    assert!(closed.is_ok(), "the half-sent request was still open after {:?}", timeout * 2);
    assert!(started.elapsed() >= timeout - std::time::Duration::from_millis(500), "dropped too early");
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"), "it was not answered");
}
