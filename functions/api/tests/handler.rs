//! The player API driven by API Gateway events, starting from `events/api/get-activity.json`.

use luckydraw_core::domain::{ActivityStatus, DrawMode, UserKind};
use luckydraw_core::usecases::drawing;
use luckydraw_testing::{Player, TestApp, activity_spec, fixture, json_of, prizes, request, test_app};
use serde_json::Value;

async fn demo(seed: u64) -> TestApp {
    let t = test_app(seed);
    let wheel = prizes(&[("thanks", 0, 0, 0), ("cup", 2, 0, 8000), ("tea", 0, 0, 9000)]);
    t.add_activity(activity_spec("demo", DrawMode::RemainingStock, wheel)).await;
    t
}

async fn get(t: &TestApp, route: &str, path: &str, params: &[(&str, &str)], player: Option<&Player>) -> (u16, Value) {
    json_of(api::handle(&t.app, request(route, path, params, None, player.map(|p| &p.token))).await)
}

/// Draws a cup for `player`; returns (draw id, order id).
async fn win_cup(t: &TestApp, player: &Player) -> (String, String) {
    let result = drawing::draw(&t.app, &player.session, &"demo".parse().unwrap()).await.unwrap();
    (result.record.id.to_string(), result.order_id.unwrap().to_string())
}

#[tokio::test]
async fn the_activity_event_lists_prizes_in_wheel_order_with_what_is_left() {
    let t = demo(1).await;

    let (status, body) = json_of(api::handle(&t.app, fixture("api/get-activity")).await);

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["draw_mode"], "remaining_stock");
    assert_eq!(body["status"], "online");
    assert_eq!(body["starts_at"], "2026-11-21T08:00:00Z");
    let prizes: Vec<(&str, u64, u64)> = body["prizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["wheel_index"].as_u64().unwrap(), p["remaining"].as_u64().unwrap()))
        .collect();
    assert_eq!(prizes, [("thanks", 0, 0), ("cup", 1, 2), ("tea", 2, 0)]);
}

