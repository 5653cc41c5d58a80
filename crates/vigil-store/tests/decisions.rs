//! The decision log through the public API: round trips, queries, counts,
//! duplicates, retention, concurrency and corrupt rows.

mod common;

use common::{at, decision, raw_connection, TempStore};
use time::macros::offset;
use time::Duration;
use vigil_core::{Action, Category, Decision, DecisionId};
use vigil_store::{DecisionQuery, Store, StoreError, TimeOrder};

async fn insert_all(store: &Store, decisions: &[Decision]) {
    for d in decisions {
        store.insert_decision(d).await.expect("insert");
    }
}

async fn count_rows(path: &std::path::Path, table: &str) -> i64 {
    let mut conn = raw_connection(path).await;
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .expect("count rows")
}

#[tokio::test]
async fn a_decision_round_trips_whole() {
    let t = TempStore::new().await;
    let mut d = decision(Action::Restrict, at(0));
    // Sub-second precision and a non-UTC offset must survive.
    d.decided_at = (at(0) + Duration::nanoseconds(123_456_789)).to_offset(offset!(+05:30));
    t.store.insert_decision(&d).await.expect("insert");
    let back = t.store.get_decision(d.id).await.expect("get");
    assert_eq!(back, Some(d.clone()));
    assert_eq!(
        t.store.get_decision(DecisionId::new()).await.expect("get"),
        None
    );

    // Still there after a reopen: the insert was committed.
    t.store.close().await;
    let store = Store::open(&t.url()).await.expect("reopen");
    assert_eq!(store.get_decision(d.id).await.expect("get"), Some(d));
}

