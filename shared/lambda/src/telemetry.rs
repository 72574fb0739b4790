//! Logging, set up once per process.

/// Structured logs: JSON in Lambda (honouring `AWS_LAMBDA_LOG_FORMAT` and
/// `AWS_LAMBDA_LOG_LEVEL`), readable text elsewhere; `RUST_LOG` filters both.
pub fn init() {
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        lambda_runtime::tracing::init_default_subscriber();
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
