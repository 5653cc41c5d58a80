//! The review queue: claims are exclusive even under concurrent reviewers,
//! leases run out, k reviews need k reviewers, verdicts need a live claim,
//! appeals go round trip, gold items measure reviewers, and done items
//! export as training data.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{at, decision, TempStore};
use vigil_core::{Action, AppealOutcome, Category, Item, Labels, QueueReason, Verdict};
use vigil_store::{NewReview, ReviewError, ReviewItemId, ReviewStatus, Store};

const LONG: Duration = Duration::from_secs(600);

fn verdict(action: Action) -> Verdict {
    Verdict {
        labels: Labels::new().with(Category::Hate, action != Action::Allow),
        action,
        note: None,
    }
}

async fn enqueue(store: &Store, name: &str, priority: f64, k: u32) -> ReviewItemId {
    let d = decision(Action::Review, at(0));
    store.insert_decision(&d).await.expect("decision stored");
    store
        .enqueue_review(&NewReview {
            item: Item::text(name, format!("the text of {name}")),
            decision_id: d.id,
            reason: QueueReason::Policy,
            priority,
            required_reviews: k,
            bucket: None,
        })
        .await
        .expect("queued")
        .expect("no bucket to fill")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_reviewers_never_hold_the_same_item() {
    let t = TempStore::new().await;
    let mut queued = HashSet::new();
    for i in 0..12 {
        queued.insert(enqueue(&t.store, &format!("post-{i}"), 0.5, 1).await);
    }
    // Eight reviewers claim at once, each holding what it gets.
    let claims = (0..8).map(|r| {
        let store = t.store.clone();
        tokio::spawn(async move {
            let got = store
                .claim_next_review(&format!("reviewer-{r}"), LONG, &[])
                .await
                .expect("claim");
            got.map(|item| item.entry.id)
        })
    });
    let mut held = HashSet::new();
    for claim in claims {
        let id = claim
            .await
            .expect("joined")
            .expect("an item for each of 8 of 12");
        assert!(held.insert(id), "item {id} was handed to two reviewers");
    }
    assert_eq!(held.len(), 8);

    // Then many reviewers claim and judge until the queue is empty: every
    // item is judged once, and no verdict is refused for a lost claim.
    let workers = (0..6).map(|r| {
        let store = t.store.clone();
        tokio::spawn(async move {
            let me = format!("worker-{r}");
            let mut judged = Vec::new();
            while let Some(item) = store
                .claim_next_review(&me, LONG, &[])
                .await
                .expect("claim")
            {
                let id = item.entry.id;
                store
                    .submit_review(id, &me, &verdict(Action::Block), None)
                    .await
                    .expect("the claimant's verdict is taken");
                judged.push(id);
            }
            judged
        })
    });
    let mut judged = HashSet::new();
    for worker in workers {
        for id in worker.await.expect("joined") {
            assert!(judged.insert(id), "item {id} was judged twice");
        }
    }
    // The 8 items held by the first reviewers are not free until their
    // leases run out.
    assert_eq!(judged.len(), 4);
    assert!(judged.is_disjoint(&held));
    assert_eq!(&judged | &held, queued);
}

#[tokio::test]
async fn a_lease_that_runs_out_hands_the_item_on() {
    let t = TempStore::new().await;
    let id = enqueue(&t.store, "post-1", 0.5, 1).await;
    let short = Duration::from_millis(150);
    let a = t
        .store
        .claim_next_review("alice", short, &[])
        .await
        .expect("claim");
    assert_eq!(a.map(|i| i.entry.id), Some(id));
    assert!(t
        .store
        .claim_next_review("bob", LONG, &[])
        .await
        .expect("claim")
        .is_none());
    match t.store.claim_review(id, "bob", LONG).await {
        Err(ReviewError::ClaimHeld { id: held, .. }) => assert_eq!(held, id),
        other => panic!("expected ClaimHeld, got {other:?}"),
    }

    tokio::time::sleep(Duration::from_millis(250)).await;
    // Alice's lease ran out: her verdict is refused, and Bob can take it.
    match t
        .store
        .submit_review(id, "alice", &verdict(Action::Allow), None)
        .await
    {
        Err(ReviewError::LeaseExpired { .. }) => {}
        other => panic!("expected LeaseExpired, got {other:?}"),
    }
    let b = t
        .store
        .claim_next_review("bob", LONG, &[])
        .await
        .expect("claim");
    assert_eq!(b.map(|i| i.entry.id), Some(id));
    match t
        .store
        .submit_review(id, "alice", &verdict(Action::Allow), None)
        .await
    {
        Err(ReviewError::ClaimHeld { .. }) => {}
        other => panic!("expected ClaimHeld once Bob holds it, got {other:?}"),
    }
    let done = t
        .store
        .submit_review(id, "bob", &verdict(Action::Allow), None)
        .await
        .expect("Bob's verdict");
    assert_eq!(done.status, ReviewStatus::Done);
}

#[tokio::test]
async fn two_required_reviews_need_two_different_reviewers() {
    let t = TempStore::new().await;
    let id = enqueue(&t.store, "post-1", 0.5, 2).await;
    t.store
        .claim_review(id, "alice", LONG)
        .await
        .expect("claim");
    let first = t
        .store
        .submit_review(id, "alice", &verdict(Action::Block), None)
        .await
        .expect("first verdict");
    assert_eq!((first.reviews_done, first.status), (1, ReviewStatus::Open));

    // Alice cannot review it again, by either claim.
    assert!(t
        .store
        .claim_next_review("alice", LONG, &[])
        .await
        .expect("claim")
        .is_none());
    match t.store.claim_review(id, "alice", LONG).await {
        Err(ReviewError::AlreadyReviewed { .. }) => {}
        other => panic!("expected AlreadyReviewed, got {other:?}"),
    }

    let b = t
        .store
        .claim_next_review("bob", LONG, &[])
        .await
        .expect("claim");
    assert_eq!(b.map(|i| i.entry.reviews_done), Some(1));
    let second = t
        .store
        .submit_review(id, "bob", &verdict(Action::Allow), None)
        .await
        .expect("second verdict");
    assert_eq!(
        (second.reviews_done, second.status),
        (2, ReviewStatus::Done)
    );
    assert!(t
        .store
        .claim_next_review("carol", LONG, &[])
        .await
        .expect("claim")
        .is_none());

    let item = t
        .store
        .get_review_item(id)
        .await
        .expect("read")
        .expect("stored");
    let reviewers: Vec<_> = item.reviews.iter().map(|r| r.reviewer.as_str()).collect();
    assert_eq!(reviewers, ["alice", "bob"]);
    assert_eq!(item.reviews[0].verdict, verdict(Action::Block));
    assert!(item.done_at.is_some());
    let listing = t
        .store
        .list_review_queue(&[], 50, None)
        .await
        .expect("list");
    assert!(listing.items.is_empty(), "a done item leaves the queue");
}

#[tokio::test]
async fn a_verdict_without_a_claim_is_refused() {
    let t = TempStore::new().await;
    let id = enqueue(&t.store, "post-1", 0.5, 1).await;
    match t
        .store
        .submit_review(id, "alice", &verdict(Action::Block), None)
        .await
    {
        Err(ReviewError::NoClaim { .. }) => {}
        other => panic!("expected NoClaim, got {other:?}"),
    }
    t.store
        .claim_review(id, "alice", LONG)
        .await
        .expect("claim");
    t.store.release_review(id, "alice").await.expect("release");
    match t
        .store
        .submit_review(id, "alice", &verdict(Action::Block), None)
        .await
    {
        Err(ReviewError::NoClaim { .. }) => {}
        other => panic!("expected NoClaim after release, got {other:?}"),
    }
    match t.store.release_review(id, "alice").await {
        Err(ReviewError::NoClaim { .. }) => {}
        other => panic!("expected NoClaim for a second release, got {other:?}"),
    }
    let unknown = ReviewItemId::new();
    match t.store.claim_review(unknown, "alice", LONG).await {
        Err(ReviewError::NotFound(missing)) => assert_eq!(missing, unknown),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // Released, the item is anyone's: Bob gets it.
    let b = t
        .store
        .claim_next_review("bob", LONG, &[])
        .await
        .expect("claim");
    assert_eq!(b.map(|i| i.entry.id), Some(id));
}

#[tokio::test]
async fn the_queue_is_served_by_priority_then_age() {
    let t = TempStore::new().await;
    let low = enqueue(&t.store, "low", 0.2, 1).await;
    let high_old = enqueue(&t.store, "high-old", 0.9, 1).await;
    let high_new = enqueue(&t.store, "high-new", 0.9, 1).await;
    let listing = t
        .store
        .list_review_queue(&[], 50, None)
        .await
        .expect("list");
    let order: Vec<_> = listing.items.iter().map(|e| e.id).collect();
    assert_eq!(order, [high_old, high_new, low]);
    assert!(listing.counts.contains(&(QueueReason::Policy, 3)));
    assert!(listing.counts.contains(&(QueueReason::Appeal, 0)));

    let first = t
        .store
        .claim_next_review("a", LONG, &[])
        .await
        .expect("claim");
    assert_eq!(first.map(|i| i.entry.id), Some(high_old));
    let listing = t
        .store
        .list_review_queue(&[QueueReason::Policy], 1, None)
        .await
        .expect("list");
    assert_eq!(listing.items.len(), 1);
    assert!(listing.items[0].claimed, "the claimed item says so");
    // A reason filter with nothing of that reason claims nothing.
    let gold = t
        .store
        .claim_next_review("b", LONG, &[QueueReason::Gold])
        .await;
    assert!(gold.expect("claim").is_none());
}

#[tokio::test]
async fn an_appeal_goes_round_trip_and_is_overturned() {
    let t = TempStore::new().await;
    let d = decision(Action::Block, at(0));
    let item = Item::text(d.item_id.clone(), "a quote from the news");
    t.store
        .insert_decisions_with_content(std::slice::from_ref(&d), &[(d.id, &item)])
        .await
        .expect("decision and content stored");

    let appeal = t
        .store
        .file_appeal(d.id, "It is a quote, not a threat.", None)
        .await
        .expect("appeal filed");
    assert_eq!(appeal.outcome, None);
    let queued = t
        .store
        .get_review_item(appeal.review_item)
        .await
        .expect("read")
        .expect("queued");
    assert_eq!(queued.entry.reason, QueueReason::Appeal);
    assert_eq!(
        queued.content.as_ref(),
        Some(&item),
        "the stored content is shown"
    );
    assert_eq!(queued.entry.decision_id, Some(d.id));

    let claimed = t
        .store
        .claim_next_review("alice", LONG, &[])
        .await
        .expect("claim");
    assert_eq!(claimed.map(|i| i.entry.id), Some(appeal.review_item));
    // An appeal's verdict needs an outcome; refused, the claim stays held.
    match t
        .store
        .submit_review(appeal.review_item, "alice", &verdict(Action::Allow), None)
        .await
    {
        Err(ReviewError::OutcomeMismatch(_)) => {}
        other => panic!("expected OutcomeMismatch, got {other:?}"),
    }
    let done = t
        .store
        .submit_review(
            appeal.review_item,
            "alice",
            &verdict(Action::Allow),
            Some(AppealOutcome::Overturned),
        )
        .await
        .expect("verdict with outcome");
    assert_eq!(done.status, ReviewStatus::Done);
    let item_after = t
        .store
        .get_review_item(appeal.review_item)
        .await
        .expect("read")
        .expect("kept");
    let decided = item_after.appeal.expect("the appeal is attached");
    assert_eq!(decided.outcome, Some(AppealOutcome::Overturned));
    assert!(decided.decided_at.is_some());
    assert_eq!(decided.statement, "It is a quote, not a threat.");

    match t.store.file_appeal(d.id, "again", None).await {
        Err(ReviewError::AlreadyAppealed(again)) => assert_eq!(again, d.id),
        other => panic!("expected AlreadyAppealed, got {other:?}"),
    }
}

#[tokio::test]
async fn an_appeal_without_stored_content_must_carry_the_item() {
    let t = TempStore::new().await;
    let d = decision(Action::Block, at(0));
    t.store
        .insert_decision(&d)
        .await
        .expect("stored without content");
    match t.store.file_appeal(d.id, "wrong", None).await {
        Err(ReviewError::ContentRequired(_)) => {}
        other => panic!("expected ContentRequired, got {other:?}"),
    }
    let other_item = Item::text("someone-else", "text");
    match t.store.file_appeal(d.id, "wrong", Some(&other_item)).await {
        Err(ReviewError::ContentMismatch { .. }) => {}
        other => panic!("expected ContentMismatch, got {other:?}"),
    }
    match t.store.file_appeal(d.id, "   ", Some(&other_item)).await {
        Err(ReviewError::Invalid(_)) => {}
        other => panic!("expected Invalid for a blank statement, got {other:?}"),
    }
    let item = Item::text(d.item_id.clone(), "the text");
    let appeal = t
        .store
        .file_appeal(d.id, "wrong", Some(&item))
        .await
        .expect("filed");
    let queued = t
        .store
        .get_review_item(appeal.review_item)
        .await
        .expect("read")
        .expect("queued");
    assert_eq!(queued.content, Some(item));
    let missing = vigil_core::DecisionId::new();
    match t.store.file_appeal(missing, "wrong", None).await {
        Err(ReviewError::DecisionNotFound(id)) => assert_eq!(id, missing),
        other => panic!("expected DecisionNotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn an_outcome_is_refused_for_an_item_that_is_no_appeal() {
    let t = TempStore::new().await;
    let id = enqueue(&t.store, "post-1", 0.5, 1).await;
    t.store
        .claim_review(id, "alice", LONG)
        .await
        .expect("claim");
    let refused = t
        .store
        .submit_review(
            id,
            "alice",
            &verdict(Action::Block),
            Some(AppealOutcome::Upheld),
        )
        .await;
    assert!(
        matches!(refused, Err(ReviewError::OutcomeMismatch(_))),
        "{refused:?}"
    );
    let item = t
        .store
        .get_review_item(id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(item.entry.reviews_done, 0, "nothing recorded");
    assert_eq!(item.claim.map(|c| c.reviewer), Some("alice".to_owned()));
}

#[tokio::test]
async fn gold_items_measure_reviewers_and_done_items_export() {
    let t = TempStore::new().await;
    let gold_labels = Labels::new()
        .with(Category::Hate, true)
        .with(Category::Violence, false);
    let gold = t
        .store
        .enqueue_gold(&Item::text("gold-1", "known"), &gold_labels, 0.5, 2)
        .await
        .expect("gold queued");
    let policy = enqueue(&t.store, "post-1", 0.1, 1).await;

    let answers = [
        (
            "alice",
            Labels::new()
                .with(Category::Hate, true)
                .with(Category::Violence, false),
        ),
        (
            "bob",
            Labels::new()
                .with(Category::Hate, false)
                .with(Category::Sexual, true),
        ),
    ];
    for (reviewer, labels) in &answers {
        t.store
            .claim_review(gold, reviewer, LONG)
            .await
            .expect("claim");
        let v = Verdict {
            labels: labels.clone(),
            action: Action::Block,
            note: None,
        };
        t.store
            .submit_review(gold, reviewer, &v, None)
            .await
            .expect("verdict");
    }
    t.store
        .claim_review(policy, "alice", LONG)
        .await
        .expect("claim");
    t.store
        .submit_review(policy, "alice", &verdict(Action::Allow), None)
        .await
        .expect("verdict");

    let results = t.store.gold_results().await.expect("results");
    let summary: Vec<_> = results
        .iter()
        .map(|r| {
            (
                r.reviewer.as_str(),
                r.items,
                r.labels_compared,
                r.labels_agreed,
            )
        })
        .collect();
    // Bob's `sexual` is not in the gold labels, so it is not compared.
    assert_eq!(summary, [("alice", 1, 2, 2), ("bob", 1, 1, 0)]);
    assert_eq!(results[1].accuracy(), Some(0.0));

    let rows = t.store.export_reviews(None, 100).await.expect("export");
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [gold, policy]);
    assert_eq!(rows[0].gold_labels.as_ref(), Some(&gold_labels));
    assert_eq!(rows[0].reviews.len(), 2);
    assert!(rows[0].models.is_empty());
    assert_eq!(rows[1].models[0].name, "text-linear");
    assert_eq!(rows[1].reviews[0].reviewer, "alice");
    assert!(rows[1].content.is_some());
    let page = t
        .store
        .export_reviews(Some(gold), 100)
        .await
        .expect("export");
    assert_eq!(page.len(), 1);

    // Retention clears the content of done items, keeping their verdicts.
    let far = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    assert_eq!(
        t.store
            .purge_review_content_done_before(far)
            .await
            .expect("purge"),
        2
    );
    let rows = t.store.export_reviews(None, 100).await.expect("export");
    assert!(rows
        .iter()
        .all(|r| r.content.is_none() && !r.reviews.is_empty()));
}

#[tokio::test]
async fn items_that_cannot_be_queued_are_refused() {
    let t = TempStore::new().await;
    let d = decision(Action::Review, at(0));
    let new = |reason, priority, k| NewReview {
        item: Item::text("post-1", "text"),
        decision_id: d.id,
        reason,
        priority,
        required_reviews: k,
        bucket: None,
    };
    for bad in [
        new(QueueReason::Gold, 0.5, 1),
        new(QueueReason::Appeal, 0.5, 1),
        new(QueueReason::Policy, f64::NAN, 1),
        new(QueueReason::Policy, 0.5, 0),
        new(QueueReason::Policy, 0.5, 11),
    ] {
        match t.store.enqueue_review(&bad).await {
            Err(ReviewError::Invalid(_)) => {}
            other => panic!("expected Invalid for {bad:?}, got {other:?}"),
        }
    }
    let no_labels = t
        .store
        .enqueue_gold(&Item::text("g", "t"), &Labels::new(), 0.5, 1)
        .await;
    assert!(matches!(no_labels, Err(ReviewError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn decisions_and_their_queue_entries_are_logged_together() {
    let t = TempStore::new().await;
    let decisions: Vec<_> = (0..3).map(|i| decision(Action::Review, at(i))).collect();
    let entry = |i: usize| NewReview {
        item: Item::text(format!("post-{i}"), "text"),
        decision_id: decisions[i].id,
        reason: QueueReason::Policy,
        priority: 1.0,
        required_reviews: 1,
        bucket: None,
    };
    let queued = t
        .store
        .log_decisions(&decisions, &[], &[&entry(0), &entry(2)])
        .await
        .expect("logged");
    assert_eq!(queued, 2);
    let listing = t
        .store
        .list_review_queue(&[], 10, None)
        .await
        .expect("listed");
    let mut ids: Vec<_> = listing.items.iter().map(|e| e.item_id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["post-0", "post-2"]);
    for d in &decisions {
        assert!(t.store.get_decision(d.id).await.expect("read").is_some());
    }

    // A bad entry refuses the whole batch: neither the decision nor any
    // entry is stored.
    let more = vec![decision(Action::Review, at(10))];
    let mut bad = entry(0);
    bad.decision_id = more[0].id;
    bad.priority = f64::NAN;
    assert!(t.store.log_decisions(&more, &[], &[&bad]).await.is_err());
    assert!(t
        .store
        .get_decision(more[0].id)
        .await
        .expect("read")
        .is_none());
    assert_eq!(
        t.store
            .list_review_queue(&[], 10, None)
            .await
            .expect("listed")
            .items
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_active_learning_bucket_takes_no_more_than_its_cap() {
    let t = TempStore::new().await;
    let bucket = |name: &str| {
        Some(vigil_store::ReviewBucket {
            name: name.into(),
            max_open: 2,
        })
    };
    let mut queued = Vec::new();
    for (i, b) in ["hate/en", "hate/en", "hate/en", "hate/de"]
        .iter()
        .enumerate()
    {
        let d = decision(Action::Allow, at(i as i64));
        t.store.insert_decision(&d).await.expect("decision stored");
        let id = t
            .store
            .enqueue_review(&NewReview {
                item: Item::text(format!("al-{i}"), "text"),
                decision_id: d.id,
                reason: QueueReason::ActiveLearning,
                priority: 1.0,
                required_reviews: 1,
                bucket: bucket(b),
            })
            .await
            .expect("no error");
        queued.push(id);
    }
    assert!(queued[0].is_some() && queued[1].is_some());
    assert!(
        queued[2].is_none(),
        "the third hate/en item finds its bucket full"
    );
    assert!(queued[3].is_some(), "another bucket has room");

    // A done item frees its place.
    let first = queued[0].expect("queued");
    t.store
        .claim_review(first, "alice", LONG)
        .await
        .expect("claimed");
    t.store
        .submit_review(first, "alice", &verdict(Action::Allow), None)
        .await
        .expect("judged");
    let d = decision(Action::Allow, at(20));
    t.store.insert_decision(&d).await.expect("decision stored");
    let again = t
        .store
        .enqueue_review(&NewReview {
            item: Item::text("al-again", "text"),
            decision_id: d.id,
            reason: QueueReason::ActiveLearning,
            priority: 1.0,
            required_reviews: 1,
            bucket: bucket("hate/en"),
        })
        .await
        .expect("no error");
    assert!(again.is_some());
}
