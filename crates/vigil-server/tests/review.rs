//! The review API over real HTTP on loopback: claim and judge a queued
//! decision, a second reviewer refused the held item, scopes, an appeal
//! overturned, malformed bodies, gold results and the export.

mod common;

use common::{TestServer, THREAT};
use serde_json::{json, Value};
use vigil_core::{DecisionId, Item, QueueReason};
use vigil_store::{NewReview, Scope};

/// Scans `text` and queues its decision for review, as routing would;
/// returns the review item id and the decision id.
fn scan_and_queue(server: &TestServer, id: &str, text: &str, k: u32) -> (String, String) {
    let decision = server.scan_text(id, text);
    let decision_id = decision["id"].as_str().expect("a decision id").to_owned();
    let parsed: DecisionId = decision_id.parse().expect("a UUID");
    let queued = server
        .block_on(server.store.enqueue_review(&NewReview {
            item: Item::text(id, text),
            decision_id: parsed,
            reason: QueueReason::Policy,
            priority: 0.7,
            required_reviews: k,
            bucket: None,
        }))
        .expect("queued")
        .expect("no bucket to fill");
    (queued.to_string(), decision_id)
}

/// A second reviewer's key.
fn another_reviewer(server: &TestServer) -> String {
    let (_, secret) = server
        .block_on(server.store.create_api_key("review-2", &[Scope::Review]))
        .expect("a second review key");
    secret
}

fn block() -> Value {
    json!({"labels": {"violence": true, "hate": false}, "action": "block", "note": "a threat"})
}

#[test]
fn a_reviewer_claims_and_judges_a_queued_decision() {
    let server = TestServer::start();
    let review = Some(server.keys.review.as_str());
    let (item, decision) = scan_and_queue(&server, "post-1", THREAT, 1);

    let queue = server.get("/v1/review/queue", review);
    queue.expect_status(200);
    let queue = queue.json();
    assert_eq!(queue["counts"]["policy"], 1);
    assert_eq!(queue["items"][0]["id"], item.as_str());
    assert_eq!(queue["items"][0]["claimed"], false);
    assert!(
        queue["items"][0].get("content").is_none(),
        "the listing has no content"
    );

    let claimed = server.post_json("/v1/review/claim", review, &json!({}));
    claimed.expect_status(200);
    let claimed = claimed.json();
    assert_eq!(claimed["id"], item.as_str());
    assert_eq!(claimed["content"]["text"], THREAT);
    assert_eq!(claimed["decision"]["id"], decision.as_str());
    assert!(
        claimed["decision"]["categories"].is_array(),
        "the evidence comes along"
    );
    assert!(
        claimed["claim"]["reviewer"].is_string(),
        "the holder sees it is them"
    );
    assert!(claimed.get("reviews").is_none(), "reviews are for admins");

    // Asking again resumes the item the reviewer holds.
    let again = server.post_json("/v1/review/claim", review, &json!({}));
    assert_eq!(again.json()["id"], item.as_str());

    let path = format!("/v1/review/items/{item}/verdict");
    server
        .post_json(
            &path,
            review,
            &json!({"verdict": block(), "outcome": "upheld"}),
        )
        .expect_error(422, "invalid_verdict");
    let done = server.post_json(&path, review, &json!({"verdict": block()}));
    done.expect_status(200);
    assert_eq!(done.json()["status"], "done");
    assert_eq!(done.json()["reviews_done"], 1);
    server
        .post_json(&path, review, &json!({"verdict": block()}))
        .expect_error(409, "item_done");
    // Nothing else is left for this reviewer: 204, no body.
    let empty = server.send(server.client().post(server.url("/v1/review/claim")), review);
    empty.expect_status(204);
    assert!(empty.body.is_empty());

    let as_admin = server.get(
        &format!("/v1/review/items/{item}"),
        Some(&server.keys.admin),
    );
    as_admin.expect_status(200);
    let as_admin = as_admin.json();
    assert_eq!(as_admin["status"], "done");
    assert_eq!(as_admin["reviews"][0]["verdict"]["action"], "block");
    assert_eq!(as_admin["reviews"][0]["verdict"]["labels"]["violence"], 1);
}

