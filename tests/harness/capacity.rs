//! What DynamoDB and SQS would bill for the requests a [`RequestLog`] saw: DynamoDB read
//! and write request units per item (reads in 4 KB steps, 1 unit strongly consistent and ½
//! eventually, 2 in a transaction; writes in 1 KB steps, 2 in a transaction; an item in a
//! global secondary index with projection ALL written there too, at 1 unit per KB), and SQS
//! requests (64 KB steps). Sizes are those of the items as moto stored them.
//! <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html>

use std::collections::BTreeMap;

use serde_json::Value;

use super::request_log::{Call, RequestLog, item_size};

/// The table's global secondary indexes, by their partition key attribute.
const INDEX_KEYS: [&str; 2] = ["gsi1pk", "gsi2pk"];

/// Units and counts of one kind of access (an operation on one kind of item).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Requests (for an item inside a batch or a transaction: the request carrying it).
    pub requests: usize,
    /// Items read or written.
    pub items: usize,
    /// Their bytes, summed.
    pub bytes: usize,
    /// Read request units.
    pub read_units: f64,
    /// Write request units (the table's and its indexes').
    pub write_units: f64,
    /// SQS requests as billed.
    pub sqs_requests: usize,
}

/// Tallies by `(operation, item kind)`: the kind is the partition key's first part
/// (`DRAW`, `STOCK`, `QUOTA` …), or the queue for SQS.
pub type Bill = BTreeMap<(String, String), Tally>;

/// Prices every call in `calls` on `table` (reading back updated items' sizes through `log`).
pub async fn bill(log: &RequestLog, table: &str, calls: &[Call]) -> Bill {
    let mut bill = Bill::new();
    for call in calls {
        let operation = call.operation().to_owned();
        let request = &call.request;
        let strong = request["ConsistentRead"].as_bool().unwrap_or(false);
        match operation.as_str() {
            "GetItem" => {
                let item = &call.response["Item"];
                let tally = entry(&mut bill, &operation, &request["Key"]);
                read(tally, item, strong);
                tally.requests += 1;
            }
            "BatchGetItem" => {
                let wanted = &request["RequestItems"][table];
                let strong = wanted["ConsistentRead"].as_bool().unwrap_or(false);
                let found: Vec<&Value> =
                    call.response["Responses"][table].as_array().map_or(vec![], |items| items.iter().collect());
                let mut kinds = Vec::new();
                for key in wanted["Keys"].as_array().into_iter().flatten() {
                    let item = found.iter().find(|item| same_key(item, key)).copied().unwrap_or(&Value::Null);
                    let tally = entry(&mut bill, &operation, key);
                    read(tally, item, strong);
                    kinds.push(kind(key));
                }
                count_requests(&mut bill, &operation, kinds);
            }
            "Query" => {
                let items = call.response["Items"].as_array().cloned().unwrap_or_default();
                let bytes: usize = items.iter().map(item_size).sum();
                let index = request["IndexName"].as_str().unwrap_or("table");
                let tally = bill.entry((operation.clone(), format!("{index} query"))).or_default();
                tally.requests += 1;
                tally.items += items.len();
                tally.bytes += bytes;
                tally.read_units += bytes.div_ceil(4096).max(1) as f64 * if strong { 1.0 } else { 0.5 };
            }
            "PutItem" | "UpdateItem" | "DeleteItem" => {
                let (key, item) = written(log, table, &operation, request).await;
                let tally = entry(&mut bill, &operation, &key);
                write(tally, &item, 1.0);
                tally.requests += 1;
            }
            "TransactWriteItems" => {
                let mut kinds = Vec::new();
                for action in request["TransactItems"].as_array().into_iter().flatten() {
                    let Some((verb, body)) = action.as_object().and_then(|action| action.iter().next()) else {
                        continue;
                    };
                    let operation = format!("TransactWriteItems {verb}");
                    let (key, item) = written(log, table, verb, body).await;
                    write(entry(&mut bill, &operation, &key), &item, 2.0);
                    kinds.push((operation, kind(&key)));
                }
                for (operation, kind) in kinds.iter().take(1) {
                    bill.entry((operation.clone(), kind.clone())).or_default().requests += 1;
                }
            }
            "SendMessage" | "ReceiveMessage" | "DeleteMessage" | "DeleteMessageBatch" | "SendMessageBatch" => {
                let bytes = request["MessageBody"].as_str().map_or(0, str::len);
                let tally = bill.entry((operation.clone(), "queue".into())).or_default();
                tally.requests += 1;
                tally.bytes += bytes;
                tally.sqs_requests += bytes.div_ceil(64 * 1024).max(1);
            }
            _ => bill.entry((operation.clone(), "other".into())).or_default().requests += 1,
        }
    }
    bill
}

