//! A payment provider in memory: it records refunds, once per trade.

use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::domain::{Money, OrderId};
use crate::error::StoreError;
use crate::ports::Payments;

/// A refund as the provider recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRefund {
    /// Our order.
    pub order_id: OrderId,
    /// The refunded trade.
    pub trade_no: String,
    /// How much went back.
    pub amount: Money,
}

/// [`Payments`] in memory.
#[derive(Debug, Default)]
pub struct MemoryPayments {
    refunds: Mutex<Vec<RecordedRefund>>,
}

impl MemoryPayments {
    /// Every refund made, in order.
    pub fn refunds(&self) -> Vec<RecordedRefund> {
        lock(&self.refunds).clone()
    }
}

#[async_trait]
impl Payments for MemoryPayments {
    async fn refund(&self, order: &OrderId, trade_no: &str, amount: Money) -> Result<(), StoreError> {
        let mut refunds = lock(&self.refunds);
        if !refunds.iter().any(|refund| refund.trade_no == trade_no) {
            refunds.push(RecordedRefund { order_id: *order, trade_no: trade_no.to_owned(), amount });
        }
        Ok(())
    }
}
