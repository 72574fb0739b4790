//! The Redis adapters in cluster mode (what ElastiCache Serverless speaks) against the
//! conformance suites, on a private three-node `redis-server` cluster the harness forms on
//! free loopback ports: every script touches one activity's keys, which must share a slot.

use std::sync::Arc;

use luckydraw::adapters::redis::{RedisRateLimits, RedisSessions, RedisStock};
use luckydraw::testing::conformance::sessions::SessionPair;
use luckydraw::testing::services;

async fn stock() -> Arc<RedisStock> {
    let (connection, keys) = services::redis_cluster().await;
    Arc::new(RedisStock::new(connection, keys))
}

async fn cache() -> Arc<SessionPair> {
    let (connection, keys) = services::redis_cluster().await;
    let sessions = Arc::new(RedisSessions::new(connection.clone(), keys.clone()));
    Arc::new(SessionPair(sessions, Arc::new(RedisRateLimits::new(connection, keys))))
}

mod stock {
    luckydraw::stock_store_conformance!(super::stock);
}
mod sessions {
    luckydraw::sessions_conformance!(super::cache);
}
