//! Alipay: the protocol (RSA2 keys, form decoding and sign strings, OpenAPI 2.0 requests and
//! verified responses, verified async notifications) and the gateway client behind the
//! `Payments` port. The local sandbox builds on the same protocol code.

pub mod config;
pub mod form;
pub mod gateway;
pub mod keys;
pub mod notify;
pub mod openapi;

pub use config::{AlipayConfig, GatewayConfig};
pub use form::{FormError, Params};
pub use keys::{BadSignature, KeyError, PrivateKey, PublicKey};
pub use notify::{Merchant, NotifyError, TradeReport, sign_notification};
