//! The report: throughput, latency percentiles, answers by outcome and the audit, printed
//! as text for people or as one JSON document (`--json`) for tooling.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::audit::Violation;
use crate::outcome::Tally;

/// Everything a run found.
#[derive(Debug, Serialize)]
pub struct Report {
    /// What was loaded.
    pub target: Target,
    /// The activity drawn on.
    pub activity: String,
    /// Players that drew.
    pub players: u32,
    /// Concurrent connections.
    pub connections: u32,
    /// Seconds spent registering and logging in the players.
    pub sign_up_secs: f64,
    /// The storm's size and speed.
    pub draws: Throughput,
    /// Latency of the answered draws, in milliseconds.
    pub latency_ms: Latency,
    /// Answers per outcome.
    pub outcomes: Tally,
    /// The audit (absent with `--no-audit`).
    pub audit: Option<AuditReport>,
}

/// The deployment loaded.
#[derive(Debug, Serialize)]
pub struct Target {
    /// Its base URL.
    pub url: String,
    /// Whether the bench started it (`--start`).
    pub started: bool,
    /// The variables the bench gave a runner it started.
    pub runner_settings: BTreeMap<String, String>,
    /// Redis keys removed under the run's prefix afterwards.
    pub redis_keys_removed: Option<u64>,
}

/// How many draw requests, how fast.
#[derive(Debug, Serialize)]
pub struct Throughput {
    /// Requests sent.
    pub requests: u64,
    /// Requests answered (any status).
    pub answered: u64,
    /// From the first request to the last answer.
    pub elapsed_secs: f64,
    /// Answered requests per second.
    pub per_second: f64,
}

/// Percentiles of the answered requests' latency.
#[derive(Debug, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p99_9: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// What the audit found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// No violation.
    pub passed: bool,
    /// Whether the queue drained before the timeout.
    pub drained: bool,
    /// Seconds waited for it.
    pub drain_secs: f64,
    /// Orders of the activity.
    pub orders: usize,
    /// Won draws the bench saw.
    pub won_draws_seen: usize,
    /// Everything found wrong.
    pub violations: Vec<Violation>,
}

impl Throughput {
    /// The throughput of a storm that came to `tally` in `elapsed`.
    pub fn of(tally: &Tally, elapsed: Duration) -> Self {
        let elapsed_secs = elapsed.as_secs_f64();
        Self {
            requests: tally.total(),
            answered: tally.answered(),
            elapsed_secs,
            per_second: tally.answered() as f64 / elapsed_secs.max(1e-9),
        }
    }
}

impl Latency {
    /// Percentiles of a histogram of microseconds, in milliseconds.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |micros: u64| micros as f64 / 1_000.0;
        Self {
            p50: ms(histogram.value_at_quantile(0.50)),
            p90: ms(histogram.value_at_quantile(0.90)),
            p99: ms(histogram.value_at_quantile(0.99)),
            p99_9: ms(histogram.value_at_quantile(0.999)),
            max: ms(histogram.max()),
            mean: histogram.mean() / 1_000.0,
        }
    }
}

impl Report {
    /// Whether the audit (if run) found nothing wrong.
    pub fn passed(&self) -> bool {
        self.audit.as_ref().is_none_or(|audit| audit.passed)
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let Report { target, draws, latency_ms: l, outcomes: o, .. } = self;
        let _ = writeln!(out, "target      {}{}", target.url, if target.started { " (started)" } else { "" });
        for (name, value) in &target.runner_settings {
            let _ = writeln!(out, "            {name}={value}");
        }
        let _ = writeln!(
            out,
            "load        {} players on {}, {} connections (sign-up {:.1} s)",
            self.players, self.activity, self.connections, self.sign_up_secs
        );
        let _ = writeln!(
            out,
            "draws       {} answered of {} in {:.2} s: {:.0} draws/s",
            draws.answered, draws.requests, draws.elapsed_secs, draws.per_second
        );
        let _ = writeln!(
            out,
            "latency ms  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}  (mean {:.2})",
            l.p50, l.p90, l.p99, l.p99_9, l.max, l.mean
        );
        let _ = writeln!(
            out,
            "outcomes    won {}  consolation {}  missed {}  sold_out {}  quota_exceeded {}  unpaid_limit {}  \
             429 {}  503 {}  other {}  no answer {}",
            o.won,
            o.consolation,
            o.missed,
            o.sold_out,
            o.quota_exceeded,
            o.unpaid_limit,
            o.rate_limited,
            o.unavailable,
            o.other,
            o.transport_errors
        );
        match &self.audit {
            None => out.push_str("audit       skipped (--no-audit)\n"),
            Some(audit) => {
                let drained = if audit.drained { "drained" } else { "NOT drained" };
                let verdict = if audit.passed { "passed" } else { "FAILED" };
                let _ = writeln!(
                    out,
                    "audit       {verdict}: queue {drained} after {:.2} s; {} orders, {} won draws seen",
                    audit.drain_secs, audit.orders, audit.won_draws_seen
                );
                for violation in &audit.violations {
                    let _ = writeln!(out, "  violation {violation}");
                }
            }
        }
        if let Some(removed) = target.redis_keys_removed {
            let _ = writeln!(out, "cleanup     {removed} Redis keys removed");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_histogram_in_milliseconds() {
        let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        for micros in 1..=1_000 {
            histogram.record(micros * 10).expect("in bounds");
        }
        let latency = Latency::of(&histogram);
        assert!((latency.p50 - 5.0).abs() < 0.01, "{latency:?}");
        assert!((latency.p99 - 9.9).abs() < 0.01, "{latency:?}");
        assert!((latency.max - 10.0).abs() < 0.01, "{latency:?}");
    }
}
