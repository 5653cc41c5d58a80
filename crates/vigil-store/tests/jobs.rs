//! Scan jobs: claims are exclusive, a lease that runs out lets another
//! worker take the job, attempts are bounded, and a completed job's decision
//! is stored with it.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{at, decision, TempStore};
use vigil_core::{Action, Item, Media, MediaKind, MediaSource};
use vigil_store::{JobState, StoreError, ATTEMPTS_EXHAUSTED, MAX_JOB_ATTEMPTS};

const LONG: Duration = Duration::from_secs(600);

fn item(id: &str) -> Item {
    let mut item = Item::text(id, "a caption");
    item.media.push(Media {
        kind: MediaKind::Audio,
        source: MediaSource::Inline {
            data_base64: "UklGRg==".to_owned(),
        },
        mime: Some("audio/wav".to_owned()),
    });
    item
}

#[tokio::test]
async fn a_queued_job_is_claimed_once_with_its_item() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("clip-1")).await.expect("queued");
    let status = t.store.get_job(id).await.expect("read").expect("stored");
    assert_eq!((status.state, status.attempts), (JobState::Queued, 0));

    let claimed = t.store.claim_job("w1", LONG).await.expect("claim");
    let claimed = claimed.expect("the queued job");
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.item, item("clip-1"));
    assert_eq!(claimed.attempts, 1);
    assert_eq!(t.store.claim_job("w2", LONG).await.expect("claim"), None);
    let status = t.store.get_job(id).await.expect("read").expect("stored");
    assert_eq!((status.state, status.attempts), (JobState::Running, 1));
}

