//! The draw worker's throughput and the queue wait of a surge, per stock store: `BENCH_SURGE`
//! players (default 2,000) press, 64 at a time, on a queued activity while one worker serves the
//! line ticket by ticket (as one SQS FIFO message group is served); the table gives the
//! worker's draws/s and each ticket's wait from its press to its draw, on memory and on the
//! test Redis (tickets and stock). Not on moto: its speed is not DynamoDB's, and serving this
//! surge grew its process past 12 GB.
//!
//! `cargo bench -p luckydraw-tests --bench queued`; figures in `docs/benchmarks.md`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use luckydraw_core::domain::{Activity, ActivitySpec, DrawMode, Entry};
use luckydraw_core::usecases::queueing;
use luckydraw_testing::conformance::stock::session;
use luckydraw_testing::{TestStock, activity_spec, prizes, test_app_with_stock};

/// Presses in flight at once, as over a pool of connections (moto resets connections when
/// thousands arrive together).
const CONNECTIONS: usize = 64;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let surge: usize = std::env::var("BENCH_SURGE").ok().and_then(|value| value.parse().ok()).unwrap_or(2_000);
    println!("a surge of {surge} presses, {CONNECTIONS} at a time, one worker\n");
    println!(
        "| stock (tickets) | worker draws/s | wait p50 ms | wait p99 ms | wait max ms |\n| --- | --- | --- | --- | --- |"
    );
    for (name, stock) in [("memory (memory)", TestStock::Memory), ("Redis (Redis)", TestStock::Redis)] {
        let t = test_app_with_stock(3, stock).await;
        let activity = t.add_activity(queued_activity()).await;
        let app = Arc::new(t.app.clone());
        let started = Instant::now();
        let connections = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS));
        let presses: Vec<_> = (0..surge)
            .map(|n| {
                let (app, activity, connections) = (app.clone(), activity.clone(), connections.clone());
                tokio::spawn(async move {
                    let _connection = connections.acquire().await.expect("the gate stays open");
                    // The wait runs from the press, not from its answer: the worker may
                    // draw the ticket before `take` has returned.
                    let pressed = started.elapsed();
                    let taken = queueing::take(&*app, &session(n as u64), &activity).await.expect("a ticket");
                    (taken.ticket.number, pressed)
                })
            })
            .collect();
        let mut pressed_at = vec![Duration::ZERO; surge];
        let worker = tokio::spawn(serve_each(app.clone(), activity.clone(), surge as u64, started));
        for press in presses {
            let (number, at) = press.await.expect("a press");
            pressed_at[number as usize] = at;
        }
        let (ended_at, serving) = worker.await.expect("the worker");
        let mut waits: Vec<Duration> = ended_at.iter().zip(&pressed_at).map(|(end, press)| *end - *press).collect();
        waits.sort_unstable();
        let percentile = |p: usize| waits[(waits.len() * p / 100).min(waits.len() - 1)].as_secs_f64() * 1e3;
        let rate = surge as f64 / serving.as_secs_f64();
        println!(
            "| {name} | {rate:.0} | {:.0} | {:.0} | {:.0} |",
            percentile(50),
            percentile(99),
            waits.last().map_or(0.0, |wait| wait.as_secs_f64() * 1e3)
        );
    }
}

/// Serves the line one ticket at a time until `count` tickets have ended; each ticket's end
/// (since `started`), and how long serving took from the first ticket on.
async fn serve_each(
    app: Arc<luckydraw_core::App>,
    activity: Activity,
    count: u64,
    started: Instant,
) -> (Vec<Duration>, Duration) {
    let mut ended = Vec::new();
    let mut first = None;
    while (ended.len() as u64) < count {
        let Some(head) = app.tickets.head(&activity.id).await.expect("the line") else {
            tokio::task::yield_now().await;
            continue;
        };
        first.get_or_insert_with(Instant::now);
        let served = queueing::serve(&*app, &activity.id, head.number).await.expect("served");
        assert_eq!(served.drawn, 1, "the bench's stock never runs out");
        ended.push(started.elapsed());
    }
    (ended, first.map_or(Duration::ZERO, |first| first.elapsed()))
}

fn queued_activity() -> ActivitySpec {
    let wheel = prizes(&[("thanks", 400_000, 0, 0), ("cup", 300_000, 0, 0), ("tea", 200_000, 0, 0)]);
    ActivitySpec { entry: Entry::Queued, ..activity_spec("bench-line", DrawMode::RemainingStock, wheel) }
}
