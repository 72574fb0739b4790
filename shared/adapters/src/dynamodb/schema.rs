//! The table's definition, the same as `template.yaml`'s `Table`: keys `pk`/`sk`, two
//! overloaded indexes and a TTL attribute. Only the local runner and tests create it;
//! Lambda functions never create resources.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};

use luckydraw_core::error::StoreError;

/// Index 1: a user's orders by creation time, every activity, an activity's draws.
pub const GSI1: &str = "gsi1";
/// Index 2 (sparse): pending orders by pay deadline.
pub const GSI2: &str = "gsi2";
/// The TTL attribute: epoch seconds after which DynamoDB may delete the item.
pub const TTL_ATTRIBUTE: &str = "ttl";

/// Every key attribute: the table's and each index's hash and range keys.
pub const KEY_ATTRIBUTES: [&str; 6] = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"];

/// Creates the table with its indexes and TTL unless it exists; `Ok(true)` if created.
pub async fn create_table_if_missing(client: &Client, name: &str) -> Result<bool, StoreError> {
    match client.describe_table().table_name(name).send().await {
        Ok(_) => return Ok(false),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {}
        Err(error) => return Err(super::failed("describe the table")(error)),
    }
    let built = |error| StoreError::caused_by("dynamodb: invalid table definition", error);
    let mut request = client.create_table().table_name(name).billing_mode(BillingMode::PayPerRequest);
    for attribute in KEY_ATTRIBUTES {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(built)?,
        );
    }
    request = request.set_key_schema(Some(key_schema("pk", "sk").map_err(built)?));
    for index in [GSI1, GSI2] {
        let (hash, range) = (format!("{index}pk"), format!("{index}sk"));
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(index)
            .set_key_schema(Some(key_schema(&hash, &range).map_err(built)?))
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
            .map_err(built)?;
        request = request.global_secondary_indexes(gsi);
    }
    request.send().await.map_err(super::failed("create the table"))?;
    let ttl = TimeToLiveSpecification::builder().enabled(true).attribute_name(TTL_ATTRIBUTE).build().map_err(built)?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(ttl)
        .send()
        .await
        .map_err(super::failed("enable TTL"))?;
    Ok(true)
}

fn key_schema(hash: &str, range: &str) -> Result<Vec<KeySchemaElement>, aws_sdk_dynamodb::error::BuildError> {
    Ok(vec![
        KeySchemaElement::builder().attribute_name(hash).key_type(KeyType::Hash).build()?,
        KeySchemaElement::builder().attribute_name(range).key_type(KeyType::Range).build()?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template's `Table` resource, as text.
    fn template_table() -> String {
        let template = include_str!("../../../../template.yaml");
        let start = template.find("\n  Table:\n").expect("template.yaml defines Table");
        let body = template[start..].lines().skip(2).take_while(|line| line.is_empty() || line.starts_with("    "));
        body.collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn the_template_defines_the_table_this_module_creates() {
        let table = template_table();
        for attribute in KEY_ATTRIBUTES {
            assert!(table.contains(&format!("AttributeName: {attribute}, AttributeType: S")), "{attribute}");
        }
        for index in [GSI1, GSI2] {
            assert!(table.contains(&format!("IndexName: {index}")), "{index}");
            assert!(table.contains(&format!("AttributeName: {index}pk, KeyType: HASH")), "{index}");
            assert!(table.contains(&format!("AttributeName: {index}sk, KeyType: RANGE")), "{index}");
        }
        assert!(table.contains(&format!("AttributeName: {TTL_ATTRIBUTE}\n        Enabled: true")));
        assert!(table.contains("BillingMode: PAY_PER_REQUEST"));
    }
}
