//! The hardening findings, each reproduced and refused: login bursts that outran the failure
//! count, an owner locked out by strangers, a megabyte of notify fields that stalled every
//! request, JSON routes that took cross-site form posts, cookie changes from foreign origins,
//! answers without cache or sniffing headers, and draws and registrations without a limit.
//! Rate limits run on memory, Redis and DynamoDB (moto) counters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lambda_http::Request;
use luckydraw_adapters::dynamodb::DynamoRateLimits;
use luckydraw_adapters::redis::RedisRateLimits;
use luckydraw_core::App;
use luckydraw_core::domain::{DrawMode, Password, SessionToken, UserKind, Username};
use luckydraw_core::ports::RateLimits;
use luckydraw_core::settings::Limit;
use luckydraw_core::usecases::accounts::{self, Credentials};
use luckydraw_testing::{
    TestApp, TestStock, activity_spec, form_request, from_address, json_of, limited_test_settings, prizes, request,
    services, test_app, test_app_with_stock, with_content_type,
};
use serde_json::json;

/// Where the rate-limit counters live.
#[derive(Clone, Copy, Debug)]
enum Counters {
    Memory,
    Redis,
    DynamoDb,
}

const ALL: [Counters; 3] = [Counters::Memory, Counters::Redis, Counters::DynamoDb];

/// A memory app with every limit on and its counters in `counters`.
async fn limited_app(seed: u64, counters: Counters) -> TestApp {
    let mut t = test_app(seed);
    t.app.settings = limited_test_settings();
    t.app.rate_limits = match counters {
        Counters::Memory => t.app.rate_limits.clone(),
        Counters::Redis => {
            let (connection, keys) = services::redis().await;
            Arc::new(RedisRateLimits::new(connection, keys)) as Arc<dyn RateLimits>
        }
        Counters::DynamoDb => Arc::new(DynamoRateLimits::new(services::dynamo_table().await)),
    };
    t
}

async fn with_account(t: &TestApp, name: &str, password: &str) {
    let credentials =
        Credentials { username: Username::parse(name).unwrap(), password: Password::parse(password.into()).unwrap() };
    let user = accounts::new_user(&t.app, credentials, UserKind::Normal).await.unwrap();
    assert!(t.app.users.insert(&user).await.unwrap());
}

fn login_request(name: &str, password: &str, address: &str) -> Request {
    let body = json!({ "username": name, "password": password }).to_string();
    from_address(request("POST /login", "/login", &[], Some(&body), None), address)
}