#[tokio::test]
async fn drafts_are_invisible_to_players() {
    let t = demo(2).await;
    let mut draft = activity_spec("secret", DrawMode::RemainingStock, prizes(&[("cup", 1, 0, 1)]));
    draft.status = ActivityStatus::Draft;
    t.add_activity(draft).await;

    let (_, list) = get(&t, "GET /activities", "/activities", &[], None).await;
    let (status, _) = get(&t, "GET /activities/{id}", "/activities/secret", &[("id", "secret")], None).await;

    let ids: Vec<&str> = list["activities"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["demo"]);
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_draw_is_queued_until_the_consumer_creates_its_order() {
    let t = demo(3).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let (draw_id, order_id) = win_cup(&t, &alice).await;
    let params = [("id", draw_id.as_str())];

    let (_, queued) = get(&t, "GET /draws/{id}", "/draws/x", &params, Some(&alice)).await;
    t.drain_queue().await;
    let (_, created) = get(&t, "GET /draws/{id}", "/draws/x", &params, Some(&alice)).await;

    assert_eq!(queued["order_status"], "queued");
    assert_eq!(queued["order_id"], order_id.as_str());
    assert_eq!(created["order_status"], "pending_payment");
    assert_eq!(created["order"]["amount_fen"], 8000);
}

#[tokio::test]
async fn other_peoples_draws_and_orders_are_not_found() {
    let t = demo(4).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let mallory = t.player("mallory", UserKind::Normal).await;
    let (draw_id, order_id) = win_cup(&t, &alice).await;
    t.drain_queue().await;

    let (draw_status, _) = get(&t, "GET /draws/{id}", "/draws/x", &[("id", &draw_id)], Some(&mallory)).await;
    let (order_status, _) = get(&t, "GET /orders/{id}", "/orders/x", &[("id", &order_id)], Some(&mallory)).await;
    let (_, listed) = get(&t, "GET /orders", "/orders", &[], Some(&mallory)).await;
    let giveup =
        request("POST /orders/{id}/giveup", "/orders/x/giveup", &[("id", &order_id)], None, Some(&mallory.token));
    let (giveup_status, _) = json_of(api::handle(&t.app, giveup).await);

    assert_eq!((draw_status, order_status, giveup_status), (404, 404, 404));
    assert_eq!(listed["orders"], serde_json::json!([]));
    assert!(t.memory.queue.is_empty(), "nothing was asked of the consumer");
}

#[tokio::test]
async fn orders_need_a_session_and_malformed_ids_are_400() {
    let t = demo(5).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let (anonymous, body) = get(&t, "GET /orders", "/orders", &[], None).await;
    let (malformed, _) = get(&t, "GET /orders/{id}", "/orders/x", &[("id", "not-an-order")], Some(&alice)).await;
    let (bad_draw, _) = get(&t, "GET /draws/{id}", "/draws/x", &[("id", "demo")], Some(&alice)).await;
    assert_eq!((anonymous, body["error"]["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!((malformed, bad_draw), (400, 400));
}

#[tokio::test]
async fn giving_up_returns_the_unit_exactly_once() {
    let t = demo(6).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let (_, order_id) = win_cup(&t, &alice).await;
    t.drain_queue().await;
    let giveup =
        || request("POST /orders/{id}/giveup", "/orders/x/giveup", &[("id", &order_id)], None, Some(&alice.token));

    let (first, accepted) = json_of(api::handle(&t.app, giveup()).await);
    let (second, _) = json_of(api::handle(&t.app, giveup()).await);
    assert_eq!((first, accepted["cancel_requested"].as_bool()), (202, Some(true)));
    assert_eq!(second, 202, "still pending until the consumer runs: asking twice is accepted");
    assert_eq!(t.drain_queue().await, 2);
    let (third, refused) = json_of(api::handle(&t.app, giveup()).await);

    let (_, order) = get(&t, "GET /orders/{id}", "/orders/x", &[("id", &order_id)], Some(&alice)).await;
    let (_, activity) = json_of(api::handle(&t.app, fixture("api/get-activity")).await);
    assert_eq!(order["status"], "cancelled");
    assert_eq!(activity["prizes"][1]["remaining"], 2, "one unit back, not two");
    assert_eq!((third, refused["error"]["code"].as_str()), (409, Some("invalid_state")));
}

#[tokio::test]
async fn orders_are_listed_newest_first() {
    let t = demo(7).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let (_, first) = win_cup(&t, &alice).await;
    t.clock.advance(std::time::Duration::from_secs(1));
    let (_, second) = win_cup(&t, &alice).await;
    t.drain_queue().await;

    let (_, body) = get(&t, "GET /orders", "/orders", &[], Some(&alice)).await;

    let ids: Vec<&str> = body["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
}

fn pay_request(order_id: &str, player: Option<&Player>) -> lambda_http::Request {
    request("POST /orders/{id}/pay", "/orders/x/pay", &[("id", order_id)], None, player.map(|p| &p.token))
}

#[tokio::test]
async fn the_pay_link_names_the_trade_and_its_deadline_and_repeats_itself() {
    let t = demo(8).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let (_, order_id) = win_cup(&t, &alice).await;
    t.drain_queue().await;

    let (status, link) = json_of(api::handle(&t.app, pay_request(&order_id, Some(&alice))).await);
    let (_, again) = json_of(api::handle(&t.app, pay_request(&order_id, Some(&alice))).await);

    assert_eq!(status, 200, "{link}");
    assert_eq!((link["order_id"].as_str(), link["out_trade_no"].as_str()), (Some(&*order_id), Some(&*order_id)));
    assert_eq!(link["pay_url"], format!("memory://pay/{order_id}"));
    assert_eq!(link["qr_code"], link["pay_url"]);
    assert_eq!(link["expires_at"], "2026-11-21T08:15:00Z");
    assert_eq!(again, link);
    assert_eq!(t.memory.payments.trades_opened(), 1);
}

#[tokio::test]
async fn a_pay_link_needs_the_owner_and_a_pending_order_before_its_deadline() {
    let t = demo(9).await;
    let alice = t.player("alice", UserKind::Normal).await;
    let mallory = t.player("mallory", UserKind::Normal).await;
    let (_, order_id) = win_cup(&t, &alice).await;
    let (queued, _) = json_of(api::handle(&t.app, pay_request(&order_id, Some(&alice))).await);
    t.drain_queue().await;

    let (anonymous, _) = json_of(api::handle(&t.app, pay_request(&order_id, None)).await);
    let (theirs, _) = json_of(api::handle(&t.app, pay_request(&order_id, Some(&mallory))).await);
    let (malformed, _) = json_of(api::handle(&t.app, pay_request("x", Some(&alice))).await);
    t.clock.advance(std::time::Duration::from_secs(900));
    let (late, body) = json_of(api::handle(&t.app, pay_request(&order_id, Some(&alice))).await);

    assert_eq!((queued, anonymous, theirs, malformed), (404, 401, 404, 400));
    assert_eq!((late, body["error"]["code"].as_str()), (409, Some("invalid_state")));
    assert_eq!(t.memory.payments.trades_opened(), 0);
}
