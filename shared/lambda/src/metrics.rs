//! Metrics in CloudWatch's embedded metric format (EMF), namespace `luckydraw`: handlers
//! report what happened with one call each; [`flush`] writes it once per invocation (one JSON
//! document per set of dimension values, on stdout, which Lambda's log pipeline turns into
//! metrics). On in Lambda, off elsewhere, unless `LUCKYDRAW_METRICS` says otherwise.
//!
//! [`CATALOGUE`] lists every metric with its dimensions; a test holds the dashboard in
//! `template.yaml` to it. No dimension carries a user id: their values are functions,
//! routes, error codes, activities, prizes, outcomes and order statuses.

use std::sync::OnceLock;
use std::time::Duration;

use ::metrics::{Unit, counter, describe_counter, describe_histogram, histogram};
use luckydraw_core::Error;
use luckydraw_core::domain::{ActivityId, DrawOutcome, DrawRecord, OrderStatus};
use luckydraw_core::settings::ConfigError;
use luckydraw_core::usecases::settlement::Settled;
use metrics_cloudwatch_embedded::Collector;

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "luckydraw";

/// Requests answered (HTTP) or events handled, by `function`.
pub const REQUESTS: &str = "Requests";
/// Requests answered with an error, or messages and events that failed, by `function` and `code`.
pub const ERRORS: &str = "Errors";
/// Milliseconds from a request to its answer, by `route` (the API Gateway route key).
pub const LATENCY: &str = "Latency";
/// Draws by `activity` and `outcome` (`won`, `consolation`, `missed`).
pub const DRAWS: &str = "Draws";
/// Prizes won, by `activity` and `prize`.
pub const WINS: &str = "Wins";
/// Draws refused because every prize is gone, by `activity`.
pub const SOLD_OUT: &str = "SoldOut";
/// Draws refused because the player has used their quota, by `activity`.
pub const QUOTA_REFUSED: &str = "QuotaRefused";
/// Draws refused because the player holds too many unpaid prizes, by `activity`.
pub const UNPAID_LIMIT: &str = "UnpaidLimit";
/// Requests refused by a rate limit, by `function`.
pub const RATE_LIMITED: &str = "RateLimited";
/// Orders the consumer created, by `activity`.
pub const ORDERS_CREATED: &str = "OrdersCreated";
/// Orders the consumer moved on, by their new `status` (`paid`, `cancelled`, `expired`, `refunded`).
pub const ORDERS_MOVED: &str = "OrdersMoved";
/// Overdue orders whose expiry the sweep requested.
pub const EXPIRY_REQUESTED: &str = "ExpiryRequested";
/// Draws the settlement found recorded in the ledger.
pub const DRAWS_SETTLED: &str = "DrawsSettled";
/// Voided draws the settlement gave back (unit and quota).
pub const DRAWS_RELEASED: &str = "DrawsReleased";
/// Draws missing from the ledger whose message the settlement sent again.
pub const DRAWS_REQUEUED: &str = "DrawsRequeued";

/// Every metric and its dimensions, as the documents carry them.
pub const CATALOGUE: &[(&str, &[&str])] = &[
    (REQUESTS, &["function"]),
    (ERRORS, &["function", "code"]),
    (LATENCY, &["route"]),
    (DRAWS, &["activity", "outcome"]),
    (WINS, &["activity", "prize"]),
    (SOLD_OUT, &["activity"]),
    (QUOTA_REFUSED, &["activity"]),
    (UNPAID_LIMIT, &["activity"]),
    (RATE_LIMITED, &["function"]),
    (ORDERS_CREATED, &["activity"]),
    (ORDERS_MOVED, &["status"]),
    (EXPIRY_REQUESTED, &[]),
    (DRAWS_SETTLED, &[]),
    (DRAWS_RELEASED, &[]),
    (DRAWS_REQUEUED, &[]),
];

/// The `route` of a request that matched none.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The `code` of an event invocation that failed as a whole.
pub const INVOCATION_FAILED: &str = "invocation_failed";

/// The collector and the `function` dimension, once metrics are on.
struct Emf {
    collector: &'static Collector,
    function: &'static str,
}

static EMF: OnceLock<Emf> = OnceLock::new();

/// Turns metrics on if `LUCKYDRAW_METRICS` (`emf` or `off`) says so; unset, they are on in
/// Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) and off elsewhere. The `function` dimension is
/// the Lambda function's name, `local` outside Lambda.
pub fn init() -> Result<(), ConfigError> {
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").ok();
    let on = match std::env::var("LUCKYDRAW_METRICS").map(|value| value.trim().to_ascii_lowercase()) {
        Err(_) => function.is_some(),
        Ok(value) if value.is_empty() => function.is_some(),
        Ok(value) if value == "emf" => true,
        Ok(value) if value == "off" => false,
        Ok(value) => return Err(ConfigError::new("LUCKYDRAW_METRICS", &value, "expected `emf` or `off`")),
    };
    if on {
        enable(function.as_deref().unwrap_or("local"));
    }
    Ok(())
}

