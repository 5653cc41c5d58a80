//! Every endpoint's happy path, over HTTP on loopback.

mod common;

use common::{base64, content_keeping_policy, severity, tiny_png, Options, TestServer, THREAT};
use serde_json::{json, Value};
use vigil_core::DecisionId;

#[test]
fn a_json_scan_is_decided_and_stored_before_the_answer() {
    let server = TestServer::start();
    let decision = server.scan_text("post-1", "See you at the meeting tomorrow.");
    for field in [
        "id",
        "action",
        "categories",
        "policy",
        "models",
        "latency_us",
    ] {
        assert!(decision.get(field).is_some(), "no `{field}` in {decision}");
    }
    assert_eq!(decision["item_id"], "post-1");
    assert_eq!(decision["action"], "allow", "{decision}");
    assert_eq!(decision["policy"]["name"], "default");
    assert!(!decision["categories"]
        .as_array()
        .expect("a list")
        .is_empty());
    assert!(decision["latency_us"].as_u64().is_some(), "{decision}");

    // The response came after the commit, so the decision is readable now.
    let id: DecisionId = decision["id"]
        .as_str()
        .expect("a string id")
        .parse()
        .expect("a UUID");
    let stored = server
        .block_on(server.store.get_decision(id))
        .expect("the store answers")
        .expect("the decision is stored");
    let stored: Value =
        serde_json::from_str(&serde_json::to_string(&stored).expect("serialises")).expect("parses");
    assert_eq!(stored, decision);
}

#[test]
fn a_threat_is_blocked() {
    let server = TestServer::start();
    let decision = server.scan_text("post-2", THREAT);
    assert_eq!(decision["action"], "block", "{decision}");
    assert!(!decision["reasons"].as_array().expect("a list").is_empty());
}

#[test]
fn a_multipart_scan_with_an_image_says_the_image_was_not_analysed() {
    let server = TestServer::start();
    let form = reqwest::blocking::multipart::Form::new()
        .part(
            "item",
            reqwest::blocking::multipart::Part::text(
                json!({"id": "post-3", "text": "Look at my holiday photo"}).to_string(),
            )
            .mime_str("application/json")
            .expect("a MIME type"),
        )
        .part(
            "image",
            reqwest::blocking::multipart::Part::bytes(tiny_png())
                .file_name("pixel.png")
                .mime_str("image/png")
                .expect("a MIME type"),
        );
    let reply = server.send(
        server.client().post(server.url("/v1/scan")).multipart(form),
        Some(&server.keys.scan),
    );
    reply.expect_status(200);
    let decision = reply.json();
    assert_eq!(decision["item_id"], "post-3");
    let not_analysed = decision["not_analysed"].as_array().expect("a list");
    // The test server reads no text in images and its policy uses no hash
    // banks: each missing detector is named, and the image as a whole is
    // listed as unexamined.
    for detector in ["hash-match", "ocr", "nudity"] {
        assert!(
            not_analysed
                .iter()
                .any(|n| n["detector"] == detector && n["media_index"] == 0),
            "{detector} missing from {decision}"
        );
    }
    let whole = not_analysed
        .iter()
        .find(|n| n.get("detector").is_none())
        .expect("the image as a whole is listed");
    assert_eq!(
        (&whole["modality"], &whole["media_index"]),
        (&json!("image"), &json!(0))
    );
    // Nothing looked at the image, so it cannot be allowed unseen.
    assert!(severity(&decision["action"]) >= severity(&json!("review")));
    assert_eq!(decision["content"]["modalities"], json!(["text", "image"]));
}

#[test]
fn inline_base64_media_is_accepted_too() {
    let server = TestServer::start();
    let reply = server.post_json(
        "/v1/scan",
        Some(&server.keys.scan),
        &json!({
            "id": "post-4",
            "media": [{"kind": "image", "data_base64": base64(&tiny_png()), "mime": "image/png"}],
            "meta": {"lang": "en", "surface": "comment"}
        }),
    );
    reply.expect_status(200);
    let decision = reply.json();
    assert_eq!(decision["action"], "review", "{decision}");
    assert!(decision["not_analysed"]
        .as_array()
        .expect("a list")
        .iter()
        .any(|n| n["modality"] == "image" && n.get("detector").is_none()));
}

#[test]
fn a_batch_is_decided_in_order() {
    let server = TestServer::start();
    let reply = server.post_json(
        "/v1/scan/batch",
        Some(&server.keys.scan),
        &json!({"items": [
            {"id": "b-1", "text": "Happy birthday!"},
            {"id": "b-2", "text": THREAT},
            {"id": "b-3", "text": "The train leaves at noon."},
        ]}),
    );
    reply.expect_status(200);
    let decisions = reply.json()["decisions"]
        .as_array()
        .expect("a list of decisions")
        .clone();
    let ids: Vec<&str> = decisions
        .iter()
        .map(|d| d["item_id"].as_str().expect("an item id"))
        .collect();
    assert_eq!(ids, ["b-1", "b-2", "b-3"]);
    assert_eq!(decisions[1]["action"], "block");
    for d in &decisions {
        let id: DecisionId = d["id"].as_str().expect("an id").parse().expect("a UUID");
        assert!(server
            .block_on(server.store.get_decision(id))
            .expect("the store answers")
            .is_some());
    }
}

