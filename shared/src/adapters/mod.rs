//! Adapters behind the ports. `memory` is the embedded default and the test double;
//! `system` holds the real clock and randomness and their deterministic stand-ins;
//! `alipay` is the payment gateway client.

pub mod alipay;
pub mod memory;
pub mod system;
