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

/// Metrics in CloudWatch's embedded metric format: one JSON document per flush on stdout,
/// which Lambda's log pipeline turns into metrics in the `luckydraw` namespace.
fn metrics() -> &'static metrics_cloudwatch_embedded::Collector {
    static COLLECTOR: std::sync::OnceLock<&'static metrics_cloudwatch_embedded::Collector> = std::sync::OnceLock::new();
    COLLECTOR.get_or_init(|| {
        metrics_cloudwatch_embedded::Builder::new()
            .cloudwatch_namespace("luckydraw")
            .init()
            .expect("the metrics recorder is installed once")
    })
}

/// Reports one settlement run: `DrawsSettled`, `DrawsReleased`, `DrawsRequeued` (count).
pub fn settled(settled: &luckydraw_core::usecases::settlement::Settled) {
    let collector = metrics();
    metrics::counter!("DrawsSettled").increment(settled.recorded);
    metrics::counter!("DrawsReleased").increment(settled.released);
    metrics::counter!("DrawsRequeued").increment(settled.requeued);
    if let Err(error) = collector.flush(std::io::stdout()) {
        tracing::warn!(%error, "metrics not written");
    }
}
