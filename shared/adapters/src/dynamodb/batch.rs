//! Batch reads and writes on the table, retrying what DynamoDB leaves unprocessed.

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};
use luckydraw_core::error::StoreError;

use super::{Item, Table, failed};

/// BatchGetItem takes at most 100 keys, BatchWriteItem 25 requests.
const BATCH_GET: usize = 100;
const BATCH_WRITE: usize = 25;

impl Table {
    /// Reads many items by key, strongly consistent, retrying what DynamoDB leaves unprocessed.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        for chunk in keys.chunks(BATCH_GET) {
            let mut pending = Some(keys_and_attributes(chunk.to_vec())?);
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.name, request)
                    .send()
                    .await
                    .map_err(failed("batch read"))?;
                items.extend(output.responses.and_then(|mut tables| tables.remove(&self.name)).unwrap_or_default());
                pending = output.unprocessed_keys.and_then(|mut tables| tables.remove(&self.name));
            }
        }
        Ok(items)
    }

    /// Writes (puts and deletes) many items, retrying what DynamoDB leaves unprocessed.
    pub(crate) async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(BATCH_WRITE) {
            let mut pending = chunk.to_vec();
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.name, pending)
                    .send()
                    .await
                    .map_err(failed("batch write"))?;
                pending = output.unprocessed_items.and_then(|mut tables| tables.remove(&self.name)).unwrap_or_default();
            }
        }
        Ok(())
    }
}

fn keys_and_attributes(keys: Vec<Item>) -> Result<KeysAndAttributes, StoreError> {
    KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .consistent_read(true)
        .build()
        .map_err(|error| StoreError::caused_by("dynamodb: invalid batch read", error))
}

/// A put of `item` for [`Table::batch_write`].
pub(crate) fn put_request(item: Item) -> Result<PutRequest, StoreError> {
    PutRequest::builder()
        .set_item(Some(item))
        .build()
        .map_err(|error| StoreError::caused_by("dynamodb: invalid put", error))
}

/// A delete of the item with `key` for [`Table::batch_write`].
pub(crate) fn delete_request(key: Item) -> Result<WriteRequest, StoreError> {
    let delete = DeleteRequest::builder()
        .set_key(Some(key))
        .build()
        .map_err(|error| StoreError::caused_by("dynamodb: invalid delete", error))?;
    Ok(WriteRequest::builder().delete_request(delete).build())
}
