//! Property-based fuzzing of everything a stranger can send: the notify form and its
//! verification, every JSON body, and the ids in paths. Whatever the input: no panic, no
//! 5xx, and nothing written. `PROPTEST_CASES` sets the cases per target (CI: 4096, ~10 s; a longer
//! run: `PROPTEST_CASES=100000 cargo test --release -p luckydraw-tests --test fuzz`).

use std::sync::LazyLock;

use lambda_http::Request;
use luckydraw_adapters::alipay::Params;
use luckydraw_core::domain::{ActivityId, DrawId, OrderId, PrizeId, UserId, UserKind, Username};
use luckydraw_core::settings::Limit;
use luckydraw_testing::{
    Player, TestApp, alipay_key, form_request, json_of, notification_params, request, test_app, test_merchant,
};
use proptest::prelude::*;
use tokio::runtime::Runtime;

/// One runtime for every case (proptest calls the body synchronously).
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| Runtime::new().expect("a runtime"));

/// An app with payments configured, one activity and one player, shared by every case.
static WORLD: LazyLock<(TestApp, Player)> = LazyLock::new(|| {
    RUNTIME.block_on(async {
        let t = test_app(9000).with_alipay();
        let spec = luckydraw_testing::activity_spec(
            "fuzz",
            luckydraw_core::domain::DrawMode::RemainingStock,
            luckydraw_testing::prizes(&[("cup", 10, 1, 100)]),
        );
        t.add_activity(spec).await;
        let player = t.player("fuzzer", UserKind::Normal).await;
        (t, player)
    })
});

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(4096);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Text that looks like a form: names and values from form-ish characters, some escapes.
fn formish() -> impl Strategy<Value = String> {
    prop::collection::vec(("[a-z_%+=&0-9A-F]{0,12}", "[a-zA-Z0-9_%+=&.:-]{0,24}"), 0..40).prop_map(|pairs| {
        pairs.into_iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
    })
}

/// Text that looks like JSON: fragments of the login body's shape in any order.
fn jsonish() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"username\"".to_owned()),
        Just("\"password\"".to_owned()),
        Just("null".to_owned()),
        "-?[0-9]{1,20}(\\.[0-9]{1,5})?(e[+-]?[0-9]{1,4})?",
        "\"[^\"\\\\]{0,40}\"",
        "\"\\\\u[0-9a-fA-F]{4}\"",
    ];
    prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

fn status_and_writes(response: lambda_http::Response<lambda_http::Body>, t: &TestApp) -> (u16, bool) {
    let wrote = !t.memory.queue.is_empty();
    (response.status().as_u16(), wrote)
}

fn notify(body: &str) -> Request {
    form_request("POST /pay/notify", "/pay/notify", Some(body))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_form_parser_takes_any_bytes(body in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Params::parse(&body);
    }

    #[test]
    fn any_notify_body_is_failure_and_queues_nothing(body in prop_oneof![formish(), any::<String>()]) {
        let (t, _) = &*WORLD;
        let response = RUNTIME.block_on(pay_callback::handle(&t.app, notify(&body)));
        prop_assert_eq!(response.body().as_ref(), b"failure");
        let (status, wrote) = status_and_writes(response, t);
        prop_assert_eq!((status, wrote), (200, false));
    }

    #[test]
    fn a_signed_notification_with_any_field_changed_is_refused(
        field in prop::sample::select(vec!["out_trade_no", "total_amount", "trade_status", "app_id", "seller_id", "trade_no"]),
        value in "[a-zA-Z0-9._-]{1,20}",
    ) {
        let merchant = test_merchant(&alipay_key().public_key().unwrap().to_pem());
        let order = OrderId::parse("0192a4c0000070008000000000000001").unwrap();
        let params = notification_params(&order, "2026112422001", "88.00", "TRADE_SUCCESS");
        let signed = luckydraw_testing::signed_notification(params);
        let original = Params::parse(signed.as_bytes()).unwrap();
        prop_assume!(original.get(field) != Some(value.as_str()));
        let mut changed = Params::default();
        for (name, old) in original.iter() {
            changed.push(name, if name == field { value.as_str() } else { old });
        }
        prop_assert!(merchant.verify(changed.encode().as_bytes()).is_err());
    }

    #[test]
    fn any_login_or_register_body_is_answered_without_a_5xx(body in prop_oneof![jsonish(), any::<String>()]) {
        let (t, _) = &*WORLD;
        for route in ["POST /register", "POST /login"] {
            let response = RUNTIME.block_on(login::handle(&t.app, request(route, &route[5..], &[], Some(&body), None)));
            let (status, answer) = json_of(response);
            // Only a body that is a valid registration (or login) succeeds; the rest are 4xx.
            prop_assert!((400..500).contains(&status) || status == 201 || status == 200, "{} {}", status, answer);
        }
    }

    #[test]
    fn any_id_in_a_path_is_a_4xx(id in prop_oneof![any::<String>(), "[a-z0-9.-]{0,80}"]) {
        let (t, player) = &*WORLD;
        let token = Some(&player.token);
        prop_assume!(id != "fuzz");
        let answers = RUNTIME.block_on(async {
            vec![
                api::handle(&t.app, request("GET /activities/{id}", "/x", &[("id", &id)], None, None)).await,
                api::handle(&t.app, request("GET /draws/{id}", "/x", &[("id", &id)], None, token)).await,
                api::handle(&t.app, request("GET /orders/{id}", "/x", &[("id", &id)], None, token)).await,
                api::handle(&t.app, request("POST /orders/{id}/pay", "/x", &[("id", &id)], None, token)).await,
                api::handle(&t.app, request("POST /orders/{id}/giveup", "/x", &[("id", &id)], None, token)).await,
                draw::handle(&t.app, request("POST /activities/{id}/draw", "/x", &[("id", &id)], None, token)).await,
            ]
        });
        for answer in answers {
            let (status, body) = json_of(answer);
            prop_assert!((400..500).contains(&status), "{} for {:?}: {}", status, id, body);
        }
        prop_assert!(t.memory.queue.is_empty());
    }

    #[test]
    fn the_id_and_setting_parsers_take_any_text(text in any::<String>()) {
        let _ = (ActivityId::parse(&text), DrawId::parse(&text), OrderId::parse(&text));
        let _ = (PrizeId::parse(&text), UserId::parse(&text), Username::parse(&text), text.parse::<Limit>());
    }
}
