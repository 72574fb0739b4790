//! Lambda entry point of the login function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw::lambda::serve_http(login::handle).await
}
