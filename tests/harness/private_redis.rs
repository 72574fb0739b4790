//! A `redis-server` of the caller's own on a free port, so that its command statistics
//! (`INFO commandstats`, network bytes) count only what the functions under measure sent.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use luckydraw_lambda::config::backends::{
    Backends, QueueBackend, RecordBackend, RedisTarget, SessionBackend, StockBackend,
};
use luckydraw_testing::services;

/// A `redis-server` of the bench's own on a free port, so its command statistics count
/// only the functions' commands; stopped when dropped.
pub struct PrivateRedis {
    /// Its URL (`redis://127.0.0.1:<port>`).
    pub url: String,
    port: u16,
    child: Child,
}

/// Calls and server time of one Redis command.
#[derive(Clone, Copy, Default)]
pub struct CommandStat {
    /// How many times it ran.
    pub calls: u64,
    /// Server time spent in it, µs.
    pub usec: u64,
}

/// Redis counters: commands by name, and network bytes.
#[derive(Default)]
pub struct RedisStats {
    /// Per command (lowercase, as `INFO` names them).
    pub calls: BTreeMap<String, CommandStat>,
    /// Bytes received from clients.
    pub bytes_in: u64,
    /// Bytes sent to clients.
    pub bytes_out: u64,
}

impl RedisStats {
    /// What happened between `before` and these counters (commands that did not change left out).
    pub fn since(&self, before: &RedisStats) -> RedisStats {
        let calls = self
            .calls
            .iter()
            .filter_map(|(command, stat)| {
                let earlier = before.calls.get(command).copied().unwrap_or_default();
                let calls = stat.calls - earlier.calls;
                (calls > 0 && command != "info")
                    .then(|| (command.clone(), CommandStat { calls, usec: stat.usec - earlier.usec }))
            })
            .collect();
        RedisStats { calls, bytes_in: self.bytes_in - before.bytes_in, bytes_out: self.bytes_out - before.bytes_out }
    }
}

impl PrivateRedis {
    /// The deployment the benches measure Redis on: records and the queue on moto (a table
    /// and queue of their own), stock and sessions on this server.
    pub fn backends(&self) -> Backends {
        Backends {
            store: RecordBackend::DynamoDb,
            stock: StockBackend::Redis,
            queue: QueueBackend::Sqs,
            sessions: SessionBackend::Redis,
            redis: Some(RedisTarget::Url(self.url.clone().into())),
            redis_prefix: "bench".into(),
            table_name: Some(services::unique("luckydraw")),
            order_queue_url: Some(format!("{}/123456789012/{}", services::moto_url(), services::unique("orders"))),
            ..Backends::default()
        }
    }

    /// Starts the server and waits for its `PONG`.
    pub fn start() -> PrivateRedis {
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts (apt-get install redis-server)");
        let redis = PrivateRedis { url: format!("redis://127.0.0.1:{port}"), port, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis.cli(&["PING"]).trim() != "PONG" {
            assert!(Instant::now() < deadline, "redis-server did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn cli(&self, args: &[&str]) -> String {
        let output = Command::new("redis-cli").args(["-p", &self.port.to_string()]).args(args).output();
        output.map(|output| String::from_utf8_lossy(&output.stdout).into_owned()).unwrap_or_default()
    }

    /// The server's counters now.
    pub fn stats(&self) -> RedisStats {
        let mut stats = RedisStats::default();
        for line in self.cli(&["INFO", "all"]).lines() {
            if let Some(rest) = line.strip_prefix("cmdstat_") {
                let (command, fields) = rest.split_once(':').unwrap_or((rest, ""));
                let field = |name: &str| {
                    fields.split(',').find_map(|field| field.strip_prefix(name)).and_then(|value| value.parse().ok())
                };
                let stat = CommandStat { calls: field("calls=").unwrap_or(0), usec: field("usec=").unwrap_or(0) };
                stats.calls.insert(command.to_owned(), stat);
            } else if let Some(bytes) = line.strip_prefix("total_net_input_bytes:") {
                stats.bytes_in = bytes.trim().parse().unwrap_or(0);
            } else if let Some(bytes) = line.strip_prefix("total_net_output_bytes:") {
                stats.bytes_out = bytes.trim().parse().unwrap_or(0);
            }
        }
        stats
    }

    /// Server time per call of the scripts the functions ran, beside a plain `GET` (what
    /// ElastiCache prices at 1 ECPU per KB): the ratio estimates a script's ECPUs.
    pub fn script_costs(&self) -> String {
        let before = self.stats();
        let reference = Command::new("redis-benchmark")
            .args(["-p", &self.port.to_string(), "-t", "get", "-n", "100000", "-q"])
            .output()
            .is_ok();
        let gets = self.stats().since(&before);
        let get = gets.calls.get("get").copied().unwrap_or_default();
        let per_call = |stat: &CommandStat| stat.usec as f64 / stat.calls.max(1) as f64;
        let mut lines = vec![format!(
            "Server time per call over the whole run (µs): GET {:.2}{}",
            per_call(&get),
            if reference { "" } else { " (redis-benchmark missing)" }
        )];
        for (command, stat) in &before.calls {
            if ["evalsha", "eval", "get", "set", "script|load"].contains(&command.as_str()) {
                lines.push(format!("{command}: {} calls, {:.2} µs per call", stat.calls, per_call(stat)));
            }
        }
        lines.join("\n")
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
