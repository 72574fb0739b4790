//! The DynamoDB adapters against the conformance suites, through the real AWS SDK on a
//! `moto_server` the harness starts on loopback; each test in a fresh table of its own.

use std::sync::Arc;

use luckydraw_adapters::dynamodb::ShardPlan;
use luckydraw_adapters::dynamodb::{
    DynamoLedger, DynamoPayLinks, DynamoRateLimits, DynamoRecords, DynamoSessions, DynamoStock,
};
use luckydraw_testing::conformance::sessions::SessionPair;
use luckydraw_testing::services;

async fn stock() -> Arc<DynamoStock> {
    Arc::new(DynamoStock::new(services::dynamo_table().await, ShardPlan::uniform(4)))
}

async fn single_shard_stock() -> Arc<DynamoStock> {
    Arc::new(DynamoStock::new(services::dynamo_table().await, ShardPlan::uniform(1)))
}

async fn records() -> Arc<DynamoRecords> {
    Arc::new(DynamoRecords::new(services::dynamo_table().await))
}

async fn ledger() -> Arc<DynamoLedger> {
    Arc::new(DynamoLedger::new(services::dynamo_table().await))
}

async fn cache() -> Arc<SessionPair> {
    let table = services::dynamo_table().await;
    Arc::new(SessionPair(Arc::new(DynamoSessions::new(table.clone())), Arc::new(DynamoRateLimits::new(table))))
}

async fn pay_links() -> Arc<DynamoPayLinks> {
    Arc::new(DynamoPayLinks::new(services::dynamo_table().await))
}

mod stock {
    luckydraw_testing::stock_store_conformance!(super::stock);
}
mod single_shard_stock {
    luckydraw_testing::stock_store_conformance!(super::single_shard_stock);
}
mod users {
    luckydraw_testing::users_conformance!(super::records);
}
mod orders {
    luckydraw_testing::orders_conformance!(super::records);
}
mod ledger {
    luckydraw_testing::ledger_conformance!(super::ledger);
}
mod sessions {
    luckydraw_testing::sessions_conformance!(super::cache);
}
mod pay_links {
    luckydraw_testing::pay_links_conformance!(super::pay_links);
}

async fn tickets() -> Arc<luckydraw_adapters::dynamodb::DynamoTickets> {
    Arc::new(luckydraw_adapters::dynamodb::DynamoTickets::new(services::dynamo_table().await))
}

mod tickets {
    luckydraw_testing::tickets_conformance!(super::tickets);
}
