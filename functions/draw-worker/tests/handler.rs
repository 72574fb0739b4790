//! The queued entry mode through its handlers: the draw function's 202 and second press,
//! `GET /draws/{id}` while waiting and once drawn, and the draw worker on SQS events
//! (`events/draw-worker/ticket-waiting.json`), duplicates and a sold-out line.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use luckydraw_core::domain::{ActivitySpec, DrawMode, Entry, UserKind};
use luckydraw_testing::{Player, TestApp, activity_spec, event_text, json_of, prizes, request, test_app};
use serde_json::Value;

/// An app with the queued activity `line` (`stock` cups) and `players` players.
async fn line(seed: u64, stock: u64, players: usize) -> (TestApp, Vec<Player>) {
    let t = test_app(seed);
    let wheel = prizes(&[("thanks", 0, 0, 0), ("cup", stock, 0, 8000)]);
    t.add_activity(ActivitySpec { entry: Entry::Queued, ..activity_spec("line", DrawMode::RemainingStock, wheel) })
        .await;
    let mut list = Vec::new();
    for index in 0..players {
        list.push(t.player(&format!("player{index}"), UserKind::Normal).await);
    }
    (t, list)
}

async fn press(t: &TestApp, player: &Player) -> (u16, Value) {
    let request =
        request("POST /activities/{id}/draw", "/activities/line/draw", &[("id", "line")], None, Some(&player.token));
    json_of(draw::handle(&t.app, request).await)
}

async fn poll(t: &TestApp, player: &Player, draw_id: &str) -> (u16, Value) {
    let path = format!("/draws/{draw_id}");
    json_of(api::handle(&t.app, request("GET /draws/{id}", &path, &[("id", draw_id)], None, Some(&player.token))).await)
}

/// Everything on the in-process draw queue, as one SQS event per batch of ten, handed to
/// the worker; returns how many messages it handled.
async fn work(t: &TestApp) -> usize {
    let mut handled = 0;
    loop {
        let batch = t.memory.draw_queue.receive(10);
        if batch.is_empty() {
            return handled;
        }
        t.memory.draw_queue.acknowledge(batch.len());
        let mut event = SqsEvent::default();
        event.records = batch.iter().map(|envelope| message(&envelope.message_id, &envelope.body)).collect();
        let response = draw_worker::handle(&t.app, event).await.unwrap();
        assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
        handled += batch.len();
    }
}

fn message(id: &str, body: &str) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(id.into());
    message.body = Some(body.into());
    message
}

#[tokio::test]
async fn a_queued_press_answers_202_with_its_position_and_a_second_press_the_same_ticket() {
    let (t, players) = line(1, 5, 3).await;

    let (first, body0) = press(&t, &players[0]).await;
    let (_, body1) = press(&t, &players[1]).await;
    let (again, body1_again) = press(&t, &players[1]).await;

    assert_eq!(first, 202, "{body0}");
    assert_eq!((body0["status"].as_str(), body0["position"].as_u64()), (Some("queued"), Some(0)));
    assert_eq!(body1["position"], 1);
    assert_eq!(again, 202);
    assert_eq!(body1_again["draw_id"], body1["draw_id"], "a second press answers the same ticket");
    assert_eq!(t.app.tickets.waiting(&"line".parse().unwrap()).await.unwrap(), 2);
    assert!(t.memory.queue.is_empty(), "nothing is drawn before the worker runs");
}

#[tokio::test]
async fn get_draw_answers_the_position_while_waiting_then_the_result_as_an_instant_draw() {
    let (t, players) = line(2, 5, 2).await;
    let (_, ticket0) = press(&t, &players[0]).await;
    let (_, ticket1) = press(&t, &players[1]).await;
    let id1 = ticket1["draw_id"].as_str().unwrap();

    let (status, waiting) = poll(&t, &players[1], id1).await;
    let (stranger, _) = poll(&t, &players[0], id1).await;
    work(&t).await;
    let (_, drawn) = poll(&t, &players[1], id1).await;

    assert_eq!((status, waiting["status"].as_str(), waiting["position"].as_u64()), (200, Some("queued"), Some(1)));
    assert_eq!(stranger, 404, "another player's ticket is not found");
    assert_eq!(drawn["status"], "drawn", "{drawn}");
    assert_eq!(drawn["draw_id"], ticket1["draw_id"]);
    for field in ["won", "outcome", "prize", "wheel_index", "order_id", "prize_id", "drawn_at", "order_status"] {
        assert!(drawn.get(field).is_some(), "{field} missing from {drawn}");
    }
    assert_eq!(drawn["prize"]["id"], drawn["prize_id"]);
    let (_, drawn0) = poll(&t, &players[0], ticket0["draw_id"].as_str().unwrap()).await;
    assert_eq!(drawn0["status"], "drawn");
}

#[tokio::test]
async fn a_line_that_sells_out_ends_every_waiting_ticket_sold_out() {
    let (t, players) = line(3, 2, 6).await;
    let mut tickets = Vec::new();
    for player in &players {
        tickets.push(press(&t, player).await.1["draw_id"].as_str().unwrap().to_owned());
    }

    work(&t).await;

    let mut statuses = Vec::new();
    for (player, id) in players.iter().zip(&tickets) {
        statuses.push(poll(&t, player, id).await.1["status"].as_str().unwrap().to_owned());
    }
    assert_eq!(statuses, ["drawn", "drawn", "sold_out", "sold_out", "sold_out", "sold_out"]);
    let (_, refused) = poll(&t, &players[5], &tickets[5]).await;
    assert_eq!(refused["message"], "every prize has been drawn");
    assert_eq!(t.app.tickets.waiting(&"line".parse().unwrap()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_redelivered_ticket_message_draws_nothing_twice() {
    let (t, players) = line(4, 5, 2).await;
    press(&t, &players[0]).await;
    let copies: Vec<String> = t.memory.draw_queue.receive(10).into_iter().map(|envelope| envelope.body).collect();
    t.memory.draw_queue.acknowledge(copies.len());
    let mut event = SqsEvent::default();
    event.records = vec![message("a", &copies[0]), message("b", &copies[0])];

    let response = draw_worker::handle(&t.app, event.clone()).await.unwrap();
    let again = draw_worker::handle(&t.app, event).await.unwrap();

    assert!(response.batch_item_failures.is_empty() && again.batch_item_failures.is_empty());
    assert_eq!(t.app.stock.draws(&"line".parse().unwrap()).await.unwrap().len(), 1, "drawn once");
    assert_eq!(t.memory.queue.len(), 1, "one ledger message");
}

#[tokio::test]
async fn the_fixture_event_is_an_sqs_fifo_batch_the_worker_reads() {
    let event: SqsEvent = serde_json::from_str(&event_text("draw-worker/ticket-waiting"))
        .expect("events/draw-worker/ticket-waiting.json is an SQS event");
    let t = test_app(5);

    let response = draw_worker::handle(&t.app, event.clone()).await.unwrap();

    assert!(response.batch_item_failures.is_empty(), "an activity nobody queued in has nothing waiting");
    let record = &event.records[0];
    assert_eq!(record.attributes.get("MessageGroupId").map(String::as_str), Some("queue-demo"));
    let mut broken = SqsEvent::default();
    broken.records = vec![message("poison", "{\"draw_id\":")];
    let failed = draw_worker::handle(&t.app, broken).await.unwrap();
    assert_eq!(failed.batch_item_failures.len(), 1);
}
