//! Alipay OpenAPI 2.0: gateway requests signed with the app's key, and responses whose
//! signature (over the raw `<method>_response` JSON) is checked before anything in them is
//! believed. Both sides are here, so the sandbox gateway speaks exactly what the client expects.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::form::Params;
use super::keys::{PrivateKey, PublicKey};
use luckydraw_core::domain::Timestamp;

/// Creates a trade and returns the QR code the payer opens.
pub const PRECREATE: &str = "alipay.trade.precreate";
/// Refunds (part of) a paid trade.
pub const REFUND: &str = "alipay.trade.refund";
/// The only success `code` of a gateway response.
pub const SUCCESS_CODE: &str = "10000";

/// A gateway response that cannot be trusted or says no.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Not the JSON envelope Alipay sends.
    #[error("unreadable gateway response: {0}")]
    Malformed(String),
    /// A success whose signature is missing or wrong.
    #[error("the gateway response is not signed by Alipay's key")]
    BadSignature,
    /// A business error (`code` other than 10000).
    #[error("the gateway refused: {code} {sub_code} {message}")]
    Refused {
        /// `code`, e.g. `40004`.
        code: String,
        /// `sub_code`, e.g. `ACQ.TRADE_HAS_SUCCESS`.
        sub_code: String,
        /// `sub_msg` or `msg`.
        message: String,
    },
}

/// The part every response carries.
#[derive(Debug, Deserialize)]
struct Outcome {
    code: String,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    sub_code: String,
    #[serde(default)]
    sub_msg: String,
}

/// What `alipay.trade.precreate` answers on success.
#[derive(Debug, Deserialize)]
pub struct PrecreateResponse {
    /// Our order id, echoed.
    pub out_trade_no: String,
    /// The link to pay (shown as a QR code, or opened on a phone).
    pub qr_code: String,
}

/// What `alipay.trade.refund` answers on success.
#[derive(Debug, Deserialize)]
pub struct RefundResponse {
    /// The refunded trade.
    pub trade_no: String,
    /// Everything refunded on the trade so far, in yuan.
    pub refund_fee: String,
    /// `Y` if this request moved money, `N` if it had already been refunded.
    #[serde(default)]
    pub fund_change: String,
}

/// An instant as Alipay writes it: Beijing time, `2026-11-21 16:00:00` (seconds truncated).
pub fn beijing_time(at: Timestamp) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    at.to_datetime().to_offset(offset!(+8)).format(&format).unwrap_or_default()
}

/// Parses [`beijing_time`]'s format.
pub fn parse_beijing_time(text: &str) -> Option<Timestamp> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = PrimitiveDateTime::parse(text, &format).ok()?;
    let at: OffsetDateTime = local.assume_offset(offset!(+8));
    Some(Timestamp::from_millis(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()?))
}

/// The form of a gateway call: the common parameters, `biz_content`, and `sign` over all of
/// them (the request rule: only `sign` itself and empty values stay out of the sign string).
pub fn signed_request(
    app_id: &str,
    method: &str,
    biz_content: &serde_json::Value,
    notify_url: Option<&str>,
    at: Timestamp,
    key: &PrivateKey,
) -> Params {
    let mut params = Params::default();
    params.push("app_id", app_id);
    params.push("method", method);
    params.push("format", "JSON");
    params.push("charset", "utf-8");
    params.push("sign_type", "RSA2");
    params.push("timestamp", beijing_time(at));
    params.push("version", "1.0");
    if let Some(url) = notify_url {
        params.push("notify_url", url);
    }
    params.push("biz_content", biz_content.to_string());
    let signature = key.sign(&params.sign_content(&["sign"]));
    params.push("sign", signature);
    params
}

/// Checks a request's signature against the app's public key (what the gateway does).
pub fn verify_request(params: &Params, app_key: &PublicKey) -> Result<(), GatewayError> {
    let signature = params.non_empty("sign").ok_or(GatewayError::BadSignature)?;
    app_key.verify(&params.sign_content(&["sign"]), signature).map_err(|_| GatewayError::BadSignature)
}

