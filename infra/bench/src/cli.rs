//! The command line: what to load, how hard, and what to print (`luckydraw-bench --help`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, ValueEnum};

/// `luckydraw-bench`: draws through HTTP, then an audit of the invariants.
#[derive(Debug, Parser)]
#[command(
    name = "luckydraw-bench",
    version,
    about = "Load a luckydraw deployment with draws, then audit the invariants",
    long_about = "Registers and logs in --players players, fires draws at --activity from \
--connections concurrent connections for --draws N or --duration, and reports draws/s, latency \
(an HDR histogram: p50/p90/p99/p99.9/max) and the answers by outcome. Then it waits for the \
order queue to drain and audits DESIGN §5 over the admin API: no oversell, conservation (no \
drift between the stock store and the ledger), exactly one order per won draw and none for \
any other, quotas held.\n\n\
The target is a running deployment (--url) or a local runner the bench starts itself \
(--start, on a free port, on the backends chosen with --stock/--sessions/--queue/--store). \
A started runner gets LUCKYDRAW_RATE_LIMITS=off (the documented load-test setting: one \
address draws for every player), a fresh LUCKYDRAW_REDIS_PREFIX when it uses Redis (removed \
afterwards unless --keep-keys), and LUCKYDRAW_ADMIN_PASSWORD (or a generated one). With --url, rate limits are \
the target's own business and the audit needs --admin-token or --admin-password.\n\n\
Exit status: 0 when the run (and the audit) passed, 1 when the audit found a violation \
(each is listed), 2 for a usage error, 3 when the target could not be started, reached or \
set up.",
    after_help = "Examples:\n  \
cargo build --release -p luckydraw-local -p luckydraw-bench\n  \
target/release/luckydraw-bench --start --stock redis --sessions redis --duration 10s\n  \
target/release/luckydraw-bench --start --new-activity --units 1000 --draws 3000 --json\n  \
LUCKYDRAW_TOKEN=... luckydraw-bench --url https://draw.example.com --activity demo --draws 10000"
)]
pub struct Cli {
    /// Where the draws go.
    #[command(flatten)]
    pub target: Target,
    /// The backends of a started runner.
    #[command(flatten)]
    pub backends: BackendChoice,
    /// How much load.
    #[command(flatten)]
    pub load: Load,
    /// The activity drawn on.
    #[command(flatten)]
    pub activity: ActivityChoice,
    /// Admin credentials for --url (a started runner's admin is logged in by the bench).
    #[command(flatten)]
    pub admin: AdminCredentials,
    /// Skip the audit (and the wait for the queue).
    #[arg(long)]
    pub no_audit: bool,
    /// How long to wait for every won draw's order before the audit reports them missing.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub drain_timeout: Duration,
    /// Print one JSON report on stdout (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

/// A running target or one to start.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
#[command(next_help_heading = "Target")]
pub struct Target {
    /// Base URL of a running deployment or local runner.
    #[arg(long, env = "LUCKYDRAW_URL")]
    pub url: Option<String>,
    /// Start the local runner (`luckydraw-local`) on a free port for this run.
    #[arg(long)]
    pub start: bool,
}

/// What a started runner runs on (its `LUCKYDRAW_*` variables; addresses such as `TABLE_NAME`
/// or `ORDER_QUEUE_URL` are passed on from the bench's environment).
#[derive(Debug, Args)]
#[command(next_help_heading = "Started runner (--start)")]
pub struct BackendChoice {
    /// The runner's binary (default: `luckydraw-local` next to this executable).
    #[arg(long, value_name = "PATH")]
    pub runner: Option<PathBuf>,
    /// Stock, quotas and the draw log (`LUCKYDRAW_STOCK`).
    #[arg(long, value_enum, default_value_t = Stock::Memory)]
    pub stock: Stock,
    /// Sessions and rate-limit counters (`LUCKYDRAW_SESSIONS`).
    #[arg(long, value_enum, default_value_t = Sessions::Memory)]
    pub sessions: Sessions,
    /// The order queue (`LUCKYDRAW_QUEUE`; `sqs` needs `ORDER_QUEUE_URL` and `AWS_*` set).
    #[arg(long, value_enum, default_value_t = Queue::Memory)]
    pub queue: Queue,
    /// Users, activities and orders (`LUCKYDRAW_STORE`; `dynamodb` needs `TABLE_NAME` and `AWS_*`).
    #[arg(long, value_enum, default_value_t = Store::Memory)]
    pub store: Store,
    /// The Redis server when Redis is chosen (`REDIS_URL`).
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub redis_url: String,
    /// Leave the run's Redis keys (under its own `LUCKYDRAW_REDIS_PREFIX`) in place.
    #[arg(long)]
    pub keep_keys: bool,
}

/// `LUCKYDRAW_STOCK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Stock {
    /// In the runner's process.
    Memory,
    /// Redis (one Lua script per draw).
    Redis,
    /// DynamoDB (one transaction per draw).
    Dynamodb,
}

