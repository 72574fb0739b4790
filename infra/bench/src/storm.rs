//! The storm: `connections` tasks, each drawing in a loop over one shared keep-alive client
//! until the count or the time is up, players taken in turn. Each task keeps its own
//! histogram and tally (merged at the end), so the hot loop shares only two counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::ProgressBar;
use tokio::task::JoinSet;

use crate::api::{Api, Session};
use crate::cli::Until;
use crate::outcome::{Outcome, SeenDraw, Tally, classify};

/// The slowest answer the histogram records exactly (60 s, in microseconds).
const HISTOGRAM_MAX_MICROS: u64 = 60_000_000;

/// What a storm came to.
pub struct Storm {
    /// From the first request to the last answer.
    pub elapsed: Duration,
    /// Answers per outcome.
    pub tally: Tally,
    /// Latency of every answered request, in microseconds.
    pub latency: Histogram<u64>,
    /// The draws answered 200.
    pub seen: Vec<SeenDraw>,
}

/// What one connection's task came to.
struct Lane {
    tally: Tally,
    latency: Histogram<u64>,
    seen: Vec<SeenDraw>,
}

/// Draws on `activity` as `players` from `connections` connections until `until`.
pub async fn run(
    api: &Api,
    players: Arc<Vec<Session>>,
    activity: &str,
    connections: u32,
    until: Until,
    progress: &ProgressBar,
) -> Storm {
    let sent = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut lanes = JoinSet::new();
    for _ in 0..connections {
        let (api, players, sent, activity) = (api.clone(), players.clone(), sent.clone(), activity.to_owned());
        lanes.spawn(async move { lane(&api, &players, &activity, &sent, until, started).await });
    }
    let ticker = tokio::spawn(tick(progress.clone(), sent.clone(), until, started));
    let mut storm = Storm { elapsed: Duration::ZERO, tally: Tally::default(), latency: histogram(), seen: Vec::new() };
    while let Some(lane) = lanes.join_next().await {
        let Ok(lane) = lane else { continue };
        storm.tally.merge(&lane.tally);
        // Both histograms share bounds, so adding cannot fail.
        let _ = storm.latency.add(&lane.latency);
        storm.seen.extend(lane.seen);
    }
    storm.elapsed = started.elapsed();
    ticker.abort();
    progress.finish_and_clear();
    storm
}

/// One connection's loop.
async fn lane(
    api: &Api,
    players: &[Session],
    activity: &str,
    sent: &AtomicU64,
    until: Until,
    started: Instant,
) -> Lane {
    let mut lane = Lane { tally: Tally::default(), latency: histogram(), seen: Vec::new() };
    loop {
        let n = sent.fetch_add(1, Ordering::Relaxed);
        let done = match until {
            Until::Draws(draws) => n >= draws,
            Until::Elapsed(duration) => started.elapsed() >= duration,
        };
        if done {
            return lane;
        }
        let player = (n % players.len() as u64) as usize;
        let asked = Instant::now();
        let outcome = match api.draw(activity, &players[player].token).await {
            Ok(answer) => {
                let micros = asked.elapsed().as_micros().min(u128::from(HISTOGRAM_MAX_MICROS)) as u64;
                let _ = lane.latency.record(micros.max(1));
                let (outcome, draw) = classify(answer.status, &answer.body, player);
                lane.seen.extend(draw);
                outcome
            }
            Err(_) => Outcome::TransportError,
        };
        lane.tally.add(outcome);
    }
}

/// Moves the bar along every 100 ms: draws sent, or seconds gone.
async fn tick(progress: ProgressBar, sent: Arc<AtomicU64>, until: Until, started: Instant) {
    let mut every = tokio::time::interval(Duration::from_millis(100));
    loop {
        every.tick().await;
        let draws = sent.load(Ordering::Relaxed);
        let rate = draws as f64 / started.elapsed().as_secs_f64().max(1e-3);
        progress.set_message(format!("{rate:.0} draws/s"));
        progress.set_position(match until {
            Until::Draws(total) => draws.min(total),
            Until::Elapsed(_) => started.elapsed().as_millis() as u64,
        });
    }
}

/// A histogram of 1 µs to a minute with three significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, 3).expect("1 µs to a minute are valid bounds")
}
