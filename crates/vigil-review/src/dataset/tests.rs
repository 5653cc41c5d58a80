use time::macros::datetime;
use vigil_core::{Action, Category, Item, Labels, QueueReason, Verdict, VersionRef};
use vigil_data::Split;

use super::{dataset_from_reviews, pseudonym, ExportedReview, FromReviews, ReviewedItem};

fn opts() -> FromReviews {
    FromReviews {
        name: "reviews".into(),
        version: "1".into(),
        reviewer_salt: "s3cret".into(),
        upstream: "sqlite://vigil.db".into(),
        covered: vec![Category::Hate, Category::Violence],
    }
}

fn review(reviewer: &str, labels: Labels, minute: u8) -> ExportedReview {
    ExportedReview {
        reviewer: reviewer.into(),
        verdict: Verdict {
            labels,
            action: Action::Allow,
            note: None,
        },
        created_at: datetime!(2026-11-27 10:00 UTC) + time::Duration::minutes(minute.into()),
    }
}

fn item(id: &str, text: &str, reason: QueueReason, reviews: Vec<ExportedReview>) -> ReviewedItem {
    ReviewedItem {
        content: Some(Item {
            id: "whatever".into(),
            text: Some(text.into()),
            ..serde_json::from_str(r#"{"id": "x"}"#).unwrap()
        }),
        item_id: id.into(),
        reason,
        models: vec![VersionRef {
            name: "text-linear".into(),
            version: "2026.11".into(),
            digest: None,
        }],
        policy: Some(VersionRef {
            name: "default".into(),
            version: "2026.11.0".into(),
            digest: None,
        }),
        reviews,
        gold: None,
    }
}

#[test]
fn each_reviewed_item_becomes_a_record_with_adjudicated_labels_and_provenance() {
    let hate = |v| Labels::new().with(Category::Hate, v);
    let items = vec![item(
        "post-1",
        "some text",
        QueueReason::ActiveLearning,
        vec![
            review("alice", hate(true), 1),
            review("bob", hate(true).with(Category::Violence, false), 2),
            review("carol", hate(false), 3),
        ],
    )];
    let (dataset, summary) = dataset_from_reviews(&items, &opts());
    assert_eq!(summary.written, 1);
    assert_eq!(summary.disputed, 1);
    let r = &dataset.records[0];
    assert_eq!(r.item.id, "post-1");
    assert_eq!(r.split, Split::for_id("post-1"));
    assert_eq!(r.labels.get(Category::Hate), Some(true));
    assert_eq!(r.labels.get(Category::Violence), Some(false));
    assert_eq!(
        r.labels.get(Category::Unsafe),
        Some(true),
        "a harm implies unsafe"
    );
    assert_eq!(
        r.labels.get(Category::Sexual),
        None,
        "never judged: unknown"
    );
    let meta = |k: &str| r.item.meta.get(k).map(str::to_owned);
    assert_eq!(meta("review_reason").as_deref(), Some("active_learning"));
    assert_eq!(meta("routed_by").as_deref(), Some("text-linear@2026.11"));
    assert_eq!(meta("policy").as_deref(), Some("default@2026.11.0"));
    assert_eq!(meta("disputed").as_deref(), Some("hate"));
    assert_eq!(meta("reviewed_at").as_deref(), Some("2026-11-27T10:03:00Z"));
    let reviewers = meta("reviewers").unwrap();
    assert!(
        !reviewers.contains("alice"),
        "reviewer ids are hashed: {reviewers}"
    );
    assert_eq!(
        reviewers.split(',').next(),
        Some(pseudonym("s3cret", "alice").as_str())
    );
    assert_ne!(pseudonym("s3cret", "alice"), pseudonym("other", "alice"));
    assert_eq!(pseudonym("s3cret", "alice").len(), 16);
}

#[test]
fn gold_cleared_unlabelled_and_tied_items_are_left_out_and_counted() {
    let mut gold = item(
        "g",
        "gold",
        QueueReason::Gold,
        vec![review("a", Labels::new().with(Category::Hate, true), 1)],
    );
    gold.gold = Some(Labels::new().with(Category::Hate, true));
    let mut cleared = item(
        "c",
        "x",
        QueueReason::Policy,
        vec![review("a", Labels::new().with(Category::Hate, true), 1)],
    );
    cleared.content = None;
    let unlabelled = item(
        "u",
        "x",
        QueueReason::Policy,
        vec![review("a", Labels::new(), 1)],
    );
    let tied = item(
        "t",
        "x",
        QueueReason::Policy,
        vec![
            review("a", Labels::new().with(Category::Hate, true), 1),
            review("b", Labels::new().with(Category::Hate, false), 2),
        ],
    );
    let unreviewed = item("n", "x", QueueReason::Policy, vec![]);
    let (mut dataset, summary) =
        dataset_from_reviews(&[gold, cleared, unlabelled, tied, unreviewed], &opts());
    assert_eq!(summary.written, 0);
    assert_eq!(summary.gold, 1);
    assert_eq!(summary.no_content, 1);
    assert_eq!(
        summary.unlabelled, 2,
        "a settled-nothing tie is unlabelled too"
    );
    assert_eq!(summary.ties, 1);
    assert_eq!(summary.unreviewed, 1);
    // The manifest adds up, so the set can be written and read back.
    let dir = tempfile::tempdir().unwrap();
    dataset.write(dir.path()).unwrap();
    let back = vigil_data::Dataset::open(dir.path()).unwrap();
    assert_eq!(back.manifest.counts.rows_read, 5);
    assert_eq!(back.manifest.counts.rows_skipped, 5);
}

#[test]
fn a_later_review_of_the_same_item_supersedes_the_earlier_one() {
    let first = item(
        "p",
        "x",
        QueueReason::Policy,
        vec![review("a", Labels::new().with(Category::Hate, true), 1)],
    );
    let appeal = item(
        "p",
        "x",
        QueueReason::Appeal,
        vec![review("b", Labels::new().with(Category::Hate, false), 9)],
    );
    for order in [vec![first.clone(), appeal.clone()], vec![appeal, first]] {
        let (mut dataset, summary) = dataset_from_reviews(&order, &opts());
        assert_eq!(summary.written, 1);
        assert_eq!(summary.superseded, 1);
        assert_eq!(dataset.records[0].labels.get(Category::Hate), Some(false));
        assert_eq!(
            dataset.records[0].labels.get(Category::Unsafe),
            None,
            "violence unknown"
        );
        let dir = tempfile::tempdir().unwrap();
        dataset.write(dir.path()).unwrap();
        assert_eq!(
            vigil_data::Dataset::open(dir.path()).unwrap().records.len(),
            1
        );
    }
}
