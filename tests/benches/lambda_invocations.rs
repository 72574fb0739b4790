//! Warm invocations of every function's release bootstrap through the runtime API, on the
//! Redis-stock deployment (stock and sessions on a private `redis-server`, records and the
//! order queue on moto behind a counting proxy): per function its init (process start to
//! the first `GET /next`), the first invocation, N warm invocations (p50/p90/p99/max from
//! an HDR histogram), CPU time and log bytes per invocation, AWS requests and Redis
//! commands per invocation, and its peak RSS (`VmHWM` of `/proc/<pid>/status`) after them.
//!
//! `cargo bench -p luckydraw-tests --bench lambda_invocations` (`BENCH_DRAWS`, default 2,000 warm
//! draws, each by another player from another address; `BENCH_WARM`, default 50, warm
//! invocations of the other functions). Figures and the machine: `docs/lambda.md`.

#[allow(dead_code)] // each test file uses part of the shared harness
#[path = "../harness/mod.rs"]
mod harness;

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use luckydraw_testing::services;
use serde_json::Value;

use harness::deployment::Deployment;
use harness::lambda_events::{draw_events, order_batches};
use harness::private_redis::{PrivateRedis, RedisStats};
use harness::request_log::{self, RequestLog};
use harness::runtime_api::{Bootstrap, event};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let draws = setting("BENCH_DRAWS", 2000);
    let warm = setting("BENCH_WARM", 50);
    let redis = PrivateRedis::start();
    let proxy = RequestLog::start(services::moto_url()).await;
    let backends = redis.backends();
    let queue_url = backends.order_queue_url.clone().expect("a queue");
    // 6,500 units per scale: enough that no prize runs out during the draws.
    let deployment = Deployment::start_on(backends, draws.div_ceil(500) as u64 + 1).await;
    deployment.add_event_order(Duration::from_secs(3600)).await;
    println!("load average before: {}", load_average());

    // One more than measured: the first draw is the cold one.
    let draw_events = draw_events(&deployment, draws + 1).await;
    let mut rows = vec![measure("draw", bootstrap!("draw"), &deployment, &proxy, &redis, &draw_events).await];
    println!("{}", rows[0].timing());
    let mut batches = order_batches(&queue_url).await;
    assert!(batches.len() > 1, "the draws queued their messages ({} batches)", batches.len());
    // moto applies each write in turn: a few batches size the consumer without waiting on it.
    batches.truncate(warm.max(2));
    rows.push(measure("order-consumer", bootstrap!("order-consumer"), &deployment, &proxy, &redis, &batches).await);
    let repeated = |path: &str, times: usize| vec![event(path); times];
    let others: [(&str, &std::path::Path, Vec<Value>); 6] = [
        ("login", bootstrap!("login"), repeated("events/login/login.json", warm.min(50))),
        ("api", bootstrap!("api"), repeated("events/api/get-activity.json", warm)),
        ("admin", bootstrap!("admin"), repeated("events/admin/list-activities.json", warm)),
        ("pay-callback", bootstrap!("pay-callback"), repeated("events/pay-callback/notify.json", warm)),
        ("expire-orders", bootstrap!("expire-orders"), repeated("events/expire-orders/schedule.json", warm)),
        ("settle-draws", bootstrap!("settle-draws"), repeated("events/settle-draws/schedule.json", warm)),
    ];
    for (name, binary, events) in others {
        rows.push(measure(name, binary, &deployment, &proxy, &redis, &events).await);
        println!("{}", rows.last().expect("a row").timing());
    }
    println!("\nload average after: {}\n", load_average());
    println!("Latency in ms; CPU in ms per warm invocation (user + system); peak RSS in MiB (VmHWM).\n");
    println!("| function | warm | init | first | p50 | p90 | p99 | max | CPU | peak RSS | log bytes |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for row in &rows {
        println!("{}", row.timing());
    }
    println!("\nPer warm invocation: AWS requests through the proxy, Redis commands and bytes (private server).\n");
    println!("| function | AWS requests | Redis commands | Redis server µs | Redis bytes in | Redis bytes out |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for row in &rows {
        println!("{}", row.traffic());
    }
    println!("\n{}", redis.script_costs());
}

