//! The queued entry mode under a storm on `queue-demo` (seeded as the runner seeds it):
//! many players pressing at once (each twice), the draw worker running while they press
//! with every batch delivered twice and concurrently, players polling `GET /draws/{id}`
//! the whole time. It ends with every ticket ended exactly once, draws executed in ticket
//! order, positions that only went down, the stock invariants of DESIGN §5, and the sold-out
//! line ended at once. On memory and on Redis (tickets and stock).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use luckydraw_core::App;
use luckydraw_core::domain::{DrawId, TicketState, UserKind};
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::usecases::order_events;
use luckydraw_local::seed::{QUEUE_DEMO, seed_queue_demo};
use luckydraw_testing::audit::{Answers, audit};
use luckydraw_testing::{TestApp, TestStock, json_of, request, test_app_with_stock};
use serde_json::Value;

/// Players in the storm: more than `queue-demo`'s 650 units, so the line sells out.
const PLAYERS: usize = 900;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_queued_storm_on_queue_demo_keeps_order_and_every_invariant_in_memory() {
    storm(TestStock::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_queued_storm_on_queue_demo_keeps_order_and_every_invariant_on_redis() {
    storm(TestStock::Redis).await;
}

async fn storm(stock: TestStock) {
    let t = test_app_with_stock(15, stock).await;
    let activity = seed_queue_demo(&t.app, 1).await.expect("queue-demo seeds");
    let units: u64 = activity.prizes.iter().map(|prize| prize.initial).sum();
    assert!((units as usize) < PLAYERS, "the storm outnumbers the stock");
    let mut tokens = Vec::new();
    for index in 0..PLAYERS {
        tokens.push(t.player(&format!("queuer{index}"), UserKind::Normal).await.token);
    }
    let app = Arc::new(t.app.clone());
    let pressing = Arc::new(AtomicBool::new(true));
    let worker = tokio::spawn(work_with_duplicates(t.app.clone(), t.memory.draw_queue.clone(), pressing.clone()));

    let players: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let app = app.clone();
            tokio::spawn(async move {
                let (status, first) = press(&app, &token).await;
                assert_eq!(status, 202, "{first}");
                let (status, second) = press(&app, &token).await;
                assert_eq!(status, 202, "{second}");
                if first["draw_id"] != second["draw_id"] {
                    // Only once the first ticket has ended does a press take another.
                    let (_, polled) = poll(&app, &token, first["draw_id"].as_str().unwrap()).await;
                    assert_ne!(polled["status"], "queued", "a waiting player took a second ticket");
                }
                let mut ends: Vec<(String, Vec<u64>, Value)> = Vec::new();
                for answer in [first, second] {
                    let id = answer["draw_id"].as_str().unwrap().to_owned();
                    if ends.iter().any(|(known, ..)| known == &id) {
                        continue;
                    }
                    let mut positions = vec![answer["position"].as_u64().unwrap()];
                    let end = loop {
                        let (status, body) = poll(&app, &token, &id).await;
                        assert_eq!(status, 200, "{body}");
                        match body["status"].as_str() {
                            Some("queued") => positions.push(body["position"].as_u64().unwrap()),
                            _ => break body,
                        }
                        tokio::time::sleep(Duration::from_millis(25)).await;
                    };
                    ends.push((id, positions, end));
                }
                ends
            })
        })
        .collect();
    let mut ends = Vec::new();
    for player in players {
        ends.extend(tokio::time::timeout(Duration::from_secs(120), player).await.expect("every ticket ends").unwrap());
    }
    pressing.store(false, Ordering::SeqCst);
    worker.await.unwrap();

    let mut answers = Answers::default();
    let mut numbers = HashMap::new();
    let mut sold_out = Vec::new();
    for (id, positions, end) in &ends {
        assert!(positions.windows(2).all(|pair| pair[1] <= pair[0]), "positions went up: {positions:?}");
        let draw_id = DrawId::parse(id).unwrap();
        let (ticket, state) = t.app.tickets.find(&draw_id).await.unwrap().expect("every press has a ticket");
        numbers.insert(draw_id.clone(), ticket.number);
        match end["status"].as_str() {
            Some("drawn") => {
                assert_eq!(state, TicketState::Drawn);
                answers.drawn.insert(draw_id, end["won"] == true);
            }
            Some("sold_out") => {
                sold_out.push(ticket.number);
                answers.refused += 1;
            }
            other => panic!("unexpected end {other:?}: {end}"),
        }
    }
    let mut taken: Vec<u64> = numbers.values().copied().collect();
    taken.sort_unstable();
    assert_eq!(taken, (0..ends.len() as u64).collect::<Vec<_>>(), "unique numbers without gaps");
    assert!(ends.len() >= PLAYERS, "every player holds a ticket");
    assert_eq!(answers.drawn.len() as u64, units, "every unit drawn once (the demo has a consolation count)");
    assert!(sold_out.iter().all(|number| *number >= units), "only tickets after the last unit were sold out");
    assert_eq!(t.app.tickets.waiting(&activity.id).await.unwrap(), 0, "nobody waits for nothing");

    let executed = drain_orders(&t).await;
    let order: Vec<u64> = executed.iter().map(|id| numbers[id]).collect();
    assert_eq!(order, (0..units).collect::<Vec<_>>(), "draws were executed in ticket order");
    let audited = audit(&t.app, &activity, &answers).await;
    assert_eq!(audited.voided, 0);
}

