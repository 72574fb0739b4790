//! Runs the order consumer (and the draw worker) on the in-process queues the way the SQS event source mapping
//! runs it on AWS: batches of up to ten, failed messages redelivered, and dead-lettered
//! after `MAX_RECEIVES` receives (the template's `maxReceiveCount`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use luckydraw_adapters::memory::{Envelope, MemoryQueue};
use luckydraw_core::App;
use tracing::warn;

/// Messages per batch, as in the template's event source mapping.
pub const BATCH_SIZE: usize = 10;

/// Receives before a message goes to the dead letters.
pub const MAX_RECEIVES: u32 = 5;

/// The function a queue feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worker {
    /// The order consumer (the order queue).
    OrderConsumer,
    /// The draw worker (the draw queue).
    DrawWorker,
}

/// Delivers one batch to the consumer; returns how many messages it held and how many failed.
pub async fn deliver_batch(app: &App, queue: &MemoryQueue) -> (usize, usize) {
    deliver_batch_to(Worker::OrderConsumer, app, queue).await
}

/// Delivers one batch to `worker`; returns how many messages it held and how many failed.
pub async fn deliver_batch_to(worker: Worker, app: &App, queue: &MemoryQueue) -> (usize, usize) {
    let batch = queue.receive(BATCH_SIZE);
    if batch.is_empty() {
        return (0, 0);
    }
    let failed = consume_by(worker, app, sqs_event(&batch)).await;
    let received = batch.len();
    queue.acknowledge(received - failed.len().min(received));
    for envelope in batch.into_iter().filter(|envelope| failed.contains(&envelope.message_id)) {
        queue.redeliver(envelope, MAX_RECEIVES);
    }
    (received, failed.len())
}

/// Hands `event` to the order consumer's handler; returns the ids of the messages that
/// failed (every message, if the whole batch did).
pub async fn consume(app: &App, event: SqsEvent) -> HashSet<String> {
    consume_by(Worker::OrderConsumer, app, event).await
}

/// Hands `event` to `worker`'s handler; returns the ids of the messages that failed.
pub async fn consume_by(worker: Worker, app: &App, event: SqsEvent) -> HashSet<String> {
    let every_message = event.records.iter().filter_map(|record| record.message_id.clone()).collect();
    let handled = match worker {
        Worker::OrderConsumer => order_consumer::handle(app, event).await,
        Worker::DrawWorker => draw_worker::handle(app, event).await,
    };
    luckydraw_lambda::metrics::flush();
    match handled {
        Ok(response) => response.batch_item_failures.into_iter().map(|failure| failure.item_identifier).collect(),
        Err(error) => {
            warn!(%error, "the consumer failed the whole batch");
            every_message
        }
    }
}

/// Delivers until the queue is empty; returns how many deliveries were made.
/// Terminates: a message that keeps failing is dead-lettered.
pub async fn drain(app: &App, queue: &MemoryQueue) -> usize {
    drain_to(Worker::OrderConsumer, app, queue).await
}

/// Delivers to `worker` until the queue is empty; returns how many deliveries were made.
pub async fn drain_to(worker: Worker, app: &App, queue: &MemoryQueue) -> usize {
    let mut delivered = 0;
    loop {
        match deliver_batch_to(worker, app, queue).await {
            (0, _) => return delivered,
            (received, _) => delivered += received,
        }
    }
}

/// Delivers forever, waking when messages arrive; pauses briefly after failures, as a
/// visibility timeout would.
pub async fn run(app: App, queue: Arc<MemoryQueue>) {
    run_to(Worker::OrderConsumer, app, queue).await
}

/// Delivers to `worker` forever, like [`run`].
pub async fn run_to(worker: Worker, app: App, queue: Arc<MemoryQueue>) {
    loop {
        match deliver_batch_to(worker, &app, &queue).await {
            (0, _) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), queue.arrived()).await;
            }
            (_, 0) => {}
            (_, _) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The SQS event the Lambda service would deliver for this batch.
fn sqs_event(batch: &[Envelope]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = batch.iter().map(sqs_message).collect();
    event
}

fn sqs_message(envelope: &Envelope) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(envelope.message_id.clone());
    message.body = Some(envelope.body.clone());
    message.event_source = Some("aws:sqs".to_owned());
    message.attributes.insert("ApproximateReceiveCount".to_owned(), envelope.receive_count.to_string());
    message
}
