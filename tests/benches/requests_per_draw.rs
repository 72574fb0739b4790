//! AWS requests and DynamoDB/SQS units per draw and per order step, counted on moto: the
//! functions' release bootstraps run through the runtime API with `AWS_ENDPOINT_URL` on a
//! counting proxy in front of moto, and every request is priced from the sizes of the items
//! as stored (`tests/harness/capacity.rs`). Two deployments: the template's default (stock
//! and sessions on DynamoDB, K = 4 shards per prize) and Redis stock and sessions (a private
//! `redis-server`). moto's speed is not DynamoDB's: only counts and sizes are reported.
//!
//! `cargo bench -p luckydraw-tests --bench requests_per_draw` (`BENCH_DRAWS`, default 40
//! warm draws per deployment). Figures: `docs/benchmarks.md`, "DynamoDB stock in numbers".

#[allow(dead_code)] // each test file uses part of the shared harness
#[path = "../harness/mod.rs"]
mod harness;

use std::path::Path;
use std::time::Duration;

use luckydraw_testing::services;
use serde_json::{Value, json};

use harness::capacity::{self, Bill};
use harness::deployment::Deployment;
use harness::lambda_events::{draw_events, order_batches};
use harness::private_redis::PrivateRedis;
use harness::request_log::RequestLog;
use harness::runtime_api::{Bootstrap, event};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let draws: usize = std::env::var("BENCH_DRAWS").ok().and_then(|n| n.parse().ok()).unwrap_or(40);
    let proxy = RequestLog::start(services::moto_url()).await;
    let on_dynamodb = Deployment::start().await;
    report("stock and sessions on DynamoDB (K = 4)", &on_dynamodb, &proxy, draws).await;
    let redis = PrivateRedis::start();
    let backends = redis.backends();
    let on_redis = Deployment::start_on(backends, 1).await;
    report("stock and sessions on Redis", &on_redis, &proxy, draws).await;
}

/// One measured step: what `per` units of work cost.
struct Step {
    name: String,
    per: usize,
    bill: Bill,
}

/// Runs the draws and the order flow on `deployment` and prints what each step cost.
async fn report(label: &str, deployment: &Deployment, proxy: &RequestLog, draws: usize) {
    deployment.add_event_order(Duration::from_secs(3600)).await;
    let table = setting(deployment, "TABLE_NAME");
    let queue = setting(deployment, "ORDER_QUEUE_URL");
    let mut steps = Vec::new();

    let events = draw_events(deployment, draws + 1).await;
    let mut draw = start("draw", bootstrap!("draw"), deployment, proxy).await;
    for (n, event) in events.iter().enumerate() {
        if n == 1 {
            proxy.take(); // the first draw was cold
        }
        let answer = draw.invoke(event).await.response();
        assert_eq!(answer["statusCode"], 200, "draw {n} on {label}: {answer}");
    }
    draw.stop().await;
    steps.push(Step {
        name: "draw (warm)".into(),
        per: draws,
        bill: capacity::bill(proxy, &table, &proxy.take()).await,
    });

    // The draws' messages and the event order's (its draw was recorded by the runner).
    let records: Vec<Value> = order_batches(&queue)
        .await
        .iter()
        .flat_map(|batch| batch["Records"].as_array().cloned().unwrap_or_default())
        .filter(|record| !record["body"].as_str().unwrap_or("").contains(harness::deployment::EVENT_ORDER))
        .collect();
    assert_eq!(records.len(), draws + 1, "every draw queued its message");
    let (wins, misses): (Vec<Value>, Vec<Value>) =
        records.into_iter().partition(|record| record["body"].as_str().unwrap_or("").contains("\"order_requested\""));
    let mut consumer = start("order-consumer", bootstrap!("order-consumer"), deployment, proxy).await;
    for (name, records) in
        [("order-consumer: a win (order_requested)", wins), ("order-consumer: a miss (draw_recorded)", misses)]
    {
        proxy.take();
        for batch in records.chunks(10) {
            consumer.invoke(&json!({ "Records": batch })).await.response();
        }
        let bill = capacity::bill(proxy, &table, &proxy.take()).await;
        steps.push(Step { name: format!("{name}, batches of 10"), per: records.len(), bill });
    }

    for (function, binary, event_path, name) in [
        ("api", bootstrap!("api"), "events/api/pay.json", "pay link (api, `POST /orders/{id}/pay`)"),
        (
            "pay-callback",
            bootstrap!("pay-callback"),
            "events/pay-callback/notify.json",
            "payment notification (pay-callback)",
        ),
    ] {
        let mut function = start(function, binary, deployment, proxy).await;
        proxy.take();
        function.invoke(&event(event_path)).await.response();
        function.stop().await;
        steps.push(Step { name: name.into(), per: 1, bill: capacity::bill(proxy, &table, &proxy.take()).await });
    }
    let paid = order_batches(&queue).await;
    proxy.take();
    for batch in &paid {
        consumer.invoke(batch).await.response();
    }
    let messages = paid.iter().map(|batch| batch["Records"].as_array().map_or(0, Vec::len)).sum();
    let bill = capacity::bill(proxy, &table, &proxy.take()).await;
    steps.push(Step { name: "order-consumer: payment_received".into(), per: messages, bill });
    consumer.stop().await;

    print(label, &steps);
}

/// A function's bootstrap on `deployment`, reaching moto through `proxy`, initialised.
async fn start(name: &str, binary: &Path, deployment: &Deployment, proxy: &RequestLog) -> Bootstrap {
    let mut env = deployment.env(name);
    env.retain(|(key, _)| key != "AWS_ENDPOINT_URL");
    env.push(("AWS_ENDPOINT_URL".into(), proxy.url().to_owned()));
    let mut function = Bootstrap::start(name, binary, &env).await;
    function.ready().await;
    function
}

/// A variable of the functions' environment on `deployment`.
fn setting(deployment: &Deployment, name: &str) -> String {
    let env = deployment.env("draw");
    env.into_iter().find(|(key, _)| key == name).map(|(_, value)| value).unwrap_or_else(|| panic!("{name} is set"))
}

fn print(label: &str, steps: &[Step]) {
    println!("\n### {label}\n");
    println!("| step | per | requests | read units | write units | SQS requests |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for step in steps {
        let per = step.per.max(1) as f64;
        let requests = capacity::requests(&step.bill)
            .iter()
            .map(|(operation, count)| format!("{operation} {}", round(*count as f64 / per)))
            .collect::<Vec<_>>()
            .join(", ");
        let total = capacity::total(&step.bill);
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            step.name,
            step.per,
            requests,
            round(total.read_units / per),
            round(total.write_units / per),
            round(total.sqs_requests as f64 / per)
        );
    }
    println!("\nItem by item (per unit of work; bytes: mean item size as stored):\n");
    println!("| step | operation | item | items | bytes | read units | write units |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for step in steps {
        let per = step.per.max(1) as f64;
        for ((operation, kind), tally) in &step.bill {
            if tally.items == 0 {
                continue;
            }
            println!(
                "| {} | {operation} | {kind} | {} | {} | {} | {} |",
                step.name,
                round(tally.items as f64 / per),
                tally.bytes / tally.items,
                round(tally.read_units / per),
                round(tally.write_units / per)
            );
        }
    }
}

/// Two decimals, trailing zeros dropped.
fn round(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
