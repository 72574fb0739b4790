//! The order consumer: applies queued order messages, reporting the ones that failed so
//! SQS redelivers only those; orders created and moved are counted (`OrdersCreated`, `OrdersMoved`).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::usecases::order_events::{self, Applied};
use luckydraw_lambda::{metrics, sqs};

/// Applies a batch of order messages in order; failed ones are listed for redelivery.
pub async fn handle(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(sqs::for_each_message(event, |message| consume(app, message)).await)
}

async fn consume(app: &App, message: SqsMessage) -> Result<(), Error> {
    apply(app, message).await.inspect_err(metrics::failed)
}

async fn apply(app: &App, message: SqsMessage) -> Result<(), Error> {
    let body = message.body.ok_or_else(|| Error::InvalidRequest("message without a body".into()))?;
    let message = OrderMessage::from_json(&body)
        .map_err(|error| Error::InvalidRequest(format!("unreadable order message: {error}")))?;
    let ordered_in = match &message {
        OrderMessage::OrderRequested(requested) => Some(requested.draw_id.activity().clone()),
        _ => None,
    };
    match (order_events::apply(app, message).await?, ordered_in) {
        (Applied::Created(_), Some(activity)) => metrics::order_created(&activity),
        (Applied::Moved(status), _) => metrics::order_moved(status),
        _ => {}
    }
    Ok(())
}
