//! Alipay's asynchronous notification (DESIGN §4): the sign string leaves out `sign` and
//! `sign_type` and empty values, sorts by name and uses values decoded once; the signature
//! must be Alipay's; then the app and seller must be ours. Only then is it a `Notification`.

use super::form::{FormError, Params};
use super::keys::{PrivateKey, PublicKey};
use super::openapi::beijing_time;
use luckydraw_core::domain::{Money, Notification, OrderId, Timestamp, Unverified};
use luckydraw_core::messages::TradeStatus;
use luckydraw_core::ports::PaymentNotices;

/// Who we are at Alipay and whose signatures we trust.
#[derive(Debug)]
pub struct Merchant {
    /// Our `app_id`.
    pub app_id: String,
    /// Our `seller_id` (the merchant's Alipay user id), checked when known.
    pub seller_id: Option<String>,
    /// Alipay's public key (not our app's own).
    pub alipay_key: PublicKey,
}

/// Why a notification body is not a genuine Alipay notification for us.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Not a well-formed form.
    #[error("malformed body: {0}")]
    Malformed(#[from] FormError),
    /// No `sign`.
    #[error("the notification is not signed")]
    Unsigned,
    /// A `sign_type` other than RSA2.
    #[error("sign_type `{0}` is not RSA2")]
    SignType(String),
    /// The signature is not Alipay's over these values.
    #[error("the signature does not verify with Alipay's public key")]
    BadSignature,
    /// Signed, but for another app.
    #[error("app_id `{0}` is not ours")]
    WrongApp(String),
    /// Signed, but for another seller.
    #[error("seller_id `{0}` is not ours")]
    WrongSeller(String),
    /// A required field is missing or empty.
    #[error("`{0}` is missing")]
    Missing(&'static str),
    /// A field that does not parse.
    #[error("`{name}` has an invalid value `{value}`")]
    Invalid {
        /// The field.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// `out_trade_no` cannot be one of our order ids.
    #[error("out_trade_no `{0}` is not a known order")]
    UnknownOrder(String),
}

impl NotifyError {
    /// A stable name for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            NotifyError::Malformed(_) => "malformed",
            NotifyError::Unsigned => "unsigned",
            NotifyError::SignType(_) => "sign_type",
            NotifyError::BadSignature => "bad_signature",
            NotifyError::WrongApp(_) => "wrong_app",
            NotifyError::WrongSeller(_) => "wrong_seller",
            NotifyError::Missing(_) => "missing_field",
            NotifyError::Invalid { .. } => "invalid_field",
            NotifyError::UnknownOrder(_) => "unknown_order",
        }
    }
}

impl Merchant {
    /// Verifies a notification body (form-encoded, already un-base64'd) and reads it.
    pub fn verify(&self, body: &[u8]) -> Result<Notification, NotifyError> {
        let params = Params::parse(body)?;
        let signature = params.non_empty("sign").ok_or(NotifyError::Unsigned)?;
        if let Some(other) = params.get("sign_type").filter(|sign_type| *sign_type != "RSA2") {
            return Err(NotifyError::SignType(other.to_owned()));
        }
        let content = params.sign_content(&["sign", "sign_type"]);
        self.alipay_key.verify(&content, signature).map_err(|_| NotifyError::BadSignature)?;

        let field = |name: &'static str| params.non_empty(name).ok_or(NotifyError::Missing(name));
        let invalid = |name: &'static str, value: &str| NotifyError::Invalid { name, value: value.to_owned() };
        let app_id = field("app_id")?;
        if app_id != self.app_id {
            return Err(NotifyError::WrongApp(app_id.to_owned()));
        }
        if let Some(seller_id) = &self.seller_id {
            let theirs = params.get("seller_id").unwrap_or_default();
            if theirs != seller_id {
                return Err(NotifyError::WrongSeller(theirs.to_owned()));
            }
        }
        let out_trade_no = field("out_trade_no")?;
        let amount = field("total_amount")?;
        let status = field("trade_status")?;
        Ok(Notification {
            order_id: OrderId::parse(out_trade_no).map_err(|_| NotifyError::UnknownOrder(out_trade_no.to_owned()))?,
            trade_no: field("trade_no")?.to_owned(),
            total_amount: Money::parse_yuan(amount).map_err(|_| invalid("total_amount", amount))?,
            trade_status: TradeStatus::parse(status).ok_or_else(|| invalid("trade_status", status))?,
        })
    }
}

impl PaymentNotices for Merchant {
    fn verify(&self, body: &[u8]) -> Result<Notification, Unverified> {
        Merchant::verify(self, body).map_err(Unverified::from)
    }
}

impl From<NotifyError> for Unverified {
    fn from(error: NotifyError) -> Self {
        Unverified { reason: error.reason(), detail: error.to_string() }
    }
}

/// What a notification says about one trade, as Alipay fills it in (the sandbox's side, and
/// tests); sign it with [`sign_notification`].
#[derive(Clone, Copy, Debug)]
pub struct TradeReport<'a> {
    /// The shop's app.
    pub app_id: &'a str,
    /// The shop's seller id.
    pub seller_id: &'a str,
    /// The shop's order id.
    pub out_trade_no: &'a str,
    /// Alipay's trade number.
    pub trade_no: &'a str,
    /// The amount in yuan, as written.
    pub total_amount: &'a str,
    /// E.g. `TRADE_SUCCESS`.
    pub trade_status: &'a str,
    /// What the payer saw.
    pub subject: &'a str,
    /// When it happened.
    pub at: Timestamp,
}

impl TradeReport<'_> {
    /// The notification's fields, unsigned; `body` is present and empty, as when a trade has none.
    pub fn params(&self) -> Params {
        let at = beijing_time(self.at);
        let mut params = Params::default();
        for (name, value) in [
            ("notify_time", at.as_str()),
            ("notify_type", "trade_status_sync"),
            ("notify_id", self.trade_no),
            ("charset", "utf-8"),
            ("version", "1.0"),
            ("app_id", self.app_id),
            ("auth_app_id", self.app_id),
            ("seller_id", self.seller_id),
            ("buyer_id", "2088102177846880"),
            ("buyer_logon_id", "pla***@example.com"),
            ("trade_no", self.trade_no),
            ("out_trade_no", self.out_trade_no),
            ("trade_status", self.trade_status),
            ("total_amount", self.total_amount),
            ("receipt_amount", self.total_amount),
            ("buyer_pay_amount", self.total_amount),
            ("subject", self.subject),
            ("gmt_payment", at.as_str()),
            ("body", ""),
        ] {
            params.push(name, value);
        }
        params
    }
}

/// Signs a notification the way Alipay does (the sandbox's side, and tests): adds
/// `sign_type=RSA2` and `sign` over the notification sign string.
pub fn sign_notification(mut params: Params, alipay_key: &PrivateKey) -> Params {
    let signature = alipay_key.sign(&params.sign_content(&["sign", "sign_type"]));
    params.push("sign_type", "RSA2");
    params.push("sign", signature);
    params
}
