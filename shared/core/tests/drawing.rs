//! The draw use case against the in-memory ports: quotas, sold-out policies, open windows,
//! and undoing a draw whose order could not be queued.

use std::time::Duration;

use luckydraw_core::Error;
use luckydraw_core::domain::{ActivitySpec, ActivityStatus, DrawLimit, DrawMode, DrawOutcome, LedgerEntry, UserKind};
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::usecases::drawing::draw;
use luckydraw_testing::{START, TestApp, activity_spec, prizes, test_app};

async fn remaining(t: &TestApp, activity: &str, prize: &str) -> u64 {
    let counts = t.app.stock.remaining(&activity.parse().unwrap()).await.unwrap().unwrap();
    counts[&prize.parse().unwrap()]
}

#[tokio::test]
async fn a_won_prize_holds_a_unit_and_requests_its_order() {
    let t = test_app(1);
    t.add_activity(activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 3, 0, 8000)]))).await;
    let player = t.player("alice", UserKind::Normal).await;
    let session = player.session;

    let result = draw(&t.app, &session, &"spring".parse().unwrap()).await.unwrap();

    assert_eq!(result.record.outcome, DrawOutcome::Won);
    assert_eq!(result.order_id, Some(result.record.id.order_id()));
    assert_eq!(remaining(&t, "spring", "cup").await, 2);
    let queued = t.memory.queue.receive(10);
    let Ok(OrderMessage::OrderRequested(request)) = OrderMessage::from_json(&queued[0].body) else { panic!() };
    assert_eq!(request.user_id, player.user.id);
    assert_eq!(request.amount_fen.fen(), 8000);
    assert_eq!(request.pay_deadline, START.plus(Duration::from_secs(900)));
}

#[tokio::test]
async fn consolation_and_missed_draws_queue_only_their_ledger_entry() {
    let t = test_app(2);
    t.add_activity(activity_spec("thanks-only", DrawMode::RemainingStock, prizes(&[("thanks", 2, 0, 0)]))).await;
    t.add_activity(activity_spec(
        "kept",
        DrawMode::WeightKeep,
        prizes(&[("laptop", 0, 1_000_000, 600_000), ("thanks", 5, 1, 0)]),
    ))
    .await;
    let player = t.player("bob", UserKind::Normal).await;
    let session = player.session;

    let consolation = draw(&t.app, &session, &"thanks-only".parse().unwrap()).await.unwrap();
    let missed = draw(&t.app, &session, &"kept".parse().unwrap()).await.unwrap();

    assert_eq!(consolation.record.outcome, DrawOutcome::Consolation);
    assert_eq!(remaining(&t, "thanks-only", "thanks").await, 1, "the consolation slot has its own count");
    assert_eq!(missed.record.outcome, DrawOutcome::Missed, "weight 1 vs 0: always lands on the sold-out laptop");
    assert_eq!(missed.prize.id.as_str(), "laptop");
    assert_eq!(remaining(&t, "kept", "thanks").await, 5, "a miss takes nothing");
    let queued: Vec<OrderMessage> =
        t.memory.queue.receive(10).iter().map(|envelope| OrderMessage::from_json(&envelope.body).unwrap()).collect();
    let recorded: Vec<(DrawOutcome, &str)> = queued
        .iter()
        .map(|message| match message {
            OrderMessage::DrawRecorded(m) => (m.outcome, m.prize_id.as_str()),
            other => panic!("only ledger entries, no order: {other:?}"),
        })
        .collect();
    assert_eq!(recorded, [(DrawOutcome::Consolation, "thanks"), (DrawOutcome::Missed, "laptop")]);
}

#[tokio::test]
async fn drawing_until_empty_hands_out_every_unit_then_reports_sold_out() {
    let t = test_app(3);
    let wheel = prizes(&[("thanks", 4, 0, 0), ("cup", 3, 0, 8000), ("tea", 2, 0, 0)]);
    // No cap on unpaid prizes: carol keeps all three cups unpaid while drawing on.
    let spec = ActivitySpec { max_unpaid_per_user: 0, ..activity_spec("small", DrawMode::RemainingStock, wheel) };
    t.add_activity(spec).await;
    let player = t.player("carol", UserKind::Normal).await;
    let session = player.session;

    let mut landed = std::collections::HashMap::new();
    for _ in 0..9 {
        let result = draw(&t.app, &session, &"small".parse().unwrap()).await.unwrap();
        *landed.entry(result.prize.id.to_string()).or_insert(0) += 1;
    }
    let tenth = draw(&t.app, &session, &"small".parse().unwrap()).await;

    assert_eq!(landed["thanks"], 4);
    assert_eq!(landed["cup"], 3);
    assert_eq!(landed["tea"], 2);
    assert!(matches!(tenth, Err(Error::SoldOut)), "{tenth:?}");
}

