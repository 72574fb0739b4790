//! Operators' quotas under storms, on every stock store: a user's own limit set through the
//! quotas use case (durable copy, then the stock store) holds exactly under 500 concurrent
//! draws by that user, beside a VIP and a normal player on the activity's own limits; and a
//! flushed activity restored from the ledger keeps the override.

use std::sync::Arc;

use futures::future::join_all;
use luckydraw_core::domain::{ActivityStatus, DrawLimit, DrawMode, UserKind};
use luckydraw_core::usecases::{drawing, quotas, stock_admin};
use luckydraw_testing::{Player, TestApp, TestStock, activity_spec, prizes, test_app_with_stock};

/// Draws `count` times at once for `player`; how many succeeded.
async fn storm(t: &Arc<TestApp>, player: &Player, count: usize) -> usize {
    let spring = "spring".parse().unwrap();
    let draws = (0..count).map(|_| {
        let (t, session, spring) = (t.clone(), player.session.clone(), &spring);
        async move { drawing::draw(&t.app, &session, spring).await }
    });
    let results = join_all(draws).await;
    for refused in results.iter().filter_map(|result| result.as_ref().err()) {
        assert_eq!(refused.code(), "quota_exceeded", "{refused}");
    }
    results.iter().filter(|result| result.is_ok()).count()
}

async fn quotas_hold_under_storms(stock: TestStock) {
    let t = Arc::new(test_app_with_stock(31, stock).await);
    let mut spec = activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 5_000, 1, 0)]));
    spec.per_user_limit = DrawLimit::new(2);
    spec.vip_per_user_limit = Some(DrawLimit::new(4));
    spec.max_unpaid_per_user = 0;
    t.add_activity(spec).await;
    let (boosted, vip, normal) = (
        t.player("boosted", UserKind::Normal).await,
        t.player("vip", UserKind::Vip).await,
        t.player("normal", UserKind::Normal).await,
    );
    let spring = "spring".parse().unwrap();
    quotas::set(&t.app, &spring, &boosted.session.user_id, Some(DrawLimit::new(7))).await.unwrap();

    let (boosted_won, vip_won, normal_won) =
        tokio::join!(storm(&t, &boosted, 500), storm(&t, &vip, 100), storm(&t, &normal, 100));
    assert_eq!((boosted_won, vip_won, normal_won), (7, 4, 2), "own limit, VIP limit, default limit");

    // Offline, drained, settled, flushed: the ledger and the durable limits rebuild it.
    t.drain_queue().await;
    let mut offline = Arc::unwrap_or_clone(t.app.activities.get(&spring).await.unwrap().unwrap());
    offline = luckydraw_core::domain::Activity::new(luckydraw_core::domain::ActivitySpec {
        status: ActivityStatus::Offline,
        ..offline.into()
    })
    .unwrap();
    t.app.activities.put(&offline).await.unwrap();
    for draw in t.app.stock.draws(&spring).await.unwrap() {
        t.app.stock.settle(&draw.id).await.unwrap();
    }
    assert!(stock_admin::flush(&t.app, &spring).await.unwrap());
    let restored = stock_admin::restore(&t.app, &spring).await.unwrap();
    assert_eq!((restored.draws, restored.remaining[&"cup".parse().unwrap()]), (13, 5_000 - 13));
    quotas::set(&t.app, &spring, &boosted.session.user_id, Some(DrawLimit::new(9))).await.unwrap();
    let online = luckydraw_core::domain::ActivitySpec { status: ActivityStatus::Online, ..offline.into() };
    t.app.activities.put(&luckydraw_core::domain::Activity::new(online).unwrap()).await.unwrap();
    assert_eq!(storm(&t, &boosted, 50).await, 2, "7 drawn, 9 allowed now");
    assert_eq!(storm(&t, &normal, 20).await, 0, "the restored count holds the default limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quotas_hold_under_storms_on_memory_stock() {
    quotas_hold_under_storms(TestStock::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quotas_hold_under_storms_on_redis_stock() {
    quotas_hold_under_storms(TestStock::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quotas_hold_under_storms_on_dynamodb_stock() {
    quotas_hold_under_storms(TestStock::DynamoDb { shards: 4 }).await;
}