#[test]
fn a_decision_reads_back_as_it_was_given() {
    let server = TestServer::start();
    let decision = server.scan_text("post-5", THREAT);
    let id = decision["id"].as_str().expect("an id");
    let reply = server.get(&format!("/v1/decisions/{id}"), Some(&server.keys.review));
    reply.expect_status(200);
    assert_eq!(reply.json(), decision);
}

#[test]
fn the_content_of_a_decision_is_kept_when_the_policy_asks() {
    let (_policy_dir, policy) = content_keeping_policy();
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    let item = json!({
        "id": "post-8",
        "text": "Look at this",
        "media": [{"kind": "image", "data_base64": base64(&tiny_png()), "mime": "image/png"}],
        "meta": {"lang": "en"}
    });
    let reply = server.post_json("/v1/scan", Some(&server.keys.scan), &item);
    reply.expect_status(200);
    let id = reply.json()["id"].as_str().expect("an id").to_owned();
    let reply = server.get(
        &format!("/v1/decisions/{id}/content"),
        Some(&server.keys.review),
    );
    reply.expect_status(200);
    assert_eq!(reply.json(), item);
}

#[test]
fn no_content_is_kept_by_default() {
    let server = TestServer::start();
    let decision = server.scan_text("post-9", "Look at this");
    let id = decision["id"].as_str().expect("an id");
    server
        .get(
            &format!("/v1/decisions/{id}/content"),
            Some(&server.keys.review),
        )
        .expect_error(404, "not_found");
}

#[test]
fn a_wrong_method_is_refused_in_json_naming_the_allowed_ones() {
    let server = TestServer::start();
    let response = server
        .client()
        .delete(server.url("/v1/scan"))
        .bearer_auth(&server.keys.admin)
        .send()
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 405);
    let allow = response
        .headers()
        .get(reqwest::header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(allow, "POST");
    let body: Value = response.json().expect("a JSON body");
    assert_eq!(body["error"]["kind"], "method_not_allowed", "{body}");
}

#[test]
fn content_types_are_matched_whatever_their_case_and_parameters() {
    let server = TestServer::start();
    let item = r#"{"id": "a", "text": "hi"}"#;
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
    ] {
        server
            .post_raw("/v1/scan", Some(&server.keys.scan), content_type, item)
            .expect_status(200);
    }
    server
        .post_raw(
            "/v1/scan",
            Some(&server.keys.scan),
            "application/jsonp",
            item,
        )
        .expect_error(415, "unsupported_media_type");
}

#[test]
fn healthz_says_ok() {
    let server = TestServer::start();
    let reply = server.get("/healthz", None);
    reply.expect_status(200);
    assert_eq!(reply.body, "ok");
}

#[test]
fn readyz_reports_the_policy_model_and_store() {
    let server = TestServer::start();
    let reply = server.get("/readyz", None);
    reply.expect_status(200);
    let body = reply.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["store"], true);
    assert_eq!(body["cascade"], false);
    let policy = body["policy"].as_str().expect("a policy line");
    assert!(policy.starts_with("default 2026.11.0 (sha256:"), "{policy}");
    assert!(!body["text_model"].as_str().expect("a model").is_empty());
}

#[test]
fn metrics_count_requests_decisions_inference_and_errors() {
    let server = TestServer::start();
    server.scan_text("m-1", THREAT);
    server
        .post_raw(
            "/v1/scan",
            Some(&server.keys.scan),
            "application/json",
            "{not json",
        )
        .expect_error(400, "malformed_json");
    let metrics = server.metrics();
    for needle in [
        "vigil_http_request_duration_seconds_bucket{route=\"/v1/scan\",method=\"POST\",status=\"200\",le=\"+Inf\"} 1",
        "vigil_http_request_duration_seconds_bucket{route=\"/v1/scan\",method=\"POST\",status=\"400\"",
        "vigil_decisions_total{action=\"block\"} 1",
        "vigil_category_decisions_total{category=\"violence\",action=",
        "vigil_model_inference_seconds_bucket{model=\"text\",le=\"+Inf\"} 1",
        "vigil_errors_total{kind=\"malformed_json\"} 1",
    ] {
        assert!(metrics.contains(needle), "no `{needle}` in\n{metrics}");
    }
}

#[test]
fn the_served_openapi_document_lists_every_route() {
    let server = TestServer::start();
    let reply = server.get("/openapi.json", None);
    reply.expect_status(200);
    let doc = reply.json();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "/healthz",
            "/metrics",
            "/readyz",
            "/v1/decisions/{id}",
            "/v1/decisions/{id}/appeals",
            "/v1/decisions/{id}/content",
            "/v1/jobs/{id}",
            "/v1/notices",
            "/v1/notices/{id}",
            "/v1/notices/{id}/statement",
            "/v1/review/claim",
            "/v1/review/export",
            "/v1/review/gold",
            "/v1/review/gold/results",
            "/v1/review/items/{id}",
            "/v1/review/items/{id}/claim",
            "/v1/review/items/{id}/release",
            "/v1/review/items/{id}/verdict",
            "/v1/review/quality",
            "/v1/review/queue",
            "/v1/scan",
            "/v1/scan/batch",
            "/v1/statements",
        ]
    );
    assert_eq!(
        doc,
        serde_json::to_value(vigil_server::openapi()).expect("serialises")
    );
}