#[test]
fn a_second_reviewer_cannot_take_a_held_item() {
    let server = TestServer::start();
    let first = Some(server.keys.review.as_str());
    let second_key = another_reviewer(&server);
    let second = Some(second_key.as_str());
    let (item, _) = scan_and_queue(&server, "post-1", THREAT, 2);

    let claim = format!("/v1/review/items/{item}/claim");
    server
        .post_json(&claim, first, &json!({"lease_seconds": 60}))
        .expect_status(200);
    server
        .post_json(&claim, second, &json!({}))
        .expect_error(409, "claim_held");
    let next = server.send(server.client().post(server.url("/v1/review/claim")), second);
    next.expect_status(204);
    let verdict = format!("/v1/review/items/{item}/verdict");
    server
        .post_json(&verdict, second, &json!({"verdict": block()}))
        .expect_error(409, "claim_held");
    // The other reviewer sees the claim, not who holds it.
    let seen = server
        .get(&format!("/v1/review/items/{item}"), second)
        .json();
    assert!(seen["claim"]["reviewer"].is_null());
    assert!(seen["claim"]["lease_until"].is_string());

    // Released, it is the second reviewer's; with k = 2 both judge it.
    server
        .post_json(
            &format!("/v1/review/items/{item}/release"),
            first,
            &json!({}),
        )
        .expect_status(204);
    server
        .post_json(&claim, second, &json!({}))
        .expect_status(200);
    let one = server.post_json(&verdict, second, &json!({"verdict": block()}));
    assert_eq!(one.json()["status"], "open");
    server
        .post_json(&claim, second, &json!({}))
        .expect_error(409, "already_reviewed");
    server
        .post_json(&claim, first, &json!({}))
        .expect_status(200);
    let two = server.post_json(&verdict, first, &json!({"verdict": block()}));
    assert_eq!(two.json()["status"], "done");
}

#[test]
fn reviewer_endpoints_need_the_review_scope() {
    let server = TestServer::start();
    let (item, _) = scan_and_queue(&server, "post-1", THREAT, 1);
    let scan = Some(server.keys.scan.as_str());
    server
        .get("/v1/review/queue", scan)
        .expect_error(403, "forbidden");
    server
        .post_json("/v1/review/claim", scan, &json!({}))
        .expect_error(403, "forbidden");
    server
        .get(&format!("/v1/review/items/{item}"), scan)
        .expect_error(403, "forbidden");
    server
        .post_json(
            &format!("/v1/review/items/{item}/verdict"),
            scan,
            &json!({"verdict": block()}),
        )
        .expect_error(403, "forbidden");
    server
        .get("/v1/review/queue", None)
        .expect_error(401, "unauthorized");
    let review = Some(server.keys.review.as_str());
    server
        .post_json(
            "/v1/review/gold",
            review,
            &json!({"item": {"id": "g", "text": "t"}, "labels": {"hate": true}}),
        )
        .expect_error(403, "forbidden");
    server
        .get("/v1/review/export", review)
        .expect_error(403, "forbidden");
}

