//! [`Payments`] over Alipay's OpenAPI gateway (or the local sandbox, which speaks the same):
//! signed form POSTs, and responses believed only once Alipay's signature verifies.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::alipay::openapi::{self, PRECREATE, PrecreateResponse, REFUND, RefundResponse};
use crate::alipay::{GatewayConfig, Merchant};
use luckydraw_core::domain::{PayLink, Refund, TradeRequest};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::Payments;

/// A gateway call that takes longer than this has failed (the Lambda's own timeout is 10 s).
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The Alipay gateway client.
#[derive(Debug)]
pub struct AlipayGateway {
    http: reqwest::Client,
    merchant: Arc<Merchant>,
    gateway: GatewayConfig,
}

impl AlipayGateway {
    /// A client for `gateway`, acting as `merchant`.
    pub fn new(merchant: Arc<Merchant>, gateway: GatewayConfig) -> Result<Self, StoreError> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|error| StoreError::caused_by("cannot build the Alipay HTTP client", error))?;
        Ok(Self { http, merchant, gateway })
    }

    /// Sends one signed call and reads its verified answer.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        content: serde_json::Value,
        notify_url: Option<&str>,
        at: luckydraw_core::domain::Timestamp,
    ) -> Result<T, StoreError> {
        let form =
            openapi::signed_request(&self.merchant.app_id, method, &content, notify_url, at, &self.gateway.app_key);
        let context = || format!("Alipay {method} failed");
        let response = self
            .http
            .post(&self.gateway.url)
            .header("content-type", "application/x-www-form-urlencoded;charset=utf-8")
            .body(form.encode())
            .send()
            .await
            .map_err(|error| StoreError::caused_by(context(), error))?;
        let body = response.text().await.map_err(|error| StoreError::caused_by(context(), error))?;
        openapi::verify_response(method, &body, &self.merchant.alipay_key)
            .map_err(|error| StoreError::caused_by(context(), error))
    }
}

#[async_trait]
impl Payments for AlipayGateway {
    async fn precreate(&self, trade: &TradeRequest) -> Result<PayLink, StoreError> {
        let content = json!({
            "out_trade_no": trade.order_id.to_string(),
            "total_amount": trade.amount.to_yuan_string(),
            "subject": trade.subject,
            // Alipay closes the trade at this second, so it never takes money after our deadline.
            "time_expire": openapi::beijing_time(trade.pay_before),
        });
        // A configured PUBLIC_BASE_URL wins over the address the request came in on.
        let notify_url = self.gateway.notify_url.as_deref().or(trade.notify_url.as_deref()).ok_or_else(|| {
            StoreError::new("no notify URL for Alipay: set PUBLIC_BASE_URL or call through API Gateway")
        })?;
        let created: PrecreateResponse = self.call(PRECREATE, content, Some(notify_url), trade.at).await?;
        if created.out_trade_no != trade.order_id.to_string() {
            return Err(StoreError::new(format!("Alipay precreate answered for trade {}", created.out_trade_no)));
        }
        Ok(PayLink { url: created.qr_code, expires_at: trade.pay_before })
    }

    async fn refund(&self, refund: &Refund) -> Result<(), StoreError> {
        let content = json!({
            "trade_no": refund.trade_no,
            "refund_amount": refund.amount.to_yuan_string(),
            "out_request_no": refund.request_no,
            "refund_reason": "the order could no longer take this payment",
        });
        let refunded: RefundResponse = self.call(REFUND, content, None, refund.at).await?;
        if refunded.trade_no != refund.trade_no {
            return Err(StoreError::new(format!("Alipay refunded trade {} instead", refunded.trade_no)));
        }
        Ok(())
    }
}

/// [`Payments`] where no gateway is configured (no `ALIPAY_APP_PRIVATE_KEY`): every call
/// fails loudly instead of pretending.
#[derive(Debug, Default)]
pub struct NoGateway;

#[async_trait]
impl Payments for NoGateway {
    async fn precreate(&self, _trade: &TradeRequest) -> Result<PayLink, StoreError> {
        Err(StoreError::new("no Alipay gateway configured (ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY, ALIPAY_APP_PRIVATE_KEY)"))
    }

    async fn refund(&self, _refund: &Refund) -> Result<(), StoreError> {
        Err(StoreError::new("no Alipay gateway configured (ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY, ALIPAY_APP_PRIVATE_KEY)"))
    }
}
