//! The Alipay protocol, independent of HTTP and of any backend: RSA2 keys, form decoding
//! and sign strings, OpenAPI 2.0 requests and verified responses, and verified async
//! notifications. The gateway adapter, the sandbox and the use cases build on it.

pub mod config;
pub mod form;
pub mod keys;
pub mod notify;
pub mod openapi;

pub use config::{AlipayConfig, GatewayConfig};
pub use form::{FormError, Params};
pub use keys::{BadSignature, KeyError, PrivateKey, PublicKey};
pub use notify::{Merchant, Notification, Rejection, TradeReport, sign_notification};
