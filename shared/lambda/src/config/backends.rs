//! Which backend serves each port, and where it is: `LUCKYDRAW_STORE`, `LUCKYDRAW_STOCK`,
//! `LUCKYDRAW_QUEUE`, `LUCKYDRAW_SESSIONS`, `REDIS_URL`, `TABLE_NAME`, `ORDER_QUEUE_URL`, ...
//! Read once at start; a missing address or a combination that cannot work fails here,
//! with a message naming the variable, before any request is served.

use std::time::Duration;

use luckydraw_adapters::dynamodb::ShardPlan;
pub use luckydraw_adapters::redis::{RedisMode, RedisTarget};

use super::{ConfigError, parse_or};

/// Where users, activities and orders live (`LUCKYDRAW_STORE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordBackend {
    /// In this process.
    Memory,
    /// The DynamoDB table `TABLE_NAME`.
    DynamoDb,
}

/// Where stock, quotas and the draw log live (`LUCKYDRAW_STOCK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockBackend {
    /// In this process.
    Memory,
    /// Redis: one Lua script per draw.
    Redis,
    /// DynamoDB: one transaction per draw over sharded stock items.
    DynamoDb,
}

/// Where order messages go (`LUCKYDRAW_QUEUE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueBackend {
    /// An in-process queue (the local runner consumes it).
    Memory,
    /// The SQS queue `ORDER_QUEUE_URL`.
    Sqs,
}

/// Where sessions, rate-limit counters and cached pay links live (`LUCKYDRAW_SESSIONS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionBackend {
    /// In this process.
    Memory,
    /// Redis keys with TTLs (a session's slides with use).
    Redis,
    /// DynamoDB items with a TTL attribute.
    DynamoDb,
}

/// Every backend choice and address.
#[derive(Clone, Debug)]
pub struct Backends {
    /// Users, activities, orders.
    pub store: RecordBackend,
    /// Stock, quotas, draw log.
    pub stock: StockBackend,
    /// The order queue.
    pub queue: QueueBackend,
    /// Sessions, rate limits and pay links.
    pub sessions: SessionBackend,
    /// Redis, when something uses it.
    pub redis: Option<RedisTarget>,
    /// Single server or cluster.
    pub redis_mode: RedisMode,
    /// Every Redis key starts with this and a colon (`LUCKYDRAW_REDIS_PREFIX`).
    pub redis_prefix: String,
    /// The DynamoDB table, when something uses it.
    pub table_name: Option<String>,
    /// The SQS queue, when used.
    pub order_queue_url: Option<String>,
    /// The SQS FIFO draw queue of queued activities (`DRAW_QUEUE_URL`), with `LUCKYDRAW_QUEUE=sqs`;
    /// without it, tickets wake an in-process worker.
    pub draw_queue_url: Option<String>,
    /// DynamoDB stock shards per prize.
    pub stock_shards: ShardPlan,
    /// How long a process keeps an activity it read from a shared store (0 = not at all).
    pub activity_cache: Duration,
    /// How long each call to Redis, DynamoDB or SQS may take.
    pub timeouts: Timeouts,
}

/// Deadlines on every remote call, so a dead or paused dependency turns a request into a
/// 503 within about a second instead of a hang (`docs/reliability.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// One Redis command or connection attempt (`LUCKYDRAW_REDIS_TIMEOUT_MS`).
    pub redis: Duration,
    /// Connecting to an AWS endpoint (`LUCKYDRAW_AWS_CONNECT_TIMEOUT_MS`).
    pub aws_connect: Duration,
    /// One attempt of an AWS call (`LUCKYDRAW_AWS_ATTEMPT_TIMEOUT_MS`).
    pub aws_attempt: Duration,
    /// An AWS call with its retries (`LUCKYDRAW_AWS_OPERATION_TIMEOUT_MS`).
    pub aws_operation: Duration,
    /// Attempts per AWS call, retried with jittered backoff (`LUCKYDRAW_AWS_MAX_ATTEMPTS`).
    pub aws_max_attempts: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            redis: Duration::from_millis(1000),
            aws_connect: Duration::from_millis(500),
            aws_attempt: Duration::from_millis(800),
            aws_operation: Duration::from_millis(1500),
            aws_max_attempts: 3,
        }
    }
}

impl Timeouts {
    /// Reads the timeout variables through `lookup`, defaulting what is unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let millis = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            let value: u64 = parse_or(&lookup, name, default.as_millis() as u64)?;
            match value {
                0 => Err(ConfigError::new(name, "0", "a timeout must be at least 1 ms")),
                value => Ok(Duration::from_millis(value)),
            }
        };
        let max_attempts: u32 = parse_or(&lookup, "LUCKYDRAW_AWS_MAX_ATTEMPTS", defaults.aws_max_attempts)?;
        if max_attempts == 0 {
            return Err(ConfigError::new("LUCKYDRAW_AWS_MAX_ATTEMPTS", "0", "at least one attempt"));
        }
        Ok(Self {
            redis: millis("LUCKYDRAW_REDIS_TIMEOUT_MS", defaults.redis)?,
            aws_connect: millis("LUCKYDRAW_AWS_CONNECT_TIMEOUT_MS", defaults.aws_connect)?,
            aws_attempt: millis("LUCKYDRAW_AWS_ATTEMPT_TIMEOUT_MS", defaults.aws_attempt)?,
            aws_operation: millis("LUCKYDRAW_AWS_OPERATION_TIMEOUT_MS", defaults.aws_operation)?,
            aws_max_attempts: max_attempts,
        })
    }
}

