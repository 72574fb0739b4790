//! luckydraw core: the domain, the draw algorithm, the ports and their adapters, the use
//! cases every Lambda function runs, and the HTTP and SQS glue they share.
//!
//! A function's handler parses its event into domain input, calls one use case on an
//! [`App`], and maps the outcome (or the [`Error`]) back to its response.

pub mod adapters;
pub mod app;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod lambda;
pub mod lottery;
pub mod messages;
pub mod payment;
pub mod ports;
pub mod sqs;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod usecases;

pub use app::App;
pub use error::{Error, StoreError};