#[test]
fn an_appeal_is_overturned() {
    let server = TestServer::start();
    let decision = server.scan_text("post-9", THREAT);
    let decision_id = decision["id"].as_str().expect("an id");
    let appeals = format!("/v1/decisions/{decision_id}/appeals");
    let scan = Some(server.keys.scan.as_str());
    let body = json!({
        "statement": "A line from a film script.",
        "item": {"id": "post-9", "text": THREAT}
    });
    let filed = server.post_json(&appeals, scan, &body);
    filed.expect_status(201);
    let filed = filed.json();
    assert_eq!(filed["decision_id"], decision_id);
    assert!(filed["outcome"].is_null());
    server
        .post_json(&appeals, scan, &body)
        .expect_error(409, "already_appealed");
    server
        .post_json(&appeals, Some(&server.keys.review), &body)
        .expect_error(403, "forbidden");
    let unknown = format!("/v1/decisions/{}/appeals", DecisionId::new());
    server
        .post_json(&unknown, scan, &body)
        .expect_error(404, "not_found");

    let review = Some(server.keys.review.as_str());
    let claimed = server.post_json("/v1/review/claim", review, &json!({"reason": "appeal"}));
    claimed.expect_status(200);
    let claimed = claimed.json();
    assert_eq!(claimed["reason"], "appeal");
    assert_eq!(claimed["appeal"]["statement"], "A line from a film script.");
    assert_eq!(claimed["content"]["text"], THREAT);
    let item = claimed["id"].as_str().expect("an id");
    let verdict = format!("/v1/review/items/{item}/verdict");
    let allow = json!({"labels": {"violence": false}, "action": "allow"});
    server
        .post_json(&verdict, review, &json!({"verdict": allow}))
        .expect_error(422, "invalid_verdict");
    server
        .post_json(
            &verdict,
            review,
            &json!({"verdict": allow, "outcome": "overturned"}),
        )
        .expect_status(200);
    let after = server
        .get(&format!("/v1/review/items/{item}"), review)
        .json();
    assert_eq!(after["appeal"]["outcome"], "overturned");
    assert!(after["appeal"]["decided_at"].is_string());
}

#[test]
fn bad_requests_get_clear_errors() {
    let server = TestServer::start();
    let (item, _) = scan_and_queue(&server, "post-1", THREAT, 1);
    let review = Some(server.keys.review.as_str());
    server
        .post_json(
            &format!("/v1/review/items/{item}/claim"),
            review,
            &json!({}),
        )
        .expect_status(200);
    let verdict = format!("/v1/review/items/{item}/verdict");
    server
        .post_raw(&verdict, review, "application/json", "{\"verdict\": ")
        .expect_error(400, "malformed_json");
    server
        .post_json(
            &verdict,
            review,
            &json!({"verdict": {"labels": {}, "action": "nuke"}}),
        )
        .expect_error(422, "invalid_request");
    server
        .post_json(&verdict, review, &json!({"verdict": block(), "extra": 1}))
        .expect_error(422, "invalid_request");
    server
        .post_json("/v1/review/claim", review, &json!({"lease_seconds": 0}))
        .expect_error(422, "invalid_request");
    server
        .get("/v1/review/queue?reason=urgent", review)
        .expect_error(400, "invalid_query");
    server
        .get("/v1/review/items/not-a-uuid", review)
        .expect_error(400, "invalid_id");
    let missing = vigil_store::ReviewItemId::new();
    server
        .get(&format!("/v1/review/items/{missing}"), review)
        .expect_error(404, "not_found");
    server
        .post_json(
            &format!("/v1/review/items/{missing}/release"),
            review,
            &json!({}),
        )
        .expect_error(404, "not_found");
}