impl Default for Backends {
    fn default() -> Self {
        Self {
            store: RecordBackend::Memory,
            stock: StockBackend::Memory,
            queue: QueueBackend::Memory,
            sessions: SessionBackend::Memory,
            redis: None,
            redis_mode: RedisMode::Auto,
            redis_prefix: "luckydraw".to_owned(),
            table_name: None,
            order_queue_url: None,
            draw_queue_url: None,
            stock_shards: ShardPlan::uniform(ShardPlan::DEFAULT_SHARDS),
            activity_cache: Duration::from_secs(2),
            timeouts: Timeouts::default(),
        }
    }
}

impl Backends {
    /// Reads the backend variables from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the backend variables through `lookup`; memory everywhere when nothing is set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let set = |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let choose = |name: &str, options: &[&str]| -> Result<usize, ConfigError> {
            let Some(value) = set(name) else { return Ok(0) };
            options
                .iter()
                .position(|option| value.eq_ignore_ascii_case(option))
                .ok_or_else(|| ConfigError::new(name, &value, format!("expected one of: {}", options.join(", "))))
        };
        let store =
            [RecordBackend::Memory, RecordBackend::DynamoDb][choose("LUCKYDRAW_STORE", &["memory", "dynamodb"])?];
        let stock = [StockBackend::Memory, StockBackend::Redis, StockBackend::DynamoDb]
            [choose("LUCKYDRAW_STOCK", &["memory", "redis", "dynamodb"])?];
        let queue = [QueueBackend::Memory, QueueBackend::Sqs][choose("LUCKYDRAW_QUEUE", &["memory", "sqs"])?];
        let sessions = [SessionBackend::Memory, SessionBackend::Redis, SessionBackend::DynamoDb]
            [choose("LUCKYDRAW_SESSIONS", &["memory", "redis", "dynamodb"])?];
        let redis_mode = [RedisMode::Auto, RedisMode::Single, RedisMode::Cluster]
            [choose("LUCKYDRAW_REDIS_MODE", &["auto", "single", "cluster"])?];
        let redis = match (set("REDIS_URL"), set("LUCKYDRAW_CACHE_NAME")) {
            (Some(url), _) => Some(RedisTarget::Url(url.into())),
            (None, Some(name)) => Some(RedisTarget::CacheName(name)),
            (None, None) => None,
        };
        let defaults = Self::default();
        let default_shards: u16 = parse_or(&lookup, "LUCKYDRAW_STOCK_SHARDS", ShardPlan::DEFAULT_SHARDS)?;
        let stock_shards = ShardPlan::parse(default_shards, set("LUCKYDRAW_STOCK_SHARDS_BY_PRIZE").as_deref())?;
        let cache_ms = parse_or(&lookup, "LUCKYDRAW_ACTIVITY_CACHE_MS", defaults.activity_cache.as_millis() as u64)?;
        let backends = Self {
            store,
            stock,
            queue,
            sessions,
            redis,
            redis_mode,
            redis_prefix: set("LUCKYDRAW_REDIS_PREFIX").unwrap_or(defaults.redis_prefix),
            table_name: set("TABLE_NAME"),
            order_queue_url: set("ORDER_QUEUE_URL"),
            draw_queue_url: set("DRAW_QUEUE_URL"),
            stock_shards,
            activity_cache: Duration::from_millis(cache_ms),
            timeouts: Timeouts::from_lookup(&lookup)?,
        };
        let region = set("AWS_REGION").or_else(|| set("AWS_DEFAULT_REGION"));
        backends.check(set("AWS_LAMBDA_FUNCTION_NAME").is_some(), region.is_some())?;
        Ok(backends)
    }

    /// Whether Redis serves any port.
    pub fn uses_redis(&self) -> bool {
        self.stock == StockBackend::Redis || self.sessions == SessionBackend::Redis
    }

    /// Whether the DynamoDB table serves any port.
    pub fn uses_dynamodb(&self) -> bool {
        self.store == RecordBackend::DynamoDb
            || self.stock == StockBackend::DynamoDb
            || self.sessions == SessionBackend::DynamoDb
    }

    /// Whether any AWS service is needed (DynamoDB, SQS, or ElastiCache to find Redis).
    pub fn uses_aws(&self) -> bool {
        self.uses_dynamodb()
            || self.queue == QueueBackend::Sqs
            || (self.uses_redis() && matches!(self.redis, Some(RedisTarget::CacheName(_))))
    }

    /// Whether any port is served from this process's memory.
    fn uses_memory(&self) -> bool {
        self.store == RecordBackend::Memory
            || self.stock == StockBackend::Memory
            || self.queue == QueueBackend::Memory
            || self.sessions == SessionBackend::Memory
    }

    /// Whether every port is served from memory.
    fn all_memory(&self) -> bool {
        !self.uses_redis() && !self.uses_dynamodb() && self.queue == QueueBackend::Memory
    }

    /// Every address a chosen backend needs is there, and the mix can work.
    fn check(&self, in_lambda: bool, region_set: bool) -> Result<(), ConfigError> {
        if self.uses_redis() && self.redis.is_none() {
            return Err(ConfigError::new("REDIS_URL", "", "Redis is selected: set REDIS_URL or LUCKYDRAW_CACHE_NAME"));
        }
        if self.uses_dynamodb() && self.table_name.is_none() {
            return Err(ConfigError::new("TABLE_NAME", "", "DynamoDB is selected: name the table"));
        }
        if self.queue == QueueBackend::Sqs && self.order_queue_url.is_none() {
            return Err(ConfigError::new("ORDER_QUEUE_URL", "", "LUCKYDRAW_QUEUE=sqs: give the queue's URL"));
        }
        if self.uses_aws() && !region_set {
            // Without it the SDK would ask the EC2 metadata service, which only exists on AWS.
            return Err(ConfigError::new("AWS_REGION", "", "an AWS backend is selected: set the region"));
        }
        if in_lambda && self.uses_memory() && !self.all_memory() {
            return Err(ConfigError::new(
                "LUCKYDRAW_STORE/STOCK/QUEUE/SESSIONS",
                &self.summary(),
                "in Lambda every function instance has its own memory and the consumer runs elsewhere: \
                 choose real backends for every port, or memory for all",
            ));
        }
        Ok(())
    }

    /// `store=…, stock=…, queue=…, sessions=…` for logs.
    pub fn summary(&self) -> String {
        format!("store={:?}, stock={:?}, queue={:?}, sessions={:?}", self.store, self.stock, self.queue, self.sessions)
            .to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn backends(pairs: &[(&str, &str)]) -> Result<Backends, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Backends::from_lookup(move |name| map.get(name).cloned())
    }

    #[test]
    fn memory_everywhere_by_default() {
        let chosen = backends(&[]).unwrap();
        assert_eq!(chosen.summary(), "store=memory, stock=memory, queue=memory, sessions=memory");
        assert!(!chosen.uses_redis() && !chosen.uses_dynamodb());
    }

    #[test]
    fn real_backends_need_their_addresses() {
        let error = backends(&[("LUCKYDRAW_STOCK", "redis")]).unwrap_err().to_string();
        assert!(error.contains("REDIS_URL"), "{error}");
        let error = backends(&[("LUCKYDRAW_SESSIONS", "dynamodb")]).unwrap_err().to_string();
        assert!(error.contains("TABLE_NAME"), "{error}");
        let error = backends(&[("LUCKYDRAW_STORE", "dynamodb"), ("TABLE_NAME", "t")]).unwrap_err().to_string();
        assert!(error.contains("AWS_REGION"), "{error}");
        let error = backends(&[("LUCKYDRAW_QUEUE", "sqs")]).unwrap_err().to_string();
        assert!(error.contains("ORDER_QUEUE_URL"), "{error}");
        let chosen = backends(&[
            ("LUCKYDRAW_STORE", "dynamodb"),
            ("LUCKYDRAW_STOCK", "Redis"),
            ("LUCKYDRAW_QUEUE", "sqs"),
            ("LUCKYDRAW_SESSIONS", "redis"),
            ("REDIS_URL", "redis://:hunter2@127.0.0.1:6379"),
            ("TABLE_NAME", "luckydraw"),
            ("ORDER_QUEUE_URL", "http://127.0.0.1:5000/123456789012/orders"),
            ("AWS_REGION", "us-east-1"),
        ])
        .unwrap();
        assert_eq!(chosen.stock, StockBackend::Redis);
        assert!(!format!("{chosen:?}").contains("hunter2"), "the password never shows");
    }

    #[test]
    fn unknown_values_and_split_state_in_lambda_are_refused() {
        let error = backends(&[("LUCKYDRAW_STOCK", "postgres")]).unwrap_err().to_string();
        assert!(error.contains("expected one of: memory, redis, dynamodb"), "{error}");
        let split =
            [("LUCKYDRAW_STOCK", "redis"), ("REDIS_URL", "redis://127.0.0.1"), ("AWS_LAMBDA_FUNCTION_NAME", "draw")];
        let error = backends(&split).unwrap_err().to_string();
        assert!(error.contains("in Lambda"), "{error}");
        assert!(backends(&split[..2]).is_ok(), "one local process may mix memory and real backends");
        assert!(backends(&[("AWS_LAMBDA_FUNCTION_NAME", "draw")]).is_ok(), "all memory is a demo, not a split");
    }
}
