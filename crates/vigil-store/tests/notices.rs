//! Notices: a round trip, the outcome and time to act recorded with the
//! verdict, rescans decided at once or queued, and migration 0013 keeping
//! the review queue it rebuilds.

mod common;

use std::time::Duration;

use common::{at, decision, raw_connection, TempStore};
use sqlx::Row;
use vigil_core::{
    Action, Category, Item, Labels, NoticeOutcome, QueueReason, ReporterType, Verdict,
};
use vigil_store::{NewNotice, NoticeRoute, NoticeStatus, Store};

const LONG: Duration = Duration::from_secs(600);

fn notice(item: &str, reporter: ReporterType) -> NewNotice {
    NewNotice {
        item_id: item.to_owned(),
        decision_id: None,
        reporter_type: reporter,
        reporter_id: Some("reporter-7".to_owned()),
        reporter_name: Some("Example Flaggers e.V.".to_owned()),
        category: Category::Hate,
        legal_ground: Some("StGB §130".to_owned()),
        explanation: "Incites hatred against a group.".to_owned(),
    }
}

async fn judge(store: &Store, item: vigil_store::ReviewItemId, who: &str, action: Action) {
    store.claim_review(item, who, LONG).await.expect("claimed");
    let verdict = Verdict {
        labels: Labels::new().with(Category::Hate, action.is_restrictive()),
        action,
        note: None,
    };
    store
        .submit_review(item, who, &verdict, None)
        .await
        .expect("verdict recorded");
}

#[tokio::test]
async fn a_notice_round_trips_and_its_verdict_records_outcome_and_time_to_act() {
    let t = TempStore::new().await;
    let content = Item::text("post-1", "the reported text");
    let new = notice("post-1", ReporterType::TrustedFlagger);
    let filed = t
        .store
        .file_notice(
            &new,
            NoticeRoute::Review {
                content: &content,
                priority: ReporterType::TrustedFlagger.priority(),
                required_reviews: 1,
            },
        )
        .await
        .expect("filed");
    assert_eq!(filed.status, NoticeStatus::InReview);
    assert_eq!(filed.outcome, None);
    assert_eq!(filed.time_to_act(), None);
    let stored = t.store.get_notice(filed.id).await.unwrap().expect("stored");
    assert_eq!(stored, filed);

    // The item waits for a person, with its own reason and priority, and
    // no decision: it was never scanned.
    let item_id = filed.review_item.expect("queued");
    let item = t.store.get_review_item(item_id).await.unwrap().unwrap();
    assert_eq!(item.entry.reason, QueueReason::Notice);
    assert_eq!(item.entry.priority, 8.0);
    assert_eq!(item.entry.decision_id, None);
    assert_eq!(item.content, Some(content));

    tokio::time::sleep(Duration::from_millis(20)).await;
    judge(&t.store, item_id, "reviewer-a", Action::Block).await;
    let decided = t.store.get_notice(filed.id).await.unwrap().unwrap();
    assert_eq!(decided.status, NoticeStatus::Decided);
    assert_eq!(decided.outcome, Some(NoticeOutcome::ActionTaken));
    assert_eq!(decided.action, Some(Action::Block));
    let took = decided.time_to_act().expect("acted on");
    assert!(took >= time::Duration::milliseconds(20), "{took}");
    assert!(took < time::Duration::minutes(1), "{took}");
    assert_eq!(
        t.store.notice_for_review_item(item_id).await.unwrap(),
        Some(decided)
    );
}

#[tokio::test]
async fn a_verdict_that_allows_closes_the_notice_with_no_action() {
    let t = TempStore::new().await;
    let content = Item::text("post-2", "fine text");
    let filed = t
        .store
        .file_notice(
            &notice("post-2", ReporterType::User),
            NoticeRoute::Review {
                content: &content,
                priority: 4.0,
                required_reviews: 2,
            },
        )
        .await
        .unwrap();
    let item = filed.review_item.unwrap();
    judge(&t.store, item, "reviewer-a", Action::Block).await;
    let half = t.store.get_notice(filed.id).await.unwrap().unwrap();
    assert_eq!(half.status, NoticeStatus::InReview, "one of two reviews");
    judge(&t.store, item, "reviewer-b", Action::Allow).await;
    let done = t.store.get_notice(filed.id).await.unwrap().unwrap();
    // One block of two is no majority: nothing is done.
    assert_eq!(done.outcome, Some(NoticeOutcome::NoAction));
    assert_eq!(done.action, Some(Action::Allow));
    assert!(done.acted_at.is_some());
}

#[tokio::test]
async fn a_rescan_acts_at_once_or_queues_when_it_lands_in_review() {
    let t = TempStore::new().await;
    let content = Item::text("post-3", "text");
    for (action, queued) in [
        (Action::Restrict, false),
        (Action::Allow, false),
        (Action::Review, true),
    ] {
        let d = decision(action, at(0));
        let filed = t
            .store
            .file_notice(
                &notice("post-3", ReporterType::User),
                NoticeRoute::Rescanned {
                    decision: &d,
                    content: &content,
                    priority: 4.0,
                    required_reviews: 1,
                    keep_content: true,
                },
            )
            .await
            .unwrap();
        assert_eq!(filed.rescan_decision, Some(d.id));
        // The decision and its content were logged in the notice's transaction.
        assert_eq!(t.store.get_decision(d.id).await.unwrap(), Some(d.clone()));
        assert_eq!(
            t.store.get_decision_content(d.id).await.unwrap(),
            Some(content.clone())
        );
        assert_eq!(filed.review_item.is_some(), queued, "{action}");
        if queued {
            assert_eq!(filed.status, NoticeStatus::InReview);
            let item = t.store.get_review_item(filed.review_item.unwrap()).await;
            assert_eq!(item.unwrap().unwrap().entry.decision_id, Some(d.id));
        } else {
            assert_eq!(filed.action, Some(action));
            assert_eq!(filed.time_to_act(), Some(time::Duration::ZERO));
            let expected = if action.is_restrictive() {
                NoticeOutcome::ActionTaken
            } else {
                NoticeOutcome::NoAction
            };
            assert_eq!(filed.outcome, Some(expected));
        }
        let by_decision = t.store.notice_for_rescan(d.id).await.unwrap();
        assert_eq!(by_decision.map(|n| n.id), Some(filed.id));
    }
}

