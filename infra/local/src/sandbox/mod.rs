//! A sandbox Alipay under `/sandbox/alipay/`, so a player can pay end to end on one machine.
//! It speaks the real protocol with keys generated at start: the gateway verifies the app's
//! RSA2 requests and signs its answers with its own key; the pay link is a small confirm page
//! that, when confirmed, posts a correctly signed notification to the shop's `notify_url`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::Response;
use luckydraw_adapters::alipay::config::notify_url;
use luckydraw_adapters::alipay::openapi;
use luckydraw_adapters::alipay::{
    AlipayConfig, GatewayConfig, KeyError, Merchant, Params, PrivateKey, PublicKey, TradeReport, sign_notification,
};
use luckydraw_core::domain::{Money, Timestamp};
use luckydraw_core::ports::Clock;
use tracing::info;

use crate::response::{html, plain};

mod gateway;
mod page;

/// Where the sandbox lives on the runner.
pub const PREFIX: &str = "/sandbox/alipay";
/// The app id the sandbox knows the shop by.
pub const SANDBOX_APP_ID: &str = "9021000000000000";
/// The shop's seller id in the sandbox.
pub const SANDBOX_SELLER_ID: &str = "2088000000000001";

/// The sandbox Alipay: its own key, the app's public key, and every trade and refund.
pub struct Sandbox {
    alipay_key: PrivateKey,
    app_key: PublicKey,
    base_url: String,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    state: Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    trades: HashMap<String, Trade>,
    refunds: Vec<SandboxRefund>,
    paid: u64,
}

/// A trade as the sandbox holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    /// The shop's order id.
    pub out_trade_no: String,
    /// What the payer sees.
    pub subject: String,
    /// The price.
    pub total_amount: Money,
    /// After this the trade cannot be paid.
    pub time_expire: Option<Timestamp>,
    /// Where notifications go.
    pub notify_url: String,
    /// Set once paid.
    pub trade_no: Option<String>,
    /// How many precreate calls named this trade.
    pub precreates: u32,
    /// The shop's answer to each notification, in order.
    pub notify_answers: Vec<String>,
}

/// A refund the sandbox made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxRefund {
    /// The trade.
    pub trade_no: String,
    /// The shop's request number.
    pub out_request_no: String,
    /// How much went back.
    pub amount: Money,
}

/// Why a payment could not be confirmed.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// No trade with this `out_trade_no`.
    #[error("no trade {0}")]
    NoSuchTrade(String),
    /// The trade's `time_expire` has passed.
    #[error("the trade is closed: its time to pay has passed")]
    Closed,
    /// The shop could not be reached.
    #[error("the notification could not be delivered: {0}")]
    Delivery(String),
}

impl Sandbox {
    /// A sandbox at `base_url` (the runner's), with fresh keys for itself and for the shop;
    /// also returns the configuration the shop's app pays with.
    pub fn start(base_url: &str, clock: Arc<dyn Clock>) -> Result<(Arc<Sandbox>, AlipayConfig), KeyError> {
        let alipay_key = PrivateKey::generate()?;
        let app_private_key = PrivateKey::generate()?;
        let merchant = Merchant {
            app_id: SANDBOX_APP_ID.to_owned(),
            seller_id: Some(SANDBOX_SELLER_ID.to_owned()),
            alipay_key: alipay_key.public_key()?,
        };
        let sandbox = Sandbox {
            app_key: app_private_key.public_key()?,
            alipay_key,
            base_url: base_url.to_owned(),
            clock,
            http: reqwest::Client::new(),
            state: Mutex::default(),
        };
        let gateway = GatewayConfig {
            url: format!("{base_url}{PREFIX}/gateway.do"),
            app_key: app_private_key,
            notify_url: Some(notify_url(base_url)),
        };
        Ok((Arc::new(sandbox), AlipayConfig { merchant, gateway: Some(gateway) }))
    }

