//! luckydraw's Lambda glue: everything between the AWS Lambda runtime and the core.
//!
//! # Layout
//! - [`config`]: the environment, read once at start ([`config::Settings`],
//!   [`config::backends::Backends`]).
//! - [`wiring`]: the composition root that builds the `App` on the selected adapters.
//! - [`bodies`]: the JSON shapes of activities and orders the APIs share.
//! - [`guard`]: media types, body sizes and origins checked before any handler; answer headers.
//! - [`http`]: API Gateway requests in, JSON responses out, and the one `Error` → status map.
//! - [`routes`]: how a function declares the routes it serves and dispatches on them.
//! - [`sqs`]: SQS batches with partial failures.
//! - [`entry`]: the `main` of every function: telemetry and the app at init, then the runtime.
//! - [`telemetry`]: structured logs.
//! - [`metrics`]: CloudWatch metrics (EMF), one call per thing that happened, flushed per invocation.

pub mod bodies;
pub mod config;
pub mod entry;
pub mod guard;
pub mod http;
pub mod metrics;
pub mod routes;
pub mod sqs;
pub mod telemetry;
pub mod wiring;
