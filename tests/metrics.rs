//! Metrics as CloudWatch reads them: the EMF documents the functions write for a won draw
//! (and the order it creates), a draw refused by the quota, a draw answered 503 and a
//! settlement run; and the dashboard and alarms of `template.yaml`, held to the metrics the
//! code emits ([`metrics::CATALOGUE`]).
//!
//! The collector is one per process, so this file is its own test binary and its tests take
//! turns ([`Turn`]), each starting from an empty collector.

use std::collections::{BTreeMap, BTreeSet};

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use luckydraw_core::domain::{Activity, DrawLimit, DrawMode, UserKind};
use luckydraw_lambda::metrics;
use luckydraw_testing::{TestApp, activity_spec, fixture, fixture_token, json_of, prizes, test_app};
use serde_json::Value;

/// The `function` dimension these tests report as.
const FUNCTION: &str = "luckydraw-test";

/// The draw route, as API Gateway names it (the `route` dimension of `Latency`).
const DRAW_ROUTE: &str = "POST /activities/{id}/draw";

static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One test's turn on the process's collector, which it finds empty.
struct Turn(#[allow(dead_code)] tokio::sync::MutexGuard<'static, ()>);

async fn turn() -> Turn {
    let guard = TURNS.lock().await;
    metrics::enable(FUNCTION);
    flushed();
    Turn(guard)
}

/// One value of one metric in a flushed document.
#[derive(Debug)]
struct Datum {
    name: String,
    unit: Option<String>,
    dimensions: BTreeMap<String, String>,
    value: Value,
}

/// What a flush writes now, read back as CloudWatch would: every document in the
/// `luckydraw` namespace, every metric in the catalogue with exactly its dimensions.
fn flushed() -> Vec<Datum> {
    let mut out = Vec::new();
    metrics::flush_to(&mut out).expect("a Vec takes every write");
    let text = String::from_utf8(out).expect("EMF is UTF-8");
    let mut data = Vec::new();
    for line in text.lines() {
        let document: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let directive = &document["_aws"]["CloudWatchMetrics"][0];
        assert!(document["_aws"]["Timestamp"].is_u64(), "{line}");
        assert_eq!(directive["Namespace"], "luckydraw", "{line}");
        let names: Vec<&str> =
            directive["Dimensions"][0].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        let dimensions: BTreeMap<String, String> =
            names.iter().map(|name| (name.to_string(), document[name].as_str().unwrap().to_owned())).collect();
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap().to_owned();
            let catalogued = catalogue().get(name.as_str()).cloned();
            assert_eq!(catalogued, Some(names.iter().map(|n| n.to_string()).collect()), "{name} in {line}");
            let unit = metric["Unit"].as_str().map(str::to_owned);
            data.push(Datum { value: document[&name].clone(), name, unit, dimensions: dimensions.clone() });
        }
    }
    data
}

/// The catalogue: metric name → its dimension names.
fn catalogue() -> BTreeMap<&'static str, BTreeSet<String>> {
    metrics::CATALOGUE.iter().map(|(name, dims)| (*name, dims.iter().map(|d| d.to_string()).collect())).collect()
}

/// The value of `name` with exactly `dimensions`, if it was written.
fn value(data: &[Datum], name: &str, dimensions: &[(&str, &str)]) -> Option<Value> {
    let wanted: BTreeMap<String, String> = dimensions.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut found = data.iter().filter(|d| d.name == name && d.dimensions == wanted);
    let datum = found.next()?;
    assert!(found.next().is_none(), "{name} {wanted:?} written twice in one flush");
    Some(datum.value.clone())
}

fn names(data: &[Datum]) -> BTreeSet<&str> {
    data.iter().map(|d| d.name.as_str()).collect()
}

/// An app with the `demo` activity (cups only, at most `limit` draws a player) and the
/// player whose token the events carry.
async fn demo(seed: u64, limit: u32) -> (TestApp, Activity) {
    let t = test_app(seed);
    let mut spec = activity_spec("demo", DrawMode::RemainingStock, prizes(&[("thanks", 0, 0, 0), ("cup", 5, 0, 8000)]));
    spec.per_user_limit = DrawLimit::new(limit);
    let activity = t.add_activity(spec).await;
    t.player_with_token("player", UserKind::Normal, fixture_token()).await;
    (t, activity)
}

