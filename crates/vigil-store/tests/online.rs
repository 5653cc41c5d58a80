//! The online report's queries: counts per action, the audit sample,
//! checked restrictions, the prevalence sample, scores and latencies over a window and a slice,
//! each with the SQL and values it ran (docs/online-report.md).

mod common;

use common::{at, decision, TempStore};
use time::Duration;
use vigil_core::{
    Action, AppealOutcome, Category, Decision, Item, Labels, Modality, QueueReason, Verdict,
};
use vigil_store::{NewReview, OnlineSlice, OnlineWindow, Store};

const LEASE: std::time::Duration = std::time::Duration::from_secs(600);

fn with_facts(mut d: Decision, lang: &str, modality: Modality, latency_us: u64) -> Decision {
    d.content.lang = Some(lang.to_owned());
    d.content.modalities = vec![modality];
    d.latency_us = latency_us;
    d
}

fn verdict(hate: bool) -> Verdict {
    Verdict {
        labels: Labels::new().with(Category::Hate, hate),
        action: if hate { Action::Block } else { Action::Allow },
        note: None,
    }
}

async fn prevalence_review(store: &Store, d: &Decision, hate: bool) {
    sample_review(store, d, QueueReason::Prevalence, hate).await;
}

async fn sample_review(store: &Store, d: &Decision, reason: QueueReason, hate: bool) {
    let id = store
        .enqueue_review(&NewReview {
            item: Item::text(&d.item_id, "text"),
            decision_id: d.id,
            reason,
            priority: 0.0,
            required_reviews: 1,
            bucket: None,
        })
        .await
        .expect("queue")
        .expect("no bucket, so queued");
    store.claim_review(id, "r1", LEASE).await.expect("claim");
    store
        .submit_review(id, "r1", &verdict(hate), None)
        .await
        .expect("submit");
}

async fn appeal(store: &Store, d: &Decision, outcome: AppealOutcome) {
    let a = store
        .file_appeal(d.id, "not hate", Some(&Item::text(&d.item_id, "text")))
        .await
        .expect("appeal");
    store
        .claim_review(a.review_item, "r1", LEASE)
        .await
        .expect("claim");
    let hate = outcome == AppealOutcome::Upheld;
    store
        .submit_review(a.review_item, "r1", &verdict(hate), Some(outcome))
        .await
        .expect("submit");
}

