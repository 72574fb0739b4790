//! Feeds the order consumer from SQS the way the Lambda event source mapping does on AWS:
//! long-poll batches of up to ten, hand them to `order_consumer::handle` as an `SqsEvent`,
//! delete only the messages it did not report as failed. Failed messages stay on the
//! queue and come back after their visibility timeout (shortened here, so local retries
//! are quick); the queue's redrive policy moves them to the DLQ after 5 receives.

use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageAttributeValue, MessageSystemAttributeName};
use luckydraw_core::App;
use luckydraw_core::StoreError;
use tracing::warn;

use crate::consumer::{BATCH_SIZE, Worker, consume_by};

/// The order queue on SQS.
#[derive(Clone, Debug)]
pub struct SqsSource {
    /// The SQS client.
    pub client: Client,
    /// The queue's URL.
    pub url: String,
}

/// Seconds a failed message stays invisible before it is retried (AWS: the queue's 180 s).
const RETRY_AFTER_SECS: i32 = 1;

impl SqsSource {
    /// Receives one batch (waiting up to `wait_secs` for it), delivers it, deletes what
    /// succeeded; returns how many messages it held and how many failed.
    pub async fn deliver_batch(
        &self,
        app: &App,
        wait_secs: i32,
        retry_after_secs: i32,
    ) -> Result<(usize, usize), StoreError> {
        self.deliver_batch_to(Worker::OrderConsumer, app, wait_secs, retry_after_secs).await
    }

    /// Like [`SqsSource::deliver_batch`], delivering to `worker`.
    pub async fn deliver_batch_to(
        &self,
        worker: Worker,
        app: &App,
        wait_secs: i32,
        retry_after_secs: i32,
    ) -> Result<(usize, usize), StoreError> {
        let received = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(BATCH_SIZE as i32)
            .wait_time_seconds(wait_secs)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .customize()
            .config_override(long_poll_deadlines(wait_secs))
            .send()
            .await
            .map_err(|error| StoreError::caused_by("sqs: receive", error))?;
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok((0, 0));
        }
        let mut event = SqsEvent::default();
        event.records = messages.iter().map(sqs_message).collect();
        let failed = consume_by(worker, app, event).await;
        let (done, retry): (Vec<&Message>, Vec<&Message>) =
            messages.iter().partition(|message| !failed.contains(message.message_id().unwrap_or_default()));
        self.delete(&done).await?;
        for message in retry {
            let receipt = message.receipt_handle().unwrap_or_default();
            let request = self.client.change_message_visibility().queue_url(&self.url).receipt_handle(receipt);
            let _ = request.visibility_timeout(retry_after_secs).send().await;
        }
        Ok((messages.len(), failed.len()))
    }

    async fn delete(&self, messages: &[&Message]) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let entries = messages.iter().enumerate().map(|(index, message)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(index.to_string())
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .build()
                .map_err(|error| StoreError::caused_by("sqs: invalid delete", error))
        });
        let entries = entries.collect::<Result<Vec<_>, _>>()?;
        let request = self.client.delete_message_batch().queue_url(&self.url).set_entries(Some(entries));
        let output = request.send().await.map_err(|error| StoreError::caused_by("sqs: delete", error))?;
        if !output.failed().is_empty() {
            warn!(failed = output.failed().len(), "some handled messages were not deleted; they will be redelivered");
        }
        Ok(())
    }

    /// Delivers until a receive comes back empty; failed messages are retried at once and
    /// dead-lettered by the queue after 5 receives. Returns how many deliveries were made.
    pub async fn drain(&self, app: &App) -> usize {
        self.drain_to(Worker::OrderConsumer, app).await
    }

    /// Like [`SqsSource::drain`], delivering to `worker`.
    pub async fn drain_to(&self, worker: Worker, app: &App) -> usize {
        let mut delivered = 0;
        loop {
            match self.deliver_batch_to(worker, app, 0, 0).await {
                Ok((0, _)) => return delivered,
                Ok((received, _)) => delivered += received,
                Err(error) => {
                    warn!(%error, "draining the order queue failed");
                    return delivered;
                }
            }
        }
    }

    /// Polls forever.
    pub async fn run(self, app: App) {
        self.run_to(Worker::OrderConsumer, app).await
    }

    /// Polls forever, delivering to `worker`.
    pub async fn run_to(self, worker: Worker, app: App) {
        loop {
            if let Err(error) = self.deliver_batch_to(worker, &app, 10, RETRY_AFTER_SECS).await {
                warn!(%error, ?worker, "polling a queue failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A long poll waits up to `wait_secs` for messages: its deadlines are that plus the usual
/// second, so a queue that stops answering (or a connection reset) ends the poll, not the poller.
fn long_poll_deadlines(wait_secs: i32) -> aws_sdk_sqs::config::Builder {
    let wait = Duration::from_secs(u64::try_from(wait_secs).unwrap_or(0));
    let deadlines = aws_sdk_sqs::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(wait + Duration::from_secs(2))
        .operation_timeout(wait + Duration::from_secs(3))
        .build();
    aws_sdk_sqs::config::Builder::default().timeout_config(deadlines)
}

/// The record the Lambda service would put in the event for `message`.
fn sqs_message(message: &Message) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = message.message_id.clone();
    record.receipt_handle = message.receipt_handle.clone();
    record.body = message.body.clone();
    record.md5_of_body = message.md5_of_body.clone();
    record.event_source = Some("aws:sqs".to_owned());
    let attributes = message.attributes().into_iter().flatten();
    record.attributes = attributes.map(|(name, value)| (name.as_str().to_owned(), value.clone())).collect();
    let message_attributes = message.message_attributes().into_iter().flatten();
    record.message_attributes = message_attributes.map(|(name, value)| (name.clone(), attribute(value))).collect();
    record
}

fn attribute(value: &MessageAttributeValue) -> SqsMessageAttribute {
    let mut attribute = SqsMessageAttribute::default();
    attribute.string_value = value.string_value.clone();
    attribute.data_type = Some(value.data_type.clone());
    attribute
}
