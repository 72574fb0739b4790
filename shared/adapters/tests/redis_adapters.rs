//! The Redis adapters against the conformance suites, on a real `redis-server` (the one at
//! 127.0.0.1:6379, or a private one the harness starts), each test under its own key
//! prefix; and again in cluster mode (what ElastiCache Serverless speaks) on a private
//! three-node cluster, where every script's keys must share one hash slot, over plain TCP
//! and over TLS only (a `rediss://` URL, its certificate verified against the test CA).

use std::sync::Arc;

use luckydraw_adapters::redis::{
    RedisConnection, RedisKeys, RedisPayLinks, RedisRateLimits, RedisSessions, RedisStock, RedisTickets,
};
use luckydraw_testing::conformance::sessions::SessionPair;
use luckydraw_testing::services;

fn stock_on((connection, keys): (RedisConnection, RedisKeys)) -> Arc<RedisStock> {
    Arc::new(RedisStock::new(connection, keys))
}

fn cache_on((connection, keys): (RedisConnection, RedisKeys)) -> Arc<SessionPair> {
    let sessions = Arc::new(RedisSessions::new(connection.clone(), keys.clone()));
    Arc::new(SessionPair(sessions, Arc::new(RedisRateLimits::new(connection, keys))))
}

fn pay_links_on((connection, keys): (RedisConnection, RedisKeys)) -> Arc<RedisPayLinks> {
    Arc::new(RedisPayLinks::new(connection, keys))
}

fn tickets_on((connection, keys): (RedisConnection, RedisKeys)) -> Arc<RedisTickets> {
    Arc::new(RedisTickets::new(connection, keys))
}

async fn tickets() -> Arc<RedisTickets> {
    tickets_on(services::redis().await)
}

async fn cluster_tickets() -> Arc<RedisTickets> {
    tickets_on(services::redis_cluster().await)
}

async fn stock() -> Arc<RedisStock> {
    stock_on(services::redis().await)
}

async fn cache() -> Arc<SessionPair> {
    cache_on(services::redis().await)
}

async fn pay_links() -> Arc<RedisPayLinks> {
    pay_links_on(services::redis().await)
}

async fn cluster_stock() -> Arc<RedisStock> {
    stock_on(services::redis_cluster().await)
}

async fn cluster_cache() -> Arc<SessionPair> {
    cache_on(services::redis_cluster().await)
}

async fn cluster_pay_links() -> Arc<RedisPayLinks> {
    pay_links_on(services::redis_cluster().await)
}

async fn tls_cluster_stock() -> Arc<RedisStock> {
    stock_on(services::redis_tls_cluster().await)
}

async fn tls_cluster_cache() -> Arc<SessionPair> {
    cache_on(services::redis_tls_cluster().await)
}

async fn tls_cluster_pay_links() -> Arc<RedisPayLinks> {
    pay_links_on(services::redis_tls_cluster().await)
}

mod stock {
    luckydraw_testing::stock_store_conformance!(super::stock);
}
mod sessions {
    luckydraw_testing::sessions_conformance!(super::cache);
}
mod pay_links {
    luckydraw_testing::pay_links_conformance!(super::pay_links);
}
mod cluster_stock {
    luckydraw_testing::stock_store_conformance!(super::cluster_stock);
}
mod cluster_sessions {
    luckydraw_testing::sessions_conformance!(super::cluster_cache);
}
mod cluster_pay_links {
    luckydraw_testing::pay_links_conformance!(super::cluster_pay_links);
}
mod tls_cluster_stock {
    luckydraw_testing::stock_store_conformance!(super::tls_cluster_stock);
}
mod tls_cluster_sessions {
    luckydraw_testing::sessions_conformance!(super::tls_cluster_cache);
}
mod tls_cluster_pay_links {
    luckydraw_testing::pay_links_conformance!(super::tls_cluster_pay_links);
}

/// The Lua script reduces rolls with `math.fmod` on doubles: exact only because rolls stay
/// below 2^53 and totals below 2^48. Drive it right at those bounds and compare every pick
/// with `lottery::pick` in Rust.
#[tokio::test]
async fn lua_picks_like_rust_at_the_bounds_of_exact_arithmetic() {
    use luckydraw_core::domain::DrawMode;
    use luckydraw_core::lottery::ROLL_BOUND;
    use luckydraw_core::ports::StockStore;
    use luckydraw_testing::conformance::stock::{activity, counts, ticket, user, wheel};
    use rand::{RngExt, SeedableRng};

    let store = stock().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let huge = 1u64 << 46;
    let cases = [
        (DrawMode::RemainingStock, [huge, huge + 12_345, (1 << 47) - 20_000, 1]),
        (DrawMode::WeightKeep, [1, 0, 2, 3]),
        (DrawMode::WeightRedistribute, [5, 0, 1, huge]),
    ];
    let slots = wheel(&[("a", u32::MAX, false), ("b", u32::MAX - 1, false), ("c", 1, false), ("d", 7, false)]);
    for (index, (mode, units)) in cases.into_iter().enumerate() {
        let spring = activity(&format!("edge-{index}"));
        let mut model = counts(&[("a", units[0]), ("b", units[1]), ("c", units[2]), ("d", units[3])]);
        store.load(&spring, &model).await.unwrap();
        for step in 0..200u64 {
            let roll = match step {
                0 => ROLL_BOUND - 1,
                1 => ROLL_BOUND - 2,
                2 => 0,
                _ if step % 2 == 0 => rng.random_range(ROLL_BOUND - (1 << 20)..ROLL_BOUND),
                _ => rng.random_range(0..ROLL_BOUND),
            };
            let ticket = ticket(&spring, user(step), mode, 0, &slots, roll);
            let expected =
                ticket.pick(|prize| model[prize]).map(|(slot, take, outcome)| (slot.prize_id.clone(), take, outcome));
            let record = store.draw(&ticket).await;
            match (record, expected) {
                (Ok(record), Some((prize, take, outcome))) => {
                    assert_eq!((&record.prize_id, record.outcome), (&prize, outcome), "{mode:?} roll {roll}");
                    if take {
                        *model.get_mut(&prize).unwrap() -= 1;
                    }
                }
                (got, want) => panic!("{mode:?} roll {roll}: Lua {got:?}, Rust {want:?}"),
            }
        }
        assert_eq!(store.remaining(&spring).await.unwrap().unwrap(), model);
    }
}

mod tickets {
    luckydraw_testing::tickets_conformance!(super::tickets);
}

mod cluster_tickets {
    luckydraw_testing::tickets_conformance!(super::cluster_tickets);
}