#[tokio::test]
async fn online_figures_count_the_window_and_the_slice() {
    let t = TempStore::new().await;
    let en = |a, s, l| with_facts(decision(a, at(s)), "en", Modality::Text, l);
    let d_upheld = en(Action::Restrict, 10, 100);
    let d_overturned = with_facts(decision(Action::Block, at(20)), "fr", Modality::Image, 300);
    let d_viol = en(Action::Allow, 30, 200);
    let d_clean = en(Action::Allow, 40, 400);
    let d_outside = en(Action::Allow, 5_000, 999);
    for d in [&d_upheld, &d_overturned, &d_viol, &d_clean, &d_outside] {
        t.store.insert_decision(d).await.expect("insert");
    }
    appeal(&t.store, &d_upheld, AppealOutcome::Upheld).await;
    appeal(&t.store, &d_overturned, AppealOutcome::Overturned).await;
    prevalence_review(&t.store, &d_viol, true).await;
    prevalence_review(&t.store, &d_clean, false).await;
    prevalence_review(&t.store, &d_outside, true).await;
    // The audit: the restriction upheld, the block overturned. (Appealed
    // too, but the audit is its own review item and its own count.)
    sample_review(&t.store, &d_upheld, QueueReason::Audit, true).await;
    sample_review(&t.store, &d_overturned, QueueReason::Audit, false).await;
    // An audit item of an allowed decision is no restriction's audit.
    sample_review(&t.store, &d_clean, QueueReason::Audit, true).await;

    let window = OnlineWindow {
        since: at(0),
        until: at(1_000),
    };
    let all = OnlineSlice::default();
    let later = time::OffsetDateTime::now_utc() + Duration::hours(1);

    let cats = t.store.online_categories(window, &all).await.expect("cats");
    assert_eq!(cats.value, vec!["hate".to_owned(), "unsafe".to_owned()]);

    let counts = t
        .store
        .online_action_counts(window, &all, None)
        .await
        .expect("counts");
    assert_eq!(counts.value.get(Action::Allow), 2);
    assert_eq!(counts.value.restricted(), 2);
    assert_eq!(counts.value.total(), 4);
    let unsafe_counts = t
        .store
        .online_action_counts(window, &all, Some("unsafe"))
        .await
        .expect("unsafe counts");
    assert_eq!(unsafe_counts.value.get(Action::Allow), 4);

    let checked = t
        .store
        .online_checked_restrictions(window, &all, "hate", later)
        .await
        .expect("checked");
    assert_eq!(checked.value.restricted, 2);
    assert_eq!(checked.value.appealed, 2);
    assert_eq!(checked.value.appeal_upheld, 1);
    assert_eq!(checked.value.reviewed, 0);
    assert_eq!((checked.value.checked(), checked.value.upheld()), (2, 1));
    // The audit trail names every bound value.
    let names: Vec<_> = checked.query.params.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "since_unix_ms",
            "until_unix_ms",
            "lang",
            "modality",
            "category",
            "as_of"
        ]
    );
    assert!(checked.query.sql.contains("appeals"));

    // Verdicts are stamped in whole seconds: one stamped in the as-of
    // instant's second counts.
    let now = t
        .store
        .online_checked_restrictions(window, &all, "hate", time::OffsetDateTime::now_utc())
        .await
        .expect("checked now");
    assert_eq!(now.value.checked(), 2);
    // Before any verdict, nothing was checked: the report is reproducible.
    let before = t
        .store
        .online_checked_restrictions(window, &all, "hate", at(0))
        .await
        .expect("checked before");
    assert_eq!(before.value.checked(), 0);

    let audit = t
        .store
        .online_audit_sample(window, &all, "hate", later)
        .await
        .expect("audit");
    assert_eq!(
        (audit.value.judged, audit.value.sampled, audit.value.upheld),
        (2, 2, 1)
    );
    assert!(audit.query.sql.contains("'audit'"));
    assert_eq!(audit.query.params.len(), 6);
    // Nobody labelled `unsafe`, which restricted nothing anyway.
    let audit_unsafe = t
        .store
        .online_audit_sample(window, &all, "unsafe", later)
        .await
        .expect("audit unsafe");
    assert_eq!(audit_unsafe.value, Default::default());
    let audit_before = t
        .store
        .online_audit_sample(window, &all, "hate", at(0))
        .await
        .expect("audit before");
    assert_eq!(audit_before.value.judged, 0);

    let french = OnlineSlice {
        lang: Some("fr".to_owned()),
        modality: None,
    };
    let fr = t
        .store
        .online_checked_restrictions(window, &french, "hate", later)
        .await
        .expect("fr");
    assert_eq!(
        (fr.value.restricted, fr.value.appealed, fr.value.upheld()),
        (1, 1, 0)
    );
    let fr_audit = t
        .store
        .online_audit_sample(window, &french, "hate", later)
        .await
        .expect("fr audit");
    assert_eq!(
        (fr_audit.value.sampled, fr_audit.value.upheld),
        (1, 0),
        "the French block, overturned"
    );
    let images = OnlineSlice {
        lang: None,
        modality: Some(Modality::Image),
    };
    let img = t
        .store
        .online_action_counts(window, &images, None)
        .await
        .expect("img");
    assert_eq!(img.value.total(), 1);

    let prev = t
        .store
        .online_prevalence_sample(window, &all, "hate", later)
        .await
        .expect("prevalence");
    assert_eq!(
        (prev.value.judged, prev.value.sampled, prev.value.violating),
        (2, 2, 1)
    );
    // Nobody labelled `unsafe`: unknown, not negative.
    let prev_unsafe = t
        .store
        .online_prevalence_sample(window, &all, "unsafe", later)
        .await
        .expect("prevalence unsafe");
    assert_eq!(
        (prev_unsafe.value.judged, prev_unsafe.value.sampled),
        (2, 0)
    );

    let scores = t
        .store
        .online_scores(window, &all, "hate")
        .await
        .expect("scores");
    // Scores are f32 in the decision.
    let expected: Vec<f64> = [0.1f32, 0.1, 0.85, 0.97]
        .into_iter()
        .map(f64::from)
        .collect();
    assert_eq!(scores.value, expected);
    let lat = t
        .store
        .online_latencies_us(window, &all)
        .await
        .expect("lat");
    assert_eq!(lat.value, vec![100, 200, 300, 400]);
}
