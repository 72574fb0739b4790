//! The login function driven by API Gateway events, starting from `events/login/login.json`.

use std::time::Duration;

use luckydraw_core::domain::{Password, UserKind, Username};
use luckydraw_core::usecases::accounts::{self, Credentials};
use luckydraw_testing::{TestApp, fixture, from_address, json_of, request, test_app};
use serde_json::json;

/// Registers `player` / `luckydraw` (the credentials in `events/login/login.json`).
async fn with_demo_player(seed: u64) -> TestApp {
    let t = test_app(seed);
    let credentials = Credentials {
        username: Username::parse("player").unwrap(),
        password: Password::parse("luckydraw".into()).unwrap(),
    };
    let user = accounts::new_user(&t.app, credentials, UserKind::Normal).await.unwrap();
    t.app.users.insert(&user).await.unwrap();
    t
}

fn post(route: &str, body: serde_json::Value) -> lambda_http::Request {
    request(route, &route[5..], &[], Some(&body.to_string()), None)
}

#[tokio::test]
async fn the_login_event_opens_a_session_and_sets_the_cookie() {
    let t = with_demo_player(1).await;

    let response = login::handle(&t.app, fixture("login/login")).await;

    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let (status, body) = json_of(response);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "player");
    assert_eq!(body["user"]["kind"], "normal");
    let token = body["token"].as_str().unwrap();
    assert_eq!(cookie, format!("session={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400"));
    let session = accounts::authenticate(&t.app, luckydraw_core::domain::SessionToken::parse(token)).await.unwrap();
    assert_eq!(session.username.as_str(), "player");
}

#[tokio::test]
async fn registering_logs_in_and_a_taken_name_is_refused() {
    let t = test_app(2);
    let body = json!({ "username": "Alice", "password": "wonderland" });

    let (status, created) = json_of(login::handle(&t.app, post("POST /register", body.clone())).await);
    let (again, taken) = json_of(login::handle(&t.app, post("POST /register", body)).await);

    assert_eq!(status, 201, "{created}");
    assert_eq!(created["user"]["username"], "alice", "usernames are case-insensitive");
    assert_eq!((again, taken["error"]["code"].as_str()), (409, Some("username_taken")));
}

#[tokio::test]
async fn bad_input_is_a_400_that_names_the_problem() {
    let t = test_app(3);
    let cases = [
        (Some("{not json"), "invalid JSON body"),
        (Some(""), "needs a JSON body"),
        (Some(r#"{"username":"al","password":"wonderland"}"#), "a username is"),
        (Some(r#"{"username":"alice","password":"short"}"#), "a password is"),
        (Some(r#"{"username":"alice"}"#), "missing field `password`"),
    ];
    for (body, expected) in cases {
        let (status, response) =
            json_of(login::handle(&t.app, request("POST /register", "/register", &[], body, None)).await);
        assert_eq!(status, 400, "{body:?}");
        assert_eq!(response["error"]["code"], "invalid_request");
        assert!(response["error"]["message"].as_str().unwrap().contains(expected), "{response}");
    }
    let (status, response) =
        json_of(login::handle(&t.app, request("POST /register", "/register", &[], None, None)).await);
    assert_eq!((status, response["error"]["code"].as_str()), (415, Some("unsupported_media_type")));
    assert!(t.app.users.by_username(&Username::parse("alice").unwrap()).await.unwrap().is_none());
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_the_same() {
    let t = with_demo_player(4).await;
    for body in
        [json!({"username":"player","password":"wrong-password"}), json!({"username":"nobody","password":"luckydraw"})]
    {
        let (status, response) = json_of(login::handle(&t.app, post("POST /login", body)).await);
        assert_eq!((status, response["error"]["code"].as_str()), (401, Some("invalid_credentials")));
        assert_eq!(response["error"]["message"], "wrong username or password");
    }
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_until_the_window_passes() {
    let t = with_demo_player(5).await;
    let attacker = "198.51.100.66";
    let wrong = json!({"username":"player","password":"wrong-password"});
    for _ in 0..5 {
        assert_eq!(
            login::handle(&t.app, from_address(post("POST /login", wrong.clone()), attacker)).await.status(),
            401
        );
    }

    let limited = login::handle(&t.app, from_address(fixture("login/login"), attacker)).await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let (status, body) = json_of(limited);
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")), "even the right password waits");
    assert!((1..=900).contains(&retry_after));
    let owner = login::handle(&t.app, fixture("login/login")).await;
    assert_eq!(owner.status(), 200, "the owner, from another address, is not locked out");

    t.clock.advance(Duration::from_secs(retry_after));
    let after = login::handle(&t.app, from_address(fixture("login/login"), attacker)).await;
    assert_eq!(after.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let t = test_app(6);
    let player = t.player("carol", UserKind::Normal).await;

    let response = login::handle(&t.app, request("POST /logout", "/logout", &[], None, Some(&player.token))).await;

    assert_eq!(response.status(), 204);
    assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert!(accounts::authenticate(&t.app, Some(player.token)).await.is_err());
    let anonymous = login::handle(&t.app, request("POST /logout", "/logout", &[], None, None)).await;
    assert_eq!(anonymous.status(), 204, "logging out twice is harmless");
}

#[tokio::test]
async fn routes_it_does_not_serve_are_404() {
    let t = test_app(7);
    let (status, body) = json_of(login::handle(&t.app, request("GET /login", "/login", &[], None, None)).await);
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
}
