//! Alipay settings from the environment: `ALIPAY_APP_ID`, `ALIPAY_PUBLIC_KEY`,
//! `ALIPAY_SELLER_ID`, and for calling the gateway `ALIPAY_APP_PRIVATE_KEY`,
//! `ALIPAY_GATEWAY_URL` and `PUBLIC_BASE_URL` (where Alipay sends notifications; when unset,
//! the API's own address as API Gateway reports it with each request).

use secrecy::{ExposeSecret, SecretString};

use super::keys::{KeyError, PrivateKey, PublicKey};
use super::notify::Merchant;
use luckydraw_core::settings::ConfigError;

/// Alipay's production gateway.
pub const DEFAULT_GATEWAY_URL: &str = "https://openapi.alipay.com/gateway.do";

/// The path notifications are posted to (the pay-callback function's route).
pub const NOTIFY_PATH: &str = "/pay/notify";

/// Everything a function needs to talk to Alipay.
#[derive(Debug)]
pub struct AlipayConfig {
    /// Our identity and Alipay's key: enough to verify notifications.
    pub merchant: Merchant,
    /// What calling the gateway needs; absent where nothing calls it (pay-callback).
    pub gateway: Option<GatewayConfig>,
}

/// What signing and sending gateway requests needs besides the [`Merchant`].
#[derive(Debug)]
pub struct GatewayConfig {
    /// The OpenAPI gateway, e.g. `https://openapi.alipay.com/gateway.do`.
    pub url: String,
    /// Our app's private key.
    pub app_key: PrivateKey,
    /// Where Alipay posts notifications: `PUBLIC_BASE_URL` + `/pay/notify`; `None` to use
    /// the address each pay request came in on.
    pub notify_url: Option<String>,
}

impl AlipayConfig {
    /// Reads the environment; `None` when `ALIPAY_APP_ID` is unset (payments not configured).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`. Key values never appear in errors.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let value = |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let Some(app_id) = value("ALIPAY_APP_ID") else { return Ok(None) };
        let public_key = value("ALIPAY_PUBLIC_KEY")
            .ok_or_else(|| ConfigError::new("ALIPAY_PUBLIC_KEY", "", "required when ALIPAY_APP_ID is set"))?;
        let alipay_key = PublicKey::parse(&public_key)
            .map_err(|error| ConfigError::new("ALIPAY_PUBLIC_KEY", "(key not shown)", error.to_string()))?;
        let merchant = Merchant { app_id, seller_id: value("ALIPAY_SELLER_ID"), alipay_key };
        let Some(private_key) = value("ALIPAY_APP_PRIVATE_KEY") else {
            return Ok(Some(Self { merchant, gateway: None }));
        };
        let app_key = PrivateKey::parse(&SecretString::from(private_key))
            .map_err(|error| ConfigError::new("ALIPAY_APP_PRIVATE_KEY", "(secret not shown)", error.to_string()))?;
        let gateway = GatewayConfig {
            url: value("ALIPAY_GATEWAY_URL").unwrap_or_else(|| DEFAULT_GATEWAY_URL.to_owned()),
            app_key,
            notify_url: value("PUBLIC_BASE_URL").map(|base| notify_url(&base)),
        };
        Ok(Some(Self { merchant, gateway: Some(gateway) }))
    }

    /// The environment variables [`AlipayConfig::from_env`] reads back into this
    /// configuration (for starting functions that pay through a local sandbox).
    pub fn to_env(&self) -> Result<Vec<(&'static str, String)>, KeyError> {
        let mut env = vec![
            ("ALIPAY_APP_ID", self.merchant.app_id.clone()),
            ("ALIPAY_PUBLIC_KEY", self.merchant.alipay_key.to_pem()),
        ];
        env.extend(self.merchant.seller_id.clone().map(|id| ("ALIPAY_SELLER_ID", id)));
        if let Some(gateway) = &self.gateway {
            env.push(("ALIPAY_APP_PRIVATE_KEY", gateway.app_key.to_pkcs8_pem()?.expose_secret().to_owned()));
            env.push(("ALIPAY_GATEWAY_URL", gateway.url.clone()));
            let base = gateway.notify_url.as_deref().and_then(|url| url.strip_suffix(NOTIFY_PATH));
            env.extend(base.map(|base| ("PUBLIC_BASE_URL", base.to_owned())));
        }
        Ok(env)
    }
}

