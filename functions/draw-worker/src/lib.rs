//! The draw worker: serves queued activities' lines in ticket order, woken by the draw
//! queue's messages (SQS FIFO, one message group per activity). A message is done once its
//! ticket has ended; a failed one is reported (`ReportBatchItemFailures`) with every later
//! message of its activity in the batch, so SQS retries them in their order.

use std::collections::HashSet;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::ActivityId;
use luckydraw_core::messages::TicketWaiting;
use luckydraw_core::usecases::queueing;
use tracing::warn;

/// Serves the lines of a batch's messages in order; failed ones are listed for redelivery.
pub async fn handle(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut response = SqsBatchResponse::default();
    let mut stalled: HashSet<ActivityId> = HashSet::new();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let outcome = match waiting(&message) {
            Ok(waiting) if stalled.contains(waiting.draw_id.activity()) => Err(Error::InvalidState(
                "an earlier ticket of this activity failed in this batch; retried after it".into(),
            )),
            Ok(waiting) => serve(app, &waiting).await.inspect_err(|_| {
                stalled.insert(waiting.draw_id.activity().clone());
            }),
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            warn!(message_id = %id, %error, "draw queue message failed; SQS will redeliver it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    Ok(response)
}

fn waiting(message: &SqsMessage) -> Result<TicketWaiting, Error> {
    let body = message.body.as_deref().ok_or_else(|| Error::InvalidRequest("message without a body".into()))?;
    TicketWaiting::from_json(body).map_err(|error| Error::InvalidRequest(format!("unreadable ticket message: {error}")))
}

async fn serve(app: &App, waiting: &TicketWaiting) -> Result<(), Error> {
    queueing::serve(app, waiting.draw_id.activity(), waiting.number).await?;
    Ok(())
}
