//! The admin API through its handler: who may call it, what it refuses (each validation
//! rule naming its field), the online rules, quotas, eligibility, figures and the audit log.

use std::collections::HashMap;

use lambda_http::RequestExt;
use luckydraw_core::domain::{DrawMode, SessionToken, UserKind};
use luckydraw_core::usecases::drawing;
use luckydraw_testing::{Player, TestApp, activity_spec, json_of, prizes, request, test_app};
use serde_json::{Value, json};

/// Calls the admin API as `caller` (a token), with a JSON body and query parameters.
async fn call(
    t: &TestApp,
    route: &str,
    path: &str,
    params: &[(&str, &str)],
    body: Option<Value>,
    caller: Option<&SessionToken>,
) -> (u16, Value) {
    let text = body.map(|body| body.to_string());
    let mut request = request(route, path, params, text.as_deref(), caller);
    if let Some((_, query)) = path.split_once('?') {
        let pairs: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        request = request.with_query_string_parameters(pairs);
    }
    json_of(admin::handle(&t.app, request).await)
}

struct Setup {
    t: TestApp,
    admin: Player,
    player: Player,
}

async fn setup(seed: u64) -> Setup {
    let t = test_app(seed);
    let admin = t.player("boss", UserKind::Admin).await;
    let player = t.player("alice", UserKind::Normal).await;
    Setup { t, admin, player }
}

/// A campaign body: two priced prizes and a consolation, by weight, open around the test clock.
fn campaign(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Spring festival",
        "starts_at": "2026-11-01T00:00:00Z",
        "ends_at": "2026-12-31T00:00:00Z",
        "draw_mode": "weight_redistribute",
        "per_user_limit": 2,
        "pay_window_secs": 900,
        "prizes": [
            {"name": "Cup", "picture": "/prizes/cup.svg", "price_fen": 8000, "initial": 5, "weight": 5},
            {"name": "Tea", "picture": "/prizes/tea.svg", "price_fen": 0, "initial": 3, "weight": 3},
            {"name": "Thanks", "price_fen": 0, "initial": 1000, "weight": 90, "consolation": true}
        ]
    })
}

