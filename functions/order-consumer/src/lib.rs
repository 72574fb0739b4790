//! The order consumer: applies queued order messages, reporting the ones that failed so
//! SQS redelivers only those.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::usecases::order_events;
use luckydraw_lambda::sqs;

/// Applies a batch of order messages in order; failed ones are listed for redelivery.
pub async fn handle(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(sqs::for_each_message(event, |message| consume(app, message)).await)
}

async fn consume(app: &App, message: SqsMessage) -> Result<(), Error> {
    let body = message.body.ok_or_else(|| Error::InvalidRequest("message without a body".into()))?;
    let message = OrderMessage::from_json(&body)
        .map_err(|error| Error::InvalidRequest(format!("unreadable order message: {error}")))?;
    order_events::apply(app, message).await?;
    Ok(())
}
