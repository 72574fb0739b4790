//! The sandbox's OpenAPI gateway: `alipay.trade.precreate` and `alipay.trade.refund`, with
//! the app's request signature checked and every answer signed with the sandbox's key.

use axum::http::StatusCode;
use axum::response::Response;
use luckydraw_adapters::alipay::Params;
use luckydraw_adapters::alipay::openapi::{self, PRECREATE, REFUND, SUCCESS_CODE};
use luckydraw_core::domain::Money;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PREFIX, SANDBOX_APP_ID, Sandbox, SandboxRefund, Trade};
use crate::response::plain;

#[derive(Deserialize)]
struct PrecreateContent {
    out_trade_no: String,
    total_amount: String,
    subject: String,
    #[serde(default)]
    time_expire: Option<String>,
}

#[derive(Deserialize)]
struct RefundContent {
    trade_no: String,
    refund_amount: String,
    out_request_no: String,
}

/// A gateway answer: the success content, or `(code, sub_code, sub_msg)`.
type Answer = Result<Value, (&'static str, &'static str, String)>;

impl Sandbox {
    /// `POST /gateway.do`: a signed OpenAPI call, answered signed.
    pub(super) fn gateway(&self, body: &[u8]) -> Response {
        let params = Params::parse(body).unwrap_or_default();
        let method = params.get("method").unwrap_or_default().to_owned();
        let answer = self.call(&method, &params);
        let content = match answer {
            Ok(mut content) => {
                content["code"] = json!(SUCCESS_CODE);
                content["msg"] = json!("Success");
                content
            }
            Err((code, sub_code, sub_msg)) => {
                json!({"code": code, "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg})
            }
        };
        let name = if method.is_empty() { "error" } else { &method };
        plain(
            StatusCode::OK,
            "application/json; charset=utf-8",
            openapi::signed_response(name, &content, &self.alipay_key),
        )
    }

    fn call(&self, method: &str, params: &Params) -> Answer {
        let invalid = |sub_code, message: &str| Err(("40002", sub_code, message.to_owned()));
        if openapi::verify_request(params, &self.app_key).is_err() {
            return invalid("isv.invalid-signature", "the request signature does not verify");
        }
        if params.get("app_id") != Some(SANDBOX_APP_ID) {
            return invalid("isv.invalid-app-id", "unknown app_id");
        }
        let content = params.get("biz_content").unwrap_or_default();
        match method {
            PRECREATE => match serde_json::from_str(content) {
                Ok(content) => self.precreate(content, params.get("notify_url").unwrap_or_default()),
                Err(error) => invalid("isv.invalid-biz-content", &error.to_string()),
            },
            REFUND => match serde_json::from_str(content) {
                Ok(content) => self.refund(content),
                Err(error) => invalid("isv.invalid-biz-content", &error.to_string()),
            },
            _ => invalid("isv.invalid-method", "unknown method"),
        }
    }

    fn precreate(&self, content: PrecreateContent, notify_url: &str) -> Answer {
        let Ok(total_amount) = Money::parse_yuan(&content.total_amount) else {
            return Err(("40004", "ACQ.INVALID_PARAMETER", format!("total_amount {}", content.total_amount)));
        };
        let mut ledger = self.ledger();
        let trade = ledger.trades.entry(content.out_trade_no.clone()).or_insert_with(|| Trade {
            out_trade_no: content.out_trade_no.clone(),
            subject: content.subject,
            total_amount,
            time_expire: content.time_expire.as_deref().and_then(openapi::parse_beijing_time),
            notify_url: notify_url.to_owned(),
            trade_no: None,
            precreates: 0,
            notify_answers: Vec::new(),
        });
        if trade.trade_no.is_some() {
            return Err(("40004", "ACQ.TRADE_HAS_SUCCESS", "the trade is already paid".into()));
        }
        trade.precreates += 1;
        let qr_code = format!("{}{PREFIX}/pay/{}", self.base_url, content.out_trade_no);
        Ok(json!({"out_trade_no": content.out_trade_no, "qr_code": qr_code}))
    }

    fn refund(&self, content: RefundContent) -> Answer {
        let mut ledger = self.ledger();
        let Some(trade) = ledger.trades.values().find(|trade| trade.trade_no.as_ref() == Some(&content.trade_no))
        else {
            return Err(("40004", "ACQ.TRADE_NOT_EXIST", format!("no paid trade {}", content.trade_no)));
        };
        let out_trade_no = trade.out_trade_no.clone();
        let paid = trade.total_amount;
        if Money::parse_yuan(&content.refund_amount) != Ok(paid) {
            return Err((
                "40004",
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                format!("refund {} of {paid}", content.refund_amount),
            ));
        }
        let done = ledger
            .refunds
            .iter()
            .any(|refund| refund.trade_no == content.trade_no && refund.out_request_no == content.out_request_no);
        if !done {
            ledger.refunds.push(SandboxRefund {
                trade_no: content.trade_no.clone(),
                out_request_no: content.out_request_no,
                amount: paid,
            });
        }
        let fund_change = if done { "N" } else { "Y" };
        Ok(json!({
            "trade_no": content.trade_no,
            "out_trade_no": out_trade_no,
            "refund_fee": paid.to_yuan_string(),
            "fund_change": fund_change,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use luckydraw_adapters::alipay::openapi::{GatewayError, PrecreateResponse};
    use luckydraw_adapters::alipay::{GatewayConfig, PrivateKey};
    use luckydraw_adapters::system::ManualClock;
    use luckydraw_core::domain::Timestamp;

    use super::*;

    async fn precreate(sandbox: &Sandbox, key: &PrivateKey) -> Result<PrecreateResponse, GatewayError> {
        let content = json!({"out_trade_no": "o1", "total_amount": "9.90", "subject": "Cup"});
        let at = Timestamp::from_millis(0);
        let form = openapi::signed_request(SANDBOX_APP_ID, PRECREATE, &content, Some("http://x/pay/notify"), at, key);
        let response = sandbox.gateway(form.encode().as_bytes());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        openapi::verify_response(
            PRECREATE,
            std::str::from_utf8(&body).unwrap(),
            &sandbox.alipay_key.public_key().unwrap(),
        )
    }

    #[tokio::test]
    async fn only_requests_signed_with_the_apps_key_are_served() {
        let clock = Arc::new(ManualClock::at(Timestamp::from_millis(0)));
        let (sandbox, config) = Sandbox::start("http://127.0.0.1:1", clock).unwrap();
        let GatewayConfig { app_key, .. } = config.gateway.unwrap();

        let served = precreate(&sandbox, &app_key).await.unwrap();
        let forged = precreate(&sandbox, &PrivateKey::generate().unwrap()).await.unwrap_err();

        assert_eq!(served.qr_code, "http://127.0.0.1:1/sandbox/alipay/pay/o1");
        assert!(matches!(forged, GatewayError::Refused { ref sub_code, .. } if sub_code == "isv.invalid-signature"));
        assert_eq!(sandbox.trade("o1").unwrap().precreates, 1);
    }
}