    /// Answers a request under [`PREFIX`].
    pub async fn answer(&self, method: &str, path: &str, body: &[u8]) -> Response {
        let rest = path.strip_prefix(PREFIX).unwrap_or_default();
        match (method, rest.strip_prefix("/pay/")) {
            ("POST", None) if rest == "/gateway.do" => self.gateway(body),
            ("GET", Some(out_trade_no)) => self.pay_page(out_trade_no),
            ("POST", Some(out_trade_no)) => {
                let outcome = self.confirm(out_trade_no).await;
                html(StatusCode::OK, page::confirmed(out_trade_no, &outcome))
            }
            _ => plain(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "no such sandbox page"),
        }
    }

    /// The trade for `out_trade_no`.
    pub fn trade(&self, out_trade_no: &str) -> Option<Trade> {
        self.ledger().trades.get(out_trade_no).cloned()
    }

    /// Every refund made, in order.
    pub fn refunds(&self) -> Vec<SandboxRefund> {
        self.ledger().refunds.clone()
    }

    /// The payer confirms: the trade is paid (once) and its notification sent; returns the
    /// shop's answer (`success` when it took it).
    pub async fn confirm(&self, out_trade_no: &str) -> Result<String, SandboxError> {
        let now = self.clock.now();
        {
            let mut ledger = self.ledger();
            let trade =
                ledger.trades.get(out_trade_no).ok_or_else(|| SandboxError::NoSuchTrade(out_trade_no.into()))?;
            if trade.trade_no.is_none() {
                if trade.time_expire.is_some_and(|expiry| now >= expiry) {
                    return Err(SandboxError::Closed);
                }
                ledger.paid += 1;
                let trade_no = trade_number(now, ledger.paid);
                if let Some(trade) = ledger.trades.get_mut(out_trade_no) {
                    trade.trade_no = Some(trade_no);
                }
            }
        }
        self.notify(out_trade_no).await
    }

    /// Sends a paid trade's notification again, as Alipay does until it reads `success`.
    pub async fn notify(&self, out_trade_no: &str) -> Result<String, SandboxError> {
        let trade = self.trade(out_trade_no).ok_or_else(|| SandboxError::NoSuchTrade(out_trade_no.into()))?;
        let trade_no = trade.trade_no.clone().ok_or_else(|| SandboxError::NoSuchTrade(out_trade_no.into()))?;
        let body = sign_notification(self.notification(&trade, &trade_no), &self.alipay_key);
        let delivery = |error: reqwest::Error| SandboxError::Delivery(error.to_string());
        let response = self
            .http
            .post(&trade.notify_url)
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .body(body.encode())
            .send()
            .await
            .map_err(delivery)?;
        let answer = response.text().await.map_err(delivery)?;
        info!(out_trade_no, trade_no, answer, "sandbox notification delivered");
        if let Some(stored) = self.ledger().trades.get_mut(out_trade_no) {
            stored.notify_answers.push(answer.clone());
        }
        Ok(answer)
    }

    fn notification(&self, trade: &Trade, trade_no: &str) -> Params {
        let amount = trade.total_amount.to_yuan_string();
        let report = TradeReport {
            app_id: SANDBOX_APP_ID,
            seller_id: SANDBOX_SELLER_ID,
            out_trade_no: &trade.out_trade_no,
            trade_no,
            total_amount: &amount,
            trade_status: "TRADE_SUCCESS",
            subject: &trade.subject,
            at: self.clock.now(),
        };
        report.params()
    }

    fn pay_page(&self, out_trade_no: &str) -> Response {
        match self.trade(out_trade_no) {
            Some(trade) => html(StatusCode::OK, page::confirm(&trade, self.clock.now())),
            None => html(
                StatusCode::NOT_FOUND,
                page::confirmed(out_trade_no, &Err(SandboxError::NoSuchTrade(out_trade_no.into()))),
            ),
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An Alipay-looking trade number: the Beijing date, `22001`, and a 15-digit sequence.
fn trade_number(now: Timestamp, sequence: u64) -> String {
    let date: String = openapi::beijing_time(now).chars().take(10).filter(char::is_ascii_digit).collect();
    format!("{date}22001{sequence:015}")
}
