//! Test helpers for luckydraw, a dev-dependency only.
//!
//! # Layout
//! - [`app`]: an in-memory app on a manual clock ([`test_app`]), players, queue draining.
//! - [`fixtures`]: test activities and prizes.
//! - [`alipay`]: a test merchant and signed notifications.
//! - [`faults`]: fault injection (a queue that goes down, a cap on requests in flight).
//! - [`chaos`]: a Redis that pauses and restarts empty, a TCP proxy that refuses and cuts.
//! - [`audit`]: the invariants of DESIGN §5 after a storm with faults.
//! - [`ledger`]: where every unit of an activity is, for the conservation invariant.
//! - [`requests`]: API Gateway requests and the events in `events/`.
//! - [`conformance`]: the suite every adapter of a port runs.
//! - [`services`]: real Redis and moto servers for adapter tests.

pub mod alipay;
pub mod app;
pub mod audit;
pub mod chaos;
pub mod conformance;
pub mod faults;
pub mod fixtures;
pub mod ledger;
pub mod requests;
pub mod services;

pub use alipay::*;
pub use app::*;
pub use faults::*;
pub use fixtures::*;
pub use ledger::*;
pub use requests::*;
