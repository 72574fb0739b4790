//! The order queue on SQS: each message is the JSON body of an [`OrderMessage`], with its
//! `type` and order id as message attributes (for filters, metrics and the DLQ console).

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;

use crate::error::StoreError;
use crate::messages::OrderMessage;
use crate::ports::Queue;

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
}
