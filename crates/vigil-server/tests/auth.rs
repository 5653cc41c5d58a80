//! API keys: who may call what. No key, a malformed header, an unknown or
//! revoked key are 401 `unauthorized`; a key without the scope is 403
//! `forbidden`; `admin` may do everything.

mod common;

use common::{today_utc, TestServer};
use serde_json::json;

fn scan_body() -> serde_json::Value {
    json!({"id": "post-1", "text": "Good morning"})
}

/// `Authorization: VALUE` on `POST /v1/scan`.
fn scan_with_header(server: &TestServer, value: &str) -> common::Reply {
    let request = server
        .client()
        .post(server.url("/v1/scan"))
        .header(reqwest::header::AUTHORIZATION, value)
        .json(&scan_body());
    server.send(request, None)
}

#[test]
fn a_request_without_a_key_is_unauthorized() {
    let server = TestServer::start();
    server
        .post_json("/v1/scan", None, &scan_body())
        .expect_error(401, "unauthorized");
    server
        .post_json("/v1/scan/batch", None, &json!({"items": [scan_body()]}))
        .expect_error(401, "unauthorized");
    let id = vigil_core::DecisionId::new();
    server
        .get(&format!("/v1/decisions/{id}"), None)
        .expect_error(401, "unauthorized");
    server
        .get(&format!("/v1/statements?since={}", today_utc()), None)
        .expect_error(401, "unauthorized");
}

#[test]
fn a_header_that_is_not_bearer_is_unauthorized() {
    let server = TestServer::start();
    let secret = server.keys.scan.clone();
    for value in [
        secret.clone(),
        format!("Basic {secret}"),
        format!("Token {secret}"),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer{secret}"),
    ] {
        let reply = scan_with_header(&server, &value);
        reply.expect_error(401, "unauthorized");
        assert!(
            reply.error_message().contains("Bearer"),
            "{value}: {}",
            reply.body
        );
    }
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    // RFC 9110 §11.1: authentication scheme names are case-insensitive.
    let server = TestServer::start();
    let secret = server.keys.scan.clone();
    for value in [format!("bearer {secret}"), format!("BEARER {secret}")] {
        scan_with_header(&server, &value).expect_status(200);
    }
}

#[test]
fn an_unknown_key_is_unauthorized() {
    let server = TestServer::start();
    for key in [
        "vigil_vk_000000000000_0000000000000000000000000000000000000000000000000000000000000000",
        "not-a-key-at-all",
    ] {
        server
            .post_json("/v1/scan", Some(key), &scan_body())
            .expect_error(401, "unauthorized");
    }
    // A real secret with one character changed.
    let mut altered = server.keys.admin.clone();
    let last = altered.pop().expect("a non-empty secret");
    altered.push(if last == '0' { '1' } else { '0' });
    server
        .post_json("/v1/scan", Some(&altered), &scan_body())
        .expect_error(401, "unauthorized");
}

#[test]
fn a_revoked_key_is_refused_at_once() {
    let server = TestServer::start();
    let key = server.keys.scan.clone();
    server
        .post_json("/v1/scan", Some(&key), &scan_body())
        .expect_status(200);
    let revoked = server
        .block_on(server.store.revoke_api_key(&server.keys.scan_id))
        .expect("the store answers");
    assert!(revoked);
    // The very next request: no cache lets the key live on.
    let reply = server.post_json("/v1/scan", Some(&key), &scan_body());
    reply.expect_error(401, "unauthorized");
    assert!(reply.error_message().contains("revoked"), "{}", reply.body);
}

#[test]
fn a_scan_key_cannot_read_decisions_or_statements() {
    let server = TestServer::start();
    let decision = server.scan_text("post-1", "hello");
    let id = decision["id"].as_str().expect("an id");
    for path in [
        format!("/v1/decisions/{id}"),
        format!("/v1/decisions/{id}/content"),
    ] {
        let reply = server.get(&path, Some(&server.keys.scan));
        reply.expect_error(403, "forbidden");
        assert!(reply.error_message().contains("review"), "{}", reply.body);
    }
    let reply = server.get(
        &format!("/v1/statements?since={}", today_utc()),
        Some(&server.keys.scan),
    );
    reply.expect_error(403, "forbidden");
    assert!(reply.error_message().contains("admin"), "{}", reply.body);
}

#[test]
fn a_review_key_reads_decisions_but_cannot_scan_or_export() {
    let server = TestServer::start();
    let decision = server.scan_text("post-1", "hello");
    let id = decision["id"].as_str().expect("an id");
    server
        .get(&format!("/v1/decisions/{id}"), Some(&server.keys.review))
        .expect_status(200);
    let review = Some(server.keys.review.as_str());
    server
        .post_json("/v1/scan", review, &scan_body())
        .expect_error(403, "forbidden");
    server
        .post_json("/v1/scan/batch", review, &json!({"items": [scan_body()]}))
        .expect_error(403, "forbidden");
    server
        .get(&format!("/v1/statements?since={}", today_utc()), review)
        .expect_error(403, "forbidden");
}

#[test]
fn an_admin_key_works_everywhere() {
    let server = TestServer::start();
    let admin = Some(server.keys.admin.as_str());
    let reply = server.post_json("/v1/scan", admin, &scan_body());
    reply.expect_status(200);
    let id = reply.json()["id"].as_str().expect("an id").to_owned();
    server
        .post_json("/v1/scan/batch", admin, &json!({"items": [scan_body()]}))
        .expect_status(200);
    server
        .get(&format!("/v1/decisions/{id}"), admin)
        .expect_status(200);
    server
        .get(&format!("/v1/statements?since={}", today_utc()), admin)
        .expect_status(200);
}

#[test]
fn the_operational_endpoints_need_no_key() {
    let server = TestServer::start();
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        server.get(path, None).expect_status(200);
    }
}

#[test]
fn auth_is_checked_before_the_body_is_read() {
    // A caller without a key learns nothing about the request's shape.
    let server = TestServer::start();
    server
        .post_raw("/v1/scan", None, "application/json", "{not json")
        .expect_error(401, "unauthorized");
    server
        .post_raw("/v1/scan/batch", None, "text/plain", "hello")
        .expect_error(401, "unauthorized");
}