/// A route's method, its path filled in, its path parameters and a body if it reads one.
type FilledRoute = (&'static str, String, Vec<(&'static str, &'static str)>, Option<Value>);

/// Every route of the table, with its path filled in.
fn every_route() -> Vec<FilledRoute> {
    admin::ROUTES
        .iter()
        .map(|route| {
            let params = vec![("id", "spring"), ("prize_id", "cup"), ("user_id", "01a20048624b7d00b71efd11677e9aa5")];
            let path = route
                .path
                .replace("{id}", "spring")
                .replace("{prize_id}", "cup")
                .replace("{user_id}", "01a20048624b7d00b71efd11677e9aa5");
            let body = matches!(route.body, luckydraw_lambda::guard::BodyKind::Json).then(|| json!({}));
            (route.method, path, params, body)
        })
        .collect()
}

#[tokio::test]
async fn every_route_answers_401_to_no_one_403_to_players_and_audits_admins() {
    let Setup { t, admin, player } = setup(1).await;
    let routes = every_route();
    assert_eq!(routes.len(), 21, "the contract's routes");
    for (method, path, params, body) in &routes {
        let key = admin::ROUTES.iter().find(|r| r.method == *method && path_matches(r.path, path)).unwrap().key();
        let (anonymous, body_a) = call(&t, &key, path, params, body.clone(), None).await;
        let (played, body_p) = call(&t, &key, path, params, body.clone(), Some(&player.token)).await;
        let (admitted, body_ok) = call(&t, &key, path, params, body.clone(), Some(&admin.token)).await;
        assert_eq!((anonymous, &body_a["error"]["code"]), (401, &json!("unauthenticated")), "{key}");
        assert_eq!((played, &body_p["error"]["code"]), (403, &json!("forbidden")), "{key}");
        assert!(![401, 403, 500].contains(&admitted), "{key}: {admitted} {body_ok}");
    }
    let audit = t.app.audit.recent(100).await.unwrap();
    assert_eq!(audit.len(), routes.len(), "one entry per admin call, none for refused ones");
    assert!(audit.iter().all(|entry| entry.admin.as_str() == "boss"));
    assert_eq!(audit[0].action, format!("{} {}", routes.last().unwrap().0, routes.last().unwrap().1));
}

fn path_matches(template: &str, path: &str) -> bool {
    let filled = template
        .replace("{id}", "spring")
        .replace("{prize_id}", "cup")
        .replace("{user_id}", "01a20048624b7d00b71efd11677e9aa5");
    filled == path
}

#[tokio::test]
async fn each_validation_rule_answers_400_naming_its_field() {
    let Setup { t, admin, .. } = setup(2).await;
    let bad = |change: &dyn Fn(&mut Value)| {
        let mut body = campaign("spring");
        change(&mut body);
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (bad(&|b| b["ends_at"] = json!("2026-10-01T00:00:00Z")), "ends_at"),
        (bad(&|b| b["name"] = json!("")), "name"),
        (bad(&|b| b["name"] = json!("x".repeat(65))), "name"),
        (bad(&|b| b["description"] = json!("x".repeat(2001))), "description"),
        (bad(&|b| b["prizes"][1]["weight"] = json!(0)), "prizes[1].weight"),
        (bad(&|b| b["prizes"][0]["price_fen"] = json!(-1)), "prizes[0].price_fen"),
        (bad(&|b| b["prizes"][0]["initial"] = json!(-5)), "prizes[0].initial"),
        (bad(&|b| b["prizes"][0]["picture"] = json!("javascript:alert(1)")), "prizes[0].picture"),
        (bad(&|b| b["prizes"][0]["name"] = json!("x".repeat(65))), "prizes[0].name"),
        (bad(&|b| b["prizes"][1]["consolation"] = json!(true)), "prizes[2].consolation"),
        (bad(&|b| b["prizes"][1]["wheel_index"] = json!(0)), "prizes[1].wheel_index"),
        (bad(&|b| b["prizes"][1]["id"] = json!("cup")), "prizes[1].id"),
        (bad(&|b| b["pay_window_secs"] = json!(0)), "pay_window_secs"),
        (bad(&|b| b["draw_mode"] = json!("lucky")), "draw_mode"),
        (bad(&|b| b["eligibility"] = json!({"tags_any": ["Not A Tag"]})), "eligibility.tags_any"),
        (bad(&|b| b["prizes"] = json!([])), "prizes"),
        (bad(&|b| b["id"] = json!("Spring!")), "id"),
        (bad(&|b| b["buckets"] = json!(0)), "buckets"),
        (bad(&|b| b["buckets"] = json!(65)), "buckets"),
    ];
    for (body, field) in cases {
        let (status, answer) =
            call(&t, "POST /admin/activities", "/admin/activities", &[], Some(body), Some(&admin.token)).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{answer}");
        let named = answer["error"]["field"].as_str().unwrap_or_default();
        assert!(named.starts_with(field), "expected {field}, got {answer}");
    }
    assert!(t.app.activities.list().await.unwrap().is_empty(), "nothing was created");
    let (unknown, answer) = call(
        &t,
        "POST /admin/activities",
        "/admin/activities",
        &[],
        Some(bad(&|b| b["prices"] = json!(1))),
        Some(&admin.token),
    )
    .await;
    assert_eq!(unknown, 400, "unknown fields are refused: {answer}");
}

#[tokio::test]
async fn a_campaign_goes_online_with_its_stock_and_keeps_the_online_rules() {
    let Setup { t, admin, player } = setup(3).await;
    let token = Some(&admin.token);
    let (created, body) =
        call(&t, "POST /admin/activities", "/admin/activities", &[], Some(campaign("spring")), token).await;
    assert_eq!(created, 201, "{body}");
    assert_eq!(body["status"], "draft");
    assert_eq!(body["loaded"], false);
    assert_eq!(body["buckets"], 1, "one stock bucket unless asked");
    let ids: Vec<&str> = body["prizes"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cup", "tea", "thanks"], "ids made from names");
    let (again, _) =
        call(&t, "POST /admin/activities", "/admin/activities", &[], Some(campaign("spring")), token).await;
    assert_eq!(again, 409, "the id is taken");

    let at = |path: &str| format!("/admin/activities/spring{path}");
    let one = [("id", "spring")];
    let prize = [("id", "spring"), ("prize_id", "cup")];
    let (online, body) =
        call(&t, "PATCH /admin/activities/{id}", &at(""), &one, Some(json!({"status": "online"})), token).await;
    assert_eq!(online, 200, "{body}");
    assert_eq!((body["status"].as_str(), body["loaded"].as_bool()), (Some("online"), Some(true)));
    assert_eq!(body["prizes"][0]["remaining"], 5);

    // While online: no new or deleted prizes, no mode change, no units but by delta.
    let refused = [
        (
            "POST /admin/activities/{id}/prizes",
            at("/prizes"),
            &one[..],
            Some(json!({"name": "Pot", "price_fen": 1, "initial": 1, "weight": 1})),
        ),
        ("DELETE /admin/activities/{id}/prizes/{prize_id}", at("/prizes/cup"), &prize[..], None),
        ("PATCH /admin/activities/{id}", at(""), &one[..], Some(json!({"draw_mode": "weight_keep"}))),
        ("PATCH /admin/activities/{id}", at(""), &one[..], Some(json!({"buckets": 8}))),
        ("PATCH /admin/activities/{id}/prizes/{prize_id}", at("/prizes/cup"), &prize[..], Some(json!({"initial": 50}))),
        ("DELETE /admin/activities/{id}", at(""), &one[..], None),
        ("PATCH /admin/activities/{id}", at(""), &one[..], Some(json!({"status": "draft"}))),
    ];
    for (route, path, params, body) in refused {
        let (status, answer) = call(&t, route, &path, params, body, token).await;
        assert!(status == 409 || status == 400, "{route}: {status} {answer}");
    }
    let (renamed, body) = call(
        &t,
        "PATCH /admin/activities/{id}/prizes/{prize_id}",
        &at("/prizes/cup"),
        &prize,
        Some(json!({"name": "Golden cup"})),
        token,
    )
    .await;
    assert_eq!((renamed, &body["prizes"][0]["name"]), (200, &json!("Golden cup")), "names change while online");

    // Stock by delta: up, then down but never below what is left.
    let stock = "POST /admin/activities/{id}/prizes/{prize_id}/stock";
    let (added, body) = call(&t, stock, &at("/prizes/cup/stock"), &prize, Some(json!({"delta": 5})), token).await;
    assert_eq!((added, &body["initial"], &body["remaining"]), (200, &json!(10), &json!(10)), "{body}");
    let (too_many, _) = call(&t, stock, &at("/prizes/cup/stock"), &prize, Some(json!({"delta": -11})), token).await;
    assert_eq!(too_many, 409);
    let (taken, body) = call(&t, stock, &at("/prizes/cup/stock"), &prize, Some(json!({"delta": -4})), token).await;
    assert_eq!((taken, &body["remaining"]), (200, &json!(6)));
    assert_eq!(t.app.activities.get(&"spring".parse().unwrap()).await.unwrap().unwrap().prizes[0].initial, 6);

    // A player draws; then the activity goes offline and, having draws, stays undeletable.
    drawing::draw(&t.app, &player.session, &"spring".parse().unwrap()).await.unwrap();
    let (offline, _) =
        call(&t, "PATCH /admin/activities/{id}", &at(""), &one, Some(json!({"status": "offline"})), token).await;
    assert_eq!(offline, 200);
    t.drain_queue().await;
    let (deleted, answer) = call(&t, "DELETE /admin/activities/{id}", &at(""), &one, None, token).await;
    assert_eq!(deleted, 409, "an activity with draws is not deleted: {answer}");
    let (stats, figures) = call(&t, "GET /admin/activities/{id}/stats", &at("/stats"), &one, None, token).await;
    assert_eq!(stats, 200, "{figures}");
    assert_eq!((figures["totals"]["draws"].as_u64(), figures["totals"]["players"].as_u64()), (Some(1), Some(1)));
    assert_eq!(figures["drift"], json!([]), "{figures}");

    // A draft without draws is deleted, stock and all; its buckets change while unloaded.
    call(&t, "POST /admin/activities", "/admin/activities", &[], Some(campaign("autumn")), token).await;
    let autumn = [("id", "autumn")];
    let (spread, body) = call(
        &t,
        "PATCH /admin/activities/{id}",
        "/admin/activities/autumn",
        &autumn,
        Some(json!({"buckets": 8})),
        token,
    )
    .await;
    assert_eq!((spread, &body["buckets"]), (200, &json!(8)), "{body}");
    let (gone, _) =
        call(&t, "DELETE /admin/activities/{id}", "/admin/activities/autumn", &[("id", "autumn")], None, token).await;
    assert_eq!(gone, 204);
    let (missing, _) =
        call(&t, "GET /admin/activities/{id}", "/admin/activities/autumn", &[("id", "autumn")], None, token).await;
    assert_eq!(missing, 404);
}

#[tokio::test]
async fn a_users_own_limit_overrides_the_activitys_and_goes_away() {
    let Setup { t, admin, player } = setup(4).await;
    let wheel = prizes(&[("cup", 100, 1, 0), ("tea", 100, 1, 0)]);
    let mut spec = activity_spec("spring", DrawMode::RemainingStock, wheel);
    spec.per_user_limit = luckydraw_core::domain::DrawLimit::new(2);
    spec.max_unpaid_per_user = 0;
    t.add_activity(spec).await;
    let user = player.session.user_id.to_string();
    let path = format!("/admin/activities/spring/quotas/{user}");
    let params = [("id", "spring"), ("user_id", user.as_str())];
    let route = "PUT /admin/activities/{id}/quotas/{user_id}";
    let (set, body) = call(&t, route, &path, &params, Some(json!({"limit": 5})), Some(&admin.token)).await;
    assert_eq!(set, 200, "{body}");
    let spring = "spring".parse().unwrap();
    let mut drawn = 0;
    while drawing::draw(&t.app, &player.session, &spring).await.is_ok() {
        drawn += 1;
    }
    assert_eq!(drawn, 5, "the override, not the activity's 2");
    let (listed, body) = call(
        &t,
        "GET /admin/activities/{id}/quotas",
        "/admin/activities/spring/quotas",
        &[("id", "spring")],
        None,
        Some(&admin.token),
    )
    .await;
    assert_eq!(
        (listed, &body["quotas"][0]["username"], &body["quotas"][0]["limit"]),
        (200, &json!("alice"), &json!(5))
    );
    let (removed, _) =
        call(&t, "DELETE /admin/activities/{id}/quotas/{user_id}", &path, &params, None, Some(&admin.token)).await;
    assert_eq!(removed, 204);
    assert!(t.app.activities.limits(&spring).await.unwrap().is_empty());
    let (unknown, _) = call(
        &t,
        route,
        "/admin/activities/spring/quotas/01a20048624b7d00b71efd11677e9aa5",
        &[("id", "spring"), ("user_id", "01a20048624b7d00b71efd11677e9aa5")],
        Some(json!({"limit": 5})),
        Some(&admin.token),
    )
    .await;
    assert_eq!(unknown, 404, "no such user");
}

#[tokio::test]
async fn eligibility_rules_refuse_draws_and_tell_players_where_they_may_join() {
    let Setup { t, admin, player } = setup(5).await;
    let mut spec = activity_spec("beta-only", DrawMode::RemainingStock, prizes(&[("cup", 10, 1, 0)]));
    spec.eligibility = serde_json::from_value(json!({"tags_any": ["beta"], "tags_none": ["banned"]})).unwrap();
    t.add_activity(spec).await;
    t.add_activity(activity_spec("open", DrawMode::RemainingStock, prizes(&[("cup", 10, 1, 0)]))).await;
    let beta = "beta-only".parse().unwrap();

    let refused = drawing::draw(&t.app, &player.session, &beta).await.unwrap_err();
    assert_eq!(refused.code(), "not_eligible");
    let list = |token| {
        let t = &t;
        async move {
            let (_, body) =
                json_of(api::handle(&t.app, request("GET /activities", "/activities", &[], None, token)).await);
            body["activities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["id"].as_str().unwrap().to_owned(), a["eligible"].clone()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(Some(&player.token)).await, [("beta-only".into(), json!(false)), ("open".into(), json!(true))]);
    assert_eq!(
        list(None).await,
        [("beta-only".into(), Value::Null), ("open".into(), Value::Null)],
        "anonymous: no flag"
    );

    // Tags found by username, set by id.
    let (found, user) =
        call(&t, "GET /admin/users", "/admin/users?username=alice", &[], None, Some(&admin.token)).await;
    assert_eq!(found, 200, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let path = format!("/admin/users/{id}/tags");
    let tag = |tags: Value| {
        let (t, path, id, token) = (&t, path.clone(), id.clone(), admin.token.clone());
        async move {
            call(
                t,
                "PUT /admin/users/{user_id}/tags",
                &path,
                &[("user_id", id.as_str())],
                Some(json!({"tags": tags})),
                Some(&token),
            )
            .await
        }
    };
    let (tagged, body) = tag(json!(["beta"])).await;
    assert_eq!((tagged, &body["tags"]), (200, &json!(["beta"])));
    drawing::draw(&t.app, &player.session, &beta).await.expect("a beta tester may draw");
    tag(json!(["beta", "banned"])).await;
    assert_eq!(drawing::draw(&t.app, &player.session, &beta).await.unwrap_err().code(), "not_eligible");
    let (bad, body) = tag(json!(["Bad Tag"])).await;
    assert_eq!((bad, &body["error"]["field"]), (400, &json!("tags[0]")), "{body}");
    let (too_many, _) = tag(json!((0..17).map(|n| format!("t{n}")).collect::<Vec<_>>())).await;
    assert_eq!(too_many, 400);
}

#[tokio::test]
async fn orders_are_listed_page_by_page_with_filters() {
    let Setup { t, admin, .. } = setup(6).await;
    let mut spec = activity_spec("spring", DrawMode::RemainingStock, prizes(&[("cup", 10, 0, 100)]));
    spec.max_unpaid_per_user = 0;
    t.add_activity(spec).await;
    let spring = "spring".parse().unwrap();
    for n in 0..5 {
        let player = t.player(&format!("player{n}"), UserKind::Normal).await;
        drawing::draw(&t.app, &player.session, &spring).await.unwrap();
    }
    t.drain_queue().await;
    let mut seen = Vec::new();
    let mut path = "/admin/orders?activity=spring&status=pending_payment&limit=2".to_owned();
    loop {
        let (status, page) = call(&t, "GET /admin/orders", &path, &[], None, Some(&admin.token)).await;
        assert_eq!(status, 200, "{page}");
        let orders = page["orders"].as_array().unwrap();
        assert!(orders.len() <= 2 && orders.iter().all(|o| o["user_id"].is_string()));
        seen.extend(orders.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/admin/orders?activity=spring&status=pending_payment&limit=2&cursor={next}"),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
    for bad in ["status=lost", "limit=0", "limit=201", "cursor=%00%01", "activity=Not!"] {
        let (status, body) =
            call(&t, "GET /admin/orders", &format!("/admin/orders?{bad}"), &[], None, Some(&admin.token)).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}
