//! DynamoDB adapters over one table (`TABLE_NAME`): users, activities with their prizes,
//! orders, draws and sharded stock, sessions, rate-limit counters and pay links. Every
//! state change is a conditional write. The single-table design, its keys, indexes and
//! access patterns are described in `docs/data-model.md`; [`schema`] creates the table
//! where allowed.

mod batch;
mod cache;
mod item;
mod ledger;
mod records;
mod scan;
pub mod schema;
mod shards;
mod stock;
mod tickets;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

pub use cache::{DynamoPayLinks, DynamoRateLimits, DynamoSessions};
pub use ledger::DynamoLedger;
pub use records::DynamoRecords;
pub use shards::ShardPlan;
pub use stock::DynamoStock;
pub use tickets::DynamoTickets;

use luckydraw_core::error::StoreError;

/// An item as the SDK sends and receives it.
type Item = HashMap<String, AttributeValue>;

/// The table every adapter here works on.
#[derive(Clone, Debug)]
pub struct Table {
    client: Client,
    name: String,
}

impl Table {
    /// The table `name` through `client`.
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self { client, name: name.into() }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads one item by key, strongly consistent.
    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(failed("get an item"))?;
        Ok(output.item)
    }

    /// The items of one partition of an index in sort order (descending if `backwards`),
    /// only those sorting before `before` if given, at most `limit` if given.
    pub(super) async fn query_index(
        &self,
        index: &str,
        partition: String,
        before: Option<String>,
        backwards: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut names = HashMap::from([("#hash".to_owned(), format!("{index}pk"))]);
        let mut values = HashMap::from([(":hash".to_owned(), s(partition))]);
        let condition = match before {
            Some(before) => {
                names.insert("#range".to_owned(), format!("{index}sk"));
                values.insert(":before".to_owned(), s(before));
                "#hash = :hash AND #range < :before"
            }
            None => "#hash = :hash",
        };
        let page_size = limit.map(|limit| i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000));
        let (mut items, mut start) = (Vec::new(), None);
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.name)
                .index_name(index)
                .key_condition_expression(condition)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .scan_index_forward(!backwards)
                .set_limit(page_size)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(failed("query an index"))?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() || limit.is_some_and(|limit| items.len() >= limit) {
                items.truncate(limit.unwrap_or(usize::MAX));
                return Ok(items);
            }
        }
    }

    /// Puts `item` if `condition` holds, its `#names` and `:values` bound as given;
    /// `Ok(false)` if it did not, and nothing changed.
    pub(super) async fn put_if(
        &self,
        item: Item,
        condition: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
        context: &'static str,
    ) -> Result<bool, StoreError> {
        let names: HashMap<String, String> =
            names.iter().map(|(placeholder, name)| (placeholder.to_string(), name.to_string())).collect();
        let values: Item = values.into_iter().map(|(placeholder, value)| (placeholder.to_owned(), value)).collect();
        let result = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(failed(context)(error)),
        }
    }

    /// Every item of partition `pk` whose sort key starts with `prefix`.
    pub(super) async fn query_prefix(&self, pk: String, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let (mut items, mut start) = (Vec::new(), None);
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.name)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(pk.clone()))
                .expression_attribute_values(":prefix", s(prefix))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(failed("query a partition"))?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// The items of every one of `partitions` of an index, each read as
    /// [`Table::query_index`] reads one (ascending), all at once; in no particular order.
    pub(super) async fn query_partitions(
        &self,
        index: &'static str,
        partitions: impl IntoIterator<Item = String>,
        before: Option<String>,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut reads = tokio::task::JoinSet::new();
        for partition in partitions {
            let (table, before) = (self.clone(), before.clone());
            reads.spawn(async move { table.query_index(index, partition, before, false, limit).await });
        }
        let mut items = Vec::new();
        while let Some(read) = reads.join_next().await {
            let read = read.map_err(|error| StoreError::caused_by("dynamodb: an index read stopped", error))?;
            items.extend(read?);
        }
        Ok(items)
    }
}

/// How many partitions a hot index key is spread over (an activity's draws, the pending
/// orders): one index partition takes about 1,000 writes/s, so 16 take a storm.
const INDEX_PARTITIONS: u64 = 16;

/// The random tail of an id shown as a UUIDv7's 32 hex digits (an order id, a draw's
/// order id, a user id): its last 48 bits, to spread writes over shards and index partitions.
fn spread(id: &impl std::fmt::Display) -> u64 {
    u64::from_str_radix(&id.to_string()[20..], 16).unwrap_or(0)
}

/// The primary key attributes of an item.
fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

/// A string attribute.
fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A number attribute of an item as `u64`, zero when absent.
fn number(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(text)) => {
            text.parse().map_err(|_| StoreError::new(format!("dynamodb: attribute {name} = {text} is not a count")))
        }
        Some(_) => Err(StoreError::new(format!("dynamodb: attribute {name} is not a number"))),
    }
}

/// A string attribute of an item.
fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        _ => Err(StoreError::new(format!("dynamodb: item without string attribute {name}"))),
    }
}

/// A fixed-width decimal, so sort keys of numbers sort numerically (negatives read as 0).
fn sortable(millis: i64) -> String {
    format!("{:016}", millis.max(0))
}

/// An SDK failure as a store error, with what was being done.
fn failed<E>(context: &'static str) -> impl FnOnce(E) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |error| StoreError::caused_by(format!("dynamodb: {context}"), error)
}

/// Whether an SDK error is a failed condition (the write was refused, nothing changed).
fn is_condition_failure<E, R>(error: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error.as_service_error().and_then(|service| service.code()) == Some("ConditionalCheckFailedException")
}

/// The cancellation code of each item of a cancelled transaction (`None` for an item that
/// was fine), or `None` if the error is not a cancellation.
fn cancellation_codes<R>(
    error: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> Option<Vec<Option<String>>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match error.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => Some(
            cancelled
                .cancellation_reasons()
                .iter()
                .map(|reason| reason.code().filter(|code| *code != "None").map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}
