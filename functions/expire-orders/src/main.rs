//! Lambda entry point of the scheduled expiry sweep.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_events(expire_orders::handle).await
}
