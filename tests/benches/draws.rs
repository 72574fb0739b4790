//! Draws per second and latency percentiles of each stock store's atomic draw step, and of
//! the whole draw use case on DynamoDB with and without the per-process activity cache.
//! Real servers: the test Redis and moto on loopback (as the tests start them).
//!
//! `cargo bench -p luckydraw-tests --bench draws` (`BENCH_DRAWS`, default 2,000, and
//! `BENCH_CONCURRENCY`, default 32, to vary; moto slows down as its tables grow, so use
//! `BENCH_DRAWS=300` for the DynamoDB rows).
//! Figures and the machine they came from: `docs/benchmarks.md`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use luckydraw_adapters::cached::CachedActivities;
use luckydraw_adapters::dynamodb::DynamoRecords;
use luckydraw_core::domain::{Activity, DrawMode};
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::usecases::drawing;
use luckydraw_testing::conformance::stock::{session, ticket, user, wheel};
use luckydraw_testing::{TestApp, TestStock, activity_spec, prizes, services, test_app_with_stock};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let draws = setting("BENCH_DRAWS", 2_000);
    let concurrency = setting("BENCH_CONCURRENCY", 32);
    println!("{draws} draws per row, {concurrency} at a time\n");
    println!("| what | draws/s | p50 ms | p95 ms | p99 ms |\n| --- | --- | --- | --- | --- |");
    for (name, stock) in [
        ("stock: memory", TestStock::Memory),
        ("stock: Redis (Lua script)", TestStock::Redis),
        ("stock: DynamoDB on moto (K = 4)", TestStock::DynamoDb { shards: 4 }),
    ] {
        let t = stocked_app(stock).await;
        let tickets = tickets(draws);
        let stock = t.app.stock.clone();
        let latencies = run(draws, concurrency, move |n| {
            let (stock, ticket) = (stock.clone(), tickets[n].clone());
            async move { stock.draw(&ticket).await.map(drop).map_err(|error| error.to_string()) }
        })
        .await;
        report(name, &latencies);
    }
    for (name, cache) in [
        ("draw use case on DynamoDB on moto, no activity cache", Duration::ZERO),
        ("draw use case on DynamoDB on moto, activity cache 2 s", Duration::from_secs(2)),
    ] {
        let t = use_case_app(cache).await;
        let app = Arc::new(t.app);
        let latencies = run(draws, concurrency, move |n| {
            let (app, session) = (app.clone(), session(n as u64));
            async move {
                let demo = luckydraw_core::domain::ActivityId::parse("bench").expect("valid");
                drawing::draw(&*app, &session, &demo).await.map(drop).map_err(|error| error.to_string())
            }
        })
        .await;
        report(name, &latencies);
    }
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// A wheel of five prizes with far more units than the bench draws.
fn bench_activity() -> Activity {
    let wheel = prizes(&[
        ("thanks", 400_000, 0, 0),
        ("cup", 300_000, 0, 0),
        ("tea", 200_000, 0, 0),
        ("pot", 90_000, 0, 0),
        ("laptop", 10_000, 0, 0),
    ]);
    Activity::new(activity_spec("bench", DrawMode::RemainingStock, wheel)).expect("valid")
}

async fn stocked_app(stock: TestStock) -> TestApp {
    let t = test_app_with_stock(1, stock).await;
    t.add_activity(bench_activity().into()).await;
    t
}

/// The draw use case reading its activity from DynamoDB (through the cache when `cache` > 0).
async fn use_case_app(cache: Duration) -> TestApp {
    let mut t = test_app_with_stock(2, TestStock::DynamoDb { shards: 4 }).await;
    let records = Arc::new(DynamoRecords::new(services::dynamo_table().await));
    t.app.activities = records;
    if !cache.is_zero() {
        t.app.activities = Arc::new(CachedActivities::new(t.app.activities.clone(), t.app.clock.clone(), cache));
    }
    t.add_activity(bench_activity().into()).await;
    t
}

fn tickets(count: usize) -> Arc<Vec<DrawTicket>> {
    let slots =
        wheel(&[("thanks", 0, true), ("cup", 0, false), ("tea", 0, false), ("pot", 0, false), ("laptop", 0, false)]);
    let activity = luckydraw_core::domain::ActivityId::parse("bench").expect("valid");
    let tickets =
        (0..count).map(|n| ticket(&activity, user(n as u64), DrawMode::RemainingStock, 0, &slots, n as u64 * 7919));
    Arc::new(tickets.collect())
}

/// Runs `count` calls of `call`, `concurrency` at a time; returns each call's latency.
async fn run<F, Fut>(count: usize, concurrency: usize, call: F) -> Vec<Duration>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let (call, next) = (Arc::new(call), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (call, next) = (call.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        return latencies;
                    }
                    let started = Instant::now();
                    call(n).await.unwrap_or_else(|error| panic!("draw {n} failed: {error}"));
                    latencies.push(started.elapsed());
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("a worker finished"));
    }
    latencies.push(started.elapsed()); // the last entry is the wall time, removed by `report`
    latencies
}

fn report(name: &str, latencies: &[Duration]) {
    let (wall, calls) = latencies.split_last().expect("a wall time");
    let mut sorted = calls.to_vec();
    sorted.sort();
    let percentile = |p: f64| sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0;
    let rate = calls.len() as f64 / wall.as_secs_f64();
    println!("| {name} | {rate:.0} | {:.2} | {:.2} | {:.2} |", percentile(0.50), percentile(0.95), percentile(0.99));
}
