//! Redis adapters: stock, quotas and the draw log as Lua scripts over one hash slot per
//! activity; sessions, rate-limit counters and pay links as keys with TTLs. The key layout and the
//! scripts are described in `docs/redis.md`; the scripts live in `infra/redis/`.

mod buckets;
mod cache;
mod moves;
mod per_bucket;
mod records;
mod stock;
mod target;
mod tickets;

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    Cmd, ErrorKind, FromRedisValue, Pipeline, RedisError, RedisFuture, RedisResult, Script, ServerErrorKind,
    TlsCertificates, Value,
};

pub use cache::{RedisPayLinks, RedisRateLimits, RedisSessions};
pub use stock::RedisStock;
pub use target::{RedisMode, RedisTarget, redacted};
pub use tickets::RedisTickets;

use luckydraw_core::domain::{ActivityId, OrderId};
use luckydraw_core::error::StoreError;

/// A connection to one Redis server or to a Redis Cluster; cheap to clone (multiplexed),
/// reconnecting by itself after a failure.
#[derive(Clone)]
pub enum RedisConnection {
    /// One server (`redis://`, or `rediss://` with TLS).
    Single(ConnectionManager),
    /// A cluster (ElastiCache Serverless speaks the cluster protocol over TLS).
    Cluster(ClusterConnection),
}

/// How long a Redis command (or a connection attempt) may take before it has failed: a
/// paused or unreachable server turns a draw into a 503 within about this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

impl RedisConnection {
    /// Connects to `url` with the [`DEFAULT_TIMEOUT`]; `mode` decides single or cluster
    /// (`Auto`: `rediss://` is a cluster). TLS trusts the system's root certificates
    /// (ElastiCache's certificates chain to them).
    pub async fn connect(url: &str, mode: RedisMode) -> Result<Self, StoreError> {
        Self::connect_within(url, mode, DEFAULT_TIMEOUT).await
    }

    /// Like [`RedisConnection::connect`], with `timeout` on every command and connection attempt.
    pub async fn connect_within(url: &str, mode: RedisMode, timeout: Duration) -> Result<Self, StoreError> {
        Self::connect_with(url, mode, None, timeout).await
    }

    /// Like [`RedisConnection::connect`], but TLS trusts only the CA certificate `root_ca`
    /// (PEM): a server with a private CA, such as the TLS test cluster.
    pub async fn connect_trusting(url: &str, mode: RedisMode, root_ca: &[u8]) -> Result<Self, StoreError> {
        Self::connect_with(url, mode, Some(root_ca), DEFAULT_TIMEOUT).await
    }

    async fn connect_with(
        url: &str,
        mode: RedisMode,
        root_ca: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        let failed =
            |error: RedisError| StoreError::caused_by(format!("cannot connect to Redis at {}", redacted(url)), error);
        let cluster = match mode {
            RedisMode::Auto => url.starts_with("rediss://"),
            RedisMode::Single => false,
            RedisMode::Cluster => true,
        };
        let certificates =
            root_ca.map(|root_ca| TlsCertificates { client_tls: None, root_cert: Some(root_ca.to_vec()) });
        if cluster {
            let builder = ClusterClientBuilder::new(vec![url])
                .connection_timeout(timeout)
                .response_timeout(timeout)
                .retries(2)
                .min_retry_wait(10)
                .max_retry_wait(200);
            let builder = match certificates {
                Some(certificates) => builder.certs(certificates),
                None => builder,
            };
            let client = builder.build().map_err(failed)?;
            Ok(Self::Cluster(client.get_async_connection().await.map_err(failed)?))
        } else {
            let client = match certificates {
                Some(certificates) => redis::Client::build_with_tls(url, certificates),
                None => redis::Client::open(url),
            }
            .map_err(failed)?;
            // Reconnects in the background after a failure; a command never waits longer than `timeout`.
            let config = ConnectionManagerConfig::new()
                .set_number_of_retries(2)
                .set_max_delay(Duration::from_millis(200))
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout));
            Ok(Self::Single(ConnectionManager::new_with_config(client, config).await.map_err(failed)?))
        }
    }
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
        }
    }
}

