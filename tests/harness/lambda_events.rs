//! Events as the Lambda service builds them, in numbers: a draw per fresh player (each
//! with a session and a client address of their own, so no rate limit is reached), and
//! the order queue's messages as the SQS event source mapping delivers them.

use luckydraw_core::domain::{Session, SessionToken, UserId, UserKind, Username};
use luckydraw_testing::services;
use serde_json::{Value, json};

use super::deployment::Deployment;
use super::runtime_api::event;

/// One draw event per player: `count` players, each
/// with a session of their own and another client address (so no rate limit is reached).
pub async fn draw_events(deployment: &Deployment, count: usize) -> Vec<Value> {
    let app = &deployment.running.app;
    let template = event("events/draw/draw.json");
    let now = app.clock.now();
    let mut events = Vec::with_capacity(count);
    for n in 0..count {
        let token = SessionToken::from_random(app.random.bytes());
        let session = Session {
            user_id: UserId::generate(now, app.random.bytes()),
            username: Username::parse(&format!("bench{n}")).expect("a username"),
            kind: UserKind::Normal,
            created_at: now,
        };
        app.sessions.put(&token.key(), &session, now.plus(app.settings.session_idle)).await.expect("a session");
        let address = format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255);
        let mut event = template.clone();
        event["headers"]["authorization"] = json!(format!("Bearer {}", token.expose()));
        event["headers"]["x-forwarded-for"] = json!(address);
        event["requestContext"]["http"]["sourceIp"] = json!(address);
        events.push(event);
    }
    events
}

/// The queue's messages as the event source mapping delivers them: SQS events of ten.
pub async fn order_batches(queue_url: &str) -> Vec<Value> {
    let sqs = aws_sdk_sqs::Client::new(&services::aws_config().await);
    let mut records = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .send()
            .await
            .expect("moto answers");
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            break;
        }
        for message in messages {
            let attributes: serde_json::Map<String, Value> = message
                .message_attributes
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| {
                    let attribute = json!({
                        "stringValue": value.string_value,
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value.data_type,
                    });
                    (name, attribute)
                })
                .collect();
            records.push(json!({
                "messageId": message.message_id,
                "receiptHandle": message.receipt_handle,
                "body": message.body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795248000000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1795248000010"},
                "messageAttributes": attributes,
                "md5OfBody": message.md5_of_body,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:luckydraw-orders",
                "awsRegion": "us-east-1",
            }));
        }
    }
    records.chunks(10).map(|batch| json!({ "Records": batch })).collect()
}