#[tokio::test]
async fn quotas_hold_per_user_with_a_vip_allowance() {
    let t = test_app(4);
    let mut spec = activity_spec("limited", DrawMode::RemainingStock, prizes(&[("thanks", 100, 0, 0)]));
    spec.per_user_limit = DrawLimit::new(2);
    spec.vip_per_user_limit = Some(DrawLimit::new(3));
    t.add_activity(spec).await;
    let normal = t.player("dave", UserKind::Normal).await.session;
    let vip = t.player("erin", UserKind::Vip).await.session;
    let activity = "limited".parse().unwrap();

    for _ in 0..2 {
        draw(&t.app, &normal, &activity).await.unwrap();
    }
    for _ in 0..3 {
        draw(&t.app, &vip, &activity).await.unwrap();
    }

    assert!(matches!(draw(&t.app, &normal, &activity).await, Err(Error::QuotaExceeded)));
    assert!(matches!(draw(&t.app, &vip, &activity).await, Err(Error::QuotaExceeded)));
    assert_eq!(remaining(&t, "limited", "thanks").await, 95, "refused draws take nothing");
}

#[tokio::test]
async fn only_online_activities_inside_their_window_accept_draws() {
    let t = test_app(5);
    t.add_activity(activity_spec("window", DrawMode::RemainingStock, prizes(&[("thanks", 10, 0, 0)]))).await;
    let mut offline = activity_spec("closed", DrawMode::RemainingStock, prizes(&[("thanks", 10, 0, 0)]));
    offline.status = ActivityStatus::Offline;
    t.add_activity(offline).await;
    let player = t.player("frank", UserKind::Normal).await;
    let session = player.session;

    assert!(matches!(draw(&t.app, &session, &"closed".parse().unwrap()).await, Err(Error::ActivityNotOpen)));
    assert!(matches!(draw(&t.app, &session, &"nowhere".parse().unwrap()).await, Err(Error::NotFound(_))));
    t.clock.advance(Duration::from_secs(86_400));
    assert!(matches!(draw(&t.app, &session, &"window".parse().unwrap()).await, Err(Error::ActivityNotOpen)));
}

#[tokio::test]
async fn when_the_queue_refuses_the_draw_is_undone_unit_and_quota() {
    let t = test_app(6);
    let mut spec = activity_spec("fragile", DrawMode::RemainingStock, prizes(&[("cup", 1, 0, 8000)]));
    spec.per_user_limit = DrawLimit::new(1);
    t.add_activity(spec).await;
    let player = t.player("grace", UserKind::Normal).await;
    let session = player.session;
    let activity = "fragile".parse().unwrap();

    t.memory.queue.set_unavailable(true);
    let refused = draw(&t.app, &session, &activity).await;
    assert!(matches!(refused, Err(Error::Unavailable(_))), "{refused:?}");
    assert_eq!(remaining(&t, "fragile", "cup").await, 1, "the unit went back");
    let entries = t.app.ledger.entries(&activity).await.unwrap();
    assert!(matches!(&entries[..], [LedgerEntry::Voided { .. }]), "the draw was voided in the ledger: {entries:?}");

    t.memory.queue.set_unavailable(false);
    let retried = draw(&t.app, &session, &activity).await.unwrap();
    assert_eq!(retried.record.outcome, DrawOutcome::Won, "the failed draw did not use up the quota");
    assert_eq!(remaining(&t, "fragile", "cup").await, 0);
}

/// The send failed after the message arrived (an ambiguous failure): the consumer recorded
/// the draw first, so the void loses and the draw is answered won, never 503 with an order.
#[tokio::test]
async fn a_draw_whose_message_was_recorded_before_the_void_is_answered_won() {
    let t = test_app(7);
    t.add_activity(activity_spec("late", DrawMode::RemainingStock, prizes(&[("cup", 2, 0, 8000)]))).await;
    let session = t.player("heidi", UserKind::Normal).await.session;
    let activity = "late".parse().unwrap();
    let recorder = RecordsThenFails { ledger: t.app.ledger.clone() };
    let app = luckydraw_core::App { queue: std::sync::Arc::new(recorder), ..t.app.clone() };

    let drawn = draw(&app, &session, &activity).await.expect("answered as drawn");

    assert_eq!(drawn.record.outcome, DrawOutcome::Won);
    assert_eq!(remaining(&t, "late", "cup").await, 1, "the unit stays held for the order");
    assert!(matches!(t.app.ledger.get(&drawn.record.id).await.unwrap(), Some(LedgerEntry::Recorded(_))));
}

/// A queue whose message arrives (the consumer records it at once) but whose send reports
/// a failure, as when the connection drops before the answer.
struct RecordsThenFails {
    ledger: std::sync::Arc<dyn luckydraw_core::ports::Ledger>,
}

#[async_trait::async_trait]
impl luckydraw_core::ports::Queue for RecordsThenFails {
    async fn send(&self, message: &OrderMessage) -> Result<(), luckydraw_core::StoreError> {
        if let OrderMessage::OrderRequested(request) = message {
            self.ledger.record(&request.record()).await?;
        }
        Err(luckydraw_core::StoreError::new("connection reset after the request was sent"))
    }

    async fn backlog(&self) -> Result<u64, luckydraw_core::StoreError> {
        Ok(0)
    }
}
