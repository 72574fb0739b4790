//! The payment callback driven by `events/pay-callback.json`: Alipay only ever reads
//! `success` or `failure`, and nothing unverified is queued.

use luckydraw::testing::{fixture, request, test_app};

fn body_text(response: &lambda_http::Response<lambda_http::Body>) -> String {
    String::from_utf8_lossy(response.body().as_ref()).into_owned()
}

#[tokio::test]
async fn an_unverifiable_notify_is_answered_failure_and_queues_nothing() {
    let t = test_app(1);

    let response = pay_callback::handle(&t.app, fixture("pay-callback")).await;

    assert_eq!(response.status(), 200);
    assert_eq!(body_text(&response), "failure");
    assert!(t.memory.queue.is_empty());
}

#[tokio::test]
async fn an_empty_or_malformed_body_is_failure() {
    let t = test_app(2);
    for body in [None, Some("%zz=%%")] {
        let response = pay_callback::handle(&t.app, request("POST /pay/notify", "/pay/notify", &[], body, None)).await;
        assert_eq!(body_text(&response), "failure", "{body:?}");
    }
    assert!(t.memory.queue.is_empty());
}
