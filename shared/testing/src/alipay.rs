//! A test merchant and "Alipay's" key: notifications signed the way Alipay signs them.

use std::sync::{Arc, OnceLock};

use luckydraw_adapters::alipay::{Merchant, Params, PrivateKey, PublicKey, TradeReport, sign_notification};
use luckydraw_core::domain::OrderId;

use crate::{START, TestApp};

/// The app id of test merchants (as in `events/pay-callback/notify.json`).
pub const TEST_APP_ID: &str = "2021000000000000";

/// The seller id of test merchants (as in `events/pay-callback/notify.json`).
pub const TEST_SELLER_ID: &str = "2088102177649450";

/// "Alipay's" private key in tests, generated once per test process.
pub fn alipay_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate().expect("the system has randomness"))
}

/// A merchant with the test ids, trusting `alipay_public_key` (PEM or base64).
pub fn test_merchant(alipay_public_key: &str) -> Merchant {
    Merchant {
        app_id: TEST_APP_ID.to_owned(),
        seller_id: Some(TEST_SELLER_ID.to_owned()),
        alipay_key: PublicKey::parse(alipay_public_key).expect("a valid test public key"),
    }
}

/// What Alipay posts about `order` (before signing), from the test merchant's ids.
pub fn notification_params(order: &OrderId, trade_no: &str, total_amount: &str, trade_status: &str) -> Params {
    let out_trade_no = order.to_string();
    let report = TradeReport {
        app_id: TEST_APP_ID,
        seller_id: TEST_SELLER_ID,
        out_trade_no: &out_trade_no,
        trade_no,
        total_amount,
        trade_status,
        subject: "luckydraw: Cup",
        at: START,
    };
    report.params()
}

/// `params` signed with [`alipay_key`] and form-encoded: a body Alipay could have sent.
pub fn signed_notification(params: Params) -> String {
    sign_notification(params, alipay_key()).encode()
}

impl TestApp {
    /// This app verifying notifications as the test merchant that trusts [`alipay_key`].
    pub fn with_alipay(mut self) -> Self {
        let public_key = alipay_key().public_key().expect("a generated key has a public key").to_pem();
        self.app.notices = Some(Arc::new(test_merchant(&public_key)));
        self
    }
}