#[tokio::test]
async fn scores_are_stored_per_category() {
    let t = TempStore::new().await;
    let d = decision(Action::Block, at(0));
    t.store.insert_decision(&d).await.expect("insert");
    let mut conn = raw_connection(&t.path).await;
    let rows: Vec<(String, f64, String)> = sqlx::query_as(
        "SELECT category, score, action FROM decision_scores WHERE decision_id = $1 \
         ORDER BY category",
    )
    .bind(d.id.to_string())
    .fetch_all(&mut conn)
    .await
    .expect("read scores");
    let expected: Vec<(String, f64, String)> = ["hate", "unsafe"]
        .iter()
        .map(|key| {
            let category: Category = key.parse().expect("known category");
            let c = d.category(category).expect("scored");
            (
                key.to_string(),
                f64::from(c.score.get()),
                c.action.to_string(),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn listing_filters_by_window_and_action_in_time_order() {
    let t = TempStore::new().await;
    let all = [
        decision(Action::Allow, at(0)),
        decision(Action::Block, at(10)),
        decision(Action::Allow, at(20)),
        decision(Action::Review, at(30)),
        decision(Action::Block, at(40)),
    ];
    // Inserted out of order: the list order must come from decided_at.
    insert_all(&t.store, &[3, 0, 4, 2, 1].map(|i| all[i].clone())).await;

    let everything = t
        .store
        .list_decisions(&DecisionQuery::default())
        .await
        .expect("list");
    assert_eq!(everything, all);

    // [since, until) is half-open.
    let window = DecisionQuery {
        since: Some(at(10)),
        until: Some(at(40)),
        ..DecisionQuery::default()
    };
    assert_eq!(
        t.store.list_decisions(&window).await.expect("list"),
        all[1..4]
    );

    let blocks = DecisionQuery {
        action: Some(Action::Block),
        ..DecisionQuery::default()
    };
    assert_eq!(
        t.store.list_decisions(&blocks).await.expect("list"),
        [all[1].clone(), all[4].clone()]
    );

    let latest_two = DecisionQuery {
        limit: Some(2),
        order: TimeOrder::NewestFirst,
        ..DecisionQuery::default()
    };
    assert_eq!(
        t.store.list_decisions(&latest_two).await.expect("list"),
        [all[4].clone(), all[3].clone()]
    );

    let allowed_since_5 = DecisionQuery {
        since: Some(at(5)),
        action: Some(Action::Allow),
        limit: Some(10),
        ..DecisionQuery::default()
    };
    assert_eq!(
        t.store
            .list_decisions(&allowed_since_5)
            .await
            .expect("list"),
        [all[2].clone()]
    );
}

#[tokio::test]
async fn counts_cover_every_action_in_the_window() {
    let t = TempStore::new().await;
    insert_all(
        &t.store,
        &[
            decision(Action::Allow, at(0)),
            decision(Action::Allow, at(1)),
            decision(Action::Block, at(2)),
            decision(Action::Review, at(100)),
        ],
    )
    .await;
    let all = t
        .store
        .count_decisions_by_action(None, None)
        .await
        .expect("count");
    assert_eq!(
        all,
        [
            (Action::Allow, 2),
            (Action::Review, 1),
            (Action::Restrict, 0),
            (Action::Block, 1)
        ]
    );
    let early = t
        .store
        .count_decisions_by_action(Some(at(1)), Some(at(100)))
        .await
        .expect("count");
    assert_eq!(
        early,
        [
            (Action::Allow, 1),
            (Action::Review, 0),
            (Action::Restrict, 0),
            (Action::Block, 1)
        ]
    );
}

#[tokio::test]
async fn a_duplicate_id_is_refused_and_the_original_kept() {
    let t = TempStore::new().await;
    let original = decision(Action::Allow, at(0));
    t.store.insert_decision(&original).await.expect("insert");
    let mut again = decision(Action::Block, at(5));
    again.id = original.id;
    let err = t
        .store
        .insert_decision(&again)
        .await
        .expect_err("duplicate");
    assert!(
        matches!(err, StoreError::Duplicate { id } if id == original.id),
        "{err:?}"
    );
    assert_eq!(
        t.store.get_decision(original.id).await.expect("get"),
        Some(original)
    );
    assert_eq!(count_rows(&t.path, "decision_scores").await, 2);
}

#[tokio::test]
async fn a_failed_insert_leaves_nothing_behind() {
    let t = TempStore::new().await;
    let mut d = decision(Action::Review, at(0));
    let repeated = d.categories[0].clone();
    d.categories.push(repeated);
    let err = t.store.insert_decision(&d).await.expect_err("invalid");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    assert_eq!(t.store.get_decision(d.id).await.expect("get"), None);
    assert_eq!(count_rows(&t.path, "decisions").await, 0);
    assert_eq!(count_rows(&t.path, "decision_scores").await, 0);
}

#[tokio::test]
async fn purging_removes_old_decisions_and_their_scores() {
    let t = TempStore::new().await;
    let all = [
        decision(Action::Allow, at(0)),
        decision(Action::Block, at(10)),
        decision(Action::Review, at(20)),
    ];
    insert_all(&t.store, &all).await;
    let purged = t.store.purge_decisions_before(at(20)).await.expect("purge");
    assert_eq!(purged, 2);
    let left = t
        .store
        .list_decisions(&DecisionQuery::default())
        .await
        .expect("list");
    assert_eq!(left, [all[2].clone()]);
    assert_eq!(count_rows(&t.path, "decision_scores").await, 2);
    assert_eq!(
        t.store.purge_decisions_before(at(0)).await.expect("purge"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inserts_all_land() {
    const TASKS: usize = 8;
    const PER_TASK: usize = 25;
    let t = TempStore::new().await;
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let store = t.store.clone();
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..PER_TASK {
                let offset_s = i64::try_from(task * PER_TASK + i).expect("small");
                let d = decision(Action::ALL[i % 4], at(offset_s));
                store.insert_decision(&d).await.expect("concurrent insert");
                ids.push(d.id);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for handle in handles {
        ids.extend(handle.await.expect("task finished"));
    }
    let listed = t
        .store
        .list_decisions(&DecisionQuery::default())
        .await
        .expect("list");
    assert_eq!(listed.len(), TASKS * PER_TASK);
    let total: u64 = t
        .store
        .count_decisions_by_action(None, None)
        .await
        .expect("count")
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(total, 200);
    for id in ids {
        assert!(t.store.get_decision(id).await.expect("get").is_some());
    }
}

#[tokio::test]
async fn a_corrupt_body_is_reported_not_hidden() {
    let t = TempStore::new().await;
    let good = decision(Action::Allow, at(0));
    let bad = decision(Action::Block, at(1));
    insert_all(&t.store, &[good.clone(), bad.clone()]).await;
    let mut conn = raw_connection(&t.path).await;
    sqlx::query("UPDATE decisions SET body = '{\"truncated\":' WHERE id = $1")
        .bind(bad.id.to_string())
        .execute(&mut conn)
        .await
        .expect("damage the row");

    let err = t.store.get_decision(bad.id).await.expect_err("corrupt");
    assert!(
        matches!(&err, StoreError::Corrupt { id, .. } if *id == bad.id.to_string()),
        "{err:?}"
    );
    let err = t
        .store
        .list_decisions(&DecisionQuery::default())
        .await
        .expect_err("the list holds a corrupt row");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(
        t.store.get_decision(good.id).await.expect("get"),
        Some(good)
    );
}

#[tokio::test]
async fn a_body_holding_another_decision_is_corrupt() {
    let t = TempStore::new().await;
    let first = decision(Action::Allow, at(0));
    let second = decision(Action::Allow, at(1));
    insert_all(&t.store, &[first.clone(), second.clone()]).await;
    let mut conn = raw_connection(&t.path).await;
    sqlx::query(
        "UPDATE decisions SET body = (SELECT body FROM decisions WHERE id = $1) WHERE id = $2",
    )
    .bind(first.id.to_string())
    .bind(second.id.to_string())
    .execute(&mut conn)
    .await
    .expect("swap a body");
    let err = t.store.get_decision(second.id).await.expect_err("corrupt");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[tokio::test]
async fn a_group_commit_stores_all_or_nothing() {
    let t = TempStore::new().await;
    let group: Vec<Decision> = (0..50).map(|i| decision(Action::Allow, at(i))).collect();
    t.store
        .insert_decisions(&group)
        .await
        .expect("group insert");
    for d in &group {
        assert_eq!(
            t.store.get_decision(d.id).await.expect("get").as_ref(),
            Some(d)
        );
    }
    // A group holding one duplicate is refused whole: the new one is not stored.
    let fresh = decision(Action::Block, at(100));
    let err = t
        .store
        .insert_decisions(&[fresh.clone(), group[7].clone()])
        .await
        .expect_err("a duplicate id");
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    assert_eq!(t.store.get_decision(fresh.id).await.expect("get"), None);
    assert_eq!(count_rows(&t.path, "decisions").await, 50);
}

#[tokio::test]
async fn content_is_stored_only_when_given_and_purged_with_its_decision() {
    let t = TempStore::new().await;
    let kept = decision(Action::Block, at(0));
    let bare = decision(Action::Allow, at(1));
    let item = vigil_core::Item::text("post-1", "the scanned words");
    t.store
        .insert_decisions_with_content(&[kept.clone(), bare.clone()], &[(kept.id, &item)])
        .await
        .expect("insert");
    assert_eq!(
        t.store.get_decision_content(kept.id).await.expect("get"),
        Some(item)
    );
    assert_eq!(
        t.store.get_decision_content(bare.id).await.expect("get"),
        None
    );
    assert_eq!(
        t.store.purge_decisions_before(at(5)).await.expect("purge"),
        2
    );
    assert_eq!(count_rows(&t.path, "decision_content").await, 0);
}

#[tokio::test]
async fn a_policy_is_recorded_once_by_digest() {
    let t = TempStore::new().await;
    let p = vigil_store::StoredPolicy {
        digest: "sha256:abc".to_owned(),
        name: "default".to_owned(),
        version: "1".to_owned(),
        text: "[policy]\nname = \"default\"\n".to_owned(),
    };
    t.store.record_policy(&p).await.expect("record");
    t.store
        .record_policy(&vigil_store::StoredPolicy {
            text: "something else".to_owned(),
            ..p.clone()
        })
        .await
        .expect("recording again is a no-op");
    assert_eq!(
        t.store.get_policy("sha256:abc").await.expect("get"),
        Some(p)
    );
    assert_eq!(t.store.get_policy("sha256:def").await.expect("get"), None);
}
