//! The SQS queue against the queue conformance suite, through the real AWS SDK on a
//! `moto_server` the harness starts on loopback; each test on a fresh queue of its own.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use luckydraw_adapters::sqs::SqsQueue;
use luckydraw_core::domain::{CancelReason, OrderId};
use luckydraw_core::messages::{CancelRequested, OrderMessage};
use luckydraw_core::ports::Queue;
use luckydraw_testing::START;
use luckydraw_testing::conformance::queue::QueueProbe;
use luckydraw_testing::services;

struct SqsProbe {
    client: aws_sdk_sqs::Client,
    queue: Arc<SqsQueue>,
}

#[async_trait]
impl QueueProbe for SqsProbe {
    fn queue(&self) -> Arc<dyn Queue> {
        self.queue.clone()
    }

    async fn take_all(&self) -> Vec<(String, Option<String>)> {
        let mut taken = Vec::new();
        loop {
            let received = self
                .client
                .receive_message()
                .queue_url(self.queue.url())
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .expect("moto receives");
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                return taken;
            }
            for message in messages {
                let kind = message.message_attributes().and_then(|attributes| attributes.get("type"));
                taken.push((
                    message.body().unwrap_or_default().to_owned(),
                    kind.and_then(|k| k.string_value()).map(str::to_owned),
                ));
                let receipt = message.receipt_handle().unwrap_or_default();
                self.client
                    .delete_message()
                    .queue_url(self.queue.url())
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .expect("deleted");
            }
        }
    }
}

async fn queue() -> Arc<SqsProbe> {
    let (client, url) = services::sqs_queue().await;
    Arc::new(SqsProbe { queue: Arc::new(SqsQueue::new(client.clone(), url)), client })
}

mod queue {
    luckydraw_testing::queue_conformance!(super::queue);
}

#[tokio::test]
async fn sending_to_a_queue_that_does_not_exist_is_an_error_not_a_loss() {
    let (client, url) = services::sqs_queue().await;
    let missing = SqsQueue::new(client, format!("{url}-missing"));
    let message = OrderMessage::CancelRequested(CancelRequested {
        order_id: OrderId::generate(START, [1; 10]),
        reason: CancelReason::GivenUp,
        requested_at: START,
    });
    let error = missing.send(&message).await.expect_err("nothing accepted it");
    assert!(error.to_string().contains("cancel_requested not sent"), "{error}");
}

#[tokio::test]
async fn the_queue_is_created_as_in_the_template_with_a_dead_letter_queue_after_5_receives() {
    use aws_sdk_sqs::types::QueueAttributeName;
    let (client, url) = services::sqs_queue().await;
    let name = url.rsplit('/').next().unwrap().to_owned();
    let again = luckydraw_adapters::sqs::create_queue_if_missing(&client, &name).await.unwrap();
    assert_eq!(again, url, "creating twice finds the first");
    let attributes = client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attributes[&QueueAttributeName::VisibilityTimeout], "180");
    let redrive: serde_json::Value = serde_json::from_str(&attributes[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(redrive["maxReceiveCount"].as_u64(), Some(5));
    assert!(redrive["deadLetterTargetArn"].as_str().unwrap().ends_with(&format!("{name}-dlq")));
}
