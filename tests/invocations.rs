//! Every event in `events/`, answered by the built functions through the Lambda Runtime
//! API (the part of `sam local invoke` that needs no container), on a deployment shaped
//! like the template's: DynamoDB for records, stock and sessions, SQS for orders (moto).

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use std::time::Duration;

use harness::deployment::{Deployment, EVENT_ORDER};
use harness::runtime_api::{Bootstrap, Outcome, event};
use luckydraw_local::seed::{EVENT_ADMIN, EVENT_PLAYER};
use serde_json::{Value, json};

/// An API Gateway (payload 2.0) response: status, parsed body, and the whole response.
struct HttpReply {
    status: u64,
    body: Value,
    raw: Value,
}

fn http(outcome: Outcome) -> HttpReply {
    let raw = outcome.response();
    let status = raw["statusCode"].as_u64().unwrap_or_else(|| panic!("not an HTTP API response: {raw}"));
    let text = raw["body"].as_str().unwrap_or_default();
    let body = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
    HttpReply { status, body, raw }
}

async fn function(deployment: &Deployment, name: &str, binary: &std::path::Path) -> Bootstrap {
    let mut function = Bootstrap::start(name, binary, &deployment.env(name)).await;
    function.ready().await;
    function
}

/// The event files the tests in this file invoke, read from its own source: every string
/// literal naming a JSON file under `events/` (in `invoke_file` and `event` calls).
fn invoked_here() -> Vec<String> {
    let source = include_str!("invocations.rs");
    let mut invoked: Vec<String> = source
        .split('"')
        .filter(|text| text.starts_with("events/") && text.ends_with(".json") && !text.contains(' '))
        .map(str::to_owned)
        .collect();
    invoked.sort();
    invoked.dedup();
    invoked
}

