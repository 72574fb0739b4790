//! Lambda entry point of the scheduled settlement.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_events(settle_draws::handle).await
}
