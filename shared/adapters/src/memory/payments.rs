//! A payment provider in memory: it opens one trade per order and records refunds, once
//! per trade and request number.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::{OrderId, PayLink, Refund, TradeRequest};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::Payments;

/// [`Payments`] in memory.
#[derive(Debug, Default)]
pub struct MemoryPayments {
    state: Mutex<Provider>,
}

#[derive(Debug, Default)]
struct Provider {
    trades: HashMap<OrderId, TradeRequest>,
    refunds: Vec<Refund>,
}

impl MemoryPayments {
    /// Every refund made, in order.
    pub fn refunds(&self) -> Vec<Refund> {
        lock(&self.state).refunds.clone()
    }

    /// The trade opened for `order`, as first requested.
    pub fn trade(&self, order: &OrderId) -> Option<TradeRequest> {
        lock(&self.state).trades.get(order).cloned()
    }

    /// How many trades have been opened.
    pub fn trades_opened(&self) -> usize {
        lock(&self.state).trades.len()
    }
}

#[async_trait]
impl Payments for MemoryPayments {
    async fn precreate(&self, trade: &TradeRequest) -> Result<PayLink, StoreError> {
        let mut state = lock(&self.state);
        let opened = state.trades.entry(trade.order_id).or_insert_with(|| trade.clone());
        Ok(PayLink { url: format!("memory://pay/{}", opened.order_id), expires_at: opened.pay_before })
    }

    async fn refund(&self, refund: &Refund) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        let same = |done: &Refund| done.trade_no == refund.trade_no && done.request_no == refund.request_no;
        if !state.refunds.iter().any(same) {
            state.refunds.push(refund.clone());
        }
        Ok(())
    }
}
