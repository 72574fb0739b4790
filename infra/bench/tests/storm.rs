//! The built `luckydraw-bench` starting the real local runner (`--start`, the runner's own
//! main.rs built in this package) on memory and on Redis stock and sessions: a small fresh
//! activity stormed until it sells out, then audited. Speed is not asserted here (that is
//! what the bench's figures in docs/benchmarks.md are for), only that the books balance.

use std::process::{Command, Output};

use luckydraw_testing::services;
use redis::Commands;
use serde_json::Value;

/// Units of the fresh activity, and draws fired at it: enough to sell out and go on.
const UNITS: u64 = 1_000;
const DRAWS: u64 = 3_000;

/// Runs the bench with `args`, with no target or credentials from this environment.
fn bench(args: &[&str]) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_luckydraw-bench"));
    for name in ["LUCKYDRAW_URL", "LUCKYDRAW_TOKEN", "LUCKYDRAW_ADMIN_PASSWORD", "REDIS_URL"] {
        command.env_remove(name);
    }
    let Output { status, stdout, stderr } = command.args(args).output().expect("the bench runs");
    (status.code(), String::from_utf8_lossy(&stdout).into(), String::from_utf8_lossy(&stderr).into())
}

/// A storm on a fresh activity through a runner the bench starts on `backends`; its report.
fn storm(backends: &[&str]) -> Value {
    let (units, draws) = (UNITS.to_string(), DRAWS.to_string());
    let mut args = vec!["--start", "--runner", env!("CARGO_BIN_EXE_luckydraw-bench-runner"), "--json"];
    args.extend(["--new-activity", "--units", &units, "--per-user-limit", "40"]);
    args.extend(["--players", "64", "--connections", "32", "--draws", &draws]);
    args.extend(backends);
    let (code, stdout, stderr) = bench(&args);
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

/// The report shows an audited sell-out: every draw answered and counted once, every unit
/// handed out exactly once, one order per win, then only sold-out answers.
fn assert_audited_sell_out(report: &Value) {
    let count = |pointer: &str| report.pointer(pointer).and_then(Value::as_u64).unwrap_or_else(|| panic!("{pointer}"));
    assert_eq!(report.pointer("/audit/passed"), Some(&Value::Bool(true)), "{report:#}");
    assert_eq!(report.pointer("/audit/drained"), Some(&Value::Bool(true)), "{report:#}");
    assert_eq!(report.pointer("/audit/violations"), Some(&Value::Array(vec![])), "{report:#}");
    assert_eq!(report.pointer("/target/runner_settings/LUCKYDRAW_RATE_LIMITS"), Some(&Value::from("off")));
    let outcomes = report["outcomes"].as_object().expect("outcomes");
    let sum: u64 = outcomes.values().filter_map(Value::as_u64).sum();
    assert_eq!((sum, count("/draws/requests"), count("/draws/answered")), (DRAWS, DRAWS, DRAWS), "{report:#}");
    // A draw answered 503 (a stalled Redis on a loaded machine) may hold its unit until the
    // settlement gives it back; every other unit went to exactly one answered draw.
    let drawn = count("/outcomes/won") + count("/outcomes/consolation");
    assert!(drawn <= UNITS && drawn + count("/outcomes/unavailable") >= UNITS, "every unit drawn once: {report:#}");
    assert!(count("/outcomes/sold_out") > 0, "sold-out answers after the last unit: {report:#}");
    assert_eq!(count("/outcomes/transport_errors"), 0, "every draw answered: {report:#}");
    assert_eq!(count("/audit/orders"), count("/outcomes/won"), "one order per win: {report:#}");
    assert!(report.pointer("/latency_ms/max").and_then(Value::as_f64) > Some(0.0), "{report:#}");
}

#[test]
fn a_storm_on_memory_stock_sells_out_and_passes_the_audit() {
    let report = storm(&["--stock", "memory", "--sessions", "memory"]);
    assert_audited_sell_out(&report);
    assert_eq!(report.pointer("/target/runner_settings/LUCKYDRAW_STOCK"), Some(&Value::from("memory")));
    assert_eq!(report.pointer("/target/redis_keys_removed"), Some(&Value::Null), "no Redis, nothing to remove");
}

#[test]
fn a_storm_on_redis_stock_and_sessions_sells_out_passes_the_audit_and_leaves_no_keys() {
    let url = services::redis_url();
    let report = storm(&["--stock", "redis", "--sessions", "redis", "--redis-url", url]);
    assert_audited_sell_out(&report);
    let prefix = report.pointer("/target/runner_settings/LUCKYDRAW_REDIS_PREFIX").and_then(Value::as_str);
    let prefix = prefix.expect("a prefix of the run's own");
    assert!(report.pointer("/target/redis_keys_removed").and_then(Value::as_u64) > Some(0), "{report:#}");
    let mut redis = redis::Client::open(url).and_then(|client| client.get_connection()).expect("the test Redis");
    let left: Vec<String> = redis.scan_match(format!("{prefix}:*")).expect("SCAN").filter_map(Result::ok).collect();
    assert_eq!(left, Vec::<String>::new(), "the run's keys are gone");
}

#[test]
fn an_audit_without_admin_credentials_is_a_usage_error_before_any_draw() {
    let (code, _, stderr) = bench(&["--url", "http://127.0.0.1:9", "--draws", "1"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("need an admin"), "{stderr}");
}

#[test]
fn an_unreachable_target_exits_3() {
    let (code, _, stderr) = bench(&["--url", "http://127.0.0.1:9", "--draws", "1", "--no-audit"]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("no answer from http://127.0.0.1:9/register"), "{stderr}");
}