/// Turns metrics on in this process, reporting as `function`; later calls change nothing.
pub fn enable(function: &str) {
    EMF.get_or_init(|| {
        let collector = metrics_cloudwatch_embedded::Builder::new()
            .cloudwatch_namespace(NAMESPACE)
            .init()
            .expect("no other metrics recorder is installed");
        for (name, _) in CATALOGUE.iter().filter(|(name, _)| *name != LATENCY) {
            describe_counter!(*name, Unit::Count, "");
        }
        describe_histogram!(LATENCY, Unit::Milliseconds, "");
        Emf { collector, function: Box::leak(function.to_owned().into_boxed_str()) }
    });
}

/// Writes the metrics reported since the last flush to stdout; nothing when metrics are off.
pub fn flush() {
    if let Err(error) = flush_to(std::io::stdout().lock()) {
        tracing::warn!(%error, "metrics not written");
    }
}

/// Writes the metrics reported since the last flush to `writer`, one EMF document a line.
pub fn flush_to(writer: impl std::io::Write) -> std::io::Result<()> {
    match EMF.get() {
        Some(emf) => emf.collector.flush(writer),
        None => Ok(()),
    }
}

fn function() -> &'static str {
    EMF.get().map_or("local", |emf| emf.function)
}

/// One HTTP request answered on `route` (`None` if it matched none) in `latency`, with the
/// error it was answered with, if any.
pub fn request(route: Option<&str>, error: Option<&Error>, latency: Duration) {
    counter!(REQUESTS, "function" => function()).increment(1);
    let route = route.unwrap_or(UNMATCHED_ROUTE).to_owned();
    histogram!(LATENCY, "route" => route).record(latency.as_secs_f64() * 1000.0);
    if let Some(error) = error {
        failed(error);
        if let Error::RateLimited { .. } = error {
            counter!(RATE_LIMITED, "function" => function()).increment(1);
        }
    }
}

/// One failure with `error` (a request answered with it, or a message that failed with it).
pub fn failed(error: &Error) {
    failed_with(error.code());
}

/// One failure with `code`.
pub fn failed_with(code: &'static str) {
    counter!(ERRORS, "function" => function(), "code" => code).increment(1);
}

/// One event (a batch, a schedule's tick) handled.
pub fn invoked() {
    counter!(REQUESTS, "function" => function()).increment(1);
}

/// One draw, as recorded.
pub fn drawn(record: &DrawRecord) {
    let activity = record.id.activity().to_string();
    counter!(DRAWS, "activity" => activity.clone(), "outcome" => outcome_name(record.outcome)).increment(1);
    if record.outcome == DrawOutcome::Won {
        counter!(WINS, "activity" => activity, "prize" => record.prize_id.to_string()).increment(1);
    }
}

/// One draw in `activity` refused with `error`, if it is a refusal worth counting apart.
pub fn draw_refused(activity: &ActivityId, error: &Error) {
    let name = match error {
        Error::SoldOut => SOLD_OUT,
        Error::QuotaExceeded => QUOTA_REFUSED,
        Error::UnpaidLimit => UNPAID_LIMIT,
        _ => return,
    };
    counter!(name, "activity" => activity.to_string()).increment(1);
}

/// One order created in `activity`.
pub fn order_created(activity: &ActivityId) {
    counter!(ORDERS_CREATED, "activity" => activity.to_string()).increment(1);
}

/// One order moved to `status`.
pub fn order_moved(status: OrderStatus) {
    counter!(ORDERS_MOVED, "status" => status.as_str()).increment(1);
}

/// One expiry sweep that asked `count` orders to expire.
pub fn expiry_requested(count: usize) {
    counter!(EXPIRY_REQUESTED).increment(u64::try_from(count).unwrap_or(u64::MAX));
}

/// One settlement run.
pub fn settled(settled: &Settled) {
    counter!(DRAWS_SETTLED).increment(settled.recorded);
    counter!(DRAWS_RELEASED).increment(settled.released);
    counter!(DRAWS_REQUEUED).increment(settled.requeued);
}

/// `outcome` as the API spells it.
fn outcome_name(outcome: DrawOutcome) -> &'static str {
    match outcome {
        DrawOutcome::Won => "won",
        DrawOutcome::Consolation => "consolation",
        DrawOutcome::Missed => "missed",
    }
}
