//! The composition root: builds the [`App`] a process runs on the backends the environment
//! selects (see [`crate::config::backends`]), once, at start.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use luckydraw_adapters::alipay::AlipayConfig;
use luckydraw_adapters::alipay::gateway::{AlipayGateway, NoGateway};
use luckydraw_adapters::cached::CachedActivities;
use luckydraw_adapters::dynamodb::{
    DynamoLedger, DynamoPayLinks, DynamoRateLimits, DynamoRecords, DynamoSessions, DynamoStock, Table,
};
use luckydraw_adapters::memory::{self, MemoryBackends};
use luckydraw_adapters::redis::{
    RedisConnection, RedisKeys, RedisPayLinks, RedisRateLimits, RedisSessions, RedisStock, RedisTickets,
    resolve_cache_url,
};
use luckydraw_adapters::sqs::{SqsDrawQueue, SqsQueue};
use luckydraw_adapters::system::{ChaChaRandom, SystemClock};
use luckydraw_core::App;
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Clock, Payments, Random};

use crate::config::backends::{Backends, QueueBackend, RecordBackend, SessionBackend, StockBackend, Timeouts};
use crate::config::{ConfigError, Settings};

/// An app on the backends `backends` selects (memory for the ports that choose it), with AWS
/// clients from `aws` (required when an AWS service is selected), and handles on its memory
/// backends.
pub async fn connect(
    settings: Settings,
    backends: &Backends,
    aws: Option<&SdkConfig>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
) -> Result<(App, MemoryBackends), StartError> {
    let (mut app, memory) = memory::in_memory(settings, clock, random);
    let aws = || aws.ok_or_else(|| StoreError::new("an AWS backend is selected but no AWS configuration was given"));
    let table = match &backends.table_name {
        Some(name) if backends.uses_dynamodb() => Some(Table::new(aws_sdk_dynamodb::Client::new(aws()?), name)),
        _ => None,
    };
    let table = || table.clone().ok_or_else(|| StoreError::new("TABLE_NAME is not set"));
    let redis = match &backends.redis {
        Some(target) if backends.uses_redis() => {
            let url = match target.expose_url() {
                Some(url) => url.to_owned(),
                None => resolve_cache_url(aws()?, target).await?,
            };
            Some(RedisConnection::connect_within(&url, backends.redis_mode, backends.timeouts.redis).await?)
        }
        _ => None,
    };
    let redis = || redis.clone().ok_or_else(|| StoreError::new("REDIS_URL is not set"));
    let keys = RedisKeys::new(&backends.redis_prefix);
    if backends.store == RecordBackend::DynamoDb {
        let records = Arc::new(DynamoRecords::new(table()?));
        (app.users, app.activities, app.orders, app.audit) =
            (records.clone(), records.clone(), records.clone(), records);
        app.ledger = Arc::new(DynamoLedger::new(table()?));
        if !backends.activity_cache.is_zero() {
            let cached = CachedActivities::new(app.activities.clone(), app.clock.clone(), backends.activity_cache);
            app.activities = Arc::new(cached);
        }
    }
    match backends.stock {
        StockBackend::Memory => {}
        StockBackend::Redis => {
            app.stock = Arc::new(RedisStock::new(redis()?, keys.clone()));
            app.tickets = Arc::new(RedisTickets::new(redis()?, keys.clone()));
        }
        StockBackend::DynamoDb => app.stock = Arc::new(DynamoStock::new(table()?, backends.stock_shards.clone())),
    }
    if let (QueueBackend::Sqs, Some(url)) = (backends.queue, &backends.order_queue_url) {
        app.queue = Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(aws()?), url));
    }
    if let (QueueBackend::Sqs, Some(url)) = (backends.queue, &backends.draw_queue_url) {
        app.draw_queue = Arc::new(SqsDrawQueue::new(aws_sdk_sqs::Client::new(aws()?), url));
    }
    match backends.sessions {
        SessionBackend::Memory => {}
        SessionBackend::Redis => {
            app.sessions = Arc::new(RedisSessions::new(redis()?, keys.clone()));
            app.rate_limits = Arc::new(RedisRateLimits::new(redis()?, keys.clone()));
            app.pay_links = Arc::new(RedisPayLinks::new(redis()?, keys));
        }
        SessionBackend::DynamoDb => {
            app.sessions = Arc::new(DynamoSessions::new(table()?));
            app.rate_limits = Arc::new(DynamoRateLimits::new(table()?));
            app.pay_links = Arc::new(DynamoPayLinks::new(table()?));
        }
    }
    Ok((app, memory))
}

/// The app a Lambda function runs: settings from the environment, the system clock,
/// OS-seeded randomness, and the backends the environment selects.
pub async fn from_env() -> Result<App, StartError> {
    let settings = Settings::from_env()?;
    let backends = Backends::from_env()?;
    let random = ChaChaRandom::from_os().map_err(|error| ConfigError::new("(os randomness)", "", error.to_string()))?;
    let aws = aws_config_if_needed(&backends).await;
    let (app, _) = connect(settings, &backends, aws.as_ref(), Arc::new(SystemClock), Arc::new(random)).await?;
    tracing::info!(backends = %backends.summary(), "backends connected");
    Ok(match AlipayConfig::from_env()? {
        Some(alipay) => with_alipay(app, alipay)?,
        // A deployed function never pretends to take money: without Alipay, paying fails.
        None => App { payments: Arc::new(NoGateway), ..app },
    })
}

/// `app` paying through Alipay: notifications verified as `config.merchant`, and the
/// gateway called when configured (otherwise payment calls fail rather than pretend).
pub fn with_alipay(app: App, config: AlipayConfig) -> Result<App, ConfigError> {
    let merchant = Arc::new(config.merchant);
    let payments: Arc<dyn Payments> = match config.gateway {
        Some(gateway) => Arc::new(
            AlipayGateway::new(merchant.clone(), gateway)
                .map_err(|error| ConfigError::new("ALIPAY_GATEWAY_URL", "", error.to_string()))?,
        ),
        None => Arc::new(NoGateway),
    };
    Ok(App { payments, notices: Some(merchant), ..app })
}

/// The AWS SDK's configuration from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL`,
/// credentials) with the deadlines of `backends.timeouts`, loaded only when an AWS
/// service is selected.
pub async fn aws_config_if_needed(backends: &Backends) -> Option<SdkConfig> {
    match backends.uses_aws() {
        true => Some(aws_config(aws_config::defaults(BehaviorVersion::latest()), &backends.timeouts).load().await),
        false => None,
    }
}

/// `loader` with `timeouts` on every call: connect, attempt and operation deadlines, and
/// the standard retry mode (exponential backoff with full jitter) bounded in attempts.
pub fn aws_config(loader: ConfigLoader, timeouts: &Timeouts) -> ConfigLoader {
    let deadlines = TimeoutConfig::builder()
        .connect_timeout(timeouts.aws_connect)
        .operation_attempt_timeout(timeouts.aws_attempt)
        .operation_timeout(timeouts.aws_operation)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(timeouts.aws_max_attempts)
        .with_initial_backoff(Duration::from_millis(25))
        .with_max_backoff(Duration::from_millis(250));
    loader.timeout_config(deadlines).retry_config(retries)
}

/// Why an app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The environment is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A selected backend could not be reached or set up.
    #[error("a backend is unavailable: {0}")]
    Backend(#[from] StoreError),
}