/// A whole-number setting from the environment.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// What one function did over its warm invocations.
struct Row {
    name: String,
    warm: usize,
    init: Duration,
    first: Duration,
    latency: Histogram<u64>,
    cpu: Duration,
    peak_rss_kib: u64,
    log_bytes: usize,
    aws: BTreeMap<String, usize>,
    redis: RedisStats,
}

impl Row {
    fn timing(&self) -> String {
        let ms = |micros: u64| micros as f64 / 1000.0;
        let at = |q: f64| ms(self.latency.value_at_quantile(q));
        let per = |total: f64| total / self.warm as f64;
        format!(
            "| {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.3} | {:.1} | {:.0} |",
            self.name,
            self.warm,
            self.init.as_secs_f64() * 1000.0,
            self.first.as_secs_f64() * 1000.0,
            at(0.5),
            at(0.9),
            at(0.99),
            ms(self.latency.max()),
            per(self.cpu.as_secs_f64() * 1000.0),
            self.peak_rss_kib as f64 / 1024.0,
            per(self.log_bytes as f64),
        )
    }

    fn traffic(&self) -> String {
        let per = |total: u64| total as f64 / self.warm as f64;
        let aws = self
            .aws
            .iter()
            .map(|(operation, calls)| format!("{operation} {:.2}", per(*calls as u64)))
            .collect::<Vec<_>>()
            .join(", ");
        let commands = self
            .redis
            .calls
            .iter()
            .map(|(command, stat)| format!("{command} {:.2}", per(stat.calls)))
            .collect::<Vec<_>>()
            .join(", ");
        let server_usec = self.redis.calls.values().map(|stat| stat.usec).sum();
        format!(
            "| {} | {} | {} | {:.1} | {:.0} | {:.0} |",
            self.name,
            if aws.is_empty() { "none".into() } else { aws },
            if commands.is_empty() { "none".into() } else { commands },
            per(server_usec),
            per(self.redis.bytes_in),
            per(self.redis.bytes_out),
        )
    }
}

/// Starts `binary` as `name`, times its init and first invocation, then the warm `events`.
async fn measure(
    name: &str,
    binary: &std::path::Path,
    deployment: &Deployment,
    proxy: &RequestLog,
    redis: &PrivateRedis,
    events: &[Value],
) -> Row {
    let mut env = deployment.env(name);
    env.retain(|(key, _)| key != "AWS_ENDPOINT_URL");
    env.push(("AWS_ENDPOINT_URL".into(), proxy.url().to_owned()));
    let mut function = Bootstrap::start(name, binary, &env).await;
    let init = function.ready().await;
    let (first, rest) = events.split_first().expect("at least one event");
    let first = function.invoke_timed(first).await.1;
    let pid = function.pid().expect("the function runs");
    proxy.take();
    let (redis_before, cpu_before, log_before) = (redis.stats(), cpu_time(pid), function.log().len());
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
    for event in rest {
        let took = function.invoke_timed(event).await.1;
        latency.record(took.as_micros().max(1) as u64).expect("a latency within the bounds");
    }
    let row = Row {
        name: name.to_owned(),
        warm: rest.len(),
        init,
        first,
        latency,
        cpu: cpu_time(pid).saturating_sub(cpu_before),
        peak_rss_kib: peak_rss_kib(pid),
        log_bytes: function.log().len() - log_before,
        aws: request_log::count(&proxy.take()),
        redis: redis.stats().since(&redis_before),
    };
    function.stop().await;
    row
}

/// User plus system CPU time of a process so far (`/proc/<pid>/stat`, in clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the process runs");
    let after_name = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the line; the slice starts at field 3 (the state).
    let ticks: u64 = fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// The peak resident set of a process (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process runs");
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).expect("a VmHWM line");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmHWM in kB")
}

/// The 1, 5 and 15 minute load averages (what `uptime` shows).
fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}