/// The notify URL under a public base URL.
pub fn notify_url(public_base_url: &str) -> String {
    format!("{}{NOTIFY_PATH}", public_base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<&str, String> = pairs.into_iter().collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn unset_app_id_means_not_configured() {
        assert!(AlipayConfig::from_lookup(lookup(vec![])).unwrap().is_none());
    }

    #[test]
    fn reads_the_merchant_and_the_gateway() {
        let app = PrivateKey::generate().unwrap();
        let alipay = PrivateKey::generate().unwrap().public_key().unwrap();
        let config = AlipayConfig::from_lookup(lookup(vec![
            ("ALIPAY_APP_ID", "2021000000000000".into()),
            ("ALIPAY_PUBLIC_KEY", alipay.to_base64()),
            ("ALIPAY_APP_PRIVATE_KEY", app.to_pkcs8_pem().unwrap().expose_secret().replace('\n', "\\n")),
            ("PUBLIC_BASE_URL", "https://pay.example.com/".into()),
        ]))
        .unwrap()
        .unwrap();
        let gateway = config.gateway.unwrap();
        assert_eq!((config.merchant.app_id.as_str(), config.merchant.seller_id), ("2021000000000000", None));
        assert_eq!(
            (gateway.url.as_str(), gateway.notify_url.as_deref()),
            (DEFAULT_GATEWAY_URL, Some("https://pay.example.com/pay/notify"))
        );
    }

    #[test]
    fn without_a_public_base_url_the_notify_url_comes_from_each_request() {
        let app = PrivateKey::generate().unwrap();
        let alipay = PrivateKey::generate().unwrap().public_key().unwrap();
        let config = AlipayConfig::from_lookup(lookup(vec![
            ("ALIPAY_APP_ID", "2021000000000000".into()),
            ("ALIPAY_PUBLIC_KEY", alipay.to_pem()),
            ("ALIPAY_APP_PRIVATE_KEY", app.to_pkcs8_pem().unwrap().expose_secret().to_owned()),
            ("PUBLIC_BASE_URL", " ".into()),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.gateway.unwrap().notify_url, None);
    }

    #[test]
    fn the_environment_it_writes_reads_back_the_same() {
        let config = AlipayConfig::from_lookup(lookup(vec![
            ("ALIPAY_APP_ID", "2021000000000000".into()),
            ("ALIPAY_SELLER_ID", "2088102177649450".into()),
            ("ALIPAY_PUBLIC_KEY", PrivateKey::generate().unwrap().public_key().unwrap().to_base64()),
            ("ALIPAY_APP_PRIVATE_KEY", PrivateKey::generate().unwrap().to_pkcs8_pem().unwrap().expose_secret().into()),
            ("ALIPAY_GATEWAY_URL", "http://127.0.0.1:9/gateway.do".into()),
            ("PUBLIC_BASE_URL", "https://pay.example.com".into()),
        ]))
        .unwrap()
        .unwrap();
        let env = config.to_env().unwrap();
        let again = AlipayConfig::from_lookup(lookup(env.clone())).unwrap().unwrap();
        assert_eq!(again.to_env().unwrap(), env);
        assert_eq!(env.len(), 6);
    }

    #[test]
    fn a_bad_key_is_reported_without_its_value() {
        let error = AlipayConfig::from_lookup(lookup(vec![
            ("ALIPAY_APP_ID", "2021".into()),
            ("ALIPAY_PUBLIC_KEY", PrivateKey::generate().unwrap().public_key().unwrap().to_pem()),
            ("ALIPAY_APP_PRIVATE_KEY", "c2VjcmV0LWJ1dC1ub3QtYS1rZXk=".into()),
        ]))
        .unwrap_err()
        .to_string();
        assert!(error.contains("ALIPAY_APP_PRIVATE_KEY") && !error.contains("c2VjcmV0"), "{error}");
        assert!(AlipayConfig::from_lookup(lookup(vec![("ALIPAY_APP_ID", "2021".into())])).is_err());
    }
}
