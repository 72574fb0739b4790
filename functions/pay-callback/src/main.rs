//! Lambda entry point of the payment-notification function.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    luckydraw_lambda::entry::serve_http(pay_callback::handle).await
}
