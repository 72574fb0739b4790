//! Adapters behind the ports. `memory` is the embedded default and the test double;
//! `system` holds the real clock and randomness and their deterministic stand-ins.

pub mod memory;
pub mod system;
