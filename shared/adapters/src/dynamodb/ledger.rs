//! The draw ledger in the table: one item per draw id, put only if absent, so the first of
//! the consumer's record and the draw's void wins and the other reads what won.
//!
//! | item | pk | sk | index keys |
//! | --- | --- | --- | --- |
//! | ledger entry | `LEDGER#<draw id>` | `LEDGER` | gsi1 `LEDGER#<activity>#<0..15>` / `<draw id>` |

use async_trait::async_trait;

use super::item::{from_item, to_item, with};
use super::schema::GSI1;
use super::{INDEX_PARTITIONS, Item, Table, s, spread};
use luckydraw_core::domain::{ActivityId, DrawId, DrawRecord, LedgerEntry, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::Ledger;

/// [`Ledger`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoLedger {
    table: Table,
}

impl DynamoLedger {
    /// The ledger in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }

    /// Puts `entry` unless its draw id has one; returns the entry the id holds.
    async fn first_write(&self, entry: LedgerEntry) -> Result<LedgerEntry, StoreError> {
        let id = entry.draw_id().clone();
        let partition = spread(&id.order_id()) % INDEX_PARTITIONS;
        let keys = [
            ("pk", s(entry_key(&id))),
            ("sk", s("LEDGER")),
            ("gsi1pk", s(activity_partition(id.activity(), partition))),
            ("gsi1sk", s(id.to_string())),
        ];
        let item = with(to_item(&entry)?, keys);
        if self.table.put_if(item, "attribute_not_exists(pk)", &[], Vec::new(), "write a ledger entry").await? {
            return Ok(entry);
        }
        self.get(&id).await?.ok_or_else(|| StoreError::new(format!("dynamodb: ledger entry {id} vanished")))
    }
}

fn entry_key(draw: &DrawId) -> String {
    format!("LEDGER#{draw}")
}

fn activity_partition(activity: &ActivityId, partition: u64) -> String {
    format!("LEDGER#{activity}#{partition}")
}

fn parse(item: &Item) -> Result<LedgerEntry, StoreError> {
    from_item(item)
}

#[async_trait]
impl Ledger for DynamoLedger {
    async fn record(&self, draw: &DrawRecord) -> Result<LedgerEntry, StoreError> {
        self.first_write(LedgerEntry::Recorded(draw.clone())).await
    }

    async fn void(&self, draw: &DrawId, user: &UserId, at: Timestamp) -> Result<LedgerEntry, StoreError> {
        self.first_write(LedgerEntry::Voided { id: draw.clone(), user_id: *user, voided_at: at }).await
    }

    async fn get(&self, draw: &DrawId) -> Result<Option<LedgerEntry>, StoreError> {
        self.table.get(entry_key(draw), "LEDGER").await?.as_ref().map(parse).transpose()
    }

    async fn entries(&self, activity: &ActivityId) -> Result<Vec<LedgerEntry>, StoreError> {
        let partitions = (0..INDEX_PARTITIONS).map(|partition| activity_partition(activity, partition));
        let items = self.table.query_partitions(GSI1, partitions, None, None).await?;
        items.iter().map(parse).collect()
    }

    async fn any(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        let partitions = (0..INDEX_PARTITIONS).map(|partition| activity_partition(activity, partition));
        Ok(!self.table.query_partitions(GSI1, partitions, None, Some(1)).await?.is_empty())
    }
}
