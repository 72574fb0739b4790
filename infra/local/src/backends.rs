//! The runner's backends: what `LUCKYDRAW_STORE/STOCK/QUEUE/SESSIONS` select, with the
//! table and the queue created first when the endpoint lacks them (a fresh `moto_server`),
//! using the same definitions as `template.yaml`. Lambda functions never create anything.

use std::sync::Arc;

use aws_config::SdkConfig;
use luckydraw_adapters::dynamodb::schema;
use luckydraw_adapters::memory::MemoryBackends;
use luckydraw_adapters::sqs::create_queue_if_missing;
use luckydraw_core::App;
use luckydraw_core::StoreError;
use luckydraw_core::ports::{Clock, Random};
use luckydraw_lambda::config::ConfigError;
use luckydraw_lambda::config::Settings;
use luckydraw_lambda::config::backends::{Backends, QueueBackend};
use luckydraw_lambda::wiring::{self, StartError, aws_config_if_needed};
use tracing::info;

use crate::sqs_poller::SqsSource;

/// An app on the selected backends, and the SQS queue to poll when SQS is selected.
pub struct Connected {
    /// The app.
    pub app: App,
    /// Its memory backends (those in use hold the state of memory-selected ports).
    pub memory: MemoryBackends,
    /// The order queue on SQS, for the poller.
    pub sqs: Option<SqsSource>,
    /// The draw queue (queued activities' wake-ups) on SQS, for the draw worker's poller.
    pub draw_sqs: Option<SqsSource>,
}

/// Reads the backend variables, creates what is missing and connects.
pub async fn connect_from_env(
    settings: Settings,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
) -> Result<Connected, StartError> {
    let backends = Backends::from_env()?;
    let aws = aws_config_if_needed(&backends).await;
    connect(settings, &backends, aws.as_ref(), clock, random).await
}

/// Creates the table and the queue `backends` name if missing, then connects the app.
pub async fn connect(
    settings: Settings,
    backends: &Backends,
    aws: Option<&SdkConfig>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
) -> Result<Connected, StartError> {
    let sqs = match (backends.queue, &backends.order_queue_url, aws) {
        (QueueBackend::Sqs, Some(url), Some(aws)) => Some(ensure_queue(aws, "ORDER_QUEUE_URL", url).await?),
        _ => None,
    };
    let draw_sqs = match (backends.queue, &backends.draw_queue_url, aws) {
        (QueueBackend::Sqs, Some(url), Some(aws)) => Some(ensure_queue(aws, "DRAW_QUEUE_URL", url).await?),
        _ => None,
    };
    if let (true, Some(name), Some(aws)) = (backends.uses_dynamodb(), &backends.table_name, aws)
        && schema::create_table_if_missing(&aws_sdk_dynamodb::Client::new(aws), name).await?
    {
        info!(table = %name, "created the table");
    }
    let (app, memory) = wiring::connect(settings, backends, aws, clock, random).await?;
    info!(backends = %backends.summary(), "backends connected");
    Ok(Connected { app, memory, sqs, draw_sqs })
}

/// The queue at `url`, created (with its dead-letter queue) under the URL's last path
/// segment if the endpoint does not have it.
async fn ensure_queue(aws: &SdkConfig, variable: &str, url: &str) -> Result<SqsSource, StartError> {
    let name = url.trim_end_matches('/').rsplit('/').next().filter(|name| !name.is_empty());
    let name = name.ok_or_else(|| ConfigError::new(variable, url, "the URL must end with the queue's name"))?;
    let client = aws_sdk_sqs::Client::new(aws);
    let found = create_queue_if_missing(&client, name).await?;
    if found.rsplit('/').next() != Some(name) {
        return Err(StoreError::new(format!("sqs: queue {name} resolved to {found}")).into());
    }
    Ok(SqsSource { client, url: url.to_owned() })
}
