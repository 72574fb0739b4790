//! Lambda entry point of the login function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_http(login::handle).await
}
