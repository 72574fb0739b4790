//! The adapters behind luckydraw's ports.
//!
//! # Layout
//! - [`memory`]: every port in this process: the embedded default and the test double.
//! - [`redis`]: stock (one Lua script per draw), sessions, rate limits, pay links.
//! - [`dynamodb`]: records (users, activities, orders), stock over sharded items, sessions.
//! - [`sqs`]: the order queue.
//! - [`alipay`]: the payment protocol and gateway client.
//! - [`cached`]: a short-lived per-process cache in front of activity reads.
//! - [`cached_sessions`]: a short-lived per-process cache of verified sessions.
//! - [`system`]: the real clock and randomness, and their deterministic stand-ins.

pub mod alipay;
pub mod cached;
pub mod cached_sessions;
pub mod dynamodb;
pub mod memory;
pub mod redis;
pub mod sqs;
pub mod system;
