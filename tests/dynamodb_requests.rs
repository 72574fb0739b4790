//! The request counts `docs/benchmarks.md` ("DynamoDB stock in numbers") prices, held: the
//! draw function's bootstrap on the template's default deployment (stock and sessions on
//! DynamoDB, moto), reaching moto through a counting proxy.

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use std::collections::BTreeMap;

use harness::capacity;
use harness::deployment::Deployment;
use harness::lambda_events::draw_events;
use harness::request_log::{self, RequestLog};
use harness::runtime_api::Bootstrap;
use luckydraw_testing::services;

/// Prizes of the demo activity, and stock shards per prize in the deployment (`LUCKYDRAW_STOCK_SHARDS`).
const PRIZES: usize = 10;
const SHARDS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_draw_is_one_batch_read_and_one_transaction_on_dynamodb_stock() {
    let deployment = Deployment::start().await;
    let proxy = RequestLog::start(services::moto_url()).await;
    let mut env = deployment.env("draw");
    env.retain(|(key, _)| key != "AWS_ENDPOINT_URL");
    env.push(("AWS_ENDPOINT_URL".into(), proxy.url().to_owned()));
    // The template's 2 s activity cache, longer: the warm draws below must not outlast it on a
    // loaded machine (past it, a warm draw reads the activity again: one GetItem per 2 s).
    env.push(("LUCKYDRAW_ACTIVITY_CACHE_MS".into(), "600000".into()));
    let mut draw = Bootstrap::start("draw", bootstrap!("draw"), &env).await;
    draw.ready().await;
    let events = draw_events(&deployment, 4).await;
    let first = draw.invoke(&events[0]).await.response();
    assert_eq!(first["statusCode"], 200, "{first}");
    let cold = request_log::count(&proxy.take());
    // The activity (records) and, once per process, the stock layout item (META) the batch
    // read is built from; later draws read the layout inside their batch.
    assert_eq!(cold.get("GetItem"), Some(&2), "the first draw reads the activity and the layout: {cold:?}");

    for event in &events[1..] {
        let answer = draw.invoke(event).await.response();
        assert_eq!(answer["statusCode"], 200, "{answer}");
        let calls = proxy.take();
        let expected: BTreeMap<String, usize> = [
            ("UpdateItem", 3), // the session touched, the player's and the address's draw counters
            ("BatchGetItem", 1),
            ("TransactWriteItems", 1),
            ("SendMessage", 1),
        ]
        .into_iter()
        .map(|(operation, count)| (operation.to_owned(), count))
        .collect();
        assert_eq!(request_log::count(&calls), expected, "a warm draw (the activity cached)");

        let batch = calls.iter().find(|call| call.operation() == "BatchGetItem").expect("the batch read");
        let table = &deployment.env("draw").into_iter().find(|(key, _)| key == "TABLE_NAME").expect("a table").1;
        let keys = batch.request["RequestItems"][table.as_str()]["Keys"].as_array().expect("keys").len();
        assert_eq!(keys, 1 + PRIZES * SHARDS + 2, "layout, every shard, the user's count and the draw's id");
        let transaction = calls.iter().find(|call| call.operation() == "TransactWriteItems").expect("the transaction");
        let actions = transaction.request["TransactItems"].as_array().expect("actions");
        let kinds: Vec<String> = actions
            .iter()
            .map(|action| {
                let body = action.as_object().and_then(|action| action.values().next()).expect("an action");
                capacity::kind(if body["Item"].is_null() { &body["Key"] } else { &body["Item"] })
            })
            .collect();
        assert!(kinds.starts_with(&["DRAW".to_owned(), "QUOTA".to_owned()]), "{kinds:?}");
        assert!(kinds.len() == 2 || kinds[2] == "STOCK", "a won or drawn unit comes off one shard: {kinds:?}");
    }
    draw.stop().await;
}
