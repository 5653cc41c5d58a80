//! Statements of reasons for decisions notices drove, over real HTTP on
//! loopback: a rescan's decision is logged with its notice in one
//! transaction and exported by `GET /v1/statements` with the notice's
//! source; a reviewer's restrictive verdict on a notice's item is served at
//! `GET /v1/notices/{id}/statement`; each passes every rule of the
//! Transparency Database with the source type of its reporter, and
//! decisions nobody reported keep `SOURCE_VOLUNTARY`.

mod common;

use common::{edited_policy, today_utc, valid_statements, Options, TestServer, THREAT};
use serde_json::{json, Value};
use vigil_core::DecisionId;
use vigil_dsa::StatementOfReasons;

const NAME: &str = "Example Flaggers e.V.";

fn notice(reporter: &str, item: &str, text: &str) -> Value {
    json!({
        "item_id": item,
        "reporter_type": reporter,
        "reporter_name": NAME,
        "category": "violence",
        "explanation": "Threatens a person with death.",
        "item": {"id": item, "text": text}
    })
}

/// A server whose policy rescans users' and trusted flaggers' notices.
fn rescanning_server() -> (tempfile::TempDir, TestServer) {
    let (dir, policy) = edited_policy(|p| {
        format!("{p}\n[notices]\nuser = \"rescan\"\ntrusted_flagger = \"rescan\"\n")
    });
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    (dir, server)
}

/// One statement from a body, checked against every rule.
fn valid_statement(body: &Value) -> StatementOfReasons {
    let mut one = valid_statements(&json!({ "statements": [body] }));
    one.remove(0)
}

fn assert_source(s: &StatementOfReasons, reporter: &str) {
    let source = serde_json::to_value(s).expect("a statement serialises");
    let (kind, identity) = match reporter {
        "user" => ("SOURCE_ARTICLE_16", Value::Null),
        "trusted_flagger" => ("SOURCE_TRUSTED_FLAGGER", json!(NAME)),
        "authority_order" => ("SOURCE_TYPE_OTHER_NOTIFICATION", json!(NAME)),
        other => panic!("no reporter type {other}"),
    };
    assert_eq!(source["source_type"], kind, "{source}");
    assert_eq!(
        source
            .get("source_identity")
            .cloned()
            .unwrap_or(Value::Null),
        identity,
        "{source}"
    );
}

#[test]
fn a_rescan_block_is_logged_with_its_notice_and_exported_with_the_notice_as_source() {
    let (_dir, server) = rescanning_server();
    let scan = Some(server.keys.scan.as_str());
    let admin = Some(server.keys.admin.as_str());
    let since = today_utc();
    let voluntary = server.scan_text("post-0", THREAT);
    assert_eq!(voluntary["action"], "block", "{voluntary}");

    let mut rescans = Vec::new();
    for (i, reporter) in ["user", "trusted_flagger"].into_iter().enumerate() {
        let filed = server.post_json(
            "/v1/notices",
            scan,
            &notice(reporter, &format!("post-{}", i + 1), THREAT),
        );
        filed.expect_status(201);
        let filed = filed.json();
        // Acted on at once: the rescan blocked, nothing was queued.
        assert_eq!(filed["status"], "decided", "{filed}");
        assert_eq!(filed["outcome"], "action_taken", "{filed}");
        assert_eq!(filed["action"], "block", "{filed}");
        assert_eq!(filed["review_item"], Value::Null, "{filed}");
        assert_eq!(filed["time_to_act_seconds"], 0.0, "{filed}");
        let decision: DecisionId = filed["rescan_decision"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| panic!("a rescan decision in {filed}"));
        let logged = server
            .block_on(server.store.get_decision(decision))
            .expect("the store reads");
        assert_eq!(logged.map(|d| d.item_id), Some(format!("post-{}", i + 1)));

        let id = filed["id"].as_str().expect("an id");
        let served = server.get(&format!("/v1/notices/{id}/statement"), admin);
        served.expect_status(200);
        let served = valid_statement(&served.json());
        assert_eq!(served.puid, decision.to_string());
        assert_source(&served, reporter);
        rescans.push((decision.to_string(), reporter));
    }

    let request = server
        .client()
        .get(server.url("/v1/statements"))
        .query(&[("since", since.as_str())]);
    let body = server.send(request, admin);
    body.expect_status(200);
    let body = body.json();
    let statements = valid_statements(&body);
    assert_eq!(statements.len(), 3, "{body}");
    assert_eq!(body["refused"], json!([]), "{body}");
    let of = |puid: &str| {
        statements
            .iter()
            .find(|s| s.puid == puid)
            .unwrap_or_else(|| panic!("no statement {puid} in {body}"))
    };
    let own = serde_json::to_value(of(voluntary["id"].as_str().expect("an id"))).expect("json");
    assert_eq!(own["source_type"], "SOURCE_VOLUNTARY", "{own}");
    for (puid, reporter) in &rescans {
        assert_source(of(puid), reporter);
    }
}

#[test]
fn a_rescan_allow_closes_the_notice_without_a_statement() {
    let (_dir, server) = rescanning_server();
    let filed = server.post_json(
        "/v1/notices",
        Some(server.keys.scan.as_str()),
        &notice("user", "post-1", "Lovely weather today."),
    );
    filed.expect_status(201);
    let filed = filed.json();
    assert_eq!(filed["status"], "decided", "{filed}");
    assert_eq!(filed["outcome"], "no_action", "{filed}");
    assert_eq!(filed["action"], "allow", "{filed}");
    assert_eq!(filed["review_item"], Value::Null, "{filed}");
    assert!(filed["rescan_decision"].is_string(), "{filed}");
    let id = filed["id"].as_str().expect("an id");
    server
        .get(
            &format!("/v1/notices/{id}/statement"),
            Some(server.keys.admin.as_str()),
        )
        .expect_error(404, "no_statement");
}

