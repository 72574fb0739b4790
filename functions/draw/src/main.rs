//! Lambda entry point of the draw function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw::lambda::serve_http(draw::handle).await
}