/// `LUCKYDRAW_SESSIONS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Sessions {
    /// In the runner's process.
    Memory,
    /// Redis keys with TTLs.
    Redis,
    /// DynamoDB items.
    Dynamodb,
}

/// `LUCKYDRAW_QUEUE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Queue {
    /// In-process, consumed by the runner.
    Memory,
    /// SQS, polled by the runner.
    Sqs,
}

/// `LUCKYDRAW_STORE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Store {
    /// In the runner's process.
    Memory,
    /// DynamoDB.
    Dynamodb,
}

/// How many players, connections and draws.
#[derive(Debug, Args)]
#[command(next_help_heading = "Load")]
pub struct Load {
    /// Players registered and logged in before the storm (in parallel).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub players: u32,
    /// Concurrent connections firing draws.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub connections: u32,
    /// Stop after this many draws.
    #[arg(long, conflicts_with = "duration")]
    pub draws: Option<u64>,
    /// Stop after this long (`10s`, `1m`); 10 s unless --draws is given.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,
    /// How long one request may take before it counts as a transport error.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

/// Which activity is drawn on.
#[derive(Debug, Args)]
#[command(next_help_heading = "Activity")]
pub struct ActivityChoice {
    /// The activity to draw on.
    #[arg(long, default_value = "demo", conflicts_with = "new_activity")]
    pub activity: String,
    /// Create a fresh small activity through the admin API (`bench-<run>`) and draw on it,
    /// so a run can sell out without touching the demo.
    #[arg(long)]
    pub new_activity: bool,
    /// Units of the fresh activity, the "thank you" slot's included.
    #[arg(long, default_value_t = 1_000, requires = "new_activity", value_parser = clap::value_parser!(u64).range(4..))]
    pub units: u64,
    /// Draws per player in the fresh activity (0 = unlimited).
    #[arg(long, default_value_t = 0, requires = "new_activity")]
    pub per_user_limit: u32,
}

/// How the bench logs in as an admin on a target it did not start.
#[derive(Debug, Args)]
#[command(next_help_heading = "Admin (for --url)")]
pub struct AdminCredentials {
    /// An admin session token (`luckydraw-admin login` prints one).
    #[arg(long, env = "LUCKYDRAW_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The admin to log in as.
    #[arg(long, env = "LUCKYDRAW_ADMIN_USER", default_value = "admin")]
    pub admin_user: String,
    /// The admin's password (prefer the variable: arguments show in the process list).
    #[arg(long, env = "LUCKYDRAW_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

/// When the storm ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// After this many draws.
    Draws(u64),
    /// After this long.
    Elapsed(Duration),
}

impl Load {
    /// The stop condition: --draws, else --duration, else 10 s.
    pub fn until(&self) -> Until {
        match (self.draws, self.duration) {
            (Some(draws), _) => Until::Draws(draws),
            (None, Some(duration)) => Until::Elapsed(duration),
            (None, None) => Until::Elapsed(Duration::from_secs(10)),
        }
    }
}

impl BackendChoice {
    /// Whether the started runner talks to Redis.
    pub fn uses_redis(&self) -> bool {
        self.stock == Stock::Redis || self.sessions == Sessions::Redis
    }

    /// The runner's backend variables.
    pub fn env(&self) -> [(&'static str, String); 4] {
        [
            ("LUCKYDRAW_STOCK", spelling(self.stock)),
            ("LUCKYDRAW_SESSIONS", spelling(self.sessions)),
            ("LUCKYDRAW_QUEUE", spelling(self.queue)),
            ("LUCKYDRAW_STORE", spelling(self.store)),
        ]
    }
}

/// A value as the command line (and the runner's variable) spells it.
fn spelling(value: impl ValueEnum) -> String {
    value.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ten_seconds_unless_told_otherwise_and_backends_spelt_as_the_runner_reads_them() {
        let cli = Cli::parse_from(["luckydraw-bench", "--start", "--stock", "redis"]);
        assert_eq!(cli.load.until(), Until::Elapsed(Duration::from_secs(10)));
        assert_eq!(cli.backends.env()[0], ("LUCKYDRAW_STOCK", "redis".to_owned()));
        assert!(cli.backends.uses_redis());
        let cli = Cli::parse_from(["luckydraw-bench", "--url", "http://x", "--draws", "5"]);
        assert_eq!(cli.load.until(), Until::Draws(5));
        assert!(Cli::try_parse_from(["luckydraw-bench"]).is_err(), "a target is required");
        assert!(Cli::try_parse_from(["luckydraw-bench", "--start", "--draws", "1", "--duration", "1s"]).is_err());
    }
}
