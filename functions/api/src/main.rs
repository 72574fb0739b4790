//! Lambda entry point of the player API function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw::lambda::serve_http(api::handle).await
}
