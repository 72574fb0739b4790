//! Use cases: each takes parsed domain input, runs against the ports of an [`App`] and
//! returns a domain outcome or an [`Error`](crate::Error). Handlers only translate.

pub mod accounts;
pub mod campaigns;
pub mod drawing;
pub mod figures;
pub mod limits;
pub mod order_events;
pub mod payments;
pub mod queries;
pub mod queueing;
pub mod quotas;
pub mod settlement;
pub mod stock_admin;
