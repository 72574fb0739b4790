//! The luckydraw core: what the product does, with no AWS, Redis, Lambda or HTTP client in
//! reach (the compiler keeps it so: none is a dependency of this crate).
//!
//! # Layout
//! - [`domain`]: types that parse, not validate (money in fen, ids, activities, draws, orders).
//! - [`lottery`]: the draw algorithm, in exact integers: the one home of the prize pick.
//! - [`ports`]: the small traits the use cases need from the world (stock, records, queue,
//!   sessions, payments, clock, randomness) and the data they exchange.
//! - [`messages`]: what travels on the order queue.
//! - [`usecases`]: each operation a function runs, over the ports it names (see [`app`]).
//! - [`error`]: [`Error`], the one vocabulary every use case answers in.
//! - [`settings`]: the tunables every function shares.
//!
//! Adapters (`luckydraw-adapters`) implement the ports; the Lambda glue (`luckydraw-lambda`)
//! wires them into an [`App`] and maps requests and errors.

pub mod app;
pub mod domain;
pub mod error;
pub mod lottery;
pub mod messages;
pub mod ports;
pub mod settings;
pub mod usecases;

pub use app::App;
pub use error::{Error, StoreError};
