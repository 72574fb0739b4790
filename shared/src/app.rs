//! `App`: every port a use case may need, built once per process (outside the handler).

use std::sync::Arc;

use crate::adapters::alipay::{AlipayGateway, NoGateway};
use crate::adapters::memory::{
    MemoryPayLinks, MemoryPayments, MemoryQueue, MemoryRateLimits, MemoryRecords, MemorySessions, MemoryStock,
};
use crate::adapters::system::{ChaChaRandom, SystemClock};
use crate::config::{ConfigError, Settings};
use crate::payment::{AlipayConfig, Merchant};
use crate::ports::{
    Activities, Clock, Orders, PayLinks, Payments, Queue, Random, RateLimits, Sessions, StockStore, Users,
};

/// The ports and settings the use cases run against.
#[derive(Clone)]
pub struct App {
    /// User accounts.
    pub users: Arc<dyn Users>,
    /// Activities and prizes.
    pub activities: Arc<dyn Activities>,
    /// Orders.
    pub orders: Arc<dyn Orders>,
    /// Stock, quotas and the draw log.
    pub stock: Arc<dyn StockStore>,
    /// The order queue.
    pub queue: Arc<dyn Queue>,
    /// Login sessions.
    pub sessions: Arc<dyn Sessions>,
    /// Rate-limit counters.
    pub rate_limits: Arc<dyn RateLimits>,
    /// The payment provider.
    pub payments: Arc<dyn Payments>,
    /// Pay links cached per order.
    pub pay_links: Arc<dyn PayLinks>,
    /// Our Alipay identity and Alipay's key, for verifying notifications; `None` if unconfigured.
    pub alipay: Option<Arc<Merchant>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: Arc<dyn Random>,
    /// Tunables.
    pub settings: Settings,
}

/// Handles on the in-memory backends of an [`App::in_memory`], for runners and tests.
#[derive(Clone, Debug, Default)]
pub struct MemoryBackends {
    /// Users, activities and orders.
    pub records: Arc<MemoryRecords>,
    /// Stock.
    pub stock: Arc<MemoryStock>,
    /// The order queue, drained by whoever runs the consumer.
    pub queue: Arc<MemoryQueue>,
    /// Sessions.
    pub sessions: Arc<MemorySessions>,
    /// Rate limits.
    pub rate_limits: Arc<MemoryRateLimits>,
    /// Payments.
    pub payments: Arc<MemoryPayments>,
    /// Pay links.
    pub pay_links: Arc<MemoryPayLinks>,
}

impl App {
    /// An app on fresh in-memory backends, with the given clock and randomness.
    pub fn in_memory(settings: Settings, clock: Arc<dyn Clock>, random: Arc<dyn Random>) -> (App, MemoryBackends) {
        let memory = MemoryBackends::default();
        let app = App {
            users: memory.records.clone(),
            activities: memory.records.clone(),
            orders: memory.records.clone(),
            stock: memory.stock.clone(),
            queue: memory.queue.clone(),
            sessions: memory.sessions.clone(),
            rate_limits: memory.rate_limits.clone(),
            payments: memory.payments.clone(),
            pay_links: memory.pay_links.clone(),
            alipay: None,
            clock,
            random,
            settings,
        };
        (app, memory)
    }

    /// The app a Lambda function runs: settings from the environment, the system clock,
    /// OS-seeded randomness, and the backends the environment selects.
    pub async fn from_env() -> Result<App, ConfigError> {
        let settings = Settings::from_env()?;
        let random =
            ChaChaRandom::from_os().map_err(|error| ConfigError::new("(os randomness)", "", error.to_string()))?;
        let app = App::in_memory(settings, Arc::new(SystemClock), Arc::new(random)).0;
        Ok(match AlipayConfig::from_env()? {
            Some(alipay) => app.with_alipay(alipay)?,
            None => app,
        })
    }

    /// This app paying through Alipay: notifications verified as `config.merchant`, and the
    /// gateway called when configured (otherwise payment calls fail rather than pretend).
    pub fn with_alipay(self, config: AlipayConfig) -> Result<App, ConfigError> {
        let merchant = Arc::new(config.merchant);
        let payments: Arc<dyn Payments> = match config.gateway {
            Some(gateway) => Arc::new(
                AlipayGateway::new(merchant.clone(), gateway)
                    .map_err(|error| ConfigError::new("ALIPAY_GATEWAY_URL", "", error.to_string()))?,
            ),
            None => Arc::new(NoGateway),
        };
        Ok(App { payments, alipay: Some(merchant), ..self })
    }
}
