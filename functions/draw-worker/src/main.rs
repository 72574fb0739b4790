//! Lambda entry point of the draw worker (SQS FIFO event source).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_events(draw_worker::handle).await
}