#[test]
fn a_reviewers_block_on_a_notice_gives_a_statement_for_each_reporter_type() {
    let server = TestServer::start();
    let scan = Some(server.keys.scan.as_str());
    let review = Some(server.keys.review.as_str());
    let admin = Some(server.keys.admin.as_str());
    let mut reviewed = Vec::new();
    for (i, reporter) in ["user", "trusted_flagger", "authority_order"]
        .into_iter()
        .enumerate()
    {
        let filed = server.post_json(
            "/v1/notices",
            scan,
            &notice(reporter, &format!("post-{i}"), "the reported text"),
        );
        filed.expect_status(201);
        let filed = filed.json();
        let id = filed["id"].as_str().expect("an id").to_owned();
        let item = filed["review_item"].as_str().expect("queued").to_owned();
        let path = format!("/v1/notices/{id}/statement");
        server.get(&path, admin).expect_error(404, "no_statement");
        server.get(&path, scan).expect_status(403);

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
                &json!({"verdict": {"labels": {"violence": true}, "action": "block"}}),
            )
            .expect_status(200);

        let served = server.get(&path, admin);
        served.expect_status(200);
        let statement = valid_statement(&served.json());
        assert_eq!(statement.puid, id);
        assert_source(&statement, reporter);
        let body = serde_json::to_value(&statement).expect("json");
        assert_eq!(
            body["automated_decision"], "AUTOMATED_DECISION_NOT_AUTOMATED",
            "{body}"
        );
        assert_eq!(body["automated_detection"], "No", "{body}");
        reviewed.push(id);
    }

    // `vigil report sor`'s export has them too, after the decisions.
    let policy = vigil_policy::Policy::load(&common::default_policy())
        .expect("the default policy loads")
        .policy;
    let exported = server
        .block_on(vigil_server::export_statements(
            &server.store,
            &vigil_server::PolicySource {
                current: &policy,
                base: None,
            },
            &vigil_dsa::StatementOptions::default(),
            None,
            None,
            None,
        ))
        .expect("the export reads the store");
    assert!(exported.refused.is_empty(), "{:?}", exported.refused);
    let puids: Vec<&str> = exported
        .statements
        .iter()
        .map(|s| s.puid.as_str())
        .collect();
    assert_eq!(puids, reviewed, "{puids:?}");
    for s in &exported.statements {
        assert!(s.validate().is_ok(), "{s:?}");
    }
    server
        .get("/v1/notices/not-a-uuid/statement", admin)
        .expect_error(400, "invalid_id");
    server
        .get(
            "/v1/notices/01927c1d-0a11-7c22-8e33-4f5a6b7c8d9e/statement",
            admin,
        )
        .expect_error(404, "not_found");
}

#[test]
fn a_reviewers_allow_on_a_notice_gives_no_statement() {
    let server = TestServer::start();
    let review = Some(server.keys.review.as_str());
    let filed = server
        .post_json(
            "/v1/notices",
            Some(server.keys.scan.as_str()),
            &notice("user", "post-1", "the reported text"),
        )
        .json();
    let item = filed["review_item"].as_str().expect("queued");
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
            &json!({"verdict": {"labels": {"violence": false}, "action": "allow"}}),
        )
        .expect_status(200);
    let id = filed["id"].as_str().expect("an id");
    let r = server.get(
        &format!("/v1/notices/{id}/statement"),
        Some(server.keys.admin.as_str()),
    );
    r.expect_error(404, "no_statement");
    assert!(
        r.error_message().contains("no action"),
        "{}",
        r.error_message()
    );
}

#[test]
fn a_rescan_landing_in_review_queues_the_notice_and_its_verdict_says_a_model_flagged_it() {
    // Restrict and block out of reach: the rescan sends to a person.
    let (_dir, policy) = edited_policy(|p| {
        let mut out = String::new();
        for line in p.lines() {
            if line.starts_with("thresholds = {") {
                out.push_str(
                    "thresholds = { review = 0.05, restrict = 0.99998, block = 0.99999 }\n",
                );
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        format!("{out}\n[notices]\nuser = \"rescan\"\n")
    });
    let server = TestServer::start_with(Options {
        policy,
        ..Options::default()
    });
    let review = Some(server.keys.review.as_str());
    let filed = server.post_json(
        "/v1/notices",
        Some(server.keys.scan.as_str()),
        &notice("user", "post-1", THREAT),
    );
    filed.expect_status(201);
    let filed = filed.json();
    assert_eq!(filed["status"], "in_review", "{filed}");
    let item = filed["review_item"].as_str().expect("queued");
    let decision: DecisionId = filed["rescan_decision"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("a rescan decision in {filed}"));
    let logged = server
        .block_on(server.store.get_decision(decision))
        .expect("the store reads")
        .expect("the rescan is logged");
    assert_eq!(logged.action, vigil_core::Action::Review);
    let queued = server.get(&format!("/v1/review/items/{item}"), review);
    queued.expect_status(200);
    assert_eq!(queued.json()["decision_id"], decision.to_string());

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
            &json!({"verdict": {"labels": {"violence": true}, "action": "restrict"}}),
        )
        .expect_status(200);
    let id = filed["id"].as_str().expect("an id");
    let served = server.get(
        &format!("/v1/notices/{id}/statement"),
        Some(server.keys.admin.as_str()),
    );
    served.expect_status(200);
    let statement = valid_statement(&served.json());
    assert_eq!(statement.puid, id);
    assert_source(&statement, "user");
    let body = serde_json::to_value(&statement).expect("json");
    assert_eq!(body["automated_detection"], "Yes", "{body}");
}
