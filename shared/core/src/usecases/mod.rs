//! Use cases: each takes parsed domain input, runs against the ports of an [`App`] and
//! returns a domain outcome or an [`Error`](crate::Error). Handlers only translate.

pub mod accounts;
pub mod drawing;
pub mod limits;
pub mod order_events;
pub mod payments;
pub mod queries;
pub mod settlement;
pub mod stock_admin;
