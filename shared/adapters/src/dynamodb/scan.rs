//! Paged scans for operators' listings (orders by activity and status): rare, admin-only
//! reads, so a filtered scan is enough and no index is kept for them. A page ends at the
//! last item it returns; the opaque cursor is that item's key, where the next scan starts.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Item, Table, failed, s, string};
use luckydraw_core::error::StoreError;

/// A filter expression with its `#names` and `:values`.
pub(super) struct Filter {
    /// The expression, e.g. `sk = :sk AND begins_with(pk, :prefix)`.
    pub expression: String,
    /// `#name` placeholders.
    pub names: HashMap<String, String>,
    /// `:value` placeholders.
    pub values: Item,
}

impl Table {
    /// Up to `limit` items passing `filter`, from `cursor`; and the cursor of the next page.
    pub(super) async fn scan_page(
        &self,
        filter: Filter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let mut start = match cursor.map(decode) {
            None => None,
            Some(Some(key)) => Some(key),
            // Not a cursor this store issued: an empty last page.
            Some(None) => return Ok((Vec::new(), None)),
        };
        let mut items: Vec<Item> = Vec::new();
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.name)
                .filter_expression(&filter.expression)
                .set_expression_attribute_names((!filter.names.is_empty()).then(|| filter.names.clone()))
                .set_expression_attribute_values(Some(filter.values.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(failed("scan the table"))?;
            let found = page.items.unwrap_or_default();
            let wanted = limit - items.len();
            if found.len() >= wanted {
                // Stop at the last item taken: the next page starts right after it.
                let more = found.len() > wanted || page.last_evaluated_key.is_some();
                items.extend(found.into_iter().take(wanted));
                let next = match (more, items.last()) {
                    (true, Some(last)) => Some(encode(last)?),
                    _ => None,
                };
                return Ok((items, next));
            }
            items.extend(found);
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok((items, None));
            }
        }
    }
}

fn encode(item: &Item) -> Result<String, StoreError> {
    let key = serde_json::json!([string(item, "pk")?, string(item, "sk")?]);
    Ok(URL_SAFE_NO_PAD.encode(key.to_string()))
}

fn decode(cursor: &str) -> Option<Item> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let [pk, sk]: [String; 2] = serde_json::from_slice(&bytes).ok()?;
    Some(HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), AttributeValue::S(sk))]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let item = HashMap::from([("pk".to_owned(), s("ORDER#a.1")), ("sk".to_owned(), s("ORDER"))]);
        assert_eq!(decode(&encode(&item).unwrap()).unwrap(), item);
        assert!(decode("not base64!").is_none());
        assert!(decode(&URL_SAFE_NO_PAD.encode("[1]")).is_none());
    }
}
