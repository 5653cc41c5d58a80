//! `GET /v1/statements`: statements of reasons for restrictive decisions,
//! valid against the Transparency Database's rules, and paging through them.

mod common;

use common::{today_utc, valid_statements, TestServer, THREAT};
use serde_json::{json, Value};
use vigil_core::{Decision, DecisionId};

/// `GET /v1/statements` with these parameters and the admin key.
fn statements(server: &TestServer, params: &[(&str, &str)]) -> Value {
    let request = server
        .client()
        .get(server.url("/v1/statements"))
        .query(params);
    let reply = server.send(request, Some(&server.keys.admin));
    reply.expect_status(200);
    reply.json()
}

/// Follows `next_since`/`next_after` from `since` to the last page and
/// returns every statement's `puid`, in order.
fn every_page(server: &TestServer, since: &str, limit: u32) -> Vec<String> {
    let limit_text = limit.to_string();
    let mut cursor: (String, Option<String>) = (since.to_owned(), None);
    let mut puids = Vec::new();
    for _ in 0..20 {
        let mut params = vec![("since", cursor.0.as_str()), ("limit", limit_text.as_str())];
        if let Some(after) = &cursor.1 {
            params.push(("after", after));
        }
        let body = statements(server, &params);
        let page = valid_statements(&body);
        assert!(page.len() <= limit as usize, "limit {limit} gave {body}");
        puids.extend(page.into_iter().map(|s| s.puid));
        match (body["next_since"].as_str(), body["next_after"].as_str()) {
            (Some(since), Some(after)) => cursor = (since.to_owned(), Some(after.to_owned())),
            (None, None) => return puids,
            _ => panic!("next_since and next_after come together: {body}"),
        }
    }
    panic!("paging did not end after 20 pages: {puids:?}");
}

fn id_of(decision: &Value) -> String {
    decision["id"].as_str().expect("a decision id").to_owned()
}

#[test]
fn restrictive_decisions_become_valid_statements() {
    let server = TestServer::start();
    let since = today_utc();
    let blocked = server.scan_text("post-1", THREAT);
    assert_eq!(blocked["action"], "block", "{blocked}");
    server.scan_text("post-2", "Lovely weather today."); // Allowed: owes none.

    let body = statements(&server, &[("since", &since)]);
    let statements = valid_statements(&body);
    assert_eq!(statements.len(), 1, "{body}");
    assert_eq!(statements[0].puid, id_of(&blocked));
    assert_eq!(body["refused"], json!([]));
    assert_eq!(body["next_since"], Value::Null, "one page holds everything");
    assert_eq!(body["next_after"], Value::Null);
}

#[test]
fn until_closes_the_window() {
    let server = TestServer::start();
    let since = today_utc();
    server.scan_text("post-1", THREAT);
    let body = statements(&server, &[("since", &since), ("until", &since)]);
    assert_eq!(body["statements"], json!([]), "{body}");
    let body = statements(&server, &[("since", "2000-01-01"), ("until", "2000-01-02")]);
    assert_eq!(body["statements"], json!([]), "{body}");
}

#[test]
fn limit_pages_through_decisions_one_at_a_time() {
    let server = TestServer::start();
    let since = today_utc();
    let first = id_of(&server.scan_text("post-1", THREAT));
    let second = id_of(&server.scan_text("post-2", THREAT));

    let body = statements(&server, &[("since", &since), ("limit", "1")]);
    let page = valid_statements(&body);
    assert_eq!(page.len(), 1, "{body}");
    assert_eq!(page[0].puid, first);
    let next_since = body["next_since"].as_str().expect("a next page");
    let next_after = body["next_after"].as_str().expect("a next page");
    assert_eq!(next_after, first);

    let body = statements(
        &server,
        &[("since", next_since), ("after", next_after), ("limit", "1")],
    );
    let page = valid_statements(&body);
    assert_eq!(page.len(), 1, "{body}");
    assert_eq!(page[0].puid, second);

    assert_eq!(every_page(&server, &since, 1), [first, second]);
}

#[test]
fn paging_neither_skips_nor_repeats_decisions_that_share_a_millisecond() {
    let server = TestServer::start();
    let since = today_utc();
    // Several decisions stamped with one instant, as a batch can produce.
    let blocked: Decision =
        serde_json::from_value(server.scan_text("post-0", THREAT)).expect("a decision");
    let twins: Vec<Decision> = (1..=4)
        .map(|i| Decision {
            id: DecisionId::new(),
            item_id: format!("post-{i}"),
            ..blocked.clone()
        })
        .collect();
    server
        .block_on(server.store.insert_decisions(&twins))
        .expect("stored");
    let mut expected: Vec<String> = std::iter::once(&blocked)
        .chain(&twins)
        .map(|d| d.id.to_string())
        .collect();
    expected.sort();

    for limit in [1, 2, 3, 5, 100] {
        let mut seen = every_page(&server, &since, limit);
        seen.sort();
        assert_eq!(seen, expected, "limit {limit}");
    }
}

#[test]
fn paging_follows_the_store_order_when_ids_and_times_disagree_within_a_millisecond() {
    // Two scans running at once can take their ids and their times in
    // opposite orders. The store orders by millisecond, then id; a page
    // boundary must follow the same order or a decision falls between pages.
    let server = TestServer::start();
    let since = today_utc();
    let blocked: Decision =
        serde_json::from_value(server.scan_text("post-0", THREAT)).expect("a decision");
    let mut ids = [DecisionId::new(), DecisionId::new()];
    ids.sort();
    let millisecond = blocked.decided_at
        - time::Duration::nanoseconds(i64::from(blocked.decided_at.nanosecond() % 1_000_000))
        + time::Duration::milliseconds(5);
    let later_id_earlier_time = Decision {
        id: ids[1],
        item_id: "post-1".to_owned(),
        decided_at: millisecond + time::Duration::microseconds(100),
        ..blocked.clone()
    };
    let earlier_id_later_time = Decision {
        id: ids[0],
        item_id: "post-2".to_owned(),
        decided_at: millisecond + time::Duration::microseconds(500),
        ..blocked.clone()
    };
    server
        .block_on(
            server
                .store
                .insert_decisions(&[later_id_earlier_time, earlier_id_later_time]),
        )
        .expect("stored");
    let mut expected: Vec<String> = [blocked.id, ids[0], ids[1]]
        .iter()
        .map(ToString::to_string)
        .collect();
    expected.sort();
    for limit in [1, 2, 3] {
        let mut seen = every_page(&server, &since, limit);
        seen.sort();
        assert_eq!(seen, expected, "limit {limit}");
    }
}
