//! The audit sample's reason: migration 0014 widens the review queue's
//! `reason` check to `audit` while keeping every row that points into the
//! queue, and an audit item queues, is claimed and judged like any other.

mod common;

use std::time::Duration;

use common::{at, decision, raw_connection, TempStore};
use sqlx::Row;
use vigil_core::{Action, Category, Item, Labels, QueueReason, Verdict};
use vigil_store::{NewReview, Store};

const LONG: Duration = Duration::from_secs(600);

#[tokio::test]
async fn an_audit_item_is_queued_claimed_and_judged() {
    let t = TempStore::new().await;
    let d = decision(Action::Block, at(0));
    t.store.insert_decision(&d).await.unwrap();
    let id = t
        .store
        .enqueue_review(&NewReview {
            item: Item::text(&d.item_id, "text"),
            decision_id: d.id,
            reason: QueueReason::Audit,
            priority: 1.0,
            required_reviews: 1,
            bucket: None,
        })
        .await
        .unwrap()
        .expect("no bucket, so queued");
    let listing = t.store.list_review_queue(&[], 10, None).await.unwrap();
    assert!(listing.counts.contains(&(QueueReason::Audit, 1)));
    let claimed = t
        .store
        .claim_next_review("r1", LONG, &[QueueReason::Audit])
        .await
        .unwrap()
        .expect("the audit item");
    assert_eq!(
        (claimed.entry.id, claimed.entry.reason),
        (id, QueueReason::Audit)
    );
    let verdict = Verdict {
        labels: Labels::new().with(Category::Hate, true),
        action: Action::Block,
        note: None,
    };
    t.store
        .submit_review(id, "r1", &verdict, None)
        .await
        .unwrap();
    let done = t.store.get_review_item(id).await.unwrap().unwrap();
    assert!(done.done_at.is_some());
}

#[tokio::test]
async fn migration_0014_keeps_the_queue_and_every_reference_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // A database as version 13 left it: an item with a claim, a review with
    // a label, an appeal, and a notice, all pointing at review items.
    {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut m = sqlx::migrate::Migrator::new(std::path::Path::new(folder))
            .await
            .unwrap();
        m.migrations = m
            .migrations
            .iter()
            .filter(|m| m.version <= 13)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        m.run(&pool).await.unwrap();
        let item = "'{\"id\":\"post-1\",\"text\":\"x\"}'";
        for q in [
            format!(
                "INSERT INTO review_items (id, decision_id, item_id, reason, priority, \
                 required_reviews, status, item, created_at, bucket) VALUES ('i1', 'd1', \
                 'post-1', 'active_learning', 0.5, 2, 'open', {item}, '2025-01-01T00:00:00Z', \
                 'hate/en')"
            ),
            format!(
                "INSERT INTO review_items (id, decision_id, item_id, reason, priority, \
                 required_reviews, status, item, created_at) VALUES ('i2', 'd2', 'post-2', \
                 'appeal', 4, 1, 'open', {item}, '2025-01-01T00:00:00Z')"
            ),
            format!(
                "INSERT INTO review_items (id, decision_id, item_id, reason, priority, \
                 required_reviews, status, item, created_at) VALUES ('i3', NULL, 'post-3', \
                 'notice', 4, 1, 'open', {item}, '2025-01-01T00:00:00Z')"
            ),
            "INSERT INTO review_claims VALUES ('i1', 'r2', 0, 99999999999999)".to_owned(),
            "INSERT INTO reviews VALUES ('v1', 'i1', 'r1', '{\"labels\":{\"hate\":1},\
             \"action\":\"block\"}', 'block', NULL, 3, '2025-01-01T00:00:00Z')"
                .to_owned(),
            "INSERT INTO review_labels VALUES ('v1', 'hate', 1)".to_owned(),
            "INSERT INTO appeals (id, decision_id, statement, review_item_id, submitted_at) \
             VALUES ('a1', 'd2', 'not hate', 'i2', '2025-01-01T00:00:00Z')"
                .to_owned(),
            "INSERT INTO notices (id, item_id, reporter_type, category, explanation, \
             received_at, status, review_item_id) VALUES ('n1', 'post-3', 'user', 'hate', \
             'why', '2025-01-01T00:00:00.000Z', 'in_review', 'i3')"
                .to_owned(),
        ] {
            sqlx::query(&q).execute(&pool).await.unwrap();
        }
        // Before 0014 the queue refuses the reason.
        let refused = sqlx::query(
            "INSERT INTO review_items (id, decision_id, item_id, reason, priority, \
             required_reviews, status, item, created_at) VALUES ('i9', 'd9', 'post-9', 'audit', \
             1, 1, 'open', '{}', '2025-01-01T00:00:00Z')",
        )
        .execute(&pool)
        .await;
        assert!(refused.is_err());
        pool.close().await;
    }
    let store = Store::open_sqlite(&path).await.expect("migrates to 0014");
    let mut raw = raw_connection(&path).await;
    let rows = sqlx::query("SELECT id, reason, bucket FROM review_items ORDER BY id")
        .fetch_all(&mut raw)
        .await
        .unwrap();
    let kept: Vec<(String, String, Option<String>)> = rows
        .iter()
        .map(|r| (r.get("id"), r.get("reason"), r.get("bucket")))
        .collect();
    assert_eq!(
        kept,
        [
            (
                "i1".into(),
                "active_learning".into(),
                Some("hate/en".into())
            ),
            ("i2".into(), "appeal".into(), None),
            ("i3".into(), "notice".into(), None),
        ]
    );
    for child in [
        "review_claims",
        "reviews",
        "review_labels",
        "appeals",
        "notices",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {child}"))
            .fetch_one(&mut raw)
            .await
            .unwrap();
        assert_eq!(n, 1, "{child} kept its row");
    }
    for child in ["review_claims", "reviews", "appeals", "notices"] {
        let parents: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT \"table\" FROM pragma_foreign_key_list('{child}')"
        ))
        .fetch_all(&mut raw)
        .await
        .unwrap();
        assert!(
            parents.iter().any(|p| p == "review_items"),
            "{child}: {parents:?}"
        );
    }
    let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut raw)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let temp: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_temp_master WHERE name LIKE 'saved_%'")
            .fetch_one(&mut raw)
            .await
            .unwrap();
    assert_eq!(temp, 0);
    // The new reason is accepted now, through the store's own door.
    let d = decision(Action::Restrict, at(0));
    store.insert_decision(&d).await.unwrap();
    let queued = store
        .enqueue_review(&NewReview {
            item: Item::text(&d.item_id, "text"),
            decision_id: d.id,
            reason: QueueReason::Audit,
            priority: 1.0,
            required_reviews: 1,
            bucket: None,
        })
        .await
        .unwrap();
    assert!(queued.is_some());
    store.close().await;
}
