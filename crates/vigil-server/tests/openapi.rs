//! The OpenAPI document: the committed copy (docs/openapi.json) is the one
//! the code generates, and every operation it lists is served.

mod common;

use common::{content_keeping_policy, today_utc, Options, TestServer};
use serde_json::{json, Value};

const BLESS: &str = "VIGIL_BLESS";

fn generated() -> Value {
    serde_json::to_value(vigil_server::openapi()).expect("the document serialises")
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let path = common::repo_root().join("docs/openapi.json");
    let generated = generated();
    if std::env::var_os(BLESS).is_some() {
        let text = serde_json::to_string_pretty(&generated).expect("the document serialises");
        std::fs::write(&path, text + "\n")
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let regenerate = format!(
        "regenerate it with `{BLESS}=1 cargo test -p vigil-server --test openapi` and commit it"
    );
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); {regenerate}", path.display()));
    let committed: Value = serde_json::from_str(&committed)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}); {regenerate}", path.display()));
    assert!(
        committed == generated,
        "docs/openapi.json differs from the document the handlers generate; {regenerate}"
    );
}

/// A value for each required query parameter the document may name.
fn sample_query_value(name: &str) -> String {
    match name {
        "since" => today_utc(),
        other => panic!("no sample value for the required query parameter `{other}`; add one"),
    }
}

/// A minimal valid body for each request schema the document may name.
fn sample_body(schema: &str) -> Value {
    let item = json!({"id": "openapi-check", "text": "Good morning"});
    match schema {
        "ScanItem" => item,
        "BatchRequest" => json!({"items": [item]}),
        "AppealRequest" => json!({"statement": "It is a greeting.", "item": item}),
        "GoldRequest" => json!({"item": item, "labels": {"hate": false}}),
        "ClaimNextRequest" | "ClaimRequest" => json!({}),
        "VerdictRequest" => json!({"verdict": {"labels": {}, "action": "allow"}}),
        "NoticeRequest" => json!({"item_id": "openapi-check", "reporter_type": "user",
            "category": "hate", "explanation": "A slur.", "item": item}),
        other => panic!("no sample body for the request schema `{other}`; add one"),
    }
}

#[test]
fn every_documented_operation_is_served() {
    let (_policy_dir, policy) = content_keeping_policy();
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    // A decision (with its content kept) for the paths that take an id.
    let decision_id = server.scan_text("openapi-check", "Good morning")["id"]
        .as_str()
        .expect("a decision id")
        .to_owned();

    // A job, for the job path.
    let job_item = vigil_core::Item::text("openapi-job", "Good morning");
    let job_id = server
        .block_on(server.store.enqueue_job(&job_item))
        .expect("a job is queued")
        .to_string();

    // Review items for the review paths: one to read, claim and release,
    // and one the admin key holds, for the verdict.
    let queue = |name: &str| {
        let new = vigil_store::NewReview {
            item: vigil_core::Item::text(name, "Good morning"),
            decision_id: decision_id.parse().expect("a decision id"),
            reason: vigil_core::QueueReason::Policy,
            priority: 0.5,
            required_reviews: 1,
            bucket: None,
        };
        let id = server.block_on(server.store.enqueue_review(&new));
        id.expect("an item is queued for review")
            .expect("no bucket to fill")
            .to_string()
    };
    let review_id = queue("openapi-review");
    let held_id = queue("openapi-held");
    let claim = format!("/v1/review/items/{held_id}/claim");
    let admin = Some(server.keys.admin.as_str());
    server
        .post_json(&claim, admin, &json!({}))
        .expect_status(200);

    // A notice, for the notice paths, acted on by a reviewer so that it
    // has a statement of reasons.
    let notice = server
        .post_json(
            "/v1/notices",
            Some(server.keys.scan.as_str()),
            &sample_body("NoticeRequest"),
        )
        .json();
    let notice_id = notice["id"].as_str().expect("a notice id").to_owned();
    let notice_item = notice["review_item"].as_str().expect("queued");
    server
        .post_json(
            &format!("/v1/review/items/{notice_item}/claim"),
            admin,
            &json!({}),
        )
        .expect_status(200);
    server
        .post_json(
            &format!("/v1/review/items/{notice_item}/verdict"),
            admin,
            &json!({"verdict": {"labels": {"hate": true}, "action": "block"}}),
        )
        .expect_status(200);

    let doc = server.get("/openapi.json", None).json();
    let paths = doc["paths"].as_object().expect("the document lists paths");
    let mut checked = Vec::new();
    for (template, operations) in paths {
        let id = if template.starts_with("/v1/jobs/") {
            &job_id
        } else if template.starts_with("/v1/notices/") {
            &notice_id
        } else if template == "/v1/review/items/{id}/verdict" {
            &held_id
        } else if template.starts_with("/v1/review/items/") {
            &review_id
        } else {
            &decision_id
        };
        let path = template.replace("{id}", id);
        assert!(
            !path.contains('{'),
            "no sample for a parameter in {template}"
        );
        for (method, operation) in operations.as_object().expect("operations") {
            let method: reqwest::Method = method
                .to_uppercase()
                .parse()
                .unwrap_or_else(|_| panic!("`{method}` of {template} is not an HTTP method"));
            let mut request = server.client().request(method.clone(), server.url(&path));
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" && parameter["required"] == true {
                    let name = parameter["name"].as_str().expect("a parameter name");
                    request = request.query(&[(name, sample_query_value(name))]);
                }
            }
            if let Some(schema) =
                operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                let name = schema.rsplit('/').next().expect("a schema name");
                request = request.json(&sample_body(name));
            }
            let reply = server.send(request, Some(&server.keys.admin));
            assert!(
                (200..300).contains(&reply.status),
                "{method} {template} answered {}: {}",
                reply.status,
                reply.body
            );
            assert!(
                operation["responses"]
                    .get(reply.status.to_string())
                    .is_some(),
                "{method} {template} answered {}, which the document does not list",
                reply.status
            );
            checked.push(format!("{method} {template}"));
        }
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "GET /healthz",
            "GET /metrics",
            "GET /readyz",
            "GET /v1/decisions/{id}",
            "GET /v1/decisions/{id}/content",
            "GET /v1/jobs/{id}",
            "GET /v1/notices/{id}",
            "GET /v1/notices/{id}/statement",
            "GET /v1/review/export",
            "GET /v1/review/gold/results",
            "GET /v1/review/items/{id}",
            "GET /v1/review/quality",
            "GET /v1/review/queue",
            "GET /v1/statements",
            "POST /v1/decisions/{id}/appeals",
            "POST /v1/notices",
            "POST /v1/review/claim",
            "POST /v1/review/gold",
            "POST /v1/review/items/{id}/claim",
            "POST /v1/review/items/{id}/release",
            "POST /v1/review/items/{id}/verdict",
            "POST /v1/scan",
            "POST /v1/scan/batch",
        ]
    );
}

#[test]
fn every_operation_but_the_open_ones_requires_a_key() {
    let doc = generated();
    let open = ["/healthz", "/readyz", "/metrics"];
    for (template, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let secured = operation.get("security").is_some();
            assert_eq!(
                secured,
                !open.contains(&template.as_str()),
                "{method} {template}: security {}",
                operation["security"]
            );
        }
    }
}
