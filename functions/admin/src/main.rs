//! Lambda entry point of the operators' admin function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_http(admin::handle).await
}