#[tokio::test]
async fn jobs_are_claimed_oldest_first() {
    let t = TempStore::new().await;
    let first = t.store.enqueue_job(&item("a")).await.expect("queued");
    let second = t.store.enqueue_job(&item("b")).await.expect("queued");
    let claim = |owner: &'static str| {
        let store = t.store.clone();
        async move { store.claim_job(owner, LONG).await.expect("claim") }
    };
    assert_eq!(claim("w").await.map(|j| j.id), Some(first));
    assert_eq!(claim("w").await.map(|j| j.id), Some(second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_claimers_never_get_the_same_job() {
    let t = TempStore::new().await;
    let jobs = 40;
    for i in 0..jobs {
        t.store
            .enqueue_job(&item(&format!("item-{i}")))
            .await
            .expect("queued");
    }
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = t.store.clone();
        workers.push(tokio::spawn(async move {
            let owner = format!("worker-{w}");
            let mut mine = Vec::new();
            while let Some(job) = store.claim_job(&owner, LONG).await.expect("claim") {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for w in workers {
        for id in w.await.expect("the worker ran") {
            total += 1;
            assert!(seen.insert(id), "job {id} was claimed twice");
        }
    }
    assert_eq!(total, jobs);
}

#[tokio::test]
async fn a_job_whose_lease_ran_out_is_claimed_again_and_the_old_worker_cannot_finish_it() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("clip")).await.expect("queued");
    let first = t.store.claim_job("crashed", Duration::ZERO).await;
    assert_eq!(first.expect("claim").map(|j| j.id), Some(id));
    tokio::time::sleep(Duration::from_millis(5)).await;

    let again = t.store.claim_job("healthy", LONG).await.expect("claim");
    let again = again.expect("the expired job");
    assert_eq!((again.id, again.attempts), (id, 2));

    let d = decision(Action::Allow, at(0));
    let late = t.store.complete_job(id, "crashed", &d, false, None).await;
    assert!(
        matches!(late, Err(StoreError::JobLeaseLost { .. })),
        "{late:?}"
    );
    let late = t.store.fail_job(id, "crashed", "x", "y").await;
    assert!(
        matches!(late, Err(StoreError::JobLeaseLost { .. })),
        "{late:?}"
    );
    assert_eq!(t.store.get_decision(d.id).await.expect("read"), None);
    t.store
        .extend_job_lease(id, "healthy", LONG)
        .await
        .expect("the holder extends its lease");
    t.store
        .complete_job(id, "healthy", &d, false, None)
        .await
        .expect("the holder completes");
}

#[tokio::test]
async fn a_running_job_under_its_lease_is_not_claimed() {
    let t = TempStore::new().await;
    t.store.enqueue_job(&item("clip")).await.expect("queued");
    assert!(t
        .store
        .claim_job("w1", LONG)
        .await
        .expect("claim")
        .is_some());
    assert_eq!(t.store.claim_job("w2", LONG).await.expect("claim"), None);
}

#[tokio::test]
async fn a_job_fails_after_its_last_attempt_runs_out() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("crasher")).await.expect("queued");
    for attempt in 1..=MAX_JOB_ATTEMPTS {
        let job = t.store.claim_job("w", Duration::ZERO).await.expect("claim");
        assert_eq!(job.map(|j| j.attempts), Some(attempt));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(t.store.claim_job("w", LONG).await.expect("claim"), None);
    let status = t.store.get_job(id).await.expect("read").expect("stored");
    assert_eq!(status.state, JobState::Failed);
    assert_eq!(status.attempts, MAX_JOB_ATTEMPTS);
    let error = status.error.expect("a failed job says why");
    assert_eq!(error.kind, ATTEMPTS_EXHAUSTED);
    assert!(error.message.contains("3 times"), "{}", error.message);
}

#[tokio::test]
async fn completing_stores_the_decision_readable_by_id() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("clip")).await.expect("queued");
    let job = t.store.claim_job("w", LONG).await.expect("claim");
    let job = job.expect("the job");
    let d = decision(Action::Block, at(0));
    t.store
        .complete_job(job.id, "w", &d, true, None)
        .await
        .expect("completed");

    assert_eq!(
        t.store.get_decision(d.id).await.expect("read"),
        Some(d.clone())
    );
    assert_eq!(
        t.store.get_decision_content(d.id).await.expect("read"),
        Some(item("clip")),
        "the item is kept beside the decision when asked"
    );
    let status = t.store.get_job(id).await.expect("read").expect("stored");
    assert_eq!(status.state, JobState::Done);
    assert_eq!(status.decision_id, Some(d.id));
    assert_eq!(status.decision, Some(d.clone()));
    assert_eq!(status.error, None);
    // Finished: no one can claim or finish it again.
    assert_eq!(
        t.store.claim_job("w", Duration::ZERO).await.expect("claim"),
        None
    );
    let again = t.store.fail_job(id, "w", "x", "y").await;
    assert!(matches!(again, Err(StoreError::JobLeaseLost { .. })));
}

#[tokio::test]
async fn a_failed_job_keeps_the_error_kind_and_message() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("broken")).await.expect("queued");
    t.store.claim_job("w", LONG).await.expect("claim");
    t.store
        .fail_job(id, "w", "corrupt_media", "media[0] is not a readable audio")
        .await
        .expect("failed");
    let status = t.store.get_job(id).await.expect("read").expect("stored");
    assert_eq!(status.state, JobState::Failed);
    let error = status.error.expect("why");
    assert_eq!(error.kind, "corrupt_media");
    assert_eq!(error.message, "media[0] is not a readable audio");
    assert_eq!(status.decision, None);
    let counts = t.store.count_jobs_by_state().await.expect("counts");
    assert_eq!(
        counts,
        vec![
            (JobState::Queued, 0),
            (JobState::Running, 0),
            (JobState::Done, 0),
            (JobState::Failed, 1)
        ]
    );
}

#[tokio::test]
async fn an_unknown_job_is_none() {
    let t = TempStore::new().await;
    assert_eq!(
        t.store
            .get_job(vigil_store::JobId::new())
            .await
            .expect("read"),
        None
    );
}

#[tokio::test]
async fn a_finished_job_no_longer_holds_its_item() {
    let t = TempStore::new().await;
    let id = t.store.enqueue_job(&item("clip")).await.expect("queued");
    t.store.claim_job("w", LONG).await.expect("claim");
    t.store
        .fail_job(id, "w", "corrupt_media", "bad")
        .await
        .expect("failed");
    let mut conn = common::raw_connection(&t.path).await;
    let item: Option<String> = sqlx::query_scalar("SELECT item FROM scan_jobs WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut conn)
        .await
        .expect("the row");
    assert_eq!(
        item, None,
        "raw content does not stay once a job is finished"
    );
}