/// Hands every queued message to the order consumer's handler, as one SQS batch.
async fn consume_queue(t: &TestApp) {
    let mut event = SqsEvent::default();
    for envelope in t.memory.queue.receive(10) {
        let mut message = SqsMessage::default();
        message.message_id = Some(envelope.message_id.clone());
        message.body = Some(envelope.body.clone());
        event.records.push(message);
    }
    let response = order_consumer::handle(&t.app, event).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn a_won_draw_is_counted_by_outcome_and_prize_and_its_order_when_created() {
    let _turn = turn().await;
    let (t, _) = demo(1, 0).await;

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);
    assert_eq!((status, body["outcome"].as_str()), (200, Some("won")), "{body}");
    let data = flushed();

    assert_eq!(value(&data, "Draws", &[("activity", "demo"), ("outcome", "won")]), Some(1.into()));
    assert_eq!(value(&data, "Wins", &[("activity", "demo"), ("prize", "cup")]), Some(1.into()));
    assert_eq!(value(&data, "Requests", &[("function", FUNCTION)]), Some(1.into()));
    let latency = data.iter().find(|d| d.name == "Latency").expect("the request's latency");
    assert_eq!(latency.dimensions, BTreeMap::from([("route".to_owned(), DRAW_ROUTE.to_owned())]));
    assert_eq!(latency.unit.as_deref(), Some("Milliseconds"));
    assert!(latency.value.as_array().is_some_and(|values| values.len() == 1 && values[0].as_f64() >= Some(0.0)));
    assert_eq!(names(&data), BTreeSet::from(["Draws", "Wins", "Requests", "Latency"]), "no error, no refusal");
    assert!(data.iter().filter(|d| d.name != "Latency").all(|d| d.unit.as_deref() == Some("Count")));

    consume_queue(&t).await;
    let data = flushed();
    assert_eq!(value(&data, "OrdersCreated", &[("activity", "demo")]), Some(1.into()));
    assert!(flushed().is_empty(), "a flush empties the collector");
}

#[tokio::test]
async fn a_draw_over_the_quota_is_counted_as_refused_and_as_an_error_by_code() {
    let _turn = turn().await;
    let (t, _) = demo(2, 1).await;
    assert_eq!(json_of(draw::handle(&t.app, fixture("draw/draw")).await).0, 200);
    flushed();

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("quota_exceeded")), "{body}");
    let data = flushed();

    assert_eq!(value(&data, "QuotaRefused", &[("activity", "demo")]), Some(1.into()));
    assert_eq!(value(&data, "Errors", &[("function", FUNCTION), ("code", "quota_exceeded")]), Some(1.into()));
    assert_eq!(value(&data, "Requests", &[("function", FUNCTION)]), Some(1.into()));
    assert!(!names(&data).contains("Draws"), "a refused draw is no draw");
}

#[tokio::test]
async fn a_draw_answered_503_is_an_unavailable_error_of_its_function() {
    let _turn = turn().await;
    let t = test_app(3);
    // Stored but its stock never loaded: the draw is paused.
    let spec = activity_spec("demo", DrawMode::RemainingStock, prizes(&[("thanks", 0, 0, 0), ("cup", 5, 0, 8000)]));
    t.app.activities.put(&Activity::new(spec).unwrap()).await.unwrap();
    t.player_with_token("player", UserKind::Normal, fixture_token()).await;

    let (status, body) = json_of(draw::handle(&t.app, fixture("draw/draw")).await);
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")), "{body}");
    let data = flushed();

    assert_eq!(value(&data, "Errors", &[("function", FUNCTION), ("code", "unavailable")]), Some(1.into()));
    assert_eq!(value(&data, "Requests", &[("function", FUNCTION)]), Some(1.into()));
    assert!(data.iter().any(|d| d.name == "Latency" && d.dimensions["route"] == DRAW_ROUTE));
    assert_eq!(names(&data), BTreeSet::from(["Errors", "Requests", "Latency"]));
}

#[tokio::test]
async fn a_settlement_run_reports_what_it_settled_and_requeued() {
    let _turn = turn().await;
    let (t, _) = demo(4, 0).await;
    assert_eq!(json_of(draw::handle(&t.app, fixture("draw/draw")).await).0, 200);
    assert_eq!(t.drain_queue().await, 1, "the first draw is recorded");
    assert_eq!(json_of(draw::handle(&t.app, fixture("draw/draw")).await).0, 200);
    assert_eq!(t.memory.queue.receive(10).len(), 1, "the second draw's message is lost");
    t.clock.advance(t.app.settings.settle_grace * 2);
    flushed();

    let settled = settle_draws::handle(&t.app, EventBridgeEvent::default()).await.unwrap();
    assert_eq!((settled.recorded, settled.released, settled.requeued), (1, 0, 1));
    let data = flushed();

    assert_eq!(value(&data, "DrawsSettled", &[]), Some(1.into()));
    assert_eq!(value(&data, "DrawsRequeued", &[]), Some(1.into()));
    assert_eq!(names(&data), BTreeSet::from(["DrawsSettled", "DrawsRequeued"]), "nothing released: no zero written");
}

