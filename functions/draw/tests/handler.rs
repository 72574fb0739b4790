//! The draw function driven by API Gateway events, starting from `events/draw/draw.json`.

use luckydraw_core::domain::{DrawMode, UserKind};
use luckydraw_core::messages::OrderMessage;
use luckydraw_testing::{TestApp, activity_spec, fixture, fixture_token, json_of, prizes, request, test_app};

/// An app with the `demo` activity (cups only) and the player whose token the events carry.
async fn demo(seed: u64, stock: u64) -> TestApp {
    let t = test_app(seed);
    t.add_activity(activity_spec(
        "demo",
        DrawMode::RemainingStock,
        prizes(&[("thanks", 0, 0, 0), ("cup", stock, 0, 8000)]),
    ))
    .await;
    t.player_with_token("player", UserKind::Normal, fixture_token()).await;
    t
}

#[tokio::test]
async fn the_draw_event_wins_a_prize_and_queues_its_order() {
    let t = demo(1, 3).await;

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["won"], true);
    assert_eq!(body["outcome"], "won");
    assert_eq!(body["prize"]["id"], "cup");
    assert_eq!(body["prize"]["price_fen"], 8000);
    assert_eq!(body["wheel_index"], 1);
    let draw_id = body["draw_id"].as_str().unwrap();
    assert_eq!(body["order_id"].as_str().unwrap(), &draw_id["demo.".len()..]);
    let queued = t.memory.queue.receive(10);
    assert_eq!(queued.len(), 1);
    assert_eq!(OrderMessage::from_json(&queued[0].body).unwrap().order_id().to_string(), body["order_id"]);
}

#[tokio::test]
async fn a_draw_without_a_session_is_401() {
    let t = demo(2, 3).await;
    let (status, body) = json_of(
        draw::handle(
            &t.app,
            request("POST /activities/{id}/draw", "/activities/demo/draw", &[("id", "demo")], None, None),
        )
        .await,
    );
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")));
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn unknown_and_malformed_activities_are_404_and_400() {
    let t = demo(3, 3).await;
    let token = fixture_token();
    let draw_in =
        |id: &str| request("POST /activities/{id}/draw", "/activities/x/draw", &[("id", id)], None, Some(&token));

    let (missing, _) = json_of(draw::handle(&t.app, draw_in("nowhere")).await);
    let (malformed, body) = json_of(draw::handle(&t.app, draw_in("Not An Id")).await);

    assert_eq!(missing, 404);
    assert_eq!((malformed, body["error"]["code"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn a_sold_out_activity_is_409_sold_out() {
    let t = demo(4, 1).await;
    assert_eq!(draw::handle(&t.app, fixture("draw/draw")).await.status(), 200);

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);

    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("sold_out")));
}

#[tokio::test]
async fn a_queue_outage_is_503_and_takes_nothing() {
    let t = demo(5, 1).await;
    t.memory.queue.set_unavailable(true);

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);

    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")));
    assert_eq!(body["error"]["message"], "the service is temporarily unavailable", "no internals leak");
    let remaining = t.app.stock.remaining(&"demo".parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(remaining[&"cup".parse().unwrap()], 1);
}