#[tokio::test]
async fn a_rescan_already_logged_is_refused_and_no_notice_is_left() {
    let t = TempStore::new().await;
    let content = Item::text("post-4", "text");
    let d = decision(Action::Block, at(0));
    t.store.insert_decision(&d).await.unwrap();
    let e = t
        .store
        .file_notice(
            &notice("post-4", ReporterType::User),
            NoticeRoute::Rescanned {
                decision: &d,
                content: &content,
                priority: 4.0,
                required_reviews: 1,
                keep_content: false,
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains(&d.id.to_string()), "{e}");
    // The decision's insert failed inside the notice's transaction: no
    // notice was recorded without its rescan.
    assert_eq!(t.store.notice_for_rescan(d.id).await.unwrap(), None);
}

#[tokio::test]
async fn content_for_another_item_is_refused() {
    let t = TempStore::new().await;
    let other = Item::text("post-9", "x");
    let e = t
        .store
        .file_notice(
            &notice("post-1", ReporterType::User),
            NoticeRoute::Review {
                content: &other,
                priority: 4.0,
                required_reviews: 1,
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`post-9`"), "{e}");
}

#[tokio::test]
async fn migration_0013_keeps_the_queue_and_its_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // A database as version 12 left it, with an item, a claim and a review.
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
            .filter(|m| m.version <= 12)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        m.run(&pool).await.unwrap();
        for q in [
            "INSERT INTO review_items (id, decision_id, item_id, reason, priority, required_reviews, \
             status, item, created_at, bucket) VALUES ('i1', 'd1', 'post-1', 'active_learning', 0.5, 2, \
             'open', '{\"id\":\"post-1\",\"text\":\"x\"}', '2025-01-01T00:00:00Z', 'hate/en')",
            "INSERT INTO review_claims VALUES ('i1', 'r2', 0, 99999999999999)",
            "INSERT INTO reviews VALUES ('v1', 'i1', 'r1', '{\"labels\":{},\"action\":\"allow\"}', \
             'allow', NULL, 3, '2025-01-01T00:00:00Z')",
        ] {
            sqlx::query(q).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let store = Store::open_sqlite(&path).await.expect("migrates to 0013");
    let item = store
        .get_review_item("00000000-0000-0000-0000-000000000000".parse().unwrap())
        .await
        .unwrap();
    assert!(item.is_none());
    let mut raw = raw_connection(&path).await;
    let row = sqlx::query("SELECT reason, bucket, reviews_done FROM review_items WHERE id = 'i1'")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("reason"), "active_learning");
    assert_eq!(row.get::<String, _>("bucket"), "hate/en");
    for child in ["review_claims", "reviews"] {
        let kept: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {child}"))
            .fetch_one(&mut raw)
            .await
            .unwrap();
        assert_eq!(kept, 1, "{child} kept its row");
        let parent: String = sqlx::query_scalar(&format!(
            "SELECT \"table\" FROM pragma_foreign_key_list('{child}')"
        ))
        .fetch_one(&mut raw)
        .await
        .unwrap();
        assert_eq!(parent, "review_items", "{child}");
    }
    let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut raw)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    // Foreign keys are on again for the store's connections.
    let e = store
        .claim_review(
            "00000000-0000-0000-0000-000000000001".parse().unwrap(),
            "r3",
            LONG,
        )
        .await;
    assert!(e.is_err());
    store.close().await;
}

#[tokio::test]
async fn reviewed_notices_acted_are_listed_by_when_they_were_acted_on() {
    let t = TempStore::new().await;
    let mut filed = Vec::new();
    for (item, action) in [("post-5", Action::Block), ("post-6", Action::Allow)] {
        let content = Item::text(item, "text");
        let n = t
            .store
            .file_notice(
                &notice(item, ReporterType::User),
                NoticeRoute::Review {
                    content: &content,
                    priority: 4.0,
                    required_reviews: 1,
                },
            )
            .await
            .unwrap();
        judge(&t.store, n.review_item.unwrap(), "reviewer-a", action).await;
        filed.push(n.id);
    }
    // A rescan's block was acted on too, but by no reviewer.
    let d = decision(Action::Block, at(0));
    t.store
        .file_notice(
            &notice("post-7", ReporterType::User),
            NoticeRoute::Rescanned {
                decision: &d,
                content: &Item::text("post-7", "text"),
                priority: 4.0,
                required_reviews: 1,
                keep_content: false,
            },
        )
        .await
        .unwrap();

    let all = t.store.reviewed_notices_acted(None, None).await.unwrap();
    assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), [filed[0]]);
    let acted = all[0].acted_at.unwrap();
    let inside = t
        .store
        .reviewed_notices_acted(Some(acted), Some(acted + time::Duration::milliseconds(1)))
        .await
        .unwrap();
    assert_eq!(inside.len(), 1);
    let before = t
        .store
        .reviewed_notices_acted(None, Some(acted))
        .await
        .unwrap();
    assert!(before.is_empty(), "until is exclusive: {before:?}");
}
