//! Lambda entry point of the player API function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_http(api::handle).await
}
