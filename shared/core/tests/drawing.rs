//! The draw use case against the in-memory ports: quotas, sold-out policies, open windows,
//! and undoing a draw whose order could not be queued.

use std::time::Duration;

use luckydraw_core::Error;
use luckydraw_core::domain::{ActivityStatus, DrawLimit, DrawMode, DrawOutcome, UserKind};
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
async fn consolation_and_missed_draws_queue_nothing() {
    let t = test_app(2);
    t.add_activity(activity_spec("thanks-only", DrawMode::RemainingStock, prizes(&[("thanks", 2, 0, 0)]))).await;
    t.add_activity(activity_spec(
        "kept",
        DrawMode::WeightKeep,
        prizes(&[("laptop", 0, 1, 600_000), ("thanks", 5, 0, 0)]),
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
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn drawing_until_empty_hands_out_every_unit_then_reports_sold_out() {
    let t = test_app(3);
    let wheel = prizes(&[("thanks", 4, 0, 0), ("cup", 3, 0, 8000), ("tea", 2, 0, 0)]);
    t.add_activity(activity_spec("small", DrawMode::RemainingStock, wheel)).await;
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

    t.memory.queue.set_unavailable(false);
    let retried = draw(&t.app, &session, &activity).await.unwrap();
    assert_eq!(retried.record.outcome, DrawOutcome::Won, "the failed draw did not use up the quota");
    assert_eq!(remaining(&t, "fragile", "cup").await, 0);
}
