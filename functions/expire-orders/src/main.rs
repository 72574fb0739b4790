//! Lambda entry point of the scheduled expiry sweep.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw::lambda::serve_events(expire_orders::handle).await
}
