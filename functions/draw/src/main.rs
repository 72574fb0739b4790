//! Lambda entry point of the draw function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_http(draw::handle).await
}