#[test]
fn every_event_file_is_invoked_here() {
    let root = luckydraw_testing::services::repository_root();
    let mut found = Vec::new();
    for function in std::fs::read_dir(root.join("events")).unwrap() {
        let function = function.unwrap().path();
        for file in std::fs::read_dir(&function).into_iter().flatten() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|extension| extension == "json") {
                found.push(file.strip_prefix(&root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    assert_eq!(found, invoked_here(), "events/ and the files the tests below invoke disagree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_registers_logs_in_and_out_through_the_runtime_api() {
    let deployment = Deployment::start().await;
    let mut login = function(&deployment, "login", bootstrap!("login")).await;

    let registered = http(login.invoke_file("events/login/register.json").await);
    let again = http(login.invoke_file("events/login/register.json").await);
    let logged_in = http(login.invoke_file("events/login/login.json").await);
    let mut malformed = event("events/login/login.json");
    malformed["body"] = json!("{\"username\": \"player\"");
    let malformed = http(login.invoke(&malformed).await);
    let logged_out = http(login.invoke_file("events/login/logout.json").await);

    assert_eq!(registered.status, 201, "{}", registered.raw);
    assert_eq!(registered.body["user"]["username"], "newcomer");
    assert_eq!(again.status, 409, "{}", again.raw);
    assert_eq!(logged_in.status, 200, "{}", logged_in.raw);
    assert_eq!(logged_in.body["user"]["username"], "player");
    let token = logged_in.body["token"].as_str().unwrap();
    let cookie = logged_in.raw["cookies"][0].as_str().unwrap_or_default();
    assert!(cookie.starts_with(&format!("session={token}; HttpOnly; SameSite=Lax")), "{}", logged_in.raw);
    assert_eq!((malformed.status, &malformed.body["error"]["code"]), (400, &json!("invalid_request")));
    assert_eq!(logged_out.status, 204, "{}", logged_out.raw);
    let key = luckydraw_core::domain::SessionToken::parse(EVENT_PLAYER.token).unwrap().key();
    let app = &deployment.running.app;
    let session = app.sessions.touch(&key, deployment.now(), deployment.now()).await.unwrap();
    assert!(session.is_none(), "logout ended the event player's session");
    login.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draw_takes_one_unit_and_queues_the_order_of_a_priced_win() {
    let deployment = Deployment::start().await;
    let mut draw = function(&deployment, "draw", bootstrap!("draw")).await;
    // Only tea (¥90) has units left, so the draw wins a priced prize and its order path runs.
    let demo = "demo".parse().unwrap();
    let wheel = deployment.running.app.activities.get(&demo).await.unwrap().unwrap().prizes.clone();
    let only_tea = wheel.iter().map(|p| (p.id.clone(), if p.id.as_str() == "tea" { 5 } else { 0 })).collect();
    deployment.running.app.stock.load(&demo, &only_tea).await.unwrap();
    let units_before = total_remaining(&deployment).await;

    let drawn = http(draw.invoke_file("events/draw/draw.json").await);
    let mut anonymous = event("events/draw/draw.json");
    anonymous["headers"].as_object_mut().unwrap().remove("authorization");
    let anonymous = http(draw.invoke(&anonymous).await);
    let mut unknown = event("events/draw/draw.json");
    unknown["pathParameters"]["id"] = json!("no-such-activity");
    let unknown = http(draw.invoke(&unknown).await);

    assert_eq!(drawn.status, 200, "{}", drawn.raw);
    assert_eq!(total_remaining(&deployment).await, units_before - 1, "one unit taken");
    assert_eq!(drawn.body["won"], true, "{}", drawn.raw);
    assert_eq!(drawn.body["prize"]["id"], "tea");
    assert_eq!(drawn.body["prize"]["price_fen"], 9000);
    let order = drawn.body["order_id"].as_str().expect("a priced win has an order id");
    assert_eq!(deployment.drain().await, 1, "the OrderRequested went to SQS");
    let order = deployment.running.app.orders.get(&order.parse().unwrap()).await.unwrap();
    assert_eq!(order.expect("the consumer created the order").status.as_str(), "pending_payment");
    assert_eq!((anonymous.status, &anonymous.body["error"]["code"]), (401, &json!("unauthenticated")));
    assert_eq!((unknown.status, &unknown.body["error"]["code"]), (404, &json!("not_found")));
    let metrics = emf_until(&draw, |written| written.iter().any(|d| d["code"] == "not_found")).await;
    assert!(metrics.iter().any(|d| d["Draws"] == 1 && d["activity"] == "demo" && d["outcome"] == "won"));
    assert!(metrics.iter().any(|d| d["Wins"] == 1 && d["activity"] == "demo" && d["prize"] == "tea"));
    assert!(metrics.iter().any(|d| d["Errors"] == 1 && d["function"] == "draw" && d["code"] == "unauthenticated"));
    draw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_player_api_answers_every_route_and_pays_through_the_gateway() {
    let deployment = Deployment::start().await;
    deployment.add_event_order(Duration::from_secs(900)).await;
    let tea_before = deployment.remaining("tea").await;
    let mut api = function(&deployment, "api", bootstrap!("api")).await;

    let activities = http(api.invoke_file("events/api/list-activities.json").await);
    let activity = http(api.invoke_file("events/api/get-activity.json").await);
    let draw = http(api.invoke_file("events/api/get-draw.json").await);
    let orders = http(api.invoke_file("events/api/list-orders.json").await);
    let order = http(api.invoke_file("events/api/get-order.json").await);
    let pay = http(api.invoke_file("events/api/pay.json").await);
    let pay_again = http(api.invoke_file("events/api/pay.json").await);
    let give_up = http(api.invoke_file("events/api/give-up.json").await);

    assert_eq!(activities.status, 200, "{}", activities.raw);
    assert!(activities.body["activities"].as_array().unwrap().iter().any(|a| a["id"] == "demo"));
    assert_eq!(activity.status, 200, "{}", activity.raw);
    let wheel: Vec<&str> =
        activity.body["prizes"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(wheel, ["thanks", "basketball", "cup", "laptop", "tablet", "phone", "pot", "tea", "drone", "wine"]);
    assert_eq!(draw.status, 200, "{}", draw.raw);
    assert_eq!(draw.body["order_status"], "pending_payment");
    assert_eq!(orders.status, 200, "{}", orders.raw);
    assert_eq!(orders.body["orders"][0]["id"], EVENT_ORDER);
    assert_eq!(
        (order.status, &order.body["amount_fen"], &order.body["status"]),
        (200, &json!(9000), &json!("pending_payment"))
    );
    assert_eq!(pay.status, 200, "{}", pay.raw);
    assert_eq!(pay.body["out_trade_no"], EVENT_ORDER);
    assert_eq!(pay_again.body["pay_url"], pay.body["pay_url"], "the link is cached: one trade");
    let trade = deployment.running.sandbox.as_ref().unwrap().trade(EVENT_ORDER).expect("the sandbox opened the trade");
    assert_eq!(trade.notify_url, "https://abc123xyz.execute-api.ap-east-1.amazonaws.com/pay/notify");
    assert_eq!(give_up.status, 202, "{}", give_up.raw);
    assert_eq!(deployment.drain().await, 1);
    assert_eq!(deployment.event_order().await.unwrap().1, "cancelled");
    assert_eq!(deployment.remaining("tea").await, tea_before + 1, "the unit went back");
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_callback_verifies_the_signed_notify_plain_and_base64() {
    let deployment = Deployment::start().await;
    let mut callback = function(&deployment, "pay-callback", bootstrap!("pay-callback")).await;

    let before_the_order = http(callback.invoke_file("events/pay-callback/notify.json").await);
    deployment.add_event_order(Duration::from_secs(900)).await;
    let mut tampered = event("events/pay-callback/notify.json");
    tampered["body"] = json!(tampered["body"].as_str().unwrap().replace("total_amount=90.00", "total_amount=0.90"));
    let tampered = http(callback.invoke(&tampered).await);
    assert_eq!(deployment.drain().await, 0, "nothing unverified is queued");
    let plain = http(callback.invoke_file("events/pay-callback/notify.json").await);
    let base64 = http(callback.invoke_file("events/pay-callback/notify-base64.json").await);

    for (reply, expected) in
        [(&before_the_order, "failure"), (&tampered, "failure"), (&plain, "success"), (&base64, "success")]
    {
        assert_eq!((reply.status, reply.body.as_str()), (200, Some(expected)), "{}", reply.raw);
    }
    assert_eq!(deployment.drain().await, 2, "both notifications were queued");
    assert_eq!(deployment.event_order().await.unwrap().1, "paid", "the duplicate changed nothing more");
    callback.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_consumer_applies_each_message_kind_and_reports_failures_per_message() {
    let deployment = Deployment::start().await;
    let mut consumer = function(&deployment, "order-consumer", bootstrap!("order-consumer")).await;
    let failures = |reply: Value| reply["batchItemFailures"].as_array().cloned().unwrap_or_else(|| panic!("{reply}"));

    let requested = consumer.invoke_file("events/order-consumer/order-requested.json").await.response();
    let status_after_request = deployment.event_order().await.map(|order| order.1);
    let paid = consumer.invoke_file("events/order-consumer/payment-received.json").await.response();
    let cancel = consumer.invoke_file("events/order-consumer/cancel-requested.json").await.response();
    let status_after_cancel = deployment.event_order().await.map(|order| order.1);
    let refund = consumer.invoke_file("events/order-consumer/refund-requested.json").await.response();
    let mut poisoned = event("events/order-consumer/order-requested.json");
    let mut garbage = poisoned["Records"][0].clone();
    garbage["messageId"] = json!("00000000-0000-4000-8000-00000000dead");
    garbage["body"] = json!("{\"type\": \"order_requested\"");
    poisoned["Records"].as_array_mut().unwrap().push(garbage);
    let mixed = consumer.invoke(&poisoned).await.response();

    assert_eq!(failures(requested), Vec::<Value>::new());
    assert_eq!(status_after_request.as_deref(), Some("pending_payment"));
    assert_eq!(failures(paid), Vec::<Value>::new());
    assert_eq!(failures(cancel), Vec::<Value>::new(), "cancelling a paid order is a no-op, not a failure");
    assert_eq!(status_after_cancel.as_deref(), Some("paid"));
    let refund_id = event("events/order-consumer/refund-requested.json")["Records"][0]["messageId"].clone();
    assert_eq!(
        failures(refund),
        [json!({ "itemIdentifier": refund_id })],
        "the sandbox knows no such trade: the refund is retried, not dropped"
    );
    assert_eq!(deployment.event_order().await.unwrap().1, "paid");
    assert_eq!(failures(mixed), [json!({ "itemIdentifier": "00000000-0000-4000-8000-00000000dead" })]);
    consumer.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draw_worker_reads_its_fifo_event_and_reports_an_unreadable_message() {
    let deployment = Deployment::start().await;
    let mut worker = function(&deployment, "draw-worker", bootstrap!("draw-worker")).await;
    let failures = |reply: Value| reply["batchItemFailures"].as_array().cloned().unwrap_or_else(|| panic!("{reply}"));

    let woken = worker.invoke_file("events/draw-worker/ticket-waiting.json").await.response();
    let mut poisoned = event("events/draw-worker/ticket-waiting.json");
    let mut garbage = poisoned["Records"][0].clone();
    garbage["messageId"] = json!("00000000-0000-4000-8000-00000000beef");
    garbage["body"] = json!("{\"draw_id\": 7");
    poisoned["Records"].as_array_mut().unwrap().push(garbage);
    let mixed = worker.invoke(&poisoned).await.response();

    assert_eq!(failures(woken), Vec::<Value>::new(), "a line with nothing waiting is served at once");
    assert_eq!(failures(mixed), [json!({ "itemIdentifier": "00000000-0000-4000-8000-00000000beef" })]);
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_orders_asks_to_expire_what_is_overdue() {
    let deployment = Deployment::start().await;
    let mut expire = function(&deployment, "expire-orders", bootstrap!("expire-orders")).await;
    let nothing = expire.invoke_file("events/expire-orders/schedule.json").await.response();
    deployment.add_event_order(Duration::ZERO).await;
    let tea_before = deployment.remaining("tea").await;

    let swept = expire.invoke_file("events/expire-orders/schedule.json").await.response();

    assert_eq!(nothing, json!({ "expiry_requested": 0 }));
    assert_eq!(swept, json!({ "expiry_requested": 1 }));
    assert_eq!(deployment.drain().await, 1);
    assert_eq!(deployment.event_order().await.unwrap().1, "expired");
    assert_eq!(deployment.remaining("tea").await, tea_before + 1, "the unit went back");
    expire.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settle_draws_requeues_a_draw_missing_from_the_ledger_then_settles_it() {
    let deployment = Deployment::start().await;
    let mut settle = function(&deployment, "settle-draws", bootstrap!("settle-draws")).await;
    deployment.add_unsent_event_draw(Duration::from_secs(600)).await;

    let first = settle.invoke_file("events/settle-draws/schedule.json").await.response();
    assert_eq!(deployment.drain().await, 1, "the draw's message was sent again");
    let order = deployment.event_order().await.expect("the consumer created the order");
    let second = settle.invoke_file("events/settle-draws/schedule.json").await.response();
    let third = settle.invoke_file("events/settle-draws/schedule.json").await.response();

    assert_eq!(first, json!({ "recorded": 0, "released": 0, "requeued": 1 }));
    assert_eq!(order.1, "pending_payment");
    assert_eq!(second, json!({ "recorded": 1, "released": 0, "requeued": 0 }));
    assert_eq!(third, json!({ "recorded": 0, "released": 0, "requeued": 0 }), "settled once");
    let invocations = |written: &[Value]| written.iter().filter(|d| d["Requests"] == 1).count();
    let metrics = emf_until(&settle, |written| invocations(written) == 3).await;
    assert!(metrics.iter().all(|d| d["Requests"].is_null() || d["function"] == "settle-draws"));
    assert_eq!(metrics.iter().filter(|d| d["DrawsRequeued"] == 1).count(), 1, "the first run requeued one");
    assert_eq!(metrics.iter().filter(|d| d["DrawsSettled"] == 1).count(), 1, "the second settled it");
    settle.stop().await;
}

/// The metrics `function` has written on stdout (EMF documents in the `luckydraw` namespace),
/// once they satisfy `done` (its output is read as it comes).
async fn emf_until(function: &Bootstrap, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..250 {
        let documents: Vec<Value> = function
            .log()
            .lines()
            .filter(|line| line.starts_with(r#"{"_aws""#))
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        if done(&documents) {
            assert!(documents.iter().all(|d| d["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "luckydraw"));
            return documents;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the expected metrics were not written:\n{}", function.log());
}

async fn total_remaining(deployment: &Deployment) -> u64 {
    let counts = deployment.running.app.stock.remaining(&"demo".parse().unwrap()).await.unwrap().unwrap();
    counts.values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_function_runs_a_campaign_from_its_events_as_the_event_admin() {
    let deployment = Deployment::start().await;
    let mut admin = function(&deployment, "admin", bootstrap!("admin")).await;
    // In the order an operator would: create, look, change, load, adjust, flush and restore,
    // settle, delete (it never took a draw); then figures, quotas, tags and listings on the demo.
    let expected = [
        ("events/admin/create-activity.json", 201),
        ("events/admin/list-activities.json", 200),
        ("events/admin/get-activity.json", 200),
        ("events/admin/update-activity.json", 200),
        ("events/admin/add-prize.json", 201),
        ("events/admin/update-prize.json", 200),
        ("events/admin/delete-prize.json", 200),
        ("events/admin/preload.json", 200),
        ("events/admin/adjust-stock.json", 200),
        ("events/admin/flush.json", 200),
        ("events/admin/restore.json", 200),
        ("events/admin/reconcile.json", 200),
        ("events/admin/delete-activity.json", 204),
        ("events/admin/stats.json", 200),
        ("events/admin/set-quota.json", 200),
        ("events/admin/list-quotas.json", 200),
        ("events/admin/remove-quota.json", 204),
        ("events/admin/find-user.json", 200),
        ("events/admin/set-tags.json", 200),
        ("events/admin/list-orders.json", 200),
        ("events/admin/audit.json", 200),
    ];
    let mut answers = Vec::new();
    for (file, status) in expected {
        let reply = http(admin.invoke_file(file).await);
        assert_eq!(reply.status, status, "{file}: {}", reply.raw);
        answers.push(reply);
    }
    let created = &answers[0].body;
    assert_eq!(created["id"], "spring-2027");
    assert_eq!(created["eligibility"]["tags_none"], json!(["banned"]));
    assert_eq!(answers[8].body["remaining"], 110, "100 loaded + 10: {}", answers[8].raw);
    assert_eq!(answers[10].body["remaining"]["lucky-cup"], 110, "restored from an empty ledger");
    assert!(answers[13].body["totals"]["initial"].as_u64().unwrap() > 0);
    assert_eq!(answers[15].body["quotas"][0]["username"], EVENT_PLAYER.username);
    assert_eq!(answers[18].body["tags"], json!(["beta", "vip-2027"]));
    let audit = answers[20].body["entries"].as_array().unwrap();
    assert_eq!(audit.len(), 20, "every earlier call, by the event admin");
    assert!(audit.iter().all(|entry| entry["admin"] == EVENT_ADMIN.username));
    let mut anonymous = event("events/admin/stats.json");
    anonymous["headers"].as_object_mut().unwrap().remove("authorization");
    let mut as_player = event("events/admin/stats.json");
    as_player["headers"]["authorization"] = json!(format!("Bearer {}", EVENT_PLAYER.token));
    assert_eq!(http(admin.invoke(&anonymous).await).status, 401);
    assert_eq!(http(admin.invoke(&as_player).await).status, 403);
    admin.stop().await;
}