/// The `rediss://` URL of the ElastiCache Serverless cache named by `target`: the one
/// control-plane call this system makes, at start, when `REDIS_URL` is not given.
pub async fn resolve_cache_url(aws: &aws_config::SdkConfig, target: &RedisTarget) -> Result<String, StoreError> {
    let RedisTarget::CacheName(name) = target else {
        return target.expose_url().map(str::to_owned).ok_or_else(|| StoreError::new("no Redis URL"));
    };
    let client = aws_sdk_elasticache::Client::new(aws);
    let output = client.describe_serverless_caches().serverless_cache_name(name).send().await.map_err(|error| {
        StoreError::caused_by(format!("elasticache: cannot describe serverless cache {name}"), error)
    })?;
    let endpoint = output.serverless_caches().first().and_then(|cache| cache.endpoint());
    match endpoint.and_then(|endpoint| Some((endpoint.address()?, endpoint.port()?))) {
        Some((address, port)) => Ok(format!("rediss://{address}:{port}")),
        None => Err(StoreError::new(format!("elasticache: serverless cache {name} has no endpoint yet"))),
    }
}

/// Key names under one prefix, so deployments (and tests) can share a server. An
/// activity's keys are its buckets' (`buckets.rs`): with one bucket, seven keys tagged
/// `{act:ID}`, in one hash slot, which is what lets one script touch them atomically.
#[derive(Clone, Debug)]
pub struct RedisKeys {
    prefix: String,
}

impl RedisKeys {
    /// Keys starting with `prefix:`.
    pub fn new(prefix: impl Into<String>) -> Self {
        Self { prefix: prefix.into() }
    }

    /// An activity's line of tickets (queued entry): its head, tickets, users, draws and
    /// ends, in the activity's hash slot.
    fn line(&self, activity: &ActivityId) -> [String; 5] {
        ["head", "tickets", "users", "draws", "ends"]
            .map(|part| format!("{}:{{act:{activity}}}:line:{part}", self.prefix))
    }

    /// A session, by the hash of its token.
    fn session(&self, key: &str) -> String {
        format!("{}:session:{key}", self.prefix)
    }

    /// A rate-limit counter for the window starting at `window_start` (ms).
    fn rate(&self, key: &str, window_start: i64) -> String {
        format!("{}:rate:{key}:{window_start}", self.prefix)
    }

    /// An order's cached pay link.
    fn pay_link(&self, order: &OrderId) -> String {
        format!("{}:paylink:{order}", self.prefix)
    }
}

/// Sends `command`, an `EVALSHA` of `script` built by the caller, loading the script first
/// when the server answers `NOSCRIPT` (a restarted or new server), as `Script` does.
async fn evalsha<T: FromRedisValue>(
    connection: &mut RedisConnection,
    script: &Script,
    command: &Cmd,
) -> RedisResult<T> {
    match command.query_async(connection).await {
        Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            script.load_async(connection).await?;
            command.query_async(connection).await
        }
        result => result,
    }
}

/// A Redis failure as a store error, with what was being done.
fn failed(context: &'static str) -> impl FnOnce(RedisError) -> StoreError {
    move |error| StoreError::caused_by(format!("redis: {context}"), error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use luckydraw_core::domain::ActivityId;

    #[test]
    fn an_activity_keys_share_one_hash_slot() {
        let keys = RedisKeys::new("ld").bucket(&ActivityId::parse("demo").unwrap(), 0).draw;
        assert_eq!(
            keys,
            [
                "ld:{act:demo}:stock",
                "ld:{act:demo}:users",
                "ld:{act:demo}:log",
                "ld:{act:demo}:unsettled",
                "ld:{act:demo}:holds",
                "ld:{act:demo}:holding",
                "ld:{act:demo}:limits"
            ]
        );
        // Redis Cluster hashes only the text between the first `{` and the next `}`.
        let tag =
            |key: &str| key.split_once('{').and_then(|(_, rest)| rest.split_once('}')).map(|(tag, _)| tag.to_owned());
        assert!(keys.iter().all(|key| tag(key).as_deref() == Some("act:demo")), "{keys:?}");
    }
}
