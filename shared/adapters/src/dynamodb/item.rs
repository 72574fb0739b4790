//! Records to DynamoDB attributes and back, through their serde form: objects become maps,
//! numbers `N`, strings `S`, booleans `BOOL`, arrays `L`, nulls `NULL`. Every record is
//! stored as readable attributes, not as an opaque blob.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use super::Item;
use luckydraw_core::error::StoreError;

/// The attributes of `record` (which must serialise to a JSON object).
pub(super) fn to_item(record: &impl Serialize) -> Result<Item, StoreError> {
    match serde_json::to_value(record) {
        Ok(Value::Object(fields)) => Ok(fields.into_iter().map(|(name, value)| (name, to_attribute(value))).collect()),
        Ok(_) => Err(StoreError::new("dynamodb: only objects are stored as items")),
        Err(error) => Err(StoreError::caused_by("dynamodb: a record does not serialise", error)),
    }
}

/// The record stored in `item`; key and index attributes it does not know are ignored.
pub(super) fn from_item<T: DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let fields: Map<String, Value> =
        item.iter().map(|(name, value)| Ok((name.clone(), to_json(value)?))).collect::<Result<_, StoreError>>()?;
    serde_json::from_value(Value::Object(fields))
        .map_err(|error| StoreError::caused_by("dynamodb: an item is not a valid record", error))
}

fn to_attribute(value: Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(flag) => AttributeValue::Bool(flag),
        Value::Number(number) => AttributeValue::N(number.to_string()),
        Value::String(text) => AttributeValue::S(text),
        Value::Array(values) => AttributeValue::L(values.into_iter().map(to_attribute).collect()),
        Value::Object(fields) => {
            AttributeValue::M(fields.into_iter().map(|(name, value)| (name, to_attribute(value))).collect())
        }
    }
}

fn to_json(value: &AttributeValue) -> Result<Value, StoreError> {
    Ok(match value {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(flag) => Value::Bool(*flag),
        AttributeValue::N(text) => Value::Number(parse_number(text)?),
        AttributeValue::S(text) => Value::String(text.clone()),
        AttributeValue::L(values) => Value::Array(values.iter().map(to_json).collect::<Result<_, _>>()?),
        AttributeValue::M(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| Ok((name.clone(), to_json(value)?)))
                .collect::<Result<_, StoreError>>()?,
        ),
        _ => return Err(StoreError::new("dynamodb: unexpected attribute type")),
    })
}

/// Integers stay exact; anything else must at least be a finite number.
fn parse_number(text: &str) -> Result<Number, StoreError> {
    let invalid = || StoreError::new(format!("dynamodb: `{text}` is not a number"));
    if let Ok(unsigned) = text.parse::<u64>() {
        return Ok(unsigned.into());
    }
    if let Ok(signed) = text.parse::<i64>() {
        return Ok(signed.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64).ok_or_else(invalid)
}

/// Merges `extra` attributes (keys, index keys, TTL) into `item`.
pub(super) fn with(mut item: Item, extra: impl IntoIterator<Item = (&'static str, AttributeValue)>) -> Item {
    item.extend(extra.into_iter().map(|(name, value)| (name.to_owned(), value)));
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::HashMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        name: String,
        fen: u64,
        offset: i64,
        open: bool,
        tags: Vec<String>,
        nested: Option<Box<Sample>>,
    }

    #[test]
    fn records_round_trip_through_attributes() {
        let inner = Sample { name: "b".into(), fen: 0, offset: -5, open: false, tags: vec![], nested: None };
        let sample = Sample {
            name: "a".into(),
            fen: u64::MAX,
            offset: i64::MIN,
            open: true,
            tags: vec!["x".into(), "y".into()],
            nested: Some(Box::new(inner)),
        };
        let item = with(to_item(&sample).unwrap(), [("pk", AttributeValue::S("K#1".into()))]);
        assert_eq!(item["fen"], AttributeValue::N(u64::MAX.to_string()));
        assert!(matches!(item["nested"], AttributeValue::M(_)));
        assert_eq!(from_item::<Sample>(&item).unwrap(), sample);
    }

    #[test]
    fn refuses_what_is_not_a_record() {
        assert!(to_item(&5).is_err());
        let bad = HashMap::from([("fen".to_owned(), AttributeValue::N("lots".into()))]);
        assert!(from_item::<Sample>(&bad).is_err());
    }
}
