//! Scans route to the review queue as they are logged: an item in the
//! policy's review band is queued with reason `policy`, and with
//! `prevalence_rate = 1` every allowed item is queued for the prevalence
//! sample — each in the same transaction as its decision; with
//! `audit_rate = 1` every block is queued for the audit, shown to
//! reviewers as a prevalence item without its decision.

mod common;

use common::{Options, TestServer, THREAT};

const POLICY: &str = r#"
[policy]
name = "routing"
version = "1"

[categories.violence]
description = "Threats."
dsa_category = "STATEMENT_CATEGORY_VIOLENCE"
terms_ground = "Terms: violence"
thresholds = { review = 0.3 }

[review]
prevalence_rate = 1.0
active_learning_rate = 0.0
required_reviews = 2
"#;

#[test]
fn scanned_items_are_queued_by_the_policy_and_the_prevalence_sample() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let policy = dir.path().join("routing.toml");
    std::fs::write(&policy, POLICY).expect("policy written");
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    let threat = server.scan_text("post-threat", THREAT);
    assert_eq!(threat["action"], "review");
    let calm = server.scan_text("post-calm", "Lovely weather for a walk in the park today");
    assert_eq!(calm["action"], "allow");

    let queue = server.get("/v1/review/queue", Some(&server.keys.review));
    queue.expect_status(200);
    let queue = queue.json();
    assert_eq!(queue["counts"]["policy"], 1, "{queue}");
    assert_eq!(queue["counts"]["prevalence"], 1, "{queue}");
    let items = queue["items"].as_array().expect("items");
    let find = |item: &str| {
        items
            .iter()
            .find(|e| e["item_id"] == item)
            .unwrap_or_else(|| panic!("{item} is not queued: {queue}"))
    };
    let t = find("post-threat");
    assert_eq!(t["reason"], "policy");
    assert_eq!(t["decision_id"], threat["id"]);
    assert_eq!(t["required_reviews"], 2);
    let c = find("post-calm");
    assert_eq!(c["reason"], "prevalence");
    assert!(
        t["priority"].as_f64() > c["priority"].as_f64(),
        "the policy's review band comes before the prevalence sample: {queue}"
    );

    // The reviewer sees the content, though the decision log keeps none.
    let id = t["id"].as_str().expect("an id");
    let item = server.get(&format!("/v1/review/items/{id}"), Some(&server.keys.review));
    item.expect_status(200);
    assert_eq!(item.json()["content"]["text"], THREAT);
}

const AUDIT_POLICY: &str = r#"
[policy]
name = "audit"
version = "1"

[categories.violence]
description = "Threats."
dsa_category = "STATEMENT_CATEGORY_VIOLENCE"
terms_ground = "Terms: violence"
thresholds = { block = 0.3 }

[review]
prevalence_rate = 1.0
audit_rate = 1.0
active_learning_rate = 0.0
"#;

#[test]
fn blocks_drawn_for_the_audit_look_like_prevalence_items_to_reviewers() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let policy = dir.path().join("audit.toml");
    std::fs::write(&policy, AUDIT_POLICY).expect("policy written");
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    let threat = server.scan_text("post-threat", THREAT);
    assert_eq!(threat["action"], "block");
    let calm = server.scan_text("post-calm", "Lovely weather for a walk in the park today");
    assert_eq!(calm["action"], "allow");

    // The admin sees the audit as such, with the decision audited.
    let admin = server.get("/v1/review/queue", Some(&server.keys.admin));
    admin.expect_status(200);
    let admin = admin.json();
    assert_eq!(admin["counts"]["audit"], 1, "{admin}");
    assert_eq!(admin["counts"]["prevalence"], 1, "{admin}");
    let audit = admin["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["item_id"] == "post-threat")
        .unwrap_or_else(|| panic!("the block is not queued: {admin}"))
        .clone();
    assert_eq!(audit["reason"], "audit");
    assert_eq!(audit["decision_id"], threat["id"]);
    let id = audit["id"].as_str().expect("an id");
    let as_admin = server.get(&format!("/v1/review/items/{id}"), Some(&server.keys.admin));
    as_admin.expect_status(200);
    assert_eq!(as_admin.json()["decision"]["action"], "block");

    // A reviewer sees two prevalence items, neither with its decision.
    let queue = server.get("/v1/review/queue", Some(&server.keys.review));
    queue.expect_status(200);
    let queue = queue.json();
    assert_eq!(queue["counts"]["prevalence"], 2, "{queue}");
    assert!(queue["counts"].get("audit").is_none(), "{queue}");
    for e in queue["items"].as_array().expect("items") {
        assert_eq!(e["reason"], "prevalence", "{queue}");
        let id = e["id"].as_str().expect("an id");
        let item = server.get(&format!("/v1/review/items/{id}"), Some(&server.keys.review));
        item.expect_status(200);
        let item = item.json();
        assert_eq!(item["reason"], "prevalence");
        assert!(item["decision"].is_null(), "{item}");
        assert!(item["content"]["text"].is_string(), "{item}");
    }

    // No filter tells them apart: `prevalence` lists both, `audit` none,
    // and a claim for `audit` finds nothing, while an admin's filters
    // select the stored reason.
    let listed = |key: &str, reason: &str| -> Vec<String> {
        let r = server.get(&format!("/v1/review/queue?reason={reason}"), Some(key));
        r.expect_status(200);
        let mut ids: Vec<String> = r.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["item_id"].as_str().expect("an item id").to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        listed(&server.keys.review, "prevalence"),
        ["post-calm", "post-threat"]
    );
    assert!(listed(&server.keys.review, "audit").is_empty());
    assert!(listed(&server.keys.review, "gold").is_empty());
    assert_eq!(listed(&server.keys.admin, "audit"), ["post-threat"]);
    assert_eq!(listed(&server.keys.admin, "prevalence"), ["post-calm"]);
    let claim = server.post_json(
        "/v1/review/claim",
        Some(&server.keys.review),
        &serde_json::json!({"reason": "audit"}),
    );
    claim.expect_status(204);
    let claim = server.post_json(
        "/v1/review/claim",
        Some(&server.keys.review),
        &serde_json::json!({"reason": "prevalence"}),
    );
    claim.expect_status(200);
    assert_eq!(claim.json()["reason"], "prevalence");
}