// ---------------------------------------------------------------- template.yaml

fn template() -> serde_yaml_ng::Value {
    let path = luckydraw_testing::services::repository_root().join("template.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The text under a `!Sub` tag (or a plain string).
fn sub_text(value: &serde_yaml_ng::Value) -> &str {
    match value {
        serde_yaml_ng::Value::Tagged(tagged) if tagged.tag == "Sub" => tagged.value.as_str().expect("!Sub text"),
        other => other.as_str().expect("a string"),
    }
}

/// `${...}` replaced by a sample value, as CloudFormation's Sub would.
fn substituted(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let end = start + rest[start..].find('}').expect("closed ${");
        out.push_str(&rest[..start]);
        out.push_str("sample");
        rest = &rest[end + 1..];
    }
    out + rest
}

/// `luckydraw` metrics a dashboard or alarm reads: `(name, dimension names)`.
type Read = BTreeSet<(String, BTreeSet<String>)>;

/// The metrics a dashboard widget reads: metric arrays in the `luckydraw` namespace and
/// `SEARCH('{luckydraw,dim,...} MetricName="Name" ...')` expressions.
fn read_by_widget(widget: &Value, read: &mut Read) {
    for line in widget["properties"]["metrics"].as_array().into_iter().flatten() {
        let items = line.as_array().unwrap();
        if items[0] == "luckydraw" {
            let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let dims = strings[2..].chunks(2).map(|pair| pair[0].to_owned()).collect();
            read.insert((strings[1].to_owned(), dims));
        }
        for expression in items.iter().filter_map(|item| item["expression"].as_str()) {
            read_by_search(expression, read);
        }
    }
}

fn read_by_search(expression: &str, read: &mut Read) {
    let Some(schema) = expression.split("{luckydraw").nth(1) else { return };
    let dims = schema[..schema.find('}').unwrap()].split(',').filter(|d| !d.is_empty()).map(str::to_owned).collect();
    let name = expression.split("MetricName=\"").nth(1).expect("a SEARCH names its metric");
    read.insert((name[..name.find('"').unwrap()].to_owned(), dims));
}

/// What the alarms read in the `luckydraw` namespace.
fn read_by_alarms(template: &serde_yaml_ng::Value, read: &mut Read) {
    let resources = template["Resources"].as_mapping().unwrap();
    for alarm in resources.values().filter(|r| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm")) {
        let properties = &alarm["Properties"];
        let mut metrics: Vec<&serde_yaml_ng::Value> = vec![properties];
        for query in properties["Metrics"].as_sequence().into_iter().flatten() {
            metrics.push(&query["MetricStat"]["Metric"]);
        }
        for metric in metrics.into_iter().filter(|m| m["Namespace"].as_str() == Some("luckydraw")) {
            let dims = metric["Dimensions"].as_sequence().into_iter().flatten();
            let dims = dims.map(|d| d["Name"].as_str().unwrap().to_owned()).collect();
            read.insert((metric["MetricName"].as_str().unwrap().to_owned(), dims));
        }
    }
}

#[test]
fn the_dashboard_and_alarms_read_only_metrics_the_code_writes_and_show_them_all() {
    let template = template();
    let dashboards: Vec<_> = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::CloudWatch::Dashboard"))
        .collect();
    assert_eq!(dashboards.len(), 1);
    let body: Value = serde_json::from_str(&substituted(sub_text(&dashboards[0]["Properties"]["DashboardBody"])))
        .expect("the dashboard body is JSON once substituted");

    let mut on_dashboard = Read::new();
    for widget in body["widgets"].as_array().unwrap() {
        read_by_widget(widget, &mut on_dashboard);
    }
    let mut read = on_dashboard.clone();
    read_by_alarms(&template, &mut read);

    let written: Read = catalogue().into_iter().map(|(name, dims)| (name.to_owned(), dims)).collect();
    let unknown: Vec<_> = read.difference(&written).collect();
    assert!(unknown.is_empty(), "read but never written (name, dimensions): {unknown:?}");
    let shown: BTreeSet<&String> = on_dashboard.iter().map(|(name, _)| name).collect();
    let missing: Vec<_> = written.iter().map(|(name, _)| name).filter(|name| !shown.contains(name)).collect();
    assert!(missing.is_empty(), "written but not on the dashboard: {missing:?}");
    assert!(read.iter().any(|(name, _)| name == "DrawsReleased"), "an alarm watches the settlement");
}