/// Requests of each operation in `bill`.
pub fn requests(bill: &Bill) -> BTreeMap<String, usize> {
    let mut requests = BTreeMap::new();
    for ((operation, _), tally) in bill {
        let operation = operation.split(' ').next().unwrap_or(operation).to_owned();
        *requests.entry(operation).or_insert(0) += tally.requests;
    }
    requests
}

/// The sum of every tally in `bill`.
pub fn total(bill: &Bill) -> Tally {
    bill.values().fold(Tally::default(), |mut sum, tally| {
        sum.requests += tally.requests;
        sum.items += tally.items;
        sum.bytes += tally.bytes;
        sum.read_units += tally.read_units;
        sum.write_units += tally.write_units;
        sum.sqs_requests += tally.sqs_requests;
        sum
    })
}

/// The kind of item a key names: its partition key up to the first `#`.
pub fn kind(key: &Value) -> String {
    let pk = key["pk"]["S"].as_str().unwrap_or("?");
    pk.split('#').next().unwrap_or(pk).to_owned()
}

fn entry<'a>(bill: &'a mut Bill, operation: &str, key: &Value) -> &'a mut Tally {
    bill.entry((operation.to_owned(), kind(key))).or_default()
}

/// One request per batch, booked on the first kind of item it carried.
fn count_requests(bill: &mut Bill, operation: &str, kinds: Vec<String>) {
    if let Some(first) = kinds.first() {
        bill.entry((operation.to_owned(), first.clone())).or_default().requests += 1;
    }
}

fn same_key(item: &Value, key: &Value) -> bool {
    item["pk"] == key["pk"] && item["sk"] == key["sk"]
}

/// A read of `item` (`Null`: absent, still one unit): 4 KB steps, ½ eventually consistent.
fn read(tally: &mut Tally, item: &Value, strong: bool) {
    let bytes = item_size(item);
    tally.items += 1;
    tally.bytes += bytes;
    tally.read_units += bytes.div_ceil(4096).max(1) as f64 * if strong { 1.0 } else { 0.5 };
}

/// A write of `item`: 1 KB steps times `factor` (2 in a transaction) on the table, plus
/// one write per index the item is in (projection ALL: the whole item), at 1 KB steps.
fn write(tally: &mut Tally, item: &Value, factor: f64) {
    let bytes = item_size(item);
    let steps = bytes.div_ceil(1024).max(1) as f64;
    let indexes = INDEX_KEYS.iter().filter(|key| !item[**key].is_null()).count() as f64;
    tally.items += 1;
    tally.bytes += bytes;
    tally.write_units += steps * factor + steps * indexes;
}

/// The key a write names and the item as written: a put's own item, else the stored one
/// (an update's result; a delete's or a refused write's key alone when nothing is stored).
async fn written(log: &RequestLog, table: &str, verb: &str, body: &Value) -> (Value, Value) {
    if verb.starts_with("Put") {
        let item = body["Item"].clone();
        let key = serde_json::json!({ "pk": item["pk"], "sk": item["sk"] });
        return (key, item);
    }
    let key = body["Key"].clone();
    let item = log.stored_item(table, &key).await.unwrap_or_else(|| key.clone());
    (key, item)
}