#[test]
fn gold_items_measure_reviewers_and_reviews_export() {
    let server = TestServer::start();
    let admin = Some(server.keys.admin.as_str());
    let gold = server.post_json(
        "/v1/review/gold",
        admin,
        &json!({"item": {"id": "gold-1", "text": THREAT}, "labels": {"violence": true, "hate": false}}),
    );
    gold.expect_status(201);
    let gold = gold.json()["id"].as_str().expect("an id").to_owned();
    server
        .post_json(
            "/v1/review/gold",
            admin,
            &json!({"item": {"id": "g"}, "labels": {}}),
        )
        .expect_error(422, "invalid_request");

    let review = Some(server.keys.review.as_str());
    let claimed = server
        .post_json("/v1/review/claim", review, &json!({}))
        .json();
    assert_eq!(claimed["id"], gold.as_str());
    assert!(
        claimed.get("gold_labels").is_none(),
        "reviewers do not see the answers"
    );
    // Nor that it is gold: it looks like an item of the random samples,
    // which reviewers judge without the decision (a gold item has none).
    assert_eq!(claimed["reason"], "prevalence");
    assert!(claimed["decision"].is_null(), "{claimed}");
    let listed = server.get("/v1/review/queue", review).json();
    assert_eq!(listed["counts"]["prevalence"], 1, "{listed}");
    assert!(listed["counts"].get("gold").is_none(), "{listed}");
    assert_eq!(listed["items"][0]["reason"], "prevalence");
    let as_admin = server
        .get(&format!("/v1/review/items/{gold}"), admin)
        .json();
    assert_eq!(as_admin["reason"], "gold");
    server
        .post_json(
            &format!("/v1/review/items/{gold}/verdict"),
            review,
            &json!({"verdict": {"labels": {"violence": true, "hate": true}, "action": "block"}}),
        )
        .expect_status(200);

    let results = server.get("/v1/review/gold/results", admin);
    results.expect_status(200);
    let row = &results.json()["reviewers"][0];
    assert_eq!(
        (
            row["labels_compared"].as_u64(),
            row["labels_agreed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(row["accuracy"], 0.5);

    // The full quality report: per category, with intervals.
    server
        .get("/v1/review/quality", review)
        .expect_error(403, "forbidden");
    let quality = server.get("/v1/review/quality", admin);
    quality.expect_status(200);
    let quality = quality.json();
    assert_eq!(quality["gold_items"], 1, "{quality}");
    let accuracy = quality["reviewers"][0]["accuracy"]
        .as_array()
        .expect("accuracy per category");
    let of = |c: &str| {
        accuracy
            .iter()
            .find(|a| a["category"] == c)
            .unwrap_or_else(|| panic!("no {c}: {quality}"))
    };
    assert_eq!(
        (
            of("violence")["judged"].as_u64(),
            of("violence")["correct"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(of("hate")["false_positives"], 1);

    let export = server.get("/v1/review/export", admin);
    export.expect_status(200);
    assert!(export.content_type.starts_with("application/x-ndjson"));
    let lines: Vec<Value> = export
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], gold.as_str());
    assert_eq!(lines[0]["gold_labels"]["violence"], 1);
    assert_eq!(lines[0]["reviews"][0]["verdict"]["labels"]["hate"], 1);
    let next = server.get(&format!("/v1/review/export?after={gold}"), admin);
    assert!(next.body.is_empty());
}

#[test]
fn the_queue_listing_pages_without_skipping_or_repeating() {
    let server = TestServer::start();
    let admin = Some(server.keys.admin.as_str());
    // Five items, two pairs of equal priority (the id breaks the tie).
    let mut queued: Vec<(f64, String)> = [3.0, 2.0, 2.0, 1.0, 1.0]
        .iter()
        .enumerate()
        .map(|(i, &priority)| {
            let r = server.post_json(
                "/v1/review/gold",
                admin,
                &json!({
                    "item": {"id": format!("page-{i}"), "text": "a plain sentence"},
                    "labels": {"hate": false},
                    "priority": priority,
                }),
            );
            r.expect_status(201);
            (priority, r.json()["id"].as_str().expect("an id").to_owned())
        })
        .collect();
    queued.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let expected: Vec<String> = queued.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/review/queue?limit=2&after={a}"),
            None => "/v1/review/queue?limit=2".to_owned(),
        };
        let page = server.get(&path, admin);
        page.expect_status(200);
        let page = page.json();
        pages += 1;
        for e in page["items"].as_array().expect("items") {
            seen.push(e["id"].as_str().expect("an id").to_owned());
        }
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging does not end: {page}");
    }
    assert_eq!(seen, expected, "every item once, in queue order");
    assert_eq!(pages, 3, "2 + 2 + 1");

    server
        .get("/v1/review/queue?after=nonsense", admin)
        .expect_error(400, "invalid_query");
    let unknown = "00000000-0000-0000-0000-000000000000";
    let r = server.get(&format!("/v1/review/queue?after={unknown}"), admin);
    r.expect_status(404);
}
