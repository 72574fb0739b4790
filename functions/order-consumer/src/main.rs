//! Lambda entry point of the order consumer (SQS event source).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_events(order_consumer::handle).await
}