/// The draw worker on the in-process draw queue, each batch handed to two concurrent
/// workers (a duplicate delivery racing the first) and then once more, until the storm's
/// presses are over and the queue is empty.
async fn work_with_duplicates(
    app: App,
    queue: Arc<luckydraw_adapters::memory::MemoryQueue>,
    pressing: Arc<AtomicBool>,
) {
    loop {
        let batch = queue.receive(10);
        if batch.is_empty() {
            if !pressing.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
            continue;
        }
        queue.acknowledge(batch.len());
        let mut event = SqsEvent::default();
        event.records = batch.iter().map(|envelope| message(&envelope.message_id, &envelope.body)).collect();
        let (first, racing) =
            tokio::join!(draw_worker::handle(&app, event.clone()), draw_worker::handle(&app, event.clone()));
        let again = draw_worker::handle(&app, event).await;
        for response in [first, racing, again] {
            assert!(response.unwrap().batch_item_failures.is_empty());
        }
    }
}

fn message(id: &str, body: &str) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(id.into());
    message.body = Some(body.into());
    message
}

/// Applies the order queue's messages in their order; returns the draws they record, each
/// once, in the order they were first sent (the order the worker executed them).
async fn drain_orders(t: &TestApp) -> Vec<DrawId> {
    let mut executed: Vec<DrawId> = Vec::new();
    loop {
        let batch = t.memory.queue.receive(100);
        if batch.is_empty() {
            return executed;
        }
        t.memory.queue.acknowledge(batch.len());
        for envelope in batch {
            let message = OrderMessage::from_json(&envelope.body).expect("queued messages parse");
            let recorded = match &message {
                OrderMessage::OrderRequested(requested) => Some(requested.draw_id.clone()),
                OrderMessage::DrawRecorded(recorded) => Some(recorded.draw_id.clone()),
                _ => None,
            };
            if let Some(id) = recorded.filter(|id| !executed.contains(id)) {
                executed.push(id);
            }
            order_events::apply(&t.app, message).await.expect("queued messages apply");
        }
    }
}

async fn press(app: &App, token: &luckydraw_core::domain::SessionToken) -> (u16, Value) {
    let path = format!("/activities/{QUEUE_DEMO}/draw");
    json_of(
        draw::handle(app, request("POST /activities/{id}/draw", &path, &[("id", QUEUE_DEMO)], None, Some(token))).await,
    )
}

async fn poll(app: &App, token: &luckydraw_core::domain::SessionToken, id: &str) -> (u16, Value) {
    let path = format!("/draws/{id}");
    json_of(api::handle(app, request("GET /draws/{id}", &path, &[("id", id)], None, Some(token))).await)
}