/// Sends every request at once to `handle`; the statuses in the order given.
async fn burst(app: &App, requests: Vec<Request>, handle: fn(App, Request) -> HandleFuture) -> Vec<u16> {
    let tasks: Vec<_> = requests.into_iter().map(|request| tokio::spawn(handle(app.clone(), request))).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

type HandleFuture = std::pin::Pin<Box<dyn Future<Output = u16> + Send>>;

fn login_status(app: App, request: Request) -> HandleFuture {
    Box::pin(async move { login::handle(&app, request).await.status().as_u16() })
}

fn draw_status(app: App, request: Request) -> HandleFuture {
    Box::pin(async move { draw::handle(&app, request).await.status().as_u16() })
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|&&s| s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_checks_at_most_the_limit_and_the_right_one_inside_it_fails() {
    for (seed, counters) in ALL.into_iter().enumerate() {
        let t = limited_app(100 + seed as u64, counters).await;
        with_account(&t, "victim", "the-right-password").await;
        let attacker = "198.51.100.7";

        // 30 wrong guesses at once: only the first 5 counted attempts are checked.
        let wrong: Vec<_> = (0..30).map(|i| login_request("victim", &format!("guess-{i:04}"), attacker)).collect();
        let statuses = burst(&t.app, wrong, login_status).await;
        assert_eq!((count(&statuses, 401), count(&statuses, 429)), (5, 25), "{counters:?}: {statuses:?}");

        // A burst of 29 wrong guesses and the right one, from a fresh address.
        let other = "198.51.100.8";
        let mut guesses: Vec<_> = (0..29).map(|i| login_request("victim", &format!("guess-{i:04}"), other)).collect();
        guesses.insert(17, login_request("victim", "the-right-password", other));
        let statuses = burst(&t.app, guesses, login_status).await;
        let checked = count(&statuses, 401) + count(&statuses, 200);
        assert_eq!(checked, 5, "{counters:?}: exactly the limit is checked: {statuses:?}");
        assert_eq!(count(&statuses, 429), 25, "{counters:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn strangers_cannot_cheaply_lock_an_owner_out() {
    for (seed, counters) in ALL.into_iter().enumerate() {
        let t = limited_app(110 + seed as u64, counters).await;
        with_account(&t, "owner", "owner-password").await;

        // Nine addresses, five wrong guesses each: all refused, none locks the owner out.
        for host in 0..9 {
            for guess in 0..5 {
                let wrong = login_request("owner", &format!("wrong-guess-{guess}"), &format!("203.0.113.{host}"));
                assert_eq!(login::handle(&t.app, wrong).await.status(), 401, "{counters:?}");
            }
        }
        let owner = login::handle(&t.app, login_request("owner", "owner-password", "192.0.2.50")).await;
        assert_eq!(owner.status(), 200, "{counters:?}: 45 failures from 9 addresses leave the owner in");

        // A success clears the count: the owner's own typos do not pile up.
        for _ in 0..4 {
            assert_eq!(
                login::handle(&t.app, login_request("owner", "owner-typo-pass", "192.0.2.50")).await.status(),
                401
            );
            let right = login::handle(&t.app, login_request("owner", "owner-password", "192.0.2.50")).await;
            assert_eq!(right.status(), 200, "{counters:?}");
        }

        // The per-username ceiling (50 from anywhere) is what a botnet meets.
        for host in 0..11 {
            for guess in 0..5 {
                let wrong = login_request("owner", &format!("wrong-guess-{guess}"), &format!("203.0.114.{host}"));
                login::handle(&t.app, wrong).await;
            }
        }
        let ceiling = login::handle(&t.app, login_request("owner", "owner-password", "192.0.2.50")).await;
        assert_eq!(ceiling.status(), 429, "{counters:?}: 55 failures from 11 addresses reach the ceiling");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn draws_are_limited_per_player_and_per_address_under_concurrency() {
    for (seed, counters) in ALL.into_iter().enumerate() {
        let mut t = limited_app(120 + seed as u64, counters).await;
        let spec = activity_spec("limits", DrawMode::RemainingStock, prizes(&[("thanks", 10_000, 1, 0)]));
        t.add_activity(spec).await;
        let draw = |token: Option<&SessionToken>, address: &str| -> Request {
            let params = [("id", "limits")];
            from_address(
                request("POST /activities/{id}/draw", "/activities/limits/draw", &params, None, token),
                address,
            )
        };

        // One player, 40 draws at once: 10 pass the per-player limit (10 per 10 s).
        let hoarder = t.player("hoarder", UserKind::Normal).await;
        let requests = (0..40).map(|_| draw(Some(&hoarder.token), "198.51.100.20")).collect();
        let statuses = burst(&t.app, requests, draw_status).await;
        assert_eq!((count(&statuses, 200), count(&statuses, 429)), (10, 30), "{counters:?}: {statuses:?}");

        // Three players behind one address, 10 draws each at once: the address admits 15.
        t.app.settings.limits.draw_per_address = Limit::per_secs(15, 10);
        let mut requests = Vec::new();
        for name in ["nat1", "nat2", "nat3"] {
            let player = t.player(name, UserKind::Normal).await;
            for _ in 0..10 {
                requests.push(draw(Some(&player.token), "198.51.100.21"));
            }
        }
        let statuses = burst(&t.app, requests, draw_status).await;
        assert_eq!(count(&statuses, 200), 15, "{counters:?}: {statuses:?}");

        // 429 says when to come back; once the window passes, the player draws again.
        let refused = draw::handle(&t.app, draw(Some(&hoarder.token), "198.51.100.20")).await;
        let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert_eq!(json_of(refused).1["error"]["code"], "rate_limited");
        t.clock.advance(Duration::from_secs(retry_after));
        assert_eq!(draw::handle(&t.app, draw(Some(&hoarder.token), "198.51.100.20")).await.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrations_are_limited_per_address_and_rate_limits_off_lifts_it() {
    for (seed, counters) in ALL.into_iter().enumerate() {
        let mut t = limited_app(130 + seed as u64, counters).await;
        let register = |name: String| {
            let body = json!({ "username": name, "password": "a-fine-password" }).to_string();
            from_address(request("POST /register", "/register", &[], Some(&body), None), "198.51.100.30")
        };
        let requests = (0..25).map(|i| register(format!("bulk{i:02}"))).collect();
        let statuses = burst(&t.app, requests, login_status).await;
        assert_eq!((count(&statuses, 201), count(&statuses, 429)), (20, 5), "{counters:?}: {statuses:?}");

        t.app.settings.limits.enabled = false;
        let statuses = burst(&t.app, (25..35).map(|i| register(format!("bulk{i:02}"))).collect(), login_status).await;
        assert_eq!(count(&statuses, 201), 10, "{counters:?}: LUCKYDRAW_RATE_LIMITS=off lifts it");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_megabyte_of_notify_fields_is_failure_at_once_and_stalls_nobody() {
    let t = test_app(140).with_alipay();
    let fields: Vec<String> = (0..116_000).map(|i| format!("f{i}=")).collect();
    let body = fields.join("&");
    assert!(body.len() > 900_000);

    let started = Instant::now();
    let attacks: Vec<_> = (0..4)
        .map(|_| {
            let (app, body) = (t.app.clone(), body.clone());
            tokio::spawn(async move {
                let response =
                    pay_callback::handle(&app, form_request("POST /pay/notify", "/pay/notify", Some(&body))).await;
                String::from_utf8_lossy(response.body().as_ref()).into_owned()
            })
        })
        .collect();
    let bystander = api::handle(&t.app, request("GET /activities", "/activities", &[], None, None)).await;
    let bystander_took = started.elapsed();
    for attack in attacks {
        assert_eq!(attack.await.unwrap(), "failure");
    }
    let all_took = started.elapsed();

    assert_eq!(bystander.status(), 200);
    // Before the fix one such body took 43 s of CPU and froze every other request.
    assert!(bystander_took < Duration::from_secs(1), "another request waited {bystander_took:?}");
    assert!(all_took < Duration::from_secs(2), "four megabyte notifies took {all_took:?}");
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn json_routes_refuse_other_media_types_and_oversized_or_deep_bodies() {
    let t = test_app(150);
    let body = json!({ "username": "csrf_victim", "password": "attacker-password" }).to_string();
    for route in ["POST /register", "POST /login"] {
        let path = &route[5..];
        for content_type in
            [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data")]
        {
            let sent = with_content_type(request(route, path, &[], Some(&body), None), content_type);
            let (status, answer) = json_of(login::handle(&t.app, sent).await);
            assert_eq!((status, answer["error"]["code"].as_str()), (415, Some("unsupported_media_type")), "{route}");
        }
    }
    assert!(t.app.users.by_username(&Username::parse("csrf_victim").unwrap()).await.unwrap().is_none());

    let big = json!({ "username": "big", "password": "x".repeat(20_000) }).to_string();
    let (status, answer) =
        json_of(login::handle(&t.app, request("POST /register", "/register", &[], Some(&big), None)).await);
    assert_eq!((status, answer["error"]["code"].as_str()), (413, Some("payload_too_large")));

    let deep = format!("{}{}", "[".repeat(8_000), "]".repeat(8_000));
    let started = Instant::now();
    let (status, answer) =
        json_of(login::handle(&t.app, request("POST /login", "/login", &[], Some(&deep), None)).await);
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_request")), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn cookie_authenticated_changes_from_a_foreign_origin_are_refused() {
    let t = test_app(160);
    t.add_activity(activity_spec("csrf", DrawMode::RemainingStock, prizes(&[("cup", 10, 1, 100)]))).await;
    let player = t.player("cookie_user", UserKind::Normal).await;
    let cookie = format!("session={}", player.token.expose());
    let draw = |origin: Option<&str>, bearer: bool| {
        let token = bearer.then_some(&player.token);
        let mut sent = request("POST /activities/{id}/draw", "/activities/csrf/draw", &[("id", "csrf")], None, token);
        let headers = sent.headers_mut();
        headers.insert("host", "api.example.com".parse().unwrap());
        headers.insert("cookie", cookie.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().unwrap());
        }
        sent
    };

    let (status, answer) = json_of(draw::handle(&t.app, draw(Some("https://evil.example"), false)).await);
    assert_eq!((status, answer["error"]["code"].as_str()), (403, Some("foreign_origin")));
    assert!(t.app.stock.draws(&"csrf".parse().unwrap()).await.unwrap().is_empty(), "nothing was drawn");

    assert_eq!(draw::handle(&t.app, draw(Some("https://api.example.com"), false)).await.status(), 200);
    assert_eq!(
        draw::handle(&t.app, draw(Some("https://page.example"), true)).await.status(),
        200,
        "a bearer token is not ambient"
    );
    assert_eq!(
        draw::handle(&t.app, draw(None, false)).await.status(),
        200,
        "no Origin: not a cross-site browser request"
    );
}

#[tokio::test]
async fn api_answers_are_never_cached_or_sniffed() {
    let t = test_app(170);
    with_account(&t, "cached", "cached-password").await;
    let answers = [
        login::handle(&t.app, login_request("cached", "cached-password", "192.0.2.1")).await,
        login::handle(&t.app, login_request("cached", "wrong-password", "192.0.2.1")).await,
        api::handle(&t.app, request("GET /activities", "/activities", &[], None, None)).await,
        api::handle(&t.app, request("GET /orders", "/orders", &[], None, None)).await,
        pay_callback::handle(&t.app, form_request("POST /pay/notify", "/pay/notify", Some("a=1"))).await,
    ];
    for answer in answers {
        assert_eq!(answer.headers()["cache-control"], "no-store", "{:?}", answer.status());
        assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_player_drawing_40_at_once_holds_at_most_the_unpaid_cap() {
    let stocks = [TestStock::Memory, TestStock::Redis, TestStock::DynamoDb { shards: 4 }];
    for (seed, stock) in stocks.into_iter().enumerate() {
        // The request limits are off (as in test settings): the cap alone must hold.
        let t = test_app_with_stock(180 + seed as u64, stock).await;
        let spec = activity_spec("hoard", DrawMode::RemainingStock, prizes(&[("phone", 200, 1, 99_900)]));
        let activity = t.add_activity(spec).await;
        assert_eq!(activity.max_unpaid_per_user, 3);
        let hoarder = t.player("hoarder", UserKind::Normal).await;
        let draw = || {
            request(
                "POST /activities/{id}/draw",
                "/activities/hoard/draw",
                &[("id", "hoard")],
                None,
                Some(&hoarder.token),
            )
        };

        let statuses = burst(&t.app, (0..40).map(|_| draw()).collect(), draw_status).await;
        assert_eq!((count(&statuses, 200), count(&statuses, 409)), (3, 37), "{stock:?}: {statuses:?}");
        let refused = json_of(draw::handle(&t.app, draw()).await);
        assert_eq!((refused.0, refused.1["error"]["code"].as_str()), (409, Some("unpaid_limit")));
        let left = t.app.stock.remaining(&activity.id).await.unwrap().unwrap();
        assert_eq!(left[&"phone".parse().unwrap()], 197, "{stock:?}: only the three held units are gone");
    }
}