/// The response body for `method`: `{"<method>_response":{...},"sign":"..."}`, signed over
/// the exact text of the inner object.
pub fn signed_response(method: &str, content: &serde_json::Value, key: &PrivateKey) -> String {
    let inner = content.to_string();
    let signature = serde_json::Value::String(key.sign(&inner));
    format!(r#"{{"{}":{inner},"sign":{signature}}}"#, response_name(method))
}

/// Reads the response to `method`: a refusal as [`GatewayError::Refused`]; a success only
/// once `sign` verifies over the raw inner JSON with Alipay's key.
pub fn verify_response<T: DeserializeOwned>(
    method: &str,
    body: &str,
    alipay_key: &PublicKey,
) -> Result<T, GatewayError> {
    let malformed = |error: serde_json::Error| GatewayError::Malformed(error.to_string());
    let envelope: HashMap<String, &RawValue> = serde_json::from_str(body).map_err(malformed)?;
    let name = response_name(method);
    let inner = envelope.get(&name).ok_or_else(|| GatewayError::Malformed(format!("no `{name}` in the response")))?;
    let outcome: Outcome = serde_json::from_str(inner.get()).map_err(malformed)?;
    if outcome.code != SUCCESS_CODE {
        let message = if outcome.sub_msg.is_empty() { outcome.msg } else { outcome.sub_msg };
        return Err(GatewayError::Refused { code: outcome.code, sub_code: outcome.sub_code, message });
    }
    let signature: String = match envelope.get("sign") {
        Some(raw) => serde_json::from_str(raw.get()).map_err(malformed)?,
        None => return Err(GatewayError::BadSignature),
    };
    alipay_key.verify(inner.get(), &signature).map_err(|_| GatewayError::BadSignature)?;
    serde_json::from_str(inner.get()).map_err(malformed)
}

fn response_name(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn times_are_beijing_wall_clock() {
        let at = Timestamp::parse("2026-11-21T08:15:00.900Z").unwrap();
        assert_eq!(beijing_time(at), "2026-11-21 16:15:00");
        assert_eq!(parse_beijing_time("2026-11-21 16:15:00"), Some(Timestamp::parse("2026-11-21T08:15:00Z").unwrap()));
        assert_eq!(parse_beijing_time("2026-11-21T16:15:00"), None);
    }

    #[test]
    fn a_request_is_signed_over_every_parameter_but_sign() {
        let key = PrivateKey::generate().unwrap();
        let at = Timestamp::parse("2026-11-21T08:00:00Z").unwrap();
        let params = signed_request("2021", PRECREATE, &json!({"a": "b"}), Some("https://x/pay/notify"), at, &key);

        assert_eq!(params.get("timestamp"), Some("2026-11-21 16:00:00"));
        assert_eq!(params.get("sign_type"), Some("RSA2"));
        assert_eq!(verify_request(&params, &key.public_key().unwrap()), Ok(()));
        let mut tampered = Params::parse(params.encode().replace("2021", "2022").as_bytes()).unwrap();
        assert_eq!(verify_request(&tampered, &key.public_key().unwrap()), Err(GatewayError::BadSignature));
        tampered = Params::parse(params.encode().as_bytes()).unwrap();
        tampered.push("extra", "1");
        assert_eq!(verify_request(&tampered, &key.public_key().unwrap()), Err(GatewayError::BadSignature));
    }

    #[test]
    fn a_success_is_believed_only_with_alipays_signature() {
        let alipay = PrivateKey::generate().unwrap();
        let forger = PrivateKey::generate().unwrap();
        let content = json!({"code": "10000", "msg": "Success", "out_trade_no": "o1", "qr_code": "https://qr/x"});

        let good: PrecreateResponse =
            verify_response(PRECREATE, &signed_response(PRECREATE, &content, &alipay), &alipay.public_key().unwrap())
                .unwrap();
        let forged = verify_response::<PrecreateResponse>(
            PRECREATE,
            &signed_response(PRECREATE, &content, &forger),
            &alipay.public_key().unwrap(),
        );
        let unsigned = verify_response::<PrecreateResponse>(
            PRECREATE,
            &format!(r#"{{"alipay_trade_precreate_response":{content}}}"#),
            &alipay.public_key().unwrap(),
        );

        assert_eq!((good.out_trade_no.as_str(), good.qr_code.as_str()), ("o1", "https://qr/x"));
        assert_eq!(forged.unwrap_err(), GatewayError::BadSignature);
        assert_eq!(unsigned.unwrap_err(), GatewayError::BadSignature);
    }

    #[test]
    fn a_refusal_reports_its_codes() {
        let key = PrivateKey::generate().unwrap();
        let body = r#"{"alipay_trade_refund_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"no such trade"}}"#;
        let refused = verify_response::<RefundResponse>(REFUND, body, &key.public_key().unwrap()).unwrap_err();
        assert_eq!(
            refused,
            GatewayError::Refused {
                code: "40004".into(),
                sub_code: "ACQ.TRADE_NOT_EXIST".into(),
                message: "no such trade".into()
            }
        );
        assert!(matches!(
            verify_response::<RefundResponse>(REFUND, "<html>", &key.public_key().unwrap()),
            Err(GatewayError::Malformed(_))
        ));
    }
}
