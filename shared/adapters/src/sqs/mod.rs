//! The order queue on SQS: each message is the JSON body of an [`OrderMessage`], with its
//! `type` and order id as message attributes (for filters, metrics and the DLQ console).
//! The draw queue on SQS FIFO: [`SqsDrawQueue`], one message group per activity.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;

use luckydraw_core::error::StoreError;
use luckydraw_core::messages::{OrderMessage, TicketWaiting};
use luckydraw_core::ports::{DrawQueue, Queue};

/// [`Queue`] on SQS.
#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

impl SqsQueue {
    /// The queue at `url` through `client`.
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// An SDK failure as a store error, with what was being done.
fn failed<E: std::error::Error + Send + Sync + 'static>(context: &'static str) -> impl FnOnce(E) -> StoreError {
    move |error| StoreError::caused_by(format!("sqs: {context}"), error)
}

/// A `String` message attribute.
fn text_attribute(value: &str) -> Result<MessageAttributeValue, StoreError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|error| StoreError::caused_by("sqs: invalid message attribute", error))
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, message: &OrderMessage) -> Result<(), StoreError> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(message.to_json())
            .message_attributes("type", text_attribute(message.kind())?)
            .message_attributes("order_id", text_attribute(&message.order_id().to_string())?)
            .send()
            .await
            .map_err(|error| StoreError::caused_by(format!("sqs: {} not sent", message.kind()), error))?;
        Ok(())
    }

    async fn backlog(&self) -> Result<u64, StoreError> {
        use aws_sdk_sqs::types::QueueAttributeName as Name;
        let counts = [
            Name::ApproximateNumberOfMessages,
            Name::ApproximateNumberOfMessagesNotVisible,
            Name::ApproximateNumberOfMessagesDelayed,
        ];
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(&self.url)
            .set_attribute_names(Some(counts.to_vec()))
            .send()
            .await
            .map_err(failed("read the queue's message counts"))?;
        let attributes = output.attributes.unwrap_or_default();
        let count = |name: &Name| attributes.get(name).and_then(|value| value.parse::<u64>().ok()).unwrap_or(0);
        Ok(counts.iter().map(count).sum())
    }
}

/// Receives before a message moves to the dead-letter queue (`maxReceiveCount`).
pub const MAX_RECEIVES: u32 = 5;

/// Creates the queue `name` and its dead-letter queue `<name>-dlq` (`<stem>-dlq.fifo` for a
/// FIFO `<stem>.fifo`) unless they exist, with the definitions of `template.yaml` (visibility
/// 180 s, DLQ after 5 receives, DLQ kept 14 days); returns the queue's URL. For the local
/// runner and tests only.
pub async fn create_queue_if_missing(client: &Client, name: &str) -> Result<String, StoreError> {
    use aws_sdk_sqs::types::QueueAttributeName;
    if let Ok(found) = client.get_queue_url().queue_name(name).send().await
        && let Some(url) = found.queue_url
    {
        return Ok(url);
    }
    // A FIFO queue (`….fifo`) needs a FIFO dead-letter queue.
    let fifo = name.strip_suffix(".fifo");
    let dead_name = fifo.map_or_else(|| format!("{name}-dlq"), |stem| format!("{stem}-dlq.fifo"));
    let fifo_attribute = |request: aws_sdk_sqs::operation::create_queue::builders::CreateQueueFluentBuilder| match fifo
    {
        Some(_) => request.attributes(QueueAttributeName::FifoQueue, "true"),
        None => request,
    };
    let dead = fifo_attribute(client.create_queue())
        .queue_name(dead_name)
        .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .map_err(failed("create the dead-letter queue"))?;
    let dead_url = dead.queue_url.unwrap_or_default();
    let arn = client
        .get_queue_attributes()
        .queue_url(&dead_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(failed("read the dead-letter queue's ARN"))?
        .attributes
        .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| StoreError::new("sqs: the dead-letter queue has no ARN"))?;
    let redrive = serde_json::json!({ "deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES }).to_string();
    let queue = fifo_attribute(client.create_queue())
        .queue_name(name)
        .attributes(QueueAttributeName::VisibilityTimeout, "180")
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .send()
        .await
        .map_err(failed("create the queue"))?;
    queue.queue_url.ok_or_else(|| StoreError::new("sqs: the new queue has no URL"))
}

/// [`DrawQueue`] on an SQS FIFO queue: the activity is the message group (its messages are
/// delivered in order, one batch in flight at a time), deduplicated by the draw id: a second
/// press of a ticket whose message SQS accepted adds nothing; one whose send failed sends it.
#[derive(Clone, Debug)]
pub struct SqsDrawQueue {
    client: Client,
    url: String,
}

impl SqsDrawQueue {
    /// The FIFO queue at `url` through `client`.
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }
}

#[async_trait]
impl DrawQueue for SqsDrawQueue {
    async fn send(&self, message: &TicketWaiting) -> Result<(), StoreError> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(message.to_json())
            .message_group_id(message.draw_id.activity().as_str())
            .message_deduplication_id(message.draw_id.to_string())
            .send()
            .await
            .map_err(|error| StoreError::caused_by(format!("sqs: ticket {} not sent", message.draw_id), error))?;
        Ok(())
    }
}
