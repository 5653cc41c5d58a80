//! Notices over real HTTP on loopback: a user's notice about an item never
//! scanned goes to review with reason `notice`; the verdict records the
//! outcome and time to act, read back with GET; bad bodies are refused
//! naming the field.

mod common;

use common::TestServer;
use serde_json::json;

fn notice(reporter: &str) -> serde_json::Value {
    json!({
        "item_id": "post-77",
        "reporter_type": reporter,
        "reporter_id": "u-12",
        "reporter_name": "Example Flaggers e.V.",
        "category": "hate",
        "legal_ground": "StGB §130",
        "explanation": "Incites hatred against a group.",
        "item": {"id": "post-77", "text": "the reported text"}
    })
}

#[test]
fn a_notice_goes_to_review_and_its_verdict_is_its_outcome() {
    let server = TestServer::start();
    let scan = Some(server.keys.scan.as_str());
    let review = Some(server.keys.review.as_str());

    let filed = server.post_json("/v1/notices", scan, &notice("trusted_flagger"));
    filed.expect_status(201);
    let filed = filed.json();
    assert_eq!(filed["status"], "in_review");
    assert_eq!(filed["reporter_type"], "trusted_flagger");
    assert_eq!(filed["outcome"], serde_json::Value::Null);
    assert_eq!(filed["time_to_act_seconds"], serde_json::Value::Null);
    let id = filed["id"].as_str().expect("an id").to_owned();
    let item = filed["review_item"].as_str().expect("queued").to_owned();

    let queue = server.get("/v1/review/queue?reason=notice", review);
    queue.expect_status(200);
    let queue = queue.json();
    assert_eq!(queue["counts"]["notice"], 1);
    assert_eq!(queue["items"][0]["id"], item.as_str());
    assert_eq!(queue["items"][0]["priority"], 8.0);

    server
        .post_json(
            &format!("/v1/review/items/{item}/claim"),
            review,
            &json!({}),
        )
        .expect_status(200);
    server
        .post_json(
            &format!("/v1/review/items/{item}/verdict"),
            review,
            &json!({"verdict": {"labels": {"hate": true}, "action": "block"}}),
        )
        .expect_status(200);

    let got = server.get(&format!("/v1/notices/{id}"), scan);
    got.expect_status(200);
    let got = got.json();
    assert_eq!(got["status"], "decided");
    assert_eq!(got["outcome"], "action_taken");
    assert_eq!(got["action"], "block");
    let took = got["time_to_act_seconds"].as_f64().expect("a time to act");
    assert!((0.0..60.0).contains(&took), "{took}");
}

#[test]
fn bad_notices_are_refused_naming_the_problem() {
    let server = TestServer::start();
    let scan = Some(server.keys.scan.as_str());

    let mut unnamed = notice("authority_order");
    unnamed["reporter_name"] = json!(null);
    let r = server.post_json("/v1/notices", scan, &unnamed);
    r.expect_error(422, "invalid_request");
    assert!(
        r.error_message().contains("reporter_name"),
        "{}",
        r.error_message()
    );

    let mut empty = notice("user");
    empty["explanation"] = json!("  ");
    let r = server.post_json("/v1/notices", scan, &empty);
    r.expect_error(422, "invalid_request");
    assert!(r.error_message().contains("explanation"));

    let r = server.post_json("/v1/notices", scan, &notice("police"));
    r.expect_error(422, "invalid_request");
    assert!(
        r.error_message().contains("trusted_flagger"),
        "{}",
        r.error_message()
    );

    let mut contentless = notice("user");
    contentless.as_object_mut().unwrap().remove("item");
    server
        .post_json("/v1/notices", scan, &contentless)
        .expect_error(422, "content_required");

    let mut unknown = notice("user");
    unknown["decision_id"] = json!("01927c1d-0a11-7c22-8e33-4f5a6b7c8d9e");
    server
        .post_json("/v1/notices", scan, &unknown)
        .expect_error(404, "not_found");

    let mut other = notice("user");
    other["item"]["id"] = json!("post-78");
    let r = server.post_json("/v1/notices", scan, &other);
    r.expect_error(422, "invalid_request");
    assert!(r.error_message().contains("item.id"));

    let mut extra = notice("user");
    extra["urgent"] = json!(true);
    server
        .post_json("/v1/notices", scan, &extra)
        .expect_error(422, "invalid_request");

    server
        .get("/v1/notices/not-a-uuid", scan)
        .expect_error(400, "invalid_id");
    server
        .get("/v1/notices/01927c1d-0a11-7c22-8e33-4f5a6b7c8d9e", scan)
        .expect_error(404, "not_found");
    server
        .post_json(
            "/v1/notices",
            Some(server.keys.review.as_str()),
            &notice("user"),
        )
        .expect_status(403);
}
