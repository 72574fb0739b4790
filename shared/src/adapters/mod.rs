//! Adapters behind the ports. `memory` is the embedded default and the test double;
//! `redis`, `dynamodb` and `sqs` are the real backends; `cached` keeps hot reads close;
//! `alipay` is the payment gateway client; `system` holds the real clock and randomness
//! and their deterministic stand-ins.

pub mod alipay;
pub mod cached;
pub mod dynamodb;
pub mod memory;
pub mod redis;
pub mod sqs;
pub mod system;
