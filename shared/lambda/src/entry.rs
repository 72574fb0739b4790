//! Lambda entry points: logging, metrics and the [`App`] are set up once at init, outside
//! the handler, then every invocation reuses them and ends by flushing its metrics.

use std::convert::Infallible;
use std::future::Future;

use lambda_http::{Body, Request, Response};
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde::de::DeserializeOwned;

use luckydraw_core::App;

use crate::{metrics, telemetry, wiring};

/// Serves API Gateway HTTP requests with `handler` (which answers errors itself).
pub async fn serve_http<H, F>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(&'static App, Request) -> F,
    F: Future<Output = Response<Body>> + Send,
{
    let app = init().await?;
    let service = lambda_http::service_fn(move |request| {
        let response = handler(app, request);
        async move {
            let response = response.await;
            metrics::flush();
            Ok::<_, Infallible>(response)
        }
    });
    lambda_http::run(service).await
}

/// Serves events of type `E` (SQS batches, schedules) with `handler`.
pub async fn serve_events<E, R, H, F>(handler: H) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    H: Fn(&'static App, E) -> F,
    F: Future<Output = Result<R, lambda_runtime::Error>> + Send,
{
    let app = init().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<E>| {
        let handled = handler(app, event.payload);
        async move {
            let result = handled.await;
            metrics::invoked();
            if result.is_err() {
                metrics::failed_with(metrics::INVOCATION_FAILED);
            }
            metrics::flush();
            result
        }
    }))
    .await
}

/// Logging and metrics, then the app from the environment, kept for the life of the process.
async fn init() -> Result<&'static App, lambda_runtime::Error> {
    telemetry::init();
    metrics::init()?;
    let app = wiring::from_env().await?;
    Ok(Box::leak(Box::new(app)))
}
